//! `Idempotency-Key` for the `POST`s that move money or send email, with Stripe's
//! semantics: the same key with the same request within 24 hours replays the first
//! response (marked `Idempotent-Replayed: true`) instead of running the handler again.
//!
//! A function crate applies it to those routes only:
//! `route_layer(axum::middleware::from_fn_with_state(state, idempotency::layer))`, where
//! `state` is the `AppState` or an `IdempotencyStore`. Keys are per caller: the auth layer
//! inserts an `IdempotencyScope` (the user or API key id) before this middleware runs;
//! without one the scope is `public`.
//!
//! Records live in the item store at `IDEM#<scope>` / `KEY#<key>`, 24 hours by TTL:
//! - first request: a conditional put (no live record) of an *in-flight* record holding the
//!   request's fingerprint (sha256 of method, path and query, body), then the handler runs;
//! - its response is stored (status, content type, location, ETag, body) unless it is a
//!   5xx, 409 or 429 — answers that did not happen and should run again on retry — in which
//!   case the record is deleted;
//! - a repeat with another fingerprint → 409 `idempotency_key_reused`; while the first is
//!   still running → 409 `idempotency_key_in_use`.
//!
//! An in-flight record whose request died (a crashed or timed-out function) would block
//! its key for 24 hours, so it holds a lease: once `IN_FLIGHT_LEASE_SECONDS` have passed, a
//! retry takes the key over. Each attempt writes only under its own owner token, so a
//! stalled first attempt that finishes late cannot overwrite its successor's record.
//!
//! Not for requests without the header, nor for methods other than `POST` (they pass
//! through untouched), nor a substitute for the handlers' own conditional writes.
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{FromRef, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http_body_util::BodyExt;
use rand::RngCore;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::json::{MAX_BODY_BYTES, check_declared_length, read_limited};
use store::ports::clock::Clock;
use store::ports::item_store::{Cond, Item, ItemStore, Key, StoreError, Update};
use crate::state::AppState;

/// The request header that carries the key.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// The response header that marks a replay.
pub const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// How long a key is remembered, from its first request.
pub const KEY_TTL_SECONDS: i64 = 24 * 60 * 60;
/// How long an in-flight request holds its key before a retry may take it over. It must
/// exceed the longest a function may run (the API functions' timeout), so that only a dead
/// attempt loses its key.
pub const IN_FLIGHT_LEASE_SECONDS: i64 = 5 * 60;
/// The longest key accepted.
pub const MAX_KEY_CHARS: usize = 255;
/// The largest response body kept for replay; DynamoDB items hold at most 400 KB.
const MAX_STORED_BODY: usize = 256 * 1024;
/// Response headers that are part of the answer and replayed with it. Cookies are not: a
/// replay must never hand out another session.
const REPLAYED_HEADERS: [HeaderName; 3] = [header::CONTENT_TYPE, header::LOCATION, header::ETAG];

const STATE_IN_FLIGHT: &str = "in_flight";
const STATE_DONE: &str = "done";

/// Who the keys belong to: the caller's user or API key id, set by the auth layer as a
/// request extension. Two callers' keys never collide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyScope(pub String);

/// What the middleware needs: the store for its records and the platform clock for their
/// lifetimes.
#[derive(Clone)]
pub struct IdempotencyStore {
    pub store: Arc<dyn ItemStore>,
    pub clock: Arc<dyn Clock>,
}

impl IdempotencyStore {
    pub fn new(store: Arc<dyn ItemStore>, clock: Arc<dyn Clock>) -> Self {
        IdempotencyStore { store, clock }
    }
}

impl FromRef<AppState> for IdempotencyStore {
    fn from_ref(state: &AppState) -> Self {
        IdempotencyStore { store: state.store.clone(), clock: state.clock.clone() }
    }
}

/// The middleware; see the module comment.
pub async fn layer(State(idem): State<IdempotencyStore>, req: Request, next: Next) -> Response {
    match run(&idem, req, next).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn run(idem: &IdempotencyStore, req: Request, next: Next) -> Result<Response, ApiError> {
    if req.method() != Method::POST || !req.headers().contains_key(IDEMPOTENCY_KEY) {
        return Ok(next.run(req).await);
    }
    let key = parse_key(req.headers())?;
    let scope = match req.extensions().get::<IdempotencyScope>() {
        Some(IdempotencyScope(scope)) => scope.clone(),
        None => "public".to_string(),
    };
    let method = req.method().clone();
    let path = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
    // The body is read here, so the fingerprint covers it, and handed on to the handler.
    let (parts, body) = req.into_parts();
    check_declared_length(&parts.headers, MAX_BODY_BYTES)?;
    let bytes = read_limited(body, MAX_BODY_BYTES).await?;
    let fingerprint = fingerprint(&method, &path, &bytes);
    let record_key = Key::new(format!("IDEM#{scope}"), format!("KEY#{key}"));

    let owner = match claim(idem, &record_key, &fingerprint).await? {
        Claim::Replay(response) => return Ok(response),
        Claim::Run { owner } => owner,
    };

    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let status = response.status();
    if !is_kept(status) {
        release(idem, &record_key, &owner).await;
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            release(idem, &record_key, &owner).await;
            return Err(ApiError::internal(&e));
        }
    };
    if body.len() > MAX_STORED_BODY {
        // Too big to keep: a retry runs the handler again, whose own conditional writes
        // must then refuse a duplicate. Worth knowing if it ever happens.
        tracing::warn!(status = status.as_u16(), bytes = body.len(), "idempotent response too large to store");
        release(idem, &record_key, &owner).await;
    } else {
        complete(idem, &record_key, &owner, status, &parts.headers, &body).await;
    }
    Ok(Response::from_parts(parts, Body::from(body)))
}

/// 1–255 printable ASCII characters, in one header.
fn parse_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let refuse = || {
        ApiError::bad_request(
            "invalid_parameter",
            format!("`Idempotency-Key` must be 1 to {MAX_KEY_CHARS} printable ASCII characters."),
        )
        .with_field("Idempotency-Key")
    };
    let mut values = headers.get_all(IDEMPOTENCY_KEY).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return Err(refuse());
    };
    let bytes = value.as_bytes();
    if bytes.is_empty() || bytes.len() > MAX_KEY_CHARS || !bytes.iter().all(|b| (0x20..=0x7e).contains(b)) {
        return Err(refuse());
    }
    String::from_utf8(bytes.to_vec()).map_err(|_| refuse())
}

/// sha256 of the method, path with query and body, each length-prefixed so that no two
/// different requests hash the same bytes.
fn fingerprint(method: &Method, path: &str, body: &[u8]) -> String {
    let mut hash = Sha256::new();
    for part in [method.as_str().as_bytes(), path.as_bytes(), body] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a response is the request's outcome, kept for replay. A 5xx, a 409 (a
/// concurrent write won; nothing happened) or a 429 (refused before running) did not
/// happen, and the client's retry with the same key must run again.
fn is_kept(status: StatusCode) -> bool {
    !status.is_server_error() && status != StatusCode::CONFLICT && status != StatusCode::TOO_MANY_REQUESTS
}

enum Claim {
    /// This request owns the key and runs the handler.
    Run { owner: String },
    /// An earlier request with the same fingerprint finished; here is its answer.
    Replay(Response),
}

fn in_use() -> ApiError {
    ApiError::conflict(
        "idempotency_key_in_use",
        "A request with this Idempotency-Key is still being processed; retry shortly.",
    )
}

async fn claim(idem: &IdempotencyStore, key: &Key, fingerprint: &str) -> Result<Claim, ApiError> {
    // Each round either writes the record or reads one another request wrote; a record
    // that vanishes in between (it expired, or its request failed) sends us round again.
    for _ in 0..3 {
        let now = idem.clock.now().unix();
        let owner = new_owner();
        let record = in_flight(key, fingerprint, &owner, now, now + KEY_TTL_SECONDS, now);
        match idem.store.put(record, Some(Cond::Absent)).await {
            Ok(()) => return Ok(Claim::Run { owner }),
            Err(e) if e.is_condition_failed() => {}
            Err(e) => return Err(e.into()),
        }
        let Some(existing) = idem.store.get(key).await? else {
            continue;
        };
        if existing.get_str("fingerprint") != Some(fingerprint) {
            return Err(ApiError::conflict(
                "idempotency_key_reused",
                "This Idempotency-Key was already used with another request; use a new key.",
            ));
        }
        if existing.get_str("state") == Some(STATE_DONE) {
            return replay(&existing).map(Claim::Replay);
        }
        if existing.get_i64("lease_until").is_some_and(|until| until > now) {
            return Err(in_use());
        }
        // The first attempt died holding the key: take it over, keeping its 24-hour window.
        let Some(previous) = existing.get_str("owner") else {
            return Err(ApiError::internal(&StoreError::Corrupt(format!("{}/{}: no owner", key.pk, key.sk))));
        };
        let expires = existing.ttl.unwrap_or(now + KEY_TTL_SECONDS);
        let created = existing.get_i64("created_at").unwrap_or(now);
        let record = in_flight(key, fingerprint, &owner, created, expires, now);
        match idem.store.put(record, Some(Cond::eq("owner", previous))).await {
            Ok(()) => return Ok(Claim::Run { owner }),
            Err(e) if e.is_condition_failed() => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(in_use())
}

/// An in-flight record, leased from `now`.
fn in_flight(key: &Key, fingerprint: &str, owner: &str, created_at: i64, expires: i64, now: i64) -> Item {
    Item::new(key.clone())
        .with_ttl(expires)
        .with("state", STATE_IN_FLIGHT)
        .with("fingerprint", fingerprint)
        .with("owner", owner)
        .with("created_at", created_at)
        .with("lease_until", now + IN_FLIGHT_LEASE_SECONDS)
}

fn new_owner() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Stores the outcome under this attempt's ownership. A failure here cannot change the
/// answer already produced; it only means a retry will run the handler again.
async fn complete(idem: &IdempotencyStore, key: &Key, owner: &str, status: StatusCode, headers: &HeaderMap, body: &Bytes) {
    let mut kept = Map::new();
    for name in REPLAYED_HEADERS {
        if let Some(value) = headers.get(&name).and_then(|v| v.to_str().ok()) {
            kept.insert(name.as_str().to_string(), Value::from(value));
        }
    }
    let mut update = Update::new()
        .set("state", STATE_DONE)
        .set("status", i64::from(status.as_u16()))
        .set("headers", Value::Object(kept))
        .remove("lease_until");
    update = match std::str::from_utf8(body) {
        Ok(text) => update.set("body", text),
        Err(_) => update.set("body_b64", STANDARD.encode(body)),
    };
    if let Err(e) = idem.store.update(key, update, Some(Cond::eq("owner", owner))).await {
        tracing::warn!(error = %e, "idempotent response not stored");
    }
}

/// Gives the key up after an outcome that is not kept, so that a retry runs again.
async fn release(idem: &IdempotencyStore, key: &Key, owner: &str) {
    if let Err(e) = idem.store.delete(key, Some(Cond::eq("owner", owner))).await
        && !e.is_condition_failed()
    {
        tracing::warn!(error = %e, "idempotency record not released");
    }
}

/// The stored response, byte for byte, marked as a replay.
fn replay(record: &Item) -> Result<Response, ApiError> {
    let corrupt = |what: &str| ApiError::internal(&StoreError::Corrupt(format!("{}/{}: {what}", record.key.pk, record.key.sk)));
    let status = record
        .get_i64("status")
        .and_then(|s| u16::try_from(s).ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .ok_or_else(|| corrupt("status"))?;
    let body = match (record.get_str("body"), record.get_str("body_b64")) {
        (Some(text), _) => Bytes::from(text.to_string()),
        (None, Some(encoded)) => Bytes::from(STANDARD.decode(encoded).map_err(|_| corrupt("body"))?),
        (None, None) => return Err(corrupt("body")),
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    if let Some(Value::Object(headers)) = record.get("headers") {
        for (name, value) in headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| corrupt("header"))?;
            let value = value.as_str().and_then(|v| HeaderValue::from_str(v).ok()).ok_or_else(|| corrupt("header"))?;
            response.headers_mut().insert(name, value);
        }
    }
    response.headers_mut().insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use adapters::embedded::EmbeddedStore;
    use store::testing::clock::ManualClock;
    use axum::Router;
    use axum::routing::post;
    use tokio::sync::Notify;
    use tower::ServiceExt;

    struct Harness {
        clock: Arc<ManualClock>,
        idem: IdempotencyStore,
        runs: Arc<AtomicUsize>,
        /// Set by `/slow` when it starts; `/slow` then waits for `release`.
        entered: Arc<Notify>,
        release: Arc<Notify>,
    }

    fn harness() -> Harness {
        let clock = Arc::new(ManualClock::starting_now());
        let dyn_clock: Arc<dyn Clock> = clock.clone();
        let store: Arc<dyn ItemStore> = Arc::new(EmbeddedStore::in_memory(dyn_clock.clone()).unwrap());
        Harness {
            clock,
            idem: IdempotencyStore::new(store, dyn_clock),
            runs: Arc::new(AtomicUsize::new(0)),
            entered: Arc::new(Notify::new()),
            release: Arc::new(Notify::new()),
        }
    }

    impl Harness {
        fn router(&self) -> Router {
            let runs = self.runs.clone();
            let charge = move |body: String| {
                let n = runs.fetch_add(1, Ordering::SeqCst) + 1;
                async move {
                    let mut response =
                        (StatusCode::CREATED, super::super::json::Json(serde_json::json!({"run": n, "echo": body})))
                            .into_response();
                    response.headers_mut().insert(header::LOCATION, HeaderValue::from_static("/payments/pay_1"));
                    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_static("dm_access=secret"));
                    response
                }
            };
            let runs = self.runs.clone();
            let fail = move || {
                runs.fetch_add(1, Ordering::SeqCst);
                async { ApiError::internal(&StoreError::Unavailable("down".into())) }
            };
            let runs = self.runs.clone();
            let refuse = move || {
                runs.fetch_add(1, Ordering::SeqCst);
                async { ApiError::invalid_field("amount", "must be positive") }
            };
            let (runs, entered, release) = (self.runs.clone(), self.entered.clone(), self.release.clone());
            let slow = move || {
                let n = runs.fetch_add(1, Ordering::SeqCst) + 1;
                let (entered, release) = (entered.clone(), release.clone());
                async move {
                    entered.notify_one();
                    release.notified().await;
                    format!("slow run {n}")
                }
            };
            let scope = |mut req: Request, next: Next| async move {
                let user = req.headers().get("x-test-user").and_then(|v| v.to_str().ok()).map(str::to_string);
                if let Some(user) = user {
                    req.extensions_mut().insert(IdempotencyScope(user));
                }
                next.run(req).await
            };
            Router::new()
                .route("/charge", post(charge).get(|| async { "listed" }))
                .route("/fail", post(fail))
                .route("/refuse", post(refuse))
                .route("/slow", post(slow))
                .route_layer(axum::middleware::from_fn_with_state(self.idem.clone(), layer))
                .layer(axum::middleware::from_fn(scope))
        }

        async fn send(&self, method: &str, uri: &str, key: Option<&str>, body: &str) -> Answer {
            let mut builder = axum::http::Request::builder().method(method).uri(uri);
            if let Some(key) = key {
                builder = builder.header(IDEMPOTENCY_KEY, key);
            }
            self.call(builder.body(Body::from(body.to_string())).unwrap()).await
        }

        async fn post(&self, uri: &str, key: Option<&str>, body: &str) -> Answer {
            self.send("POST", uri, key, body).await
        }

        async fn call(&self, req: axum::http::Request<Body>) -> Answer {
            let response = self.router().oneshot(req).await.unwrap();
            let status = response.status();
            let headers = response.headers().clone();
            let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
            Answer { status, headers, body }
        }

        fn runs(&self) -> usize {
            self.runs.load(Ordering::SeqCst)
        }
    }

    #[derive(Debug)]
    struct Answer {
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    }

    impl Answer {
        fn replayed(&self) -> bool {
            self.headers.get(IDEMPOTENT_REPLAYED).is_some_and(|v| v == "true")
        }
        fn error(&self) -> (String, Option<String>) {
            let json: Value = serde_json::from_slice(&self.body).unwrap();
            (json["error"]["code"].as_str().unwrap().to_string(), json["error"]["field"].as_str().map(str::to_string))
        }
    }

    #[tokio::test]
    async fn the_same_key_and_body_replays_the_first_response_without_running_again() {
        let h = harness();
        let first = h.post("/charge", Some("k-1"), r#"{"amount":1999}"#).await;
        let second = h.post("/charge", Some("k-1"), r#"{"amount":1999}"#).await;
        assert_eq!(h.runs(), 1);
        assert_eq!(first.status, StatusCode::CREATED);
        assert!(!first.replayed());
        assert_eq!((second.status, &second.body), (first.status, &first.body));
        assert_eq!(second.headers[header::CONTENT_TYPE], "application/json");
        assert_eq!(second.headers[header::LOCATION], "/payments/pay_1");
        assert!(second.replayed());
    }

    #[tokio::test]
    async fn a_replay_never_carries_cookies() {
        let h = harness();
        h.post("/charge", Some("k-1"), "{}").await;
        let second = h.post("/charge", Some("k-1"), "{}").await;
        assert!(second.replayed());
        assert!(second.headers.get(header::SET_COOKIE).is_none());
    }

    #[tokio::test]
    async fn the_same_key_with_another_body_answers_409_reused() {
        let h = harness();
        h.post("/charge", Some("k-1"), r#"{"amount":1999}"#).await;
        let second = h.post("/charge", Some("k-1"), r#"{"amount":2999}"#).await;
        assert_eq!(second.status, StatusCode::CONFLICT);
        assert_eq!(second.error().0, "idempotency_key_reused");
        assert_eq!(h.runs(), 1);
    }

    #[tokio::test]
    async fn the_same_key_on_another_path_answers_409_reused() {
        let h = harness();
        h.post("/charge", Some("k-1"), "{}").await;
        let second = h.post("/refuse", Some("k-1"), "{}").await;
        assert_eq!(second.error().0, "idempotency_key_reused");
    }

    #[tokio::test]
    async fn a_key_is_forgotten_after_24_hours() {
        let h = harness();
        h.post("/charge", Some("k-1"), "{}").await;
        h.clock.advance(KEY_TTL_SECONDS - 1);
        assert!(h.post("/charge", Some("k-1"), "{}").await.replayed());
        h.clock.advance(1);
        let later = h.post("/charge", Some("k-1"), "{}").await;
        assert!(!later.replayed());
        assert_eq!(h.runs(), 2);
    }

    #[tokio::test]
    async fn a_server_error_is_not_stored_so_a_retry_runs_again() {
        let h = harness();
        let first = h.post("/fail", Some("k-1"), "{}").await;
        assert_eq!(first.status, StatusCode::INTERNAL_SERVER_ERROR);
        let second = h.post("/fail", Some("k-1"), "{}").await;
        assert_eq!(second.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!second.replayed());
        assert_eq!(h.runs(), 2);
    }

    #[tokio::test]
    async fn a_client_error_from_the_handler_is_replayed() {
        let h = harness();
        let first = h.post("/refuse", Some("k-1"), "{}").await;
        assert_eq!(first.status, StatusCode::UNPROCESSABLE_ENTITY);
        let second = h.post("/refuse", Some("k-1"), "{}").await;
        assert!(second.replayed());
        assert_eq!(second.body, first.body);
        assert_eq!(h.runs(), 1);
    }

    #[tokio::test]
    async fn an_invalid_key_answers_400_naming_the_header() {
        let h = harness();
        let long = "k".repeat(MAX_KEY_CHARS + 1);
        for key in ["", long.as_str(), "tab\there"] {
            let answer = h.post("/charge", Some(key), "{}").await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{key:?}");
            assert_eq!(answer.error(), ("invalid_parameter".into(), Some("Idempotency-Key".into())));
        }
        let non_ascii = axum::http::Request::builder()
            .method("POST")
            .uri("/charge")
            .header(IDEMPOTENCY_KEY, HeaderValue::from_bytes("clé".as_bytes()).unwrap())
            .body(Body::empty())
            .unwrap();
        assert_eq!(h.call(non_ascii).await.status, StatusCode::BAD_REQUEST);
        assert_eq!(h.runs(), 0);
        // The longest allowed key is fine.
        assert_eq!(h.post("/charge", Some(&"k".repeat(MAX_KEY_CHARS)), "{}").await.status, StatusCode::CREATED);
    }

    #[tokio::test]
    async fn requests_without_a_key_or_other_methods_pass_through() {
        let h = harness();
        h.post("/charge", None, "{}").await;
        h.post("/charge", None, "{}").await;
        assert_eq!(h.runs(), 2);
        let listed = h.send("GET", "/charge", Some(""), "").await;
        assert_eq!(listed.status, StatusCode::OK);
        assert_eq!(&listed.body[..], b"listed");
    }

    #[tokio::test]
    async fn keys_of_different_callers_do_not_collide() {
        let h = harness();
        let req = |user: &str, body: &str| {
            axum::http::Request::builder()
                .method("POST")
                .uri("/charge")
                .header(IDEMPOTENCY_KEY, "k-1")
                .header("x-test-user", user)
                .body(Body::from(body.to_string()))
                .unwrap()
        };
        assert_eq!(h.call(req("usr_a", "1")).await.status, StatusCode::CREATED);
        let other = h.call(req("usr_b", "2")).await;
        assert_eq!(other.status, StatusCode::CREATED);
        assert!(!other.replayed());
        assert!(h.call(req("usr_a", "1")).await.replayed());
        assert_eq!(h.runs(), 2);
    }

    #[tokio::test]
    async fn a_body_over_one_mebibyte_answers_413() {
        let h = harness();
        let answer = h.post("/charge", Some("k-1"), &"x".repeat(MAX_BODY_BYTES + 1)).await;
        assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(answer.error().0, "payload_too_large");
        assert_eq!(h.runs(), 0);
    }

    #[tokio::test]
    async fn a_repeat_while_the_first_is_running_answers_409_in_use() {
        let h = Arc::new(harness());
        let first = {
            let h = h.clone();
            tokio::spawn(async move { h.post("/slow", Some("k-1"), "{}").await })
        };
        h.entered.notified().await;
        let second = h.post("/slow", Some("k-1"), "{}").await;
        assert_eq!(second.status, StatusCode::CONFLICT);
        assert_eq!(second.error().0, "idempotency_key_in_use");
        h.release.notify_one();
        let first = first.await.unwrap();
        assert_eq!(&first.body[..], b"slow run 1");
        let third = h.post("/slow", Some("k-1"), "{}").await;
        assert!(third.replayed());
        assert_eq!(&third.body[..], b"slow run 1");
        assert_eq!(h.runs(), 1);
    }

    #[tokio::test]
    async fn a_first_attempt_that_stalled_past_its_lease_is_taken_over() {
        let h = Arc::new(harness());
        let first = {
            let h = h.clone();
            tokio::spawn(async move { h.post("/slow", Some("k-1"), "{}").await })
        };
        h.entered.notified().await;
        h.clock.advance(IN_FLIGHT_LEASE_SECONDS);
        let second = {
            let h = h.clone();
            tokio::spawn(async move { h.post("/slow", Some("k-1"), "{}").await })
        };
        h.entered.notified().await;
        // Let both finish; the stalled first may not overwrite its successor's record.
        h.release.notify_one();
        h.release.notify_one();
        let (first, second) = (first.await.unwrap(), second.await.unwrap());
        assert_eq!(h.runs(), 2);
        let mut bodies = [first.body.clone(), second.body.clone()];
        bodies.sort();
        assert_eq!(bodies, [Bytes::from("slow run 1"), Bytes::from("slow run 2")]);
        let replay = h.post("/slow", Some("k-1"), "{}").await;
        assert!(replay.replayed());
        assert_eq!(&replay.body[..], b"slow run 2");
    }

    #[test]
    fn fingerprints_separate_method_path_and_body() {
        let a = fingerprint(&Method::POST, "/a", b"bc");
        assert_ne!(a, fingerprint(&Method::POST, "/ab", b"c"));
        assert_ne!(a, fingerprint(&Method::PUT, "/a", b"bc"));
        assert_eq!(a, fingerprint(&Method::POST, "/a", b"bc"));
    }
}
