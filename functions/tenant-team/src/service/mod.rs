//! The team use cases: load → rule (`shared::domain::team`, `shared::domain::invitation`) →
//! one transaction holding the change, the roster and the audit event → emit (the invitation
//! email). Handlers in `api` and `pages` call these and only translate.
//!
//! The tenant is always the caller's own, taken from the `Caller` (the access token), never
//! from a body or a path: another tenant's member or invitation is simply not found.
pub mod accept;
pub mod invitations;
pub mod members;
#[cfg(test)]
mod scenarios;

use shared::auth::Caller;
use shared::domain::ids::TenantId;
use shared::domain::invitation::InvitationStatus;
use shared::domain::team::TeamRuleError;
use shared::domain::tenant::{Tenant, TenantStatus};
use shared::http::ApiError;
use shared::ports::item_store::{ItemStore, MAX_TRANSACT_ITEMS, StoreError, Write};
use shared::repo::{plans, tenants};
use shared::AppState;
pub use shared::http::client::Origin;



/// How many times a change is tried after a concurrent change to the same team won the race
/// (the roster's version moved): each try starts again from fresh data.
const ATTEMPTS: usize = 3;

/// What the team use cases refuse with; the one mapping to HTTP is `From<TeamError> for ApiError`.
#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error("invalid, expired, revoked or used invitation token")]
    InvalidToken,
    #[error(transparent)]
    Rule(#[from] TeamRuleError),
    #[error("already a member of this organization")]
    AlreadyMember,
    #[error("the address has an account elsewhere")]
    EmailTaken,
    #[error("the invitation is {0:?}")]
    NotPending(InvitationStatus),
    #[error("the organization is {0:?}")]
    TenantNotWritable(TenantStatus),
    #[error("the team changed concurrently too often")]
    Conflict,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] shared::ports::mailer::MailError),
    #[error("{0}")]
    Internal(String),
}

impl TeamError {
    pub fn invalid(field: &'static str, message: impl ToString) -> TeamError {
        TeamError::Invalid { field, message: message.to_string() }
    }
}

impl From<TeamError> for ApiError {
    fn from(e: TeamError) -> ApiError {
        match e {
            TeamError::Invalid { field, message } => ApiError::invalid_field(field, message),
            TeamError::NotFound(what) => ApiError::not_found(what),
            TeamError::InvalidToken => {
                ApiError::bad_request("invalid_token", "This invitation is invalid, has expired, was revoked or was already used.")
            }
            TeamError::Rule(TeamRuleError::SeatLimitReached { limit }) => ApiError::new(
                http::StatusCode::UNPROCESSABLE_ENTITY,
                "seat_limit_reached",
                format!("Your plan has {limit} seats and members plus pending invitations fill them; revoke an invitation, remove a member or upgrade the plan."),
            ),
            TeamError::Rule(TeamRuleError::LastAdmin) => ApiError::conflict(
                "last_admin",
                "The organization needs at least one admin: make another member admin first.",
            ),
            TeamError::Rule(TeamRuleError::AlreadyInvited) => ApiError::conflict(
                "already_invited",
                "A pending invitation to this address exists; revoke it to send a new one.",
            )
            .with_field("email"),
            TeamError::AlreadyMember => {
                ApiError::conflict("already_member", "This address already belongs to a member of this organization.").with_field("email")
            }
            TeamError::EmailTaken => ApiError::conflict(
                "email_taken",
                "This address already has an account in another organization or on the platform; an account belongs to one organization.",
            ),
            TeamError::NotPending(status) => ApiError::conflict(
                "invalid_state",
                format!("Only a pending invitation can be revoked; this one is {}.", status_word(status)),
            ),
            TeamError::TenantNotWritable(TenantStatus::Suspended) => ApiError::forbidden(
                "tenant_suspended",
                "This organisation is suspended: you can sign in and read, but not change anything.",
            ),
            TeamError::TenantNotWritable(TenantStatus::Provisioning) => {
                ApiError::forbidden("tenant_provisioning", "This organisation is still being set up; try again shortly.")
            }
            TeamError::TenantNotWritable(_) => ApiError::forbidden("tenant_deleted", "This organisation has been deleted."),
            TeamError::Conflict => {
                ApiError::conflict("conflict", "The team was changed by other requests at the same moment; retry with fresh data.")
            }
            TeamError::Store(e) => e.into(),
            TeamError::Mail(e) => e.into(),
            TeamError::Internal(message) => ApiError::internal(&TeamError::Internal(message)),
        }
    }
}

pub fn status_word(status: InvitationStatus) -> &'static str {
    match status {
        InvitationStatus::Pending => "pending",
        InvitationStatus::Accepted => "accepted",
        InvitationStatus::Revoked => "revoked",
        InvitationStatus::Expired => "expired",
    }
}

/// The caller's tenant. The permissions matrix lets only tenant roles in, and they always
/// carry one; anyone else has no team here.
pub fn tenant_of(caller: &Caller) -> Result<TenantId, TeamError> {
    caller.tenant_id.clone().ok_or(TeamError::NotFound("organization"))
}

/// The tenant, if its users may change it now (pages are not behind the API's guard, so the
/// use cases check this themselves).
pub(crate) async fn writable_tenant(app: &AppState, id: &TenantId) -> Result<Tenant, TeamError> {
    let tenant = tenants::get(app.store.as_ref(), id).await?.ok_or(TeamError::NotFound("organization"))?;
    if tenant.accepts_writes() { Ok(tenant) } else { Err(TeamError::TenantNotWritable(tenant.status)) }
}

/// The seats the tenant's plan allows.
pub(crate) async fn seat_limit(app: &AppState, tenant: &Tenant) -> Result<i64, TeamError> {
    let plan = plans::get(app.store.as_ref(), &tenant.plan_id)
        .await?
        .ok_or_else(|| TeamError::Internal(format!("plan {} of tenant {} not found", tenant.plan_id, tenant.id)))?;
    Ok(plan.limits.seats)
}

/// Runs `writes` with as many of `ended` (session deletes) as fit in one transaction, then the
/// rest of `ended` in further transactions. Condition failures name a write of `writes`.
pub(crate) async fn commit(store: &dyn ItemStore, mut writes: Vec<Write>, ended: Vec<Write>) -> Result<(), StoreError> {
    let room = MAX_TRANSACT_ITEMS.saturating_sub(writes.len());
    let (first, rest) = ended.split_at(ended.len().min(room));
    writes.extend(first.iter().cloned());
    store.transact(writes).await?;
    // More sessions than fit: they end a moment later, still before this answer leaves.
    for chunk in rest.chunks(MAX_TRANSACT_ITEMS) {
        store.transact(chunk.to_vec()).await?;
    }
    Ok(())
}

/// Whether a failed transaction lost the race on one of `writes` positions (the roster or a
/// version-guarded record), so the use case should start again.
pub(crate) fn lost_race(e: &StoreError, positions: &[usize]) -> bool {
    match e {
        StoreError::ConditionFailed { index: Some(i) } => positions.contains(i),
        StoreError::TransactionConflict => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(e: TeamError) -> (u16, String) {
        let api = ApiError::from(e);
        (api.status.as_u16(), api.code().to_string())
    }

    #[test]
    fn each_refusal_has_its_contract_status_and_code() {
        assert_eq!(answer(TeamError::Rule(TeamRuleError::LastAdmin)), (409, "last_admin".into()));
        assert_eq!(answer(TeamError::Rule(TeamRuleError::SeatLimitReached { limit: 3 })), (422, "seat_limit_reached".into()));
        assert_eq!(answer(TeamError::InvalidToken), (400, "invalid_token".into()));
        assert_eq!(answer(TeamError::NotFound("member")), (404, "not_found".into()));
        assert_eq!(answer(TeamError::TenantNotWritable(TenantStatus::Suspended)), (403, "tenant_suspended".into()));
        assert_eq!(answer(TeamError::invalid("email", "is not an email address")), (422, "invalid_field".into()));
    }

    #[test]
    fn an_internal_failure_says_nothing_of_its_cause() {
        let api = ApiError::from(TeamError::Internal("plan plan_x of tenant ten_y not found".into()));
        assert_eq!(api.status.as_u16(), 500);
        assert!(!api.detail.message.contains("plan_x"));
    }
}
