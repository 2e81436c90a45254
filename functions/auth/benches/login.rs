//! Login latency with real argon2id (m = 19 MiB, t = 2, p = 1): `cargo bench -p auth --bench login`.
//!
//! Drives `POST /api/v1/auth/login` through the Lambda router on the embedded store, N times,
//! and prints the median, p95 and max. A benchmark, not a test: it asserts nothing about time.
use std::time::{Duration, Instant};

use http_body_util::BodyExt;
use tower::ServiceExt;

const RUNS: usize = 40;

async fn login(router: &axum::Router, body: &str) -> (u16, Duration) {
    let request = http::Request::post("/api/v1/auth/login")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .expect("request");
    let started = Instant::now();
    let response = router.clone().oneshot(request).await.expect("router answers");
    let status = response.status().as_u16();
    let _ = response.into_body().collect().await;
    (status, started.elapsed())
}

fn report(label: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label:<28} runs {:>3}  median {:>7.1} ms  p95 {:>7.1} ms  max {:>7.1} ms",
        times.len(),
        ms(times[times.len() / 2]),
        ms(times[times.len() * 95 / 100]),
        ms(times[times.len() - 1])
    );
}

#[tokio::main]
async fn main() {
    let (state, _clock) = web::testing::state();
    let auth_state = auth::AuthState::new(state.clone(), b"bench secret").await.expect("signer");
    let router = auth::router(auth_state.clone());
    // A verified user, created through the real sign-up and verification.
    let meta = web::client::ClientMeta { ip: "127.0.0.1".into(), user_agent: "bench".into() };
    let signup = auth::service::account::Signup {
        email: "bench@example.com".into(),
        password: "correct horse battery staple".into(),
        name: "Bench".into(),
        organization: "Bench Inc".into(),
        referral_code: None,
    };
    let (user, _) = auth::service::account::signup(&auth_state, signup, &meta).await.expect("signup");
    let mut verified = user.clone();
    verified.email_verified = true;
    verified.version += 1;
    state.store.transact(vec![store::repo::users::save(&verified).expect("item")]).await.expect("verify");

    let good = r#"{"email":"bench@example.com","password":"correct horse battery staple"}"#;
    let mut ok = Vec::new();
    let mut miss = Vec::new();
    for i in 0..RUNS {
        let (status, took) = login(&router, good).await;
        assert_eq!(status, 200, "login {i}");
        ok.push(took);
        // A different unknown account each time: one account's failures are limited to 10
        // per 15 minutes, and these 40 stay under the per-IP limit of 100.
        let unknown = format!(r#"{{"email":"nobody{i}@example.com","password":"correct horse battery staple"}}"#);
        let (status, took) = login(&router, &unknown).await;
        assert_eq!(status, 401);
        miss.push(took);
    }
    println!("POST /api/v1/auth/login, argon2id m=19456 KiB t=2 p=1, embedded store, {} cores", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    report("verified user, right password", ok);
    report("unknown email (dummy hash)", miss);
}
