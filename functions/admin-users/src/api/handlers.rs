//! Handlers: extract → use case → respond. Rules live in `crate::service`. The permissions
//! guard has already refused every caller the matrix does not allow; each handler says again
//! which role it serves, so a matrix mistake cannot open a route.
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use web::AppState;
use store::audit::{self, AuditFilter};
use domain::ids::UserId;
use domain::user::{Role, User, UserStatus};
use web::error::ErrorBody;
use web::{ApiError, Json, List, PageRequest, Path, Query};

use super::dto::*;
use super::params;
use crate::service::users::{self, ListFilter, Patch};
use crate::service::{Actor, Expected, invite};

const ROLES: &str = "must be platform_admin, tenant_admin, tenant_member or partner";

fn platform_admin(actor: &Actor) -> Result<(), ApiError> {
    actor.caller.require(&[Role::PlatformAdmin])
}

/// A user with its `ETag`.
fn user_response(user: &User) -> Response {
    let mut response = Json(UserOut::from(user)).into_response();
    response.headers_mut().insert(header::ETAG, params::etag(user.version));
    response
}

/// List users
///
/// Newest first. Filters combine with AND; `tenant_id` reads the tenant's members, the
/// others are checked on each user read, so a rare combination may answer a short page that
/// still has `has_more`.
#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin-users", params(UserListParams),
    security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, body = List<UserOut>), (status = 400, description = "`invalid_parameter` or `invalid_cursor`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_users(State(app): State<AppState>, actor: Actor, Query(p): Query<UserListParams>) -> Result<Json<List<UserOut>>, ApiError> {
    platform_admin(&actor)?;
    let filter = ListFilter {
        q: params::q_param(p.q.as_deref())?,
        role: params::role_param(params::typed("role", p.role.as_deref())?)?,
        tenant_id: params::tenant_param(params::typed("tenant_id", p.tenant_id.as_deref())?)?,
        status: params::status_param(params::typed("status", p.status.as_deref())?)?,
    };
    let (key, scope) = (&app.config.cursor_key, filter.scope());
    let page = PageRequest::parse(p.limit.as_deref(), p.cursor.as_deref(), key, &scope)?;
    let (found, next) = users::list(&app, &filter, page.limit, page.after).await?;
    Ok(Json(List::from_page(found.iter().map(UserOut::from).collect(), next, key, &scope)))
}

/// Invite a user
///
/// Emails a single-use link to `{public_url}/auth/accept-invitation?token=…`, valid 7 days;
/// only the token's hash is stored. Tenant roles need an existing `tenant_id`; platform
/// admins and partners take none. Accepts `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/admin/users", tag = "admin-users", request_body = InviteRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "1–255 characters; a repeat within 24 h replays the first answer")),
    security(("cookie" = []), ("bearer" = [])),
    responses((status = 201, body = InvitationOut), (status = 400, body = ErrorBody),
        (status = 409, description = "`email_taken`, or `idempotency_key_reused`", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `email`, `name`, `role` or `tenant_id`", body = ErrorBody)))]
pub async fn invite_user(State(app): State<AppState>, actor: Actor, Json(body): Json<InviteRequest>) -> Result<Response, ApiError> {
    platform_admin(&actor)?;
    let role = params::role(&body.role).ok_or_else(|| ApiError::invalid_field("role", format!("`role` {ROLES}.")))?;
    let cmd = invite::Invite { email: body.email, name: body.name, role, tenant_id: body.tenant_id };
    let invitation = invite::invite(&app, &actor, cmd).await?;
    Ok((StatusCode::CREATED, Json(InvitationOut::new(&invitation, app.clock.now()))).into_response())
}

/// Get a user
#[utoipa::path(get, path = "/api/v1/admin/users/{id}", tag = "admin-users", params(("id" = UserId, Path)),
    security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, body = UserOut, headers(("ETag" = String, description = "The user's `version` in quotes"))),
        (status = 404, body = ErrorBody)))]
pub async fn get_user(State(app): State<AppState>, actor: Actor, Path(id): Path<UserId>) -> Result<Response, ApiError> {
    platform_admin(&actor)?;
    Ok(user_response(&users::get(&app, &id).await?))
}

/// Edit a user or change their role
///
/// A role change ends every session of the user at once (their next request answers 401)
/// and keeps each tenant with at least one admin. Send `If-Match` with the `ETag` you read
/// (or `version` in the body): a stale one answers 412 and changes nothing.
#[utoipa::path(patch, path = "/api/v1/admin/users/{id}", tag = "admin-users", request_body = UpdateUserRequest,
    params(("id" = UserId, Path), ("If-Match" = Option<String>, Header, description = "The `ETag` of the user as read")),
    security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, body = UserOut, headers(("ETag" = String, description = "The new version in quotes"))),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`cannot_demote_self`, `last_tenant_admin` or `conflict`", body = ErrorBody),
        (status = 412, description = "`precondition_failed`", body = ErrorBody),
        (status = 422, description = "`invalid_field`: `name` or `role`", body = ErrorBody)))]
pub async fn update_user(State(app): State<AppState>, actor: Actor, Path(id): Path<UserId>, headers: HeaderMap, Json(body): Json<UpdateUserRequest>)
    -> Result<Response, ApiError> {
    platform_admin(&actor)?;
    let role = body
        .role
        .as_deref()
        .map(|r| params::role(r).ok_or_else(|| ApiError::invalid_field("role", format!("`role` {ROLES}."))))
        .transpose()?;
    let mut expected = params::if_match(&headers, Expected::none());
    if let Some(version) = body.version {
        expected = expected.one_of(vec![version]);
    }
    let user = users::update(&app, &actor, &id, Patch { name: body.name, role }, &expected).await?;
    Ok(user_response(&user))
}

/// Disable a user
///
/// Every session of the user ends at once and sign-in answers 403 `account_disabled` until
/// the user is enabled again. Disabling a disabled user changes nothing.
#[utoipa::path(post, path = "/api/v1/admin/users/{id}/disable", tag = "admin-users", params(("id" = UserId, Path)),
    security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, body = UserOut), (status = 404, body = ErrorBody),
        (status = 409, description = "`cannot_disable_self` or `conflict`", body = ErrorBody)))]
pub async fn disable_user(State(app): State<AppState>, actor: Actor, Path(id): Path<UserId>) -> Result<Response, ApiError> {
    platform_admin(&actor)?;
    Ok(user_response(&users::set_status(&app, &actor, &id, UserStatus::Disabled).await?))
}

/// Enable a user
#[utoipa::path(post, path = "/api/v1/admin/users/{id}/enable", tag = "admin-users", params(("id" = UserId, Path)),
    security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, body = UserOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn enable_user(State(app): State<AppState>, actor: Actor, Path(id): Path<UserId>) -> Result<Response, ApiError> {
    platform_admin(&actor)?;
    Ok(user_response(&users::set_status(&app, &actor, &id, UserStatus::Active).await?))
}

async fn audit_page(app: &AppState, filter: &AuditFilter, scope: String, limit: Option<&str>, cursor: Option<&str>)
    -> Result<Json<List<AuditEventOut>>, ApiError> {
    let key = &app.config.cursor_key;
    let page = PageRequest::parse(limit, cursor, key, &scope)?;
    let found = audit::list(app.store.as_ref(), filter, page.limit, page.after, app.clock.now()).await?;
    Ok(Json(List::from_page(found.events.into_iter().map(AuditEventOut::from).collect(), found.next, key, &scope)))
}

/// The platform's audit trail
///
/// Newest first. Each filter reads an index of its own (one Query per page); combined
/// filters read the most selective one (actor, then tenant, then action) and filter the rest,
/// so such a page may be short and still have `has_more`.
#[utoipa::path(get, path = "/api/v1/admin/audit-events", tag = "audit", params(AuditListParams),
    security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, body = List<AuditEventOut>), (status = 400, description = "`invalid_parameter` or `invalid_cursor`", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_audit_events(State(app): State<AppState>, actor: Actor, Query(p): Query<AuditListParams>) -> Result<Json<List<AuditEventOut>>, ApiError> {
    platform_admin(&actor)?;
    let (from, to) = params::range_params(params::typed("from", p.from.as_deref())?, params::typed("to", p.to.as_deref())?)?;
    let filter = AuditFilter {
        actor_id: params::actor_param(p.actor_id.as_deref())?,
        tenant_id: params::tenant_param(params::typed("tenant_id", p.tenant_id.as_deref())?)?,
        action: params::action_param(p.action.as_deref())?,
        from,
        to,
    };
    audit_page(&app, &filter, format!("admin:{}", filter.scope()), p.limit.as_deref(), p.cursor.as_deref()).await
}

/// The caller's tenant's audit trail
///
/// The same trail as the platform admin's, for the caller's own tenant only.
#[utoipa::path(get, path = "/api/v1/tenant/audit-events", tag = "audit", params(TenantAuditListParams),
    security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, body = List<AuditEventOut>), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_tenant_audit_events(State(app): State<AppState>, actor: Actor, Query(p): Query<TenantAuditListParams>)
    -> Result<Json<List<AuditEventOut>>, ApiError> {
    actor.caller.require(&[Role::TenantAdmin])?;
    let tenant = actor.caller.tenant_id.clone().ok_or_else(|| ApiError::forbidden("insufficient_role", "Your role does not allow this."))?;
    let (from, to) = params::range_params(params::typed("from", p.from.as_deref())?, params::typed("to", p.to.as_deref())?)?;
    let filter = AuditFilter {
        actor_id: params::actor_param(p.actor_id.as_deref())?,
        tenant_id: Some(tenant),
        action: params::action_param(p.action.as_deref())?,
        from,
        to,
    };
    audit_page(&app, &filter, format!("tenant:{}", filter.scope()), p.limit.as_deref(), p.cursor.as_deref()).await
}
