//! The sign-in pages (`/auth/*`) and the portal overviews they lead to (`/dashboard`,
//! `/portal`, `/partner`): server-rendered HTML that works without JavaScript. Every flow is
//! a plain form: a POST answers 303 to the next page, or the same page again with an inline
//! error and the status the JSON API would give (401, 403, 422, 429…).
//!
//! Handlers here only translate, as `api::handlers` do: they call the same use cases in
//! `crate::service`, set the same cookies (`web::auth::cookies`), and never decide a rule. A
//! use case's refusal becomes the API's own `ApiError` (`From<AuthError> for ApiError`) and
//! the page renders that: one mapping, one wording. Pages are not API and are left out of the
//! OpenAPI document.
//!
//! Forgery protection: the anonymous forms carry a double-submit token of their own
//! (`form::FormGuard`, cookie `dm_form`); the signed-in forms carry `csrf_token`, equal to the
//! session's `dm_csrf` cookie. See `web::pages::form` for why both exist.
mod account;
mod login;
mod portal;
mod security;

use axum::http::{HeaderMap, Method};
use axum::response::Response;
use axum::routing::{get, post};
use domain::permissions::Rule;
use serde::Deserialize;
use serde::de::value::MapDeserializer;
use web::ApiError;
use web::module::Routes;
use web::pages::Viewer;
use web::pages::form::{FORM_FIELD, Fields, FormGuard};

use crate::service::AuthError;
use crate::state::AuthState;
use web::pages::html::see_other;
pub use web::pages::{error_page, form, html, portal_of, role_label, safe_next, wrong_role};

/// The pages' routes, merged into the function's routes by `crate::routes`.
pub fn routes() -> Routes<AuthState> {
    Routes::new()
        .page(Method::GET, "/auth/login", get(login::show))
        .page(Method::POST, "/auth/login", post(login::submit))
        .page(Method::GET, "/auth/login/mfa", get(back_to_login))
        .page(Method::POST, "/auth/login/mfa", post(login::submit_mfa))
        .page(Method::GET, "/auth/resend-verification", get(back_to_login))
        .page(Method::POST, "/auth/resend-verification", post(login::resend))
        .page(Method::GET, "/auth/logout", get(back_to_login))
        .page(Method::POST, "/auth/logout", post(login::logout))
        .page(Method::GET, "/auth/signup", get(account::signup_form))
        .page(Method::POST, "/auth/signup", post(account::signup))
        .page(Method::GET, "/auth/verify-email", get(account::verify_form))
        .page(Method::POST, "/auth/verify-email", post(account::verify))
        .page(Method::GET, "/auth/forgot-password", get(account::forgot_form))
        .page(Method::POST, "/auth/forgot-password", post(account::forgot))
        .page(Method::GET, "/auth/reset-password", get(account::reset_form))
        .page(Method::POST, "/auth/reset-password", post(account::reset))
        .page(Method::GET, "/auth/security", get(security::show))
        .page(Method::GET, "/auth/security/sessions/{id}/revoke", get(back_to_security))
        .page(Method::POST, "/auth/security/sessions/{id}/revoke", post(security::revoke))
        .page(Method::GET, "/auth/security/mfa/start", get(back_to_security))
        .page(Method::POST, "/auth/security/mfa/start", post(security::start_mfa))
        .page(Method::GET, "/auth/security/mfa/confirm", get(back_to_security))
        .page(Method::POST, "/auth/security/mfa/confirm", post(security::confirm_mfa))
        .page(Method::GET, "/auth/security/mfa/backup-codes", get(back_to_security))
        .page(Method::POST, "/auth/security/mfa/backup-codes", post(security::regenerate_codes))
        .page(Method::GET, "/auth/security/mfa/disable", get(back_to_security))
        .page(Method::POST, "/auth/security/mfa/disable", post(security::disable_mfa))
        .page(Method::GET, "/dashboard", get(portal::dashboard))
        .page(Method::GET, "/portal", get(portal::tenant))
        .page(Method::GET, "/partner", get(portal::partner))
}

/// A POST-only page address opened directly (a bookmark, a reload after a redirect): the
/// page it belongs to, rather than a JSON 405.
async fn back_to_login() -> Response {
    see_other("/auth/login", Vec::new())
}

async fn back_to_security() -> Response {
    see_other("/auth/security", Vec::new())
}

/// The signed-in browser of a page, if any (see `web::pages::viewer_of`: the `dm_access`
/// cookie only).
pub(crate) async fn viewer(state: &AuthState, headers: &HeaderMap) -> Result<Option<Viewer>, Response> {
    web::pages::viewer_of(&state.app, headers).await
}

/// The signed-in viewer, or the redirect to sign in and come back to `path`. Every role has
/// a security page, so any session will do.
pub(crate) async fn require_viewer(state: &AuthState, headers: &HeaderMap, path: &str) -> Result<Viewer, Response> {
    web::pages::require_viewer(&state.app, headers, path, Rule::SignedIn).await
}

/// A use case's refusal as the pages show it: the API's own refusal, in words for people
/// (no backticks, nothing of a failure on our side).
pub(crate) fn refusal(e: AuthError) -> ApiError {
    web::pages::for_people(ApiError::from(e))
}

/// `refusal` said differently where the page knows more than the use case (a dead MFA
/// challenge means "sign in again", not "this link"); status, code and field stay.
pub(crate) fn reworded(mut e: ApiError, message: &str) -> ApiError {
    e.detail.message = message.to_string();
    e
}

/// Whether an anonymous form's `form_token` matches this browser's `dm_form` cookie.
/// `FormGuard::accepts` reads the token from untyped fields; a typed form hands it over as
/// the one field it is.
pub(crate) fn guard_accepts(guard: &FormGuard, form_token: &str) -> bool {
    let fields: Result<Fields, serde::de::value::Error> = Fields::deserialize(MapDeserializer::new(std::iter::once((FORM_FIELD, form_token))));
    fields.is_ok_and(|fields| guard.accepts(&fields))
}

#[cfg(test)]
pub(crate) mod testing {
    //! What the page tests share: a viewer without a server, the payload every user-set
    //! field gets, and the check that it stayed text.
    use domain::ids::{SessionId, UserId};
    use domain::time::Timestamp;
    use domain::user::Role;
    use web::auth::caller::{Caller, Via};
    use web::pages::Viewer;

    /// Markup, and both quotes: `"` would end an attribute maud wrote, `'` one written by hand.
    pub const XSS: &str = "<script>alert(1)</script>\"'";

    pub fn viewer(role: Role, name: &str, email: &str) -> Viewer {
        let now = Timestamp::from_unix(1_780_000_000);
        let caller = Caller { user_id: UserId::generate(now), tenant_id: None, role, session_id: SessionId::generate(now), via: Via::Cookie };
        Viewer { caller, name: name.to_string(), email: email.to_string(), csrf: "csrf-token-of-the-test".to_string() }
    }

    /// No script got through, every `"` of the payload was escaped (maud writes `&quot;`), and
    /// the `'` that maud leaves as it is sits in text or a double-quoted attribute only, where
    /// it ends nothing.
    pub fn assert_inert(html: &str) {
        assert!(!html.contains("<script"), "raw script in {html}");
        assert!(!html.contains("\"'"), "a quote of the payload was not escaped in {html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;'"), "the payload is not shown as text in {html}");
    }

    /// Writes `html` to `$PAGE_SHOTS_DIR/auth-{name}.html` when that variable is set, to look at
    /// the page in a browser; does nothing otherwise.
    pub fn shoot(name: &str, html: &str) {
        let Some(dir) = std::env::var_os("PAGE_SHOTS_DIR") else { return };
        let path = std::path::Path::new(&dir).join(["auth-", name, ".html"].concat());
        if let Err(e) = std::fs::write(&path, html) {
            panic!("cannot write {}: {e}", path.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderValue, header};

    #[test]
    fn a_typed_form_token_is_checked_against_the_cookie() {
        let token = domain::secrets::new_secret();
        let mut headers = HeaderMap::new();
        let cookie = HeaderValue::from_str(&["dm_form=", token.as_str()].concat()).expect("a cookie header");
        headers.insert(header::COOKIE, cookie);
        let guard = FormGuard::from_headers(&headers);
        assert!(guard_accepts(&guard, &token));
        assert!(!guard_accepts(&guard, "another-token-entirely-0000000000000000"));
        assert!(!guard_accepts(&guard, ""));
        // A browser without the cookie gets a fresh guard, which accepts nothing.
        let fresh = FormGuard::from_headers(&HeaderMap::new());
        assert!(!guard_accepts(&fresh, &fresh.token));
    }
}
