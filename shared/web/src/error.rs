//! The one error type of the HTTP layer and its one mapping to the contract's error shape:
//! `{"error": {"type", "code", "message", "field"?}}`.
//!
//! Handlers return `Result<_, ApiError>`; lower layers' errors convert with `?`. Anything
//! unexpected becomes an opaque 500: its cause chain is logged here, never sent.
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use store::ports::item_store::StoreError;
use store::ports::mailer::MailError;
use store::ports::queue::QueueError;

/// The `type` of an error: which class of failure, by HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorType {
    /// 400, 413, 415, 422
    InvalidRequest,
    /// 401
    Authentication,
    /// 403
    Permission,
    /// 404
    NotFound,
    /// 409, 412
    Conflict,
    /// 429
    RateLimited,
    /// 500
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ErrorDetail {
    #[serde(rename = "type")]
    pub kind: ErrorType,
    /// For programs: `malformed_json`, `invalid_field`, `not_found`, `conflict`, …
    pub code: String,
    /// For people.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub detail: ErrorDetail,
    /// Seconds, for 429.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        let kind = match status.as_u16() {
            401 => ErrorType::Authentication,
            403 => ErrorType::Permission,
            404 => ErrorType::NotFound,
            409 | 412 => ErrorType::Conflict,
            429 => ErrorType::RateLimited,
            400..=499 => ErrorType::InvalidRequest,
            _ => ErrorType::Internal,
        };
        ApiError {
            status,
            detail: ErrorDetail { kind, code: code.into(), message: message.into(), field: None },
            retry_after: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.detail.field = Some(field.into());
        self
    }

    pub fn code(&self) -> &str {
        &self.detail.code
    }

    /// 400 `malformed_json`
    pub fn malformed_json(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", message)
    }

    /// 400 `invalid_field`: an unknown field or a wrong type.
    pub fn bad_field(field: &str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_field", message).with_field(field)
    }

    /// 400 `invalid_request`: a query parameter or header the route cannot use.
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 422 `invalid_field`: a value outside its domain.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", message).with_field(field)
    }

    /// 401
    pub fn unauthenticated(code: &str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, code, message)
    }

    /// 403
    pub fn forbidden(code: &str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, code, message)
    }

    /// 404 `not_found`; also the answer for another tenant's resource.
    pub fn not_found(what: &str) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("No such {what}."))
    }

    /// 409
    pub fn conflict(code: &str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::CONFLICT, code, message)
    }

    /// 429 `rate_limited` with `Retry-After`.
    pub fn rate_limited(retry_after_seconds: u64) -> Self {
        let mut e = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "Too many requests; try again later.");
        e.retry_after = Some(retry_after_seconds.max(1));
        e
    }

    /// 500 `internal`. The cause is logged here and never leaves the server.
    pub fn internal(cause: &(dyn std::error::Error + 'static)) -> Self {
        let mut chain = vec![cause.to_string()];
        let mut source = cause.source();
        while let Some(s) = source {
            chain.push(s.to_string());
            source = s.source();
        }
        tracing::error!(error.cause_chain = ?chain, error.message = %cause, "internal error");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Something went wrong on our side.")
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.detail.code, self.detail.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = self.retry_after;
        let mut response = (self.status, axum::Json(ErrorBody { error: self.detail })).into_response();
        if let Some(seconds) = retry_after {
            if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            // A condition the handler did not map itself means a concurrent write won.
            StoreError::ConditionFailed { .. } | StoreError::TransactionConflict => {
                ApiError::conflict("conflict", "The resource was changed by another request; retry with fresh data.")
            }
            other => ApiError::internal(&other),
        }
    }
}

impl From<QueueError> for ApiError {
    fn from(e: QueueError) -> Self {
        ApiError::internal(&e)
    }
}

impl From<MailError> for ApiError {
    fn from(e: MailError) -> Self {
        ApiError::internal(&e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_error_answers_in_the_contract_shape() {
        let response = ApiError::invalid_field("name", "must not be empty").into_response();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json, serde_json::json!({"error": {"type": "invalid_request", "code": "invalid_field",
            "message": "must not be empty", "field": "name"}}));
    }

    #[tokio::test]
    async fn an_internal_error_carries_no_detail() {
        let cause = StoreError::Unavailable("password=hunter2 at db-7".into());
        let response = ApiError::from(cause).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(!text.contains("hunter2") && !text.contains("db-7"), "{text}");
        assert!(text.contains("\"type\":\"internal\""));
    }

    #[test]
    fn rate_limits_carry_retry_after() {
        let response = ApiError::rate_limited(42).into_response();
        assert_eq!(response.headers()[header::RETRY_AFTER], "42");
    }
}

// Rate limits are counters in the store; over the limit is a 429 with `Retry-After`.
impl From<store::rate_limit::RateLimited> for ApiError {
    fn from(e: store::rate_limit::RateLimited) -> Self {
        ApiError::rate_limited(e.retry_after_seconds)
    }
}

impl From<store::rate_limit::LimitError> for ApiError {
    fn from(e: store::rate_limit::LimitError) -> Self {
        match e {
            store::rate_limit::LimitError::Limited(limited) => limited.into(),
            // Failing closed would let a store outage lock everyone out, failing open would
            // lift the limit silently; a 500 does neither, and the caller can choose.
            store::rate_limit::LimitError::Store(store) => ApiError::internal(&store),
        }
    }
}

