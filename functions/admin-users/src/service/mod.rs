//! The admin-users use cases: load → domain rule → save (one transaction with its audit
//! event) → emit (email). Handlers in `api` call these and only translate.
pub mod invite;
pub mod users;

use axum::http::StatusCode;
use shared::audit::AuditEvent;
use shared::auth::Caller;
use shared::domain::time::Timestamp;
use shared::http::ApiError;
use shared::ports::item_store::StoreError;
use shared::ports::mailer::MailError;

/// Who asks for a change, and from where: what every audit event of this function records.
#[derive(Debug, Clone)]
pub struct Actor {
    pub caller: Caller,
    pub ip: String,
    pub request_id: Option<String>,
}

impl Actor {
    /// A new audit event caused by this actor.
    pub fn event(&self, now: Timestamp, action: &str) -> AuditEvent {
        AuditEvent::new(now, self.caller.user_id.as_str(), action, &self.ip).request(self.request_id.as_deref())
    }
}

/// What the use cases refuse with; the one mapping to HTTP is `From<AdminError> for ApiError`.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// 422 `invalid_field`: a value outside its domain.
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    /// 404 `not_found`.
    #[error("no such {0}")]
    NotFound(&'static str),
    /// 409 `email_taken`.
    #[error("the email address has an account")]
    EmailTaken,
    /// 409 with a code of its own: a rule refused the change.
    #[error("{message}")]
    Refused { code: &'static str, message: &'static str },
    /// 412 `precondition_failed`: `If-Match` or `version` names another version.
    #[error("precondition failed")]
    PreconditionFailed,
    /// 409 `conflict`: a concurrent change won.
    #[error("conflict")]
    Conflict,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

impl AdminError {
    pub fn invalid(field: &'static str, message: impl ToString) -> AdminError {
        AdminError::Invalid { field, message: message.to_string() }
    }
}

impl From<AdminError> for ApiError {
    fn from(e: AdminError) -> ApiError {
        match e {
            AdminError::Invalid { field, message } => ApiError::invalid_field(field, message),
            AdminError::NotFound(what) => ApiError::not_found(what),
            AdminError::EmailTaken => {
                ApiError::conflict("email_taken", "An account with this email address exists.").with_field("email")
            }
            AdminError::Refused { code, message } => ApiError::conflict(code, message),
            AdminError::PreconditionFailed => ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "precondition_failed",
                "The user was changed since you read it; read it again and retry with its new ETag.",
            ),
            AdminError::Conflict => {
                ApiError::conflict("conflict", "The user was changed by another request; retry with fresh data.")
            }
            AdminError::Store(e) => e.into(),
            AdminError::Mail(e) => e.into(),
        }
    }
}

/// The versions a write may start from: each condition (`If-Match`, the body's `version`)
/// lists the versions it accepts, and all of them must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expected {
    conditions: Vec<Vec<i64>>,
}

impl Expected {
    pub fn none() -> Expected {
        Expected::default()
    }

    /// Adds a condition: the current version is one of `versions` (none: nothing matches).
    pub fn one_of(mut self, versions: Vec<i64>) -> Expected {
        self.conditions.push(versions);
        self
    }

    pub fn is_given(&self) -> bool {
        !self.conditions.is_empty()
    }

    pub fn holds(&self, version: i64) -> bool {
        self.conditions.iter().all(|accepted| accepted.contains(&version))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_condition_must_accept_the_current_version() {
        assert!(Expected::none().holds(3));
        assert!(Expected::none().one_of(vec![2, 3]).holds(3));
        assert!(!Expected::none().one_of(vec![2, 3]).one_of(vec![2]).holds(3));
        assert!(!Expected::none().one_of(vec![]).holds(1), "an If-Match naming no version matches none");
    }

    #[test]
    fn a_stale_version_answers_412_precondition_failed() {
        let e = ApiError::from(AdminError::PreconditionFailed);
        assert_eq!((e.status.as_u16(), e.code()), (412, "precondition_failed"));
    }
}
