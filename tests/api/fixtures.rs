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

/// The functions whose fixtures this file drives; a new function must be added here.
const DRIVEN: &[&str] = &["auth", "health", "scheduler"];

#[test]
fn every_function_has_its_fixtures_driven_here() {
    let mut functions: Vec<String> = std::fs::read_dir(repo().join("functions"))
        .expect("functions/")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    functions.sort();
    assert_eq!(functions, DRIVEN, "add a driver for each new function below");
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
        let (state, _clock) = shared::testing::state();
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
        let (state, _clock) = shared::testing::state();
        let payload: serde_json::Value = serde_json::from_str(&fixture).expect("JSON");
        let report = scheduler::handle(&state, LambdaEvent::new(payload, Context::default()))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(report["job"], "billing-cycle", "{name}");
    }
}

#[tokio::test]
async fn the_scheduler_refuses_an_unknown_job() {
    let (state, _clock) = shared::testing::state();
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
        let (state, _clock) = shared::testing::state();
        let auth = auth::AuthState::new(state, b"fixture secret").await.expect("signer");
        let (status, body) = call_http(auth::router(auth), &fixture).await;
        let (want, code) = expected_auth(&name);
        assert_eq!(status, want, "{name}: {body}");
        if let Some(code) = code {
            assert_eq!(body["error"]["code"], code, "{name}");
        }
    }
}
