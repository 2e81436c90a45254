//! Handlers: extract → use case → respond. Rules live in `crate::service`.
use axum::extract::{FromRef, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use web::AppState;
use web::auth::Caller;
use domain::ids::TenantId;
use web::client::ClientMeta;
use web::error::ErrorBody;
use web::observability::RequestId;
use web::{ApiError, Json, List, PageRequest, Path, Query};
use store::repo::tenants::Tenant;

use super::dto::*;
use crate::service::{self, Actor, ListFilter, NewTenant, TenantPatch};

/// The caller as the audit trail records it: who, from where, in which request.
pub struct Audited(pub Actor);

impl<S> FromRequestParts<S> for Audited
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let meta = match ClientMeta::from_request_parts(parts, state).await {
            Ok(meta) => meta,
            Err(never) => match never {},
        };
        let request_id = parts.extensions.get::<RequestId>().map(|r| r.0.clone());
        Ok(Audited(Actor { user_id: caller.user_id.to_string(), ip: meta.ip, request_id }))
    }
}

/// The strong validator of a tenant: its version.
fn etag(tenant: &Tenant) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{}\"", tenant.version)).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

fn with_etag(tenant: &Tenant, body: TenantOut, status: StatusCode) -> Response {
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(header::ETAG, etag(tenant));
    response
}

/// The version `If-Match` names: None without the header or for `*`. A value that is not one
/// of our ETags can never match, so it answers 412 rather than being ignored.
fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else { return Ok(None) };
    let raw = value.to_str().unwrap_or("").trim();
    if raw == "*" {
        return Ok(None);
    }
    let tag = raw.strip_prefix("W/").unwrap_or(raw).trim_matches('"');
    tag.parse::<i64>().map(Some).map_err(|_| {
        ApiError::new(StatusCode::PRECONDITION_FAILED, "precondition_failed", "If-Match does not name a version of this tenant.")
    })
}

/// A body that may be empty (`POST …/reactivate` with nothing) or `{"reason": …}`.
fn optional_reason(body: &[u8]) -> Result<Option<String>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let request: ReasonRequest = web::json::parse_json(body)?;
    Ok(request.reason)
}

/// List tenants
#[utoipa::path(get, path = "/api/v1/admin/tenants", tag = "admin-tenants", params(ListTenantsParams),
    security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, body = List<TenantOut>), (status = 400, description = "bad `limit`, `cursor`, `status` or `q`", body = ErrorBody)))]
pub async fn list_tenants(State(s): State<AppState>, Query(params): Query<ListTenantsParams>) -> Result<Json<List<TenantOut>>, ApiError> {
    let q = match params.q.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(q) if q.chars().count() <= 100 && !q.chars().any(char::is_control) => Some(q.to_lowercase()),
        Some(_) => {
            return Err(ApiError::bad_request("invalid_parameter", "`q` is 1 to 100 characters of text.").with_field("q"));
        }
    };
    let filter = ListFilter { status: params.status, q };
    let scope = filter.scope();
    let key = &s.config.cursor_key;
    let page = PageRequest::parse(params.limit.as_deref(), params.cursor.as_deref(), key, &scope)?;
    let (tenants, next) = service::list(&s, &filter, page.limit, page.after).await?;
    let data = tenants.iter().map(TenantOut::from).collect();
    Ok(Json(List::from_page(data, next, key, &scope)))
}

/// Create a tenant (provisioned by a background job)
#[utoipa::path(post, path = "/api/v1/admin/tenants", tag = "admin-tenants", request_body = CreateTenantRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for the same key and body within 24 h")),
    security(("cookie" = []), ("bearer" = [])),
    responses((status = 201, description = "The tenant, `provisioning` until its job has run", body = TenantOut),
        (status = 409, description = "`slug_taken`", body = ErrorBody),
        (status = 422, description = "`invalid_field`: name, slug, plan_id (no such plan), admin_email or settings", body = ErrorBody)))]
pub async fn create_tenant(State(s): State<AppState>, Audited(actor): Audited, Json(body): Json<CreateTenantRequest>) -> Result<Response, ApiError> {
    let cmd = NewTenant { name: body.name, slug: body.slug, plan_id: body.plan_id, admin_email: body.admin_email, settings: body.settings };
    let tenant = service::create(&s, &actor, cmd).await?;
    let mut response = with_etag(&tenant, (&tenant).into(), StatusCode::CREATED);
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/admin/tenants/{}", tenant.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// A tenant, with its provisioning progress
#[utoipa::path(get, path = "/api/v1/admin/tenants/{id}", tag = "admin-tenants", params(("id" = TenantId, Path)),
    security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "The tenant (`ETag` is its version)", body = TenantOut), (status = 404, body = ErrorBody)))]
pub async fn get_tenant(State(s): State<AppState>, Path(id): Path<TenantId>) -> Result<Response, ApiError> {
    let detail = service::get(&s, &id).await?;
    let body = TenantOut::detailed(&detail.tenant, &detail.progress, detail.subscription.as_ref());
    Ok(with_etag(&detail.tenant, body, StatusCode::OK))
}

/// Change a tenant's name, settings or retention
#[utoipa::path(patch, path = "/api/v1/admin/tenants/{id}", tag = "admin-tenants", request_body = UpdateTenantRequest,
    params(("id" = TenantId, Path), ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on")),
    security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, body = TenantOut), (status = 404, body = ErrorBody),
        (status = 409, description = "`invalid_state` (a deleted tenant) or `conflict`", body = ErrorBody),
        (status = 412, description = "`precondition_failed`", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_tenant(
    State(s): State<AppState>,
    Audited(actor): Audited,
    Path(id): Path<TenantId>,
    headers: HeaderMap,
    Json(body): Json<UpdateTenantRequest>,
) -> Result<Response, ApiError> {
    let expected = match (if_match(&headers)?, body.version) {
        (Some(a), Some(b)) if a != b => {
            return Err(ApiError::new(StatusCode::PRECONDITION_FAILED, "precondition_failed", "If-Match and `version` disagree."));
        }
        (a, b) => a.or(b),
    };
    let patch = TenantPatch { name: body.name, settings: body.settings, retention_days: body.retention_days };
    let tenant = service::update(&s, &actor, &id, patch, expected).await?;
    Ok(with_etag(&tenant, (&tenant).into(), StatusCode::OK))
}

/// Suspend a tenant: its users can sign in and read, every write answers 403
#[utoipa::path(post, path = "/api/v1/admin/tenants/{id}/suspend", tag = "admin-tenants", request_body = SuspendRequest,
    params(("id" = TenantId, Path)), security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, body = TenantOut), (status = 404, body = ErrorBody),
        (status = 409, description = "`invalid_state`: only an active tenant is suspended", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn suspend_tenant(State(s): State<AppState>, Audited(actor): Audited, Path(id): Path<TenantId>, Json(body): Json<SuspendRequest>) -> Result<Response, ApiError> {
    let tenant = service::suspend(&s, &actor, &id, &body.reason).await?;
    Ok(with_etag(&tenant, (&tenant).into(), StatusCode::OK))
}

/// Reactivate a suspended tenant
#[utoipa::path(post, path = "/api/v1/admin/tenants/{id}/reactivate", tag = "admin-tenants", request_body(content = Option<ReasonRequest>, description = "Optional"),
    params(("id" = TenantId, Path)), security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, body = TenantOut), (status = 404, body = ErrorBody),
        (status = 409, description = "`invalid_state`: only a suspended tenant is reactivated", body = ErrorBody)))]
pub async fn reactivate_tenant(State(s): State<AppState>, Audited(actor): Audited, Path(id): Path<TenantId>, body: axum::body::Bytes) -> Result<Response, ApiError> {
    let reason = optional_reason(&body)?;
    let tenant = service::reactivate(&s, &actor, &id, reason.as_deref()).await?;
    Ok(with_etag(&tenant, (&tenant).into(), StatusCode::OK))
}

/// Delete a tenant (soft: restorable until `purge_after`)
#[utoipa::path(delete, path = "/api/v1/admin/tenants/{id}", tag = "admin-tenants", request_body(content = Option<ReasonRequest>, description = "Optional"),
    params(("id" = TenantId, Path)), security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "The tenant, `deleted`, with `purge_after`", body = TenantOut), (status = 404, body = ErrorBody),
        (status = 409, description = "`invalid_state`: already deleted", body = ErrorBody)))]
pub async fn delete_tenant(State(s): State<AppState>, Audited(actor): Audited, Path(id): Path<TenantId>, body: axum::body::Bytes) -> Result<Response, ApiError> {
    let reason = optional_reason(&body)?;
    let tenant = service::delete(&s, &actor, &id, reason.as_deref()).await?;
    Ok(with_etag(&tenant, (&tenant).into(), StatusCode::OK))
}

/// Restore a deleted tenant before its `purge_after`
#[utoipa::path(post, path = "/api/v1/admin/tenants/{id}/restore", tag = "admin-tenants", request_body(content = Option<ReasonRequest>, description = "Optional"),
    params(("id" = TenantId, Path)), security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, description = "The tenant, back in the status it had", body = TenantOut), (status = 404, body = ErrorBody),
        (status = 409, description = "`invalid_state`: not deleted, or its retention is over", body = ErrorBody)))]
pub async fn restore_tenant(State(s): State<AppState>, Audited(actor): Audited, Path(id): Path<TenantId>, body: axum::body::Bytes) -> Result<Response, ApiError> {
    let reason = optional_reason(&body)?;
    let tenant = service::restore(&s, &actor, &id, reason.as_deref()).await?;
    Ok(with_etag(&tenant, (&tenant).into(), StatusCode::OK))
}

/// A tenant's usage: seats, members and invitations today (API calls and storage come with metering)
#[utoipa::path(get, path = "/api/v1/admin/tenants/{id}/usage", tag = "admin-tenants", params(("id" = TenantId, Path)),
    security(("cookie" = []), ("bearer" = [])),
    responses((status = 200, body = UsageOut), (status = 404, body = ErrorBody)))]
pub async fn tenant_usage(State(s): State<AppState>, Path(id): Path<TenantId>) -> Result<Json<UsageOut>, ApiError> {
    let usage = service::usage(&s, &id).await?;
    Ok(Json((&usage).into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::IF_MATCH, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn if_match_names_a_version_or_anything() {
        assert_eq!(if_match(&HeaderMap::new()).unwrap(), None);
        assert_eq!(if_match(&headers("\"3\"")).unwrap(), Some(3));
        assert_eq!(if_match(&headers("W/\"4\"")).unwrap(), Some(4));
        assert_eq!(if_match(&headers("*")).unwrap(), None);
        assert_eq!(if_match(&headers("\"abc\"")).unwrap_err().code(), "precondition_failed");
    }
}
