//! The team's pages, server-rendered and usable without JavaScript, in the sign-in pages'
//! layout (`auth::pages::html`) and with their forgery protection (`auth::pages::form`):
//!
//! - `/auth/accept-invitation?token=…`: the emailed link. GET only shows what accepting would
//!   do (mail scanners prefetch links); the form's POST accepts, then 303 to `/auth/login`
//!   with a success note. An anonymous form, guarded by the `dm_form` double-submit cookie.
//! - `/portal/team`: members (role change, removal with a confirm step) and invitations
//!   (invite, revoke) for tenant admins; read-only for members. Every action is a POST to
//!   `/portal/team` naming its `action`, carrying `csrf_token` equal to the `dm_csrf` cookie,
//!   answered with 303 back to the page (or the page again with the problem and the status
//!   the JSON API would give).
//!
//! Handlers here only translate: they call the same use cases as `crate::api`. Pages are not
//! API and are left out of the OpenAPI document.
mod accept;
mod activity;
mod team;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use shared::AppState;
use shared::domain::team::TeamRuleError;
use shared::domain::tenant::TenantStatus;
use shared::http::ApiError;

use crate::service::TeamError;

/// The pages' routes, merged into the function's router by `crate::routes`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/accept-invitation", get(accept::show).post(accept::submit))
        .route("/portal/team", get(team::show).post(team::submit))
        .route("/portal/activity", get(activity::show))
}

pub(crate) use auth::pages::form::FieldProblem as Problem;

fn field_label(field: &str) -> &str {
    match field {
        "email" => "Email address",
        "password" => "Password",
        "name" => "Your name",
        "role" => "Role",
        other => other,
    }
}

impl From<TeamError> for Problem {
    fn from(e: TeamError) -> Problem {
        let field = |field, status, message: &str| Problem { field: Some(field), ..Problem::new(status, message) };
        match e {
            TeamError::Invalid { field: f, message } => {
                let text = match f {
                    "email" => "Enter a valid email address, like name@example.com.".to_string(),
                    _ => format!("{} {}.", field_label(f), message.trim_end_matches('.')),
                };
                Problem { field: Some(f), ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, text) }
            }
            TeamError::NotFound(what) => Problem::new(StatusCode::NOT_FOUND, format!("That {what} is not in your organization (any more).")),
            TeamError::InvalidToken => Problem::new(
                StatusCode::BAD_REQUEST,
                "This invitation link is invalid, has expired, was revoked or was already used. Ask the person who invited you for a new one.",
            ),
            TeamError::Rule(TeamRuleError::SeatLimitReached { limit }) => field(
                "email",
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("All {limit} seats of your plan are taken by members and pending invitations. Revoke an invitation, remove a member or upgrade your plan."),
            ),
            TeamError::Rule(TeamRuleError::LastAdmin) => Problem::new(
                StatusCode::CONFLICT,
                "Your organization needs at least one admin. Make another member an admin first.",
            ),
            TeamError::Rule(TeamRuleError::AlreadyInvited) => {
                field("email", StatusCode::CONFLICT, "This address already has a pending invitation. Revoke it first to send a new one.")
            }
            TeamError::AlreadyMember => field("email", StatusCode::CONFLICT, "This address already belongs to a member of your organization."),
            TeamError::EmailTaken => Problem::new(
                StatusCode::CONFLICT,
                "This email address already has a DotMac account in another organization. An account belongs to one organization; ask to be invited with another address.",
            ),
            TeamError::NotPending(status) => Problem::new(
                StatusCode::CONFLICT,
                format!("That invitation is {} already; only a pending invitation can be revoked.", crate::service::status_word(status)),
            ),
            TeamError::TenantNotWritable(TenantStatus::Suspended) => Problem::new(
                StatusCode::FORBIDDEN,
                "This organization is suspended: you can look around, but nothing can be changed until it is reactivated.",
            ),
            TeamError::TenantNotWritable(_) => Problem::new(StatusCode::FORBIDDEN, "This organization cannot be changed right now."),
            TeamError::Conflict => Problem::new(StatusCode::CONFLICT, "Someone changed the team at the same moment. Please try again."),
            // Failures on our side: logged by ApiError, never shown.
            other => Problem::new(ApiError::from(other).status, "Something went wrong on our side. Please try again in a moment."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_problem_has_the_status_the_api_would_answer() {
        let cases: [fn() -> TeamError; 5] = [
            || TeamError::Rule(TeamRuleError::LastAdmin),
            || TeamError::Rule(TeamRuleError::SeatLimitReached { limit: 3 }),
            || TeamError::InvalidToken,
            || TeamError::invalid("password", "must be at least 8 characters"),
            || TeamError::NotFound("member"),
        ];
        for make in cases {
            assert_eq!(Problem::from(make()).status, ApiError::from(make()).status);
        }
    }

    #[test]
    fn a_field_problem_names_the_field_in_plain_words() {
        let p = Problem::from(TeamError::invalid("password", "must be at least 8 characters"));
        assert_eq!(p.on("password"), Some("Password must be at least 8 characters."));
    }
}
