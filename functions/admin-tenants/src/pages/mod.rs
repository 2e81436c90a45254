//! The platform admin's tenant pages, server-rendered and usable without JavaScript, in the
//! admin portal's app shell (`web::pages::Page::app`), built with the page kit (`web::kit`)
//! and protected by the signed-in forms' CSRF check (`web::pages::form`):
//!
//! - `/dashboard/tenants`: the tenants, filtered by `status` and `q`, a page at a time
//!   (`cursor`, the same signed cursor as the JSON list), and the "Create tenant" form, which
//!   posts to the same address.
//! - `/dashboard/tenants/{id}`: one tenant, in tabs (`?tab=overview|settings|usage|billing`).
//!   Suspend, reactivate, delete and restore each take a confirmation step
//!   (`?confirm=<action>` shows it; its button posts); settings carry the tenant's `version`,
//!   so a form edited from a stale copy is refused with a clear message (412).
//!
//! Every POST carries `csrf_token` equal to the `dm_csrf` cookie and answers 303 to a page
//! (or the page again with the refusal and the status the JSON API would give: the use
//! cases' errors become an `ApiError` through the crate's one mapping, and the pages render
//! that). Pages are outside `/api`, so the permissions guard lets them through: they check
//! the viewer themselves (`require_viewer`), sending strangers to sign in (303) and other
//! roles to a 403 page.
//!
//! Handlers only translate: they call `crate::service`, as `crate::api` does. Pages are not
//! API and are left out of the OpenAPI document.
mod detail;
mod list;
// The pages' strings (addresses, numbers and dates in words) live outside this directory;
// `lib.rs` is left alone during the port, so the pages declare it.
#[path = "../text.rs"]
mod text;

use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::permissions::Rule;
use domain::time::Timestamp;
use maud::{Markup, html};
use store::repo::tenants::TenantStatus;
use web::kit::{self, ButtonStyle, NoticeKind, Tone};
use web::module::Routes;
use web::pages::{Page, Viewer};
use web::{ApiError, AppState};

use crate::service::Actor;

/// The list's address; a tenant's page is `{LIST}/{id}`.
pub(crate) const LIST: &str = "/dashboard/tenants";
/// The admin portal's home, the first breadcrumb.
const DASHBOARD: &str = "/dashboard";
/// The side navigation's section of every tenant page.
const SECTION: &str = "tenants";

/// The pages' routes, merged into the function's router by `crate::routes`.
pub fn routes() -> Routes<AppState> {
    Routes::new()
        .page(Method::GET, LIST, get(list::show))
        .page(Method::POST, LIST, post(list::create))
        .page(Method::GET, "/dashboard/tenants/{id}", get(detail::show))
        .page(Method::POST, "/dashboard/tenants/{id}", post(detail::submit))
}

pub(crate) use web::client::Origin;

/// The admin behind a page's form, as the use cases record them.
pub(crate) trait ActorOf {
    fn actor(&self, viewer: &Viewer) -> Actor;
}

impl ActorOf for Origin {
    fn actor(&self, viewer: &Viewer) -> Actor {
        Actor { user_id: viewer.caller.user_id.to_string(), ip: self.ip.clone(), request_id: self.request_id.clone() }
    }
}

/// The signed-in platform admin; a stranger is sent to sign in and come back to `path`, any
/// other role gets the 403 page.
pub(crate) async fn require_admin(app: &AppState, headers: &HeaderMap, path: &str) -> Result<Viewer, Response> {
    web::pages::require_viewer(app, headers, path, Rule::PlatformAdmin).await
}

/// Dashboard › Tenants: the way up from every tenant page but the list.
fn crumbs_to_list() -> Vec<(String, String)> {
    vec![("Dashboard".to_string(), DASHBOARD.to_string()), ("Tenants".to_string(), LIST.to_string())]
}

/// A page that only explains a refusal, in the app shell, with the way back to the list.
pub(crate) fn problem_page(viewer: &Viewer, e: &ApiError) -> Response {
    let title = if e.status == axum::http::StatusCode::NOT_FOUND { "Tenant not found" } else { "Something is not right" };
    let body = html! {
        (kit::notice(NoticeKind::Error, e.message_for_people().as_str()))
        (kit::link_button("All tenants", LIST, ButtonStyle::Primary))
    };
    let status = if e.status.is_client_error() || e.status.is_server_error() { e.status } else { axum::http::StatusCode::INTERNAL_SERVER_ERROR };
    Page::app(viewer, SECTION, title, body).crumbs(crumbs_to_list()).status(status).into_response()
}

/// The banner above a refused form: a pointer to the field marked below (saying what
/// `not_done` — "The tenant was not created", "Nothing was changed"), or the message itself.
pub(crate) fn refusal_banner(e: &ApiError, not_done: &str) -> Markup {
    match e.detail.field {
        Some(_) => kit::notice(NoticeKind::Error, html! { (not_done) ": please correct the field marked below." }),
        None => kit::notice(NoticeKind::Error, e.message_for_people().as_str()),
    }
}

/// Notices after a redirect come from this fixed list: the query names one, never the text.
pub(crate) fn notice(code: &str) -> Option<&'static str> {
    match code {
        "created" => Some(
            "Tenant created. It is provisioning: a background job creates its subscription, its default settings and the admin invitation, then makes it active.",
        ),
        "suspended" => Some("Tenant suspended. Its users can still sign in and read; every change they try is refused until it is reactivated."),
        "reactivated" => Some("Tenant reactivated: its users can change things again."),
        "deleted" => Some("Tenant deleted. Its users can no longer sign in. It can be restored until it is purged."),
        "restored" => Some("Tenant restored: it is back in the state it had before, and its users can sign in again."),
        "saved" => Some("Changes saved."),
        "unchanged" => Some("Nothing to save: the tenant already has these values."),
        _ => None,
    }
}

// --- Small pieces of markup shared by both pages -------------------------------------------

/// The status as a coloured badge, in words.
pub(crate) fn status_badge(status: TenantStatus) -> Markup {
    let (label, tone) = match status {
        TenantStatus::Provisioning => ("Provisioning", Tone::Info),
        TenantStatus::Active => ("Active", Tone::Success),
        TenantStatus::Suspended => ("Suspended", Tone::Warning),
        TenantStatus::Deleted => ("Deleted", Tone::Danger),
    };
    kit::status_badge(label, tone)
}

/// `2026-11-25`, machine-readable too.
pub(crate) fn date(t: Timestamp) -> Markup {
    html! { time datetime=(t.to_rfc3339()) { (text::day(t)) } }
}

/// `2026-11-25 10:00 UTC`, machine-readable too.
pub(crate) fn date_time(t: Timestamp) -> Markup {
    html! { time datetime=(t.to_rfc3339()) { (text::day_and_time(t)) } }
}

/// Whole days left until `until`, counted up ("in 30 days" just after a 30-day deletion);
/// None once it has passed, Some(0) for less than a day.
pub(crate) fn days_until(now: Timestamp, until: Timestamp) -> Option<i64> {
    let seconds = until.unix() - now.unix();
    match seconds {
        s if s <= 0 => None,
        s if s < 86_400 => Some(0),
        s => Some((s + 86_399) / 86_400),
    }
}

/// What the pages' unit tests share: a viewer, and the checks every rendered page must pass.
#[cfg(test)]
pub(crate) mod testing {
    use domain::ids::{SessionId, UserId};
    use domain::time::Timestamp;
    use domain::user::Role;
    use web::auth::Caller;
    use web::auth::caller::Via;
    use web::pages::Viewer;

    /// What a hostile admin or tenant would type into every field: markup, and both quotes.
    pub const XSS: &str = "<script>alert(1)</script>\"'";

    pub fn viewer(name: &str, email: &str) -> Viewer {
        let now = Timestamp::from_unix(1_795_600_800);
        let caller = Caller {
            user_id: UserId::generate(now),
            tenant_id: None,
            role: Role::PlatformAdmin,
            session_id: SessionId::generate(now),
            via: Via::Cookie,
        };
        Viewer { caller, name: name.to_string(), email: email.to_string(), csrf: "csrf-token-value".to_string() }
    }

    /// No script got in, no quote broke out of an attribute (maud writes `"` as `&quot;` and
    /// leaves `'` alone: every attribute it writes is double-quoted), and the payload shows
    /// as the text it is.
    pub fn assert_inert(html: &str) {
        assert_clean(html);
        assert!(!html.contains("\"'"), "a quote breaks out of an attribute in {html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;'"), "the payload shown as text in {html}");
    }

    /// No script element and no inline style attribute (the stylesheet is the only look).
    pub fn assert_clean(html: &str) {
        assert!(!html.to_ascii_lowercase().contains("<script"), "raw script in {html}");
        assert!(!html.contains(" style"), "an inline style in {html}");
    }

    /// With `PAGE_SHOTS_DIR` set, writes a rendered page there to look at in a browser.
    pub fn write_if_asked(name: &str, html: &str) {
        let Some(dir) = std::env::var_os("PAGE_SHOTS_DIR") else { return };
        let path = std::path::Path::new(&dir).join(name);
        if let Err(e) = std::fs::write(&path, html) {
            panic!("cannot write {}: {e}", path.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_countdown_counts_whole_days_up_and_ends_at_the_purge() {
        let now = Timestamp::from_unix(1_795_600_800);
        assert_eq!(days_until(now, now.plus_seconds(30 * 86_400)), Some(30));
        assert_eq!(days_until(now.plus_seconds(5), now.plus_seconds(30 * 86_400)), Some(30));
        assert_eq!(days_until(now, now.plus_seconds(3600)), Some(0));
        assert_eq!(days_until(now, now), None);
    }

    #[test]
    fn notices_come_from_a_fixed_list() {
        assert!(notice("created").is_some());
        assert_eq!(notice("<script>"), None);
    }

    #[test]
    fn dates_are_machine_readable_too() {
        let now = Timestamp::from_unix(1_795_600_800);
        let html = date(now).into_string();
        assert!(html.starts_with(r#"<time datetime="2026-11-25T10:00:00"#) && html.ends_with(">2026-11-25</time>"), "{html}");
        assert!(date_time(now).into_string().contains(">2026-11-25 10:00 UTC</time>"));
        assert_eq!(status_badge(TenantStatus::Deleted).into_string(), r#"<span class="badge" data-tone="danger">Deleted</span>"#);
    }

    #[test]
    fn a_refused_form_points_at_its_field_or_says_why() {
        let field = ApiError::invalid_field("slug", "Slug must be short.");
        assert!(refusal_banner(&field, "The tenant was not created").into_string().contains("The tenant was not created: please correct"));
        let plain = ApiError::conflict("invalid_state", "<b>No</b>");
        let html = refusal_banner(&plain, "x").into_string();
        assert!(html.contains("&lt;b&gt;No&lt;/b&gt;") && !html.contains("<b>"), "{html}");
    }
}
