//! The three session cookies, exactly as the contract sets them, and reading cookies back.
use axum::http::{HeaderMap, HeaderValue, header};

use crate::auth::jwt::ACCESS_TTL_SECONDS;
use store::repo::sessions::SESSION_TTL_SECONDS;

pub const ACCESS: &str = "dm_access";
pub const REFRESH: &str = "dm_refresh";
pub const CSRF: &str = "dm_csrf";
pub const REFRESH_PATH: &str = "/api/v1/auth";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The value of cookie `name`, from every `Cookie` header of the request.
pub fn read<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn set(name: &str, value: &str, http_only: bool, same_site: &str, path: &str, max_age: i64) -> Option<HeaderValue> {
    let http_only = if http_only { "; HttpOnly" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Max-Age={max_age}; Path={path}; Secure{http_only}; SameSite={same_site}")).ok()
}

/// `Set-Cookie` values that sign a browser in.
pub fn sign_in(access: &str, refresh: &str, csrf: &str) -> Vec<HeaderValue> {
    [
        set(ACCESS, access, true, "Lax", "/", ACCESS_TTL_SECONDS),
        set(REFRESH, refresh, true, "Strict", REFRESH_PATH, SESSION_TTL_SECONDS),
        set(CSRF, csrf, false, "Strict", "/", SESSION_TTL_SECONDS),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// `Set-Cookie` values that clear all three.
pub fn sign_out() -> Vec<HeaderValue> {
    [
        set(ACCESS, "", true, "Lax", "/", 0),
        set(REFRESH, "", true, "Strict", REFRESH_PATH, 0),
        set(CSRF, "", false, "Strict", "/", 0),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_carry_the_contracts_attributes() {
        let set: Vec<String> = sign_in("a", "r", "c").iter().map(|v| v.to_str().unwrap().to_string()).collect();
        assert_eq!(set[0], "dm_access=a; Max-Age=900; Path=/; Secure; HttpOnly; SameSite=Lax");
        assert_eq!(set[1], "dm_refresh=r; Max-Age=2592000; Path=/api/v1/auth; Secure; HttpOnly; SameSite=Strict");
        assert_eq!(set[2], "dm_csrf=c; Max-Age=2592000; Path=/; Secure; SameSite=Strict");
    }

    #[test]
    fn a_cookie_is_read_from_any_cookie_header() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("a=1; dm_csrf=xyz"));
        headers.append(header::COOKIE, HeaderValue::from_static("dm_access=tok"));
        assert_eq!(read(&headers, CSRF), Some("xyz"));
        assert_eq!(read(&headers, ACCESS), Some("tok"));
        assert_eq!(read(&headers, REFRESH), None);
    }
}
