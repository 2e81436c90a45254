//! The `tenant-team` function: a tenant's members and invitations (`/api/v1/tenant/members*`,
//! `/api/v1/tenant/invitations*`), accepting an invitation (`POST /api/v1/invitations/accept`,
//! tenant and platform invitations alike), and their pages (`/auth/accept-invitation`,
//! `/portal/team`).
//!
//! The rules it keeps, race-safe through the team roster (`domain::team`): the last
//! tenant admin can be neither removed nor demoted (409 `last_admin`), and members plus pending
//! invitations never exceed the plan's `limits.seats` (422 `seat_limit_reached`).
pub mod api;
pub mod emails;
pub mod pages;
pub mod service;

use axum::Router;
use axum::http::Method;
use axum::routing::{delete, get, patch, post};
use domain::permissions::Rule::{Public, TenantAdmin, TenantRead};
use utoipa::OpenApi;
use web::AppState;
use web::kit::Portal;
use web::module::{Module, Routes};

use api::handlers as h;

#[derive(OpenApi)]
#[openapi(
    paths(h::list_members, h::change_member_role, h::remove_member, h::list_invitations, h::create_invitation,
        h::revoke_invitation, h::accept_invitation),
    tags((name = "team", description = "The caller's organization: members, invitations, and accepting an invitation"))
)]
pub struct TeamApi;

/// This function's part of the platform's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    TeamApi::openapi()
}

/// This function, as the platform's list of modules sees it.
pub const MODULE: Module = Module {
    routes: Some(|deps| routes(deps.app.clone())),
    openapi: Some(openapi),
    nav: &[(Portal::Tenant, "team"), (Portal::Tenant, "activity")],
    ..Module::named("tenant-team")
};

/// This function's routes, to merge with others (the local server).
pub fn routes(state: AppState) -> Routes<()> {
    // Sending an invitation emails: a repeated Idempotency-Key replays the first answer. The
    // permissions guard (outside these routes) scopes keys to the caller.
    let idempotent = axum::middleware::from_fn_with_state(state.clone(), web::idempotency::layer);
    Routes::new()
        .api(Method::GET, "/api/v1/tenant/invitations", TenantRead, get(h::list_invitations))
        .api(Method::POST, "/api/v1/tenant/invitations", TenantAdmin, post(h::create_invitation).route_layer(idempotent))
        .api(Method::DELETE, "/api/v1/tenant/invitations/{id}", TenantAdmin, delete(h::revoke_invitation))
        .api(Method::GET, "/api/v1/tenant/members", TenantRead, get(h::list_members))
        .api(Method::PATCH, "/api/v1/tenant/members/{user_id}", TenantAdmin, patch(h::change_member_role))
        .api(Method::DELETE, "/api/v1/tenant/members/{user_id}", TenantAdmin, delete(h::remove_member))
        // The emailed token is the credential; the handler checks it.
        .api(Method::POST, "/api/v1/invitations/accept", Public, post(h::accept_invitation))
        .merge(pages::routes())
        .with_state(state)
}

/// The router `lambda_http` serves.
pub fn router(state: AppState) -> Router {
    web::finish(routes(state.clone()), &state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_openapi_document_describes_every_team_route_and_body() {
        let doc = serde_json::to_value(openapi()).unwrap();
        for (path, method) in [
            ("/api/v1/tenant/members", "get"),
            ("/api/v1/tenant/members/{user_id}", "patch"),
            ("/api/v1/tenant/members/{user_id}", "delete"),
            ("/api/v1/tenant/invitations", "get"),
            ("/api/v1/tenant/invitations", "post"),
            ("/api/v1/tenant/invitations/{id}", "delete"),
            ("/api/v1/invitations/accept", "post"),
        ] {
            assert!(doc["paths"][path][method].is_object(), "{method} {path} missing");
        }
        for schema in ["TeamMember", "TeamInvitation", "ChangeMemberRole", "CreateTeamInvitation", "AcceptInvitation", "AcceptedInvitation"] {
            assert!(doc["components"]["schemas"][schema].is_object(), "schema {schema} missing");
        }
        // Pages are not API.
        assert!(doc["paths"].get("/portal/team").is_none());
    }
}
