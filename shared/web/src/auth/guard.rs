//! The permissions guard: the middleware every function's router runs, enforcing the matrix
//! (`domain::permissions`) before any handler.
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

use domain::permissions::{Rule, is_page};
use domain::tenant::{Tenant, TenantStatus};

use crate::AppState;
use crate::auth::caller::{self, Caller};
use crate::error::ApiError;
use crate::idempotency::IdempotencyScope;
use crate::module::RouteDecl;

/// What the guard enforces: the platform's state (to authenticate) and the routes' table,
/// as the router's `Routes` recorded it.
#[derive(Clone)]
pub struct Guarded {
    pub app: AppState,
    pub table: Arc<[RouteDecl]>,
}

impl Guarded {
    fn rule_for(&self, method: &str, path: &str) -> Option<Rule> {
        self.table.iter().find(|r| r.path == path && r.method == method).and_then(|r| r.rule)
    }
}

/// The middleware every function's router runs: 401 without a valid session where one is
/// needed, 403 for a role the table does not allow, and the `Caller` handed to the handler.
pub async fn guard(State(guarded): State<Guarded>, matched: Option<MatchedPath>, mut request: Request, next: Next) -> Response {
    let state = &guarded.app;
    let Some(path) = matched.map(|m| m.as_str().to_string()) else {
        // No route matched: the fallback answers 404.
        return next.run(request).await;
    };
    if is_page(&path) {
        return next.run(request).await;
    }
    let Some(rule) = guarded.rule_for(request.method().as_str(), &path) else {
        tracing::error!(method = %request.method(), path, "route missing from the permissions matrix");
        return ApiError::forbidden("not_permitted", "This route is not open to anyone.").into_response();
    };
    if !rule.needs_caller() {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let (caller, tenant): (Caller, _) = match caller::authenticate_with_tenant(&parts, state).await {
        Ok(authenticated) => authenticated,
        Err(e) => return e.into_response(),
    };
    if !rule.allows(caller.role) {
        return ApiError::forbidden("insufficient_role", "Your role does not allow this.").into_response();
    }
    if matches!(rule, Rule::TenantRead | Rule::TenantAdmin)
        && !is_read(&parts.method)
        && let Err(e) = tenant_accepts_writes(&caller, tenant.as_ref())
    {
        return e.into_response();
    }
    // The caller's own namespace for `Idempotency-Key`s (http::idempotency reads it).
    parts.extensions.insert(IdempotencyScope(caller.user_id.to_string()));
    parts.extensions.insert(caller);
    request = Request::from_parts(parts, body);
    next.run(request).await
}

fn is_read(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A tenant's users read whatever its status; they change things only while it is active
/// (a suspended tenant answers 403 `tenant_suspended` to every write).
pub fn tenant_accepts_writes(caller: &Caller, tenant: Option<&Tenant>) -> Result<(), ApiError> {
    match tenant {
        Some(t) if t.accepts_writes() => Ok(()),
        Some(t) if t.status == TenantStatus::Suspended => Err(ApiError::forbidden(
            "tenant_suspended",
            "This organisation is suspended: you can sign in and read, but not change anything.",
        )),
        Some(t) if t.status == TenantStatus::Provisioning => {
            Err(ApiError::forbidden("tenant_provisioning", "This organisation is still being set up; try again shortly."))
        }
        // Deleted (its sessions are refused before this) or gone.
        Some(_) => Err(ApiError::forbidden("tenant_deleted", "This organisation has been deleted.")),
        None if caller.tenant_id.is_some() => {
            Err(ApiError::forbidden("tenant_deleted", "This organisation has been deleted."))
        }
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::user::Role;

    #[test]
    fn only_an_active_tenant_accepts_its_users_writes() {
        use domain::ids::{PlanId, SessionId, TenantId, UserId};
        use domain::time::Timestamp;
        let now = Timestamp::from_unix(1_795_600_800);
        let tenant = Tenant::new(TenantId::generate(now), "Acme".into(), "acme".into(), TenantStatus::Active,
            PlanId::generate(now), "usd".into(), now);
        let caller = Caller { user_id: UserId::generate(now), tenant_id: Some(tenant.id.clone()), role: Role::TenantAdmin,
            session_id: SessionId::generate(now), via: caller::Via::Bearer };
        assert!(tenant_accepts_writes(&caller, Some(&tenant)).is_ok());
        let suspended = tenant.clone().suspend("unpaid".into()).unwrap();
        let refused = tenant_accepts_writes(&caller, Some(&suspended)).unwrap_err();
        assert_eq!((refused.status.as_u16(), refused.code()), (403, "tenant_suspended"));
        assert_eq!(tenant_accepts_writes(&caller, None).unwrap_err().code(), "tenant_deleted");
        let outside = Caller { tenant_id: None, ..caller };
        assert!(tenant_accepts_writes(&outside, None).is_ok());
    }

}
