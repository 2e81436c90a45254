//! Query parameters and headers read into domain values. A value that does not parse
//! answers 400 `invalid_parameter` naming the parameter, as `limit` does.
use axum::http::{HeaderMap, HeaderValue, header};
use domain::ids::TenantId;
use domain::time::Timestamp;
use domain::user::{Role, UserStatus};
use web::ApiError;

use crate::service::Expected;

fn refuse(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::bad_request("invalid_parameter", message).with_field(field)
}

/// An empty parameter (`?role=`, as a form with nothing chosen sends) is no filter.
fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// An API query parameter whose schema names a type (an id, a time, an enum): given empty
/// (`?tenant_id=`) it is no such value, so it is refused rather than read as absent. The
/// pages' filter forms send every field, empty ones too, and read them with `given` instead.
pub fn typed<'a>(name: &'static str, value: Option<&'a str>) -> Result<Option<&'a str>, ApiError> {
    match value {
        Some(v) if v.trim().is_empty() => Err(refuse(name, format!("`{name}` must not be empty; leave it out instead."))),
        other => Ok(other),
    }
}

/// A role by its wire name (`tenant_admin`, …).
pub fn role(s: &str) -> Option<Role> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}

pub fn role_param(value: Option<&str>) -> Result<Option<Role>, ApiError> {
    given(value)
        .map(|v| role(v).ok_or_else(|| refuse("role", "`role` must be platform_admin, tenant_admin, tenant_member or partner.")))
        .transpose()
}

pub fn status_param(value: Option<&str>) -> Result<Option<UserStatus>, ApiError> {
    given(value)
        .map(|v| match v {
            "active" => Ok(UserStatus::Active),
            "disabled" => Ok(UserStatus::Disabled),
            _ => Err(refuse("status", "`status` must be active or disabled.")),
        })
        .transpose()
}

pub fn tenant_param(value: Option<&str>) -> Result<Option<TenantId>, ApiError> {
    given(value).map(|v| TenantId::parse(v).ok_or_else(|| refuse("tenant_id", "`tenant_id` must be a tenant id (`ten_…`)."))).transpose()
}

/// The search text: at most 100 characters, matched without regard to case.
pub fn q_param(value: Option<&str>) -> Result<Option<String>, ApiError> {
    match given(value) {
        Some(q) if q.chars().count() > 100 || q.chars().any(char::is_control) => {
            Err(refuse("q", "`q` must be at most 100 characters, without control characters."))
        }
        other => Ok(other.map(str::to_lowercase)),
    }
}

/// An actor: a user id, `system` or `anonymous` (1–64 of `[A-Za-z0-9_.:@-]`).
pub fn actor_param(value: Option<&str>) -> Result<Option<String>, ApiError> {
    let ok = |v: &str| v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.:@-".contains(&b));
    given(value).map(|v| if ok(v) { Ok(v.to_string()) } else { Err(refuse("actor_id", "`actor_id` must be a user id, `system` or `anonymous`.")) }).transpose()
}

/// An action name such as `user.disabled` (1–64 of `[a-z0-9_.]`).
pub fn action_param(value: Option<&str>) -> Result<Option<String>, ApiError> {
    let ok = |v: &str| v.len() <= 64 && v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.".contains(&b));
    given(value).map(|v| if ok(v) { Ok(v.to_string()) } else { Err(refuse("action", "`action` must be an action name such as `user.disabled`.")) }).transpose()
}

pub fn time_param(name: &'static str, value: Option<&str>) -> Result<Option<Timestamp>, ApiError> {
    given(value)
        .map(|v| Timestamp::parse(v).ok_or_else(|| refuse(name, format!("`{name}` must be an RFC 3339 time such as 2026-11-25T10:00:00Z."))))
        .transpose()
}

/// `from` and `to`, in order.
pub fn range_params(from: Option<&str>, to: Option<&str>) -> Result<(Option<Timestamp>, Option<Timestamp>), ApiError> {
    let (from, to) = (time_param("from", from)?, time_param("to", to)?);
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(refuse("from", "`from` must not be after `to`."));
    }
    Ok((from, to))
}

/// The strong ETag of a version: `"3"`.
pub fn etag(version: i64) -> HeaderValue {
    // Digits and quotes are always a valid header value.
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

/// `If-Match` (RFC 9110): `*`, or a list of entity tags compared strongly, so a weak tag
/// (`W/"3"`) or anything else that is not one of our tags matches nothing.
pub fn if_match(headers: &HeaderMap, expected: Expected) -> Expected {
    let values: Vec<&str> = headers.get_all(header::IF_MATCH).iter().filter_map(|v| v.to_str().ok()).collect();
    if values.is_empty() && headers.get(header::IF_MATCH).is_none() {
        return expected;
    }
    let tags: Vec<&str> = values.iter().flat_map(|v| v.split(',')).map(str::trim).filter(|t| !t.is_empty()).collect();
    if tags.contains(&"*") {
        // Any current version: the user exists, which the read checks anyway.
        return expected;
    }
    let versions = tags
        .iter()
        .filter_map(|t| t.strip_prefix('"')?.strip_suffix('"'))
        .filter(|v| !v.is_empty() && v.len() <= 18 && v.bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|v| v.parse().ok())
        .collect();
    expected.one_of(versions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(header::IF_MATCH, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn if_match_compares_strong_tags_and_star_matches_any() {
        assert!(!if_match(&headers(&[]), Expected::none()).is_given());
        assert!(!if_match(&headers(&["*"]), Expected::none()).is_given());
        let two_or_three = if_match(&headers(&["\"2\", \"3\""]), Expected::none());
        assert!(two_or_three.holds(3) && !two_or_three.holds(4));
        assert!(!if_match(&headers(&["W/\"3\""]), Expected::none()).holds(3), "a weak tag never matches");
        assert!(!if_match(&headers(&["3"]), Expected::none()).holds(3), "an unquoted tag is not a tag");
        assert_eq!(etag(7), "\"7\"");
    }

    #[test]
    fn filters_parse_or_name_the_parameter() {
        assert_eq!(role_param(Some("tenant_member")).unwrap(), Some(Role::TenantMember));
        assert_eq!(role_param(Some("")).unwrap(), None);
        assert_eq!(role_param(Some("root")).unwrap_err().detail.field.as_deref(), Some("role"));
        assert_eq!(status_param(Some("disabled")).unwrap(), Some(UserStatus::Disabled));
        assert_eq!(status_param(Some("gone")).unwrap_err().code(), "invalid_parameter");
        assert!(tenant_param(Some("usr_01jd00000000000000000000zz")).is_err());
        assert_eq!(q_param(Some("  AdA ")).unwrap(), Some("ada".into()));
        assert!(q_param(Some(&"x".repeat(101))).is_err());
        assert!(actor_param(Some("usr_01jd00000000000000000000zz")).unwrap().is_some());
        assert!(actor_param(Some("a b")).is_err());
        assert!(action_param(Some("user.disabled")).unwrap().is_some());
        assert!(action_param(Some("User.Disabled")).is_err());
    }

    #[test]
    fn a_range_must_be_in_order_and_rfc_3339() {
        assert!(range_params(Some("2026-11-25T10:00:00Z"), Some("2026-11-25T10:00:00Z")).is_ok());
        let reversed = range_params(Some("2026-11-26T10:00:00Z"), Some("2026-11-25T10:00:00Z")).unwrap_err();
        assert_eq!((reversed.status.as_u16(), reversed.detail.field.as_deref()), (400, Some("from")));
        assert_eq!(range_params(Some("yesterday"), None).unwrap_err().detail.field.as_deref(), Some("from"));
    }

    #[test]
    fn an_empty_typed_parameter_is_refused_and_an_absent_one_is_not() {
        assert_eq!(typed("tenant_id", Some(" ")).unwrap_err().detail.field.as_deref(), Some("tenant_id"));
        assert_eq!(typed("to", None).unwrap(), None);
        assert_eq!(typed("to", Some("2026-11-25T10:00:00Z")).unwrap(), Some("2026-11-25T10:00:00Z"));
    }
}
