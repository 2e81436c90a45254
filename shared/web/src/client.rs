//! Who is on the other end of a request: IP address and user agent, for sessions, audit
//! events and per-IP rate limits. The IP comes from API Gateway's request context (which
//! the client cannot forge) or from the socket locally; never from `X-Forwarded-For`.
use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientMeta {
    pub ip: String,
    pub user_agent: String,
}

impl<S: Send + Sync> FromRequestParts<S> for ClientMeta {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        use lambda_http::request::RequestContext;
        let from_gateway = match parts.extensions.get::<RequestContext>() {
            Some(RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.clone(),
            Some(RequestContext::ApiGatewayV1(ctx)) => ctx.identity.source_ip.clone(),
            _ => None,
        };
        let from_socket = || parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
        let ip = from_gateway.or_else(from_socket).unwrap_or_else(|| "unknown".into());
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().filter(|c| !c.is_control()).take(256).collect())
            .unwrap_or_default();
        Ok(ClientMeta { ip, user_agent })
    }
}

/// Where a change comes from, for its audit event: the client's IP (as `ClientMeta` finds it)
/// and the request id (to find the request's log lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub ip: String,
    pub request_id: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Origin {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Infallible> {
        let meta = ClientMeta::from_request_parts(parts, state).await?;
        let request_id = parts.extensions.get::<crate::observability::RequestId>().map(|r| r.0.clone());
        Ok(Origin { ip: meta.ip, request_id })
    }
}

impl Origin {
    /// An audit event of `actor` doing `action` at `now`, from here.
    pub fn event(&self, now: domain::time::Timestamp, actor: &str, action: &str) -> store::audit::AuditEvent {
        store::audit::AuditEvent::new(now, actor, action, &self.ip).request(self.request_id.as_deref())
    }
}
