//! Fixed-window rate limits whose counters live in the item store, so a limit holds across
//! every Lambda instance rather than per process (the contract's "they hold across every
//! function instance").
//!
//! A counter is one item per (limit, subject, window): `PK = RATE#<name>#<sha256(subject)>`,
//! `SK = W#<window start>`, incremented with an atomic `Update::add` and expiring 60 s after
//! its window ends, so the table cleans itself up. The subject is hashed because it is an
//! email address, an IP or a token: personal data and secrets stay out of keys, and keys stay
//! short. Callers normalise subjects first (e.g. lower-case the email) so one person cannot
//! get ten windows by varying case.
//!
//! Two ways to use a limit:
//! - failures (`LOGIN_FAILURES_*`, `MFA_FAILURES_PER_TOKEN`): `check` before doing the work,
//!   `record` only when the attempt fails. Racing attempts can overshoot `max` by the number
//!   in flight; the counter stays exact, so the next check refuses.
//! - requests (`FORGOT_PASSWORD_*`, `RESEND_VERIFICATION_*`): `hit`, which counts and
//!   refuses in one atomic step, so no more than `max` ever get through.
use sha2::{Digest, Sha256};

use crate::domain::time::Timestamp;
use crate::http::error::ApiError;
use crate::ports::item_store::{ItemStore, Key, StoreError, Update};

/// One limit: at most `max` events per subject in each `window_seconds` window, windows
/// aligned to the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Part of the counter's key: unique per limit, without `#`.
    pub name: &'static str,
    pub max: i64,
    pub window_seconds: i64,
}

/// 10 failed logins per account per 15 minutes. Subject: the normalised email.
pub const LOGIN_FAILURES_PER_ACCOUNT: Limit =
    Limit { name: "login-failures-account", max: 10, window_seconds: 15 * 60 };

/// 100 failed logins per client IP per 15 minutes. Subject: the IP address.
pub const LOGIN_FAILURES_PER_IP: Limit = Limit { name: "login-failures-ip", max: 100, window_seconds: 15 * 60 };

/// 5 forgot-password requests per address per hour (the route still answers 202).
pub const FORGOT_PASSWORD_PER_ADDRESS: Limit =
    Limit { name: "forgot-password-address", max: 5, window_seconds: 60 * 60 };

/// 5 resend-verification requests per address per hour (the route still answers 202).
pub const RESEND_VERIFICATION_PER_ADDRESS: Limit =
    Limit { name: "resend-verification-address", max: 5, window_seconds: 60 * 60 };

/// 5 wrong codes per `mfa_token`; after that the token is dead (its 15 minutes outlive it).
pub const MFA_FAILURES_PER_TOKEN: Limit = Limit { name: "mfa-failures-token", max: 5, window_seconds: 15 * 60 };

/// Seconds a counter outlives its window, so a request at the boundary still finds it.
const TTL_GRACE_SECONDS: i64 = 60;

/// The limit is reached: try again in `retry_after_seconds` (when the window ends).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("rate limited; retry after {retry_after_seconds} s")]
pub struct RateLimited {
    pub retry_after_seconds: u64,
}

/// Why `check` or `hit` refused: the limit, or a store that could not count.
#[derive(Debug, thiserror::Error)]
pub enum LimitError {
    #[error(transparent)]
    Limited(#[from] RateLimited),
    #[error("rate-limit counter: {0}")]
    Store(#[from] StoreError),
}

impl LimitError {
    pub fn is_limited(&self) -> bool {
        matches!(self, LimitError::Limited(_))
    }
}

impl From<RateLimited> for ApiError {
    fn from(e: RateLimited) -> Self {
        ApiError::rate_limited(e.retry_after_seconds)
    }
}

impl From<LimitError> for ApiError {
    fn from(e: LimitError) -> Self {
        match e {
            LimitError::Limited(limited) => limited.into(),
            // Failing closed would let a store outage lock everyone out, failing open would
            // lift the limit silently; a 500 does neither, and the caller can choose.
            LimitError::Store(store) => ApiError::internal(&store),
        }
    }
}

/// The window `now` falls in: `(start, end)`, end exclusive.
fn window(now: Timestamp, limit: &Limit) -> (i64, i64) {
    let length = limit.window_seconds.max(1);
    let start = now.unix().div_euclid(length) * length;
    (start, start + length)
}

fn counter_key(now: Timestamp, limit: &Limit, subject: &str) -> Key {
    let digest = Sha256::digest(subject.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let (start, _) = window(now, limit);
    Key::new(format!("RATE#{}#{hex}", limit.name), format!("W#{start}"))
}

fn limited(now: Timestamp, limit: &Limit) -> RateLimited {
    let (_, end) = window(now, limit);
    RateLimited { retry_after_seconds: u64::try_from(end - now.unix()).unwrap_or(1).max(1) }
}

/// Refuses when the subject's count in the current window has already reached `max`.
/// Counts nothing.
pub async fn check(store: &dyn ItemStore, now: Timestamp, limit: &Limit, subject: &str) -> Result<(), LimitError> {
    let count = store
        .get(&counter_key(now, limit, subject))
        .await?
        .and_then(|item| item.get_i64("count"))
        .unwrap_or(0);
    if count >= limit.max {
        return Err(limited(now, limit).into());
    }
    Ok(())
}

/// Counts one event for the subject in the current window, atomically, and returns the
/// count including it.
pub async fn record(store: &dyn ItemStore, now: Timestamp, limit: &Limit, subject: &str) -> Result<i64, StoreError> {
    let (_, end) = window(now, limit);
    let update = Update::new().add("count", 1).ttl(end + TTL_GRACE_SECONDS);
    let item = store.update(&counter_key(now, limit, subject), update, None).await?;
    item.get_i64("count")
        .ok_or_else(|| StoreError::Corrupt("rate-limit counter without a count".into()))
}

/// Counts the event and refuses it if that takes the window past `max`: for "N requests
/// per hour" limits. Refused events are counted too, so hammering does not help.
pub async fn hit(store: &dyn ItemStore, now: Timestamp, limit: &Limit, subject: &str) -> Result<(), LimitError> {
    if record(store, now, limit, subject).await? > limit.max {
        return Err(limited(now, limit).into());
    }
    Ok(())
}

/// Forgets the subject's count in the current window (e.g. an account's failed logins once
/// it signs in successfully). Never use it for per-IP or request limits.
pub async fn reset(store: &dyn ItemStore, now: Timestamp, limit: &Limit, subject: &str) -> Result<(), StoreError> {
    store.delete(&counter_key(now, limit, subject), None).await
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::http::StatusCode;

    use super::*;
    use crate::adapters::embedded::EmbeddedStore;
    use crate::ports::clock::Clock;
    use crate::testing::clock::ManualClock;

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
        let api: ApiError = refused.into();
        assert_eq!(api.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(api.code(), "rate_limited");
        assert_eq!(api.retry_after, Some(1800));
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
}
