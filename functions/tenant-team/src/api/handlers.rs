//! Handlers: extract → use case → respond. Rules live in `crate::service`; who may call what
//! is the permissions matrix's business (`domain::permissions`), checked before these run.
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use web::AppState;
use web::auth::Caller;
use domain::ids::{InvitationId, UserId};
use domain::user::User;
use web::error::ErrorBody;
use web::{ApiError, Json, List, ListParams, PageRequest, Path, Query};

use super::dto::*;
use crate::service::{Origin, accept, invitations, members, tenant_of};

/// The members of the caller's organization
#[utoipa::path(get, path = "/api/v1/tenant/members", tag = "team", params(ListParams), security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, body = List<TeamMember>), (status = 400, description = "`limit` or `cursor` out of range", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_members(State(app): State<AppState>, caller: Caller, Query(params): Query<ListParams>) -> Result<Json<List<TeamMember>>, ApiError> {
    let tenant = tenant_of(&caller)?;
    let scope = format!("members:{tenant}");
    let key = &app.config.cursor_key;
    let request = PageRequest::from_params(&params, key, &scope)?;
    let page = members::page(&app, &tenant, &request).await?;
    let list = List::from_store_page(page, &request, store::repo::team::MEMBERS_INDEX, key, &scope, |item| item.record::<User>().map(|u| TeamMember::from(&u)))?;
    Ok(Json(list))
}

/// Change a member's role (ends that member's sessions at once)
#[utoipa::path(patch, path = "/api/v1/tenant/members/{user_id}", tag = "team", request_body = ChangeMemberRole,
    params(("user_id" = String, Path, description = "A member of the caller's organization (`usr_…`)")), security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, body = TeamMember), (status = 403, description = "not a tenant admin, or `tenant_suspended`", body = ErrorBody),
        (status = 404, description = "no such member in this organization", body = ErrorBody),
        (status = 409, description = "`last_admin`: the only admin cannot be demoted", body = ErrorBody),
        (status = 422, description = "a role other than `tenant_admin` or `tenant_member`", body = ErrorBody)))]
pub async fn change_member_role(State(app): State<AppState>, caller: Caller, origin: Origin, Path(user_id): Path<UserId>, Json(body): Json<ChangeMemberRole>) -> Result<Json<TeamMember>, ApiError> {
    let user = members::change_role(&app, &caller, &origin, &user_id, body.role).await?;
    Ok(Json(TeamMember::from(&user)))
}

/// Remove a member from the organization (their account is detached and disabled, every
/// session ended at once)
#[utoipa::path(delete, path = "/api/v1/tenant/members/{user_id}", tag = "team",
    params(("user_id" = String, Path, description = "A member of the caller's organization (`usr_…`)")), security(("cookie" = []), ("bearer" = [])),
    responses((status = 204, description = "Removed"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "`last_admin`: the only admin cannot be removed", body = ErrorBody)))]
pub async fn remove_member(State(app): State<AppState>, caller: Caller, origin: Origin, Path(user_id): Path<UserId>) -> Result<StatusCode, ApiError> {
    members::remove(&app, &caller, &origin, &user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The invitations of the caller's organization, newest first
#[utoipa::path(get, path = "/api/v1/tenant/invitations", tag = "team", params(ListParams), security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, body = List<TeamInvitation>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_invitations(State(app): State<AppState>, caller: Caller, Query(params): Query<ListParams>) -> Result<Json<List<TeamInvitation>>, ApiError> {
    let tenant = tenant_of(&caller)?;
    let scope = format!("invitations:{tenant}");
    let key = &app.config.cursor_key;
    let request = PageRequest::from_params(&params, key, &scope)?;
    let page = invitations::page(&app, &tenant, &request).await?;
    let now = app.clock.now();
    let list = List::from_store_page(page, &request, store::repo::invitations::LIST_INDEX, key, &scope, |item| {
        item.record().map(|i| TeamInvitation::new(&i, now))
    })?;
    Ok(Json(list))
}

/// Invite someone to the organization: a 7-day single-use link by email; the invitation
/// holds a seat of the plan until accepted, revoked or expired
#[utoipa::path(post, path = "/api/v1/tenant/invitations", tag = "team", request_body = CreateTeamInvitation,
    params(("Idempotency-Key" = Option<String>, Header, description = "1–255 characters: a retry with the same key and body replays the first answer instead of sending another email")),
    security(("cookie" = []), ("bearer" = [])),
    responses((status = 201, body = TeamInvitation, headers(("Location" = String, description = "The invitations list"))),
        (status = 403, body = ErrorBody),
        (status = 409, description = "`already_member`, `already_invited`, or `idempotency_key_reused`", body = ErrorBody),
        (status = 422, description = "`seat_limit_reached`, or `invalid_field` (`email`, `role`)", body = ErrorBody)))]
pub async fn create_invitation(State(app): State<AppState>, caller: Caller, origin: Origin, Json(body): Json<CreateTeamInvitation>) -> Result<Response, ApiError> {
    let invitation = invitations::create(&app, &caller, &origin, &body.email, body.role).await?;
    let out = TeamInvitation::new(&invitation, app.clock.now());
    Ok((StatusCode::CREATED, [(header::LOCATION, "/api/v1/tenant/invitations")], Json(out)).into_response())
}

/// Revoke a pending invitation (its link stops working, its seat is free again)
#[utoipa::path(delete, path = "/api/v1/tenant/invitations/{id}", tag = "team",
    params(("id" = String, Path, description = "An invitation of the caller's organization (`ivt_…`)")), security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "The invitation, now `revoked`", body = TeamInvitation), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "`invalid_state`: accepted, revoked or expired already", body = ErrorBody)))]
pub async fn revoke_invitation(State(app): State<AppState>, caller: Caller, origin: Origin, Path(id): Path<InvitationId>) -> Result<Json<TeamInvitation>, ApiError> {
    let invitation = invitations::revoke(&app, &caller, &origin, &id).await?;
    Ok(Json(TeamInvitation::new(&invitation, app.clock.now())))
}

/// Accept an invitation with the emailed token: joins the inviting organization (or the
/// platform) with the invited role, creating the account when the address has none
#[utoipa::path(post, path = "/api/v1/invitations/accept", tag = "team", request_body = AcceptInvitation,
    responses((status = 200, body = AcceptedInvitation),
        (status = 400, description = "`invalid_token`: unknown, expired, revoked or used", body = ErrorBody),
        (status = 403, description = "`tenant_suspended`", body = ErrorBody),
        (status = 409, description = "`already_member`, or `email_taken` (the address has an account elsewhere)", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `name` or `password` missing or refused for a new account", body = ErrorBody)))]
pub async fn accept_invitation(State(app): State<AppState>, origin: Origin, Json(body): Json<AcceptInvitation>) -> Result<Json<AcceptedInvitation>, ApiError> {
    let accepted = accept::accept(&app, &body.token, body.name, body.password, &origin).await?;
    let tenant_id = accepted.user.tenant_id.clone();
    Ok(Json(AcceptedInvitation { user: (&accepted.user).into(), tenant_id }))
}
