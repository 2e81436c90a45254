//! Invitations to join a tenant (or, from a platform admin, the platform): a 7-day,
//! single-use link by email. Accepting creates the account or attaches an existing one.
use serde::{Deserialize, Serialize};

use crate::email::Email;
use crate::ids::{InvitationId, TenantId};
use crate::time::Timestamp;
use crate::user::Role;

pub const VALID_SECONDS: i64 = 7 * 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Revoked,
    /// Computed at read time: pending past `expires_at`.
    Expired,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub id: InvitationId,
    /// None: an invitation to the platform itself (a platform admin or a partner).
    pub tenant_id: Option<TenantId>,
    pub email: Email,
    /// The name the inviter gave, used when the account is created.
    #[serde(default)]
    pub name: Option<String>,
    pub role: Role,
    /// The user (or `system`) who invited.
    pub invited_by: String,
    pub status: InvitationStatus,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    #[serde(default)]
    pub accepted_at: Option<Timestamp>,
    /// SHA-256 of the emailed secret; the secret itself is never stored.
    pub token_hash: String,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvitationError {
    #[error("the invitation is {0:?}")]
    NotPending(InvitationStatus),
}

impl Invitation {
    /// The status as of `now` (a pending invitation past its expiry is expired).
    pub fn status_at(&self, now: Timestamp) -> InvitationStatus {
        match self.status {
            InvitationStatus::Pending if now >= self.expires_at => InvitationStatus::Expired,
            other => other,
        }
    }

    pub fn accept(mut self, now: Timestamp) -> Result<Invitation, InvitationError> {
        match self.status_at(now) {
            InvitationStatus::Pending => {
                self.status = InvitationStatus::Accepted;
                self.accepted_at = Some(now);
                self.version += 1;
                Ok(self)
            }
            other => Err(InvitationError::NotPending(other)),
        }
    }

    pub fn revoke(mut self, now: Timestamp) -> Result<Invitation, InvitationError> {
        match self.status_at(now) {
            InvitationStatus::Pending => {
                self.status = InvitationStatus::Revoked;
                self.version += 1;
                Ok(self)
            }
            other => Err(InvitationError::NotPending(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invitation(now: Timestamp) -> Invitation {
        Invitation {
            id: InvitationId::generate(now),
            tenant_id: Some(TenantId::generate(now)),
            email: Email::parse("bob@example.com").unwrap(),
            name: None,
            role: Role::TenantMember,
            invited_by: "usr_x".into(),
            status: InvitationStatus::Pending,
            created_at: now,
            expires_at: now.plus_seconds(VALID_SECONDS),
            accepted_at: None,
            token_hash: "h".into(),
            version: 1,
        }
    }

    #[test]
    fn an_invitation_is_accepted_once_within_seven_days() {
        let now = Timestamp::from_unix(1_795_600_800);
        let accepted = invitation(now).accept(now.plus_seconds(60)).unwrap();
        assert_eq!(accepted.status, InvitationStatus::Accepted);
        assert_eq!(accepted.accept(now), Err(InvitationError::NotPending(InvitationStatus::Accepted)));
        let late = invitation(now).accept(now.plus_seconds(VALID_SECONDS));
        assert_eq!(late, Err(InvitationError::NotPending(InvitationStatus::Expired)));
    }

    #[test]
    fn a_revoked_invitation_cannot_be_accepted() {
        let now = Timestamp::from_unix(1_795_600_800);
        let revoked = invitation(now).revoke(now).unwrap();
        assert!(revoked.accept(now).is_err());
    }
}
