//! The platform admin's tenant pages over HTTP, without a browser: `/dashboard/tenants` lists,
//! filters, pages and creates; `/dashboard/tenants/{id}` shows a tenant in tabs and changes
//! it through forms, each lifecycle action after its confirmation step. Every form carries
//! `csrf_token`; each answers 303 to a page, or the page again with the API's status.
use journeys::session::Session;
use journeys::{Reply, TestApp, spawn_app};
use serde_json::{Value, json};

const ADMIN_EMAIL: &str = "admin@dotmac.local";
const ADMIN_PASSWORD: &str = "admin-password-for-tests";
const PASSWORD: &str = "correct horse battery staple";
const LIST: &str = "/dashboard/tenants";

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn location(reply: &Reply) -> &str {
    reply.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or("")
}

fn assert_html(reply: &Reply, status: u16) {
    assert_eq!(reply.status, status, "{}", reply.text);
    let content_type = reply.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(content_type.starts_with("text/html"), "{content_type}: {}", reply.text);
    assert!(reply.text.starts_with("<!doctype html>"), "{}", reply.text);
}

/// The `value` of the hidden input `name` in a page.
fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!(r#"name="{name}" value=""#);
    let start = html.find(&marker)? + marker.len();
    Some(html[start..].split('"').next()?.to_string())
}

/// A signed-in browser without a browser: its cookies, and the CSRF value its forms carry.
struct Browser<'a> {
    app: &'a TestApp,
    cookies: String,
    csrf: String,
}

impl<'a> Browser<'a> {
    fn of(app: &'a TestApp, session: &Session) -> Browser<'a> {
        let cookies = session.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        Browser { app, cookies, csrf: session.cookie("dm_csrf").expect("dm_csrf").to_string() }
    }

    async fn admin(app: &'a TestApp) -> Browser<'a> {
        let mut session = Session::new();
        let login = session.post(app, "/api/v1/auth/login", &json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})).await;
        assert_eq!(login.status, 200, "{}", login.text);
        Browser::of(app, &session)
    }

    async fn get(&self, path: &str) -> Reply {
        self.app.send(self.app.client.get(self.app.url(path)).header("cookie", &self.cookies)).await
    }

    /// Posts the form fields with this browser's `csrf_token`.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        self.post_raw(path, &[&[("csrf_token", self.csrf.as_str())], fields].concat()).await
    }

    async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = fields.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
        let request = self
            .app
            .client
            .post(self.app.url(path))
            .header("cookie", &self.cookies)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.app.send(request).await
    }

    /// The JSON API, with the same session (the pages must agree with it).
    async fn api(&self, path: &str) -> Value {
        let reply = self.get(path).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text);
        reply.json()
    }
}

async fn free_plan(app: &TestApp) -> String {
    let state = &app.platform.state;
    store::repo::plans::free(state.store.as_ref(), state.clock.now()).await.unwrap().id.to_string()
}

/// Creates a tenant through the form and answers its id.
async fn create_with_form(admin: &Browser<'_>, name: &str, slug: &str, email: &str) -> String {
    let plan = free_plan(admin.app).await;
    let created = admin.post(LIST, &[("name", name), ("slug", slug), ("plan_id", &plan), ("admin_email", email)]).await;
    assert_eq!(created.status, 303, "{}", created.text);
    let to = location(&created).to_string();
    let id = to.strip_prefix("/dashboard/tenants/").and_then(|rest| rest.strip_suffix("?notice=created")).unwrap_or_else(|| panic!("{to}"));
    assert!(id.starts_with("ten_"), "{id}");
    id.to_string()
}

async fn run_jobs(app: &TestApp) {
    let ran = app.post_json("/dev/jobs/run", &json!({})).await;
    assert_eq!(ran.status, 200, "{}", ran.text);
}

#[tokio::test]
async fn admins_see_the_tenants_other_roles_get_a_403_page_and_strangers_are_sent_to_sign_in() {
    let app = spawn_app().await;
    let admin = Browser::admin(&app).await;
    // GIVEN a tenant whose name is markup
    let id = create_with_form(&admin, r#"<script>alert("x")</script> & Co"#, "markup-co", "it@markup.example").await;

    // THEN the admin sees it in the list, escaped, with its slug, status, plan and day
    let page = admin.get(LIST).await;
    assert_html(&page, 200);
    assert!(page.text.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co"), "{}", page.text);
    assert!(!page.text.contains("<script>"), "nothing unescaped");
    assert!(page.text.contains("<code>markup-co</code>") && page.text.contains(">Provisioning</span>"), "{}", page.text);
    assert!(page.text.contains(&format!(r#"href="/dashboard/tenants/{id}""#)), "{}", page.text);
    assert!(page.text.contains(">Free</td>"), "the plan by name: {}", page.text);
    assert!(page.text.contains(r#"<form method="post" action="/dashboard/tenants""#), "the create form");
    assert_eq!(page.headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    // AND the dashboard links to the list
    let dashboard = admin.get("/dashboard").await;
    assert!(dashboard.text.contains(r#"href="/dashboard/tenants">Tenants</a>"#), "{}", dashboard.text);

    // WHEN a tenant admin opens the pages, a 403 page answers, for the list and a tenant
    let owner_session = app.signed_up("ada@example.com", PASSWORD).await;
    let owner = Browser::of(&app, &owner_session);
    for path in [LIST.to_string(), format!("{LIST}/{id}")] {
        let refused = owner.get(&path).await;
        assert_html(&refused, 403);
        assert!(refused.text.contains("Not available to your account") && !refused.text.contains("markup-co"), "{}", refused.text);
    }
    // AND a form posted by them changes nothing
    let plan = free_plan(&app).await;
    let posted = owner.post(LIST, &[("name", "Sneaky"), ("slug", "sneaky"), ("plan_id", &plan), ("admin_email", "s@example.com")]).await;
    assert_html(&posted, 403);
    let suspend = owner.post(&format!("{LIST}/{id}"), &[("action", "suspend"), ("reason", "mine now")]).await;
    assert_html(&suspend, 403);
    let listed = admin.api("/api/v1/admin/tenants?q=sneaky").await;
    assert_eq!(listed["data"], json!([]), "{listed}");

    // AND a stranger is sent to sign in and come back
    for (path, next) in [(LIST.to_string(), LIST.to_string()), (format!("{LIST}/{id}?tab=usage"), format!("{LIST}/{id}"))] {
        let anonymous = app.get(&path).await;
        assert_eq!((anonymous.status, location(&anonymous)), (303, format!("/auth/login?next={next}").as_str()), "{path}");
    }
    let anonymous_post = app.post_raw(LIST, "application/x-www-form-urlencoded", "name=x").await;
    assert_eq!((anonymous_post.status, location(&anonymous_post)), (303, "/auth/login?next=/dashboard/tenants"));
}

#[tokio::test]
async fn a_tenant_created_with_the_form_provisions_and_becomes_active() {
    let app = spawn_app().await;
    let admin = Browser::admin(&app).await;
    let plan = free_plan(&app).await;

    // GIVEN the list page, its create form offers the plans
    let page = admin.get(LIST).await;
    assert!(page.text.contains(&format!(r#"<option value="{plan}" selected>Free · 0.00 USD / month · 3 seats</option>"#)), "{}", page.text);
    assert_eq!(hidden_value(&page.text, "csrf_token").as_deref(), Some(admin.csrf.as_str()), "the form carries dm_csrf");

    // WHEN the form comes without its csrf_token, nothing is created
    let forged = admin.post_raw(LIST, &[("name", "Northwind"), ("slug", "northwind"), ("plan_id", &plan), ("admin_email", "it@northwind.example")]).await;
    assert_html(&forged, 403);
    assert!(forged.text.contains("This form has expired"), "{}", forged.text);
    // AND a bad slug and a bad email come back with the values kept and the fields marked
    let bad = admin.post(LIST, &[("name", "Northwind"), ("slug", "North Wind"), ("plan_id", &plan), ("admin_email", "it@northwind.example")]).await;
    assert_html(&bad, 422);
    assert!(bad.text.contains("The tenant was not created") && bad.text.contains("Slug must be 1 to 48"), "{}", bad.text);
    assert!(bad.text.contains(r#"value="North Wind""#) && bad.text.contains(r#"value="it@northwind.example""#), "{}", bad.text);
    let bad_email = admin.post(LIST, &[("name", "Northwind"), ("slug", "northwind"), ("plan_id", &plan), ("admin_email", "nope")]).await;
    assert_html(&bad_email, 422);
    assert!(bad_email.text.contains("Enter a valid email address"), "{}", bad_email.text);
    let no_plan = admin.post(LIST, &[("name", "Northwind"), ("slug", "northwind"), ("plan_id", "plan_made_up"), ("admin_email", "it@northwind.example")]).await;
    assert_html(&no_plan, 422);
    assert!(no_plan.text.contains("Choose one of the plans."), "{}", no_plan.text);
    assert_eq!(admin.api("/api/v1/admin/tenants").await["data"], json!([]), "nothing was created");

    // WHEN it is filled in right, the browser lands on the new tenant, provisioning
    let id = create_with_form(&admin, "Northwind Traders", "northwind", "it@northwind.example").await;
    let path = format!("{LIST}/{id}");
    let page = admin.get(&format!("{path}?notice=created")).await;
    assert_html(&page, 200);
    assert!(page.text.contains("Tenant created. It is provisioning"), "{}", page.text);
    assert!(page.text.contains("0 of 4 steps done"), "{}", page.text);
    assert!(page.text.contains(r#"<svg class="bar" role="img" aria-label="Provisioning: 0 of 4 steps done""#), "a drawn bar: {}", page.text);
    assert!(page.text.contains("Not yet: provisioning creates it"), "{}", page.text);
    // AND a second tenant with that slug is refused (409) on the form
    let taken = admin.post(LIST, &[("name", "Other"), ("slug", "northwind"), ("plan_id", &plan), ("admin_email", "x@other.example")]).await;
    assert_html(&taken, 409);
    assert!(taken.text.contains("Another tenant already has this slug"), "{}", taken.text);

    // WHEN the jobs run
    run_jobs(&app).await;

    // THEN the page shows it active with its subscription, and the admin invitation went out
    let page = admin.get(&path).await;
    assert!(page.text.contains(r#"<div class="between"><h1>Northwind Traders</h1><span class="badge""#), "{}", page.text);
    assert!(page.text.contains(">Active</span>"), "{}", page.text);
    assert!(!page.text.contains("steps done"), "no progress once active: {}", page.text);
    assert!(page.text.contains("<dt>Credit balance</dt><dd>0.00 USD</dd>"), "{}", page.text);
    assert!(page.text.contains("<dt>Subscription</dt><dd>active"), "{}", page.text);
    assert!(page.text.contains("<dt>First admin</dt><dd>it@northwind.example</dd>"), "{}", page.text);
    let mail = app.last_email_to("it@northwind.example").await;
    assert!(mail["links"][0].as_str().unwrap().contains("/auth/accept-invitation?token="), "{mail}");
    assert_eq!(admin.api(&format!("/api/v1/admin/tenants/{id}")).await["status"], "active");

    // AND its usage tab draws the seats the pending invitation holds; billing says what exists
    let usage = admin.get(&format!("{path}?tab=usage")).await;
    assert_html(&usage, 200);
    assert!(usage.text.contains("1 of 3 seats used"), "{}", usage.text);
    assert!(usage.text.contains(r#"aria-label="1 of 3 seats used: 0 members and 1 pending invitations""#), "{}", usage.text);
    assert!(usage.text.contains("Not measured yet"), "{}", usage.text);
    let billing = admin.get(&format!("{path}?tab=billing")).await;
    assert!(billing.text.contains("Billing comes with the billing work"), "{}", billing.text);
    assert!(billing.text.contains(r#"aria-current="page""#), "{}", billing.text);
}

#[tokio::test]
async fn suspend_delete_and_restore_take_a_confirmation_step_and_a_deleted_tenant_counts_down() {
    let app = spawn_app().await;
    let admin = Browser::admin(&app).await;
    let id = create_with_form(&admin, "Contoso", "contoso", "it@contoso.example").await;
    run_jobs(&app).await;
    let path = format!("{LIST}/{id}");

    // GIVEN the overview offers suspend and delete, as links to their confirmation steps
    let page = admin.get(&path).await;
    assert!(page.text.contains(&format!(r#"href="{path}?confirm=suspend#confirm">Suspend…</a>"#)), "{}", page.text);
    assert!(page.text.contains(&format!(r#"href="{path}?confirm=delete#confirm">Delete…</a>"#)), "{}", page.text);
    assert!(!page.text.contains("confirm=restore"), "no restore for an active tenant");

    // WHEN the suspend step is opened, it asks for a reason and nothing has happened yet
    let confirm = admin.get(&format!("{path}?confirm=suspend")).await;
    assert_html(&confirm, 200);
    assert!(confirm.text.contains("Suspend Contoso?") && confirm.text.contains(r#"name="reason""#), "{}", confirm.text);
    assert!(confirm.text.contains(r#"<input type="hidden" name="action" value="suspend">"#), "{}", confirm.text);
    assert_eq!(admin.api(&format!("/api/v1/admin/tenants/{id}")).await["status"], "active");
    // AND confirming without a reason keeps the step open with the field marked
    let no_reason = admin.post(&path, &[("action", "suspend"), ("reason", "  ")]).await;
    assert_html(&no_reason, 422);
    assert!(no_reason.text.contains("Reason must not be empty.") && no_reason.text.contains("Suspend Contoso?"), "{}", no_reason.text);
    // AND with one, it is suspended
    let suspended = admin.post(&path, &[("action", "suspend"), ("reason", "unpaid <invoices>")]).await;
    assert_eq!((suspended.status, location(&suspended)), (303, format!("{path}?notice=suspended").as_str()), "{}", suspended.text);
    let page = admin.get(&format!("{path}?notice=suspended")).await;
    assert!(page.text.contains("Tenant suspended.") && page.text.contains("<strong>Suspended</strong>: unpaid &lt;invoices&gt;"), "{}", page.text);
    assert!(page.text.contains("confirm=reactivate") && !page.text.contains("confirm=suspend#"), "{}", page.text);
    let tenant = admin.api(&format!("/api/v1/admin/tenants/{id}")).await;
    assert_eq!((tenant["status"].as_str(), tenant["suspended_reason"].as_str()), (Some("suspended"), Some("unpaid <invoices>")));
    // AND suspending again (a second tab's stale form) is refused in words, with the API's 409
    let again = admin.post(&path, &[("action", "suspend"), ("reason", "twice")]).await;
    assert_html(&again, 409);
    assert!(again.text.contains("This tenant is suspended now, so it cannot be suspended."), "{}", again.text);
    // AND a step that does not fit the state says so instead of offering a button
    let stale_step = admin.get(&format!("{path}?confirm=restore")).await;
    assert!(stale_step.text.contains("cannot be restored") && !stale_step.text.contains(r#"value="restore""#), "{}", stale_step.text);

    // WHEN it is reactivated after its step
    assert!(admin.get(&format!("{path}?confirm=reactivate")).await.text.contains("Reactivate Contoso?"));
    let reactivated = admin.post(&path, &[("action", "reactivate"), ("reason", "")]).await;
    assert_eq!((reactivated.status, location(&reactivated)), (303, format!("{path}?notice=reactivated").as_str()));
    assert_eq!(admin.api(&format!("/api/v1/admin/tenants/{id}")).await["status"], "active");

    // WHEN it is deleted after its step, which says how long it is kept
    let confirm = admin.get(&format!("{path}?confirm=delete")).await;
    assert!(confirm.text.contains("Delete Contoso?") && confirm.text.contains("It is kept for 30 days"), "{}", confirm.text);
    let deleted = admin.post(&path, &[("action", "delete"), ("reason", "customer left")]).await;
    assert_eq!((deleted.status, location(&deleted)), (303, format!("{path}?notice=deleted").as_str()), "{}", deleted.text);

    // THEN the page counts down to the purge, on the day the API names
    let tenant = admin.api(&format!("/api/v1/admin/tenants/{id}")).await;
    let purge_after = tenant["purge_after"].as_str().unwrap().to_string();
    let day = format!("{} {} UTC", &purge_after[..10], &purge_after[11..16]);
    let page = admin.get(&path).await;
    assert!(page.text.contains(&format!(r#"Purged in 30 days, on <time datetime="{purge_after}">{day}</time></p>"#)), "{}", page.text);
    assert!(page.text.contains("Restore is available until then"), "{}", page.text);
    assert!(page.text.contains(r#"aria-label="30 days of the 30 days of retention left""#), "a drawn countdown: {}", page.text);
    assert!(page.text.contains(&format!(r#"href="{path}?confirm=restore#confirm">Restore…</a>"#)), "{}", page.text);
    assert!(page.text.contains(">Deleted</span>"), "{}", page.text);
    let list = admin.get(&format!("{LIST}?status=deleted")).await;
    assert!(list.text.contains("purged in 30 days") && list.text.contains("contoso"), "{}", list.text);
    // AND a deleted tenant's settings cannot be changed
    let settings = admin.get(&format!("{path}?tab=settings")).await;
    assert!(settings.text.contains("A deleted tenant cannot be changed") && settings.text.contains("<fieldset disabled"), "{}", settings.text);
    // AND ten days later it says twenty
    assert_eq!(app.post_json("/dev/clock", &json!({"advance_seconds": 10 * 86_400})).await.status, 200);
    let admin = Browser::admin(&app).await;
    let page = admin.get(&path).await;
    assert!(page.text.contains(&format!(r#"Purged in 20 days, on <time datetime="{purge_after}">"#)), "{}", page.text);

    // WHEN it is restored after its step
    let confirm = admin.get(&format!("{path}?confirm=restore")).await;
    assert!(confirm.text.contains("Restore Contoso?") && confirm.text.contains("(active)"), "{}", confirm.text);
    let restored = admin.post(&path, &[("action", "restore"), ("reason", "came back")]).await;
    assert_eq!((restored.status, location(&restored)), (303, format!("{path}?notice=restored").as_str()), "{}", restored.text);

    // THEN it is active again, without a countdown
    let page = admin.get(&format!("{path}?notice=restored")).await;
    assert!(page.text.contains("Tenant restored") && page.text.contains(">Active</span>") && !page.text.contains("Purged in"), "{}", page.text);
    let tenant = admin.api(&format!("/api/v1/admin/tenants/{id}")).await;
    assert_eq!((tenant["status"].as_str(), tenant["purge_after"].clone()), (Some("active"), Value::Null));
}

#[tokio::test]
async fn the_settings_tab_saves_name_and_retention_and_refuses_a_stale_form() {
    let app = spawn_app().await;
    let admin = Browser::admin(&app).await;
    let id = create_with_form(&admin, "Fabrikam", "fabrikam", "it@fabrikam.example").await;
    run_jobs(&app).await;
    let path = format!("{LIST}/{id}");

    // GIVEN the settings form, carrying the version it was loaded at
    let form = admin.get(&format!("{path}?tab=settings")).await;
    assert_html(&form, 200);
    let version = hidden_value(&form.text, "version").expect("the version field");
    assert_eq!(version, admin.api(&format!("/api/v1/admin/tenants/{id}")).await["version"].to_string());
    assert!(form.text.contains(r#"value="Fabrikam""#) && form.text.contains(r#"name="retention_days" type="text" value="30""#), "{}", form.text);
    assert!(form.text.contains("Organization settings") && form.text.contains("Password min length"), "{}", form.text);

    // WHEN it is saved with a new name and retention
    let saved = admin.post(&path, &[("action", "settings"), ("version", &version), ("name", "Fabrikam Inc"), ("retention_days", "45")]).await;
    assert_eq!((saved.status, location(&saved)), (303, format!("{path}?tab=settings&notice=saved").as_str()), "{}", saved.text);
    let tenant = admin.api(&format!("/api/v1/admin/tenants/{id}")).await;
    assert_eq!((tenant["name"].as_str(), tenant["retention_days"].as_i64()), (Some("Fabrikam Inc"), Some(45)));

    // THEN the same form sent again (now stale) is refused with 412 and a clear message,
    // changes nothing, and shows the current values
    let stale = admin.post(&path, &[("action", "settings"), ("version", &version), ("name", "Old Tab"), ("retention_days", "10")]).await;
    assert_html(&stale, 412);
    assert!(stale.text.contains("Someone changed this tenant after you opened the form"), "{}", stale.text);
    assert!(stale.text.contains(r#"value="Fabrikam Inc""#) && !stale.text.contains(r#"value="Old Tab""#), "{}", stale.text);
    assert_eq!(admin.api(&format!("/api/v1/admin/tenants/{id}")).await["name"], "Fabrikam Inc");

    // AND out-of-range retention is refused on its field, keeping what was typed
    let fresh = hidden_value(&admin.get(&format!("{path}?tab=settings")).await.text, "version").unwrap();
    for bad in ["0", "forever", "3651"] {
        let refused = admin.post(&path, &[("action", "settings"), ("version", &fresh), ("name", "Fabrikam Inc"), ("retention_days", bad)]).await;
        assert_html(&refused, 422);
        assert!(refused.text.contains("Retention must be a whole number of days, from 1 to 3650."), "{bad}: {}", refused.text);
        assert!(refused.text.contains(&format!(r#"value="{bad}""#)), "{}", refused.text);
    }
    // AND saving what is already there says so
    let same = admin.post(&path, &[("action", "settings"), ("version", &fresh), ("name", "Fabrikam Inc"), ("retention_days", "45")]).await;
    assert_eq!(location(&same), format!("{path}?tab=settings&notice=unchanged"));
    // AND a deletion now keeps it 45 days
    admin.post(&path, &[("action", "delete"), ("reason", "")]).await;
    assert!(admin.get(&path).await.text.contains("Purged in 45 days"));
}

#[tokio::test]
async fn the_list_filters_by_status_and_text_and_pages_with_a_signed_cursor() {
    let app = spawn_app().await;
    let admin = Browser::admin(&app).await;
    for (name, slug) in [("Alpha Works", "alpha"), ("Beta Labs", "beta"), ("Gamma Alpha", "gamma")] {
        create_with_form(&admin, name, slug, &format!("it@{slug}.example")).await;
    }
    run_jobs(&app).await;

    let names = ["Alpha Works", "Beta Labs", "Gamma Alpha"];
    let shown = |page: &Reply| names.iter().filter(|n| page.text.contains(*n)).map(|n| n.to_string()).collect::<Vec<_>>();

    // Two a page: the first page links to the next, which links back to the first
    let first = admin.get(&format!("{LIST}?limit=2")).await;
    assert_html(&first, 200);
    assert_eq!(shown(&first).len(), 2, "{}", first.text);
    let marker = r#"rel="next" href=""#;
    let start = first.text.find(marker).expect("a next link") + marker.len();
    let next = first.text[start..].split('"').next().unwrap().replace("&amp;", "&");
    assert!(next.starts_with("/dashboard/tenants?limit=2&cursor="), "{next}");
    let second = admin.get(&next).await;
    assert_html(&second, 200);
    let mut all = [shown(&first), shown(&second)].concat();
    all.sort();
    assert_eq!(all, names, "each tenant once, over the two pages");
    assert!(!second.text.contains(r#"rel="next""#) && second.text.contains("First page"), "{}", second.text);

    // A cursor that was not issued, or one of another filter, starts again with a 400
    let forged = admin.get(&format!("{LIST}?cursor=bm90LWEtY3Vyc29y")).await;
    assert_html(&forged, 400);
    assert!(forged.text.contains("That page link is not valid") && shown(&forged).len() == 3, "{}", forged.text);
    let crossed = admin.get(&format!("{}&status=active", next)).await;
    assert_eq!(crossed.status, 400, "{}", crossed.text);

    // Text search on name or slug, and status filter, with the filters shown as chosen
    let found = admin.get(&format!("{LIST}?q=ALPHA")).await;
    assert!(found.text.contains("Alpha Works") && found.text.contains("Gamma Alpha") && !found.text.contains("Beta Labs"), "{}", found.text);
    assert!(found.text.contains(r#"name="q" type="search" value="alpha""#), "{}", found.text);
    let none = admin.get(&format!("{LIST}?status=suspended")).await;
    assert!(none.text.contains("No tenants match these filters.") && none.text.contains(r#"<option value="suspended" selected>"#), "{}", none.text);
    let unknown = admin.get(&format!("{LIST}?status=purged")).await;
    assert_html(&unknown, 400);

    // An unknown or malformed tenant id is a 404 page
    for path in [format!("{LIST}/ten_01jd0000000000000000000000"), format!("{LIST}/not-an-id")] {
        let missing = admin.get(&path).await;
        assert_html(&missing, 404);
        assert!(missing.text.contains("Tenant not found"), "{}", missing.text);
    }
}

#[tokio::test]
async fn provisioning_progress_is_drawn_step_by_step() {
    use store::repo::provisioning::{Step, mark};
    let app = spawn_app().await;
    let admin = Browser::admin(&app).await;
    let id = create_with_form(&admin, "Halfway", "halfway", "it@halfway.example").await;

    // GIVEN the worker got half way (two steps recorded, as its transactions record them)
    let state = &app.platform.state;
    let tenant = domain::ids::TenantId::parse(&id).unwrap();
    for step in [Step::Subscription, Step::Settings] {
        state.store.transact(vec![mark(&tenant, step, state.clock.now())]).await.unwrap();
    }

    // THEN the page says so, draws half a bar, and ticks the two steps
    let page = admin.get(&format!("{LIST}/{id}")).await;
    assert_html(&page, 200);
    assert!(page.text.contains("2 of 4 steps done"), "{}", page.text);
    assert!(page.text.contains(r#"aria-label="Provisioning: 2 of 4 steps done""#) && page.text.contains(r#"width="50.00%""#), "{}", page.text);
    assert_eq!(page.text.matches("· done <time").count(), 2, "{}", page.text);
    assert_eq!(page.text.matches("· waiting").count(), 2, "{}", page.text);
}
