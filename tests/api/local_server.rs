//! The local server as a newcomer meets it: health, the API document, the dev routes, and
//! data that survives a restart.
use journeys::spawn_app;
use serde_json::json;

#[tokio::test]
async fn healthz_answers_ok() {
    let app = spawn_app().await;
    let reply = app.get("/healthz").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), json!({"status": "ok"}));
    assert!(reply.headers.get("x-request-id").is_some(), "every response carries a request id");
}

#[tokio::test]
async fn the_openapi_document_is_openapi_3_1_and_lists_the_routes() {
    let app = spawn_app().await;
    let reply = app.get("/api/v1/openapi.json").await;
    assert_eq!(reply.status, 200);
    let doc = reply.json();
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", doc["openapi"]);
    assert!(doc["paths"]["/healthz"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/openapi.json"]["get"].is_object());
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object(), "the error shape is documented");
    // Local-only routes never appear in the platform's contract.
    assert!(doc["paths"].as_object().is_some_and(|p| p.keys().all(|k| !k.starts_with("/dev"))));
}

#[tokio::test]
async fn data_survives_a_restart_on_the_same_data_dir() {
    // GIVEN a platform that sent an email and moved its clock a day ahead
    let app = spawn_app().await;
    let mail = store::ports::mailer::OutgoingEmail {
        to: domain::email::Email::parse("ada@example.com").unwrap(),
        subject: "Kept across restarts".into(),
        text: "Open http://127.0.0.1:8080/auth/verify-email?token=abc".into(),
        html: "<p>Open</p>".into(),
    };
    app.platform.state.mailer.send(&mail).await.unwrap();
    let advanced = app.post_json("/dev/clock", &json!({"advance_seconds": 86_400})).await;
    assert_eq!(advanced.status, 200, "{}", advanced.text);
    let then = domain::time::Timestamp::parse(advanced.json()["now"].as_str().unwrap()).unwrap();
    // WHEN the server restarts on the same data dir
    let app = app.restart().await;
    // THEN the mail, the clock and the seeded admin are still there
    let mailbox = app.get("/dev/mailbox").await.json();
    assert_eq!(mailbox["data"][0]["subject"], "Kept across restarts");
    assert_eq!(mailbox["data"][0]["links"][0], "http://127.0.0.1:8080/auth/verify-email?token=abc");
    assert!(app.platform.state.clock.now() >= then, "the clock did not go back");
    let admin = store::repo::users::find_by_email(
        app.platform.state.store.as_ref(),
        &domain::email::Email::parse("admin@dotmac.local").unwrap(),
    )
    .await
    .unwrap()
    .expect("the seeded admin is still there");
    assert_eq!(admin.role, domain::user::Role::PlatformAdmin);
    assert!(admin.email_verified);
    assert!(domain::password::verify("admin-password-for-tests", admin.password_hash.as_deref().unwrap()));
}

#[tokio::test]
async fn the_mailbox_lists_newest_first_and_pages() {
    let app = spawn_app().await;
    for n in 0..3 {
        let mail = store::ports::mailer::OutgoingEmail {
            to: domain::email::Email::parse("ada@example.com").unwrap(),
            subject: format!("mail {n}"),
            text: "hello".into(),
            html: "<p>hello</p>".into(),
        };
        app.platform.state.mailer.send(&mail).await.unwrap();
    }
    let first = app.get("/dev/mailbox?limit=2").await.json();
    assert_eq!(first["data"].as_array().unwrap().len(), 2);
    assert_eq!(first["data"][0]["subject"], "mail 2");
    assert_eq!(first["has_more"], true);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app.get(&format!("/dev/mailbox?limit=2&cursor={cursor}")).await.json();
    assert_eq!(second["data"].as_array().unwrap().len(), 1);
    assert_eq!(second["data"][0]["subject"], "mail 0");
    assert_eq!(second["has_more"], false);
    assert_eq!(second["next_cursor"], serde_json::Value::Null);
    let page = app.send(app.client.get(app.url("/dev/mailbox")).header("accept", "text/html")).await;
    assert!(page.headers["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(page.text.contains("mail 2"));
}

#[tokio::test]
async fn jobs_run_when_due_at_the_platform_clock() {
    let app = spawn_app().await;
    // Every job is due on first start.
    let first = app.post_json("/dev/jobs/run", &json!({})).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let ran = first.json()["ran"].clone();
    assert_eq!(ran, json!(["billing-cycle", "tenant-purge", "provisioning-sweep", "ttl-sweep"]));
    // Nothing is due again until an hour has passed at the platform clock.
    assert_eq!(app.post_json("/dev/jobs/run", &json!({})).await.json()["ran"], json!([]));
    app.post_json("/dev/clock", &json!({"advance_seconds": 3600})).await;
    let all = json!(["billing-cycle", "tenant-purge", "provisioning-sweep", "ttl-sweep"]);
    assert_eq!(app.post_json("/dev/jobs/run", &json!({})).await.json()["ran"], all);
}

#[tokio::test]
async fn the_clock_only_moves_forward() {
    let app = spawn_app().await;
    let before = app.platform.state.clock.now();
    let reply = app.post_json("/dev/clock", &json!({"advance_seconds": -5})).await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.error(), ("invalid_request".into(), "invalid_field".into()));
    assert_eq!(reply.json()["error"]["field"], "advance_seconds");
    assert!(app.platform.state.clock.now() >= before);
    let moved = app.post_json("/dev/clock", &json!({"advance_seconds": 120})).await.json();
    let now = domain::time::Timestamp::parse(moved["now"].as_str().unwrap()).unwrap();
    assert!(now.unix() >= before.unix() + 120);
}
