//! Tenants and their lifecycle, as an explicit state machine:
//!
//! ```text
//! provisioning ──provisioned──▶ active ◀──reactivate── suspended
//!      │                          │  └──────suspend──────▶ │
//!      └──────────delete──────────┴────────delete──────────┘
//!                                 ▼
//!                 deleted (purge_after = deleted_at + retention) ──restore──▶ the status before
//!                                 │
//!                     purge job, after purge_after: every item gone (audit events and paid
//!                     invoices kept)
//! ```
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ids::{PlanId, TenantId};
use crate::time::Timestamp;

/// Days a deleted tenant can be restored, unless the tenant says otherwise.
pub const DEFAULT_RETENTION_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TenantStatus {
    Provisioning,
    Active,
    Suspended,
    Deleted,
}

impl TenantStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TenantStatus::Provisioning => "provisioning",
            TenantStatus::Active => "active",
            TenantStatus::Suspended => "suspended",
            TenantStatus::Deleted => "deleted",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TenantError {
    #[error("a {from} tenant cannot be {action}")]
    InvalidTransition { from: &'static str, action: &'static str },
    #[error("the retention period ended at {0}; the tenant can no longer be restored")]
    RetentionOver(Timestamp),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Tenant {
    pub id: TenantId,
    pub name: String,
    pub slug: String,
    pub status: TenantStatus,
    pub plan_id: PlanId,
    /// Minor units of `currency`.
    pub credit_balance: i64,
    pub currency: String,
    pub created_at: Timestamp,
    /// The partner referral code the tenant signed up with, kept for attribution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral_code: Option<String>,
    /// Who is invited as the first tenant admin when an admin creates the tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_email: Option<String>,
    #[serde(default)]
    pub settings: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspended_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purge_after: Option<Timestamp>,
    #[serde(default = "default_retention")]
    pub retention_days: i64,
    /// Where `restore` returns to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_before_delete: Option<TenantStatus>,
    pub version: i64,
}

fn default_retention() -> i64 {
    DEFAULT_RETENTION_DAYS
}

impl Tenant {
    pub fn new(id: TenantId, name: String, slug: String, status: TenantStatus, plan_id: PlanId, currency: String, now: Timestamp) -> Tenant {
        Tenant {
            id,
            name,
            slug,
            status,
            plan_id,
            credit_balance: 0,
            currency,
            created_at: now,
            referral_code: None,
            admin_email: None,
            settings: Value::Object(Default::default()),
            suspended_reason: None,
            deleted_at: None,
            purge_after: None,
            retention_days: DEFAULT_RETENTION_DAYS,
            status_before_delete: None,
            version: 1,
        }
    }

    fn invalid(&self, action: &'static str) -> TenantError {
        TenantError::InvalidTransition { from: self.status.as_str(), action }
    }

    fn bump(mut self) -> Tenant {
        self.version += 1;
        self
    }

    /// Provisioning → active, once the provisioning job has done its work.
    pub fn provisioned(mut self) -> Result<Tenant, TenantError> {
        match self.status {
            TenantStatus::Provisioning => {
                self.status = TenantStatus::Active;
                Ok(self.bump())
            }
            _ => Err(self.invalid("provisioned")),
        }
    }

    /// Active → suspended: users may sign in and read; every write answers 403.
    pub fn suspend(mut self, reason: String) -> Result<Tenant, TenantError> {
        match self.status {
            TenantStatus::Active => {
                self.status = TenantStatus::Suspended;
                self.suspended_reason = Some(reason);
                Ok(self.bump())
            }
            _ => Err(self.invalid("suspended")),
        }
    }

    /// Suspended → active.
    pub fn reactivate(mut self) -> Result<Tenant, TenantError> {
        match self.status {
            TenantStatus::Suspended => {
                self.status = TenantStatus::Active;
                self.suspended_reason = None;
                Ok(self.bump())
            }
            _ => Err(self.invalid("reactivated")),
        }
    }

    /// Soft delete: restorable until `purge_after`.
    pub fn delete(mut self, now: Timestamp) -> Result<Tenant, TenantError> {
        match self.status {
            TenantStatus::Deleted => Err(self.invalid("deleted")),
            before => {
                self.status_before_delete = Some(before);
                self.status = TenantStatus::Deleted;
                self.deleted_at = Some(now);
                self.purge_after = Some(now.plus_seconds(self.retention_days.max(0) * 86_400));
                Ok(self.bump())
            }
        }
    }

    /// Deleted → the status it had, before `purge_after`.
    pub fn restore(mut self, now: Timestamp) -> Result<Tenant, TenantError> {
        match (self.status, self.purge_after) {
            (TenantStatus::Deleted, Some(until)) if now >= until => Err(TenantError::RetentionOver(until)),
            (TenantStatus::Deleted, _) => {
                self.status = self.status_before_delete.take().unwrap_or(TenantStatus::Active);
                self.deleted_at = None;
                self.purge_after = None;
                Ok(self.bump())
            }
            _ => Err(self.invalid("restored")),
        }
    }

    /// Whether the purge job may remove it now.
    pub fn purge_due(&self, now: Timestamp) -> bool {
        self.status == TenantStatus::Deleted && self.purge_after.is_some_and(|t| now >= t)
    }

    /// Whether its users may change anything.
    pub fn accepts_writes(&self) -> bool {
        self.status == TenantStatus::Active
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(status: TenantStatus) -> Tenant {
        let now = Timestamp::from_unix(1_795_600_800);
        Tenant::new(TenantId::generate(now), "Acme".into(), "acme".into(), status, PlanId::generate(now), "usd".into(), now)
    }

    #[test]
    fn a_new_tenant_becomes_active_once_provisioned_and_only_once() {
        let t = tenant(TenantStatus::Provisioning).provisioned().unwrap();
        assert_eq!((t.status, t.version), (TenantStatus::Active, 2));
        assert!(t.provisioned().is_err());
    }

    #[test]
    fn suspend_and_reactivate_round_trip() {
        let t = tenant(TenantStatus::Active).suspend("unpaid".into()).unwrap();
        assert!(!t.accepts_writes());
        assert!(t.clone().suspend("again".into()).is_err());
        let t = t.reactivate().unwrap();
        assert_eq!((t.status, t.suspended_reason.clone()), (TenantStatus::Active, None));
        assert!(t.reactivate().is_err());
    }

    #[test]
    fn a_deleted_tenant_restores_to_its_earlier_status_until_retention_ends() {
        let now = Timestamp::from_unix(1_795_600_800);
        let t = tenant(TenantStatus::Active).suspend("x".into()).unwrap().delete(now).unwrap();
        assert_eq!(t.purge_after, Some(now.plus_seconds(30 * 86_400)));
        assert!(!t.purge_due(now.plus_seconds(30 * 86_400 - 1)));
        assert!(t.purge_due(now.plus_seconds(30 * 86_400)));
        let restored = t.clone().restore(now.plus_seconds(86_400)).unwrap();
        assert_eq!(restored.status, TenantStatus::Suspended);
        assert!(matches!(t.restore(now.plus_seconds(30 * 86_400)), Err(TenantError::RetentionOver(_))));
    }

    #[test]
    fn only_a_deleted_tenant_restores_and_deleting_twice_is_refused() {
        let now = Timestamp::from_unix(1_795_600_800);
        assert!(tenant(TenantStatus::Active).restore(now).is_err());
        assert!(tenant(TenantStatus::Active).delete(now).unwrap().delete(now).is_err());
    }
}
