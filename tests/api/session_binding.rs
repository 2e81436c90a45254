//! What a session's credentials are bound to. The CSRF value is derived from the session (an
//! HMAC of its id under a server key), so a `dm_csrf` cookie planted by someone who can set
//! cookies for the domain, echoed in the header or the form field, is refused; and deleting a
//! tenant ends its users' sessions for good, so restoring it does not bring them back.
use journeys::session::Session;
use journeys::{Reply, TestApp, spawn_app};
use reqwest::Method;
use serde_json::json;

const PASSWORD: &str = "correct horse battery staple";
const ADMIN_EMAIL: &str = "admin@dotmac.local";
const ADMIN_PASSWORD: &str = "admin-password-for-tests";

/// A cookie-authenticated PATCH of `/api/v1/me` with `dm_access` and the given `dm_csrf`
/// cookie and `X-CSRF-Token` header.
async fn patch_me(app: &TestApp, access: &str, cookie: &str, header: &str, name: &str) -> Reply {
    app.send(
        app.client
            .patch(app.url("/api/v1/me"))
            .header("cookie", format!("dm_access={access}; dm_csrf={cookie}"))
            .header("x-csrf-token", header)
            .json(&json!({"name": name})),
    )
    .await
}

/// The `value` of the hidden input `name` in a page.
fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!(r#"name="{name}" value=""#);
    let start = html.find(&marker)? + marker.len();
    Some(html[start..].split('"').next()?.to_string())
}

async fn login(app: &TestApp, email: &str, password: &str) -> (Reply, Session) {
    let mut s = Session::new();
    let reply = s.post(app, "/api/v1/auth/login", &json!({"email": email, "password": password})).await;
    (reply, s)
}

#[tokio::test]
async fn a_planted_csrf_cookie_echoed_in_the_header_is_refused() {
    let app = spawn_app().await;
    let victim = app.signed_up("ada@example.com", PASSWORD).await;
    let access = victim.cookie("dm_access").expect("dm_access").to_string();
    let real = victim.cookie("dm_csrf").expect("dm_csrf").to_string();
    // The attacker's own session: a genuine CSRF value, but of another session.
    let (reply, attacker) = login(&app, "ada@example.com", PASSWORD).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let theirs = attacker.cookie("dm_csrf").expect("dm_csrf").to_string();
    assert_ne!(theirs, real, "each session has its own CSRF value");

    // A value the attacker made up, planted as the cookie and sent as the header: refused.
    let planted = "planted-by-the-attacker-000000000000000000";
    let reply = patch_me(&app, &access, planted, planted, "Mallory").await;
    assert_eq!(reply.status, 403, "a planted cookie: {}", reply.text);
    assert_eq!(reply.error().1, "csrf_failed");
    // Another session's genuine value, planted and echoed: refused too.
    let reply = patch_me(&app, &access, &theirs, &theirs, "Mallory").await;
    assert_eq!(reply.status, 403, "another session's value: {}", reply.text);
    assert_eq!(reply.error().1, "csrf_failed");

    // The session's own value works, whatever the cookie says.
    let reply = patch_me(&app, &access, &real, &real, "Ada B.").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let reply = patch_me(&app, &access, planted, &real, "Ada C.").await;
    assert_eq!(reply.status, 200, "the header is checked against the session, not the cookie: {}", reply.text);
    // And a refresh keeps the session's value (it names the same session).
    let mut victim = victim;
    let refreshed = victim.post(&app, "/api/v1/auth/refresh", &json!({})).await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    assert_eq!(victim.cookie("dm_csrf"), Some(real.as_str()), "the CSRF value belongs to the session");
    let access = victim.cookie("dm_access").expect("dm_access").to_string();
    assert_eq!(patch_me(&app, &access, &real, &real, "Ada D.").await.status, 200);
    assert_eq!(victim.get(&app, "/api/v1/me").await.json()["name"], "Ada D.");
}

#[tokio::test]
async fn a_planted_csrf_cookie_echoed_in_a_page_form_is_refused() {
    let app = spawn_app().await;
    let s = app.signed_up("ada@example.com", PASSWORD).await;
    let access = s.cookie("dm_access").expect("dm_access").to_string();
    let real = s.cookie("dm_csrf").expect("dm_csrf").to_string();
    let planted = "planted-by-the-attacker-000000000000000000";

    // The page's forms carry the session's value, not whatever cookie the browser holds.
    let page = app
        .send(app.client.get(app.url("/auth/security")).header("cookie", format!("dm_access={access}; dm_csrf={planted}")))
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(hidden_value(&page.text, "csrf_token").as_deref(), Some(real.as_str()), "Viewer.csrf is the session's value");

    let logout = |cookie: String, field: String| {
        let app = &app;
        let access = access.clone();
        async move {
            app.send(
                app.client
                    .post(app.url("/auth/logout"))
                    .header("cookie", format!("dm_access={access}; dm_csrf={cookie}"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(format!("csrf_token={field}")),
            )
            .await
        }
    };
    // A planted cookie with the same planted field: the 403 page, and the session lives on.
    let refused = logout(planted.to_string(), planted.to_string()).await;
    assert_eq!(refused.status, 403, "a planted cookie and field: {}", refused.text);
    let me = app.send(app.client.get(app.url("/api/v1/me")).bearer_auth(&access)).await;
    assert_eq!(me.status, 200, "the session was not ended: {}", me.text);

    // The session's value works, even beside a planted cookie.
    let done = logout(planted.to_string(), real.clone()).await;
    assert_eq!(done.status, 303, "{}", done.text);
    let me = app.send(app.client.get(app.url("/api/v1/me")).bearer_auth(&access)).await;
    assert_eq!(me.status, 401, "signed out: {}", me.text);
}

#[tokio::test]
async fn restoring_a_deleted_tenant_does_not_bring_back_its_sessions() {
    let app = spawn_app().await;
    // GIVEN a tenant admin signed in
    let mut owner = app.signed_up("ada@example.com", PASSWORD).await;
    let me = owner.get(&app, "/api/v1/me").await;
    assert_eq!(me.status, 200, "{}", me.text);
    let tenant = me.json()["tenant_id"].as_str().expect("a tenant").to_string();
    let old_access = owner.cookie("dm_access").expect("dm_access").to_string();

    // WHEN the platform admin deletes the tenant, then restores it
    let (reply, admin) = login(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let admin_token = admin.cookie("dm_access").expect("dm_access").to_string();
    let path = app.url(&format!("/api/v1/admin/tenants/{tenant}"));
    let deleted = app.send(app.client.request(Method::DELETE, &path).bearer_auth(&admin_token)).await;
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    let restored = app.send(app.client.post(format!("{path}/restore")).bearer_auth(&admin_token).json(&json!({}))).await;
    assert_eq!(restored.status, 200, "{}", restored.text);
    assert_eq!(restored.json()["status"], "active");

    // THEN the old session is refused, by cookie and by bearer, and cannot be refreshed
    let reply = owner.get(&app, "/api/v1/me").await;
    assert_eq!(reply.status, 401, "the old session ended with the deletion: {}", reply.text);
    let reply = app.send(app.client.get(app.url("/api/v1/me")).bearer_auth(&old_access)).await;
    assert_eq!(reply.status, 401, "{}", reply.text);
    let refreshed = owner.post(&app, "/api/v1/auth/refresh", &json!({})).await;
    assert_eq!(refreshed.status, 401, "{}", refreshed.text);

    // AND a new sign-in works
    let (reply, mut again) = login(&app, "ada@example.com", PASSWORD).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let me = again.get(&app, "/api/v1/me").await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.json()["tenant_id"], tenant.as_str());
}

#[tokio::test]
async fn a_planted_csrf_cookie_echoed_on_a_cookie_refresh_is_refused() {
    // GIVEN a signed-in browser session (its refresh cookie in hand)
    let app = spawn_app().await;
    let victim = app.signed_up("refresh-victim@example.com", PASSWORD).await;
    let refresh = victim.cookie("dm_refresh").expect("a refresh cookie").to_string();
    let real = victim.cookie("dm_csrf").expect("a csrf cookie").to_string();
    let refresh_with = |csrf: &str| {
        app.client
            .post(app.url("/api/v1/auth/refresh"))
            .header("cookie", format!("dm_refresh={refresh}; dm_csrf={csrf}"))
            .header("x-csrf-token", csrf.to_string())
    };
    // WHEN a planted dm_csrf is echoed in the header
    let planted = app.send(refresh_with("planted-by-the-attacker-0123456789abcdef")).await;
    // THEN the refresh is refused, and the session's own value still works
    assert_eq!(planted.status, 403, "{}", planted.text);
    assert_eq!(planted.json()["error"]["code"], "csrf_failed", "{}", planted.text);
    let genuine = app.send(refresh_with(&real)).await;
    assert_eq!(genuine.status, 200, "{}", genuine.text);
}
