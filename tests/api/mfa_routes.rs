//! The signed-in 2FA routes (`/api/v1/me/mfa*`) need the password AND a code, answer one
//! refusal whichever is wrong (no password oracle), count wrong attempts towards the
//! account's second-factor limit (then 403 `mfa_locked` with `Retry-After`), tell the user
//! by email when 2FA goes off or backup codes are renewed, and never let the setup secret
//! be cached.
use domain::totp::{TotpSecret, code_at};
use journeys::session::Session;
use journeys::{Reply, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "correct horse battery staple";
const WRONG_PASSWORD: &str = "not the password at all";

fn code_now(app: &TestApp, secret: &TotpSecret) -> String {
    code_at(secret.as_bytes(), app.platform.state.clock.now().unix(), 30, 6)
}

/// A code that no step near now accepts.
fn wrong_code(app: &TestApp, secret: &TotpSecret) -> String {
    let now = app.platform.state.clock.now().unix();
    let near: Vec<String> = [-60, -30, 0, 30, 60].iter().map(|d| code_at(secret.as_bytes(), now + d, 30, 6)).collect();
    (0..).map(|n: u32| format!("{n:06}")).find(|c| !near.contains(c)).unwrap_or_default()
}

fn refusal(reply: &Reply) -> (u16, String, String) {
    let body = reply.json();
    (reply.status, body["error"]["code"].as_str().unwrap_or_default().to_string(), body["error"]["message"].as_str().unwrap_or_default().to_string())
}

fn subjects(mailbox: &Value) -> Vec<String> {
    mailbox["data"].as_array().map(|m| m.iter().filter(|m| m["to"] == EMAIL).filter_map(|m| m["subject"].as_str().map(String::from)).collect()).unwrap_or_default()
}

/// Ada, signed up with 2FA on (through the routes, with her password); her session, her
/// secret and her backup codes. The clock is moved past the step that confirmed.
async fn with_mfa(app: &TestApp) -> (Session, TotpSecret, Vec<String>) {
    let mut s = app.signed_up(EMAIL, PASSWORD).await;
    let setup = s.post(app, "/api/v1/me/mfa/totp", &json!({"password": PASSWORD})).await;
    assert_eq!(setup.status, 200, "{}", setup.text);
    let secret = TotpSecret::from_base32(setup.json()["secret"].as_str().unwrap_or_default()).expect("base32");
    let confirm = s.post(app, "/api/v1/me/mfa/totp/confirm", &json!({"password": PASSWORD, "code": code_now(app, &secret)})).await;
    assert_eq!(confirm.status, 200, "{}", confirm.text);
    let codes = confirm.json()["backup_codes"].as_array().map(|a| a.iter().filter_map(|c| c.as_str().map(String::from)).collect()).unwrap_or_default();
    app.post_json("/dev/clock", &json!({"advance_seconds": 30})).await;
    (s, secret, codes)
}

#[tokio::test]
async fn setup_needs_the_password_and_its_secret_is_never_cached() {
    let app = spawn_app().await;
    let mut s = app.signed_up(EMAIL, PASSWORD).await;
    // No password: refused, and no secret handed out.
    let bare = s.post(&app, "/api/v1/me/mfa/totp", &json!({})).await;
    assert!(bare.status == 400 || bare.status == 422, "setup without a password: {}", bare.status);
    let wrong = s.post(&app, "/api/v1/me/mfa/totp", &json!({"password": WRONG_PASSWORD})).await;
    assert_eq!(refusal(&wrong).0, 401, "{}", wrong.text);
    assert_eq!(refusal(&wrong).1, "invalid_credentials");
    let setup = s.post(&app, "/api/v1/me/mfa/totp", &json!({"password": PASSWORD})).await;
    assert_eq!(setup.status, 200, "{}", setup.text);
    assert_eq!(setup.headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"), "the secret is never cached");
    let secret = TotpSecret::from_base32(setup.json()["secret"].as_str().unwrap_or_default()).expect("base32");

    // Confirm needs the password too; a wrong one and a wrong code are one answer.
    let code = code_now(&app, &secret);
    let no_password = s.post(&app, "/api/v1/me/mfa/totp/confirm", &json!({"code": code})).await;
    assert!(no_password.status == 400 || no_password.status == 422, "confirm without a password: {} {}", no_password.status, no_password.text);
    let bad_password = s.post(&app, "/api/v1/me/mfa/totp/confirm", &json!({"password": WRONG_PASSWORD, "code": code})).await;
    let bad_code = s.post(&app, "/api/v1/me/mfa/totp/confirm", &json!({"password": PASSWORD, "code": wrong_code(&app, &secret)})).await;
    assert_eq!(refusal(&bad_password), refusal(&bad_code), "one answer whichever is wrong");
    assert_eq!((refusal(&bad_code).0, refusal(&bad_code).1.as_str()), (401, "invalid_credentials"));
    assert_eq!(s.get(&app, "/api/v1/me").await.json()["mfa_enabled"], false, "still off");
    let ok = s.post(&app, "/api/v1/me/mfa/totp/confirm", &json!({"password": PASSWORD, "code": code})).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(s.get(&app, "/api/v1/me").await.json()["mfa_enabled"], true);
}

#[tokio::test]
async fn turning_2fa_off_is_no_password_oracle_and_is_limited_and_told() {
    let app = spawn_app().await;
    let (mut s, secret, _) = with_mfa(&app).await;
    let wrong_password = s.request(&app, Method::DELETE, "/api/v1/me/mfa", Some(&json!({"password": WRONG_PASSWORD, "code": code_now(&app, &secret)}))).await;
    let bad_code = s.request(&app, Method::DELETE, "/api/v1/me/mfa", Some(&json!({"password": PASSWORD, "code": wrong_code(&app, &secret)}))).await;
    assert_eq!(refusal(&wrong_password), refusal(&bad_code), "a wrong password and a wrong code answer alike");
    assert_eq!((refusal(&bad_code).0, refusal(&bad_code).1.as_str()), (401, "invalid_credentials"));

    // Ten wrong attempts in all (two above) and the account's second factor is locked,
    // even for the right password and code.
    for n in 2..10 {
        let reply = s.request(&app, Method::DELETE, "/api/v1/me/mfa", Some(&json!({"password": PASSWORD, "code": wrong_code(&app, &secret)}))).await;
        assert!(reply.status == 401 || (n == 9 && reply.status == 403), "attempt {n}: {} {}", reply.status, reply.text);
    }
    let locked = s.request(&app, Method::DELETE, "/api/v1/me/mfa", Some(&json!({"password": PASSWORD, "code": code_now(&app, &secret)}))).await;
    assert_eq!((locked.status, refusal(&locked).1.as_str()), (403, "mfa_locked"), "{}", locked.text);
    assert!(locked.headers.get("retry-after").is_some(), "the lock says how long");
    assert_eq!(s.get(&app, "/api/v1/me").await.json()["mfa_enabled"], true, "still on");

    // After the lock, the right password and code turn it off, and Ada is told.
    app.post_json("/dev/clock", &json!({"advance_seconds": 16 * 60})).await;
    let refreshed = s.post(&app, "/api/v1/auth/refresh", &json!({})).await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    let off = s.request(&app, Method::DELETE, "/api/v1/me/mfa", Some(&json!({"password": PASSWORD, "code": code_now(&app, &secret)}))).await;
    assert_eq!(off.status, 204, "{}", off.text);
    assert_eq!(s.get(&app, "/api/v1/me").await.json()["mfa_enabled"], false);
    let mail = app.last_email_to(EMAIL).await;
    assert!(mail["subject"].as_str().unwrap_or_default().to_lowercase().contains("two-factor authentication is off"), "{mail}");
}

#[tokio::test]
async fn new_backup_codes_need_the_password_and_a_code_and_guesses_are_limited() {
    let app = spawn_app().await;
    let (mut s, secret, old_codes) = with_mfa(&app).await;
    // A code alone is not enough any more.
    let code_only = s.post(&app, "/api/v1/me/mfa/backup-codes", &json!({"code": code_now(&app, &secret)})).await;
    assert!(code_only.status == 400 || code_only.status == 422, "backup codes without a password: {} {}", code_only.status, code_only.text);
    let wrong_password = s.post(&app, "/api/v1/me/mfa/backup-codes", &json!({"password": WRONG_PASSWORD, "code": code_now(&app, &secret)})).await;
    let wrong = s.post(&app, "/api/v1/me/mfa/backup-codes", &json!({"password": PASSWORD, "code": wrong_code(&app, &secret)})).await;
    assert_eq!(refusal(&wrong_password), refusal(&wrong), "one answer whichever is wrong");
    assert_eq!((refusal(&wrong).0, refusal(&wrong).1.as_str()), (401, "invalid_credentials"));
    // A backup code cannot mint new ones, and counts as a wrong code.
    let backup = s.post(&app, "/api/v1/me/mfa/backup-codes", &json!({"password": PASSWORD, "code": old_codes[0]})).await;
    assert_eq!(refusal(&backup), refusal(&wrong));

    // The right pair works and Ada is told.
    let fresh = s.post(&app, "/api/v1/me/mfa/backup-codes", &json!({"password": PASSWORD, "code": code_now(&app, &secret)})).await;
    assert_eq!(fresh.status, 200, "{}", fresh.text);
    assert_eq!(fresh.json()["backup_codes"].as_array().map(Vec::len), Some(10));
    let mailbox = app.get("/dev/mailbox?limit=100").await.json();
    assert!(subjects(&mailbox).iter().any(|s| s.to_lowercase().contains("backup codes")), "{:?}", subjects(&mailbox));

    // Guessing: the wrong ones above (3) plus seven more reach the limit; then locked.
    app.post_json("/dev/clock", &json!({"advance_seconds": 30})).await;
    let mut last = None;
    for _ in 0..8 {
        last = Some(s.post(&app, "/api/v1/me/mfa/backup-codes", &json!({"password": PASSWORD, "code": wrong_code(&app, &secret)})).await);
    }
    let last = last.expect("a reply");
    assert_eq!((last.status, refusal(&last).1.as_str()), (403, "mfa_locked"), "{}", last.text);
    assert!(last.headers.get("retry-after").is_some(), "the lock says how long");
    let right = s.post(&app, "/api/v1/me/mfa/backup-codes", &json!({"password": PASSWORD, "code": code_now(&app, &secret)})).await;
    assert_eq!((right.status, refusal(&right).1.as_str()), (403, "mfa_locked"), "locked even for the right pair");
    // The lock holds at sign-in as well: the same per-account second factor.
    let login = app.post_json("/api/v1/auth/login", &json!({"email": EMAIL, "password": PASSWORD})).await;
    assert_eq!((login.status, refusal(&login).1.as_str()), (403, "mfa_locked"), "{}", login.text);
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A browser signed in as `session`, posting the security page's forms.
async fn post_page(app: &TestApp, session: &Session, path: &str, fields: &[(&str, &str)]) -> Reply {
    let cookie = session.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let body = fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
    let request = app.client.post(app.url(path)).header("content-type", "application/x-www-form-urlencoded").header("cookie", cookie).body(body);
    app.send(request).await
}

/// The signed-in forms' `csrf_token`, as the security page embeds it.
async fn page_csrf(app: &TestApp, session: &Session) -> String {
    let cookie = session.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let page = app.send(app.client.get(app.url("/auth/security")).header("cookie", cookie)).await;
    assert_eq!(page.status, 200);
    let marker = r#"name="csrf_token" value=""#;
    let start = page.text.find(marker).map(|at| at + marker.len()).unwrap_or_else(|| panic!("no csrf_token in {}", page.text));
    page.text[start..].split('"').next().unwrap_or_default().to_string()
}

/// The security page's forms send the password with the code, and say one thing whichever
/// of the two is wrong.
#[tokio::test]
async fn the_security_page_forms_send_the_password_too() {
    let app = spawn_app().await;
    let s = app.signed_up(EMAIL, PASSWORD).await;
    let csrf = page_csrf(&app, &s).await;

    // Turning 2FA on asks for the password first.
    let wrong = post_page(&app, &s, "/auth/security/mfa/start", &[("csrf_token", &csrf), ("password", WRONG_PASSWORD)]).await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.text.contains("That password is wrong."), "told beside the field");
    let setup = post_page(&app, &s, "/auth/security/mfa/start", &[("csrf_token", &csrf), ("password", PASSWORD)]).await;
    assert_eq!(setup.status, 200);
    assert!(setup.text.contains("Scan this QR code"));
    assert_eq!(setup.headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"), "the page with the secret is never cached");
    assert!(setup.text.contains(r#"name="password""#), "the confirm form asks for the password");
    let key: String = setup.text.split(r#"<p class="secret">"#).nth(1).and_then(|t| t.split('<').next()).unwrap_or_default().split_whitespace().collect();
    let secret = TotpSecret::from_base32(&key).expect("the key on the page");
    let on = post_page(&app, &s, "/auth/security/mfa/confirm", &[("csrf_token", &csrf), ("code", &code_now(&app, &secret)), ("password", PASSWORD)]).await;
    assert_eq!(on.status, 200);
    assert!(on.text.contains("Save these backup codes now"));

    // New backup codes: both, one refusal for either.
    app.post_json("/dev/clock", &json!({"advance_seconds": 30})).await;
    let page = post_page(&app, &s, "/auth/security/mfa/backup-codes", &[("csrf_token", &csrf), ("password", WRONG_PASSWORD), ("code", &code_now(&app, &secret))]).await;
    assert_eq!(page.status, 401);
    assert!(page.text.contains("The password or the code is wrong."));
    let fresh = post_page(&app, &s, "/auth/security/mfa/backup-codes", &[("csrf_token", &csrf), ("password", PASSWORD), ("code", &code_now(&app, &secret))]).await;
    assert_eq!(fresh.status, 200);
    assert!(fresh.text.contains("Your new backup codes"));

    // Turning it off: a wrong password and a wrong code read the same.
    app.post_json("/dev/clock", &json!({"advance_seconds": 30})).await;
    let by_password = post_page(&app, &s, "/auth/security/mfa/disable", &[("csrf_token", &csrf), ("password", WRONG_PASSWORD), ("code", &code_now(&app, &secret))]).await;
    let by_code = post_page(&app, &s, "/auth/security/mfa/disable", &[("csrf_token", &csrf), ("password", PASSWORD), ("code", &wrong_code(&app, &secret))]).await;
    assert_eq!((by_password.status, by_code.status), (401, 401));
    for page in [&by_password, &by_code] {
        assert!(page.text.contains("The password or the code is wrong."));
        assert!(!page.text.contains("off-password-error") && !page.text.contains("off-code-error"), "naming neither field");
    }
    let off = post_page(&app, &s, "/auth/security/mfa/disable", &[("csrf_token", &csrf), ("password", PASSWORD), ("code", &code_now(&app, &secret))]).await;
    assert_eq!((off.status, off.headers.get("location").and_then(|v| v.to_str().ok())), (303, Some("/auth/security?notice=mfa_off")));
}
