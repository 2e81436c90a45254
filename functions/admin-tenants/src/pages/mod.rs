//! The platform admin's tenant pages, server-rendered and usable without JavaScript, in the
//! sign-in pages' layout (`auth::pages::html`) and with their forgery protection
//! (`auth::pages::form`):
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
//! (or the page again with the problem and the status the JSON API would give). Pages are
//! outside `/api`, so the permissions guard lets them through: they authenticate themselves
//! (`viewer_of`), send strangers to sign in (303) and other roles to a 403 page.
//!
//! Handlers only translate: they call `crate::service`, as `crate::api` does. Pages are not
//! API and are left out of the OpenAPI document.
mod detail;
mod list;

use auth::pages::html::{Page, escape, see_other};
use auth::pages::{Viewer, login_for, viewer_of, wrong_role};
use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use shared::AppState;
use shared::domain::time::Timestamp;
use shared::domain::user::Role;
use shared::http::ApiError;
use shared::repo::tenants::TenantStatus;

use crate::service::{Actor, TenantsError};

/// The list's address; a tenant's page is `{LIST}/{id}`.
pub(crate) const LIST: &str = "/dashboard/tenants";

/// The pages' routes, merged into the function's router by `crate::routes`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(LIST, get(list::show).post(list::create))
        .route("/dashboard/tenants/{id}", get(detail::show).post(detail::submit))
}


pub(crate) use shared::http::client::Origin;

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
    let Some(viewer) = viewer_of(app, headers).await? else {
        return Err(see_other(&login_for(path), Vec::new()));
    };
    match viewer.caller.role {
        Role::PlatformAdmin => Ok(viewer),
        role => Err(wrong_role(role, "platform admins")),
    }
}

/// What a refusal means to a person: the status the API would answer, a message, and the
/// form field it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub status: StatusCode,
    pub message: String,
    pub field: Option<String>,
}

impl Problem {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Problem {
        Problem { status, message: message.into(), field: None }
    }

    fn on_field(field: &str, status: StatusCode, message: impl Into<String>) -> Problem {
        Problem { field: Some(field.to_string()), ..Problem::new(status, message) }
    }

    /// The message for the field `name`, if this problem is about it.
    pub fn on(&self, name: &str) -> Option<&str> {
        (self.field.as_deref() == Some(name)).then_some(self.message.as_str())
    }
}

fn field_label(field: &str) -> &str {
    match field {
        "name" => "Name",
        "slug" => "Slug",
        "plan_id" => "Plan",
        "admin_email" => "Admin email",
        "reason" => "Reason",
        "retention_days" => "Retention",
        other => other,
    }
}

pub(crate) fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let first: String = chars.next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
    format!("{first}{}", chars.as_str().trim_end_matches('.'))
}

impl From<TenantsError> for Problem {
    fn from(e: TenantsError) -> Problem {
        let invalid = StatusCode::UNPROCESSABLE_ENTITY;
        match e {
            TenantsError::NotFound => Problem::new(StatusCode::NOT_FOUND, "That tenant does not exist (any more): it may have been purged."),
            TenantsError::SlugTaken => Problem::on_field("slug", StatusCode::CONFLICT, "Another tenant already has this slug. Choose another."),
            TenantsError::Invalid { field, message } => {
                let text = match field.as_str() {
                    "admin_email" => "Enter a valid email address, like it@example.com.".to_string(),
                    "plan_id" => "Choose one of the plans.".to_string(),
                    "retention_days" => "Retention must be a whole number of days, from 1 to 3650.".to_string(),
                    f => format!("{} {}.", field_label(f), message.trim_end_matches('.')),
                };
                Problem::on_field(&field, invalid, text)
            }
            TenantsError::InvalidState(message) => Problem::new(StatusCode::CONFLICT, format!("{}.", sentence(&message))),
            TenantsError::PreconditionFailed { expected } => Problem::new(
                StatusCode::PRECONDITION_FAILED,
                format!("Someone changed this tenant after you opened the form (your form was based on version {expected}). Nothing was saved: the form now shows the current values; make your change again."),
            ),
            // Failures on our side: logged by ApiError, never shown.
            other => Problem::new(ApiError::from(other).status, "Something went wrong on our side. Please try again in a moment."),
        }
    }
}

/// A page that only explains a problem, with the way back to the list.
pub(crate) fn problem_page(problem: &Problem) -> Response {
    let title = if problem.status == StatusCode::NOT_FOUND { "Tenant not found" } else { "Something is not right" };
    let body = format!(
        r#"<h1>{title}</h1>{banner}<a class="button primary auto" href="{LIST}">All tenants</a>"#,
        banner = auth::pages::html::error_banner(&problem.message),
    );
    Page::new(title, body).status(problem.status).into_response()
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

/// Inline styles: the layout's stylesheet belongs to the sign-in pages, and these few rules
/// are only the tenant pages' (the policy allows inline styles, no script).
pub(crate) const CONTROL_STYLE: &str =
    "display:block;height:44px;padding:0 12px;font:inherit;color:inherit;background:#fff;border:1px solid var(--line);border-radius:8px";

/// The status as a coloured badge, in words.
pub(crate) fn status_badge(status: TenantStatus) -> String {
    let (label, style) = match status {
        TenantStatus::Provisioning => ("Provisioning", "background:#e8eefc;color:#2448bd"),
        TenantStatus::Active => ("Active", "background:#e3f4ea;color:#1b7f4c"),
        TenantStatus::Suspended => ("Suspended", "background:#fff4d6;color:#7a5200"),
        TenantStatus::Deleted => ("Deleted", "background:#fdecec;color:#a12020"),
    };
    format!(r#"<span class="badge" style="margin-left:0;{style}">{label}</span>"#)
}

/// `2026-11-25`, machine-readable too.
pub(crate) fn date(t: Timestamp) -> String {
    let text = t.to_rfc3339();
    format!(r#"<time datetime="{text}">{}</time>"#, &text[..10])
}

/// `2026-11-25 10:00 UTC`.
pub(crate) fn date_time(t: Timestamp) -> String {
    let text = t.to_rfc3339();
    format!(r#"<time datetime="{text}">{} {} UTC</time>"#, &text[..10], &text[11..16])
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

/// "in 12 days" / "in 1 day" / "in less than a day".
pub(crate) fn in_days(days: i64) -> String {
    match days {
        0 => "in less than a day".to_string(),
        1 => "in 1 day".to_string(),
        n => format!("in {n} days"),
    }
}

/// Digits in groups of three: `10,000`.
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Minor units in the currency's own decimals: `1999, "usd"` → `19.99 USD`.
pub(crate) fn money(amount: i64, currency: &str) -> String {
    let code = currency.to_uppercase();
    let decimals: u32 = match currency {
        "bif" | "clp" | "djf" | "gnf" | "isk" | "jpy" | "kmf" | "krw" | "mga" | "pyg" | "rwf" | "ugx" | "vnd" | "vuv" | "xaf"
        | "xof" | "xpf" => 0,
        "bhd" | "jod" | "kwd" | "omr" | "tnd" => 3,
        _ => 2,
    };
    let sign = if amount < 0 { "−" } else { "" };
    let abs = amount.unsigned_abs();
    if decimals == 0 {
        return format!("{sign}{} {code}", grouped(abs));
    }
    let unit = 10u64.pow(decimals);
    format!("{sign}{}.{:0width$} {code}", grouped(abs / unit), abs % unit, width = decimals as usize)
}

/// Bytes in binary units: `1073741824` → `1 GiB`.
pub(crate) fn bytes(n: i64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n.max(0) as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value.fract() == 0.0 { format!("{value:.0} {}", UNITS[unit]) } else { format!("{value:.1} {}", UNITS[unit]) }
}

/// A horizontal bar drawn as an inline SVG: `segments` (value, colour) laid end to end over
/// `total`, with `label` as its text alternative for people who cannot see it.
pub(crate) fn bar(segments: &[(i64, &str)], total: i64, label: &str) -> String {
    let total = total.max(1) as f64;
    let mut x = 0.0_f64;
    let mut rects = String::new();
    for (value, colour) in segments {
        let width = ((*value).max(0) as f64 / total * 100.0).min(100.0 - x);
        if width > 0.0 {
            rects.push_str(&format!(r#"<rect x="{x:.2}%" y="0" width="{width:.2}%" height="14" fill="{colour}"/>"#));
            x += width;
        }
    }
    format!(
        r#"<svg class="bar" role="img" aria-label="{label}" width="100%" height="14" style="display:block;max-width:520px;border-radius:7px;overflow:hidden;background:#e8ecf4;margin:6px 0 10px"><title>{label}</title>{rects}</svg>"#,
        label = escape(label),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_in_the_currency_s_own_units() {
        assert_eq!(money(0, "usd"), "0.00 USD");
        assert_eq!(money(123_456_789, "usd"), "1,234,567.89 USD");
        assert_eq!(money(-1999, "eur"), "−19.99 EUR");
        assert_eq!(money(5000, "jpy"), "5,000 JPY");
        assert_eq!(money(1234, "kwd"), "1.234 KWD");
    }

    #[test]
    fn sizes_and_counts_read_like_people_write_them() {
        assert_eq!(bytes(1 << 30), "1 GiB");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(grouped(10_000), "10,000");
        assert_eq!(grouped(7), "7");
    }

    #[test]
    fn the_countdown_counts_whole_days_up_and_ends_at_the_purge() {
        let now = Timestamp::from_unix(1_795_600_800);
        assert_eq!(days_until(now, now.plus_seconds(30 * 86_400)), Some(30));
        assert_eq!(days_until(now.plus_seconds(5), now.plus_seconds(30 * 86_400)), Some(30));
        assert_eq!(days_until(now, now.plus_seconds(3600)), Some(0));
        assert_eq!(days_until(now, now), None);
        assert_eq!(in_days(0), "in less than a day");
        assert_eq!(in_days(1), "in 1 day");
    }

    #[test]
    fn a_bar_is_a_picture_with_words_and_never_overflows() {
        let svg = bar(&[(3, "#111"), (5, "#222")], 4, "7 of 4 <seats>");
        assert!(svg.starts_with("<svg") && svg.contains(r#"role="img""#), "{svg}");
        assert!(svg.contains("7 of 4 &lt;seats&gt;"), "{svg}");
        assert!(svg.contains(r#"width="75.00%""#) && svg.contains(r#"width="25.00%""#), "{svg}");
    }

    #[test]
    fn notices_come_from_a_fixed_list() {
        assert!(notice("created").is_some());
        assert_eq!(notice("<script>"), None);
    }

    #[test]
    fn a_page_problem_has_the_status_the_api_would_answer() {
        let cases: [fn() -> TenantsError; 5] = [
            || TenantsError::NotFound,
            || TenantsError::SlugTaken,
            || TenantsError::invalid("name", "must not be empty"),
            || TenantsError::InvalidState("a deleted tenant cannot be suspended".into()),
            || TenantsError::PreconditionFailed { expected: 3 },
        ];
        for make in cases {
            assert_eq!(Problem::from(make()).status, ApiError::from(make()).status);
        }
        assert_eq!(Problem::from(TenantsError::invalid("name", "must not be empty")).on("name"), Some("Name must not be empty."));
    }
}
