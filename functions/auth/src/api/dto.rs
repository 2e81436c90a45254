//! Request and response bodies of the auth routes. Requests refuse unknown fields, so a
//! `role` or `tenant_id` slipped into a body is an error, never an update.
use serde::{Deserialize, Serialize};
use domain::ids::SessionId;
use domain::time::Timestamp;
use store::repo::sessions::Session;
use store::repo::tenants::Tenant;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    pub email: String,
    pub password: String,
    pub name: String,
    pub organization: String,
    #[serde(default)]
    pub referral_code: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailRequest {
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaLoginRequest {
    pub mfa_token: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub backup_code: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// For programs that keep the refresh token themselves; browsers send the cookie.
    #[serde(default)]
    pub refresh_token: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    pub token: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeRequest {
    #[serde(default)]
    pub name: Option<String>,
}

/// Starting 2FA setup: the account's password, so a session alone cannot enrol an
/// authenticator.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordRequest {
    /// The account's current password.
    pub password: String,
}

/// A signed-in 2FA change (confirm the setup, new backup codes, turn 2FA off): the account's
/// password and a code. A wrong password and a wrong code answer the same 401
/// `invalid_credentials`, and each wrong pair counts towards the account's second-factor limit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordCodeRequest {
    /// The account's current password.
    pub password: String,
    /// A current 6-digit code from the authenticator app (turning 2FA off also takes a
    /// backup code).
    pub code: String,
}

pub use web::dto::UserOut;

#[derive(Debug, Serialize, ToSchema)]
pub struct UserBody {
    pub user: UserOut,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignupResponse {
    pub user: UserOut,
    pub tenant: Tenant,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MfaRequired {
    pub mfa_required: bool,
    pub mfa_token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    /// Always `accepted`: the answer says nothing about whether the address has an account.
    pub status: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Refreshed {
    pub expires_in: i64,
    /// Only when the refresh token came in the body (programs); browsers get cookies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionOut {
    pub id: SessionId,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub ip: String,
    pub user_agent: String,
    /// The session making this request.
    pub current: bool,
}

impl SessionOut {
    pub fn new(s: &Session, current: &SessionId) -> Self {
        SessionOut {
            id: s.id.clone(),
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            ip: s.ip.clone(),
            user_agent: s.user_agent.clone(),
            current: &s.id == current,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TotpSetup {
    /// Base32, for typing into an authenticator by hand.
    pub secret: String,
    pub otpauth_uri: String,
    /// An inline SVG QR code of `otpauth_uri`.
    pub qr_svg: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BackupCodes {
    /// Shown once; each works once.
    pub backup_codes: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordReset {
    pub password_reset: bool,
}
