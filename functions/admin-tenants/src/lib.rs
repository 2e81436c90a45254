//! The `admin-tenants` function: the platform admin's tenant lifecycle
//! (`/api/v1/admin/tenants*`): list, create (provisioned by the provisioning worker), read
//! with provisioning progress, change, suspend and reactivate, soft delete and restore, usage.
//! The state machine is `domain::tenant`; the purge after retention is the
//! scheduler's `tenant-purge` job. Its pages, `/dashboard/tenants` and
//! `/dashboard/tenants/{id}`, are in `pages`.
pub mod api;
pub mod pages;
pub mod service;

use axum::Router;
use axum::http::Method;
use axum::routing::{delete, get, patch, post};
use domain::permissions::Rule::PlatformAdmin;
use utoipa::OpenApi;
use web::AppState;
use web::kit::Portal;
use web::module::{Module, Routes};

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

/// This function, as the platform's list of modules sees it.
pub const MODULE: Module = Module {
    routes: Some(|deps| routes(deps.app.clone())),
    openapi: Some(openapi),
    nav: &[(Portal::Admin, "tenants")],
    ..Module::named("admin-tenants")
};

/// This function's routes, to merge with others (the local server).
pub fn routes(state: AppState) -> Routes<()> {
    // A POST with `Idempotency-Key` replays its first answer (creating a tenant sends the
    // admin invitation, through the worker).
    let idempotent = || axum::middleware::from_fn_with_state(state.clone(), web::idempotency::layer);
    Routes::new()
        .api(Method::GET, "/api/v1/admin/tenants", PlatformAdmin, get(h::list_tenants))
        .api(Method::POST, "/api/v1/admin/tenants", PlatformAdmin, post(h::create_tenant).route_layer(idempotent()))
        .api(Method::GET, "/api/v1/admin/tenants/{id}", PlatformAdmin, get(h::get_tenant))
        .api(Method::PATCH, "/api/v1/admin/tenants/{id}", PlatformAdmin, patch(h::update_tenant))
        .api(Method::DELETE, "/api/v1/admin/tenants/{id}", PlatformAdmin, delete(h::delete_tenant))
        .api(Method::POST, "/api/v1/admin/tenants/{id}/suspend", PlatformAdmin, post(h::suspend_tenant).route_layer(idempotent()))
        .api(Method::POST, "/api/v1/admin/tenants/{id}/reactivate", PlatformAdmin, post(h::reactivate_tenant).route_layer(idempotent()))
        .api(Method::POST, "/api/v1/admin/tenants/{id}/restore", PlatformAdmin, post(h::restore_tenant).route_layer(idempotent()))
        .api(Method::GET, "/api/v1/admin/tenants/{id}/usage", PlatformAdmin, get(h::tenant_usage))
        .merge(pages::routes())
        .with_state(state)
}

/// The router `lambda_http` serves.
pub fn router(state: AppState) -> Router {
    web::finish(routes(state.clone()), &state)
}
