//! The `auth` function: sign-up, verification, sign-in with MFA, sessions, password reset and
//! the caller's own profile (`/api/v1/auth/*`, `/api/v1/me*`), plus the sign-in pages
//! (`/auth/*`) and the portal shells they lead to.
pub mod api;
pub mod emails;
pub mod pages;
pub mod service;
pub mod state;

use axum::Router;
use axum::http::Method;
use axum::routing::{delete, get, patch, post};
use domain::permissions::Rule::{Public, SignedIn};
use utoipa::OpenApi;
use web::kit::Portal;
use web::module::{Module, Routes};

pub use state::AuthState;

use api::handlers as h;

#[derive(OpenApi)]
#[openapi(paths(
    h::signup, h::verify_email, h::resend_verification, h::login, h::login_mfa, h::refresh, h::logout,
    h::forgot_password, h::reset_password, h::get_me, h::patch_me, h::list_sessions, h::revoke_session,
    h::start_totp, h::confirm_totp, h::disable_mfa, h::regenerate_backup_codes,
))]
pub struct AuthApi;

/// This function's part of the platform's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    AuthApi::openapi()
}

/// This function, as the platform's list of modules sees it.
pub const MODULE: Module = Module {
    routes: Some(|deps| routes(AuthState::derive(deps.app.clone(), &deps.auth_secret).map_err(|e| e.to_string()))),
    init: Some(|deps| Box::pin(async move { AuthState::new(deps.app, &deps.auth_secret).await.map(|_| ()).map_err(|e| e.to_string()) })),
    openapi: Some(openapi),
    nav: &[(Portal::Admin, "overview"), (Portal::Tenant, "overview"), (Portal::Partner, "overview")],
    ..Module::named("auth")
};

/// This function's routes, to merge with others (the local server). Without a signer (a
/// secret that does not make a key) the routes are none: the function cannot serve.
pub fn routes(state: Result<AuthState, String>) -> Routes<()> {
    let state = match state {
        Ok(state) => state,
        Err(error) => {
            tracing::error!(%error, "auth cannot sign tokens; it serves nothing");
            return Routes::new();
        }
    };
    // Routes that send email replay their first answer for a repeated Idempotency-Key.
    let idempotent = || axum::middleware::from_fn_with_state(state.app.clone(), web::idempotency::layer);
    Routes::new()
        .api(Method::POST, "/api/v1/auth/signup", Public, post(h::signup).route_layer(idempotent()))
        .api(Method::POST, "/api/v1/auth/resend-verification", Public, post(h::resend_verification).route_layer(idempotent()))
        .api(Method::POST, "/api/v1/auth/password/forgot", Public, post(h::forgot_password).route_layer(idempotent()))
        .api(Method::POST, "/api/v1/auth/verify-email", Public, post(h::verify_email))
        .api(Method::POST, "/api/v1/auth/login", Public, post(h::login))
        .api(Method::POST, "/api/v1/auth/login/mfa", Public, post(h::login_mfa))
        // The refresh cookie is the credential here; the handler checks it and the CSRF header.
        .api(Method::POST, "/api/v1/auth/refresh", Public, post(h::refresh))
        .api(Method::POST, "/api/v1/auth/logout", SignedIn, post(h::logout))
        .api(Method::POST, "/api/v1/auth/password/reset", Public, post(h::reset_password))
        .api(Method::GET, "/api/v1/me", SignedIn, get(h::get_me))
        .api(Method::PATCH, "/api/v1/me", SignedIn, patch(h::patch_me))
        .api(Method::GET, "/api/v1/me/sessions", SignedIn, get(h::list_sessions))
        .api(Method::DELETE, "/api/v1/me/sessions/{id}", SignedIn, delete(h::revoke_session))
        .api(Method::POST, "/api/v1/me/mfa/totp", SignedIn, post(h::start_totp))
        .api(Method::POST, "/api/v1/me/mfa/totp/confirm", SignedIn, post(h::confirm_totp))
        .api(Method::DELETE, "/api/v1/me/mfa", SignedIn, delete(h::disable_mfa))
        .api(Method::POST, "/api/v1/me/mfa/backup-codes", SignedIn, post(h::regenerate_backup_codes))
        .merge(pages::routes())
        .with_state(state)
}

/// The router `lambda_http` serves. Building it touches no network: the signer's public key
/// is published before the first request is served (once per container), not at start, so a
/// cold start never waits on, or dies of, the table.
pub fn router(state: AuthState) -> Router {
    let app = state.app.clone();
    let publish = axum::middleware::from_fn_with_state(state.clone(), publish_key);
    web::finish(routes(Ok(state)), &app).layer(publish)
}

/// Makes sure the token key is findable by every function before this function answers
/// anything (any route may sign a token). Without the table nothing here works anyway, so a
/// failure answers 500 and the next request tries again.
async fn publish_key(
    axum::extract::State(state): axum::extract::State<AuthState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match state.ensure_published().await {
        Ok(()) => next.run(request).await,
        Err(error) => web::ApiError::internal(&error).into_response(),
    }
}
