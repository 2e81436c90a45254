//! Request and response bodies of the tenant routes. Requests refuse unknown fields, so a
//! `status` or `credit_balance` slipped into a body is an error, never an update.
use serde::{Deserialize, Serialize};
use serde_json::Value;
use domain::ids::{PlanId, SubscriptionId, TenantId};
use domain::tenant::TenantStatus;
use domain::tenant_settings::SettingsPatch;
use domain::time::Timestamp;
use store::repo::provisioning::{Progress, Step};
use store::repo::subscriptions::{Subscription, SubscriptionStatus};
use store::repo::tenants::Tenant;
use utoipa::{IntoParams, ToSchema};

use crate::service::Usage;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTenantRequest {
    /// 1 to 100 characters.
    pub name: String,
    /// Unique; lower-case letters and digits with single dashes between them, at most 48
    /// (`^[a-z0-9](-?[a-z0-9])*$`).
    pub slug: String,
    /// An existing plan (`plan_…`).
    pub plan_id: String,
    /// Invited as the tenant's first `tenant_admin` once the tenant is provisioned.
    pub admin_email: String,
    /// Settings to start with; provisioning fills the platform defaults for the rest.
    #[serde(default)]
    pub settings: Option<SettingsPatch>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTenantRequest {
    #[serde(default)]
    pub name: Option<String>,
    /// Changes the fields it names; `null` clears an optional one.
    #[serde(default)]
    pub settings: Option<SettingsPatch>,
    /// Days a deleted tenant can be restored before it is purged (1 to 3650; default 30).
    #[serde(default)]
    pub retention_days: Option<i64>,
    /// The version the change is based on (the same as `If-Match`); a stale one → 412.
    #[serde(default)]
    pub version: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendRequest {
    /// Why; kept on the tenant and in the audit trail (1 to 500 characters).
    pub reason: String,
}

/// An optional body: `{}` or `{"reason": …}`, recorded in the audit trail.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListTenantsParams {
    /// Only tenants in this status (`deleted` ones come soonest purge first).
    #[param(value_type = Option<TenantStatus>)]
    pub status: Option<TenantStatus>,
    /// Text the name or the slug contains (case-insensitive, 1 to 100 characters).
    pub q: Option<String>,
    /// How many tenants to return, 1 to 100.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StepOut {
    /// `subscription`, `settings`, `admin_invitation`, `activation`.
    pub name: &'static str,
    pub done: bool,
    pub done_at: Option<Timestamp>,
}

/// How far the provisioning job got.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProvisioningOut {
    pub steps_done: usize,
    pub steps_total: usize,
    pub steps: Vec<StepOut>,
}

impl From<&Progress> for ProvisioningOut {
    fn from(p: &Progress) -> Self {
        ProvisioningOut {
            steps_done: p.steps_done(),
            steps_total: Step::ALL.len(),
            steps: Step::ALL
                .iter()
                .map(|s| StepOut { name: s.as_str(), done: p.is_done(*s), done_at: p.done_at(*s) })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionSummary {
    pub id: SubscriptionId,
    pub plan_id: PlanId,
    pub status: SubscriptionStatus,
    pub current_period_start: Timestamp,
    pub current_period_end: Timestamp,
    pub trial_end: Option<Timestamp>,
}

impl From<&Subscription> for SubscriptionSummary {
    fn from(s: &Subscription) -> Self {
        SubscriptionSummary {
            id: s.id.clone(),
            plan_id: s.plan_id.clone(),
            status: s.status,
            current_period_start: s.current_period_start,
            current_period_end: s.current_period_end,
            trial_end: s.trial_end,
        }
    }
}

/// A tenant as the platform admin sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantOut {
    pub id: TenantId,
    pub name: String,
    pub slug: String,
    pub status: TenantStatus,
    pub plan_id: PlanId,
    /// Minor units of `currency`.
    pub credit_balance: i64,
    pub currency: String,
    pub created_at: Timestamp,
    #[schema(value_type = Object)]
    pub settings: Value,
    pub admin_email: Option<String>,
    pub suspended_reason: Option<String>,
    pub deleted_at: Option<Timestamp>,
    /// When a deleted tenant is purged; restorable until then.
    pub purge_after: Option<Timestamp>,
    pub retention_days: i64,
    pub version: i64,
    /// On a single tenant only: the provisioning job's progress (null for a tenant that
    /// signed up by itself and was never provisioned by the job).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provisioning: Option<ProvisioningOut>,
    /// On a single tenant only: its subscription, once provisioning created it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription: Option<SubscriptionSummary>,
}

impl From<&Tenant> for TenantOut {
    fn from(t: &Tenant) -> Self {
        TenantOut {
            id: t.id.clone(),
            name: t.name.clone(),
            slug: t.slug.clone(),
            status: t.status,
            plan_id: t.plan_id.clone(),
            credit_balance: t.credit_balance,
            currency: t.currency.clone(),
            created_at: t.created_at,
            settings: t.settings.clone(),
            admin_email: t.admin_email.clone(),
            suspended_reason: t.suspended_reason.clone(),
            deleted_at: t.deleted_at,
            purge_after: t.purge_after,
            retention_days: t.retention_days,
            version: t.version,
            provisioning: None,
            subscription: None,
        }
    }
}

impl TenantOut {
    /// With the detail only a single tenant shows.
    pub fn detailed(t: &Tenant, progress: &Progress, subscription: Option<&Subscription>) -> Self {
        let shown = t.status == TenantStatus::Provisioning || progress.steps_done() > 0;
        TenantOut {
            provisioning: shown.then(|| progress.into()),
            subscription: subscription.map(Into::into),
            ..t.into()
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SeatsOut {
    /// Members of the tenant (its users).
    pub used: i64,
    /// Invitations not yet accepted, expired or revoked: each will take a seat.
    pub pending_invitations: i64,
    /// The plan's `limits.seats`.
    pub limit: i64,
    /// `limit − used − pending_invitations`, never below 0.
    pub available: i64,
}

/// A metered figure. `used` is null until usage metering records it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeteredOut {
    pub used: Option<i64>,
    pub limit: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UsageOut {
    pub tenant_id: TenantId,
    pub plan_id: PlanId,
    pub as_of: Timestamp,
    pub seats: SeatsOut,
    pub members: i64,
    pub pending_invitations: i64,
    /// Null `used` until usage metering exists.
    pub api_calls: MeteredOut,
    /// Null `used` until usage metering exists.
    pub storage_bytes: MeteredOut,
    /// What the figures cover today.
    pub note: &'static str,
}

impl From<&Usage> for UsageOut {
    fn from(u: &Usage) -> Self {
        let limit = u.plan.limits.seats;
        UsageOut {
            tenant_id: u.tenant.id.clone(),
            plan_id: u.plan.id.clone(),
            as_of: u.as_of,
            seats: SeatsOut {
                used: u.members,
                pending_invitations: u.pending_invitations,
                limit,
                available: (limit - u.members - u.pending_invitations).max(0),
            },
            members: u.members,
            pending_invitations: u.pending_invitations,
            api_calls: MeteredOut { used: None, limit: u.plan.limits.api_calls },
            storage_bytes: MeteredOut { used: None, limit: u.plan.limits.storage_bytes },
            note: "Seats, members and invitations are counted now. API calls and storage are not measured yet: they come with usage metering, so their `used` is null.",
        }
    }
}
