//! Reading what a browser sends: `application/x-www-form-urlencoded` bodies and query
//! strings (decoded here: the workspace builds axum without its `form` feature, and the format
//! is a few lines), the login-CSRF guard of the anonymous forms, and the signed-in forms'
//! `csrf_token` check (against the session's own value, see `csrf_token_ok`).
//!
//! Anonymous forms (login, sign-up, MFA, verify, forgot, reset, resend, invitation) use a
//! double-submit cookie of their own, `dm_form`: without it another site could post its own
//! credentials into our login form and sign the victim in as the attacker (login CSRF). The
//! cookie is `HttpOnly; SameSite=Strict; Path=/auth`: a cross-site POST never carries it,
//! and a page of another origin cannot read it to forge the matching field.
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::secrets;
use maud::{Markup, html};
use serde::de::value::MapDeserializer;
use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::Viewer;
use super::html::Page;
use crate::auth::cookies;
use crate::kit::{self, NoticeKind};

/// Form bodies are a few fields; anything bigger is not one of ours.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// The login-CSRF cookie and the hidden field that must match it.
pub const FORM_COOKIE: &str = "dm_form";
pub const FORM_FIELD: &str = "form_token";
/// The signed-in forms' hidden field, equal to the session's CSRF value (`Viewer::csrf`).
pub const CSRF_FIELD: &str = "csrf_token";

/// Decoded `name=value` pairs, in order; a repeated name answers its first value. The
/// untyped view of a form; `Form<T>` decodes the same pairs into a typed struct.
#[derive(Debug, Clone, Default)]
pub struct Fields(Vec<(String, String)>);

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Fields, D::Error> {
        struct Pairs;
        impl<'de> Visitor<'de> for Pairs {
            type Value = Fields;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("form fields")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry::<String, String>()? {
                    pairs.push(pair);
                }
                Ok(Fields(pairs))
            }
        }
        deserializer.deserialize_map(Pairs)
    }
}

impl Fields {
    pub fn parse(encoded: &str) -> Fields {
        Fields(
            encoded
                .split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| match pair.split_once('=') {
                    Some((k, v)) => (decode(k), decode(v)),
                    None => (decode(pair), String::new()),
                })
                .collect(),
        )
    }

    /// The field's value, or "" when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    /// The field's value with surrounding whitespace removed.
    pub fn trimmed(&self, name: &str) -> &str {
        self.get(name).trim()
    }

    /// Decodes the fields into `T` (a struct of `String`/`Option<String>` fields, typically):
    /// unknown names are ignored, a repeated or missing required name is an error.
    pub fn decode<T: DeserializeOwned>(self) -> Result<T, serde::de::value::Error> {
        T::deserialize(MapDeserializer::new(self.0.into_iter()))
    }
}

/// `+` is a space, `%XX` a byte; the bytes are UTF-8 (our pages declare it), and anything
/// else becomes U+FFFD rather than a refusal: the use cases validate the values anyway.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-encodes a value for a query string; `/` stays readable (`?next=/auth/security`).
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The query string's fields (an absent query is no fields).
#[derive(Debug, Clone, Default)]
pub struct QueryFields(pub Fields);

impl<S: Send + Sync> FromRequestParts<S> for QueryFields {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(QueryFields(Fields::parse(parts.uri.query().unwrap_or(""))))
    }
}

/// A form body, decoded into `T` (by default the untyped `Fields`). Refuses (as a page)
/// another content type, an oversized body, a body the client did not finish sending, or
/// fields that do not decode into `T`.
#[derive(Debug, Clone, Default)]
pub struct Form<T = Fields>(pub T);

fn refusal(status: StatusCode, message: &str) -> Response {
    let body = html! {
        h1 { "That did not work" }
        (kit::notice(NoticeKind::Error, message))
        p { "Go back to the page and try again, or " a href="/auth/login" { "start from the sign-in page" } "." }
    };
    Page::card("Form error", body).status(status).into_response()
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Form<T> {
    type Rejection = Response;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let essence = content_type.split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return Err(refusal(StatusCode::UNSUPPORTED_MEDIA_TYPE, "This page only accepts its own form."));
        }
        let bytes = crate::json::read_body(req, MAX_FORM_BYTES)
            .await
            .map_err(|e| refusal(e.status, "The form could not be read; it may be too large."))?;
        let text = String::from_utf8_lossy(&bytes);
        Fields::parse(&text)
            .decode()
            .map(Form)
            .map_err(|_| refusal(StatusCode::UNPROCESSABLE_ENTITY, "The form was not one this page sent; nothing was changed."))
    }
}

/// The login-CSRF token of this browser: the `dm_form` cookie it sent, or a new one that
/// the page's response sets.
#[derive(Debug, Clone)]
pub struct FormGuard {
    pub token: String,
    fresh: bool,
}

impl FormGuard {
    pub fn from_headers(headers: &HeaderMap) -> FormGuard {
        match cookies::read(headers, FORM_COOKIE).filter(|t| secrets::plausible(t) && t.len() >= 32) {
            Some(token) => FormGuard { token: token.to_string(), fresh: false },
            None => FormGuard { token: secrets::new_secret(), fresh: true },
        }
    }

    /// The hidden field every anonymous form carries.
    pub fn field(&self) -> Markup {
        kit::hidden(FORM_FIELD, &self.token)
    }

    /// `Set-Cookie` for a token the browser does not have yet. A session cookie: it only
    /// has to outlive the page it was served with.
    pub fn cookies(&self) -> Vec<HeaderValue> {
        if !self.fresh {
            return Vec::new();
        }
        HeaderValue::from_str(&format!("{FORM_COOKIE}={}; Path=/auth; Secure; HttpOnly; SameSite=Strict", self.token))
            .into_iter()
            .collect()
    }

    /// Whether a POST carries the cookie and the matching field. A fresh guard means the
    /// request had no cookie at all: refused.
    pub fn accepts(&self, form: &Fields) -> bool {
        !self.fresh && secrets::same(form.get(FORM_FIELD), &self.token)
    }
}

/// The signed-in forms' check: the hidden `csrf_token` equals the viewer's session's CSRF
/// value (`Viewer::csrf`, derived from the session id with the server's key), which another
/// site cannot read. It is never compared with the `dm_csrf` cookie: someone able to plant a
/// cookie for the domain could plant the same value in the cookie and in a forged field.
pub fn csrf_ok(viewer: &Viewer, form: &Fields) -> bool {
    csrf_token_ok(viewer, form.get(CSRF_FIELD))
}

/// `csrf_ok` for a typed form: `token` is its `csrf_token` field.
pub fn csrf_token_ok(viewer: &Viewer, token: &str) -> bool {
    !viewer.csrf.is_empty() && secrets::same(token, &viewer.csrf)
}

/// The 403 page of a form whose CSRF check failed.
pub fn forbidden_form(retry_path: &str) -> Response {
    let body = html! {
        h1 { "This form has expired" }
        (kit::notice(NoticeKind::Error, "We could not confirm that this request came from this page. Nothing was changed."))
        p { "For your safety we only accept forms that this browser loaded from DotMac itself." }
        a.button.primary href=(retry_path) { "Reload the page" }
    };
    Page::card("Form expired", body).status(StatusCode::FORBIDDEN).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_are_decoded_like_browsers_encode_them() {
        let f = Fields::parse("email=ada%40example.com&password=a+b%2Bc&name=Ad%C3%A9le&empty=&flag");
        assert_eq!(f.get("email"), "ada@example.com");
        assert_eq!(f.get("password"), "a b+c");
        assert_eq!(f.get("name"), "Adéle");
        assert_eq!(f.get("empty"), "");
        assert_eq!(f.get("flag"), "");
        assert_eq!(f.get("missing"), "");
    }

    #[test]
    fn a_broken_percent_escape_is_kept_literally() {
        assert_eq!(Fields::parse("a=100%&b=%zz&c=%4").get("a"), "100%");
        assert_eq!(Fields::parse("a=100%&b=%zz&c=%4").get("b"), "%zz");
        assert_eq!(Fields::parse("a=100%&b=%zz&c=%4").get("c"), "%4");
    }

    #[test]
    fn encoding_round_trips_through_decoding() {
        let raw = "/auth/security?x=1&y=é ü";
        assert_eq!(Fields::parse(&format!("v={}", encode(raw))).get("v"), raw);
        assert!(encode("/auth/security").eq("/auth/security"));
    }

    #[test]
    fn a_form_without_the_cookie_is_refused_even_with_a_field() {
        let guard = FormGuard::from_headers(&HeaderMap::new());
        let form = Fields::parse(&format!("form_token={}", guard.token));
        assert!(!guard.accepts(&form));
    }

    #[test]
    fn a_form_whose_field_matches_the_cookie_is_accepted() {
        let token = secrets::new_secret();
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_str(&format!("dm_form={token}")).unwrap());
        let guard = FormGuard::from_headers(&headers);
        assert!(guard.cookies().is_empty(), "a known token is not set again");
        assert!(guard.accepts(&Fields::parse(&format!("form_token={token}"))));
        assert!(!guard.accepts(&Fields::parse("form_token=something-else-entirely-0000000000000")));
    }
}
