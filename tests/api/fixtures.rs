//! Every `events/` fixture goes through its function's Lambda entry point — the router that
//! `lambda_http::run` serves, or the worker's handler — not through the local server.
use std::path::{Path, PathBuf};

use http_body_util::BodyExt;
use lambda_runtime::{Context, LambdaEvent};
use tower::ServiceExt;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixtures(function: &str) -> Vec<(String, String)> {
    let dir = repo().join("events").join(function);
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| (p.display().to_string(), std::fs::read_to_string(&p).expect("fixture reads")))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "events/{function}/ has no fixture");
    files
}

/// The functions whose fixtures this file drives with assertions of their own; a new
/// function must be added here (and to `dotmac_local::MODULES`).
const DRIVEN: &[&str] = &["admin-tenants", "admin-users", "auth", "health", "provisioning-worker", "scheduler", "tenant-team"];

#[test]
fn every_function_is_a_module_and_has_its_fixtures_driven_here() {
    let mut functions: Vec<String> = std::fs::read_dir(repo().join("functions"))
        .expect("functions/")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    functions.sort();
    let mut modules: Vec<&str> = dotmac_local::MODULES.iter().map(|m| m.name).collect();
    modules.sort();
    assert_eq!(functions, modules, "every crate under functions/ is one line of dotmac_local::MODULES");
    assert_eq!(functions, DRIVEN, "add a driver for each new function below");
}

/// Every HTTP fixture of every module reaches a route of that module's Lambda router (the
/// module's routes, finished as `router` finishes them): never the 404 or 405 of a path or
/// method the function does not serve.
#[tokio::test]
async fn every_http_fixture_reaches_a_route_of_its_modules_router() {
    for module in dotmac_local::MODULES.iter().filter(|m| m.routes.is_some()) {
        for (name, fixture) in fixtures(module.name) {
            let (app, _clock) = web::testing::state();
            let deps = web::module::Deps { app: app.clone(), auth_secret: b"fixture secret".to_vec().into() };
            let Some(routes) = module.routes else { continue };
            let router = web::finish(routes(&deps), &app);
            let (status, body) = call_http(router, &fixture).await;
            let unrouted = matches!(body["error"]["code"].as_str(), Some("not_found" | "method_not_allowed")) && body["error"]["message"].as_str().is_some_and(|m| m.contains("route"));
            assert!(!unrouted && status != 405, "{name}: the `{}` router does not serve it ({status}: {body})", module.name);
        }
    }
}

async fn call_http(router: axum::Router, fixture: &str) -> (u16, serde_json::Value) {
    let request = lambda_http::request::from_str(fixture).expect("an API Gateway event");
    let request = request.map(axum::body::Body::new);
    let response = router.oneshot(request).await.expect("the router answers");
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn health_fixtures_answer_through_the_lambda_router() {
    for (name, fixture) in fixtures("health") {
        let (state, _clock) = web::testing::state();
        let (status, body) = call_http(health::router(state), &fixture).await;
        assert_eq!(status, 200, "{name}: {body}");
        if name.ends_with("healthz.json") {
            assert_eq!(body, serde_json::json!({"status": "ok"}), "{name}");
        } else {
            assert!(body["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{name}: {body}");
        }
    }
}

#[tokio::test]
async fn scheduler_fixtures_run_their_job_through_the_lambda_handler() {
    for (name, fixture) in fixtures("scheduler") {
        let (state, _clock) = web::testing::state();
        let payload: serde_json::Value = serde_json::from_str(&fixture).expect("JSON");
        let job = scheduler::job_name(&payload).unwrap_or_else(|e| panic!("{name}: {e}")).to_string();
        let report = scheduler::handle(&state, LambdaEvent::new(payload, Context::default()))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(report["job"], job, "{name}");
    }
}

#[tokio::test]
async fn the_scheduler_refuses_an_unknown_job() {
    let (state, _clock) = web::testing::state();
    let event = LambdaEvent::new(serde_json::json!({"job": "make-coffee"}), Context::default());
    assert!(matches!(scheduler::handle(&state, event).await, Err(scheduler::JobError::Unknown(_))));
}

/// What each auth fixture must answer: the status, and the error code where it fails.
fn expected_auth(name: &str) -> (u16, Option<&'static str>) {
    match name.rsplit('/').next().unwrap_or(name) {
        "signup.json" => (201, None),
        "login-unknown-account.json" => (401, Some("invalid_credentials")),
        "me-without-credentials.json" => (401, Some("authentication_required")),
        other => panic!("events/auth/{other}: say what it must answer in `expected_auth`"),
    }
}

#[tokio::test]
async fn auth_fixtures_answer_through_the_lambda_router() {
    for (name, fixture) in fixtures("auth") {
        let (state, _clock) = web::testing::state();
        let auth = auth::AuthState::new(state, b"fixture secret").await.expect("signer");
        let (status, body) = call_http(auth::router(auth), &fixture).await;
        let (want, code) = expected_auth(&name);
        assert_eq!(status, want, "{name}: {body}");
        if let Some(code) = code {
            assert_eq!(body["error"]["code"], code, "{name}");
        }
    }
}

/// A page through a Lambda router: status, `Location`, and the HTML.
async fn call_page(router: axum::Router, fixture: &str) -> (u16, String, String) {
    let request = lambda_http::request::from_str(fixture).expect("an API Gateway event");
    let response = router.oneshot(request.map(axum::body::Body::new)).await.expect("the router answers");
    let status = response.status().as_u16();
    let location = response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    (status, location, String::from_utf8_lossy(&bytes).into_owned())
}

/// What each admin-users fixture must answer: the status, and the error code where it fails.
fn expected_admin_users(name: &str) -> (u16, Option<&'static str>) {
    match name.rsplit('/').next().unwrap_or(name) {
        "list-users-without-credentials.json" => (401, Some("authentication_required")),
        "invite-user-with-a-forged-token.json" => (401, Some("invalid_token")),
        "list-users-as-platform-admin.json" => (200, None),
        // The /dashboard/users page: HTML for a signed-in admin, to sign in for a stranger.
        "dashboard-users-page-as-admin.json" => (200, None),
        "dashboard-users-page-without-credentials.json" => (303, None),
        "tenant-audit-events-without-credentials.json" => (401, Some("authentication_required")),
        other => panic!("events/admin-users/{other}: say what it must answer in `expected_admin_users`"),
    }
}

/// A platform admin with a live session in `state`'s store, and an access token for it
/// signed as the auth function signs (a fixture cannot hold a token: it expires).
async fn admin_access_token(state: &web::AppState) -> String {
    use domain::ids::{SessionId, UserId};
    use domain::user::{Role, User, UserStatus};
    let auth = auth::AuthState::new(state.clone(), b"fixture secret").await.expect("signer");
    let now = state.clock.now();
    let admin = User {
        id: UserId::generate(now),
        email: domain::email::Email::parse("root@dotmac.example").unwrap(),
        name: "Root".into(),
        role: Role::PlatformAdmin,
        tenant_id: None,
        status: UserStatus::Active,
        email_verified: true,
        password_hash: None,
        created_at: now,
        version: 1,
        mfa: Default::default(),
    };
    let session = store::repo::sessions::Session {
        id: SessionId::generate(now),
        user_id: admin.id.clone(),
        tenant_id: None,
        role: Role::PlatformAdmin,
        created_at: now,
        last_seen_at: now,
        ip: "203.0.113.10".into(),
        user_agent: "fixture".into(),
        refresh_hash: "unused".into(),
        rotated_hashes: vec![],
        expires_at: now.plus_seconds(3600),
    };
    let write = store::repo::sessions::create(&session).unwrap();
    store::repo::users::create(state.store.as_ref(), &admin, vec![write]).await.unwrap();
    let claims = web::auth::jwt::AccessClaims::new(admin.id, None, Role::PlatformAdmin, session.id, now);
    auth.signer.sign(&claims).expect("token")
}

#[tokio::test]
async fn admin_users_fixtures_answer_through_the_lambda_router() {
    for (name, fixture) in fixtures("admin-users") {
        let (state, _clock) = web::testing::state();
        let token = admin_access_token(&state).await;
        let fixture = fixture.replace("${ADMIN_ACCESS_TOKEN}", &token);
        if name.contains("/dashboard-users-page") {
            let (want, _) = expected_admin_users(&name);
            let (status, location, html) = call_page(admin_users::router(state), &fixture).await;
            assert_eq!(status, want, "{name}: {html}");
            match status {
                // The cookie and the query string reached the page: the admin found by `q`.
                200 => assert!(html.contains("root@dotmac.example") && html.contains(r#"value="root""#), "{name}: {html}"),
                _ => assert_eq!(location, "/auth/login?next=/dashboard/users", "{name}"),
            }
            continue;
        }
        let (status, body) = call_http(admin_users::router(state), &fixture).await;
        let (want, code) = expected_admin_users(&name);
        assert_eq!(status, want, "{name}: {body}");
        match code {
            Some(code) => assert_eq!(body["error"]["code"], code, "{name}"),
            // The query string reached the handler: only the platform admin matches the role filter.
            None => assert_eq!(body["data"].as_array().map(Vec::len), Some(1), "{name}: {body}"),
        }
    }
}

/// What each admin-tenants fixture must answer: the status, and the error code where it fails.
fn expected_admin_tenants(name: &str) -> (u16, Option<&'static str>) {
    match name.rsplit('/').next().unwrap_or(name) {
        "create-tenant.json" => (201, None),
        "list-tenants-deleted.json" => (200, None),
        "get-tenant-unknown.json" => (404, Some("not_found")),
        "suspend-without-credentials.json" => (401, Some("authentication_required")),
        // The /dashboard/tenants page, signed in by cookie: HTML, not JSON.
        "dashboard-tenants-page-as-admin.json" => (200, None),
        other => panic!("events/admin-tenants/{other}: say what it must answer in `expected_admin_tenants`"),
    }
}

#[tokio::test]
async fn admin_tenants_fixtures_answer_through_the_lambda_router() {
    for (name, fixture) in fixtures("admin-tenants") {
        let (state, _clock) = web::testing::state();
        let token = admin_access_token(&state).await;
        let plan = store::repo::plans::free(state.store.as_ref(), state.clock.now()).await.unwrap();
        let fixture = fixture.replace("${ADMIN_ACCESS_TOKEN}", &token).replace("${PLAN_ID}", plan.id.as_str());
        let (status, body) = call_http(admin_tenants::router(state.clone()), &fixture).await;
        let (want, code) = expected_admin_tenants(&name);
        assert_eq!(status, want, "{name}: {body}");
        if let Some(code) = code {
            assert_eq!(body["error"]["code"], code, "{name}");
        }
        if name.ends_with("create-tenant.json") {
            // THEN the tenant waits for its job, which is on the provisioning queue
            assert_eq!((body["status"].as_str(), body["slug"].as_str()), (Some("provisioning"), Some("northwind")), "{body}");
            let queued = state.queue.receive(store::ports::queue::QueueName::Provisioning, 10, std::time::Duration::from_secs(30)).await.unwrap();
            assert_eq!(queued.len(), 1, "{name}");
            assert!(queued[0].body.contains(body["id"].as_str().unwrap()), "{}", queued[0].body);
        }
        if name.ends_with("list-tenants-deleted.json") {
            assert_eq!(body["data"], serde_json::json!([]), "{name}: {body}");
        }
    }
}

/// Every item a provisioning run can touch: the tenant's partition, its audit trail, the outbox.
async fn provisioning_snapshot(state: &web::AppState, tenant: &domain::ids::TenantId) -> Vec<store::ports::item_store::Item> {
    use store::ports::item_store::Query;
    let mut items = Vec::new();
    for pk in [store::repo::keys::tenant_pk(tenant), format!("AUDIT#{tenant}"), "OUTBOX".to_string()] {
        items.extend(state.store.query(Query::table(pk).limit(1000)).await.unwrap().items);
    }
    items
}

#[tokio::test]
async fn the_same_provisioning_message_given_twice_to_the_lambda_handler_changes_nothing_the_second_time() {
    use aws_lambda_events::event::sqs::SqsEvent;
    use store::repo::tenants::{self, Tenant, TenantStatus};
    for (name, fixture) in fixtures("provisioning-worker") {
        // GIVEN the tenant the fixture's message names, just created by an admin
        let (state, clock) = web::testing::state();
        let event: SqsEvent = serde_json::from_str(&fixture).unwrap_or_else(|e| panic!("{name} is not an SQS event: {e}"));
        let body: serde_json::Value = serde_json::from_str(event.records[0].body.as_deref().unwrap()).unwrap();
        let id = domain::ids::TenantId::parse(body["tenant_id"].as_str().unwrap()).expect("a tenant id");
        let now = state.clock.now();
        let plan = store::repo::plans::free(state.store.as_ref(), now).await.unwrap();
        let mut tenant = Tenant::new(id.clone(), "Northwind".into(), "northwind".into(), TenantStatus::Provisioning, plan.id, plan.currency, now);
        tenant.admin_email = Some("it@northwind.example".into());
        state.store.transact(tenants::create(&tenant).unwrap()).await.unwrap();

        // WHEN the message arrives through the Lambda entry point
        let first = provisioning_worker::handle_event(&state, LambdaEvent::new(event.clone(), Context::default())).await;
        assert!(first.batch_item_failures.is_empty(), "{name}: {:?}", first.batch_item_failures);
        let after_first = provisioning_snapshot(&state, &id).await;
        let active = tenants::get(state.store.as_ref(), &id).await.unwrap().unwrap();
        assert_eq!(active.status, TenantStatus::Active, "{name}");
        let invitations = store::repo::invitations::list(state.store.as_ref(), Some(&id), 100, None).await.unwrap().items.len();
        let emails = after_first.iter().filter(|i| i.key.pk == "OUTBOX").count();
        assert_eq!((invitations, emails), (1, 1), "{name}: one invitation, one email");

        // AND again, a minute later, as SQS may redeliver it
        clock.advance(60);
        let second = provisioning_worker::handle_event(&state, LambdaEvent::new(event, Context::default())).await;
        assert!(second.batch_item_failures.is_empty(), "{name}");

        // THEN the second delivery changed nothing
        assert_eq!(provisioning_snapshot(&state, &id).await, after_first, "{name}");
    }
}

/// What each tenant-team fixture must answer: the status, and the error code where it fails.
fn expected_tenant_team(name: &str) -> (u16, Option<&'static str>) {
    match name.rsplit('/').next().unwrap_or(name) {
        "list-members-without-credentials.json" => (401, Some("authentication_required")),
        "invite-without-credentials.json" => (401, Some("authentication_required")),
        "accept-invitation-with-an-unknown-token.json" => (400, Some("invalid_token")),
        // A page: HTML, not JSON.
        "accept-page-with-an-incomplete-link.json" => (400, None),
        other => panic!("events/tenant-team/{other}: say what it must answer in `expected_tenant_team`"),
    }
}

#[tokio::test]
async fn tenant_team_fixtures_answer_through_the_lambda_router() {
    for (name, fixture) in fixtures("tenant-team") {
        let (state, _clock) = web::testing::state();
        let (status, body) = call_http(tenant_team::router(state), &fixture).await;
        let (want, code) = expected_tenant_team(&name);
        assert_eq!(status, want, "{name}: {body}");
        if let Some(code) = code {
            assert_eq!(body["error"]["code"], code, "{name}");
        }
    }
}
