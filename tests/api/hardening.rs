//! Issue 9, items 11 and 12: the local-only routes cannot be reached from another machine or
//! triggered by another website, and access tokens are trusted only for the deployment's key
//! id, with no network call before a function serves.
use std::sync::Arc;

use axum::body::Body;
use http_body_util::BodyExt;
use journeys::spawn_app;
use serde_json::json;
use tower::ServiceExt;
use web::auth::jwt::{AccessClaims, TokenSigner};

const PASSWORD: &str = "correct horse battery staple";

async fn call(router: axum::Router, request: http::Request<Body>) -> (u16, String) {
    let response = router.oneshot(request).await.expect("the router answers");
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

fn get(path: &str) -> http::Request<Body> {
    http::Request::get(path).body(Body::empty()).expect("a request")
}

fn post(path: &str, content_type: Option<&str>, body: &str) -> http::Request<Body> {
    let mut request = http::Request::post(path);
    if let Some(ct) = content_type {
        request = request.header("content-type", ct);
    }
    request.body(Body::from(body.to_string())).expect("a request")
}

#[tokio::test]
async fn dev_routes_answer_404_unless_the_server_listens_on_loopback() {
    for listen in ["0.0.0.0:0", "192.0.2.7:8080", "[::]:0"] {
        // GIVEN a platform configured to listen on a non-loopback address
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = dotmac_local::LocalConfig::for_tests(dir.path().to_path_buf());
        config.listen = listen.parse().expect("an address");
        let (platform, _) = dotmac_local::Platform::open(config).await.expect("platform opens");
        // THEN the dev routes do not exist, and the rest is served
        for request in [
            get("/dev/mailbox"),
            post("/dev/clock", Some("application/json"), r#"{"advance_seconds": 60}"#),
            post("/dev/jobs/run", Some("application/json"), "{}"),
        ] {
            let path = request.uri().path().to_string();
            let (status, body) = call(platform.router(), request).await;
            assert_eq!(status, 404, "{listen} {path}: {body}");
        }
        let (status, body) = call(platform.router(), get("/healthz")).await;
        assert_eq!(status, 200, "{listen}: the rest is served: {body}");
    }
    // The IPv6 and IPv4-mapped loopbacks count as loopback.
    for listen in ["[::1]:0", "127.0.0.2:0"] {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = dotmac_local::LocalConfig::for_tests(dir.path().to_path_buf());
        config.listen = listen.parse().expect("an address");
        let (platform, _) = dotmac_local::Platform::open(config).await.expect("platform opens");
        let (status, body) = call(platform.router(), get("/dev/mailbox")).await;
        assert_eq!(status, 200, "{listen}: {body}");
    }
}

#[tokio::test]
async fn dev_posts_need_a_json_body_so_a_cross_site_form_cannot_trigger_them() {
    let app = spawn_app().await;
    let before = app.platform.state.clock.now();
    // What an HTML form on another site can send: the three form encodings, or nothing.
    for (content_type, body) in [
        ("application/x-www-form-urlencoded", "advance_seconds=86400"),
        ("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--\r\n"),
        ("text/plain", r#"{"advance_seconds": 86400}"#),
    ] {
        for path in ["/dev/clock", "/dev/jobs/run"] {
            let reply = app.post_raw(path, content_type, body).await;
            assert_eq!(reply.status, 415, "{path} with {content_type}: {}", reply.text);
            assert_eq!(reply.error(), ("invalid_request".into(), "unsupported_media_type".into()));
        }
    }
    let bare = app.send(app.client.post(app.url("/dev/jobs/run"))).await;
    assert_eq!(bare.status, 415, "no body at all: {}", bare.text);
    let not_json = app.post_raw("/dev/jobs/run", "application/json", "ran=all").await;
    assert_eq!(not_json.status, 400, "{}", not_json.text);
    // None of the form posts moved the clock by their day.
    assert!(app.platform.state.clock.now().unix() < before.unix() + 86_400, "the clock did not move");
    // And the JSON the tests and tools send still works.
    let ran = app.post_json("/dev/jobs/run", &json!({})).await;
    assert_eq!(ran.status, 200, "{}", ran.text);
}

#[tokio::test]
async fn a_token_signed_by_a_key_published_under_another_kid_is_refused() {
    // GIVEN a signed-in user, and a second key whose public half is in the table under its kid
    let app = spawn_app().await;
    let s = app.signed_up("ada@example.com", PASSWORD).await;
    let token = s.cookie("dm_access").expect("signed in").to_string();
    let me = |t: &str| app.client.get(app.url("/api/v1/me")).header("authorization", format!("Bearer {t}"));
    assert_eq!(app.send(me(&token)).await.status, 200, "the real token works");
    let other = TokenSigner::from_seed(&[42u8; 32]).expect("a key");
    assert_ne!(other.kid(), app.platform.auth.signer.kid());
    other.publish(app.platform.state.store.as_ref()).await.expect("published");
    // WHEN it signs the same claims (a live session) with its own kid
    let payload = token.split('.').nth(1).expect("a payload");
    let claims: AccessClaims = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload).expect("base64"),
    )
    .expect("claims");
    let forged = other.sign(&claims).expect("a token");
    // THEN it is refused: only the deployment's key id is trusted
    let reply = app.send(me(&forged)).await;
    assert_eq!(reply.status, 401, "a key published under another kid: {}", reply.text);
    assert_eq!(reply.error().1, "invalid_token");
}

/// An AppState whose table is a DynamoDB endpoint nobody listens on: every store call fails.
async fn unreachable_table() -> web::AppState {
    use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
    let (mut app, _clock) = web::testing::state();
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        // Port 1 on loopback: connection refused at once, as a table the network cannot reach.
        .endpoint_url("http://127.0.0.1:1")
        .build();
    let client = aws_sdk_dynamodb::Client::from_conf(config);
    app.store = Arc::new(adapters::dynamodb::DynamoDbStore::new(client, "dotmac", app.clock.clone()));
    app
}

#[tokio::test]
async fn the_auth_function_starts_when_its_table_is_unreachable() {
    // GIVEN the environment of a cold start whose table cannot be reached
    let app = unreachable_table().await;
    // WHEN the auth function builds its state and router as its `main` does before
    // `lambda_http::run` (before the fix, `main` called `AuthState::new`, which published the
    // key and so failed here)
    let started = auth::AuthState::derive(app, b"an auth secret");
    // THEN it starts (nothing touched the network), and a sign-in answers a clean 5xx
    let state = started.expect("the auth function starts with its table unreachable");
    let (status, body) = call(
        auth::router(state),
        post("/api/v1/auth/login", Some("application/json"), r#"{"email":"ada@example.com","password":"x"}"#),
    )
    .await;
    assert!(status == 500 || status == 503, "{status}: {body}");
    let body: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(body["error"]["type"], "internal", "{body}");
}

#[tokio::test]
async fn the_auth_function_refuses_to_start_with_a_key_id_that_is_not_its_own() {
    // The deployment's verifier trusts one key id; the auth secret must make that key.
    let (mut app, _clock) = web::testing::state();
    let kid = auth::AuthState::key_id(b"an auth secret").expect("a kid");
    app.tokens = web::auth::jwt::TokenVerifier::pinned(app.store.clone(), &kid).expect("a verifier");
    assert!(auth::AuthState::derive(app.clone(), b"an auth secret").is_ok());
    assert!(auth::AuthState::derive(app, b"another secret").is_err(), "a secret that makes another key");
}

#[tokio::test]
async fn the_first_token_signed_publishes_the_key_once() {
    // GIVEN an auth function that started without publishing anything
    let (app, _clock) = web::testing::state();
    let state = auth::AuthState::derive(app.clone(), b"an auth secret").expect("starts");
    let kid = state.signer.kid().to_string();
    let key = store::ports::item_store::Key::new("JWTKEY", format!("KID#{kid}"));
    assert!(app.store.get(&key).await.expect("read").is_none(), "nothing published at start");
    // WHEN it serves its first request
    let (status, body) = call(
        auth::router(state),
        post("/api/v1/auth/login", Some("application/json"), r#"{"email":"ada@example.com","password":"x"}"#),
    )
    .await;
    assert_eq!(status, 401, "{body}");
    // THEN the key is in the table for every function to verify with
    assert!(app.store.get(&key).await.expect("read").is_some(), "published on first use");
}
