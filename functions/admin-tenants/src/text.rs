//! The tenant pages' words and addresses: every string with a number, a date, a name or a
//! query in it, built here so that the page modules only assemble markup (`html!`). Nothing
//! here is HTML: maud escapes each of these strings where a page puts it.
//!
//! `pages` declares this module (`#[path]`) and is its only user; it sits outside
//! `src/pages/` so that the pages hold no string building at all.
use domain::ids::TenantId;
use domain::time::Timestamp;
use store::repo::plans::Plan;
use store::repo::tenants::TenantStatus;
use web::kit::{grouped, with_param};
use web::pagination::DEFAULT_LIMIT;

use super::LIST;
use crate::service::ListFilter;

/// A tenant's page.
pub fn tenant_path(id: &TenantId) -> String {
    format!("{LIST}/{id}")
}

/// The list's address with these filters (the pager adds the cursor); the default page size
/// is left out.
pub fn list_url(filter: &ListFilter, limit: usize) -> String {
    let mut url = LIST.to_string();
    if let Some(status) = filter.status {
        url = with_param(&url, "status", status.as_str());
    }
    if let Some(q) = &filter.q {
        url = with_param(&url, "q", q);
    }
    if limit != DEFAULT_LIMIT {
        url = with_param(&url, "limit", &limit.to_string());
    }
    url
}

/// `path` announcing `code` (one of `pages::notice`'s) after a redirect.
pub fn with_notice(path: &str, code: &str) -> String {
    with_param(path, "notice", code)
}

/// One tab of a tenant's page.
pub fn tab_href(path: &str, tab: &str) -> String {
    with_param(path, "tab", tab)
}

/// The page with the confirmation step of `action` open, scrolled to it.
pub fn confirm_href(path: &str, action: &str) -> String {
    with_param(&format!("{path}#confirm"), "confirm", action)
}

/// `2026-11-25`.
pub fn day(t: Timestamp) -> String {
    let text = t.to_rfc3339();
    text.get(..10).unwrap_or(&text).to_string()
}

/// `2026-11-25 10:00 UTC`.
pub fn day_and_time(t: Timestamp) -> String {
    let text = t.to_rfc3339();
    match (text.get(..10), text.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time} UTC"),
        _ => text,
    }
}

/// "in 12 days" / "in 1 day" / "in less than a day".
pub fn in_days(days: i64) -> String {
    match days {
        0 => "in less than a day".to_string(),
        1 => "in 1 day".to_string(),
        n => format!("in {n} days"),
    }
}

/// Minor units in the currency's own decimals: `1999, "usd"` → `19.99 USD`.
pub fn money(amount: i64, currency: &str) -> String {
    let code = currency.to_uppercase();
    let decimals: u32 = match currency {
        "bif" | "clp" | "djf" | "gnf" | "isk" | "jpy" | "kmf" | "krw" | "mga" | "pyg" | "rwf" | "ugx" | "vnd" | "vuv" | "xaf"
        | "xof" | "xpf" => 0,
        "bhd" | "jod" | "kwd" | "omr" | "tnd" => 3,
        _ => 2,
    };
    let sign = if amount < 0 { "−" } else { "" };
    let abs = amount.unsigned_abs();
    let whole = |n: u64| grouped(i64::try_from(n).unwrap_or(i64::MAX));
    if decimals == 0 {
        return format!("{sign}{} {code}", whole(abs));
    }
    let unit = 10u64.pow(decimals);
    format!("{sign}{}.{:0width$} {code}", whole(abs / unit), abs % unit, width = decimals as usize)
}

/// Bytes in binary units: `1073741824` → `1 GiB`.
pub fn bytes(n: i64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n.max(0) as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value.fract() == 0.0 { format!("{value:.0} {}", UNITS[unit]) } else { format!("{value:.1} {}", UNITS[unit]) }
}

/// What a plan costs and allows: `0.00 USD / month · 3 seats`.
pub fn plan_terms(plan: &Plan) -> String {
    format!("{} / {} · {} seats", money(plan.amount, &plan.currency), plan.interval, grouped(plan.limits.seats.max(0)))
}

/// A plan as the create form offers it: `Free · 0.00 USD / month · 3 seats`.
pub fn plan_choice(plan: &Plan) -> String {
    format!("{} · {}", plan.name, plan_terms(plan))
}

/// The provisioning bar's words, read aloud for the bar.
pub fn provisioning_label(done: usize, total: usize) -> String {
    format!("Provisioning: {done} of {total} steps done")
}

/// A finished provisioning step: `done 2026-11-25 10:00 UTC`.
/// The retention bar's words: `12 days of the 30 days of retention left`.
pub fn retention_label(days_left: i64, total_days: i64) -> String {
    let left = in_days(days_left);
    format!("{} of the {total_days} days of retention left", left.trim_start_matches("in "))
}

/// The seats bar's words.
pub fn seats_label(used: i64, limit: i64, members: i64, pending: i64) -> String {
    format!("{used} of {limit} seats used: {members} members and {pending} pending invitations")
}

/// "Suspend Acme?"
pub fn question(verb: &str, name: &str) -> String {
    format!("{verb} {name}?")
}

/// "Suspend Acme": a confirmation button names the act and its object.
pub fn act_on(verb: &str, name: &str) -> String {
    format!("{verb} {name}")
}

/// What deleting does, and until when it can be undone.
pub fn delete_consequence(retention_days: i64, until: Timestamp) -> String {
    format!(
        "Its users are signed out and can no longer sign in. It is kept for {retention_days} days, until {}, and can be restored until then; after that it and all its data are purged for good.",
        day_and_time(until)
    )
}

/// What restoring does: back to `before`, the status it had when it was deleted.
pub fn restore_consequence(before: &str) -> String {
    format!("It returns to the state it had before deletion ({before}) and its users can sign in again.")
}

/// An action the tenant's state no longer allows (a stale tab, a second click).
pub fn refused(status: TenantStatus, done: &str) -> String {
    let state = match status {
        TenantStatus::Provisioning => "still provisioning",
        TenantStatus::Active => "active",
        TenantStatus::Suspended => "suspended",
        TenantStatus::Deleted => "deleted",
    };
    format!("This tenant is {state} now, so it cannot be {done}. Nothing was changed; the page shows its current state.")
}

/// A stored settings key in words: `password_min_length` → `Password min length`.
pub fn humanized(key: &str) -> String {
    let words = key.replace('_', " ").replace("mfa", "two-factor").replace("ip ", "IP ").replace("url", "URL");
    let mut chars = words.chars();
    let first: String = chars.next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
    format!("{first}{}", chars.as_str())
}

/// A stored list of settings values: `10.0.0.0/8, 192.168.1.1`.
pub fn joined(items: &[serde_json::Value]) -> String {
    items.iter().map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())).collect::<Vec<_>>().join(", ")
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
    fn sizes_read_like_people_write_them() {
        assert_eq!(bytes(1 << 30), "1 GiB");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(-5), "0 bytes");
    }

    #[test]
    fn the_list_address_keeps_its_filters_and_drops_defaults() {
        assert_eq!(list_url(&ListFilter::default(), DEFAULT_LIMIT), "/dashboard/tenants");
        let filter = ListFilter { status: Some(TenantStatus::Deleted), q: Some("a&b c".into()) };
        assert_eq!(list_url(&filter, 5), "/dashboard/tenants?status=deleted&q=a%26b%20c&limit=5");
    }

    #[test]
    fn action_addresses_carry_their_query_before_the_fragment() {
        assert_eq!(confirm_href("/dashboard/tenants/t1", "suspend"), "/dashboard/tenants/t1?confirm=suspend#confirm");
        assert_eq!(with_notice(&tab_href("/dashboard/tenants/t1", "settings"), "saved"), "/dashboard/tenants/t1?tab=settings&notice=saved");
    }

    #[test]
    fn days_and_settings_keys_read_as_words() {
        assert_eq!(in_days(0), "in less than a day");
        assert_eq!(in_days(1), "in 1 day");
        assert_eq!(retention_label(12, 30), "12 days of the 30 days of retention left");
        assert_eq!(humanized("require_mfa"), "Require two-factor");
        assert_eq!(humanized("ip_allowlist"), "IP allowlist");
        let now = Timestamp::from_unix(1_795_600_800);
        assert_eq!(day(now), "2026-11-25");
        assert_eq!(day_and_time(now), "2026-11-25 10:00 UTC");
    }
}
