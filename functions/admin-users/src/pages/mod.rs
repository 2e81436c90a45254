//! The platform admins' user pages, server-rendered and usable without JavaScript, in the
//! sign-in pages' layout (`auth::pages::html`) and with their forgery protection
//! (`auth::pages::form`):
//!
//! - `/dashboard/users`: every user, searchable (`q`) and filtered (`role`, `status`,
//!   `tenant_id`), a page at a time through the signed cursor; the invite form posts here.
//! - `/dashboard/users/{id}`: one user (role, organization, status, MFA, created), the edit
//!   form (name and role, with the version read as a hidden field), disable / enable after a
//!   confirm step (`?confirm=disable` shows it, its button posts), and the user's audit trail
//!   (events they caused, newest first) filtered by action and a date range.
//!
//! Pages sit outside `/api`, so the permissions guard lets them through: each one
//! authenticates the browser itself (the `dm_access` cookie), sends a stranger to sign in and
//! come back (303), and answers another role with the 403 page the portal shells use. Every
//! POST carries `csrf_token` equal to the `dm_csrf` cookie and answers 303 back to its page
//! with a notice, or the page again with the problem and the status the JSON API would give.
//!
//! Handlers here only translate: they call `crate::service` as `crate::api` does. Pages are
//! not API and are left out of the OpenAPI document.
mod list;
mod user;

use auth::pages::form::Fields;
use auth::pages::html::{escape, see_other};
use auth::pages::{Viewer, login_for, viewer_of, wrong_role};
use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use shared::AppState;
use shared::domain::time::Timestamp;
use shared::domain::user::{Role, UserStatus};
use shared::http::ApiError;
use shared::http::pagination::MAX_CURSOR_CHARS;

use crate::service::{Actor, AdminError};

/// The pages' routes, merged into the function's router by `crate::routes`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboard/users", get(list::show).post(list::submit))
        .route("/dashboard/users/{id}", get(user::show).post(user::submit))
}

const LIST: &str = "/dashboard/users";

/// Rows per page unless the address asks for another `limit` (1–100).
const PAGE_SIZE: usize = 20;

/// Inline styles for what the shared stylesheet does not cover (selects, search and date
/// inputs, the filter grid). The pages' policy allows inline styles and nothing else.
const CONTROL: &str = "display:block;width:100%;height:44px;padding:0 10px;font:inherit;color:inherit;background:#fff;border:1px solid var(--line);border-radius:8px";
const GRID: &str = "display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:0 14px;align-items:start";
/// Two form fields side by side, each as wide as the stylesheet lets a field be.
const PAIR: &str = "display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,420px));gap:0 14px;align-items:start";

/// The signed-in platform admin, or the way to sign in (and come back to `path`) or to the
/// viewer's own portal.
async fn require_admin(app: &AppState, headers: &HeaderMap, path: &str) -> Result<Viewer, Response> {
    let Some(viewer) = viewer_of(app, headers).await? else {
        return Err(see_other(&login_for(path), Vec::new()));
    };
    match viewer.caller.role {
        Role::PlatformAdmin => Ok(viewer),
        role => Err(wrong_role(role, "platform admins")),
    }
}


pub(crate) use shared::http::client::Origin;

/// The admin behind a page's form, as the use cases record them.
pub(crate) trait ActorOf {
    fn actor(self, viewer: &Viewer) -> Actor;
}

impl ActorOf for Origin {
    fn actor(self, viewer: &Viewer) -> Actor {
        Actor { caller: viewer.caller.clone(), ip: self.ip, request_id: self.request_id }
    }
}

pub(crate) use auth::pages::form::FieldProblem as Problem;

fn field_label(field: &str) -> &str {
    match field {
        "email" => "Email address",
        "name" => "Name",
        "role" => "Role",
        "tenant_id" => "Organization ID",
        other => other,
    }
}

impl From<AdminError> for Problem {
    fn from(e: AdminError) -> Problem {
        match e {
            AdminError::Invalid { field, message } => {
                // The pages say "organization" where the API says "tenant".
                let message = message.replace("a tenant", "an organization").replace("tenant", "organization");
                let text = match field {
                    "email" => "Enter a valid email address, like name@example.com.".to_string(),
                    _ => format!("{} {}.", field_label(field), message.trim_end_matches('.')),
                };
                let field = match field {
                    "email" => "email",
                    "name" => "name",
                    "role" => "role",
                    "tenant_id" => "tenant_id",
                    _ => "",
                };
                Problem { field: (!field.is_empty()).then_some(field), ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, text) }
            }
            AdminError::NotFound(what) => Problem::new(StatusCode::NOT_FOUND, format!("We could not find that {what}.")),
            AdminError::EmailTaken => Problem {
                field: Some("email"),
                ..Problem::new(StatusCode::CONFLICT, "An account with this email address already exists; find it in the list instead.")
            },
            AdminError::Refused { message, .. } => Problem::new(StatusCode::CONFLICT, message),
            AdminError::PreconditionFailed => Problem::new(
                StatusCode::PRECONDITION_FAILED,
                "Someone changed this user after you opened the page, so nothing was saved. The form now shows the current values: check them and save again.",
            ),
            AdminError::Conflict => {
                Problem::new(StatusCode::CONFLICT, "Someone changed this user at the same moment, so nothing was saved. Please try again.")
            }
            // Failures on our side: logged by ApiError, never shown.
            other => Problem::new(ApiError::from(other).status, "Something went wrong on our side. Please try again in a moment."),
        }
    }
}


/// Notices after a redirect come from this fixed list: the query names one, never the text.
fn notice(code: &str) -> Option<&'static str> {
    match code {
        "invited" => Some("Invitation sent. The link works once, for 7 days."),
        "updated" => Some("Changes saved."),
        "role_changed" => Some("Role changed. The user was signed out everywhere; the new role applies from their next sign-in."),
        "unchanged" => Some("Nothing to change: the user already had those values."),
        "disabled" => Some("User disabled. Every session of theirs ended and they can no longer sign in."),
        "enabled" => Some("User enabled. They can sign in again."),
        _ => None,
    }
}

fn role_word(role: Role) -> &'static str {
    auth::pages::role_label(role)
}

fn role_value(role: Role) -> &'static str {
    match role {
        Role::PlatformAdmin => "platform_admin",
        Role::TenantAdmin => "tenant_admin",
        Role::TenantMember => "tenant_member",
        Role::Partner => "partner",
    }
}

const ROLES: [Role; 4] = [Role::PlatformAdmin, Role::TenantAdmin, Role::TenantMember, Role::Partner];

/// A `<select>` with `options` (value, label), `selected` preselected.
fn select(id: &str, name: &str, options: &[(&str, &str)], selected: &str, invalid: bool) -> String {
    let options: String = options
        .iter()
        .map(|(value, label)| {
            format!(r#"<option value="{}"{}>{}</option>"#, escape(value), if *value == selected { " selected" } else { "" }, escape(label))
        })
        .collect();
    let border = if invalid { ";border-color:var(--danger)" } else { "" };
    let aria = if invalid { r#" aria-invalid="true""# } else { "" };
    format!(r#"<select id="{}" name="{}" style="{CONTROL}{border}"{aria}>{options}</select>"#, escape(id), escape(name))
}

/// A labelled field around a control, with its inline error.
fn field(id: &str, label: &str, control: &str, error: Option<&str>) -> String {
    let error = error.map(|e| format!(r#"<p class="field-error">{}</p>"#, escape(e))).unwrap_or_default();
    format!(r#"<div class="field"><label for="{}">{}</label>{control}{error}</div>"#, escape(id), escape(label))
}

/// An input the shared stylesheet does not style (`search`, `date`).
fn plain_input(id: &str, name: &str, kind: &str, value: &str, attrs: &str) -> String {
    format!(
        r#"<input id="{}" name="{}" type="{}" value="{}" style="{CONTROL}" {attrs}>"#,
        escape(id),
        escape(name),
        escape(kind),
        escape(value)
    )
}

fn status_badge(status: UserStatus) -> &'static str {
    match status {
        UserStatus::Active => r#"<span class="badge on" style="margin-left:0">Active</span>"#,
        UserStatus::Disabled => r#"<span class="badge off" style="margin-left:0">Disabled</span>"#,
    }
}

/// A time as people read it, in UTC, with the machine-readable value.
fn when(t: Timestamp) -> String {
    let text = t.to_rfc3339();
    format!(r#"<time datetime="{0}">{1} {2}</time>"#, escape(&text), &text[..10.min(text.len())], &text.get(11..16).unwrap_or(""))
}

fn day(t: Timestamp) -> String {
    let text = t.to_rfc3339();
    format!(r#"<time datetime="{0}">{1}</time>"#, escape(&text), &text[..10.min(text.len())])
}

/// The previous pages of a list: the cursors that opened pages 2…n-1, so that "Previous"
/// works without keeping anything on the server (a cursor only reads forward). Only ever
/// echoed into links (escaped) and verified when used as `cursor`; anything that cannot be a
/// cursor is dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Trail(Vec<String>);

/// The deepest history kept: past it, "Previous" steps back to the first page.
const TRAIL_MAX: usize = 20;

fn plausible_cursor(c: &str) -> bool {
    !c.is_empty() && c.len() <= MAX_CURSOR_CHARS && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl Trail {
    fn parse(raw: &str) -> Trail {
        let cursors: Vec<String> = raw.split('.').filter(|c| plausible_cursor(c)).map(str::to_string).collect();
        let skip = cursors.len().saturating_sub(TRAIL_MAX);
        Trail(cursors.into_iter().skip(skip).collect())
    }

    fn encode(&self) -> String {
        self.0.join(".")
    }

    /// The (cursor, trail) of the previous page, given the current page's cursor; None on
    /// the first page.
    fn previous(&self, current: Option<&str>) -> Option<(Option<String>, Trail)> {
        current?;
        let mut back = self.0.clone();
        let cursor = back.pop();
        Some((cursor, Trail(back)))
    }

    /// The trail of the next page.
    fn next(&self, current: Option<&str>) -> Trail {
        let mut trail = self.0.clone();
        if let Some(c) = current {
            trail.push(c.to_string());
        }
        let skip = trail.len().saturating_sub(TRAIL_MAX);
        Trail(trail.into_iter().skip(skip).collect())
    }
}

/// A query string from pairs, leaving out empty values.
fn query_string(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{}={}", k, auth::pages::form::encode(v)))
        .collect();
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
}

/// "Previous" and "Next" links for a list whose filters are `pairs`.
fn pager(path: &str, pairs: &[(&str, &str)], cursor: Option<&str>, trail: &Trail, next: Option<&str>, shown: usize) -> String {
    let link = |cursor: Option<&str>, trail: &Trail| {
        let trail = trail.encode();
        let mut all: Vec<(&str, &str)> = pairs.to_vec();
        all.push(("cursor", cursor.unwrap_or("")));
        all.push(("trail", trail.as_str()));
        escape(&format!("{path}{}", query_string(&all)))
    };
    let previous = match trail.previous(cursor) {
        Some((c, t)) => format!(r#"<a class="button secondary" rel="prev" href="{}">← Previous</a>"#, link(c.as_deref(), &t)),
        None => String::new(),
    };
    let next = match next {
        Some(n) => format!(r#"<a class="button secondary" rel="next" href="{}">Next →</a>"#, link(Some(n), &trail.next(cursor))),
        None => String::new(),
    };
    let count = match shown {
        0 => String::new(),
        1 => "1 shown".to_string(),
        n => format!("{n} shown"),
    };
    format!(
        r#"<nav class="between" aria-label="Pages" style="margin-top:16px;align-items:center"><span class="small muted">{count}</span><span class="row">{previous}{next}</span></nav>"#
    )
}

/// A list's `cursor` and `trail` from its query.
fn paging(query: &Fields) -> (Option<String>, Trail) {
    let cursor = Some(query.trimmed("cursor")).filter(|c| !c.is_empty()).map(str::to_string);
    (cursor, Trail::parse(query.trimmed("trail")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_come_from_a_fixed_list() {
        assert!(notice("invited").is_some());
        assert_eq!(notice("<script>alert(1)</script>"), None);
    }

    #[test]
    fn a_page_problem_has_the_status_the_api_would_answer() {
        let cases: [fn() -> AdminError; 6] = [
            || AdminError::invalid("email", "is not an email address"),
            || AdminError::NotFound("user"),
            || AdminError::EmailTaken,
            || AdminError::PreconditionFailed,
            || AdminError::Conflict,
            || AdminError::Refused { code: "cannot_disable_self", message: "no" },
        ];
        for make in cases {
            assert_eq!(Problem::from(make()).status, ApiError::from(make()).status);
        }
        let p = Problem::from(AdminError::invalid("tenant_id", "is required for a tenant role"));
        assert_eq!(p.on("tenant_id"), Some("Organization ID is required for an organization role."));
    }

    #[test]
    fn the_trail_steps_back_page_by_page_to_the_first() {
        // Page 1 (no cursor) → page 2 (cursor a) → page 3 (cursor b).
        let on_page_2 = Trail::default().next(None);
        assert_eq!(on_page_2, Trail::default());
        let on_page_3 = on_page_2.next(Some("a"));
        assert_eq!(on_page_3.encode(), "a");
        // Back from page 3 opens page 2 (cursor a, empty trail); back from page 2, the first.
        assert_eq!(on_page_3.previous(Some("b")), Some((Some("a".to_string()), Trail::default())));
        assert_eq!(Trail::default().previous(Some("a")), Some((None, Trail::default())));
        assert_eq!(Trail::default().previous(None), None);
    }

    #[test]
    fn a_trail_keeps_only_what_could_be_cursors_and_only_so_many() {
        assert_eq!(Trail::parse("a.<b>.c-_d..").encode(), "a.c-_d");
        let long: Vec<String> = (0..30).map(|i| format!("c{i}")).collect();
        let trail = Trail::parse(&long.join("."));
        assert_eq!(trail.0.len(), TRAIL_MAX);
        assert_eq!(trail.0.last().map(String::as_str), Some("c29"));
    }

    #[test]
    fn query_strings_leave_out_empty_filters_and_encode_values() {
        assert_eq!(query_string(&[("q", "a b&c"), ("role", "")]), "?q=a%20b%26c");
        assert_eq!(query_string(&[("q", "")]), "");
    }
}
