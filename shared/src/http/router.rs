//! What every function's router gets last: request ids and logs, and answers in the
//! contract's error shape for unknown routes and wrong methods.
use axum::Router;
use axum::http::StatusCode;

use crate::AppState;
use crate::http::error::ApiError;

/// 404 `not_found` for a path no route serves.
pub async fn no_route() -> ApiError {
    ApiError::not_found("route")
}

/// 405 `method_not_allowed` for a known path with another method.
pub async fn wrong_method() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "This route does not take that method.")
}

/// Finishes a function's router: the permissions guard on every route, fallbacks, then the
/// request-id and log layer outermost.
pub fn finish(router: Router, state: &AppState) -> Router {
    let guarded = router.route_layer(axum::middleware::from_fn_with_state(state.clone(), crate::auth::permissions::guard));
    crate::http::observability::layer(guarded.fallback(no_route).method_not_allowed_fallback(wrong_method))
}
