//! The `admin-tenants` function: the platform admin's tenant lifecycle
//! (`/api/v1/admin/tenants*`): list, create (provisioned by the provisioning worker), read
//! with provisioning progress, change, suspend and reactivate, soft delete and restore, usage.
//! The state machine is `shared::domain::tenant`; the purge after retention is the
//! scheduler's `tenant-purge` job. Its pages, `/dashboard/tenants` and
//! `/dashboard/tenants/{id}`, are in `pages`.
pub mod api;
pub mod pages;
pub mod service;

use axum::Router;
use axum::routing::{get, post};
use shared::AppState;
use utoipa::OpenApi;

use api::handlers as h;

#[derive(OpenApi)]
#[openapi(paths(
    h::list_tenants, h::create_tenant, h::get_tenant, h::update_tenant, h::suspend_tenant, h::reactivate_tenant,
    h::delete_tenant, h::restore_tenant, h::tenant_usage,
))]
pub struct AdminTenantsApi;

/// This function's part of the platform's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    AdminTenantsApi::openapi()
}

/// This function's routes, to merge with others (the local server).
pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/admin/tenants", get(h::list_tenants).post(h::create_tenant))
        .route("/api/v1/admin/tenants/{id}", get(h::get_tenant).patch(h::update_tenant).delete(h::delete_tenant))
        .route("/api/v1/admin/tenants/{id}/suspend", post(h::suspend_tenant))
        .route("/api/v1/admin/tenants/{id}/reactivate", post(h::reactivate_tenant))
        .route("/api/v1/admin/tenants/{id}/restore", post(h::restore_tenant))
        .route("/api/v1/admin/tenants/{id}/usage", get(h::tenant_usage))
        // A POST with `Idempotency-Key` replays its first answer (creating a tenant sends the
        // admin invitation, through the worker).
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), shared::http::idempotency::layer))
        .merge(pages::routes())
        .with_state(state)
}

/// The router `lambda_http` serves.
pub fn router(state: AppState) -> Router {
    shared::http::finish(routes(state.clone()), &state)
}
