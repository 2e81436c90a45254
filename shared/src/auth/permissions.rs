//! The permissions matrix: one declarative table, consulted for every API route by one
//! middleware (`guard`), before any handler runs. A route missing from the table is refused
//! (fail closed), and `tests/api/permissions.rs` walks every route of the OpenAPI document
//! with every role, so a new route cannot escape it.
//!
//! The law (API.md and the seed): `/api/v1/admin/*` is platform admins only;
//! `/api/v1/tenant/*` is the caller's own tenant, where "Limited" and "View Only" mean
//! read-only for `tenant_member`; `/api/v1/partner/*` is the caller's own partner account.
//! Pages (paths outside `/api/`) authenticate themselves and redirect to sign-in instead.
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::auth::caller::{self, Caller};
use crate::domain::user::Role;
use crate::domain::tenant::{Tenant, TenantStatus};
use crate::http::ApiError;
use crate::http::idempotency::IdempotencyScope;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Anyone, signed in or not (sign-up, login, public entry points, docs).
    Public,
    /// Any signed-in user, for their own things (`/api/v1/me*`, logout).
    SignedIn,
    /// Platform admins only.
    PlatformAdmin,
    /// Tenant admins and members, reading their own tenant.
    TenantRead,
    /// Tenant admins, changing their own tenant.
    TenantAdmin,
    /// Partners, their own account.
    Partner,
}

impl Rule {
    pub fn allows(self, role: Role) -> bool {
        match self {
            Rule::Public | Rule::SignedIn => true,
            Rule::PlatformAdmin => role == Role::PlatformAdmin,
            Rule::TenantRead => matches!(role, Role::TenantAdmin | Role::TenantMember),
            Rule::TenantAdmin => role == Role::TenantAdmin,
            Rule::Partner => role == Role::Partner,
        }
    }

    /// Whether the route needs a signed-in caller at all.
    pub fn needs_caller(self) -> bool {
        self != Rule::Public
    }
}

/// One row of the matrix: a method, a route template as axum writes it, and its rule.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub method: &'static str,
    pub path: &'static str,
    pub rule: Rule,
}

const fn e(method: &'static str, path: &'static str, rule: Rule) -> Entry {
    Entry { method, path, rule }
}

use Rule::*;

/// Every API route of the platform. Keep it sorted by path.
pub const MATRIX: &[Entry] = &[
    e("GET", "/api/v1/openapi.json", Public),
    e("GET", "/api/v1/admin/audit-events", PlatformAdmin),
    e("GET", "/api/v1/admin/tenants", PlatformAdmin),
    e("POST", "/api/v1/admin/tenants", PlatformAdmin),
    e("GET", "/api/v1/admin/tenants/{id}", PlatformAdmin),
    e("PATCH", "/api/v1/admin/tenants/{id}", PlatformAdmin),
    e("DELETE", "/api/v1/admin/tenants/{id}", PlatformAdmin),
    e("POST", "/api/v1/admin/tenants/{id}/reactivate", PlatformAdmin),
    e("POST", "/api/v1/admin/tenants/{id}/restore", PlatformAdmin),
    e("POST", "/api/v1/admin/tenants/{id}/suspend", PlatformAdmin),
    e("GET", "/api/v1/admin/tenants/{id}/usage", PlatformAdmin),
    e("GET", "/api/v1/admin/users", PlatformAdmin),
    e("POST", "/api/v1/admin/users", PlatformAdmin),
    e("GET", "/api/v1/admin/users/{id}", PlatformAdmin),
    e("PATCH", "/api/v1/admin/users/{id}", PlatformAdmin),
    e("POST", "/api/v1/admin/users/{id}/disable", PlatformAdmin),
    e("POST", "/api/v1/admin/users/{id}/enable", PlatformAdmin),
    e("POST", "/api/v1/auth/login", Public),
    e("POST", "/api/v1/auth/login/mfa", Public),
    e("POST", "/api/v1/auth/logout", SignedIn),
    e("POST", "/api/v1/auth/password/forgot", Public),
    e("POST", "/api/v1/auth/password/reset", Public),
    // The refresh cookie is the credential here; the handler checks it and the CSRF header.
    e("POST", "/api/v1/auth/refresh", Public),
    e("POST", "/api/v1/auth/resend-verification", Public),
    e("POST", "/api/v1/auth/signup", Public),
    e("POST", "/api/v1/auth/verify-email", Public),
    // The emailed token is the credential; the handler checks it.
    e("POST", "/api/v1/invitations/accept", Public),
    e("GET", "/api/v1/me", SignedIn),
    e("PATCH", "/api/v1/me", SignedIn),
    e("DELETE", "/api/v1/me/mfa", SignedIn),
    e("POST", "/api/v1/me/mfa/backup-codes", SignedIn),
    e("POST", "/api/v1/me/mfa/totp", SignedIn),
    e("POST", "/api/v1/me/mfa/totp/confirm", SignedIn),
    e("GET", "/api/v1/me/sessions", SignedIn),
    e("DELETE", "/api/v1/me/sessions/{id}", SignedIn),
    // The trail names people and their IP addresses: the tenant's admins only.
    e("GET", "/api/v1/tenant/audit-events", TenantAdmin),
    e("GET", "/api/v1/tenant/invitations", TenantRead),
    e("POST", "/api/v1/tenant/invitations", TenantAdmin),
    e("DELETE", "/api/v1/tenant/invitations/{id}", TenantAdmin),
    e("GET", "/api/v1/tenant/members", TenantRead),
    e("PATCH", "/api/v1/tenant/members/{user_id}", TenantAdmin),
    e("DELETE", "/api/v1/tenant/members/{user_id}", TenantAdmin),
    e("GET", "/healthz", Public),
];

/// The rule of a route, or None when the matrix does not name it.
pub fn rule_for(method: &Method, path: &str) -> Option<Rule> {
    MATRIX.iter().find(|e| e.path == path && e.method == method.as_str()).map(|e| e.rule)
}

/// Whether a path is a page (it authenticates itself) rather than an API route.
pub fn is_page(path: &str) -> bool {
    !(path.starts_with("/api/") || path == "/healthz")
}

/// The middleware every function's router runs: 401 without a valid session where one is
/// needed, 403 for a role the matrix does not allow, and the `Caller` handed to the handler.
pub async fn guard(State(state): State<AppState>, matched: Option<MatchedPath>, mut request: Request, next: Next) -> Response {
    let Some(path) = matched.map(|m| m.as_str().to_string()) else {
        // No route matched: the fallback answers 404.
        return next.run(request).await;
    };
    if is_page(&path) {
        return next.run(request).await;
    }
    let Some(rule) = rule_for(request.method(), &path) else {
        tracing::error!(method = %request.method(), path, "route missing from the permissions matrix");
        return ApiError::forbidden("not_permitted", "This route is not open to anyone.").into_response();
    };
    if !rule.needs_caller() {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let (caller, tenant): (Caller, _) = match caller::authenticate_with_tenant(&parts, &state).await {
        Ok(authenticated) => authenticated,
        Err(e) => return e.into_response(),
    };
    if !rule.allows(caller.role) {
        return ApiError::forbidden("insufficient_role", "Your role does not allow this.").into_response();
    }
    if matches!(rule, TenantRead | TenantAdmin)
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

    #[test]
    fn only_an_active_tenant_accepts_its_users_writes() {
        use crate::domain::ids::{PlanId, SessionId, TenantId, UserId};
        use crate::domain::time::Timestamp;
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

    #[test]
    fn members_read_and_admins_write_their_tenant() {
        assert!(TenantRead.allows(Role::TenantMember));
        assert!(!TenantAdmin.allows(Role::TenantMember));
        assert!(TenantAdmin.allows(Role::TenantAdmin));
        assert!(!TenantRead.allows(Role::PlatformAdmin));
        assert!(!PlatformAdmin.allows(Role::TenantAdmin));
        assert!(!Partner.allows(Role::PlatformAdmin));
    }

    #[test]
    fn the_matrix_names_each_route_once() {
        let mut seen = std::collections::HashSet::new();
        for entry in MATRIX {
            assert!(seen.insert((entry.method, entry.path)), "{} {} twice", entry.method, entry.path);
        }
    }

    #[test]
    fn api_paths_by_prefix_follow_the_law() {
        for entry in MATRIX {
            if entry.path.starts_with("/api/v1/admin/") {
                assert_eq!(entry.rule, PlatformAdmin, "{}", entry.path);
            }
            if entry.path.starts_with("/api/v1/tenant/") {
                assert!(matches!(entry.rule, TenantRead | TenantAdmin), "{}", entry.path);
            }
            if entry.path.starts_with("/api/v1/partner/") {
                assert_eq!(entry.rule, Partner, "{}", entry.path);
            }
        }
    }
}
