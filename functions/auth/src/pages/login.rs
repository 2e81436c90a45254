//! Signing in (password, then the MFA step when 2FA is on), asking for a new verification
//! link, and signing out.
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use shared::auth::cookies;
use shared::http::client::ClientMeta;

use super::form::{Fields, Form, FormGuard, QueryFields, csrf_ok, forbidden_form};
use super::html::{Input, Page, escape, hidden, notice_banner, see_other};
use super::{Problem, portal_of, safe_next};
use crate::service::login::{self, LoginOutcome, SecondFactor};
use crate::service::{AuthError, account};
use crate::state::AuthState;

/// The sign-in form, with what the visitor typed and what went wrong.
fn login_page(guard: &FormGuard, email: &str, next: &str, problem: Option<&Problem>, notice: Option<&str>) -> Response {
    let mut body = String::from(r#"<h1>Sign in</h1><p class="lead">Welcome back. Sign in to your DotMac account.</p>"#);
    if let Some(n) = notice {
        body.push_str(&notice_banner(n));
    }
    if let Some(p) = problem {
        body.push_str(&p.banner());
        if p.unverified {
            // The password was right: offering a new link reveals nothing new.
            body.push_str(&format!(
                r#"<form method="post" action="/auth/resend-verification" class="resend">{}{}<button type="submit" class="button secondary">Email me a new link</button></form>"#,
                guard.field(),
                hidden("email", email),
            ));
        }
    }
    body.push_str(&format!(
        r#"<form method="post" action="/auth/login" novalidate>{guard}{next}{email}{password}<button type="submit" class="button primary">Sign in</button></form>
<p class="small" style="margin-top:14px"><a href="/auth/forgot-password">Forgot your password?</a></p>
<p class="alt">New to DotMac? <a href="/auth/signup">Create an account</a></p>"#,
        guard = guard.field(),
        next = if next.is_empty() { String::new() } else { hidden("next", next) },
        email = Input::new("Email address", "email", "email").value(email).autocomplete("username").attrs("required autofocus").render(),
        password = Input::new("Password", "password", "password").autocomplete("current-password").attrs("required").render(),
    ));
    let status = problem.map(|p| p.status).unwrap_or(StatusCode::OK);
    Page::new("Sign in", body).status(status).retry_after(problem.and_then(|p| p.retry_after)).cookies(guard.cookies()).into_response()
}

/// The second step: a code from the authenticator app, or (in a `<details>`, so it needs no
/// script) a backup code. Both forms carry the challenge token.
fn mfa_page(guard: &FormGuard, mfa_token: &str, next: &str, problem: Option<&Problem>) -> Response {
    let carried = format!("{}{}{}", guard.field(), hidden("mfa_token", mfa_token), if next.is_empty() { String::new() } else { hidden("next", next) });
    let body = format!(
        r#"<h1>Two-factor authentication</h1><p class="lead">Enter the 6-digit code from your authenticator app.</p>{banner}
<form method="post" action="/auth/login/mfa">{carried}{code}<button type="submit" class="button primary">Verify and sign in</button></form>
<details><summary>Use a backup code instead</summary>
<form method="post" action="/auth/login/mfa">{carried}{backup}<button type="submit" class="button secondary">Sign in with a backup code</button></form>
</details>
<p class="alt"><a href="/auth/login">Start over</a></p>"#,
        banner = problem.map(Problem::banner).unwrap_or_default(),
        code = Input::new("Authentication code", "code", "text")
            .autocomplete("one-time-code")
            .attrs(r#"class="code" inputmode="numeric" pattern="[0-9 ]{6,7}" maxlength="7" required autofocus"#)
            .render(),
        backup = Input::new("Backup code", "backup_code", "text")
            .autocomplete("off")
            .attrs(r#"class="code" autocapitalize="none" spellcheck="false""#)
            .hint("Each backup code works once.")
            .render(),
    );
    let status = problem.map(|p| p.status).unwrap_or(StatusCode::OK);
    Page::new("Two-factor authentication", body).status(status).retry_after(problem.and_then(|p| p.retry_after)).cookies(guard.cookies()).into_response()
}

/// The `next` the visitor asked for, if it is a path of this site.
fn next_of(fields: &Fields) -> &str {
    safe_next(fields.trimmed("next")).unwrap_or("")
}

/// GET /auth/login: the form; a browser that is already signed in goes straight on.
pub async fn show(State(state): State<AuthState>, headers: HeaderMap, QueryFields(query): QueryFields) -> Result<Response, Response> {
    let next = next_of(&query);
    if let Some(viewer) = super::viewer(&state, &headers).await? {
        let target = if next.is_empty() { portal_of(viewer.caller.role) } else { next };
        return Ok(see_other(target, Vec::new()));
    }
    // A notice after a redirect comes from this fixed list: the query names one, never the text.
    let notice = match query.get("notice") {
        "invitation_accepted" => Some("Invitation accepted: your account is ready. Sign in to continue."),
        _ => (!next.is_empty()).then_some("Please sign in to continue."),
    };
    Ok(login_page(&FormGuard::from_headers(&headers), "", next, None, notice))
}

/// POST /auth/login
pub async fn submit(State(state): State<AuthState>, meta: ClientMeta, headers: HeaderMap, Form(form): Form) -> Response {
    let guard = FormGuard::from_headers(&headers);
    if !guard.accepts(&form) {
        return forbidden_form("/auth/login");
    }
    let (email, password, next) = (form.trimmed("email"), form.get("password"), next_of(&form));
    if email.is_empty() || password.is_empty() {
        let problem = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Enter your email address and your password.");
        return login_page(&guard, email, next, Some(&problem), None);
    }
    match login::login(&state, email, password.to_string(), &meta).await {
        Ok(LoginOutcome::SignedIn(user, signed)) => {
            let target = if next.is_empty() { portal_of(user.role) } else { next };
            see_other(target, signed.cookies())
        }
        Ok(LoginOutcome::MfaRequired { mfa_token }) => mfa_page(&guard, &mfa_token, next, None),
        Err(e) => login_page(&guard, email, next, Some(&Problem::from(e)), None),
    }
}

/// POST /auth/login/mfa
pub async fn submit_mfa(State(state): State<AuthState>, meta: ClientMeta, headers: HeaderMap, Form(form): Form) -> Response {
    let guard = FormGuard::from_headers(&headers);
    if !guard.accepts(&form) {
        return forbidden_form("/auth/login");
    }
    let (mfa_token, next) = (form.trimmed("mfa_token"), next_of(&form));
    if mfa_token.is_empty() {
        return see_other("/auth/login", Vec::new());
    }
    let backup = form.trimmed("backup_code");
    // Authenticator apps show "123 456"; the space is not part of the code.
    let code: String = form.get("code").chars().filter(|c| !c.is_whitespace()).collect();
    let factor = if !backup.is_empty() {
        SecondFactor::BackupCode(backup.to_string())
    } else if !code.is_empty() {
        SecondFactor::Code(code)
    } else {
        let problem = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Enter the 6-digit code from your authenticator app, or a backup code.");
        return mfa_page(&guard, mfa_token, next, Some(&problem));
    };
    match login::login_mfa(&state, mfa_token, factor, &meta).await {
        Ok((user, signed)) => {
            let target = if next.is_empty() { portal_of(user.role) } else { next };
            see_other(target, signed.cookies())
        }
        // The challenge is over (used, expired, or killed by too many wrong codes): only a
        // new password sign-in starts another.
        Err(AuthError::InvalidToken) => {
            let problem = Problem::new(StatusCode::BAD_REQUEST, "This sign-in attempt has expired. Please sign in again.");
            login_page(&guard, "", next, Some(&problem), None)
        }
        Err(e @ AuthError::Limited(_)) => {
            let mut problem = Problem::from(e);
            if problem.status == StatusCode::TOO_MANY_REQUESTS {
                problem.message = "Too many wrong codes. For your security, please sign in again.".into();
            }
            login_page(&guard, "", next, Some(&problem), None)
        }
        Err(e) => mfa_page(&guard, mfa_token, next, Some(&Problem::from(e))),
    }
}

/// POST /auth/resend-verification: the same answer whether or not the address has an
/// account waiting, and also when the address asked too often (the limit is silent, as in
/// the API).
pub async fn resend(State(state): State<AuthState>, headers: HeaderMap, Form(form): Form) -> Response {
    let guard = FormGuard::from_headers(&headers);
    if !guard.accepts(&form) {
        return forbidden_form("/auth/login");
    }
    let email = form.trimmed("email");
    match account::resend_verification(&state, email).await {
        Ok(()) | Err(AuthError::Limited(shared::auth::rate_limit::LimitError::Limited(_))) => super::account::check_inbox(
            &guard,
            email,
            &format!(
                "If <strong>{}</strong> is waiting to be confirmed, a new link is on its way. It works once, for 24 hours.",
                escape(email)
            ),
        ),
        Err(e) => super::account::resend_page(&guard, email, Some(&Problem::from(e))),
    }
}

/// POST /auth/logout: ends this session and clears the cookies. Without a live session there
/// is nothing to end; the cookies are cleared all the same.
pub async fn logout(State(state): State<AuthState>, meta: ClientMeta, headers: HeaderMap, Form(form): Form) -> Result<Response, Response> {
    if let Some(viewer) = super::viewer(&state, &headers).await? {
        if !csrf_ok(&headers, &form) {
            return Err(forbidden_form("/auth/security"));
        }
        if let Err(e) = login::logout(&state, &viewer.caller.user_id, &viewer.caller.session_id, &meta).await {
            let problem = Problem::from(e);
            return Err(super::error_page(problem.status, &problem.message));
        }
    }
    Ok(see_other("/auth/login", cookies::sign_out()))
}
