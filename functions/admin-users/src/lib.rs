//! The `admin-users` function: platform admins' user management (`/api/v1/admin/users*`:
//! list, invite, edit, change role, disable, enable) and the audit trails
//! (`/api/v1/admin/audit-events` for the platform, `/api/v1/tenant/audit-events` for a
//! tenant's admins), and their pages (`/dashboard/users`, `/dashboard/users/{id}`). Accepting
//! an invitation is the team function's.
pub mod api;
pub mod emails;
pub mod pages;
pub mod service;

use axum::Router;
use axum::routing::{get, post};
use shared::AppState;
use utoipa::OpenApi;

use api::handlers as h;

#[derive(OpenApi)]
#[openapi(paths(
    h::list_users, h::invite_user, h::get_user, h::update_user, h::disable_user, h::enable_user,
    h::list_audit_events, h::list_tenant_audit_events,
))]
pub struct AdminUsersApi;

/// This function's part of the platform's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    AdminUsersApi::openapi()
}

/// This function's routes, to merge with others (the local server).
pub fn routes(state: AppState) -> Router {
    // Inviting sends email: a repeated Idempotency-Key replays the first answer.
    let idempotent = axum::middleware::from_fn_with_state(state.clone(), shared::http::idempotency::layer);
    Router::new()
        .route("/api/v1/admin/users", get(h::list_users).merge(post(h::invite_user).route_layer(idempotent)))
        .route("/api/v1/admin/users/{id}", get(h::get_user).patch(h::update_user))
        .route("/api/v1/admin/users/{id}/disable", post(h::disable_user))
        .route("/api/v1/admin/users/{id}/enable", post(h::enable_user))
        .route("/api/v1/admin/audit-events", get(h::list_audit_events))
        .route("/api/v1/tenant/audit-events", get(h::list_tenant_audit_events))
        .merge(pages::routes())
        .with_state(state)
}

/// The router `lambda_http` serves.
pub fn router(state: AppState) -> Router {
    shared::http::finish(routes(state.clone()), &state)
}
