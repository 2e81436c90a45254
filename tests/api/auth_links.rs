//! Emailed links and the sign-up door (issue 9, items 4 and 8): using a verification or reset
//! link uses up every link of that purpose; a link for a verified address is dead; verifying
//! with 2FA on goes to the second step; a reset refuses a disabled user and ends pending 2FA
//! challenges; sign-ups are limited per IP and a taken address is refused before anything else.
use domain::totp::{TotpSecret, code_at};
use journeys::session::Session;
use journeys::{TestApp, spawn_app};
use serde_json::json;

const PASSWORD: &str = "correct horse battery staple";
const EMAIL: &str = "ada@example.com";

/// Ada, signed up and verified, with 2FA on; answers her TOTP secret.
async fn with_mfa(app: &TestApp) -> TotpSecret {
    let mut s = app.signed_up(EMAIL, PASSWORD).await;
    let setup = s.post(app, "/api/v1/me/mfa/totp", &json!({"password": PASSWORD})).await.json();
    let secret = TotpSecret::from_base32(setup["secret"].as_str().expect("a secret")).expect("base32");
    let code = code_at(secret.as_bytes(), app.platform.state.clock.now().unix(), 30, 6);
    assert_eq!(s.post(app, "/api/v1/me/mfa/totp/confirm", &json!({"password": PASSWORD, "code": code})).await.status, 200);
    app.post_json("/dev/clock", &json!({"advance_seconds": 30})).await;
    secret
}

async fn stored_user(app: &TestApp) -> domain::user::User {
    let email = domain::email::Email::parse(EMAIL).expect("an email");
    store::repo::users::find_by_email(app.platform.state.store.as_ref(), &email).await.expect("reads").expect("the user")
}

async fn save_user(app: &TestApp, user: &mut domain::user::User) {
    user.version += 1;
    let write = store::repo::users::save(user).expect("a write");
    app.platform.state.store.transact(vec![write]).await.expect("saved");
}

#[tokio::test]
async fn a_verification_link_dies_once_the_address_is_verified() {
    let app = spawn_app().await;
    let signup = app
        .post_json("/api/v1/auth/signup", &json!({"email": EMAIL, "password": PASSWORD, "name": "Ada", "organization": "Engines"}))
        .await;
    assert_eq!(signup.status, 201, "{}", signup.text);
    let first = app.token_from_email(EMAIL).await;
    assert_eq!(app.post_json("/api/v1/auth/resend-verification", &json!({"email": EMAIL})).await.status, 202);
    let second = app.token_from_email(EMAIL).await;
    assert_ne!(first, second);
    // WHEN the first link is used
    let mut browser = Session::new();
    assert_eq!(browser.post(&app, "/api/v1/auth/verify-email", &json!({"token": first})).await.status, 200);
    // THEN the second one no longer signs anybody in
    let mut thief = Session::new();
    let late = thief.post(&app, "/api/v1/auth/verify-email", &json!({"token": second})).await;
    assert_eq!(late.status, 400, "an older link still signs in: {}", late.text);
    assert_eq!(late.error().1, "invalid_token");
    assert!(thief.cookie("dm_access").is_none(), "no session");
}

#[tokio::test]
async fn verifying_with_2fa_on_goes_to_the_second_step() {
    let app = spawn_app().await;
    let secret = with_mfa(&app).await;
    // GIVEN Ada's address is unverified again (as after an address change) and a fresh link
    let mut user = stored_user(&app).await;
    user.email_verified = false;
    save_user(&app, &mut user).await;
    assert_eq!(app.post_json("/api/v1/auth/resend-verification", &json!({"email": EMAIL})).await.status, 202);
    let token = app.token_from_email(EMAIL).await;
    // WHEN the link is used
    let mut browser = Session::new();
    let reply = browser.post(&app, "/api/v1/auth/verify-email", &json!({"token": token})).await;
    // THEN the address is verified but the sign-in waits for the second factor
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["mfa_required"], true, "verification skipped 2FA: {}", reply.text);
    assert!(browser.cookie("dm_access").is_none(), "no session cookie before the second factor");
    assert!(stored_user(&app).await.email_verified);
    let mfa_token = reply.json()["mfa_token"].as_str().expect("an mfa_token").to_string();
    let code = code_at(secret.as_bytes(), app.platform.state.clock.now().unix(), 30, 6);
    let step2 = browser.post(&app, "/api/v1/auth/login/mfa", &json!({"mfa_token": mfa_token, "code": code})).await;
    assert_eq!(step2.status, 200, "{}", step2.text);
    assert!(browser.cookie("dm_access").is_some());
}

#[tokio::test]
async fn a_reset_uses_up_every_reset_link_and_ends_pending_challenges() {
    let app = spawn_app().await;
    let secret = with_mfa(&app).await;
    assert_eq!(app.post_json("/api/v1/auth/password/forgot", &json!({"email": EMAIL})).await.status, 202);
    let first = app.token_from_email(EMAIL).await;
    assert_eq!(app.post_json("/api/v1/auth/password/forgot", &json!({"email": EMAIL})).await.status, 202);
    let second = app.token_from_email(EMAIL).await;
    let pending = app.post_json("/api/v1/auth/login", &json!({"email": EMAIL, "password": PASSWORD})).await;
    let mfa_token = pending.json()["mfa_token"].as_str().expect("a challenge").to_string();
    app.post_json("/dev/clock", &json!({"advance_seconds": 1})).await;
    // WHEN one reset link is used
    let reset = app.post_json("/api/v1/auth/password/reset", &json!({"token": second, "password": "a whole new passphrase"})).await;
    assert_eq!(reset.status, 200, "{}", reset.text);
    // THEN the other is dead
    let other = app.post_json("/api/v1/auth/password/reset", &json!({"token": first, "password": "the attacker's passphrase"})).await;
    assert_eq!(other.status, 400, "another reset link still works: {}", other.text);
    assert_eq!(other.error().1, "invalid_token");
    // AND the challenge started with the old password is ended
    let code = code_at(secret.as_bytes(), app.platform.state.clock.now().unix(), 30, 6);
    let step2 = app.post_json("/api/v1/auth/login/mfa", &json!({"mfa_token": mfa_token, "code": code})).await;
    assert_eq!(step2.status, 401, "a challenge of the old password signs in: {}", step2.text);
    assert_eq!(step2.error().1, "invalid_token");
    // AND the new password still leads to a working challenge
    let fresh = app.post_json("/api/v1/auth/login", &json!({"email": EMAIL, "password": "a whole new passphrase"})).await;
    assert_eq!(fresh.json()["mfa_required"], true, "{}", fresh.text);
}

#[tokio::test]
async fn a_disabled_user_cannot_reset() {
    let app = spawn_app().await;
    app.signed_up(EMAIL, PASSWORD).await;
    assert_eq!(app.post_json("/api/v1/auth/password/forgot", &json!({"email": EMAIL})).await.status, 202);
    let token = app.token_from_email(EMAIL).await;
    let mut user = stored_user(&app).await;
    user.status = domain::user::UserStatus::Disabled;
    save_user(&app, &mut user).await;
    let before = stored_user(&app).await;
    let reply = app.post_json("/api/v1/auth/password/reset", &json!({"token": token, "password": "a whole new passphrase"})).await;
    assert_eq!(reply.status, 400, "a disabled user reset their password: {}", reply.text);
    assert_eq!(reply.error().1, "invalid_token");
    let after = stored_user(&app).await;
    assert_eq!((after.version, after.password_hash), (before.version, before.password_hash), "nothing written");
}

#[tokio::test]
async fn sign_ups_are_limited_per_ip() {
    let app = spawn_app().await;
    for n in 0..20 {
        // Refused bodies count too: the attempt is counted before it is evaluated.
        let reply = app
            .post_json("/api/v1/auth/signup", &json!({"email": format!("u{n}@example.com"), "password": PASSWORD, "name": "Ada", "organization": ""}))
            .await;
        assert_eq!(reply.status, 422, "attempt {n}: {}", reply.text);
    }
    let limited = app
        .post_json("/api/v1/auth/signup", &json!({"email": "late@example.com", "password": PASSWORD, "name": "Ada", "organization": "Engines"}))
        .await;
    assert_eq!(limited.status, 429, "the 21st sign-up of the hour: {}", limited.text);
    assert_eq!(limited.error().1, "rate_limited");
    let retry: u64 = limited.headers["retry-after"].to_str().expect("ascii").parse().expect("seconds");
    assert!(retry > 0 && retry <= 3600, "{retry}");
    app.post_json("/dev/clock", &json!({"advance_seconds": 3600})).await;
    let next_hour = app
        .post_json("/api/v1/auth/signup", &json!({"email": "late@example.com", "password": PASSWORD, "name": "Ada", "organization": "Engines"}))
        .await;
    assert_eq!(next_hour.status, 201, "{}", next_hour.text);
}

#[tokio::test]
async fn a_taken_address_is_refused_before_the_password_is_looked_at() {
    let app = spawn_app().await;
    app.signed_up(EMAIL, PASSWORD).await;
    let reply = app.post_json("/api/v1/auth/signup", &json!({"email": EMAIL, "password": "short", "name": "Ada", "organization": "Engines"})).await;
    assert_eq!(reply.status, 409, "the password was hashed (and judged) before the address was checked: {}", reply.text);
    assert_eq!(reply.error().1, "email_taken");
}

#[tokio::test]
async fn forgot_and_resend_answer_the_same_for_every_address() {
    let app = spawn_app().await;
    app.signed_up(EMAIL, PASSWORD).await;
    for path in ["/api/v1/auth/password/forgot", "/api/v1/auth/resend-verification"] {
        let known = app.post_json(path, &json!({"email": EMAIL})).await;
        let unknown = app.post_json(path, &json!({"email": "nobody@example.com"})).await;
        assert_eq!((known.status, known.text.clone()), (202, unknown.text.clone()), "{path}");
        assert_eq!(unknown.status, 202, "{path}");
    }
}

/// The `value` of the hidden input `name` in a page.
fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!(r#"name="{name}" value=""#);
    let start = html.find(&marker)? + marker.len();
    Some(html[start..].split('"').next()?.to_string())
}

fn sets_cookie(reply: &journeys::Reply, name: &str) -> bool {
    reply.headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).any(|v| v.starts_with(&format!("{name}=")))
}

async fn post_form(app: &TestApp, path: &str, cookie: &str, fields: &[(&str, &str)]) -> journeys::Reply {
    let body = serde_urlencoded_body(fields);
    app.send(app.client.post(app.url(path)).header("content-type", "application/x-www-form-urlencoded").header("cookie", cookie).body(body)).await
}

fn serde_urlencoded_body(fields: &[(&str, &str)]) -> String {
    let encode = |s: &str| s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect::<String>();
    fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

#[tokio::test]
async fn the_verify_page_sends_a_2fa_user_to_the_second_step() {
    let app = spawn_app().await;
    let secret = with_mfa(&app).await;
    let mut user = stored_user(&app).await;
    user.email_verified = false;
    save_user(&app, &mut user).await;
    app.post_json("/api/v1/auth/resend-verification", &json!({"email": EMAIL})).await;
    let token = app.token_from_email(EMAIL).await;
    let page = app.get(&format!("/auth/verify-email?token={token}")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let form_token = hidden_value(&page.text, "form_token").expect("a form token");
    let cookie = format!("dm_form={form_token}");
    let step = post_form(&app, "/auth/verify-email", &cookie, &[("form_token", &form_token), ("token", &token)]).await;
    assert_eq!(step.status, 200, "{}", step.text);
    assert!(!sets_cookie(&step, "dm_access"), "no session before the second factor");
    assert!(step.text.contains(r#"action="/auth/login/mfa""#), "{}", step.text);
    let mfa_token = hidden_value(&step.text, "mfa_token").expect("the challenge");
    let code = code_at(secret.as_bytes(), app.platform.state.clock.now().unix(), 30, 6);
    let signed_in = post_form(&app, "/auth/login/mfa", &cookie, &[("form_token", &form_token), ("mfa_token", &mfa_token), ("code", &code)]).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.text);
    assert!(sets_cookie(&signed_in, "dm_access"));
}
