//! Bad input on any route: the contract's error shape, no panic, nothing written.
use journeys::spawn_app;
use serde_json::json;

#[tokio::test]
async fn malformed_json_answers_400_malformed_json() {
    let app = spawn_app().await;
    let before = app.platform.state.clock.now();
    for body in ["{", "not json", "{\"advance_seconds\": }", "\u{0}"] {
        let reply = app.post_raw("/dev/clock", "application/json", body).await;
        assert_eq!(reply.status, 400, "{body:?}: {}", reply.text);
        assert_eq!(reply.error(), ("invalid_request".into(), "malformed_json".into()), "{body:?}");
    }
    assert!(app.platform.state.clock.now().unix() - before.unix() < 5, "nothing moved the clock");
}

#[tokio::test]
async fn a_body_that_is_not_json_answers_415() {
    let app = spawn_app().await;
    let reply = app.post_raw("/dev/clock", "text/plain", r#"{"advance_seconds": 1}"#).await;
    assert_eq!(reply.status, 415);
    assert_eq!(reply.error(), ("invalid_request".into(), "unsupported_media_type".into()));
    let reply = app.send(app.client.post(app.url("/dev/clock")).body(r#"{"advance_seconds": 1}"#)).await;
    assert_eq!(reply.status, 415, "no content type at all");
}

#[tokio::test]
async fn unknown_fields_and_wrong_types_answer_400_invalid_field() {
    let app = spawn_app().await;
    let unknown = app.post_json("/dev/clock", &json!({"advance_seconds": 1, "rewind": true})).await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.error(), ("invalid_request".into(), "invalid_field".into()));
    assert_eq!(unknown.json()["error"]["field"], "rewind");
    let wrong_type = app.post_json("/dev/clock", &json!({"advance_seconds": "ten"})).await;
    assert_eq!(wrong_type.status, 400);
    assert_eq!(wrong_type.json()["error"]["field"], "advance_seconds");
    let missing = app.post_json("/dev/clock", &json!({})).await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.json()["error"]["field"], "advance_seconds");
}

#[tokio::test]
async fn a_body_over_one_mebibyte_answers_413() {
    let app = spawn_app().await;
    let huge = format!(r#"{{"advance_seconds": 1, "pad": "{}"}}"#, "x".repeat(1024 * 1024));
    let reply = app.post_raw("/dev/clock", "application/json", huge).await;
    assert_eq!(reply.status, 413);
    assert_eq!(reply.error(), ("invalid_request".into(), "payload_too_large".into()));
}

#[tokio::test]
async fn list_parameters_outside_their_domain_answer_400() {
    let app = spawn_app().await;
    for query in ["limit=0", "limit=101", "limit=abc", "limit=-1", "cursor=forged", "cursor=eyJrZXkiOnt9fQ"] {
        let reply = app.get(&format!("/dev/mailbox?{query}")).await;
        assert_eq!(reply.status, 400, "{query}: {}", reply.text);
        assert_eq!(reply.error().0, "invalid_request", "{query}");
    }
    assert_eq!(app.get("/dev/mailbox?limit=100").await.status, 200);
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_the_error_shape() {
    let app = spawn_app().await;
    let missing = app.get("/api/v1/nothing-here").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.error(), ("not_found".into(), "not_found".into()));
    let wrong = app.send(app.client.delete(app.url("/healthz"))).await;
    assert_eq!(wrong.status, 405);
    assert_eq!(wrong.error().1, "method_not_allowed");
}
