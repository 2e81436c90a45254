//! Audit events: every state change writes one, in the same transaction as the change, so
//! the trail cannot miss a change or record one that did not happen.
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::ids::{EventId, TenantId};
use crate::domain::time::Timestamp;
use crate::ports::item_store::{Cond, Item, StoreError, Write};
use crate::repo::keys;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEvent {
    pub id: EventId,
    pub at: Timestamp,
    /// The user (or `system`, `anonymous`) that caused the change.
    pub actor_id: String,
    pub tenant_id: Option<TenantId>,
    /// `user.signup`, `session.login_failed`, `mfa.enabled`, …
    pub action: String,
    /// The id of what changed.
    pub target: Option<String>,
    pub ip: String,
    pub request_id: Option<String>,
    /// Before/after or context, where it helps; never a secret.
    pub details: Value,
}

impl AuditEvent {
    pub fn new(at: Timestamp, actor_id: impl Into<String>, action: &str, ip: &str) -> AuditEvent {
        AuditEvent {
            id: EventId::generate(at),
            at,
            actor_id: actor_id.into(),
            tenant_id: None,
            action: action.into(),
            target: None,
            ip: ip.into(),
            request_id: None,
            details: Value::Null,
        }
    }

    pub fn tenant(mut self, tenant: Option<&TenantId>) -> Self {
        self.tenant_id = tenant.cloned();
        self
    }

    pub fn target(mut self, target: impl ToString) -> Self {
        self.target = Some(target.to_string());
        self
    }

    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// The write that records this event, for the change's transaction.
    pub fn write(&self) -> Result<Write, StoreError> {
        let item = Item::from_record(keys::audit(self.tenant_id.as_ref(), &self.id), self)?
            .with_gsi1(keys::audit_actor(&self.actor_id), format!("EVT#{}", self.id))
            .with_gsi2(keys::AUDIT_ALL, format!("EVT#{}", self.id));
        Ok(Write::put(item).when(Cond::Absent))
    }
}
