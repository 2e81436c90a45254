//! Extractors that answer bad input in the contract's error shape instead of axum's plain
//! text: `Json<T>` for request (and response) bodies, `Query<T>` for query strings and
//! `Path<T>` for path parameters.
//!
//! What the contract asks of a JSON route, in the order it is checked:
//! a `Content-Type` other than `application/json` → 415 `unsupported_media_type`; a body over
//! 1 MiB → 413 `payload_too_large`; bytes that are not JSON → 400 `malformed_json`; an unknown
//! field (DTOs carry `#[serde(deny_unknown_fields)]`), a missing field or a wrong type → 400
//! `invalid_field` naming the field by its JSON path (`lines[0].amount`).
//!
//! Not for domain validation: a value of the right type but outside its domain (an empty
//! name, a negative amount) is the domain types' business and answers 422.
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// The largest request body any route reads: 1 MiB.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// A JSON request body (deserialized with the contract's error answers) or a 200 JSON
/// response. For another status, answer `(StatusCode::CREATED, Json(value))`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Json<T>(pub T);

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        if !is_json_content_type(req.headers()) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "The request body must be JSON, sent with `Content-Type: application/json`.",
            ));
        }
        let bytes = read_body(req, MAX_BODY_BYTES).await?;
        parse_json(&bytes).map(Json)
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(bytes) => {
                ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], bytes).into_response()
            }
            Err(e) => ApiError::internal(&e).into_response(),
        }
    }
}

/// `application/json`, in any letter case, with or without parameters (`; charset=utf-8`).
fn is_json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
}

/// 413 `payload_too_large`.
pub fn payload_too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("The request body must be at most {limit} bytes."),
    )
}

/// Reads a request body of at most `limit` bytes. A declared `Content-Length` above the
/// limit is refused before anything is read; an undeclared or understated one is cut off by
/// `Limited`, so no more than `limit` bytes are ever buffered.
pub async fn read_body(req: Request, limit: usize) -> Result<Bytes, ApiError> {
    check_declared_length(req.headers(), limit)?;
    read_limited(req.into_body(), limit).await
}

/// 413 when the request declares a `Content-Length` above `limit`: no need to read it.
pub fn check_declared_length(headers: &HeaderMap, limit: usize) -> Result<(), ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match declared {
        Some(n) if n > limit as u64 => Err(payload_too_large(limit)),
        _ => Ok(()),
    }
}

/// Reads `body` up to `limit` bytes: 413 beyond, 400 when the client's stream breaks.
pub async fn read_limited(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(payload_too_large(limit)),
        // The client went away or sent a broken chunked body: nothing usable arrived.
        Err(_) => Err(ApiError::bad_request("malformed_body", "The request body could not be read.")),
    }
}

/// Parses a JSON document into `T`, mapping every failure to the contract's answers.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // serde_json accepts invalid UTF-8 outside strings only by failing later with a less
    // useful message; checking first keeps "not JSON" one clear answer.
    if std::str::from_utf8(bytes).is_err() {
        return Err(ApiError::malformed_json("The request body is not valid UTF-8."));
    }
    // Every body of the API is a JSON object, and serde would otherwise read a struct from an
    // array (`[null, null]` as its fields in order): refuse any other JSON value as a wrong
    // type, before anything else about the request is judged.
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') && serde_json::from_slice::<serde_json::Value>(bytes).is_ok() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid_field", "The request body must be a JSON object."));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(crate::strict::Strict(&mut de)).map_err(|e| {
        let path = e.path().to_string();
        json_error(&path, e.into_inner())
    })?;
    // Trailing bytes after the document (`{} {}`) make the body not one JSON value.
    de.end().map_err(|e| json_error(".", e))?;
    Ok(value)
}

fn json_error(path: &str, e: serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    let message = without_position(&e.to_string());
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            ApiError::malformed_json(format!("The request body is not valid JSON: {message}."))
        }
        Category::Data => {
            let field = field_path(path, &message);
            let error = ApiError::new(StatusCode::BAD_REQUEST, "invalid_field", capitalize(&message));
            match field {
                Some(field) => error.with_field(field),
                None => error,
            }
        }
    }
}

/// serde_json ends its messages with " at line L column C", which means nothing to a
/// client that did not pretty-print its body.
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// The field an error is about. serde_path_to_error names the path down to the failing value
/// (for an unknown field, the field itself), but a missing field is reported at its parent,
/// so its name is taken from serde's message (``missing field `name` ``).
fn field_path(path: &str, message: &str) -> Option<String> {
    let parent = if path == "." { "" } else { path };
    if let Some(name) = quoted_after(message, "missing field `") {
        return Some(if parent.is_empty() { name.to_string() } else { format!("{parent}.{name}") });
    }
    // A type error at the root (an array where an object belongs) has no field to name.
    (!parent.is_empty()).then(|| parent.to_string())
}

fn quoted_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = message.strip_prefix(prefix)?;
    rest.find('`').map(|end| &rest[..end])
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => {
            let mut out: String = first.to_uppercase().collect();
            out.push_str(chars.as_str());
            if !out.ends_with('.') {
                out.push('.');
            }
            out
        }
        None => String::new(),
    }
}

/// Query-string parameters. A value that does not parse, or a missing required one, answers
/// 400 `invalid_parameter` naming the parameter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Query<T>(pub T);

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::try_from_uri(&parts.uri) {
            Ok(axum::extract::Query(value)) => Ok(Query(value)),
            Err(rejection) => Err(query_error(&rejection)),
        }
    }
}

/// axum keeps the serde_path_to_error error inside its rejection; walking the source chain
/// to it recovers which parameter failed without parsing the query string a second time.
fn query_error(rejection: &(dyn std::error::Error + 'static)) -> ApiError {
    type UrlencodedError = serde_path_to_error::Error<serde::de::value::Error>;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(rejection);
    while let Some(e) = source {
        if let Some(inner) = e.downcast_ref::<UrlencodedError>() {
            let message = inner.inner().to_string();
            let error = ApiError::bad_request("invalid_parameter", format!("Invalid query parameter: {message}."));
            return match field_path(&inner.path().to_string(), &message) {
                Some(field) => error.with_field(field),
                None => error,
            };
        }
        source = e.source();
    }
    ApiError::bad_request("invalid_parameter", "The query string could not be read.")
}

/// Path parameters. A value that does not parse (a malformed id) is a resource that does
/// not exist: 404 `not_found`, the same answer as a well-formed id nobody has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Path<T>(pub T);

impl<T> std::ops::Deref for Path<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::path::ErrorKind;
        use axum::extract::rejection::PathRejection;
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => match e.kind() {
                // The route and its extractor disagree: a programming error, not the client's.
                ErrorKind::WrongNumberOfParameters { .. } | ErrorKind::UnsupportedType { .. } => {
                    Err(ApiError::internal(&e))
                }
                _ => Err(ApiError::not_found("resource")),
            },
            Err(other) => Err(ApiError::internal(&other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::get;
    use serde::Deserialize;
    use tower::ServiceExt;

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Line {
        description: String,
        quantity: u32,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct NewInvoice {
        currency: String,
        lines: Vec<Line>,
        memo: Option<String>,
    }

    fn request(content_type: Option<&str>, body: impl Into<Body>) -> Request {
        let mut builder = axum::http::Request::builder().method("POST").uri("/");
        if let Some(ct) = content_type {
            builder = builder.header(header::CONTENT_TYPE, ct);
        }
        builder.body(body.into()).unwrap()
    }

    async fn extract(content_type: Option<&str>, body: &str) -> Result<NewInvoice, ApiError> {
        Json::<NewInvoice>::from_request(request(content_type, body.to_string()), &()).await.map(|j| j.0)
    }

    fn assert_error(result: Result<NewInvoice, ApiError>, status: u16, code: &str, field: Option<&str>) {
        let error = result.unwrap_err();
        assert_eq!(error.status.as_u16(), status, "{error}");
        assert_eq!(error.code(), code, "{error}");
        assert_eq!(error.detail.field.as_deref(), field, "{error}");
    }

    const VALID: &str = r#"{"currency":"usd","lines":[{"description":"Seat","quantity":2}]}"#;

    #[tokio::test]
    async fn a_valid_body_is_read() {
        let invoice = extract(Some("application/json"), VALID).await.unwrap();
        assert_eq!(invoice.lines[0].quantity, 2);
        assert_eq!(invoice.memo, None);
    }

    #[tokio::test]
    async fn content_type_parameters_and_letter_case_are_accepted() {
        assert!(extract(Some("application/json; charset=utf-8"), VALID).await.is_ok());
        assert!(extract(Some("Application/JSON"), VALID).await.is_ok());
    }

    #[tokio::test]
    async fn a_body_that_is_not_declared_json_answers_415() {
        assert_error(extract(Some("text/plain"), VALID).await, 415, "unsupported_media_type", None);
        assert_error(extract(None, VALID).await, 415, "unsupported_media_type", None);
        assert_error(extract(Some("application/jsonx"), VALID).await, 415, "unsupported_media_type", None);
    }

    #[tokio::test]
    async fn a_body_over_one_mebibyte_answers_413() {
        let big = format!(r#"{{"currency":"{}","lines":[]}}"#, "x".repeat(MAX_BODY_BYTES));
        assert_error(extract(Some("application/json"), &big).await, 413, "payload_too_large", None);
    }

    #[tokio::test]
    async fn an_oversized_body_without_content_length_is_cut_off_at_the_limit() {
        // A streamed body carries no Content-Length, so only the limited read can stop it.
        let chunks = (0..3).map(|_| Ok::<_, std::io::Error>(Bytes::from(vec![b' '; MAX_BODY_BYTES / 2 + 1])));
        let body = Body::from_stream(futures::stream::iter(chunks));
        let result = Json::<NewInvoice>::from_request(request(Some("application/json"), body), &()).await;
        assert_error(result.map(|j| j.0), 413, "payload_too_large", None);
    }

    #[tokio::test]
    async fn a_declared_oversized_length_is_refused_before_reading() {
        let req = axum::http::Request::builder()
            .method("POST")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_LENGTH, (MAX_BODY_BYTES + 1).to_string())
            .body(Body::from(VALID))
            .unwrap();
        let result = Json::<NewInvoice>::from_request(req, &()).await;
        assert_error(result.map(|j| j.0), 413, "payload_too_large", None);
    }

    #[tokio::test]
    async fn bytes_that_are_not_json_answer_malformed_json() {
        for body in ["{", "", "{\"currency\": usd}", r#"{"currency":"usd","lines":[]} {}"#, "nope"] {
            assert_error(extract(Some("application/json"), body).await, 400, "malformed_json", None);
        }
        let req = request(Some("application/json"), vec![b'"', 0xff, 0xfe, b'"']);
        let result = Json::<String>::from_request(req, &()).await;
        assert_eq!(result.unwrap_err().code(), "malformed_json");
    }

    #[tokio::test]
    async fn an_unknown_field_is_named_by_its_path() {
        let body = r#"{"currency":"usd","lines":[{"description":"Seat","quantity":2,"colour":"red"}]}"#;
        assert_error(extract(Some("application/json"), body).await, 400, "invalid_field", Some("lines[0].colour"));
        let body = r#"{"currency":"usd","lines":[],"admin":true}"#;
        assert_error(extract(Some("application/json"), body).await, 400, "invalid_field", Some("admin"));
    }

    #[tokio::test]
    async fn a_wrong_type_is_named_by_its_path() {
        let body = r#"{"currency":"usd","lines":[{"description":"Seat","quantity":"two"}]}"#;
        assert_error(extract(Some("application/json"), body).await, 400, "invalid_field", Some("lines[0].quantity"));
        let body = r#"{"currency":5,"lines":[]}"#;
        assert_error(extract(Some("application/json"), body).await, 400, "invalid_field", Some("currency"));
    }

    #[tokio::test]
    async fn a_missing_required_field_is_named() {
        assert_error(extract(Some("application/json"), r#"{"lines":[]}"#).await, 400, "invalid_field", Some("currency"));
        let body = r#"{"currency":"usd","lines":[{"quantity":1}]}"#;
        assert_error(extract(Some("application/json"), body).await, 400, "invalid_field", Some("lines[0].description"));
    }

    #[tokio::test]
    async fn a_wrong_type_at_the_root_names_no_field() {
        assert_error(extract(Some("application/json"), "[]").await, 400, "invalid_field", None);
    }

    #[tokio::test]
    async fn an_array_of_the_fields_in_order_is_not_the_object() {
        // serde reads a struct from a sequence of its fields; the API only takes objects.
        let as_array = r#"["usd", [{"description": "Seat", "quantity": 2}], null]"#;
        assert_error(extract(Some("application/json"), as_array).await, 400, "invalid_field", None);
        for other in ["null", "\"text\"", "12", "true", " [null, null]"] {
            assert_error(extract(Some("application/json"), other).await, 400, "invalid_field", None);
        }
    }

    #[tokio::test]
    async fn error_messages_carry_no_line_and_column() {
        let error = extract(Some("application/json"), r#"{"currency":5,"lines":[]}"#).await.unwrap_err();
        assert!(!error.detail.message.contains("line"), "{}", error.detail.message);
    }

    #[tokio::test]
    async fn a_json_response_is_200_application_json() {
        let response = Json(serde_json::json!({"status": "ok"})).into_response();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
        assert_eq!(&body[..], br#"{"status":"ok"}"#);
    }

    #[derive(Debug, Deserialize)]
    struct Filters {
        limit: Option<u32>,
        status: String,
    }

    async fn query_handler(Query(f): Query<Filters>) -> String {
        format!("{}:{:?}", f.status, f.limit)
    }

    async fn path_handler(Path(id): Path<domain::ids::UserId>) -> String {
        id.to_string()
    }

    fn router() -> Router {
        Router::new().route("/q", get(query_handler)).route("/users/{id}", get(path_handler))
    }

    async fn call(uri: &str) -> (StatusCode, serde_json::Value) {
        let response = router()
            .oneshot(axum::http::Request::builder().uri(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
        (status, serde_json::from_slice(&body).unwrap_or(serde_json::Value::String(String::from_utf8_lossy(&body).into())))
    }

    #[tokio::test]
    async fn query_parameters_are_read() {
        let (status, body) = call("/q?status=paid&limit=5").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, serde_json::Value::String("paid:Some(5)".into()));
    }

    #[tokio::test]
    async fn a_query_parameter_that_does_not_parse_answers_400_naming_it() {
        let (status, body) = call("/q?status=paid&limit=abc").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["type"], "invalid_request");
        assert_eq!(body["error"]["code"], "invalid_parameter");
        assert_eq!(body["error"]["field"], "limit");
    }

    #[tokio::test]
    async fn a_missing_required_query_parameter_answers_400_naming_it() {
        let (status, body) = call("/q?limit=1").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["code"], "invalid_parameter");
        assert_eq!(body["error"]["field"], "status");
    }

    #[tokio::test]
    async fn a_malformed_path_id_is_a_resource_that_does_not_exist() {
        let (status, body) = call("/users/not-an-id").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["error"]["type"], "not_found");
        assert_eq!(body["error"]["code"], "not_found");
    }

    #[tokio::test]
    async fn a_well_formed_path_id_is_read() {
        let id = domain::ids::UserId::generate(domain::time::Timestamp::from_unix(1_000));
        let (status, body) = call(&format!("/users/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, serde_json::Value::String(id.to_string()));
    }
}
