//! Request and response bodies of the team routes. Requests refuse unknown fields, so a
//! `tenant_id` slipped into a body is an error, never a way into another tenant.
use serde::{Deserialize, Serialize};
use domain::ids::{InvitationId, TenantId, UserId};
use domain::invitation::{Invitation, InvitationStatus};
use domain::time::Timestamp;
use domain::user::{Role, User, UserStatus};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeMemberRole {
    /// `tenant_admin` or `tenant_member`.
    pub role: Role,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTeamInvitation {
    pub email: String,
    /// `tenant_admin` or `tenant_member`.
    pub role: Role,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    /// The `token` query parameter of the emailed link.
    pub token: String,
    /// Required when the invited address has no account yet.
    #[serde(default)]
    pub name: Option<String>,
    /// Required when the invited address has no account yet (the sign-up rules apply); for
    /// an existing account, replaces its password.
    #[serde(default)]
    pub password: Option<String>,
}

/// A member of the caller's organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamMember {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub status: UserStatus,
    pub mfa_enabled: bool,
    pub created_at: Timestamp,
}

impl From<&User> for TeamMember {
    fn from(u: &User) -> Self {
        TeamMember {
            id: u.id.clone(),
            name: u.name.clone(),
            email: u.email.to_string(),
            role: u.role,
            status: u.status,
            mfa_enabled: u.mfa.enabled,
            created_at: u.created_at,
        }
    }
}

/// An invitation to the caller's organization (never its token: only its hash is kept).
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamInvitation {
    pub id: InvitationId,
    pub email: String,
    pub role: Role,
    /// `pending` until accepted or revoked; `expired` once `expires_at` passes unaccepted.
    pub status: InvitationStatus,
    /// The user who sent it.
    pub invited_by: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub accepted_at: Option<Timestamp>,
}

impl TeamInvitation {
    pub fn new(i: &Invitation, now: Timestamp) -> Self {
        TeamInvitation {
            id: i.id.clone(),
            email: i.email.to_string(),
            role: i.role,
            status: i.status_at(now),
            invited_by: i.invited_by.clone(),
            created_at: i.created_at,
            expires_at: i.expires_at,
            accepted_at: i.accepted_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedInvitation {
    /// The account, created or attached; sign in with it.
    pub user: web::dto::UserOut,
    /// The organization joined (null for a platform invitation).
    pub tenant_id: Option<TenantId>,
}
