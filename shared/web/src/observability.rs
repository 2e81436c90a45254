//! Request ids and logs: one JSON log line per request, and an `x-request-id` on every
//! response so a client's report can be matched to the line.
//!
//! The id is the caller's `x-request-id` when it is safe to echo, else API Gateway's own
//! request id (so our lines match API Gateway's access logs), else a fresh `req_<ulid>`.
//! Handlers can read it as the `RequestId` request extension; everything they log runs
//! inside a span carrying it.
//!
//! Not for metrics or tracing export; not for logging bodies, query strings or headers,
//! which carry secrets (tokens travel in query strings and cookies).
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

/// The header that carries the request id both ways.
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The longest incoming request id that is echoed.
const MAX_REQUEST_ID: usize = 128;

/// The id of the request being served, as a request extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// Logs as JSON lines to stdout (where Lambda hands them to CloudWatch), filtered by
/// `RUST_LOG`, `info` by default. Calling it again, or after another subscriber was set
/// (tests), changes nothing.
pub fn init_logging() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Event fields at the top level make the lines easy to query in CloudWatch Insights.
    let _ = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .with_env_filter(filter)
        .try_init();
}

/// Adds the request-id and log middleware to `router`. Apply it last, so that it wraps
/// every other layer and their logs carry the id too.
pub fn layer<S>(router: Router<S>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router.layer(axum::middleware::from_fn(track))
}

async fn track(mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id(&req);
    let method = req.method().clone();
    // The route template (`/users/{id}`) groups lines better than the concrete path; a
    // request no route matched logs its path.
    let path = match req.extensions().get::<MatchedPath>() {
        Some(matched) => matched.as_str().to_string(),
        None => req.uri().path().to_string(),
    };
    if let Ok(value) = HeaderValue::from_str(&id) {
        // Downstream code reading the header sees the id actually used.
        req.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    req.extensions_mut().insert(RequestId(id.clone()));

    let span = tracing::info_span!("request", request_id = %id);
    let mut response = next.run(req).instrument(span).await;

    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let status = response.status().as_u16();
    tracing::info!(
        method = %method,
        path = %path,
        status,
        latency_ms,
        request_id = %id,
        "request"
    );
    response
}

/// The id this request is known by; see the module comment for the order of preference.
fn request_id(req: &Request) -> String {
    let incoming = req.headers().get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok());
    if let Some(id) = incoming.filter(|id| is_safe_id(id)) {
        return id.to_string();
    }
    if let Some(id) = gateway_request_id(req).filter(|id| is_safe_id(id)) {
        return id;
    }
    format!("req_{}", ulid::Ulid::new().to_string().to_lowercase())
}

/// Only characters that cannot break a log line or a header: a client could otherwise
/// inject fake log fields through its own id.
fn is_safe_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_REQUEST_ID
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// API Gateway's id for the request, when lambda_http put its context in the extensions.
fn gateway_request_id(req: &Request) -> Option<String> {
    use lambda_http::request::RequestContext;
    match req.extensions().get::<RequestContext>()? {
        RequestContext::ApiGatewayV1(ctx) => ctx.request_id.clone(),
        RequestContext::ApiGatewayV2(ctx) => ctx.request_id.clone(),
        RequestContext::WebSocket(ctx) => ctx.request_id.clone(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    async fn whoami(axum::Extension(RequestId(id)): axum::Extension<RequestId>) -> String {
        id
    }

    fn app() -> Router {
        layer(Router::new().route("/users/{id}", get(whoami)))
    }

    async fn call(req: axum::http::Request<Body>) -> (String, String) {
        let response = app().oneshot(req).await.unwrap();
        let header = response.headers()[REQUEST_ID_HEADER].to_str().unwrap().to_string();
        let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
        (header, String::from_utf8(body.to_vec()).unwrap())
    }

    fn get_request(id: Option<&str>) -> axum::http::Request<Body> {
        let mut builder = axum::http::Request::builder().uri("/users/usr_1");
        if let Some(id) = id {
            builder = builder.header(REQUEST_ID_HEADER, id);
        }
        builder.body(Body::empty()).unwrap()
    }

    #[tokio::test]
    async fn every_response_carries_a_generated_request_id() {
        let (header, seen_by_handler) = call(get_request(None)).await;
        let ulid = header.strip_prefix("req_").unwrap();
        assert_eq!(ulid.len(), 26);
        assert!(ulid.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()), "{header}");
        assert_eq!(seen_by_handler, header);
    }

    #[tokio::test]
    async fn a_safe_incoming_request_id_is_echoed() {
        let id = "3f1c2a9e-7d1b-4c55-9a57-0c6b1d1e2f3a";
        let (header, seen_by_handler) = call(get_request(Some(id))).await;
        assert_eq!(header, id);
        assert_eq!(seen_by_handler, id);
    }

    #[tokio::test]
    async fn an_unsafe_or_overlong_incoming_id_is_replaced() {
        let long = "a".repeat(MAX_REQUEST_ID + 1);
        for id in ["abc def", "x\"y", "", long.as_str()] {
            let (header, _) = call(get_request(Some(id))).await;
            assert!(header.starts_with("req_"), "{id:?} → {header}");
        }
    }

    #[tokio::test]
    async fn the_api_gateway_request_id_is_used_when_the_client_sent_none() {
        let mut ctx = lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext::default();
        ctx.request_id = Some("JkFv3gXYoAMEVxw=".replace('=', "-"));
        let mut req = get_request(None);
        req.extensions_mut().insert(lambda_http::request::RequestContext::ApiGatewayV2(ctx));
        let (header, _) = call(req).await;
        assert_eq!(header, "JkFv3gXYoAMEVxw-");
    }

    #[derive(Clone)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn one_structured_line_is_logged_per_request() {
        let captured = Captured(Arc::new(Mutex::new(Vec::new())));
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_writer(move || writer.clone())
            .finish();
        // While only one dispatcher exists, tracing computes a callsite's interest from the
        // registering thread's own default alone, so another test thread running `track`
        // without a subscriber would mark these callsites "never". A second live dispatcher
        // makes every thread take all dispatchers into account.
        static SECOND: std::sync::OnceLock<tracing::Dispatch> = std::sync::OnceLock::new();
        SECOND.get_or_init(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));
        // The test runtime is single-threaded, so the thread-local subscriber sees it all.
        let _guard = tracing::subscriber::set_default(subscriber);
        tracing::callsite::rebuild_interest_cache();
        let (header, _) = call(get_request(Some("abc-123"))).await;
        assert_eq!(header, "abc-123");

        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<serde_json::Value> =
            text.lines().map(|l| serde_json::from_str(l).unwrap()).filter(|v: &serde_json::Value| v["message"] == "request").collect();
        assert_eq!(lines.len(), 1, "{text}");
        let line = &lines[0];
        assert_eq!(line["method"], "GET");
        assert_eq!(line["path"], "/users/{id}");
        assert_eq!(line["status"], 200);
        assert_eq!(line["request_id"], "abc-123");
        assert!(line["latency_ms"].is_u64(), "{line}");
    }
}
