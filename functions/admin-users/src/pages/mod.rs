//! The platform admins' user pages, server-rendered with the page kit (`web::kit`) in the
//! admin portal's app shell, and usable without JavaScript:
//!
//! - `/dashboard/users`: every user, searchable (`q`) and filtered (`role`, `status`,
//!   `tenant_id`), a page at a time through the signed cursor; the invite form posts here.
//! - `/dashboard/users/{id}`: one user (role, organization, status, MFA, created), the edit
//!   form (name and role, with the version read as a hidden field), disable / enable after a
//!   confirm step (`?confirm=disable` shows it, its button posts), and the user's audit trail
//!   (events they caused, newest first) filtered by action and a date range.
//!
//! Pages sit outside `/api`, so the permissions guard lets them through: each one
//! authenticates the browser itself (`web::pages::require_viewer`), sends a stranger to sign
//! in and come back (303), and answers another role with the 403 page. Every POST carries
//! `csrf_token` equal to the `dm_csrf` cookie and answers 303 back to its page with a notice,
//! or the page again with the refusal and the status the JSON API would give: a use case's
//! error becomes an `ApiError` through the one mapping (`From<AdminError> for ApiError`), and
//! the pages render that.
//!
//! Handlers here only translate: they call `crate::service` as `crate::api` does. Pages are
//! not API and are left out of the OpenAPI document.
mod links;
mod list;
mod user;

use axum::http::{HeaderMap, Method};
use axum::response::Response;
use axum::routing::{get, post};
use domain::permissions::Rule;
use domain::time::Timestamp;
use domain::user::{Role, UserStatus};
use maud::{Markup, html};
use web::{ApiError, AppState};
use web::kit::{Tone, status_badge};
use web::module::Routes;
use web::pages::Viewer;
use web::pages::form::Fields;
use web::pagination::MAX_CURSOR_CHARS;

use crate::service::Actor;
pub(crate) use links::LIST;

/// The pages' routes, merged into the function's router by `crate::routes`.
pub fn routes() -> Routes<AppState> {
    Routes::new()
        .page(Method::GET, LIST, get(list::show))
        .page(Method::POST, LIST, post(list::submit))
        .page(Method::GET, "/dashboard/users/{id}", get(user::show))
        .page(Method::POST, "/dashboard/users/{id}", post(user::submit))
}

/// The side navigation's section of both pages.
const SECTION: &str = "users";

/// Rows per page unless the address asks for another `limit` (1–100).
const PAGE_SIZE: usize = 20;

/// The signed-in platform admin, or the way to sign in (and come back to `path`) or to the
/// viewer's own portal.
async fn require_admin(app: &AppState, headers: &HeaderMap, path: &str) -> Result<Viewer, Response> {
    web::pages::require_viewer(app, headers, path, Rule::PlatformAdmin).await
}

/// A refusal as the pages show it: the one mapping's `ApiError`, its message worded for
/// people (no backticks; nothing of a failure on our side), wherever it lands (a banner or
/// beside its field).
fn refusal(e: impl Into<ApiError>) -> ApiError {
    web::pages::for_people(e.into())
}

/// The trail above both pages' titles, from the admin's home.
fn crumbs(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    std::iter::once(("Dashboard", "/dashboard")).chain(extra.iter().copied()).map(|(l, h)| (l.to_string(), h.to_string())).collect()
}

pub(crate) use web::client::Origin;

/// The admin behind a page's form, as the use cases record them.
pub(crate) trait ActorOf {
    fn actor(self, viewer: &Viewer) -> Actor;
}

impl ActorOf for Origin {
    fn actor(self, viewer: &Viewer) -> Actor {
        Actor { caller: viewer.caller.clone(), ip: self.ip, request_id: self.request_id }
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
    web::pages::role_label(role)
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

fn user_status(status: UserStatus) -> Markup {
    match status {
        UserStatus::Active => status_badge("Active", Tone::Success),
        UserStatus::Disabled => status_badge("Disabled", Tone::Danger),
    }
}

/// A time as people read it, in UTC, with the machine-readable value.
fn when(t: Timestamp) -> Markup {
    let text = t.to_rfc3339();
    html! { time datetime=(text) { (text.get(..10).unwrap_or(&text)) " " (text.get(11..16).unwrap_or("")) } }
}

fn day(t: Timestamp) -> Markup {
    let text = t.to_rfc3339();
    html! { time datetime=(text) { (text.get(..10).unwrap_or(&text)) } }
}

/// The previous pages of a list: the cursors that opened pages 2…n-1, so that "Previous"
/// works without keeping anything on the server (a cursor only reads forward). Only ever
/// echoed into links (encoded) and verified when used as `cursor`; anything that cannot be a
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

/// Where a list stands: the page's cursor (none on the first) and the trail behind it.
#[derive(Debug, Clone, Default)]
struct Paging {
    cursor: Option<String>,
    trail: Trail,
}

impl Paging {
    /// A list's `cursor` and `trail` from its query.
    fn of(query: &Fields) -> Paging {
        let cursor = Some(query.trimmed("cursor")).filter(|c| !c.is_empty()).map(str::to_string);
        Paging { cursor, trail: Trail::parse(query.trimmed("trail")) }
    }
}

/// "Previous" and "Next" links for the list at `path` whose filters are `pairs`, and how
/// many rows this page shows. The kit's pager knows one cursor per link; these links also
/// carry the trail, so "Previous" walks back page by page.
fn pager(path: &str, pairs: &[(&str, &str)], paging: &Paging, next: Option<&str>, shown: usize) -> Markup {
    let cursor = paging.cursor.as_deref();
    let previous = paging.trail.previous(cursor).map(|(c, t)| links::page(path, pairs, c.as_deref(), &t));
    let next = next.map(|n| links::page(path, pairs, Some(n), &paging.trail.next(cursor)));
    html! {
        @if previous.is_some() || next.is_some() || shown > 0 {
            nav.between.pager aria-label="Pages" {
                span.small.muted {
                    @if shown > 0 { (shown) " shown" }
                }
                span.row {
                    @if let Some(href) = previous { a.button.secondary rel="prev" href=(href) { "← Previous" } }
                    @if let Some(href) = next { a.button.secondary rel="next" href=(href) { "Next →" } }
                }
            }
        }
    }
}

/// Test data and checks shared by the pages' tests.
#[cfg(test)]
pub(crate) mod testing {
    use domain::email::Email;
    use domain::ids::{SessionId, TenantId, UserId};
    use domain::time::Timestamp;
    use domain::user::{Role, User, UserStatus};
    use web::auth::Caller;
    use web::auth::caller::Via;
    use web::pages::Viewer;

    /// What an attacker would put in every field they can set.
    pub const XSS: &str = "<script>alert(1)</script>\"'";
    /// The most hostile address `Email::parse` lets through (no `<`, `>` nor `"`).
    pub const XSS_EMAIL: &str = "o'neil&{x}/y@example.com";

    pub fn now() -> Timestamp {
        Timestamp::parse("2026-11-25T10:30:00Z").unwrap_or(Timestamp::from_unix(1_795_000_000))
    }

    pub fn viewer(name: &str, email: &str) -> Viewer {
        let caller = Caller {
            user_id: UserId::generate(now()),
            tenant_id: None,
            role: Role::PlatformAdmin,
            session_id: SessionId::generate(now()),
            via: Via::Cookie,
        };
        Viewer { caller, name: name.to_string(), email: email.to_string(), csrf: "csrf-token-value".to_string() }
    }

    pub fn user(name: &str, email: &str, role: Role, tenant: Option<&TenantId>) -> User {
        User {
            id: UserId::generate(now()),
            email: Email::parse(email).unwrap(),
            name: name.to_string(),
            role,
            tenant_id: tenant.cloned(),
            status: UserStatus::Active,
            email_verified: true,
            password_hash: None,
            created_at: now(),
            version: 3,
            mfa: Default::default(),
        }
    }

    /// Nothing the attacker typed became markup: no script element, and the double quote
    /// (the only one that could end an attribute maud writes) came out as `&quot;`. maud
    /// leaves `'` as it is: every attribute it writes is double-quoted.
    pub fn assert_inert(html: &str) {
        assert!(!html.contains("<script"), "a script element in {html}");
        assert!(!html.contains("\"'"), "a double quote broke out in {html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;'"), "the payload is shown, escaped, in {html}");
        assert!(!html.contains(" style="), "an inline style in {html}");
    }

    /// With `PAGE_SHOTS_DIR` set, writes `html` there as `admin-users-{name}.html` to look at.
    pub fn shot(name: &str, html: &str) {
        let Some(dir) = std::env::var_os("PAGE_SHOTS_DIR") else {
            return;
        };
        let path = std::path::Path::new(&dir).join(["admin-users-", name, ".html"].concat());
        if let Err(e) = std::fs::write(&path, html) {
            panic!("cannot write {}: {e}", path.display());
        }
    }
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
        let long: Vec<String> = (0..30).map(|i| ["c", &i.to_string()].concat()).collect();
        let trail = Trail::parse(&long.join("."));
        assert_eq!(trail.0.len(), TRAIL_MAX);
        assert_eq!(trail.0.last().map(String::as_str), Some("c29"));
    }

    #[test]
    fn the_pager_carries_the_filters_the_cursor_and_the_trail() {
        // On page 3 (cursor b, reached through a), with a next page (c).
        let paging = Paging { cursor: Some("b".into()), trail: Trail(vec!["a".into()]) };
        let html = pager(LIST, &[("q", "a b&c"), ("role", "")], &paging, Some("c"), 2).into_string();
        assert!(html.contains(r#"rel="prev" href="/dashboard/users?q=a%20b%26c&amp;cursor=a""#), "{html}");
        assert!(html.contains(r#"rel="next" href="/dashboard/users?q=a%20b%26c&amp;cursor=c&amp;trail=a.b""#), "{html}");
        assert!(html.contains("2 shown"));
        // The first page of an empty list has nothing to say.
        assert_eq!(pager(LIST, &[], &Paging::default(), None, 0).into_string(), "");
    }
}
