//! Tests of `store::rate_limit` on the embedded store (integration tests: the adapters crate
//! implements this crate's ports, so they run from outside it).
use std::sync::Arc;

use domain::time::Timestamp;
use store::rate_limit::*;
use adapters::embedded::EmbeddedStore;
use store::ports::clock::Clock;
use store::ports::item_store::ItemStore;
use store::testing::clock::ManualClock;

/// A window boundary for every limit here (a multiple of 3600).
const START: i64 = 1_800_000_000;

fn store_at(t: i64) -> (Arc<EmbeddedStore>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::at(Timestamp::from_unix(t)));
    let dyn_clock: Arc<dyn Clock> = clock.clone();
    let store = EmbeddedStore::in_memory(dyn_clock).expect("in-memory store");
    (Arc::new(store), clock)
}

#[tokio::test]
async fn the_eleventh_failed_login_is_refused_until_the_window_ends() {
    let (store, clock) = store_at(START + 300);
    let limit = LOGIN_FAILURES_PER_ACCOUNT;
    for n in 1..=10 {
        check(store.as_ref(), clock.now(), &limit, "ada@example.com").await.expect("under the limit");
        assert_eq!(record(store.as_ref(), clock.now(), &limit, "ada@example.com").await.unwrap(), n);
    }
    match check(store.as_ref(), clock.now(), &limit, "ada@example.com").await {
        // The window is [START, START + 900): 600 s are left.
        Err(LimitError::Limited(RateLimited { retry_after_seconds })) => assert_eq!(retry_after_seconds, 600),
        other => panic!("expected a refusal, got {other:?}"),
    }
    clock.advance(599);
    match check(store.as_ref(), clock.now(), &limit, "ada@example.com").await {
        Err(LimitError::Limited(RateLimited { retry_after_seconds })) => assert_eq!(retry_after_seconds, 1),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_new_window_starts_fresh() {
    let (store, clock) = store_at(START);
    let limit = LOGIN_FAILURES_PER_ACCOUNT;
    for _ in 0..10 {
        record(store.as_ref(), clock.now(), &limit, "ada@example.com").await.unwrap();
    }
    assert!(check(store.as_ref(), clock.now(), &limit, "ada@example.com").await.is_err());
    clock.advance(limit.window_seconds);
    check(store.as_ref(), clock.now(), &limit, "ada@example.com").await.expect("a fresh window");
    assert_eq!(record(store.as_ref(), clock.now(), &limit, "ada@example.com").await.unwrap(), 1);
}

#[tokio::test]
async fn subjects_and_limits_are_counted_separately() {
    let (store, clock) = store_at(START);
    for _ in 0..5 {
        hit(store.as_ref(), clock.now(), &FORGOT_PASSWORD_PER_ADDRESS, "ada@example.com").await.unwrap();
    }
    assert!(hit(store.as_ref(), clock.now(), &FORGOT_PASSWORD_PER_ADDRESS, "ada@example.com").await.is_err());
    hit(store.as_ref(), clock.now(), &FORGOT_PASSWORD_PER_ADDRESS, "bob@example.com").await.expect("another subject");
    hit(store.as_ref(), clock.now(), &RESEND_VERIFICATION_PER_ADDRESS, "ada@example.com")
        .await
        .expect("another limit");
}

#[tokio::test]
async fn hit_lets_max_requests_through_per_window_then_refuses_with_the_time_left() {
    let (store, clock) = store_at(START + 1800);
    let limit = RESEND_VERIFICATION_PER_ADDRESS;
    for _ in 0..5 {
        hit(store.as_ref(), clock.now(), &limit, "ada@example.com").await.unwrap();
    }
    let refused = hit(store.as_ref(), clock.now(), &limit, "ada@example.com").await.unwrap_err();
    assert!(refused.is_limited());
    match refused {
        LimitError::Limited(RateLimited { retry_after_seconds }) => assert_eq!(retry_after_seconds, 1800),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_hits_never_let_more_than_max_through() {
    let (store, clock) = store_at(START);
    let limit = Limit { name: "test-concurrency", max: 5, window_seconds: 3600 };
    let now = clock.now();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { hit(store.as_ref(), now, &limit, "shared subject").await })
        })
        .collect();
    let mut allowed = 0;
    for task in tasks {
        match task.await.expect("task ran") {
            Ok(()) => allowed += 1,
            Err(e) => assert!(e.is_limited(), "{e}"),
        }
    }
    assert_eq!(allowed, 5);
    assert_eq!(record(store.as_ref(), now, &limit, "shared subject").await.unwrap(), 21);
}

#[tokio::test]
async fn counters_are_keyed_by_a_hash_of_the_subject_and_expire_after_their_window() {
    let (store, clock) = store_at(START + 10);
    let limit = MFA_FAILURES_PER_TOKEN;
    record(store.as_ref(), clock.now(), &limit, "secret-mfa-token").await.unwrap();
    let key = counter_key(clock.now(), &limit, "secret-mfa-token");
    assert!(!key.pk.contains("secret-mfa-token"));
    // sha256("secret-mfa-token"), computed independently.
    assert_eq!(key.pk, "RATE#mfa-failures-token#2afe27dbfb95d7ae61baaad2f54d9dc16b1b03f4d6090c39681cc9c3b954a462");
    assert_eq!(key.sk, format!("W#{START}"));
    let item = store.get(&key).await.unwrap().expect("the counter");
    assert_eq!(item.ttl, Some(START + 900 + 60));
    clock.advance(900 + 60);
    assert_eq!(store.get(&key).await.unwrap(), None);
}

#[tokio::test]
async fn reset_forgets_the_current_windows_count() {
    let (store, clock) = store_at(START);
    let limit = LOGIN_FAILURES_PER_ACCOUNT;
    for _ in 0..10 {
        record(store.as_ref(), clock.now(), &limit, "ada@example.com").await.unwrap();
    }
    reset(store.as_ref(), clock.now(), &limit, "ada@example.com").await.unwrap();
    check(store.as_ref(), clock.now(), &limit, "ada@example.com").await.expect("forgotten");
}

#[test]
fn the_contracts_limits_have_the_contracts_numbers() {
    assert_eq!((LOGIN_FAILURES_PER_ACCOUNT.max, LOGIN_FAILURES_PER_ACCOUNT.window_seconds), (10, 900));
    assert_eq!((LOGIN_FAILURES_PER_IP.max, LOGIN_FAILURES_PER_IP.window_seconds), (100, 900));
    assert_eq!((FORGOT_PASSWORD_PER_ADDRESS.max, FORGOT_PASSWORD_PER_ADDRESS.window_seconds), (5, 3600));
    assert_eq!((RESEND_VERIFICATION_PER_ADDRESS.max, RESEND_VERIFICATION_PER_ADDRESS.window_seconds), (5, 3600));
    assert_eq!((MFA_FAILURES_PER_TOKEN.max, MFA_FAILURES_PER_TOKEN.window_seconds), (5, 900));
    let names = [
        LOGIN_FAILURES_PER_ACCOUNT.name,
        LOGIN_FAILURES_PER_IP.name,
        FORGOT_PASSWORD_PER_ADDRESS.name,
        RESEND_VERIFICATION_PER_ADDRESS.name,
        MFA_FAILURES_PER_TOKEN.name,
    ];
    let unique: std::collections::HashSet<_> = names.iter().collect();
    assert_eq!(unique.len(), names.len());
    assert!(names.iter().all(|n| !n.contains('#')));
}
