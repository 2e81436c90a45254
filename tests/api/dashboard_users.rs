//! The platform admins' user pages over HTTP, without a browser: `/dashboard/users` (list,
//! search, filters, pages, invite) and `/dashboard/users/{id}` (details, edit with the version
//! read, disable / enable after a confirm step, the user's audit trail by action and date).
//! Each GET is an HTML page; each form POST answers 303 back with a notice, or the page again
//! with its problem and the status the JSON API would give.
use journeys::session::Session;
use journeys::{Reply, TestApp, spawn_app};
use serde_json::json;
use domain::ids::{TenantId, UserId};
use domain::user::Role;

const ADMIN_EMAIL: &str = "admin@dotmac.local";
const ADMIN_PASSWORD: &str = "admin-password-for-tests";
const PASSWORD: &str = "correct horse battery staple";

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn cookie_header(session: &Session) -> String {
    session.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
}

fn location(reply: &Reply) -> &str {
    reply.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or("")
}

fn assert_html(reply: &Reply, status: u16) {
    assert_eq!(reply.status, status, "{}", reply.text);
    let content_type = reply.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(reply.text.starts_with("<!doctype html>"), "{}", reply.text);
}

/// The `href` of the link with `rel` (`next`, `prev`), HTML entities undone.
fn rel_link(html: &str, rel: &str) -> Option<String> {
    let marker = format!(r#"rel="{rel}" href=""#);
    let start = html.find(&marker)? + marker.len();
    Some(html[start..].split('"').next()?.replace("&amp;", "&"))
}

/// The rows of the first table of a page.
fn rows(html: &str) -> usize {
    html.split("<tbody>").nth(1).map(|body| body.split("</tbody>").next().unwrap_or("").matches("<tr>").count()).unwrap_or(0)
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> Session {
    let mut s = Session::new();
    let reply = s.post(app, "/api/v1/auth/login", &json!({"email": email, "password": password})).await;
    assert_eq!(reply.status, 200, "{email} signs in: {}", reply.text);
    s
}

/// A browser signed in as a platform admin: its cookies and the form's `csrf_token`.
struct Admin {
    session: Session,
}

impl Admin {
    async fn sign_in(app: &TestApp) -> Admin {
        Admin { session: sign_in(app, ADMIN_EMAIL, ADMIN_PASSWORD).await }
    }

    async fn get(&self, app: &TestApp, path: &str) -> Reply {
        app.send(app.client.get(app.url(path)).header("cookie", cookie_header(&self.session))).await
    }

    /// Posts a form as the page does, with its `csrf_token`.
    async fn post(&self, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Reply {
        let csrf = self.session.cookie("dm_csrf").unwrap().to_string();
        let all = [&[("csrf_token", csrf.as_str())], fields].concat();
        post_form(app, path, &cookie_header(&self.session), &all).await
    }
}

async fn post_form(app: &TestApp, path: &str, cookies: &str, fields: &[(&str, &str)]) -> Reply {
    let body = fields.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
    let request = app.client.post(app.url(path)).header("cookie", cookies).header("content-type", "application/x-www-form-urlencoded").body(body);
    app.send(request).await
}

/// A verified user made directly in the store (as an accepted invitation would make it).
async fn user_in_store(app: &TestApp, name: &str, email: &str, role: Role, tenant: Option<&TenantId>) -> UserId {
    app.user_in_store(name, email, PASSWORD, role, tenant).await
}

/// Signs up a tenant admin; answers the session and the tenant.
async fn tenant_admin(app: &TestApp, email: &str) -> (Session, TenantId) {
    let mut session = app.signed_up(email, PASSWORD).await;
    let me = session.get(app, "/api/v1/me").await.json();
    (session, TenantId::parse(me["tenant_id"].as_str().unwrap()).unwrap())
}

#[tokio::test]
async fn a_platform_admin_lists_searches_filters_and_pages_through_users() {
    // GIVEN two tenants, a member and a partner
    let app = spawn_app().await;
    let (_ada, engines) = tenant_admin(&app, "ada@engines.example").await;
    tenant_admin(&app, "grace@navy.example").await;
    let charles = user_in_store(&app, "Charles Babbage", "charles@engines.example", Role::TenantMember, Some(&engines)).await;
    user_in_store(&app, "Alan <b>Turing</b>", "alan@partners.example", Role::Partner, None).await;
    let admin = Admin::sign_in(&app).await;

    // WHEN the admin opens the list
    let page = admin.get(&app, "/dashboard/users").await;
    // THEN every user is there, each linking to their page, with the invite form
    assert_html(&page, 200);
    for email in ["ada@engines.example", "grace@navy.example", "charles@engines.example", "alan@partners.example", ADMIN_EMAIL] {
        assert!(page.text.contains(email), "{email} listed: {}", page.text);
    }
    assert!(page.text.contains(&format!(r#"href="/dashboard/users/{charles}""#)));
    assert!(page.text.contains("Alan &lt;b&gt;Turing&lt;/b&gt;") && !page.text.contains("<b>Turing"), "names are escaped");
    assert!(page.text.contains(r#"<summary>Invite user</summary>"#) && page.text.contains(r#"name="csrf_token""#));
    assert_eq!(rows(&page.text), 5);

    // AND the search and each filter narrow it
    let search = admin.get(&app, "/dashboard/users?q=BABB").await;
    assert_eq!(rows(&search.text), 1);
    assert!(search.text.contains("charles@engines.example"));
    assert!(search.text.contains(r#"value="BABB""#), "the search is shown back");
    let partners = admin.get(&app, "/dashboard/users?role=partner").await;
    assert_eq!(rows(&partners.text), 1);
    assert!(partners.text.contains("alan@partners.example"));
    let of_engines = admin.get(&app, &format!("/dashboard/users?tenant_id={engines}")).await;
    assert_eq!(rows(&of_engines.text), 2);
    assert!(of_engines.text.contains("ada@engines.example") && of_engines.text.contains("charles@engines.example"));
    let members_of_engines = admin.get(&app, &format!("/dashboard/users?tenant_id={engines}&role=tenant_member&status=active")).await;
    assert_eq!(rows(&members_of_engines.text), 1);
    let disabled = admin.get(&app, "/dashboard/users?status=disabled&q=&role=").await;
    assert_html(&disabled, 200);
    assert!(disabled.text.contains("No users match these filters."));
    // AND a filter that does not parse says so with a 400, the form kept
    let bad = admin.get(&app, "/dashboard/users?role=root").await;
    assert_html(&bad, 400);
    assert!(bad.text.contains("role must be") && bad.text.contains(r#"role="search""#), "{}", bad.text);

    // WHEN the admin pages through two at a time
    let mut seen = Vec::new();
    let mut path = "/dashboard/users?limit=2".to_string();
    let mut pages = Vec::new();
    loop {
        let page = admin.get(&app, &path).await;
        assert_html(&page, 200);
        seen.push(rows(&page.text));
        pages.push(path.clone());
        match rel_link(&page.text, "next") {
            Some(next) => path = next,
            None => break,
        }
    }
    // THEN the pages hold everyone once, and "Previous" walks back the same pages
    assert_eq!(seen, [2, 2, 1]);
    let last = admin.get(&app, pages.last().unwrap()).await;
    let back = rel_link(&last.text, "prev").expect("a previous link");
    assert_eq!(back, pages[1]);
    let second = admin.get(&app, &back).await;
    assert_eq!(rel_link(&second.text, "prev").as_deref(), Some("/dashboard/users?limit=2"));
    assert!(rel_link(&admin.get(&app, "/dashboard/users?limit=2").await.text, "prev").is_none());
    // AND a made-up cursor is refused, not followed
    let forged = admin.get(&app, "/dashboard/users?cursor=AAAAAAAAAAAAAAAAAAAAAAAA").await;
    assert_html(&forged, 400);
    assert!(forged.text.contains("Start again from the first page"));
    // AND the dashboard links here
    assert!(admin.get(&app, "/dashboard").await.text.contains(r#"href="/dashboard/users""#));
}

#[tokio::test]
async fn other_roles_get_the_403_page_and_strangers_are_sent_to_sign_in() {
    let app = spawn_app().await;
    let (owner, _) = tenant_admin(&app, "ada@engines.example").await;
    let admin_id = UserId::parse(sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await.get(&app, "/api/v1/me").await.json()["id"].as_str().unwrap()).unwrap();
    let user_page = format!("/dashboard/users/{admin_id}");
    for path in ["/dashboard/users", user_page.as_str()] {
        // A tenant admin: the polite 403 page, pointing to their own portal
        let page = app.send(app.client.get(app.url(path)).header("cookie", cookie_header(&owner))).await;
        assert_html(&page, 403);
        assert!(page.text.contains("Not available to your account") && page.text.contains(r#"href="/portal""#), "{}", page.text);
        // Its forms change nothing either
        let csrf = owner.cookie("dm_csrf").unwrap();
        let posted = post_form(&app, path, &cookie_header(&owner), &[("csrf_token", csrf), ("action", "disable"), ("confirmed", "yes"),
            ("email", "x@example.com"), ("name", "X"), ("role", "partner")]).await;
        assert_html(&posted, 403);
        // Nobody signed in: to sign in, and back here afterwards
        let anonymous = app.get(path).await;
        assert_eq!((anonymous.status, location(&anonymous)), (303, format!("/auth/login?next={path}").as_str()));
    }
    let mailbox = app.get("/dev/mailbox").await.json();
    assert!(mailbox["data"].as_array().unwrap().iter().all(|m| m["to"] != "x@example.com"), "no invitation went out");
}

#[tokio::test]
async fn inviting_from_the_page_emails_the_link_and_a_bad_form_is_shown_back() {
    let app = spawn_app().await;
    let (_ada, engines) = tenant_admin(&app, "ada@engines.example").await;
    let admin = Admin::sign_in(&app).await;

    // WHEN the admin sends the form without its CSRF field, nothing is sent
    let forged = post_form(&app, "/dashboard/users", &cookie_header(&admin.session),
        &[("email", "grace@navy.example"), ("name", "Grace"), ("role", "partner")]).await;
    assert_html(&forged, 403);

    // WHEN the form is filled in wrongly
    let missing_tenant = admin.post(&app, "/dashboard/users", &[("email", "grace@engines.example"), ("name", "Grace <Hopper>"), ("role", "tenant_member"), ("tenant_id", "")]).await;
    // THEN the list comes back with the API's status, the problem at its field and the values kept
    assert_html(&missing_tenant, 422);
    assert!(missing_tenant.text.contains("Organization ID is required for an organization role"), "{}", missing_tenant.text);
    assert!(missing_tenant.text.contains(r#"value="grace@engines.example""#) && missing_tenant.text.contains("Grace &lt;Hopper&gt;"));
    assert!(missing_tenant.text.contains(r#"<details id="invite" open>"#), "the form is open");
    let taken = admin.post(&app, "/dashboard/users", &[("email", "ada@engines.example"), ("name", "Ada"), ("role", "partner")]).await;
    assert_html(&taken, 409);
    assert!(taken.text.contains("already exists"));
    let bad_email = admin.post(&app, "/dashboard/users", &[("email", "not-an-email"), ("name", "X"), ("role", "partner")]).await;
    assert_html(&bad_email, 422);
    assert!(bad_email.text.contains("Enter a valid email address"));

    // WHEN it is filled in rightly
    let sent = admin.post(&app, "/dashboard/users", &[("email", "grace@engines.example"), ("name", "Grace Hopper"), ("role", "tenant_member"),
        ("tenant_id", engines.as_str())]).await;
    // THEN back to the list with a notice, and the link is in the mailbox
    assert_eq!((sent.status, location(&sent)), (303, "/dashboard/users?notice=invited"), "{}", sent.text);
    assert!(admin.get(&app, location(&sent)).await.text.contains("Invitation sent."));
    let mail = app.last_email_to("grace@engines.example").await;
    assert!(mail["links"][0].as_str().unwrap().contains("/auth/accept-invitation?token="), "{mail}");
    assert!(mail["subject"].as_str().unwrap().contains("Analytical Engines"), "{mail}");
    let mailbox = app.get("/dev/mailbox").await.json();
    let to_grace = mailbox["data"].as_array().unwrap().iter().filter(|m| m["to"] == "grace@engines.example").count();
    assert_eq!(to_grace, 1, "the refused forms sent nothing");
}

#[tokio::test]
async fn disabling_from_the_page_goes_through_the_confirm_step_and_ends_the_users_sessions() {
    // GIVEN a signed-in member
    let app = spawn_app().await;
    let (_ada, engines) = tenant_admin(&app, "ada@engines.example").await;
    let charles = user_in_store(&app, "Charles Babbage", "charles@engines.example", Role::TenantMember, Some(&engines)).await;
    let mut member = sign_in(&app, "charles@engines.example", PASSWORD).await;
    assert_eq!(member.get(&app, "/api/v1/me").await.status, 200);
    let admin = Admin::sign_in(&app).await;
    let path = format!("/dashboard/users/{charles}");

    // WHEN the admin opens the user's page
    let page = admin.get(&app, &path).await;
    // THEN it shows the details and offers the confirm step, not a one-click disable
    assert_html(&page, 200);
    for fact in ["Charles Babbage", "charles@engines.example", "Organization member", "Analytical Engines", "Active"] {
        assert!(page.text.contains(fact), "{fact}: {}", page.text);
    }
    assert!(page.text.contains(&format!(r#"href="{path}?confirm=disable#confirm""#)));
    assert!(!page.text.contains(r#"value="disable""#), "no disable button before the confirm step");

    // WHEN a disable is posted without the confirm step, it only leads to it
    let skipped = admin.post(&app, &path, &[("action", "disable")]).await;
    assert_eq!((skipped.status, location(&skipped)), (303, format!("{path}?confirm=disable#confirm").as_str()));
    assert_eq!(member.get(&app, "/api/v1/me").await.status, 200, "nothing happened yet");
    let confirm = admin.get(&app, &format!("{path}?confirm=disable")).await;
    assert!(confirm.text.contains("Disable Charles Babbage (charles@engines.example)?"), "{}", confirm.text);
    assert!(confirm.text.contains(r#"name="confirmed" value="yes""#));

    // WHEN the admin confirms
    let disabled = admin.post(&app, &path, &[("action", "disable"), ("confirmed", "yes")]).await;
    // THEN back to the page with a notice, the member's session is refused at once and sign-in too
    assert_eq!((disabled.status, location(&disabled)), (303, format!("{path}?notice=disabled").as_str()), "{}", disabled.text);
    let after = admin.get(&app, location(&disabled)).await;
    assert!(after.text.contains("User disabled.") && after.text.contains("Disabled: cannot sign in"), "{}", after.text);
    let refused = member.get(&app, "/api/v1/me").await;
    assert_eq!((refused.status, refused.error().1.as_str()), (401, "session_revoked"));
    let login = Session::new().post(&app, "/api/v1/auth/login", &json!({"email": "charles@engines.example", "password": PASSWORD})).await;
    assert_eq!(login.status, 403, "{}", login.text);
    // AND the list shows the status, and the admin cannot disable themselves
    assert!(admin.get(&app, "/dashboard/users?status=disabled").await.text.contains("charles@engines.example"));
    let me = admin.session.clone().get(&app, "/api/v1/me").await.json();
    let own = admin.post(&app, &format!("/dashboard/users/{}", me["id"].as_str().unwrap()), &[("action", "disable"), ("confirmed", "yes")]).await;
    assert_html(&own, 409);
    assert!(own.text.contains("You cannot disable your own account"));

    // WHEN the admin enables the member again, through the same step
    let confirm = admin.get(&app, &format!("{path}?confirm=enable")).await;
    assert!(confirm.text.contains("Enable Charles Babbage"));
    let enabled = admin.post(&app, &path, &[("action", "enable"), ("confirmed", "yes")]).await;
    assert_eq!(location(&enabled), format!("{path}?notice=enabled"));
    // THEN they can sign in again
    sign_in(&app, "charles@engines.example", PASSWORD).await;
}

#[tokio::test]
async fn editing_from_the_page_keeps_to_the_version_read_and_a_role_change_ends_sessions() {
    let app = spawn_app().await;
    let (_ada, engines) = tenant_admin(&app, "ada@engines.example").await;
    let charles = user_in_store(&app, "Charles Babbage", "charles@engines.example", Role::TenantMember, Some(&engines)).await;
    let mut member = sign_in(&app, "charles@engines.example", PASSWORD).await;
    let admin = Admin::sign_in(&app).await;
    let path = format!("/dashboard/users/{charles}");

    // The form carries the version read, and offers only the roles that fit a tenant's user
    let page = admin.get(&app, &path).await;
    assert!(page.text.contains(r#"name="version" value="1""#), "{}", page.text);
    assert!(page.text.contains(r#"value="tenant_admin""#) && !page.text.contains(r#"<option value="partner""#));

    // Renaming: back with a notice, the member still signed in
    let renamed = admin.post(&app, &path, &[("action", "edit"), ("version", "1"), ("name", "Charles B."), ("role", "tenant_member")]).await;
    assert_eq!((renamed.status, location(&renamed)), (303, format!("{path}?notice=updated").as_str()), "{}", renamed.text);
    assert_eq!(member.get(&app, "/api/v1/me").await.json()["name"], "Charles B.");

    // A second form still holding version 1 is stale: nothing saved, the current values shown
    let stale = admin.post(&app, &path, &[("action", "edit"), ("version", "1"), ("name", "Stale Name"), ("role", "tenant_admin")]).await;
    assert_html(&stale, 412);
    assert!(stale.text.contains("Someone changed this user after you opened the page"), "{}", stale.text);
    assert!(stale.text.contains(r#"name="version" value="2""#) && stale.text.contains(r#"value="Charles B.""#));
    assert!(stale.text.contains("Stale Name"), "what the stale form tried is shown");
    assert_eq!(member.get(&app, "/api/v1/me").await.json()["role"], "tenant_member");

    // An empty name is refused at its field
    let empty = admin.post(&app, &path, &[("action", "edit"), ("version", "2"), ("name", "  "), ("role", "tenant_member")]).await;
    assert_html(&empty, 422);
    assert!(empty.text.contains("Name must not be empty."), "{}", empty.text);

    // A role change: the member's session ends at once
    let promoted = admin.post(&app, &path, &[("action", "edit"), ("version", "2"), ("name", "Charles B."), ("role", "tenant_admin")]).await;
    assert_eq!(location(&promoted), format!("{path}?notice=role_changed"), "{}", promoted.text);
    assert_eq!(member.get(&app, "/api/v1/me").await.status, 401);
    let fresh = sign_in(&app, "charles@engines.example", PASSWORD).await.get(&app, "/api/v1/me").await.json();
    assert_eq!(fresh["role"], "tenant_admin");
}

#[tokio::test]
async fn a_users_activity_is_filtered_by_action_and_date() {
    // GIVEN an admin who signed in and disabled someone on day 0, then on day 2 signed in
    // again and invited someone
    let app = spawn_app().await;
    let charles = user_in_store(&app, "Charles Babbage", "charles@example.com", Role::Partner, None).await;
    let admin = Admin::sign_in(&app).await;
    let admin_id = admin.session.clone().get(&app, "/api/v1/me").await.json()["id"].as_str().unwrap().to_string();
    let disabled = admin.post(&app, &format!("/dashboard/users/{charles}"), &[("action", "disable"), ("confirmed", "yes")]).await;
    assert_eq!(disabled.status, 303, "{}", disabled.text);
    let day0 = app.platform.state.clock.now().to_string()[..10].to_string();
    let reply = app.post_json("/dev/clock", &json!({"advance_seconds": 2 * 86_400})).await;
    let day2 = reply.json()["now"].as_str().unwrap()[..10].to_string();
    let admin = Admin::sign_in(&app).await;
    let invited = admin.post(&app, "/dashboard/users", &[("email", "grace@example.com"), ("name", "Grace"), ("role", "partner")]).await;
    assert_eq!(invited.status, 303, "{}", invited.text);
    let path = format!("/dashboard/users/{admin_id}");

    // WHEN the admin's page is opened unfiltered
    let all = admin.get(&app, &path).await;
    // THEN the activity lists the four events, newest first, linking to their targets
    assert_html(&all, 200);
    assert_eq!(rows(&all.text), 4, "{}", all.text);
    let order: Vec<usize> = ["user.invited", "user.disabled"].iter().map(|a| all.text.find(&format!("<code>{a}</code>")).unwrap()).collect();
    assert!(order[0] < order[1], "newest first");
    assert!(all.text.contains(&format!(r#"href="/dashboard/users/{charles}""#)));
    assert!(all.text.contains("status: active → disabled"), "details read as before → after");

    // AND each filter narrows it
    let logins = admin.get(&app, &format!("{path}?action=session.login")).await;
    assert_eq!(rows(&logins.text), 2);
    assert!(logins.text.contains(r#"value="session.login""#), "the filter is shown back");
    let logins_day2 = admin.get(&app, &format!("{path}?action=session.login&from={day2}")).await;
    assert_eq!(rows(&logins_day2.text), 1);
    let until_day0 = admin.get(&app, &format!("{path}?to={day0}")).await;
    assert!(until_day0.text.contains("<code>user.disabled</code>") && !until_day0.text.contains("<code>user.invited</code>"), "{}", until_day0.text);
    let from_day2 = admin.get(&app, &format!("{path}?from={day2}&to={day2}")).await;
    assert!(from_day2.text.contains("<code>user.invited</code>") && !from_day2.text.contains("<code>user.disabled</code>"));
    let none = admin.get(&app, &format!("{path}?action=user.enabled")).await;
    assert!(none.text.contains("No activity matches these filters."));
    // AND it pages, one at a time, forward and back, keeping the filter
    let first_path = format!("{path}?action=session.login&limit=1");
    let first = admin.get(&app, &first_path).await;
    assert_eq!(rows(&first.text), 1);
    assert!(rel_link(&first.text, "prev").is_none());
    let second = admin.get(&app, &rel_link(&first.text, "next").expect("a next page")).await;
    assert_eq!(rows(&second.text), 1);
    assert!(rel_link(&second.text, "next").is_none(), "two logins in all");
    assert_eq!(rel_link(&second.text, "prev"), Some(first_path));
    // AND a bad date or a reversed range answers 400 with the page still there
    let reversed = admin.get(&app, &format!("{path}?from={day2}&to={day0}")).await;
    assert_html(&reversed, 400);
    assert!(reversed.text.contains("must not be after") && reversed.text.contains("Edit"), "{}", reversed.text);
    assert_html(&admin.get(&app, &format!("{path}?from=yesterday")).await, 400);
    // AND an unknown user is a 404 page
    assert_html(&admin.get(&app, "/dashboard/users/usr_01jd00000000000000000000zz").await, 404);
    assert_html(&admin.get(&app, "/dashboard/users/nobody").await, 404);
}
