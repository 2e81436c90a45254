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
use axum::http::Method;
use axum::routing::{get, patch, post};
use domain::permissions::Rule::{PlatformAdmin, TenantAdmin};
use utoipa::OpenApi;
use web::AppState;
use web::kit::Portal;
use web::module::{Module, Routes};

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

/// This function, as the platform's list of modules sees it.
pub const MODULE: Module = Module {
    routes: Some(|deps| routes(deps.app.clone())),
    openapi: Some(openapi),
    nav: &[(Portal::Admin, "users")],
    ..Module::named("admin-users")
};

/// This function's routes, to merge with others (the local server).
pub fn routes(state: AppState) -> Routes<()> {
    // Inviting sends email: a repeated Idempotency-Key replays the first answer.
    let idempotent = axum::middleware::from_fn_with_state(state.clone(), web::idempotency::layer);
    Routes::new()
        .api(Method::GET, "/api/v1/admin/users", PlatformAdmin, get(h::list_users))
        .api(Method::POST, "/api/v1/admin/users", PlatformAdmin, post(h::invite_user).route_layer(idempotent))
        .api(Method::GET, "/api/v1/admin/users/{id}", PlatformAdmin, get(h::get_user))
        .api(Method::PATCH, "/api/v1/admin/users/{id}", PlatformAdmin, patch(h::update_user))
        .api(Method::POST, "/api/v1/admin/users/{id}/disable", PlatformAdmin, post(h::disable_user))
        .api(Method::POST, "/api/v1/admin/users/{id}/enable", PlatformAdmin, post(h::enable_user))
        .api(Method::GET, "/api/v1/admin/audit-events", PlatformAdmin, get(h::list_audit_events))
        // The trail names people and their IP addresses: the tenant's admins only.
        .api(Method::GET, "/api/v1/tenant/audit-events", TenantAdmin, get(h::list_tenant_audit_events))
        .merge(pages::routes())
        .with_state(state)
}

/// The router `lambda_http` serves.
pub fn router(state: AppState) -> Router {
    web::finish(routes(state.clone()), &state)
}
