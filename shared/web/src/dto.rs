//! Representations more than one function's API answers with, so the OpenAPI document holds
//! one schema per name.
use domain::ids::{TenantId, UserId};
use domain::time::Timestamp;
use domain::user::{Role, User, UserStatus};
use serde::Serialize;
use utoipa::ToSchema;

/// A user as the API shows it (never the password hash or MFA secrets).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub tenant_id: Option<TenantId>,
    pub status: UserStatus,
    pub email_verified: bool,
    pub mfa_enabled: bool,
    pub created_at: Timestamp,
    /// Bumped by every change; the `ETag` of the admin routes is this number in quotes.
    pub version: i64,
}

impl From<&User> for UserOut {
    fn from(u: &User) -> Self {
        UserOut {
            id: u.id.clone(),
            email: u.email.to_string(),
            name: u.name.clone(),
            role: u.role,
            tenant_id: u.tenant_id.clone(),
            status: u.status,
            email_verified: u.email_verified,
            mfa_enabled: u.mfa.enabled,
            created_at: u.created_at,
            version: u.version,
        }
    }
}

