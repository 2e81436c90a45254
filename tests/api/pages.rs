//! The sign-in pages over HTTP, without a browser: each GET is an HTML page, each form POST
//! answers a redirect or the page again with its error and status, and forms from elsewhere
//! (no `dm_form` cookie, no `csrf_token`) are refused.
use journeys::session::Session;
use journeys::{Reply, TestApp, spawn_app};
use serde_json::json;
use domain::email::Email;
use store::repo::users;

const PASSWORD: &str = "correct horse battery staple";

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The value of cookie `name` that a reply sets.
fn set_cookie(reply: &Reply, name: &str) -> Option<String> {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.split(';').next()?.strip_prefix(&format!("{name}=")).map(str::to_string))
}

/// The `value` of the hidden input `name` in a page.
fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!(r#"name="{name}" value=""#);
    let start = html.find(&marker)? + marker.len();
    Some(html[start..].split('"').next()?.to_string())
}

fn cookie_header(session: &Session) -> String {
    session.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
}

fn assert_html(reply: &Reply, status: u16) {
    assert_eq!(reply.status, status, "{}", reply.text);
    let content_type = reply.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(reply.text.starts_with("<!doctype html>") && reply.text.contains("DotMac"), "{}", reply.text);
}

fn location(reply: &Reply) -> &str {
    reply.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// A browser of the anonymous forms: the `dm_form` cookie and the token its pages embed.
struct FormBrowser {
    cookie: String,
    token: String,
}

impl FormBrowser {
    async fn open(app: &TestApp, path: &str) -> FormBrowser {
        let page = app.get(path).await;
        assert_html(&page, 200);
        let cookie = set_cookie(&page, "dm_form").expect("the form page sets dm_form");
        let token = hidden_value(&page.text, "form_token").expect("the form carries form_token");
        assert_eq!(cookie, token);
        FormBrowser { cookie: format!("dm_form={cookie}"), token }
    }

    async fn post(&self, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Reply {
        post_form(app, path, Some(&self.cookie), &[&[("form_token", self.token.as_str())], fields].concat()).await
    }
}

async fn post_form(app: &TestApp, path: &str, cookie: Option<&str>, fields: &[(&str, &str)]) -> Reply {
    let body = fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
    let mut request = app.client.post(app.url(path)).header("content-type", "application/x-www-form-urlencoded").body(body);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    app.send(request).await
}

async fn get_with(app: &TestApp, path: &str, session: &Session) -> Reply {
    app.send(app.client.get(app.url(path)).header("cookie", cookie_header(session))).await
}

#[tokio::test]
async fn every_anonymous_page_answers_an_html_page_to_get() {
    let app = spawn_app().await;
    for path in [
        "/auth/login",
        "/auth/login?next=/auth/security",
        "/auth/signup",
        "/auth/signup?ref=partner_42",
        "/auth/forgot-password",
        "/auth/verify-email?token=some-token",
        "/auth/reset-password?token=some-token",
    ] {
        let page = app.get(path).await;
        assert_html(&page, 200);
        assert_eq!(page.headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"), "{path}");
        assert!(page.headers.get("content-security-policy").is_some(), "{path}");
    }
}

#[tokio::test]
async fn the_signed_in_pages_answer_html_to_their_own_roles_and_403_to_others() {
    let app = spawn_app().await;
    let tenant = app.signed_up("ada@example.com", PASSWORD).await;
    for path in ["/portal", "/auth/security"] {
        let page = get_with(&app, path, &tenant).await;
        assert_html(&page, 200);
        assert!(page.text.contains("Signed in as <strong>Ada Lovelace</strong> (ada@example.com)"), "{path}: {}", page.text);
    }
    for path in ["/dashboard", "/partner"] {
        assert_html(&get_with(&app, path, &tenant).await, 403);
    }

    let mut admin = Session::new();
    let login = admin.post(&app, "/api/v1/auth/login", &json!({"email": "admin@dotmac.local", "password": "admin-password-for-tests"})).await;
    assert_eq!(login.status, 200, "{}", login.text);
    let dashboard = get_with(&app, "/dashboard", &admin).await;
    assert_html(&dashboard, 200);
    assert!(dashboard.text.contains("Platform admin"), "{}", dashboard.text);
    assert_html(&get_with(&app, "/portal", &admin).await, 403);
}

#[tokio::test]
async fn pages_that_need_a_session_send_a_stranger_to_sign_in_and_come_back() {
    let app = spawn_app().await;
    for (path, next) in [("/auth/security", "/auth/security"), ("/portal", "/portal"), ("/dashboard", "/dashboard"), ("/partner", "/partner")] {
        let reply = app.get(path).await;
        assert_eq!(reply.status, 303, "{path}");
        assert_eq!(location(&reply), format!("/auth/login?next={next}"));
    }
}

#[tokio::test]
async fn a_wrong_password_shows_the_login_form_again_with_401_and_the_error() {
    let app = spawn_app().await;
    app.signed_up("ada@example.com", PASSWORD).await;
    let browser = FormBrowser::open(&app, "/auth/login").await;
    let reply = browser.post(&app, "/auth/login", &[("email", "ada@example.com"), ("password", "wrong password here")]).await;
    assert_html(&reply, 401);
    assert!(reply.text.contains("The email address or password is wrong."), "{}", reply.text);
    assert!(reply.text.contains(r#"value="ada@example.com""#), "the address is kept");
    assert!(!reply.text.contains("wrong password here"), "the password is never echoed");
    assert!(set_cookie(&reply, "dm_access").is_none());
}

#[tokio::test]
async fn a_right_password_signs_in_and_goes_to_the_portal_or_a_safe_next_page() {
    let app = spawn_app().await;
    app.signed_up("ada@example.com", PASSWORD).await;
    let browser = FormBrowser::open(&app, "/auth/login").await;
    let reply = browser.post(&app, "/auth/login", &[("email", "ada@example.com"), ("password", PASSWORD)]).await;
    assert_eq!((reply.status, location(&reply)), (303, "/portal"));
    for cookie in ["dm_access", "dm_refresh", "dm_csrf"] {
        assert!(set_cookie(&reply, cookie).is_some(), "{cookie} set");
    }

    let reply = browser.post(&app, "/auth/login", &[("email", "ada@example.com"), ("password", PASSWORD), ("next", "/auth/security")]).await;
    assert_eq!((reply.status, location(&reply)), (303, "/auth/security"));
    for evil in ["//evil.example/x", "https://evil.example", "/\\evil.example"] {
        let reply = browser.post(&app, "/auth/login", &[("email", "ada@example.com"), ("password", PASSWORD), ("next", evil)]).await;
        assert_eq!((reply.status, location(&reply)), (303, "/portal"), "{evil}");
    }
}

#[tokio::test]
async fn a_form_post_without_its_csrf_proof_is_refused_with_403() {
    let app = spawn_app().await;
    app.signed_up("ada@example.com", PASSWORD).await;
    // No dm_form cookie (a page of another site posting into ours), even with a field.
    let browser = FormBrowser::open(&app, "/auth/login").await;
    let fields = [("form_token", browser.token.as_str()), ("email", "ada@example.com"), ("password", PASSWORD)];
    let reply = post_form(&app, "/auth/login", None, &fields).await;
    assert_html(&reply, 403);
    assert!(set_cookie(&reply, "dm_access").is_none(), "nobody is signed in");
    // The cookie but a wrong field.
    let reply = post_form(&app, "/auth/login", Some(&browser.cookie), &[("form_token", "x"), ("email", "ada@example.com"), ("password", PASSWORD)]).await;
    assert_html(&reply, 403);

    // Signed in, a form without csrf_token changes nothing.
    let session = app.signed_up("bob@example.com", PASSWORD).await;
    let reply = post_form(&app, "/auth/security/mfa/start", Some(&cookie_header(&session)), &[]).await;
    assert_html(&reply, 403);
    let reply = post_form(&app, "/auth/logout", Some(&cookie_header(&session)), &[("csrf_token", "not-the-cookie")]).await;
    assert_html(&reply, 403);
    assert_eq!(get_with(&app, "/portal", &session).await.status, 200, "still signed in");
}

#[tokio::test]
async fn the_mfa_step_is_shown_when_two_factor_authentication_is_on() {
    let app = spawn_app().await;
    app.signed_up("ada@example.com", PASSWORD).await;
    let store = app.platform.state.store.as_ref();
    let mut user = users::find_by_email(store, &Email::parse("ada@example.com").unwrap()).await.unwrap().unwrap();
    user.mfa.enabled = true;
    user.mfa.totp_secret = Some(domain::totp::TotpSecret::generate().to_base32());
    user.version += 1;
    store.transact(vec![users::save(&user).unwrap()]).await.unwrap();

    let browser = FormBrowser::open(&app, "/auth/login").await;
    let reply = browser.post(&app, "/auth/login", &[("email", "ada@example.com"), ("password", PASSWORD)]).await;
    assert_html(&reply, 200);
    assert!(set_cookie(&reply, "dm_access").is_none(), "no session before the second step");
    let mfa_token = hidden_value(&reply.text, "mfa_token").expect("the step carries mfa_token");
    assert!(reply.text.contains(r#"name="code""#) && reply.text.contains(r#"name="backup_code""#), "{}", reply.text);
    assert!(reply.text.contains("<details>"), "the backup code needs no script");

    let wrong = browser.post(&app, "/auth/login/mfa", &[("mfa_token", &mfa_token), ("code", "000000")]).await;
    assert_html(&wrong, 401);
    assert!(wrong.text.contains("That code is wrong"), "{}", wrong.text);
}

#[tokio::test]
async fn an_unverified_address_is_told_so_and_offered_a_new_link() {
    let app = spawn_app().await;
    let signup = FormBrowser::open(&app, "/auth/signup").await;
    let reply = signup
        .post(&app, "/auth/signup", &[("name", "Ada"), ("organization", "Engines"), ("email", "ada@example.com"), ("password", PASSWORD)])
        .await;
    assert_html(&reply, 200);
    assert!(reply.text.contains("Check your inbox") && reply.text.contains("ada@example.com"), "{}", reply.text);

    let login = signup.post(&app, "/auth/login", &[("email", "ada@example.com"), ("password", PASSWORD)]).await;
    assert_html(&login, 403);
    assert!(login.text.contains(r#"action="/auth/resend-verification""#), "{}", login.text);
    let resent = signup.post(&app, "/auth/resend-verification", &[("email", "ada@example.com")]).await;
    assert_html(&resent, 200);
    assert!(resent.text.contains("Check your inbox"), "{}", resent.text);
}

#[tokio::test]
async fn the_emailed_link_verifies_only_when_its_button_is_pressed() {
    let app = spawn_app().await;
    let signup = FormBrowser::open(&app, "/auth/signup").await;
    signup
        .post(&app, "/auth/signup", &[("name", "Ada"), ("organization", "Engines"), ("email", "ada@example.com"), ("password", PASSWORD)])
        .await;
    let token = app.token_from_email("ada@example.com").await;

    // A mail scanner's GET verifies nothing.
    let page = app.get(&format!("/auth/verify-email?token={token}")).await;
    assert_html(&page, 200);
    assert!(page.text.contains("Confirm my email"));
    let early = Session::new().post(&app, "/api/v1/auth/login", &json!({"email": "ada@example.com", "password": PASSWORD})).await;
    assert_eq!(early.status, 403, "still unverified after the GET");

    let confirmed = signup.post(&app, "/auth/verify-email", &[("token", &token)]).await;
    assert_eq!((confirmed.status, location(&confirmed)), (303, "/portal"));
    assert!(set_cookie(&confirmed, "dm_access").is_some());
    let again = signup.post(&app, "/auth/verify-email", &[("token", &token)]).await;
    assert_html(&again, 400);
    assert!(again.text.contains(r#"action="/auth/resend-verification""#), "a way to get a new link");
}

#[tokio::test]
async fn sign_up_mistakes_are_shown_next_to_their_field_and_values_are_kept() {
    let app = spawn_app().await;
    let signup = FormBrowser::open(&app, "/auth/signup").await;
    let reply = signup
        .post(&app, "/auth/signup", &[("name", "<b>Ada</b>"), ("organization", "Engines"), ("email", "not-an-address"), ("password", PASSWORD)])
        .await;
    assert_html(&reply, 422);
    assert!(reply.text.contains("Enter a valid email address"), "{}", reply.text);
    assert!(reply.text.contains(r#"value="&lt;b&gt;Ada&lt;/b&gt;""#), "kept and escaped: {}", reply.text);
    assert!(!reply.text.contains("<b>Ada</b>"));
}

#[tokio::test]
async fn a_referral_code_from_the_link_or_the_cookie_is_prefilled() {
    let app = spawn_app().await;
    let page = app.get("/auth/signup?ref=partner_42").await;
    assert!(page.text.contains(r#"value="partner_42""#), "{}", page.text);
    let page = app.send(app.client.get(app.url("/auth/signup")).header("cookie", "dm_ref=from-cookie")).await;
    assert!(page.text.contains(r#"value="from-cookie""#), "{}", page.text);
}

#[tokio::test]
async fn a_password_reset_needs_the_same_password_twice_then_ends_every_session() {
    let app = spawn_app().await;
    let session = app.signed_up("ada@example.com", PASSWORD).await;
    let forgot = FormBrowser::open(&app, "/auth/forgot-password").await;
    let reply = forgot.post(&app, "/auth/forgot-password", &[("email", "ada@example.com")]).await;
    assert_html(&reply, 200);
    let unknown = forgot.post(&app, "/auth/forgot-password", &[("email", "nobody@example.com")]).await;
    assert_eq!(
        reply.text.replace("ada@example.com", "X"),
        unknown.text.replace("nobody@example.com", "X"),
        "the same answer whether or not the account exists"
    );

    let token = app.token_from_email("ada@example.com").await;
    let mismatch = forgot.post(&app, "/auth/reset-password", &[("token", &token), ("password", "a new long password"), ("password_confirm", "another one")]).await;
    assert_html(&mismatch, 422);
    assert!(mismatch.text.contains("The two passwords are not the same."), "{}", mismatch.text);

    let done = forgot.post(&app, "/auth/reset-password", &[("token", &token), ("password", "a new long password"), ("password_confirm", "a new long password")]).await;
    assert_html(&done, 200);
    assert!(done.text.contains("Password changed"), "{}", done.text);
    assert_eq!(get_with(&app, "/portal", &session).await.status, 303, "the old session ended");
}

#[tokio::test]
async fn signing_out_from_a_page_ends_the_session_and_clears_the_cookies() {
    let app = spawn_app().await;
    let session = app.signed_up("ada@example.com", PASSWORD).await;
    let csrf = session.cookie("dm_csrf").unwrap().to_string();
    let reply = post_form(&app, "/auth/logout", Some(&cookie_header(&session)), &[("csrf_token", &csrf)]).await;
    assert_eq!((reply.status, location(&reply)), (303, "/auth/login"));
    assert_eq!(set_cookie(&reply, "dm_access").as_deref(), Some(""), "cleared");
    assert_eq!(get_with(&app, "/portal", &session).await.status, 303, "the session is over");
}

#[tokio::test]
async fn signing_out_another_session_from_the_security_page_ends_only_that_one() {
    let app = spawn_app().await;
    let here = app.signed_up("ada@example.com", PASSWORD).await;
    let mut there = Session::new();
    there.post(&app, "/api/v1/auth/login", &json!({"email": "ada@example.com", "password": PASSWORD})).await;
    let sessions = there.get(&app, "/api/v1/me/sessions").await.json();
    let other = sessions["data"].as_array().unwrap().iter().find(|s| s["current"] == true).unwrap()["id"].as_str().unwrap().to_string();

    let page = get_with(&app, "/auth/security", &here).await;
    assert!(page.text.contains(&format!("/auth/security/sessions/{other}/revoke")), "{}", page.text);
    let csrf = here.cookie("dm_csrf").unwrap().to_string();
    let reply = post_form(&app, &format!("/auth/security/sessions/{other}/revoke"), Some(&cookie_header(&here)), &[("csrf_token", &csrf)]).await;
    assert_eq!((reply.status, location(&reply)), (303, "/auth/security?notice=session_revoked"));
    assert_eq!(get_with(&app, "/portal", &there).await.status, 303, "that session ended");
    assert_eq!(get_with(&app, "/portal", &here).await.status, 200, "this one did not");
}
