//! The pages through the function's router, on the embedded store: a signed-in tenant admin
//! invites, is refused with the API's statuses, confirms a removal and reads the activity;
//! the invitee accepts by the emailed link. What `tests/api/tenant_team.rs` asks of the
//! pages, checked here too so this crate's own tests catch a port that breaks it.
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use domain::email::Email;
use domain::ids::{SessionId, TenantId, UserId};
use domain::tenant::{Tenant, TenantStatus};
use domain::user::{Role, User, UserStatus};
use http_body_util::BodyExt;
use store::repo::sessions::{SESSION_TTL_SECONDS, Session};
use store::repo::{plans, sessions, tenants, users};
use tower::ServiceExt;
use web::AppState;
use web::auth::jwt::{AccessClaims, TokenSigner};
use web::kit::encode_query_value;

struct Reply {
    status: StatusCode,
    location: String,
    set_cookie: Vec<String>,
    text: String,
}

async fn send(router: &Router, request: Request<Body>) -> Reply {
    let response = router.clone().oneshot(request).await.expect("the router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let location = headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let set_cookie = headers.get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).map(str::to_string).collect();
    let bytes = response.into_body().collect().await.expect("a body").to_bytes();
    Reply { status, location, set_cookie, text: String::from_utf8_lossy(&bytes).into_owned() }
}

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).expect("a request")
}

fn form(fields: &[(&str, &str)]) -> String {
    fields.iter().map(|(k, v)| [*k, "=", &encode_query_value(v)].concat()).collect::<Vec<_>>().join("&")
}

fn post(path: &str, cookie: &str, fields: &[(&str, &str)]) -> Request<Body> {
    Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form(fields)))
        .expect("a request")
}

/// A tenant on the free plan (3 seats) with its admin signed in: the router, the admin's
/// cookies and the session's CSRF value (derived from the session, as sign-in sets it).
async fn signed_in_admin() -> (AppState, Router, String, User, String) {
    let (app, _clock) = web::testing::state();
    let store = app.store.as_ref();
    let now = app.clock.now();
    let plan = plans::free(store, now).await.expect("the free plan");
    let slug = ["engines-", UserId::generate(now).as_str()].concat();
    let tenant = Tenant::new(TenantId::generate(now), "Analytical Engines".into(), slug, TenantStatus::Active, plan.id, "usd".into(), now);
    app.store.transact(tenants::create(&tenant).expect("a tenant")).await.expect("stored");
    let admin = User {
        id: UserId::generate(now),
        email: Email::parse("owner@example.com").expect("an address"),
        name: "Ada Lovelace".into(),
        role: Role::TenantAdmin,
        tenant_id: Some(tenant.id.clone()),
        status: UserStatus::Active,
        email_verified: true,
        password_hash: None,
        created_at: now,
        version: 1,
        mfa: Default::default(),
    };
    users::create(store, &admin, vec![]).await.expect("the admin");
    let session = Session {
        id: SessionId::generate(now),
        user_id: admin.id.clone(),
        tenant_id: admin.tenant_id.clone(),
        role: admin.role,
        created_at: now,
        last_seen_at: now,
        ip: "192.0.2.1".into(),
        user_agent: "test".into(),
        refresh_hash: "h".into(),
        rotated_hashes: Vec::new(),
        expires_at: now.plus_seconds(SESSION_TTL_SECONDS),
    };
    app.store.transact(vec![sessions::create(&session).expect("a session")]).await.expect("stored");
    let signer = TokenSigner::from_seed(&[9; 32]).expect("a key");
    signer.publish(store).await.expect("published");
    let claims = AccessClaims::new(admin.id.clone(), admin.tenant_id.clone(), admin.role, session.id.clone(), now);
    let token = signer.sign(&claims).expect("a token");
    let csrf = web::auth::cookies::csrf_value(&app.config.csrf_key, &session.id);
    let cookie = ["dm_access=", &token, "; dm_csrf=", &csrf].concat();
    (app.clone(), crate::router(app), cookie, admin, csrf)
}

/// The `token` of the newest email's accept link.
async fn emailed_token(app: &AppState) -> String {
    let outbox = adapters::embedded::Outbox::new(app.store.clone(), app.clock.clone());
    let (mails, _) = outbox.list(1, None).await.expect("the outbox");
    let link = mails.first().and_then(|m| m.links.first()).expect("a link").clone();
    link.split("token=").nth(1).expect("a token").to_string()
}

#[tokio::test]
async fn the_team_pages_work_over_http_as_the_journey_tests_expect() {
    let (app, router, cookie, admin, csrf) = signed_in_admin().await;

    // Signed out: to sign in and back.
    let anonymous = send(&router, get("/portal/team", "")).await;
    assert_eq!((anonymous.status, anonymous.location.as_str()), (StatusCode::SEE_OTHER, "/auth/login?next=/portal/team"));

    let page = send(&router, get("/portal/team", &cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("owner@example.com") && page.text.contains("1 of 3 seats used"), "{}", page.text);
    assert!(page.text.contains(r#"value="invite""#));

    // Without the CSRF field nothing happens; with it, an invitation and a 303.
    let invite = [("action", "invite"), ("email", "page@example.com"), ("role", "tenant_member")];
    assert_eq!(send(&router, post("/portal/team", &cookie, &invite)).await.status, StatusCode::FORBIDDEN);
    let with_csrf = |fields: &[(&'static str, &'static str)]| {
        let mut all = vec![("csrf_token", csrf.as_str())];
        all.extend_from_slice(fields);
        all
    };
    let sent = send(&router, post("/portal/team", &cookie, &with_csrf(&invite))).await;
    assert_eq!((sent.status, sent.location.as_str()), (StatusCode::SEE_OTHER, "/portal/team?notice=invited"), "{}", sent.text);
    let bad = [("action", "invite"), ("email", "nope"), ("role", "tenant_member")];
    let bad = send(&router, post("/portal/team", &cookie, &with_csrf(&bad))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text.contains("Enter a valid email address") && bad.text.contains(r#"value="nope""#), "{}", bad.text);

    // The accept page: what joining means, then joining.
    let token = emailed_token(&app).await;
    let accept_path = ["/auth/accept-invitation?token=", &token].concat();
    let accept = send(&router, get(&accept_path, "")).await;
    assert_eq!(accept.status, StatusCode::OK, "{}", accept.text);
    assert!(accept.text.contains("page@example.com") && accept.text.contains("Analytical Engines"));
    let dm_form = accept.set_cookie.iter().find_map(|c| c.split(';').next()?.strip_prefix("dm_form=")).expect("dm_form").to_string();
    let form_cookie = ["dm_form=", &dm_form].concat();
    let password = "correct horse battery staple";
    let mismatch = [("form_token", dm_form.as_str()), ("token", &token), ("name", "Page Person"), ("password", password), ("password_confirm", "x")];
    let mismatch = send(&router, post("/auth/accept-invitation", &form_cookie, &mismatch)).await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", mismatch.text);
    assert!(mismatch.text.contains("The two passwords are not the same."));
    let forged = send(&router, post("/auth/accept-invitation", "", &[("token", &token)])).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let join = [("form_token", dm_form.as_str()), ("token", &token), ("name", "Page Person"), ("password", password), ("password_confirm", password)];
    let joined = send(&router, post("/auth/accept-invitation", &form_cookie, &join)).await;
    assert_eq!((joined.status, joined.location.as_str()), (StatusCode::SEE_OTHER, "/auth/login?notice=invitation_accepted"), "{}", joined.text);
    let used = send(&router, get(&accept_path, "")).await;
    assert_eq!(used.status, StatusCode::BAD_REQUEST);
    assert!(used.text.contains("Ask the person who invited you for a new one."));
    assert_eq!(send(&router, get("/auth/accept-invitation", "")).await.status, StatusCode::BAD_REQUEST);

    // The confirm step names the member; the last admin cannot leave, with the API's 409.
    let member = users::find_by_email(app.store.as_ref(), &Email::parse("page@example.com").expect("an address"))
        .await
        .expect("read")
        .expect("the new member");
    let confirm = send(&router, get(&["/portal/team?remove=", member.id.as_str()].concat(), &cookie)).await;
    assert!(confirm.text.contains("Remove Page Person"), "{}", confirm.text);
    let remove = [("csrf_token", csrf.as_str()), ("action", "remove"), ("user_id", member.id.as_str())];
    let removed = send(&router, post("/portal/team", &cookie, &remove)).await;
    assert_eq!((removed.status, removed.location.as_str()), (StatusCode::SEE_OTHER, "/portal/team?notice=removed"));
    let last = [("csrf_token", csrf.as_str()), ("action", "remove"), ("user_id", admin.id.as_str())];
    let last = send(&router, post("/portal/team", &cookie, &last)).await;
    assert_eq!(last.status, StatusCode::CONFLICT);
    assert!(last.text.contains("at least one admin"), "{}", last.text);

    // The activity: this organization's trail, filtered, and a forged cursor starts again.
    let trail = send(&router, get("/portal/activity", &cookie)).await;
    assert_eq!(trail.status, StatusCode::OK, "{}", trail.text);
    assert!(trail.text.contains("invitation.created") && trail.text.contains("member.removed"), "{}", trail.text);
    let filtered = send(&router, get("/portal/activity?action=member.removed", &cookie)).await;
    assert!(filtered.text.contains("member.removed") && !filtered.text.contains("invitation.created"), "{}", filtered.text);
    let forged = send(&router, get("/portal/activity?cursor=forged", &cookie)).await;
    assert!(forged.text.contains("no longer valid"), "{}", forged.text);
    assert_eq!(send(&router, get("/portal/activity", "")).await.status, StatusCode::SEE_OTHER);
}
