//! The `auth` function: sign-up, verification, sign-in with MFA, sessions, password reset and
//! the caller's own profile (`/api/v1/auth/*`, `/api/v1/me*`), plus the sign-in pages
//! (`/auth/*`) and the portal shells they lead to.
pub mod api;
pub mod emails;
pub mod pages;
pub mod service;
pub mod state;

use axum::Router;
use axum::routing::{delete, get, post};
use utoipa::OpenApi;

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

/// This function's routes, to merge with others (the local server).
pub fn routes(state: AuthState) -> Router {
    // Routes that send email replay their first answer for a repeated Idempotency-Key.
    let emailing = Router::new()
        .route("/api/v1/auth/signup", post(h::signup))
        .route("/api/v1/auth/resend-verification", post(h::resend_verification))
        .route("/api/v1/auth/password/forgot", post(h::forgot_password))
        .route_layer(axum::middleware::from_fn_with_state(state.app.clone(), shared::http::idempotency::layer));
    Router::new()
        .merge(emailing)
        .route("/api/v1/auth/verify-email", post(h::verify_email))
        .route("/api/v1/auth/login", post(h::login))
        .route("/api/v1/auth/login/mfa", post(h::login_mfa))
        .route("/api/v1/auth/refresh", post(h::refresh))
        .route("/api/v1/auth/logout", post(h::logout))
        .route("/api/v1/auth/password/reset", post(h::reset_password))
        .route("/api/v1/me", get(h::get_me).patch(h::patch_me))
        .route("/api/v1/me/sessions", get(h::list_sessions))
        .route("/api/v1/me/sessions/{id}", delete(h::revoke_session))
        .route("/api/v1/me/mfa/totp", post(h::start_totp))
        .route("/api/v1/me/mfa/totp/confirm", post(h::confirm_totp))
        .route("/api/v1/me/mfa", delete(h::disable_mfa))
        .route("/api/v1/me/mfa/backup-codes", post(h::regenerate_backup_codes))
        .merge(pages::routes())
        .with_state(state)
}

/// The router `lambda_http` serves.
pub fn router(state: AuthState) -> Router {
    let app = state.app.clone();
    shared::http::finish(routes(state), &app)
}
