//! What every function's router gets last: request ids and logs, and answers in the
//! contract's error shape for unknown routes and wrong methods.
use axum::Router;
use axum::http::StatusCode;

use crate::AppState;
use crate::auth::guard::Guarded;
use crate::error::ApiError;
use crate::module::Routes;

/// 404 `not_found` for a path no route serves.
pub async fn no_route() -> ApiError {
    ApiError::not_found("route")
}

/// 405 `method_not_allowed` for a known path with another method.
pub async fn wrong_method() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "This route does not take that method.")
}

/// Finishes a function's router: the permissions guard on every route (enforcing the rules
/// its `Routes` recorded), fallbacks, then the request-id and log layer outermost.
pub fn finish(routes: Routes<()>, state: &AppState) -> Router {
    let (router, table) = routes.into_parts();
    let guarded = Guarded { app: state.clone(), table: table.into() };
    let router = router.route_layer(axum::middleware::from_fn_with_state(guarded, crate::auth::guard::guard));
    crate::observability::layer(router.fallback(no_route).method_not_allowed_fallback(wrong_method))
}
