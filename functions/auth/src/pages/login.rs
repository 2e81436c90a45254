//! Signing in (password, then the MFA step when 2FA is on), asking for a new verification
//! link, and signing out.
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use web::ApiError;
use web::auth::cookies;
use web::client::ClientMeta;
use web::kit::{self, ButtonStyle, Input, InputMode, InputType, NoticeKind, field, hidden, post_form};
use web::pages::banner;

use super::form::{FORM_FIELD, Form, FormGuard, QueryFields, csrf_token_ok, forbidden_form};
use super::html::{Page, see_other};
use super::{error_page, guard_accepts, portal_of, refusal, reworded, safe_next};
use crate::service::login::{self, LoginOutcome, SecondFactor};
use crate::service::{AuthError, account};
use crate::state::AuthState;

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

#[derive(Debug, Deserialize)]
pub struct MfaForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    mfa_token: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    backup_code: String,
    #[serde(default)]
    next: String,
}

/// A form of one address: asking for a new verification link, or a password reset.
#[derive(Debug, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    pub(super) form_token: String,
    #[serde(default)]
    pub(super) email: String,
}

/// A signed-in form with nothing but its CSRF proof.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub(super) csrf_token: String,
}

/// The sign-in form, with what the visitor typed and what went wrong.
fn login_page(guard: &FormGuard, email: &str, next: &str, error: Option<&ApiError>, notice: Option<&str>) -> Page {
    let anonymous = (FORM_FIELD, guard.token.as_str());
    let body = html! {
        h1 { "Sign in" }
        p.lead { "Welcome back. Sign in to your DotMac account." }
        @if let Some(notice) = notice { (kit::notice(NoticeKind::Notice, notice)) }
        @if let Some(e) = error {
            (banner(e))
            @if e.code() == "email_not_verified" {
                // The password was right: offering a new link reveals nothing new.
                div.resend {
                    (post_form("/auth/resend-verification", anonymous, html! {
                        (hidden("email", email))
                        (kit::submit("Email me a new link", ButtonStyle::Secondary))
                    }))
                }
            }
        }
        (post_form("/auth/login", anonymous, html! {
            @if !next.is_empty() { (hidden("next", next)) }
            (field(&Input::new("Email address", "email", InputType::Email)
                .value(email)
                .autocomplete("username")
                .required()
                .autofocus()
                .error(error.and_then(|e| e.on("email")))))
            (field(&Input::new("Password", "password", InputType::Password).autocomplete("current-password").required()))
            (kit::submit("Sign in", ButtonStyle::Primary))
        }))
        p.small.mt-2 { a href="/auth/forgot-password" { "Forgot your password?" } }
        p.alt { "New to DotMac? " a href="/auth/signup" { "Create an account" } }
    };
    Page::card("Sign in", body)
        .status(error.map_or(StatusCode::OK, |e| e.status))
        .retry_after(error.and_then(|e| e.retry_after))
        .cookies(guard.cookies())
}

/// What both forms of the MFA step carry: the login-CSRF token, the challenge, the `next`.
fn mfa_carried(mfa_token: &str, next: &str) -> Markup {
    html! {
        (hidden("mfa_token", mfa_token))
        @if !next.is_empty() { (hidden("next", next)) }
    }
}

/// The second step: a code from the authenticator app, or (in a `<details>`, so it needs no
/// script) a backup code. Both forms carry the challenge token.
fn mfa_page(guard: &FormGuard, mfa_token: &str, next: &str, error: Option<&ApiError>) -> Page {
    let anonymous = (FORM_FIELD, guard.token.as_str());
    let code = Input::new("Authentication code", "code", InputType::Text)
        .autocomplete("one-time-code")
        .code()
        .inputmode(InputMode::Numeric)
        .pattern("[0-9 ]{6,7}")
        .maxlength(7)
        .required()
        .autofocus();
    let backup = Input::new("Backup code", "backup_code", InputType::Text).autocomplete("off").code().verbatim().hint("Each backup code works once.");
    let body = html! {
        h1 { "Two-factor authentication" }
        p.lead { "Enter the 6-digit code from your authenticator app." }
        @if let Some(e) = error { (banner(e)) }
        (post_form("/auth/login/mfa", anonymous, html! {
            (mfa_carried(mfa_token, next))
            (field(&code))
            (kit::submit("Verify and sign in", ButtonStyle::Primary))
        }))
        details {
            summary { "Use a backup code instead" }
            (post_form("/auth/login/mfa", anonymous, html! {
                (mfa_carried(mfa_token, next))
                (field(&backup))
                (kit::submit("Sign in with a backup code", ButtonStyle::Secondary))
            }))
        }
        p.alt { a href="/auth/login" { "Start over" } }
    };
    Page::card("Two-factor authentication", body)
        .status(error.map_or(StatusCode::OK, |e| e.status))
        .retry_after(error.and_then(|e| e.retry_after))
        .cookies(guard.cookies())
}

/// The `next` the visitor asked for, if it is a path of this site.
fn next_of(raw: &str) -> &str {
    safe_next(raw.trim()).unwrap_or("")
}

/// GET /auth/login: the form; a browser that is already signed in goes straight on.
pub async fn show(State(state): State<AuthState>, headers: HeaderMap, QueryFields(query): QueryFields) -> Result<Response, Response> {
    let next = next_of(query.get("next"));
    if let Some(viewer) = super::viewer(&state, &headers).await? {
        let target = if next.is_empty() { portal_of(viewer.caller.role) } else { next };
        return Ok(see_other(target, Vec::new()));
    }
    // A notice after a redirect comes from this fixed list: the query names one, never the text.
    let notice = match query.get("notice") {
        "invitation_accepted" => Some("Invitation accepted: your account is ready. Sign in to continue."),
        _ => (!next.is_empty()).then_some("Please sign in to continue."),
    };
    Ok(login_page(&FormGuard::from_headers(&headers), "", next, None, notice).into_response())
}

/// POST /auth/login
pub async fn submit(State(state): State<AuthState>, meta: ClientMeta, headers: HeaderMap, Form(f): Form<LoginForm>) -> Response {
    let guard = FormGuard::from_headers(&headers);
    if !guard_accepts(&guard, &f.form_token) {
        return forbidden_form("/auth/login");
    }
    let (email, password, next) = (f.email.trim(), f.password.as_str(), next_of(&f.next));
    if email.is_empty() || password.is_empty() {
        let e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", "Enter your email address and your password.");
        return login_page(&guard, email, next, Some(&e), None).into_response();
    }
    match login::login(&state, email, password.to_string(), &meta).await {
        Ok(LoginOutcome::SignedIn(user, signed)) => {
            let target = if next.is_empty() { portal_of(user.role) } else { next };
            see_other(target, signed.cookies())
        }
        Ok(LoginOutcome::MfaRequired { mfa_token }) => mfa_page(&guard, &mfa_token, next, None).into_response(),
        Err(e) => login_page(&guard, email, next, Some(&refusal(e)), None).into_response(),
    }
}

/// POST /auth/login/mfa
pub async fn submit_mfa(State(state): State<AuthState>, meta: ClientMeta, headers: HeaderMap, Form(f): Form<MfaForm>) -> Response {
    let guard = FormGuard::from_headers(&headers);
    if !guard_accepts(&guard, &f.form_token) {
        return forbidden_form("/auth/login");
    }
    let (mfa_token, next) = (f.mfa_token.trim(), next_of(&f.next));
    if mfa_token.is_empty() {
        return see_other("/auth/login", Vec::new());
    }
    let backup = f.backup_code.trim();
    // Authenticator apps show "123 456"; the space is not part of the code.
    let code: String = f.code.chars().filter(|c| !c.is_whitespace()).collect();
    let factor = if !backup.is_empty() {
        SecondFactor::BackupCode(backup.to_string())
    } else if !code.is_empty() {
        SecondFactor::Code(code)
    } else {
        let e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", "Enter the 6-digit code from your authenticator app, or a backup code.");
        return mfa_page(&guard, mfa_token, next, Some(&e)).into_response();
    };
    match login::login_mfa(&state, mfa_token, factor, &meta).await {
        Ok((user, signed)) => {
            let target = if next.is_empty() { portal_of(user.role) } else { next };
            see_other(target, signed.cookies())
        }
        // The challenge is over (used, expired, or killed by too many wrong codes): only a
        // new password sign-in starts another.
        Err(e @ AuthError::InvalidToken) => {
            let e = reworded(refusal(e), "This sign-in attempt has expired. Please sign in again.");
            login_page(&guard, "", next, Some(&e), None).into_response()
        }
        Err(e @ AuthError::Limited(_)) => {
            let mut e = refusal(e);
            if e.status == StatusCode::TOO_MANY_REQUESTS {
                e = reworded(e, "Too many wrong codes. For your security, please sign in again.");
            }
            login_page(&guard, "", next, Some(&e), None).into_response()
        }
        Err(e) => mfa_page(&guard, mfa_token, next, Some(&refusal(e))).into_response(),
    }
}

/// POST /auth/resend-verification: the same answer whether or not the address has an
/// account waiting, and also when the address asked too often (the limit is silent, as in
/// the API).
pub async fn resend(State(state): State<AuthState>, headers: HeaderMap, Form(f): Form<EmailForm>) -> Response {
    let guard = FormGuard::from_headers(&headers);
    if !guard_accepts(&guard, &f.form_token) {
        return forbidden_form("/auth/login");
    }
    let email = f.email.trim();
    match account::resend_verification(&state, email).await {
        Ok(()) | Err(AuthError::Limited(store::rate_limit::LimitError::Limited(_))) => {
            let message = html! {
                "If " strong { (email) } " is waiting to be confirmed, a new link is on its way. It works once, for 24 hours."
            };
            super::account::check_inbox(&guard, email, message).into_response()
        }
        Err(e) => super::account::resend_page(&guard, email, Some(&refusal(e))).into_response(),
    }
}

/// POST /auth/logout: ends this session and clears the cookies. Without a live session there
/// is nothing to end; the cookies are cleared all the same.
pub async fn logout(State(state): State<AuthState>, meta: ClientMeta, headers: HeaderMap, Form(f): Form<CsrfForm>) -> Result<Response, Response> {
    if let Some(viewer) = super::viewer(&state, &headers).await? {
        if !csrf_token_ok(&viewer, &f.csrf_token) {
            return Err(forbidden_form("/auth/security"));
        }
        if let Err(e) = login::logout(&state, &viewer.caller.user_id, &viewer.caller.session_id, &meta).await {
            return Err(error_page(&refusal(e)));
        }
    }
    Ok(see_other("/auth/login", cookies::sign_out()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::testing::{XSS, assert_inert, shoot};

    fn guard() -> FormGuard {
        FormGuard::from_headers(&HeaderMap::new())
    }

    #[test]
    fn the_login_form_with_an_error_escapes_what_was_typed() {
        let e = ApiError::from(AuthError::EmailNotVerified);
        let page = login_page(&guard(), XSS, "/auth/security", Some(&e), Some("Please sign in to continue."));
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        let html = page.render().into_string();
        assert_inert(&html);
        assert!(html.contains(r#"action="/auth/resend-verification""#), "an unverified address is offered a new link");
        assert!(html.contains(r#"name="next" value="/auth/security""#));
        assert!(html.contains("Please confirm your email address first"));
    }

    #[test]
    fn a_wrong_password_keeps_the_address_and_drops_the_password() {
        let e = refusal(AuthError::InvalidCredentials);
        let page = login_page(&guard(), "ada@example.com", "", Some(&e), None);
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        let html = page.render().into_string();
        assert!(html.contains(r#"value="ada@example.com""#));
        assert!(html.contains("The email address or password is wrong."));
        assert!(!html.contains("resend-verification"));
        assert!(!html.contains(r#"name="next""#), "no next without one");
        shoot("login-error", &html);
        shoot("login", &login_page(&guard(), "", "", None, None).render().into_string());
    }

    #[test]
    fn the_mfa_step_offers_the_backup_code_without_script_and_escapes_its_fields() {
        let e = refusal(AuthError::InvalidCode);
        let page = mfa_page(&guard(), XSS, XSS, Some(&e));
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        let html = page.render().into_string();
        assert_inert(&html);
        assert!(html.contains("<details><summary>Use a backup code instead</summary>"));
        assert!(html.contains(r#"name="code""#) && html.contains(r#"name="backup_code""#));
        assert!(html.contains("That code is wrong"));
        shoot("mfa", &mfa_page(&guard(), "challenge", "", Some(&e)).render().into_string());
    }

    #[test]
    fn a_rate_limit_answers_429_with_its_wait() {
        let limited = store::rate_limit::LimitError::Limited(store::rate_limit::RateLimited { retry_after_seconds: 90 });
        let page = login_page(&guard(), "ada@example.com", "", Some(&refusal(AuthError::Limited(limited))), None);
        assert_eq!((page.status, page.retry_after), (StatusCode::TOO_MANY_REQUESTS, Some(90)));
        assert!(page.render().into_string().contains("wait 2 minutes"));
    }
}
