//! The `health` function: `GET /healthz` (is this deployment serving, can it reach its
//! table) and `GET /api/v1/openapi.json` (the whole platform's contract, as generated from
//! every function's routes).
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Serialize;
use shared::AppState;
use shared::http::ApiError;
use shared::ports::item_store::Key;
use utoipa::OpenApi;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` when the function can serve and read its table.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// The service is up and its table answers.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses(
        (status = 200, description = "Serving", body = Health),
        (status = 500, description = "The table cannot be read", body = shared::http::error::ErrorBody),
    ))]
pub async fn healthz(State(state): State<AppState>) -> Result<axum::Json<Health>, ApiError> {
    // One read through the store port proves configuration, credentials and the network.
    state.store.get(&Key::new("HEALTH", "PROBE")).await?;
    Ok(axum::Json(Health { status: "ok" }))
}

/// The OpenAPI 3.1 document of every route of the platform.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "health",
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json")))]
pub async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(openapi())
}

#[derive(OpenApi)]
#[openapi(paths(healthz, openapi_json), components(schemas(Health)))]
struct HealthApi;

/// The platform's OpenAPI document: each function's part merged with the shared components.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = shared::http::openapi::base();
    doc.merge(HealthApi::openapi());
    doc.merge(auth::openapi());
    doc.merge(admin_users::openapi());
    doc.merge(tenant_team::openapi());
    doc.merge(admin_tenants::openapi());
    doc
}

/// This function's routes, to merge with others (the local server).
pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/openapi.json", get(openapi_json))
        .with_state(state)
}

/// The router `lambda_http` serves: the routes, finished with the shared layers.
pub fn router(state: AppState) -> Router {
    shared::http::finish(routes(state.clone()), &state)
}
