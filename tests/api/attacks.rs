//! An attacker's checklist against the front door. Each attack is refused with the
//! contract's error shape — never a 5xx, never the data.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use journeys::session::Session;
use journeys::spawn_app;
use reqwest::Method;
use serde_json::json;
use web::auth::jwt::{AccessClaims, TokenSigner};

const PASSWORD: &str = "correct horse battery staple";

fn bearer(app: &journeys::TestApp, token: &str) -> reqwest::RequestBuilder {
    app.client.get(app.url("/api/v1/me")).header("authorization", format!("Bearer {token}"))
}

/// The access token the session holds, and its claims.
fn access_of(s: &Session) -> (String, serde_json::Value) {
    let token = s.cookie("dm_access").expect("signed in").to_string();
    let claims = token.split('.').nth(1).and_then(|c| URL_SAFE_NO_PAD.decode(c).ok()).expect("payload");
    (token, serde_json::from_slice(&claims).expect("claims"))
}

#[tokio::test]
async fn forged_tokens_are_refused() {
    let app = spawn_app().await;
    let s = app.signed_up("ada@example.com", PASSWORD).await;
    let (token, claims) = access_of(&s);
    assert_eq!(app.send(bearer(&app, &token)).await.status, 200, "the real token works");
    let parts: Vec<&str> = token.split('.').collect();

    // alg: none
    let none = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"at+jwt"}"#);
    let reply = app.send(bearer(&app, &format!("{none}.{}.", parts[1]))).await;
    assert_eq!((reply.status, reply.error().1.as_str()), (401, "invalid_token"));

    // HS256 signed with the public key or anything else
    let hs = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"at+jwt"}"#);
    assert_eq!(app.send(bearer(&app, &format!("{hs}.{}.{}", parts[1], parts[2]))).await.status, 401);

    // A token signed by another key, with the real key id
    let mut header: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    let other = TokenSigner::from_seed(&[9u8; 32]).unwrap();
    let forged_claims: AccessClaims = serde_json::from_value(claims.clone()).unwrap();
    let foreign = other.sign(&forged_claims).unwrap();
    let foreign_parts: Vec<&str> = foreign.split('.').collect();
    header["kid"] = json!(app.platform.auth.signer.kid());
    let spliced = format!("{}.{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), foreign_parts[1], foreign_parts[2]);
    assert_eq!(app.send(bearer(&app, &spliced)).await.status, 401);
    assert_eq!(app.send(bearer(&app, &foreign)).await.status, 401, "an unknown key id");

    // Tampered claims: promote yourself
    let mut tampered = claims.clone();
    tampered["role"] = json!("platform_admin");
    let tampered = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(tampered.to_string()), parts[2]);
    assert_eq!(app.send(bearer(&app, &tampered)).await.status, 401);

    // Not yet valid: signed by the real key with nbf in the future
    let mut early: AccessClaims = serde_json::from_value(claims.clone()).unwrap();
    early.nbf += 600;
    early.exp += 600;
    let early = app.platform.auth.signer.sign(&early).unwrap();
    assert_eq!(app.send(bearer(&app, &early)).await.status, 401);

    // Expired: 15 minutes later at the platform clock
    app.post_json("/dev/clock", &json!({"advance_seconds": 15 * 60})).await;
    let reply = app.send(bearer(&app, &token)).await;
    assert_eq!((reply.status, reply.error().1.as_str()), (401, "token_expired"));

    // Garbage of every shape
    for junk in ["", "x", "a.b.c", "Bearer", "dm_live_abc", &"A".repeat(10_000)] {
        let reply = app.send(bearer(&app, junk)).await;
        assert_eq!(reply.status, 401, "{junk:.20}");
    }
}

#[tokio::test]
async fn tokens_die_with_their_session() {
    let app = spawn_app().await;
    let mut s = app.signed_up("ada@example.com", PASSWORD).await;
    let (token, _) = access_of(&s);
    // After logout
    s.post(&app, "/api/v1/auth/logout", &json!({})).await;
    let reply = app.send(bearer(&app, &token)).await;
    assert_eq!((reply.status, reply.error().1.as_str()), (401, "session_revoked"));
    // After a password reset
    let mut s = Session::new();
    s.post(&app, "/api/v1/auth/login", &json!({"email": "ada@example.com", "password": PASSWORD})).await;
    let (token, _) = access_of(&s);
    let refresh = s.cookie("dm_refresh").unwrap().to_string();
    app.post_json("/api/v1/auth/password/forgot", &json!({"email": "ada@example.com"})).await;
    let reset = app.token_from_email("ada@example.com").await;
    app.post_json("/api/v1/auth/password/reset", &json!({"token": reset, "password": "another long passphrase"})).await;
    assert_eq!(app.send(bearer(&app, &token)).await.status, 401);
    let body_refresh = app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": refresh})).await;
    assert_eq!(body_refresh.status, 401, "the refresh token died too");
}

#[tokio::test]
async fn login_does_not_tell_which_half_was_wrong() {
    let app = spawn_app().await;
    app.signed_up("ada@example.com", PASSWORD).await;
    let no_user = app.post_json("/api/v1/auth/login", &json!({"email": "nobody@example.com", "password": PASSWORD})).await;
    let bad_password = app.post_json("/api/v1/auth/login", &json!({"email": "ada@example.com", "password": "wrong password!"})).await;
    let not_an_email = app.post_json("/api/v1/auth/login", &json!({"email": "nobody", "password": PASSWORD})).await;
    for reply in [&no_user, &bad_password, &not_an_email] {
        assert_eq!(reply.status, 401);
    }
    assert_eq!(no_user.json()["error"], bad_password.json()["error"]);
    assert_eq!(no_user.json()["error"], not_an_email.json()["error"]);
    // Forgot-password and resend answer the same for existing and unknown addresses.
    let known = app.post_json("/api/v1/auth/password/forgot", &json!({"email": "ada@example.com"})).await;
    let unknown = app.post_json("/api/v1/auth/password/forgot", &json!({"email": "nobody@example.com"})).await;
    assert_eq!((known.status, known.text.clone()), (unknown.status, unknown.text.clone()));
}

#[tokio::test]
async fn brute_force_is_rate_limited_per_account() {
    let app = spawn_app().await;
    app.signed_up("ada@example.com", PASSWORD).await;
    for attempt in 0..10 {
        let reply = app.post_json("/api/v1/auth/login", &json!({"email": "ada@example.com", "password": format!("guess {attempt}")})).await;
        assert_eq!(reply.status, 401, "attempt {attempt}");
    }
    let limited = app.post_json("/api/v1/auth/login", &json!({"email": "ada@example.com", "password": PASSWORD})).await;
    assert_eq!((limited.status, limited.error().1.as_str()), (429, "rate_limited"));
    let retry: u64 = limited.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 900, "{retry}");
    // The window passes at the platform clock, and the right password works again.
    app.post_json("/dev/clock", &json!({"advance_seconds": 901})).await;
    assert_eq!(app.post_json("/api/v1/auth/login", &json!({"email": "ada@example.com", "password": PASSWORD})).await.status, 200);
}

async fn sent(app: &journeys::TestApp) -> usize {
    let mailbox = app.get("/dev/mailbox?limit=100").await.json();
    mailbox["data"].as_array().unwrap().iter().filter(|m| m["subject"] == "Reset your password").count()
}

#[tokio::test]
async fn forgot_password_is_rate_limited_silently_per_address() {
    let app = spawn_app().await;
    app.signed_up("ada@example.com", PASSWORD).await;
    for _ in 0..7 {
        // Always 202, so the limit does not reveal whether the address has an account...
        assert_eq!(app.post_json("/api/v1/auth/password/forgot", &json!({"email": "ada@example.com"})).await.status, 202);
    }
    // ...but only five emails went out in the hour.
    assert_eq!(sent(&app).await, 5);
    app.post_json("/dev/clock", &json!({"advance_seconds": 3600})).await;
    app.post_json("/api/v1/auth/password/forgot", &json!({"email": "ada@example.com"})).await;
    assert_eq!(sent(&app).await, 6, "a new hour, a new allowance");
}

#[tokio::test]
async fn mfa_codes_cannot_be_guessed() {
    let app = spawn_app().await;
    let mut s = app.signed_up("ada@example.com", PASSWORD).await;
    let setup = s.post(&app, "/api/v1/me/mfa/totp", &json!({"password": PASSWORD})).await.json();
    let secret = domain::totp::TotpSecret::from_base32(setup["secret"].as_str().unwrap()).unwrap();
    let code = domain::totp::code_at(secret.as_bytes(), app.platform.state.clock.now().unix(), 30, 6);
    assert_eq!(s.post(&app, "/api/v1/me/mfa/totp/confirm", &json!({"password": PASSWORD, "code": code})).await.status, 200);
    let token = app.post_json("/api/v1/auth/login", &json!({"email": "ada@example.com", "password": PASSWORD})).await.json()["mfa_token"].clone();
    for guess in 0..5 {
        let reply = app.post_json("/api/v1/auth/login/mfa", &json!({"mfa_token": token, "code": format!("{guess:06}")})).await;
        assert_eq!(reply.status, 401, "guess {guess}");
    }
    // The token is dead after five wrong codes, even with the right one (API.md: a dead
    // `mfa_token` is 401 `invalid_token`).
    app.post_json("/dev/clock", &json!({"advance_seconds": 30})).await;
    let right = domain::totp::code_at(secret.as_bytes(), app.platform.state.clock.now().unix(), 30, 6);
    let reply = app.post_json("/api/v1/auth/login/mfa", &json!({"mfa_token": token, "code": right})).await;
    assert_eq!(reply.status, 401, "{}", reply.text);
    assert_eq!(reply.json()["error"]["code"], "invalid_token", "{}", reply.text);
}

#[tokio::test]
async fn emailed_tokens_work_once_and_expire() {
    let app = spawn_app().await;
    let mut s = Session::new();
    s.post(&app, "/api/v1/auth/signup", &json!({"email": "ada@example.com", "password": PASSWORD, "name": "Ada", "organization": "Acme"})).await;
    let verify = app.token_from_email("ada@example.com").await;
    // A verification link dies after 24 hours.
    app.post_json("/dev/clock", &json!({"advance_seconds": 24 * 3600})).await;
    let late = app.post_json("/api/v1/auth/verify-email", &json!({"token": verify})).await;
    assert_eq!((late.status, late.error().1.as_str()), (400, "invalid_token"));
    // A fresh one works once.
    app.post_json("/api/v1/auth/resend-verification", &json!({"email": "ada@example.com"})).await;
    let fresh = app.token_from_email("ada@example.com").await;
    assert_eq!(app.post_json("/api/v1/auth/verify-email", &json!({"token": fresh})).await.status, 200);
    assert_eq!(app.post_json("/api/v1/auth/verify-email", &json!({"token": fresh})).await.status, 400);
    // A reset link dies after an hour, and works once.
    app.post_json("/api/v1/auth/password/forgot", &json!({"email": "ada@example.com"})).await;
    let reset = app.token_from_email("ada@example.com").await;
    app.post_json("/dev/clock", &json!({"advance_seconds": 3600})).await;
    let expired = app.post_json("/api/v1/auth/password/reset", &json!({"token": reset, "password": "another long passphrase"})).await;
    assert_eq!(expired.status, 400);
    app.post_json("/api/v1/auth/password/forgot", &json!({"email": "ada@example.com"})).await;
    let reset = app.token_from_email("ada@example.com").await;
    assert_eq!(app.post_json("/api/v1/auth/password/reset", &json!({"token": reset, "password": "another long passphrase"})).await.status, 200);
    assert_eq!(app.post_json("/api/v1/auth/password/reset", &json!({"token": reset, "password": "yet another passphrase"})).await.status, 400);
    // Made-up tokens of every shape
    for junk in ["", "x", &"a".repeat(300), "../../etc", "tok\u{0}en"] {
        let reply = app.post_json("/api/v1/auth/verify-email", &json!({"token": junk})).await;
        assert_eq!(reply.status, 400, "{junk:.20}");
    }
}

#[tokio::test]
async fn emailed_links_ignore_the_host_header() {
    let app = spawn_app().await;
    app.signed_up("ada@example.com", PASSWORD).await;
    let reply = app
        .send(app.client.post(app.url("/api/v1/auth/password/forgot")).header("host", "evil.example").json(&json!({"email": "ada@example.com"})))
        .await;
    assert_eq!(reply.status, 202);
    let mail = app.last_email_to("ada@example.com").await;
    assert!(mail["links"][0].as_str().unwrap().starts_with("http://127.0.0.1:8080/auth/reset-password?token="), "{mail}");
    assert!(!mail["text"].as_str().unwrap().contains("evil.example"));
}

#[tokio::test]
async fn cookie_requests_need_the_csrf_header() {
    let app = spawn_app().await;
    let mut s = app.signed_up("ada@example.com", PASSWORD).await;
    s.send_csrf = false;
    let missing = s.request(&app, Method::PATCH, "/api/v1/me", Some(&json!({"name": "Mallory"}))).await;
    assert_eq!((missing.status, missing.error().1.as_str()), (403, "csrf_failed"));
    let wrong = s
        .request(&app, Method::PATCH, "/api/v1/me", Some(&json!({"name": "Mallory"})))
        .await;
    assert_eq!(wrong.status, 403);
    let forged = app
        .send(app.client.patch(app.url("/api/v1/me"))
            .header("cookie", format!("dm_access={}; dm_csrf=abc", s.cookie("dm_access").unwrap()))
            .header("x-csrf-token", "abd")
            .json(&json!({"name": "Mallory"})))
        .await;
    assert_eq!((forged.status, forged.error().1.as_str()), (403, "csrf_failed"));
    let refresh = s.post(&app, "/api/v1/auth/refresh", &json!({})).await;
    assert_eq!(refresh.status, 403, "refresh by cookie needs the header too");
    s.send_csrf = true;
    assert_eq!(s.get(&app, "/api/v1/me").await.json()["name"], "Ada Lovelace", "nothing was written");
    // A Bearer request needs no CSRF header.
    let token = s.cookie("dm_access").unwrap().to_string();
    let bearer = app
        .send(app.client.patch(app.url("/api/v1/me")).header("authorization", format!("Bearer {token}")).json(&json!({"name": "Ada B."})))
        .await;
    assert_eq!(bearer.status, 200);
}

#[tokio::test]
async fn patch_me_refuses_mass_assignment() {
    let app = spawn_app().await;
    let mut s = app.signed_up("ada@example.com", PASSWORD).await;
    for (field, value) in [("role", json!("platform_admin")), ("tenant_id", json!("ten_01jd0000000000000000000000")),
        ("email_verified", json!(true)), ("mfa_enabled", json!(false)), ("email", json!("x@example.com"))] {
        let reply = s.request(&app, Method::PATCH, "/api/v1/me", Some(&json!({ field: value }))).await;
        assert_eq!(reply.status, 400, "{field}: {}", reply.text);
        assert_eq!(reply.json()["error"]["field"], field);
    }
    let me = s.get(&app, "/api/v1/me").await.json();
    assert_eq!(me["role"], "tenant_admin");
}

#[tokio::test]
async fn weak_and_common_passwords_are_refused_at_signup() {
    let app = spawn_app().await;
    for (password, why) in [("short", "too short"), ("password123", "common"), (&"x".repeat(129) as &str, "too long")] {
        let reply = app
            .post_json("/api/v1/auth/signup", &json!({"email": "ada@example.com", "password": password, "name": "Ada", "organization": "Acme"}))
            .await;
        assert_eq!((reply.status, reply.json()["error"]["field"].clone()), (422, json!("password")), "{why}");
    }
    let taken = app.signed_up("ada@example.com", PASSWORD).await;
    drop(taken);
    let again = app
        .post_json("/api/v1/auth/signup", &json!({"email": "ADA@example.com", "password": PASSWORD, "name": "Ada", "organization": "Acme"}))
        .await;
    assert_eq!((again.status, again.error().1.as_str()), (409, "email_taken"));
}
