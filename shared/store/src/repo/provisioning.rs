//! A tenant's provisioning progress, one item in its partition (`TENANT#<ten_id>` /
//! `PROVISIONING`). Each step of the provisioning worker sets its attribute once, guarded by
//! `attribute_not_exists`, in the same transaction as the step's own writes: the item is both
//! what `GET /api/v1/admin/tenants/{id}` shows as progress and the marker that makes a
//! redelivered message skip what is done.
use serde::{Deserialize, Serialize};

use domain::ids::{InvitationId, TenantId};
use domain::time::Timestamp;
use crate::ports::item_store::{Cond, ItemStore, StoreError, Update, Write};
use crate::repo::keys;
use crate::repo::tenants::TenantStatus;

/// The steps, in the order the worker runs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The subscription on the tenant's plan.
    Subscription,
    /// Default organization, security and notification settings, where absent.
    Settings,
    /// The invitation of `admin_email` as tenant admin, created and emailed.
    AdminInvitation,
    /// `provisioning → active`.
    Activation,
}

impl Step {
    pub const ALL: [Step; 4] = [Step::Subscription, Step::Settings, Step::AdminInvitation, Step::Activation];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Subscription => "subscription",
            Step::Settings => "settings",
            Step::AdminInvitation => "admin_invitation",
            Step::Activation => "activation",
        }
    }
}

/// What the progress item holds: when each step finished, and the admin invitation once made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    #[serde(default)]
    pub subscription: Option<Timestamp>,
    #[serde(default)]
    pub settings: Option<Timestamp>,
    #[serde(default)]
    pub admin_invitation: Option<Timestamp>,
    #[serde(default)]
    pub activation: Option<Timestamp>,
    /// Set, once, in the transaction that creates the invitation (before it is emailed).
    #[serde(default)]
    pub invitation_id: Option<InvitationId>,
}

impl Progress {
    pub fn done_at(&self, step: Step) -> Option<Timestamp> {
        match step {
            Step::Subscription => self.subscription,
            Step::Settings => self.settings,
            Step::AdminInvitation => self.admin_invitation,
            Step::Activation => self.activation,
        }
    }

    pub fn is_done(&self, step: Step) -> bool {
        self.done_at(step).is_some()
    }

    pub fn steps_done(&self) -> usize {
        Step::ALL.iter().filter(|s| self.is_done(**s)).count()
    }
}

pub async fn get(store: &dyn ItemStore, tenant: &TenantId) -> Result<Progress, StoreError> {
    Ok(store.get(&keys::provisioning(tenant)).await?.map(|i| i.record()).transpose()?.unwrap_or_default())
}

/// The write that records `step` as done at `now`; it fails if the step was already recorded,
/// which undoes the whole transaction it is part of.
pub fn mark(tenant: &TenantId, step: Step, now: Timestamp) -> Write {
    Write::update(keys::provisioning(tenant), Update::new().set(step.as_str(), now.to_string()))
        .when(Cond::AttrAbsent(step.as_str().into()))
}

/// The write that fails a step's transaction unless the tenant is still `provisioning`: a
/// tenant deleted meanwhile gets nothing more.
pub fn guard(tenant: &TenantId) -> Write {
    Write::check(keys::tenant(tenant), Cond::eq("status", TenantStatus::Provisioning.as_str()))
}

/// The write that records the admin invitation's id; it fails if one was already made.
pub fn mark_invitation(tenant: &TenantId, invitation: &InvitationId) -> Write {
    Write::update(keys::provisioning(tenant), Update::new().set("invitation_id", invitation.as_str()))
        .when(Cond::AttrAbsent("invitation_id".into()))
}
