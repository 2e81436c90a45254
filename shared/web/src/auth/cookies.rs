//! The three session cookies, exactly as the contract sets them, reading cookies back, and
//! the session's CSRF value.
use axum::http::{HeaderMap, HeaderValue, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::auth::jwt::ACCESS_TTL_SECONDS;
use domain::ids::SessionId;
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

/// The CSRF value of a session: HMAC-SHA256 of its id under `key` (`Config::csrf_key`),
/// base64url. It is bound to the session: the checks (`X-CSRF-Token` on cookie-authenticated
/// API writes, the pages' `csrf_token` field) compare with the value derived from the
/// authenticated session's id, never with the `dm_csrf` cookie, so a cookie planted by someone
/// who can set cookies for the domain (even their own session's genuine value) is useless.
/// Sign-in still sets it as `dm_csrf` so a page's script can read and echo it; a refresh sets
/// the same value again (same session).
pub fn csrf_value(key: &[u8], session: &SessionId) -> String {
    // A 32-byte key derived for this one use: HMAC construction from it cannot fail.
    let derived = Sha256::new().chain_update(b"dotmac/csrf/v1\0").chain_update(key).finalize();
    let mut block = [0u8; 64];
    block[..derived.len()].copy_from_slice(&derived);
    let mut mac = <Hmac<Sha256> as hmac::digest::KeyInit>::new(&block.into());
    mac.update(session.as_str().as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
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
    fn the_csrf_value_is_bound_to_the_session_and_the_key() {
        let now = domain::time::Timestamp::from_system(std::time::SystemTime::now());
        let (a, b) = (SessionId::generate(now), SessionId::generate(now));
        let value = csrf_value(b"key one", &a);
        assert_eq!(value, csrf_value(b"key one", &a), "the same session always has the same value");
        assert_ne!(value, csrf_value(b"key one", &b), "another session has another value");
        assert_ne!(value, csrf_value(b"key two", &a), "another installation has another value");
        assert_eq!(value.len(), 43);
        assert!(value.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'), "{value}: cookie-safe");
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
