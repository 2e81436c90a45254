//! `store::rate_limit::reserve` and the lock on the embedded store: an attempt is counted
//! before it is evaluated, so racing attempts never outrun a limit.
use std::sync::Arc;

use adapters::embedded::EmbeddedStore;
use domain::time::Timestamp;
use store::ports::clock::Clock;
use store::ports::item_store::ItemStore;
use store::rate_limit::*;
use store::testing::clock::ManualClock;

/// A window boundary for every limit here (a multiple of 900).
const START: i64 = 1_800_000_000;

fn store_at(t: i64) -> (Arc<EmbeddedStore>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::at(Timestamp::from_unix(t)));
    let dyn_clock: Arc<dyn Clock> = clock.clone();
    (Arc::new(EmbeddedStore::in_memory(dyn_clock).expect("in-memory store")), clock)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_fifty_racing_attempts_at_most_the_limit_get_a_reservation() {
    let (store, clock) = store_at(START + 10);
    let now = clock.now();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { reserve(store.as_ref(), now, &LOGIN_FAILURES_PER_ACCOUNT, "ada@example.com").await })
        })
        .collect();
    let mut granted = Vec::new();
    for task in tasks {
        match task.await.expect("task") {
            Ok(r) => granted.push(r),
            Err(LimitError::Limited(l)) => assert_eq!(l.retry_after_seconds, 890),
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(granted.len(), 10);
    let mut counts: Vec<i64> = granted.iter().map(|r| r.count).collect();
    counts.sort();
    assert_eq!(counts, (1..=10).collect::<Vec<_>>(), "each reservation has its own place");
    assert_eq!(granted.iter().filter(|r| r.is_last(&LOGIN_FAILURES_PER_ACCOUNT)).count(), 1);
}

#[tokio::test]
async fn a_released_reservation_gives_its_place_back() {
    let (store, clock) = store_at(START + 10);
    let limit = MFA_FAILURES_PER_TOKEN;
    for _ in 0..4 {
        let _kept = reserve(store.as_ref(), clock.now(), &limit, "token").await.expect("under the limit");
    }
    for _ in 0..3 {
        let r = reserve(store.as_ref(), clock.now(), &limit, "token").await.expect("the fifth place");
        assert_eq!(r.count, 5);
        r.release(store.as_ref()).await.expect("given back");
    }
    let fifth = reserve(store.as_ref(), clock.now(), &limit, "token").await.expect("the fifth place, again");
    assert!(fifth.is_last(&limit));
    assert!(reserve(store.as_ref(), clock.now(), &limit, "token").await.is_err(), "the sixth is refused");
    // A release after the counter expired does not bring it back below zero.
    clock.advance(limit.window_seconds + 120);
    fifth.release(store.as_ref()).await.expect("nothing to give back");
    let fresh = reserve(store.as_ref(), clock.now(), &limit, "token").await.expect("a new window");
    assert_eq!(fresh.count, 1);
}

#[tokio::test]
async fn a_lock_starts_once_and_lasts_its_time() {
    let (store, clock) = store_at(START + 10);
    assert!(locked(store.as_ref(), clock.now(), MFA_LOCK, "usr_1").await.expect("reads").is_none());
    store.transact(vec![start_lock(clock.now(), MFA_LOCK, "usr_1", MFA_LOCK_SECONDS)]).await.expect("started");
    let again = store.transact(vec![start_lock(clock.now(), MFA_LOCK, "usr_1", MFA_LOCK_SECONDS)]).await;
    assert!(again.is_err_and(|e| e.is_condition_failed()), "a live lock is not started twice");
    clock.advance(600);
    let left = locked(store.as_ref(), clock.now(), MFA_LOCK, "usr_1").await.expect("reads").expect("still locked");
    assert_eq!(left.retry_after_seconds, 300);
    assert!(locked(store.as_ref(), clock.now(), MFA_LOCK, "usr_2").await.expect("reads").is_none(), "per subject");
    clock.advance(300);
    assert!(locked(store.as_ref(), clock.now(), MFA_LOCK, "usr_1").await.expect("reads").is_none(), "over after 15 minutes");
    store.transact(vec![start_lock(clock.now(), MFA_LOCK, "usr_1", MFA_LOCK_SECONDS)]).await.expect("a new lock after the old one ended");
}
