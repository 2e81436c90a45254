//! The authenticated caller of a request, as one extractor: a handler that takes `Caller`
//! is reachable only with a valid access token whose session still exists; a cookie-borne
//! token on an unsafe method must also carry `X-CSRF-Token` equal to the session's CSRF value
//! (`cookies::csrf_value` of its id, which sign-in sets as `dm_csrf`; the cookie itself is
//! never what the header is compared with).
//!
//! 401 means "who are you?" (no, bad, expired or revoked credentials); 403 means "you may
//! not" (CSRF, role) — the seed's session-management flow.
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, header};

use crate::AppState;
use crate::auth::cookies;
use crate::auth::jwt::TokenError;
use domain::secrets;
use domain::ids::{SessionId, TenantId, UserId};
use domain::user::Role;
use crate::ApiError;
use store::repo::sessions;
use store::repo::tenants::{self, Tenant, TenantStatus};

/// How the credential arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Bearer,
    Cookie,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: UserId,
    pub tenant_id: Option<TenantId>,
    pub role: Role,
    pub session_id: SessionId,
    pub via: Via,
}

impl Caller {
    /// 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden("insufficient_role", "Your role does not allow this."))
        }
    }
}

fn credential(parts: &Parts) -> Option<(&str, Via)> {
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    match bearer {
        Some(token) => Some((token, Via::Bearer)),
        None => cookies::read(&parts.headers, cookies::ACCESS).filter(|t| !t.is_empty()).map(|t| (t, Via::Cookie)),
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Authenticates a request's parts (also used by pages, which answer with a redirect).
pub async fn authenticate(parts: &Parts, state: &AppState) -> Result<Caller, ApiError> {
    authenticate_with_tenant(parts, state).await.map(|(caller, _)| caller)
}

/// `authenticate`, also answering the caller's tenant as read for the check (None for callers
/// outside a tenant), so the permissions guard judges writes without reading it again.
pub async fn authenticate_with_tenant(parts: &Parts, state: &AppState) -> Result<(Caller, Option<Tenant>), ApiError> {
    let (token, via) = credential(parts)
        .ok_or_else(|| ApiError::unauthenticated("authentication_required", "Sign in to continue."))?;
    let now = state.clock.now();
    let claims = state.tokens.verify(token, now).await.map_err(|e| match e {
        TokenError::Expired => ApiError::unauthenticated("token_expired", "Your session token has expired; refresh it."),
        TokenError::Store(_) | TokenError::Key(_) => ApiError::internal(&e),
        _ => ApiError::unauthenticated("invalid_token", "The access token is not valid."),
    })?;
    // One read: a revoked session (logout, reset, disable, role change) refuses its tokens now.
    let session = sessions::get(state.store.as_ref(), &claims.sub, &claims.sid).await?;
    // A deleted tenant's sessions end with it (the deletion deletes them, and a restore ends
    // any left, so its users sign in again afterwards); while it is deleted its tokens are
    // refused as `tenant_deleted`, which says why. A purge removes the users and their
    // sessions before the tenant, so a missing tenant here is left to the route (the guard
    // refuses its writes).
    let tenant = match &claims.tid {
        Some(id) => tenants::get(state.store.as_ref(), id).await?,
        None => None,
    };
    if tenant.as_ref().is_some_and(|t| t.status == TenantStatus::Deleted) {
        return Err(ApiError::unauthenticated("tenant_deleted", "This organisation has been deleted; sign-in is closed."));
    }
    if session.is_none() {
        return Err(ApiError::unauthenticated("session_revoked", "This session has ended; sign in again."));
    }
    if via == Via::Cookie && !is_safe(&parts.method) {
        // Compared with the session's own value, not with the `dm_csrf` cookie: a planted
        // cookie echoed in the header proves nothing.
        let header = parts.headers.get(cookies::CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
        let expected = cookies::csrf_value(&state.config.csrf_key, &claims.sid);
        if !secrets::same(header, &expected) {
            return Err(ApiError::forbidden("csrf_failed", "Missing or wrong X-CSRF-Token header."));
        }
    }
    Ok((Caller { user_id: claims.sub, tenant_id: claims.tid, role: claims.role, session_id: claims.sid, via }, tenant))
}

impl<S> FromRequestParts<S> for Caller
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        // The permissions guard already authenticated this request: one session read, not two.
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        authenticate(parts, &AppState::from_ref(state)).await
    }
}
