//! The platform admin's tenant lifecycle over HTTP: create → the provisioning job → `active`
//! and the admin invitation in the mailbox → accepted → suspend blocks the tenant's writes
//! (403 `tenant_suspended`) and allows its reads → reactivate → delete (sign-in refused) →
//! restore → delete → past retention the purge job removes the tenant (404) and keeps its
//! audit trail. Plus bad input, list filters and pages, and concurrency on PATCH.
use journeys::session::Session;
use journeys::{Reply, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use store::ports::item_store::Query;
use store::ports::queue::QueueName;

const ADMIN_EMAIL: &str = "admin@dotmac.local";
const ADMIN_PASSWORD: &str = "admin-password-for-tests";
const PASSWORD: &str = "correct horse battery staple";
const TENANTS: &str = "/api/v1/admin/tenants";

/// A caller with an access token, speaking JSON with `Authorization: Bearer`.
struct Api<'a> {
    app: &'a TestApp,
    token: String,
}

impl<'a> Api<'a> {
    async fn login(app: &'a TestApp, email: &str, password: &str) -> Api<'a> {
        let reply = login(app, email, password).await;
        assert_eq!(reply.0.status, 200, "{email} signs in: {}", reply.0.text);
        Api { app, token: reply.1.cookie("dm_access").unwrap().to_string() }
    }

    async fn admin(app: &'a TestApp) -> Api<'a> {
        Api::login(app, ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    async fn send(&self, method: Method, path: &str, body: Option<&Value>, if_match: Option<&str>) -> Reply {
        let mut request = self.app.client.request(method, self.app.url(path)).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(tag) = if_match {
            request = request.header("if-match", tag);
        }
        self.app.send(request).await
    }

    async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None, None).await
    }

    async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(Method::POST, path, Some(body), None).await
    }

    async fn patch(&self, path: &str, body: &Value, if_match: Option<&str>) -> Reply {
        self.send(Method::PATCH, path, Some(body), if_match).await
    }

    async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None, None).await
    }
}

async fn login(app: &TestApp, email: &str, password: &str) -> (Reply, Session) {
    let mut s = Session::new();
    let reply = s.post(app, "/api/v1/auth/login", &json!({"email": email, "password": password})).await;
    (reply, s)
}

async fn free_plan(app: &TestApp) -> String {
    let state = &app.platform.state;
    store::repo::plans::free(state.store.as_ref(), state.clock.now()).await.unwrap().id.to_string()
}

fn new_tenant(name: &str, slug: &str, plan_id: &str, admin_email: &str) -> Value {
    json!({"name": name, "slug": slug, "plan_id": plan_id, "admin_email": admin_email})
}

async fn create(admin: &Api<'_>, body: &Value) -> Value {
    let reply = admin.post(TENANTS, body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json()
}

fn expect(reply: &Reply, status: u16, code: &str) {
    assert_eq!(reply.status, status, "{}", reply.text);
    assert_eq!(reply.error().1, code, "{}", reply.text);
}

/// The actions of a tenant's audit trail, read from its partition in the store.
async fn trail(app: &TestApp, tenant: &str) -> Vec<String> {
    let id = domain::ids::TenantId::parse(tenant).unwrap();
    let pk = store::repo::keys::audit_pk(Some(&id));
    let page = app.platform.state.store.query(Query::table(pk).limit(1000)).await.unwrap();
    page.items.iter().filter_map(|i| i.get_str("action").map(str::to_string)).collect()
}

#[tokio::test]
async fn a_tenant_lives_from_creation_through_suspension_and_deletion_to_its_purge() {
    let app = spawn_app().await;
    let admin = Api::admin(&app).await;
    let plan = free_plan(&app).await;

    // GIVEN a tenant the admin creates: it waits in `provisioning`
    let body = json!({"name": "Northwind Traders", "slug": "northwind", "plan_id": plan,
        "admin_email": "it@northwind.example", "settings": {"security": {"session_timeout_minutes": 60}}});
    let created = admin.post(TENANTS, &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let tenant = created.json();
    let id = tenant["id"].as_str().unwrap().to_string();
    let path = format!("{TENANTS}/{id}");
    assert_eq!(tenant["status"], "provisioning");
    assert_eq!(created.headers["location"], path.as_str());
    let before = admin.get(&path).await.json();
    assert_eq!((before["provisioning"]["steps_done"].clone(), before["provisioning"]["steps_total"].clone()), (json!(0), json!(4)));

    // WHEN the jobs run (the queue drains)
    assert_eq!(app.post_json("/dev/jobs/run", &json!({})).await.status, 200);

    // THEN it is active: subscription on its plan, defaults where none were given, progress done
    let active = admin.get(&path).await.json();
    assert_eq!(active["status"], "active", "{active}");
    assert_eq!(active["provisioning"]["steps_done"], 4, "{active}");
    assert_eq!(active["subscription"]["plan_id"], plan.as_str());
    assert_eq!(active["subscription"]["status"], "active");
    assert!(active["subscription"]["id"].as_str().unwrap().starts_with("sub_"));
    assert_eq!(active["settings"]["security"]["session_timeout_minutes"], 60, "given settings are kept");
    assert_eq!(active["settings"]["security"]["password_min_length"], 12, "defaults fill the rest");
    assert_eq!(active["settings"]["organization"]["name"], "Northwind Traders");
    assert_eq!((active["credit_balance"].clone(), active["currency"].clone()), (json!(0), json!("usd")));

    // AND the admin invitation is in the mailbox; accepting it makes the tenant's admin
    let mail = app.last_email_to("it@northwind.example").await;
    assert!(mail["links"][0].as_str().unwrap().starts_with("http://127.0.0.1:8080/auth/accept-invitation?token="), "{mail}");
    let token = app.token_from_email("it@northwind.example").await;
    let accepted = app.post_json("/api/v1/invitations/accept", &json!({"token": token, "name": "Ivy", "password": PASSWORD})).await;
    assert!(accepted.status == 200 || accepted.status == 201, "{}", accepted.text);
    let owner = Api::login(&app, "it@northwind.example", PASSWORD).await;
    let me = owner.get("/api/v1/me").await.json();
    assert_eq!((me["role"].as_str(), me["tenant_id"].as_str()), (Some("tenant_admin"), Some(id.as_str())));

    // WHEN the tenant is suspended
    let suspended = admin.post(&format!("{path}/suspend"), &json!({"reason": "unpaid invoices"})).await;
    assert_eq!(suspended.status, 200, "{}", suspended.text);
    assert_eq!((suspended.json()["status"].as_str(), suspended.json()["suspended_reason"].as_str()), (Some("suspended"), Some("unpaid invoices")));
    expect(&admin.post(&format!("{path}/suspend"), &json!({"reason": "again"})).await, 409, "invalid_state");

    // THEN its users sign in and read, and every write answers 403 tenant_suspended
    let owner = Api::login(&app, "it@northwind.example", PASSWORD).await;
    assert_eq!(owner.get("/api/v1/me").await.status, 200);
    let members = owner.get("/api/v1/tenant/members").await;
    assert_eq!(members.status, 200, "{}", members.text);
    let invite = json!({"email": "new@northwind.example", "role": "tenant_member"});
    expect(&owner.post("/api/v1/tenant/invitations", &invite).await, 403, "tenant_suspended");
    expect(&owner.delete(&format!("/api/v1/tenant/members/{}", me["id"].as_str().unwrap())).await, 403, "tenant_suspended");

    // WHEN it is reactivated, writes work again
    let reactivated = admin.post(&format!("{path}/reactivate"), &json!({})).await;
    assert_eq!(reactivated.json()["status"], "active", "{}", reactivated.text);
    let invited = owner.post("/api/v1/tenant/invitations", &invite).await;
    assert!(invited.status < 300, "{}", invited.text);

    // AND its usage shows the seats taken
    let usage = admin.get(&format!("{path}/usage")).await.json();
    assert_eq!(usage["members"], 1, "{usage}");
    assert_eq!(usage["pending_invitations"], 1, "{usage}");
    assert_eq!(usage["seats"], json!({"used": 1, "pending_invitations": 1, "limit": 3, "available": 1}));
    assert_eq!(usage["api_calls"]["used"], Value::Null, "not metered yet, and it says so");

    // WHEN it is deleted, its users can no longer sign in and their sessions end
    let deleted = admin.delete(&path).await;
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    let deleted = deleted.json();
    assert_eq!(deleted["status"], "deleted");
    let deleted_at = domain::time::Timestamp::parse(deleted["deleted_at"].as_str().unwrap()).unwrap();
    assert_eq!(deleted["purge_after"], json!(deleted_at.plus_seconds(30 * 86_400)), "30 days of retention by default");
    expect(&owner.get("/api/v1/me").await, 401, "tenant_deleted");
    expect(&login(&app, "it@northwind.example", PASSWORD).await.0, 403, "tenant_deleted");
    let listed = admin.get(&format!("{TENANTS}?status=deleted")).await.json();
    assert_eq!(listed["data"][0]["id"], id.as_str());

    // AND restored, they can again
    let restored = admin.post(&format!("{path}/restore"), &json!({})).await;
    assert_eq!(restored.json()["status"], "active", "{}", restored.text);
    assert_eq!(restored.json()["purge_after"], Value::Null);
    Api::login(&app, "it@northwind.example", PASSWORD).await;

    // WHEN it is deleted again and the clock passes its retention
    assert_eq!(admin.delete(&path).await.status, 200);
    let kept_before = trail(&app, &id).await;
    assert_eq!(app.post_json("/dev/clock", &json!({"advance_seconds": 31 * 86_400})).await.status, 200);
    let ran = app.post_json("/dev/jobs/run", &json!({})).await.json();
    assert!(ran["ran"].as_array().unwrap().contains(&json!("tenant-purge")), "{ran}");

    // THEN the tenant is gone (404), its users too, its slug is free again ...
    let admin = Api::admin(&app).await;
    expect(&admin.get(&path).await, 404, "not_found");
    expect(&admin.get(&format!("{path}/usage")).await, 404, "not_found");
    expect(&admin.post(&format!("{path}/restore"), &json!({})).await, 404, "not_found");
    expect(&login(&app, "it@northwind.example", PASSWORD).await.0, 401, "invalid_credentials");
    create(&admin, &new_tenant("Northwind Again", "northwind", &free_plan(&app).await, "it@northwind.example")).await;

    // ... and its audit trail is kept, with the purge at its end
    let kept = trail(&app, &id).await;
    assert!(kept.len() > kept_before.len(), "{kept:?}");
    assert_eq!(&kept[..kept_before.len()], &kept_before[..], "nothing of the trail was removed");
    for action in ["tenant.created", "tenant.provisioned", "tenant.suspended", "tenant.reactivated", "tenant.deleted", "tenant.restored", "tenant.purged"] {
        assert!(kept.iter().any(|a| a == action), "{action} missing from {kept:?}");
    }
}

#[tokio::test]
async fn bad_input_answers_in_the_contract_shape_and_writes_nothing() {
    let app = spawn_app().await;
    let admin = Api::admin(&app).await;
    let plan = free_plan(&app).await;
    let good = new_tenant("Acme", "acme", &plan, "boss@acme.example");
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };
    let cases: Vec<(Value, u16, &str, Option<&str>, &str)> = vec![
        (with("slug", json!("Acme Co")), 422, "invalid_field", Some("slug"), "spaces and capitals in a slug"),
        (with("slug", json!("-acme")), 422, "invalid_field", Some("slug"), "a slug starting with a dash"),
        (with("slug", json!("ac--me")), 422, "invalid_field", Some("slug"), "two dashes in a row"),
        (with("slug", json!("a".repeat(49))), 422, "invalid_field", Some("slug"), "a slug over 48"),
        (with("name", json!("  ")), 422, "invalid_field", Some("name"), "an empty name"),
        (with("name", json!("Ac\u{7}me")), 422, "invalid_field", Some("name"), "a control character"),
        (with("plan_id", json!("plan_01jd0000000000000000000000")), 422, "invalid_field", Some("plan_id"), "a plan that does not exist"),
        (with("plan_id", json!("gold")), 422, "invalid_field", Some("plan_id"), "not a plan id"),
        (with("admin_email", json!("not-an-email")), 422, "invalid_field", Some("admin_email"), "a bad email"),
        (with("settings", json!({"security": {"password_min_length": 3}})), 422, "invalid_field",
            Some("settings.security.password_min_length"), "a setting out of its domain"),
        (with("settings", json!({"security": {"root": true}})), 400, "invalid_field", Some("settings.security.root"), "an unknown setting"),
        (with("status", json!("active")), 400, "invalid_field", Some("status"), "a field the client may not set"),
        (with("slug", json!(42)), 400, "invalid_field", Some("slug"), "a wrong type"),
        (json!({"name": "Acme"}), 400, "invalid_field", Some("slug"), "a missing field"),
    ];
    for (body, status, code, field, what) in cases {
        let reply = admin.post(TENANTS, &body).await;
        assert_eq!(reply.status, status, "{what}: {}", reply.text);
        assert_eq!(reply.error().1, code, "{what}");
        assert_eq!(reply.json()["error"]["field"].as_str(), field, "{what}: {}", reply.text);
    }
    let malformed = app.send(app.client.post(app.url(TENANTS)).bearer_auth(&admin.token).header("content-type", "application/json").body("{")).await;
    expect(&malformed, 400, "malformed_json");
    let text = app.send(app.client.post(app.url(TENANTS)).bearer_auth(&admin.token).header("content-type", "text/plain").body(good.to_string())).await;
    expect(&text, 415, "unsupported_media_type");

    // Nothing was written: no tenant, no slug claim, nothing queued
    assert_eq!(admin.get(TENANTS).await.json()["data"], json!([]));
    assert_eq!(app.platform.queue.depth(QueueName::Provisioning).await.unwrap(), 0);

    // AND a taken slug is a conflict, also with nothing written
    create(&admin, &good).await;
    let again = admin.post(TENANTS, &new_tenant("Other", "acme", &plan, "other@example.com")).await;
    expect(&again, 409, "slug_taken");
    assert_eq!(again.json()["error"]["field"], "slug");
    assert_eq!(admin.get(TENANTS).await.json()["data"].as_array().unwrap().len(), 1);

    // AND only platform admins reach these routes
    let owner = app.signed_up("owner@example.com", PASSWORD).await;
    let reply = app.send(app.client.get(app.url(TENANTS)).bearer_auth(owner.cookie("dm_access").unwrap())).await;
    expect(&reply, 403, "insufficient_role");
}

#[tokio::test]
async fn tenants_list_in_pages_filtered_by_status_and_text() {
    let app = spawn_app().await;
    let admin = Api::admin(&app).await;
    let plan = free_plan(&app).await;
    let mut ids = Vec::new();
    for (name, slug) in [("Alpha Widgets", "alpha"), ("Beta Gadgets", "beta"), ("Gamma Widgets", "gamma")] {
        ids.push(create(&admin, &new_tenant(name, slug, &plan, &format!("it@{slug}.example"))).await["id"].as_str().unwrap().to_string());
    }
    app.post_json("/dev/jobs/run", &json!({})).await;
    admin.post(&format!("{TENANTS}/{}/suspend", ids[1]), &json!({"reason": "testing"})).await;

    // Pages of two, newest first, no repeats
    let first = admin.get(&format!("{TENANTS}?limit=2")).await.json();
    assert_eq!(first["has_more"], true);
    let names: Vec<&str> = first["data"].as_array().unwrap().iter().map(|t| t["slug"].as_str().unwrap()).collect();
    assert_eq!(names, ["gamma", "beta"]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = admin.get(&format!("{TENANTS}?limit=2&cursor={cursor}")).await.json();
    assert_eq!(second["data"][0]["slug"], "alpha");
    assert_eq!((second["has_more"].clone(), second["next_cursor"].clone()), (json!(false), Value::Null));

    // Filters
    let suspended = admin.get(&format!("{TENANTS}?status=suspended")).await.json();
    assert_eq!(suspended["data"].as_array().unwrap().len(), 1);
    assert_eq!(suspended["data"][0]["slug"], "beta");
    let active = admin.get(&format!("{TENANTS}?status=active")).await.json();
    assert_eq!(active["data"].as_array().unwrap().len(), 2);
    let widgets = admin.get(&format!("{TENANTS}?q=WIDGET")).await.json();
    let slugs: Vec<&str> = widgets["data"].as_array().unwrap().iter().map(|t| t["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["gamma", "alpha"]);
    let paged = admin.get(&format!("{TENANTS}?q=widget&limit=1")).await.json();
    assert_eq!((paged["data"][0]["slug"].as_str(), paged["has_more"].as_bool()), (Some("gamma"), Some(true)));
    let rest = admin.get(&format!("{TENANTS}?q=widget&limit=1&cursor={}", paged["next_cursor"].as_str().unwrap())).await.json();
    assert_eq!(rest["data"][0]["slug"], "alpha");
    let by_slug = admin.get(&format!("{TENANTS}?q=gam&status=active")).await.json();
    assert_eq!(by_slug["data"].as_array().unwrap().len(), 1);

    // A cursor of one filter is refused by another; bad parameters answer 400
    let cursor = admin.get(&format!("{TENANTS}?limit=1")).await.json()["next_cursor"].as_str().unwrap().to_string();
    for query in [format!("status=active&cursor={cursor}"), "limit=0".into(), "limit=101".into(), "status=sleeping".into(), "cursor=forged".into()] {
        let reply = admin.get(&format!("{TENANTS}?{query}")).await;
        assert_eq!(reply.status, 400, "{query}: {}", reply.text);
        assert_eq!(reply.error().0, "invalid_request", "{query}");
    }
}

#[tokio::test]
async fn a_patch_names_the_version_it_changes_and_a_stale_one_is_refused() {
    let app = spawn_app().await;
    let admin = Api::admin(&app).await;
    let tenant = create(&admin, &new_tenant("Acme", "acme", &free_plan(&app).await, "boss@acme.example")).await;
    app.post_json("/dev/jobs/run", &json!({})).await;
    let path = format!("{TENANTS}/{}", tenant["id"].as_str().unwrap());

    // GIVEN the current ETag
    let current = admin.get(&path).await;
    let etag = current.headers["etag"].to_str().unwrap().to_string();
    assert_eq!(etag, format!("\"{}\"", current.json()["version"]));

    // WHEN a change names it, it applies and the ETag moves on
    let changed = admin.patch(&path, &json!({"name": "Acme Corp", "retention_days": 90, "settings": {"notifications": {"product_updates": true}}}), Some(&etag)).await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    let body = changed.json();
    assert_eq!((body["name"].as_str(), body["retention_days"].as_i64()), (Some("Acme Corp"), Some(90)));
    assert_eq!(body["settings"]["notifications"]["product_updates"], true);
    assert_eq!(body["settings"]["notifications"]["billing_emails"], true, "other settings stay");
    assert_ne!(changed.headers["etag"].to_str().unwrap(), etag);

    // THEN the old ETag (or version) is stale: 412, nothing changed
    expect(&admin.patch(&path, &json!({"name": "Lost Update"}), Some(&etag)).await, 412, "precondition_failed");
    let stale_version = current.json()["version"].clone();
    expect(&admin.patch(&path, &json!({"name": "Lost Update", "version": stale_version}), None).await, 412, "precondition_failed");
    assert_eq!(admin.get(&path).await.json()["name"], "Acme Corp");

    // AND bad values are refused by field
    let reply = admin.patch(&path, &json!({"retention_days": 0}), None).await;
    expect(&reply, 422, "invalid_field");
    assert_eq!(reply.json()["error"]["field"], "retention_days");
    expect(&admin.patch(&path, &json!({"slug": "other"}), None).await, 400, "invalid_field");

    // AND the retention chosen is the one a deletion uses
    let deleted = admin.delete(&path).await.json();
    let deleted_at = domain::time::Timestamp::parse(deleted["deleted_at"].as_str().unwrap()).unwrap();
    assert_eq!(deleted["purge_after"], json!(deleted_at.plus_seconds(90 * 86_400)));
    expect(&admin.patch(&path, &json!({"name": "Ghost"}), None).await, 409, "invalid_state");
}

#[tokio::test]
async fn transitions_the_state_machine_does_not_have_answer_409_invalid_state() {
    let app = spawn_app().await;
    let admin = Api::admin(&app).await;
    let tenant = create(&admin, &new_tenant("Acme", "acme", &free_plan(&app).await, "boss@acme.example")).await;
    let path = format!("{TENANTS}/{}", tenant["id"].as_str().unwrap());

    // A tenant still provisioning cannot be suspended
    expect(&admin.post(&format!("{path}/suspend"), &json!({"reason": "early"})).await, 409, "invalid_state");
    app.post_json("/dev/jobs/run", &json!({})).await;
    expect(&admin.post(&format!("{path}/reactivate"), &json!({})).await, 409, "invalid_state");
    expect(&admin.post(&format!("{path}/restore"), &json!({})).await, 409, "invalid_state");
    expect(&admin.post(&format!("{path}/suspend"), &json!({"reason": ""})).await, 422, "invalid_field");
    assert_eq!(admin.delete(&path).await.status, 200);
    expect(&admin.delete(&path).await, 409, "invalid_state");

    // Past its retention, a tenant the purge has not reached yet cannot be restored either
    app.post_json("/dev/clock", &json!({"advance_seconds": 30 * 86_400})).await;
    let admin = Api::admin(&app).await;
    expect(&admin.post(&format!("{path}/restore"), &json!({})).await, 409, "invalid_state");

    // And an unknown tenant is 404 on every route
    let ghost = format!("{TENANTS}/ten_01jd0000000000000000000000");
    for reply in [admin.get(&ghost).await, admin.post(&format!("{ghost}/suspend"), &json!({"reason": "x"})).await, admin.delete(&ghost).await] {
        expect(&reply, 404, "not_found");
    }
}

#[tokio::test]
async fn a_create_retried_with_its_idempotency_key_creates_one_tenant() {
    let app = spawn_app().await;
    let admin = Api::admin(&app).await;
    let body = new_tenant("Acme", "acme", &free_plan(&app).await, "boss@acme.example");
    let post = |body: Value| {
        app.send(app.client.post(app.url(TENANTS)).bearer_auth(&admin.token).header("idempotency-key", "create-acme").json(&body))
    };
    // GIVEN a create that answered 201
    let first = post(body.clone()).await;
    assert_eq!(first.status, 201, "{}", first.text);
    // WHEN the client retries it with the same key and body
    let retry = post(body.clone()).await;
    // THEN it gets the same answer, not a 409 for its own slug, and one tenant and message exist
    assert_eq!((retry.status, retry.json()["id"].clone()), (201, first.json()["id"].clone()), "{}", retry.text);
    assert_eq!(admin.get(TENANTS).await.json()["data"].as_array().unwrap().len(), 1);
    assert_eq!(app.platform.queue.depth(QueueName::Provisioning).await.unwrap(), 1);
    // AND the same key with another body is refused
    let mut other = body;
    other["name"] = json!("Acme Two");
    expect(&post(other).await, 409, "idempotency_key_reused");
}
