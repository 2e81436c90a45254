//! Users and their roles.
use serde::{Deserialize, Serialize};

use crate::email::Email;
use crate::ids::{TenantId, UserId};
use crate::time::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    PlatformAdmin,
    TenantAdmin,
    TenantMember,
    Partner,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Active,
    Disabled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub tenant_id: Option<TenantId>,
    pub status: UserStatus,
    pub email_verified: bool,
    /// argon2id PHC string; never leaves the server.
    pub password_hash: Option<String>,
    pub created_at: Timestamp,
    pub version: i64,
    #[serde(default)]
    pub mfa: Mfa,
}

/// A user's second factor. The TOTP secret must be readable to check codes, so it is the
/// one secret stored as is (base32); backup codes are stored hashed, as separate items.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mfa {
    pub enabled: bool,
    /// The confirmed secret, while `enabled`.
    pub totp_secret: Option<String>,
    /// A secret handed out by setup and not yet confirmed with a code.
    pub pending_secret: Option<String>,
    /// The last TOTP time step accepted: a code is good once.
    pub last_step: Option<i64>,
}
