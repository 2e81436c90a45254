//! The sign-in limits under parallel requests (issue 9): an attempt is counted before it is
//! evaluated, so a burst gets no more evaluations than the limit; the second factor locks per
//! account; a refresh-token race ends the session; a session ends 30 days after sign-in.
use domain::totp::{TotpSecret, code_at};
use journeys::{Reply, TestApp, spawn_app};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";
const EMAIL: &str = "ada@example.com";

/// How many audit events of `action` the platform wrote: one per evaluated attempt.
async fn audited(app: &TestApp, action: &str) -> usize {
    let filter = store::audit::AuditFilter { action: Some(action.into()), ..Default::default() };
    let state = &app.platform.state;
    store::audit::list(state.store.as_ref(), &filter, 100, None, state.clock.now()).await.expect("the audit trail reads").events.len()
}

async fn emails_titled(app: &TestApp, subject: &str) -> usize {
    let mailbox = app.get("/dev/mailbox?limit=100").await.json();
    mailbox["data"].as_array().expect("a mailbox").iter().filter(|m| m["subject"] == subject && m["to"] == EMAIL).count()
}

/// `n` copies of the same POST at once, each in its own task: they reach the server together.
async fn burst(app: &TestApp, path: &str, bodies: Vec<Value>) -> Vec<Reply> {
    let tasks: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let request = app.client.post(app.url(path)).json(&body);
            tokio::spawn(async move {
                let response = request.send().await.expect("request reaches the server");
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                Reply { status, headers, text: response.text().await.expect("body") }
            })
        })
        .collect();
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.expect("task"));
    }
    replies
}

fn retry_after(reply: &Reply) -> u64 {
    reply.headers.get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("no Retry-After: {reply:?}"))
}

/// Ada, signed up with 2FA on; answers her TOTP secret.
async fn with_mfa(app: &TestApp) -> TotpSecret {
    let mut s = app.signed_up(EMAIL, PASSWORD).await;
    let setup = s.post(app, "/api/v1/me/mfa/totp", &json!({"password": PASSWORD})).await.json();
    let secret = TotpSecret::from_base32(setup["secret"].as_str().expect("a secret")).expect("base32");
    let code = code_at(secret.as_bytes(), app.platform.state.clock.now().unix(), 30, 6);
    assert_eq!(s.post(app, "/api/v1/me/mfa/totp/confirm", &json!({"password": PASSWORD, "code": code})).await.status, 200);
    // The next code must come from a later time step than the one that confirmed.
    app.post_json("/dev/clock", &json!({"advance_seconds": 30})).await;
    secret
}

fn right_code(app: &TestApp, secret: &TotpSecret) -> String {
    code_at(secret.as_bytes(), app.platform.state.clock.now().unix(), 30, 6)
}

/// A code that no step near now accepts.
fn wrong_code(app: &TestApp, secret: &TotpSecret) -> String {
    let now = app.platform.state.clock.now().unix();
    let near: Vec<String> = [-60, -30, 0, 30, 60].iter().map(|d| code_at(secret.as_bytes(), now + d, 30, 6)).collect();
    (0..).map(|n: u32| format!("{n:06}")).find(|c| !near.contains(c)).unwrap_or_default()
}

async fn mfa_token(app: &TestApp) -> Value {
    let reply = app.post_json("/api/v1/auth/login", &json!({"email": EMAIL, "password": PASSWORD})).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()["mfa_token"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_wrong_codes_lock_the_second_factor_of_the_account() {
    let app = spawn_app().await;
    let secret = with_mfa(&app).await;
    // Eleven challenges: ten to guess on (five codes each, the per-token limit), one kept.
    let mut tokens = Vec::new();
    for _ in 0..11 {
        tokens.push(mfa_token(&app).await);
    }
    let kept = tokens.pop().expect("eleven tokens");
    let wrong = wrong_code(&app, &secret);
    let bodies = (0..50).map(|i| json!({"mfa_token": tokens[i % 10], "code": wrong})).collect();
    let replies = burst(&app, "/api/v1/auth/login/mfa", bodies).await;
    for reply in &replies {
        let code = reply.error().1;
        assert!(
            matches!((reply.status, code.as_str()), (401, "invalid_code") | (401, "invalid_token") | (403, "mfa_locked")),
            "{}: {}",
            reply.status,
            reply.text
        );
    }

    // The right code, on a challenge never guessed on, is refused: the account is locked.
    let right = app.post_json("/api/v1/auth/login/mfa", &json!({"mfa_token": kept, "code": right_code(&app, &secret)})).await;
    assert_eq!((right.status, right.error().1.as_str()), (403, "mfa_locked"), "the right code after 50 wrong ones: {}", right.text);
    assert!((1..=900).contains(&retry_after(&right)));
    // At most ten codes were compared, however many raced.
    let evaluated = audited(&app, "session.mfa_failed").await;
    assert!(evaluated <= 10, "{evaluated} wrong codes were evaluated");
    // The right password does not open a new challenge either.
    let password = app.post_json("/api/v1/auth/login", &json!({"email": EMAIL, "password": PASSWORD})).await;
    assert_eq!((password.status, password.error().1.as_str()), (403, "mfa_locked"), "{}", password.text);
    assert!((1..=900).contains(&retry_after(&password)));
    // Told once, with one audit event.
    assert_eq!(emails_titled(&app, "Someone has your password").await, 1);
    assert_eq!(audited(&app, "session.mfa_locked").await, 1);

    // Fifteen minutes later the second factor works again.
    app.post_json("/dev/clock", &json!({"advance_seconds": 901})).await;
    let token = mfa_token(&app).await;
    let reply = app.post_json("/api/v1/auth/login/mfa", &json!({"mfa_token": token, "code": right_code(&app, &secret)})).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[tokio::test]
async fn a_dead_challenge_is_a_401_invalid_token() {
    let app = spawn_app().await;
    let secret = with_mfa(&app).await;
    let token = mfa_token(&app).await;
    let wrong = wrong_code(&app, &secret);
    for guess in 0..5 {
        let reply = app.post_json("/api/v1/auth/login/mfa", &json!({"mfa_token": token, "code": wrong})).await;
        assert_eq!((reply.status, reply.error().1.as_str()), (401, "invalid_code"), "guess {guess}");
    }
    let right = app.post_json("/api/v1/auth/login/mfa", &json!({"mfa_token": token, "code": right_code(&app, &secret)})).await;
    assert_eq!((right.status, right.error().1.as_str()), (401, "invalid_token"), "{}", right.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_wrong_passwords_gets_no_more_evaluations_than_the_limit() {
    let app = spawn_app().await;
    app.signed_up(EMAIL, PASSWORD).await;
    let bodies = (0..50).map(|i| json!({"email": EMAIL, "password": format!("wrong guess {i}")})).collect();
    let replies = burst(&app, "/api/v1/auth/login", bodies).await;
    let mut wrong = 0;
    for reply in &replies {
        match (reply.status, reply.error().1.as_str()) {
            (401, "invalid_credentials") => wrong += 1,
            (429, "rate_limited") => assert!((1..=900).contains(&retry_after(reply))),
            (status, code) => panic!("{status} {code}: {}", reply.text),
        }
    }
    assert!(wrong <= 10, "{wrong} of 50 parallel wrong passwords were evaluated");
    let evaluated = audited(&app, "session.login_failed").await;
    assert!(evaluated <= 10, "{evaluated} failed logins were evaluated");
    let right = app.post_json("/api/v1/auth/login", &json!({"email": EMAIL, "password": PASSWORD})).await;
    assert_eq!((right.status, right.error().1.as_str()), (429, "rate_limited"));

    // A new window: successes give their place back, only failures fill it.
    app.post_json("/dev/clock", &json!({"advance_seconds": 901})).await;
    for i in 0..9 {
        let reply = app.post_json("/api/v1/auth/login", &json!({"email": EMAIL, "password": format!("guess {i}")})).await;
        assert_eq!(reply.status, 401, "failure {i}");
    }
    for i in 0..3 {
        assert_eq!(app.post_json("/api/v1/auth/login", &json!({"email": EMAIL, "password": PASSWORD})).await.status, 200, "success {i}");
    }
    let tenth = app.post_json("/api/v1/auth/login", &json!({"email": EMAIL, "password": "guess 10"})).await;
    assert_eq!(tenth.status, 401, "the tenth failure is still evaluated");
    let eleventh = app.post_json("/api/v1/auth/login", &json!({"email": EMAIL, "password": PASSWORD})).await;
    assert_eq!(eleventh.status, 429);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_refreshes_of_one_token_end_the_session() {
    let app = spawn_app().await;
    app.signed_up(EMAIL, PASSWORD).await;
    for round in 0..3 {
        let login = app.post_json("/api/v1/auth/login", &json!({"email": EMAIL, "password": PASSWORD})).await;
        assert_eq!(login.status, 200);
        let mut s = journeys::session::Session::new();
        for value in login.headers.get_all("set-cookie") {
            let text = value.to_str().expect("ascii");
            if let Some((name, val)) = text.split(';').next().and_then(|p| p.split_once('=')) {
                s.cookies.insert(name.to_string(), val.to_string());
            }
        }
        let token = s.cookie("dm_refresh").expect("a refresh cookie").to_string();
        let access = s.cookie("dm_access").expect("an access cookie").to_string();
        let before = audited(&app, "session.refresh_reused").await;
        let replies = burst(&app, "/api/v1/auth/refresh", (0..8).map(|_| json!({"refresh_token": token})).collect()).await;
        let winners: Vec<&Reply> = replies.iter().filter(|r| r.status == 200).collect();
        assert!(winners.len() <= 1, "round {round}: {} refreshes of one token won", winners.len());
        let mut reused = 0;
        for reply in replies.iter().filter(|r| r.status != 200) {
            match (reply.status, reply.error().1.as_str()) {
                (401, "refresh_token_reused") => reused += 1,
                (401, "invalid_token") => {}
                (status, code) => panic!("round {round}: {status} {code}: {}", reply.text),
            }
        }
        // Every loser that was told "reused" ended the session, with its audit event.
        let events = audited(&app, "session.refresh_reused").await - before;
        assert!(events >= reused && reused > 0, "round {round}: {reused} answered reused, {events} audited");
        // The session is gone: the winner's new refresh token and the old access token are refused.
        if let Some(winner) = winners.first() {
            let fresh = winner.json()["refresh_token"].clone();
            let again = app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": fresh})).await;
            assert_eq!(again.status, 401, "round {round}: the winner's token outlived the race: {}", again.text);
        }
        let me = app.send(app.client.get(app.url("/api/v1/me")).header("authorization", format!("Bearer {access}"))).await;
        assert_eq!(me.status, 401, "round {round}: the session outlived the race");
    }
}

#[tokio::test]
async fn a_session_ends_thirty_days_after_sign_in_whatever_the_refreshes() {
    let app = spawn_app().await;
    app.signed_up(EMAIL, PASSWORD).await;
    let login = app.post_json("/api/v1/auth/login", &json!({"email": EMAIL, "password": PASSWORD})).await;
    let mut token = login
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("dm_refresh=").map(|rest| rest.split(';').next().unwrap_or("").to_string()))
        .expect("a refresh cookie");
    for day in [10, 20, 29] {
        app.post_json("/dev/clock", &json!({"advance_seconds": 10 * 86_400 - if day == 29 { 86_400 } else { 0 }})).await;
        let reply = app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": token})).await;
        assert_eq!(reply.status, 200, "day {day}: {}", reply.text);
        token = reply.json()["refresh_token"].as_str().expect("a new refresh token").to_string();
    }
    // Day 30 since sign-in: refreshed yesterday, but over.
    app.post_json("/dev/clock", &json!({"advance_seconds": 86_400})).await;
    let reply = app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": token})).await;
    assert_eq!(reply.status, 401, "day 30: {}", reply.text);
}

#[tokio::test]
async fn a_reset_password_is_announced_to_the_owner_by_email() {
    // GIVEN an account that asked for a reset
    let app = spawn_app().await;
    let email = "reset-notice@example.com";
    app.signed_up(email, "correct horse battery staple").await;
    assert_eq!(app.post_json("/api/v1/auth/password/forgot", &json!({"email": email})).await.status, 202);
    let token = app.token_from_email(email).await;
    // WHEN the password is reset
    let reply = app.post_json("/api/v1/auth/password/reset", &json!({"token": token, "password": "a whole new passphrase"})).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    // THEN the owner is told, with a way back in if it was not them
    let mail = app.last_email_to(email).await;
    assert_eq!(mail["subject"], "Your password was changed", "{mail}");
    assert!(mail["links"][0].as_str().is_some_and(|l| l.ends_with("/auth/forgot-password")), "{mail}");
}
