//! The admin-users use cases: load → domain rule → save (one transaction with its audit
//! event) → emit (email). Handlers in `api` call these and only translate.
pub mod invite;
pub mod users;

use axum::http::StatusCode;
use store::audit::AuditEvent;
use web::auth::Caller;
use domain::time::Timestamp;
use web::ApiError;
use store::ports::item_store::StoreError;
use store::ports::mailer::MailError;

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
    /// 409 `conflict`, as `Conflict`: a concurrent change to the user's team moved its roster's
    /// version. Unlike `Conflict` the change is worth trying again from fresh reads, which
    /// `store::retry` does a few times before answering it.
    #[error("conflict")]
    LostRace,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

impl store::retry::LostRace for AdminError {
    fn lost_race(&self) -> bool {
        matches!(self, AdminError::LostRace)
    }
}

impl AdminError {
    pub fn invalid(field: &'static str, message: impl ToString) -> AdminError {
        AdminError::Invalid { field, message: message.to_string() }
    }
}

impl From<AdminError> for ApiError {
    fn from(e: AdminError) -> ApiError {
        match e {
            AdminError::Invalid { field, message } => ApiError::invalid_field(field, sentence(field, &message)),
            AdminError::NotFound(what) => ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("We could not find that {what}.")),
            AdminError::EmailTaken => ApiError::conflict(
                "email_taken",
                "An account with this email address already exists; find it in the list of users instead.",
            )
            .with_field("email"),
            AdminError::Refused { code, message } => ApiError::conflict(code, message),
            AdminError::PreconditionFailed => ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "precondition_failed",
                "Someone changed this user after you opened the page, so nothing was saved.",
            ),
            AdminError::Conflict | AdminError::LostRace => ApiError::conflict(
                "conflict",
                "Someone changed this user at the same moment, so nothing was saved. Please try again.",
            ),
            AdminError::Store(e) => e.into(),
            AdminError::Mail(e) => e.into(),
        }
    }
}

/// A refused value as one sentence that reads the same on a form and in a JSON answer: the
/// field by its label, in the words people see ("organization", where the wire says
/// "tenant"). A message that is a clause of its own ("a tenant role needs…") stands alone.
fn sentence(field: &str, message: &str) -> String {
    if field == "email" {
        // The parser's message quotes the input back; people need the shape instead.
        return "Enter a valid email address, like name@example.com.".to_string();
    }
    let message = message.trim().trim_end_matches('.').replace("a tenant", "an organization").replace("tenant", "organization");
    if message.starts_with("a ") || message.starts_with("an ") {
        let mut chars = message.chars();
        let first: String = chars.next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
        return format!("{first}{}.", chars.as_str());
    }
    let label = match field {
        "name" => "Name",
        "role" => "Role",
        "tenant_id" => "Organization ID",
        other => other,
    };
    format!("{label} {message}.")
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

    #[test]
    fn a_refused_value_reads_as_a_sentence_about_its_field() {
        let e = ApiError::from(AdminError::invalid("tenant_id", "is required for a tenant role"));
        assert_eq!((e.status.as_u16(), e.code()), (422, "invalid_field"));
        assert_eq!(e.on("tenant_id"), Some("Organization ID is required for an organization role."));
        let e = ApiError::from(AdminError::invalid("name", "must not be empty"));
        assert_eq!(e.on("name"), Some("Name must not be empty."));
        let e = ApiError::from(AdminError::invalid("role", "a tenant role needs a user of a tenant; this user belongs to none"));
        assert_eq!(e.on("role"), Some("An organization role needs a user of an organization; this user belongs to none."));
        let e = ApiError::from(AdminError::invalid("email", "`<script>` is not an email address"));
        assert_eq!(e.on("email"), Some("Enter a valid email address, like name@example.com."));
    }

    #[test]
    fn refusals_keep_the_status_and_code_the_api_documents() {
        let cases = [
            (AdminError::NotFound("user"), 404, "not_found"),
            (AdminError::EmailTaken, 409, "email_taken"),
            (AdminError::Conflict, 409, "conflict"),
            (AdminError::LostRace, 409, "conflict"),
            (AdminError::Refused { code: "cannot_disable_self", message: "no" }, 409, "cannot_disable_self"),
        ];
        for (e, status, code) in cases {
            let e = ApiError::from(e);
            assert_eq!((e.status.as_u16(), e.code()), (status, code));
        }
        assert_eq!(ApiError::from(AdminError::EmailTaken).on("email").map(|m| m.contains("already exists")), Some(true));
    }
}
