//! The pages' addresses. Values go into query strings percent-encoded (`kit::with_param`),
//! and maud escapes the whole address when it lands in an `href`; the ids in paths are ours
//! (`usr_…`, `ten_…`), parsed before they get here.
use web::kit::with_param;

use super::Trail;

/// The user list.
pub const LIST: &str = "/dashboard/users";

/// `base` with each non-empty `(name, value)` added to its query, in order.
pub fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    pairs.iter().filter(|(_, value)| !value.is_empty()).fold(base.to_string(), |href, (name, value)| with_param(&href, name, value))
}

/// One page of the list at `path` with its filters `pairs`: the filters, then the page's
/// cursor and the trail of cursors behind it (none on the first page).
pub fn page(path: &str, pairs: &[(&str, &str)], cursor: Option<&str>, trail: &Trail) -> String {
    let trail = trail.encode();
    let paging = [("cursor", cursor.unwrap_or("")), ("trail", trail.as_str())];
    with_query(&with_query(path, pairs), &paging)
}

/// A user's page.
pub fn user(id: &str) -> String {
    [LIST, "/", id].concat()
}

/// A page at `path` with the notice `code` (one of `super::notice`'s) shown.
pub fn notice(path: &str, code: &str) -> String {
    with_param(path, "notice", code)
}

/// A user's page with the confirm step of `change` (`disable`, `enable`) open and in view.
pub fn confirm(path: &str, change: &str) -> String {
    with_param(&[path, "#confirm"].concat(), "confirm", change)
}

/// The list narrowed to one organization's users.
pub fn users_of(tenant_id: &str) -> String {
    with_param(LIST, "tenant_id", tenant_id)
}

/// An organization's page in the admin portal.
pub fn tenant(tenant_id: &str) -> String {
    ["/dashboard/tenants/", tenant_id].concat()
}

/// `path` scrolled to the element `id`.
pub fn at(path: &str, id: &str) -> String {
    [path, "#", id].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_encode_their_values_and_leave_out_empty_filters() {
        assert_eq!(with_query(LIST, &[("q", "a b&c"), ("role", "")]), "/dashboard/users?q=a%20b%26c");
        assert_eq!(with_query(LIST, &[("q", "")]), LIST);
        assert_eq!(page(LIST, &[("limit", "2")], None, &Trail::default()), "/dashboard/users?limit=2");
        assert_eq!(page(LIST, &[], Some("c2"), &Trail(vec!["c1".into()])), "/dashboard/users?cursor=c2&trail=c1");
        assert_eq!(confirm("/dashboard/users/usr_1", "disable"), "/dashboard/users/usr_1?confirm=disable#confirm");
        assert_eq!(notice(LIST, "invited"), "/dashboard/users?notice=invited");
        assert_eq!(users_of("ten_1"), "/dashboard/users?tenant_id=ten_1");
    }
}
