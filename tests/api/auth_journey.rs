//! The front door, end to end over HTTP: sign-up → emailed link → verified and signed in →
//! logout → login → refresh rotation → reuse detection → forgot/reset → TOTP → backup codes.
use journeys::session::Session;
use journeys::spawn_app;
use serde_json::json;
use domain::totp;

const PASSWORD: &str = "correct horse battery staple";

#[tokio::test]
async fn the_whole_sign_in_journey_works_and_refuses_what_it_should() {
    let app = spawn_app().await;
    let email = "ada@example.com";

    // GIVEN a sign-up
    let mut browser = Session::new();
    let signup = browser
        .post(&app, "/api/v1/auth/signup", &json!({"email": email, "password": PASSWORD, "name": "Ada", "organization": "Engines Ltd"}))
        .await;
    assert_eq!(signup.status, 201, "{}", signup.text);
    let body = signup.json();
    assert_eq!(body["user"]["role"], "tenant_admin");
    assert_eq!(body["user"]["email_verified"], false);
    assert_eq!(body["tenant"]["slug"], "engines-ltd");
    let tenant_id = body["tenant"]["id"].as_str().unwrap().to_string();
    assert!(body["user"].get("password_hash").is_none(), "the hash never leaves the server");

    // AND an unverified login is refused
    let early = Session::new().post(&app, "/api/v1/auth/login", &json!({"email": email, "password": PASSWORD})).await;
    assert_eq!((early.status, early.error().1.as_str()), (403, "email_not_verified"));

    // WHEN the emailed link's token is used, the user is verified and signed in
    let mail = app.last_email_to(email).await;
    assert!(mail["links"][0].as_str().unwrap().starts_with("http://127.0.0.1:8080/auth/verify-email?token="));
    let token = app.token_from_email(email).await;
    let verified = browser.post(&app, "/api/v1/auth/verify-email", &json!({"token": token})).await;
    assert_eq!(verified.status, 200, "{}", verified.text);
    for cookie in ["dm_access", "dm_refresh", "dm_csrf"] {
        assert!(browser.cookie(cookie).is_some(), "{cookie} set");
    }
    let me = browser.get(&app, "/api/v1/me").await;
    assert_eq!((me.status, me.json()["email_verified"].clone()), (200, json!(true)));
    // The token worked once.
    let again = Session::new().post(&app, "/api/v1/auth/verify-email", &json!({"token": token})).await;
    assert_eq!((again.status, again.error().1.as_str()), (400, "invalid_token"));

    // Logout ends the session: the old access token is refused at once
    let stale = browser.clone();
    assert_eq!(browser.post(&app, "/api/v1/auth/logout", &json!({})).await.status, 204);
    assert!(browser.cookie("dm_access").is_none(), "cookies cleared");
    let mut stale = stale;
    let refused = stale.get(&app, "/api/v1/me").await;
    assert_eq!((refused.status, refused.error().1.as_str()), (401, "session_revoked"));

    // Login, then refresh rotates the refresh token
    let login = browser.post(&app, "/api/v1/auth/login", &json!({"email": email, "password": PASSWORD})).await;
    assert_eq!(login.status, 200, "{}", login.text);
    assert_eq!(login.json()["user"]["email"], email);
    let first_refresh = browser.cookie("dm_refresh").unwrap().to_string();
    let rotated = browser.post(&app, "/api/v1/auth/refresh", &json!({})).await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let second_refresh = browser.cookie("dm_refresh").unwrap().to_string();
    assert_ne!(first_refresh, second_refresh);
    assert_eq!(browser.get(&app, "/api/v1/me").await.status, 200);

    // Presenting the rotated-away token again revokes the whole family
    let mut thief = browser.clone();
    thief.cookies.insert("dm_refresh".into(), first_refresh);
    let reuse = thief.post(&app, "/api/v1/auth/refresh", &json!({})).await;
    assert_eq!((reuse.status, reuse.error().1.as_str()), (401, "refresh_token_reused"));
    let after_reuse = browser.get(&app, "/api/v1/me").await;
    assert_eq!(after_reuse.status, 401, "every access token of the family is refused");
    let after_reuse_refresh = browser.post(&app, "/api/v1/auth/refresh", &json!({})).await;
    assert_eq!(after_reuse_refresh.status, 401, "and its newest refresh token too");

    // Forgot/reset revokes every session
    let mut laptop = Session::new();
    laptop.post(&app, "/api/v1/auth/login", &json!({"email": email, "password": PASSWORD})).await;
    let mut phone = Session::new();
    phone.post(&app, "/api/v1/auth/login", &json!({"email": email, "password": PASSWORD})).await;
    assert_eq!(phone.get(&app, "/api/v1/me").await.status, 200);
    let forgot = Session::new().post(&app, "/api/v1/auth/password/forgot", &json!({"email": email})).await;
    assert_eq!(forgot.status, 202);
    let reset_token = app.token_from_email(email).await;
    let new_password = "a whole new passphrase";
    let reset = Session::new().post(&app, "/api/v1/auth/password/reset", &json!({"token": reset_token, "password": new_password})).await;
    assert_eq!(reset.status, 200, "{}", reset.text);
    assert_eq!(laptop.get(&app, "/api/v1/me").await.status, 401);
    assert_eq!(phone.get(&app, "/api/v1/me").await.status, 401);
    let old = Session::new().post(&app, "/api/v1/auth/login", &json!({"email": email, "password": PASSWORD})).await;
    assert_eq!(old.status, 401);
    let mut user = Session::new();
    assert_eq!(user.post(&app, "/api/v1/auth/login", &json!({"email": email, "password": new_password})).await.status, 200);

    // TOTP setup with a code computed here
    let setup = user.post(&app, "/api/v1/me/mfa/totp", &json!({"password": new_password})).await;
    assert_eq!(setup.status, 200, "{}", setup.text);
    let setup = setup.json();
    assert!(setup["otpauth_uri"].as_str().unwrap().starts_with("otpauth://totp/"));
    assert!(setup["qr_svg"].as_str().unwrap().contains("<svg"));
    let secret = totp::TotpSecret::from_base32(setup["secret"].as_str().unwrap()).expect("base32 secret");
    let code_now = |app: &journeys::TestApp| totp::code_at(secret_bytes(&secret), app.platform.state.clock.now().unix(), 30, 6);
    let wrong = user.post(&app, "/api/v1/me/mfa/totp/confirm", &json!({"password": new_password, "code": "000000"})).await;
    assert_eq!(wrong.status, 401);
    let confirm = user.post(&app, "/api/v1/me/mfa/totp/confirm", &json!({"password": new_password, "code": code_now(&app)})).await;
    assert_eq!(confirm.status, 200, "{}", confirm.text);
    let backup_codes: Vec<String> =
        confirm.json()["backup_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
    assert_eq!(backup_codes.len(), 10);
    assert_eq!(user.get(&app, "/api/v1/me").await.json()["mfa_enabled"], true);

    // Login now needs the second factor, and sets no cookie before it
    app.post_json("/dev/clock", &json!({"advance_seconds": 30})).await;
    let mut next = Session::new();
    let step1 = next.post(&app, "/api/v1/auth/login", &json!({"email": email, "password": new_password})).await;
    assert_eq!(step1.status, 200);
    assert_eq!(step1.json()["mfa_required"], true);
    assert!(next.cookie("dm_access").is_none());
    let mfa_token = step1.json()["mfa_token"].as_str().unwrap().to_string();
    let code = code_now(&app);
    let step2 = next.post(&app, "/api/v1/auth/login/mfa", &json!({"mfa_token": mfa_token, "code": code})).await;
    assert_eq!(step2.status, 200, "{}", step2.text);
    assert!(next.cookie("dm_access").is_some());

    // The same code is refused the second time
    let mut replay = Session::new();
    let token2 = replay.post(&app, "/api/v1/auth/login", &json!({"email": email, "password": new_password})).await.json()["mfa_token"].clone();
    let replayed = replay.post(&app, "/api/v1/auth/login/mfa", &json!({"mfa_token": token2, "code": code})).await;
    assert_eq!((replayed.status, replayed.error().1.as_str()), (401, "invalid_code"));

    // A backup code works once
    let backup = &backup_codes[3];
    let used = replay.post(&app, "/api/v1/auth/login/mfa", &json!({"mfa_token": token2, "backup_code": backup})).await;
    assert_eq!(used.status, 200, "{}", used.text);
    let mut again = Session::new();
    let token3 = again.post(&app, "/api/v1/auth/login", &json!({"email": email, "password": new_password})).await.json()["mfa_token"].clone();
    let reused = again.post(&app, "/api/v1/auth/login/mfa", &json!({"mfa_token": token3, "backup_code": backup})).await;
    assert_eq!(reused.status, 401);
    let other = again.post(&app, "/api/v1/auth/login/mfa", &json!({"mfa_token": token3, "backup_code": backup_codes[4]})).await;
    assert_eq!(other.status, 200, "another unused code still works");

    // Every change left an audit event in the tenant's trail
    let trail = app
        .platform
        .state
        .store
        .query(store::ports::item_store::Query::table(format!("AUDIT#{tenant_id}")).limit(200))
        .await
        .unwrap();
    let actions: Vec<String> = trail.items.iter().map(|i| i.get_str("action").unwrap().to_string()).collect();
    for action in ["user.signup", "user.email_verified", "session.logout", "session.login", "session.refresh_reused",
        "user.password_reset_requested", "user.password_reset", "mfa.setup_started", "mfa.enabled", "session.mfa_failed", "session.login_failed"] {
        assert!(actions.iter().any(|a| a == action), "no {action} in {actions:?}");
    }
}

fn secret_bytes(secret: &totp::TotpSecret) -> &[u8] {
    secret.as_bytes()
}

#[tokio::test]
async fn sessions_are_listed_and_one_can_be_ended() {
    let app = spawn_app().await;
    let mut first = app.signed_up("grace@example.com", PASSWORD).await;
    let mut second = Session::new();
    second.post(&app, "/api/v1/auth/login", &json!({"email": "grace@example.com", "password": PASSWORD})).await;
    let list = first.get(&app, "/api/v1/me/sessions").await;
    assert_eq!(list.status, 200);
    let data = list.json()["data"].as_array().unwrap().clone();
    assert_eq!(data.len(), 2);
    assert_eq!(data.iter().filter(|s| s["current"] == true).count(), 1);
    let other = data.iter().find(|s| s["current"] == false).unwrap()["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/me/sessions/{other}");
    assert_eq!(first.request(&app, reqwest::Method::DELETE, &path, None).await.status, 204);
    assert_eq!(second.get(&app, "/api/v1/me").await.status, 401);
    assert_eq!(first.request(&app, reqwest::Method::DELETE, &path, None).await.status, 404);
}

#[tokio::test]
async fn profile_changes_are_limited_to_the_name() {
    let app = spawn_app().await;
    let mut ada = app.signed_up("ada@example.com", PASSWORD).await;
    let renamed = ada.request(&app, reqwest::Method::PATCH, "/api/v1/me", Some(&json!({"name": "Countess Ada"}))).await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(renamed.json()["name"], "Countess Ada");
    let control = ada.request(&app, reqwest::Method::PATCH, "/api/v1/me", Some(&json!({"name": "Ada\u{0007}"}))).await;
    assert_eq!((control.status, control.json()["error"]["field"].clone()), (422, json!("name")));
}
