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
use crate::http::ApiError;

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
    e("GET", "/api/v1/me", SignedIn),
    e("PATCH", "/api/v1/me", SignedIn),
    e("DELETE", "/api/v1/me/mfa", SignedIn),
    e("POST", "/api/v1/me/mfa/backup-codes", SignedIn),
    e("POST", "/api/v1/me/mfa/totp", SignedIn),
    e("POST", "/api/v1/me/mfa/totp/confirm", SignedIn),
    e("GET", "/api/v1/me/sessions", SignedIn),
    e("DELETE", "/api/v1/me/sessions/{id}", SignedIn),
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
    let caller: Caller = match caller::authenticate(&parts, &state).await {
        Ok(caller) => caller,
        Err(e) => return e.into_response(),
    };
    if !rule.allows(caller.role) {
        return ApiError::forbidden("insufficient_role", "Your role does not allow this.").into_response();
    }
    parts.extensions.insert(caller);
    request = Request::from_parts(parts, body);
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

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
