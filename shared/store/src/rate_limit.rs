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
//! - failures (`LOGIN_FAILURES_*`, `MFA_FAILURES_*`): `reserve` before doing the work: the
//!   attempt is counted (atomic `ADD`) and refused when that takes the window past `max`, so
//!   however many attempts race, at most `max` are evaluated. An attempt that turns out not
//!   to be a failure (the right password, the right code, or one refused before it was
//!   evaluated) gives its place back with [`Reservation::release`] (`ADD -1`). Never
//!   check-then-count: parallel requests would all pass the check.
//! - requests (`FORGOT_PASSWORD_*`, `RESEND_VERIFICATION_*`): `hit`, which counts and
//!   refuses in one atomic step, so no more than `max` ever get through.
//!
//! A lock (`start_lock`, `locked`) is one item per (name, subject) holding the time it ends, put
//! only when none is live, so exactly one request starts it (and tells the user once); its
//! `ttl` is its end. The MFA lock lasts 15 minutes from the failure that started it, which a
//! fixed window alone could not say.
use sha2::{Digest, Sha256};

use domain::time::Timestamp;
use crate::ports::item_store::{Cond, Item, ItemStore, Key, StoreError, Update, Write};
use crate::repo::keys;

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

/// 20 sign-ups per client IP per hour (sign-ups by invitation do not count). Subject: the IP
/// address. Reserved (`hit`) before any work, so refused bodies count too.
pub const SIGNUPS_PER_IP: Limit = Limit { name: "signups-ip", max: 20, window_seconds: 60 * 60 };

/// 5 wrong codes per `mfa_token`; after that the token is dead (its 15 minutes outlive it).
pub const MFA_FAILURES_PER_TOKEN: Limit = Limit { name: "mfa-failures-token", max: 5, window_seconds: 15 * 60 };

/// 10 wrong second-factor codes per account per 15 minutes, whatever the `mfa_token`; the
/// tenth starts [`MFA_LOCK_SECONDS`] of lock. Subject: the user id.
pub const MFA_FAILURES_PER_ACCOUNT: Limit = Limit { name: "mfa-failures-account", max: 10, window_seconds: 15 * 60 };

/// The name of the account's second-factor lock (see [`start_lock`]).
pub const MFA_LOCK: &str = "mfa-lock";

/// How long an account's second factor stays locked after too many wrong codes.
pub const MFA_LOCK_SECONDS: i64 = 15 * 60;

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

/// The window `now` falls in: `(start, end)`, end exclusive.
fn window(now: Timestamp, limit: &Limit) -> (i64, i64) {
    let length = limit.window_seconds.max(1);
    let start = now.unix().div_euclid(length) * length;
    (start, start + length)
}

/// The counter of `subject` under `limit` in the window `now` falls in. The subject (an
/// email, an IP, a token) is hashed, so the table never holds it.
pub fn counter_key(now: Timestamp, limit: &Limit, subject: &str) -> Key {
    let (start, _) = window(now, limit);
    keys::rate_counter(limit.name, &subject_hash(subject), start)
}

/// The subject as it appears in keys: its SHA-256 in hex.
fn subject_hash(subject: &str) -> String {
    Sha256::digest(subject.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
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

/// An attempt counted by [`reserve`] and let through: give it back with [`release`](Self::release)
/// when it turns out not to be a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a reservation is kept (a failure) or released (not one); say which"]
pub struct Reservation {
    key: Key,
    /// The count including this attempt (1..=max).
    pub count: i64,
}

impl Reservation {
    /// True for the attempt that fills the window: the last one evaluated before the limit.
    pub fn is_last(&self, limit: &Limit) -> bool {
        self.count >= limit.max
    }

    /// Gives the attempt back (`ADD -1`), e.g. the right password. Only when the counter is
    /// still there: a counter that expired meanwhile has nothing to give back, and must not
    /// be brought back at -1.
    pub async fn release(self, store: &dyn ItemStore) -> Result<(), StoreError> {
        match store.update(&self.key, Update::new().add("count", -1), Some(Cond::Exists)).await {
            Ok(_) | Err(StoreError::ConditionFailed { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// Counts the attempt BEFORE it is evaluated (atomic `ADD`), and refuses it when that takes the
/// window past `max`: of any number of racing attempts, at most `max` get a reservation. A
/// refused attempt stays counted (the window is already full; hammering does not help).
pub async fn reserve(store: &dyn ItemStore, now: Timestamp, limit: &Limit, subject: &str) -> Result<Reservation, LimitError> {
    let count = record(store, now, limit, subject).await?;
    if count > limit.max {
        return Err(limited(now, limit).into());
    }
    Ok(Reservation { key: counter_key(now, limit, subject), count })
}

/// The lock `name` of `subject`: one item, its end in `until` and in its `ttl`.
fn lock_key(name: &str, subject: &str) -> Key {
    keys::rate_lock(name, &subject_hash(subject))
}

/// The write that starts the lock `name` on `subject` for `seconds` from `now`, only when none
/// is live (an expired one reads as absent in both adapters): put it in one transaction with
/// what marks the lock's start (its audit event), and only the request whose transaction
/// commits goes on to tell the user, so that happens once. `ConditionFailed` on it: a lock
/// already holds.
pub fn start_lock(now: Timestamp, name: &str, subject: &str, seconds: i64) -> Write {
    let until = now.unix() + seconds;
    Write::put(Item::new(lock_key(name, subject)).with("until", until).with_ttl(until)).when(Cond::Absent)
}

/// The lock `name` on `subject`, when it holds at `now`: how long it still lasts.
pub async fn locked(store: &dyn ItemStore, now: Timestamp, name: &str, subject: &str) -> Result<Option<RateLimited>, StoreError> {
    let until = store.get(&lock_key(name, subject)).await?.and_then(|i| i.get_i64("until"));
    Ok(until.filter(|u| *u > now.unix()).map(|u| RateLimited { retry_after_seconds: u64::try_from(u - now.unix()).unwrap_or(1).max(1) }))
}
