//! The team's pages, server-rendered with the page kit (`web::kit`) and usable without
//! JavaScript, with the forgery protection of `web::pages::form`:
//!
//! - `/auth/accept-invitation?token=…`: the emailed link, a signed-out card. GET only shows
//!   what accepting would do (mail scanners prefetch links); the form's POST accepts, then 303
//!   to `/auth/login` with a success note. An anonymous form, guarded by the `dm_form`
//!   double-submit cookie.
//! - `/portal/team`: members (role change, removal with a confirm step) and invitations
//!   (invite, revoke) for tenant admins; read-only for members. Every action is a POST to
//!   `/portal/team` naming its `action`, carrying `csrf_token` equal to the `dm_csrf` cookie,
//!   answered with 303 back to the page (or the page again with the refusal and the status
//!   the JSON API would give).
//! - `/portal/activity`: the organization's audit trail, for its admins.
//!
//! Handlers here only translate: they call the same use cases as `crate::api`, and a refusal
//! is the API's own (`From<TeamError> for ApiError`), rendered for people. Pages are not API
//! and are left out of the OpenAPI document.
mod accept;
mod activity;
mod team;
mod text;
#[cfg(test)]
mod over_http;
#[cfg(test)]
mod testing;

use axum::http::Method;
use axum::routing::{get, post};
use web::AppState;
use web::module::Routes;

/// The pages' routes, merged into the function's routes by `crate::routes`: outside the API
/// and its permissions matrix, since each page checks its viewer itself.
pub fn routes() -> Routes<AppState> {
    Routes::new()
        .page(Method::GET, "/auth/accept-invitation", get(accept::show))
        .page(Method::POST, "/auth/accept-invitation", post(accept::submit))
        .page(Method::GET, "/portal/team", get(team::show))
        .page(Method::POST, "/portal/team", post(team::submit))
        .page(Method::GET, "/portal/activity", get(activity::show))
}
