//! The permissions matrix's vocabulary: who may call a route. Each module declares its API
//! routes with a `Rule` (`web::module::Routes::api`), and those declarations are the matrix:
//! one middleware (`web::auth::guard`) consults them for every API route before any handler
//! runs. A route missing from the table is refused (fail closed), and
//! `tests/api/permissions.rs` walks every route of the OpenAPI document with every role, so
//! a new route cannot escape it.
//!
//! The law (API.md and the seed): `/api/v1/admin/*` is platform admins only;
//! `/api/v1/tenant/*` is the caller's own tenant, where "Limited" and "View Only" mean
//! read-only for `tenant_member`; `/api/v1/partner/*` is the caller's own partner account.
//! Pages (paths outside `/api/`) authenticate themselves and redirect to sign-in instead.
use crate::user::Role;

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

/// Whether a path is a page (it authenticates itself) rather than an API route.
pub fn is_page(path: &str) -> bool {
    !(path.starts_with("/api/") || path == "/healthz")
}

#[cfg(test)]
mod tests {
    use super::Rule::*;
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
}
