//! The team use cases: load → rule (`domain::team`, `domain::invitation`) →
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

use web::auth::Caller;
use domain::ids::TenantId;
use domain::invitation::InvitationStatus;
use domain::team::TeamRuleError;
use domain::tenant::{Tenant, TenantStatus};
use web::ApiError;
use store::ports::item_store::StoreError;
use store::repo::{plans, tenants};
use web::AppState;
pub use web::client::Origin;



/// How many times a change is tried after a concurrent change to the same team won the race
/// (the roster's version moved): each try starts again from fresh data (`store::retry`).
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
    /// A concurrent change to the team won the race: the attempt that answers it is tried
    /// again (`store::retry`), and it is the answer once the attempts run out.
    #[error("the team changed concurrently too often")]
    Conflict,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] store::ports::mailer::MailError),
    #[error("{0}")]
    Internal(String),
}

impl store::retry::LostRace for TeamError {
    fn lost_race(&self) -> bool {
        matches!(self, TeamError::Conflict)
    }
}

impl TeamError {
    pub fn invalid(field: &'static str, message: impl ToString) -> TeamError {
        TeamError::Invalid { field, message: message.to_string() }
    }
}

/// Field names as people read them, for the sentences below.
fn field_label(field: &str) -> &str {
    match field {
        "email" => "Email address",
        "password" => "Password",
        "name" => "Your name",
        "role" => "Role",
        "action" => "That action",
        other => other,
    }
}

/// The one mapping to HTTP, API and pages alike: the status and code are the contract, the
/// message is written for the person who will read it beside a form field or in a banner.
impl From<TeamError> for ApiError {
    fn from(e: TeamError) -> ApiError {
        match e {
            TeamError::Invalid { field: "email", .. } => {
                ApiError::invalid_field("email", "Enter a valid email address, like name@example.com.")
            }
            TeamError::Invalid { field, message } => {
                ApiError::invalid_field(field, format!("{} {}.", field_label(field), message.trim_end_matches('.')))
            }
            // The caller's own organization: there is no "your organization" to be missing from.
            TeamError::NotFound("organization") => ApiError::not_found("organization"),
            TeamError::NotFound(what) => ApiError::new(
                http::StatusCode::NOT_FOUND,
                "not_found",
                format!("That {what} is not in your organization (any more)."),
            ),
            TeamError::InvalidToken => ApiError::bad_request(
                "invalid_token",
                "This invitation link is invalid, has expired, was revoked or was already used. Ask the person who invited you for a new one.",
            ),
            TeamError::Rule(TeamRuleError::SeatLimitReached { limit }) => ApiError::new(
                http::StatusCode::UNPROCESSABLE_ENTITY,
                "seat_limit_reached",
                format!("All {limit} seats of your plan are taken by members and pending invitations. Revoke an invitation, remove a member or upgrade your plan."),
            ),
            TeamError::Rule(TeamRuleError::LastAdmin) => ApiError::conflict(
                "last_admin",
                "Your organization needs at least one admin. Make another member an admin first.",
            ),
            TeamError::Rule(TeamRuleError::AlreadyInvited) => ApiError::conflict(
                "already_invited",
                "This address already has a pending invitation. Revoke it first to send a new one.",
            )
            .with_field("email"),
            TeamError::AlreadyMember => {
                ApiError::conflict("already_member", "This address already belongs to a member of your organization.").with_field("email")
            }
            TeamError::EmailTaken => ApiError::conflict(
                "email_taken",
                "This email address already has a DotMac account in another organization or on the platform. An account belongs to one organization; ask to be invited with another address.",
            ),
            TeamError::NotPending(status) => ApiError::conflict(
                "invalid_state",
                format!("That invitation is {} already; only a pending invitation can be revoked.", status_word(status)),
            ),
            TeamError::TenantNotWritable(TenantStatus::Suspended) => ApiError::forbidden(
                "tenant_suspended",
                "This organization is suspended: you can look around, but nothing can be changed until it is reactivated.",
            ),
            TeamError::TenantNotWritable(TenantStatus::Provisioning) => {
                ApiError::forbidden("tenant_provisioning", "This organisation is still being set up; try again shortly.")
            }
            TeamError::TenantNotWritable(_) => ApiError::forbidden("tenant_deleted", "This organisation has been deleted."),
            TeamError::Conflict => ApiError::conflict("conflict", "Someone changed the team at the same moment. Please try again."),
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
    fn a_field_refusal_names_its_field_in_plain_words() {
        let api = ApiError::from(TeamError::invalid("password", "must be at least 8 characters"));
        assert_eq!(api.on("password"), Some("Password must be at least 8 characters."));
        let api = ApiError::from(TeamError::invalid("email", "is not an email address"));
        assert_eq!(api.on("email"), Some("Enter a valid email address, like name@example.com."));
    }

    #[test]
    fn an_internal_failure_says_nothing_of_its_cause() {
        let api = ApiError::from(TeamError::Internal("plan plan_x of tenant ten_y not found".into()));
        assert_eq!(api.status.as_u16(), 500);
        assert!(!api.detail.message.contains("plan_x"));
    }
}
