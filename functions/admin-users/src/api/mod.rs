//! The JSON routes of the admin-users function: `/api/v1/admin/users*`,
//! `/api/v1/admin/audit-events` and `/api/v1/tenant/audit-events`.
pub mod dto;
pub mod handlers;
pub mod params;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use web::AppState;
use web::auth::Caller;
use web::ApiError;
use web::client::ClientMeta;
use web::observability::RequestId;

use crate::service::Actor;

impl FromRequestParts<AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let meta = match ClientMeta::from_request_parts(parts, state).await {
            Ok(meta) => meta,
            Err(never) => match never {},
        };
        let request_id = parts.extensions.get::<RequestId>().map(|r| r.0.clone());
        Ok(Actor { caller, ip: meta.ip, request_id })
    }
}
