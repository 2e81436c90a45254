//! Creating an account and the pages emailed links open: confirm an address, choose a new
//! password (accepting an invitation is the team function's page, `tenant_team::pages`).
//! Links never act on GET (mail scanners prefetch them): each shows a button whose POST does
//! the work.
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use shared::auth::cookies;
use shared::auth::rate_limit::LimitError;
use shared::domain::password::MIN_LENGTH;
use shared::http::client::ClientMeta;

use super::form::{Form, FormGuard, QueryFields, encode, forbidden_form};
use super::html::{Input, Page, error_banner, escape, hidden, see_other};
use super::{Problem, portal_of};
use crate::service::{AuthError, account};
use crate::state::AuthState;

/// The referral cookie `GET /r/{code}` sets.
const REFERRAL_COOKIE: &str = "dm_ref";

/// A referral code worth prefilling: the characters the sign-up accepts, nothing else.
fn plausible_referral(code: &str) -> Option<&str> {
    let code = code.trim();
    let ok = !code.is_empty() && code.len() <= 64 && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some(code)
}

/// "We sent you a link" (sign-up, resend), with a way to ask again. `message` is markup
/// whose dynamic parts the caller escaped.
pub(crate) fn check_inbox(guard: &FormGuard, email: &str, message: &str) -> Response {
    let body = format!(
        r#"<h1>Check your inbox</h1><p class="lead">{message}</p>
<p>Open the link in the email to confirm your address and sign in. Can't find it? Look in your spam folder.</p>
<form method="post" action="/auth/resend-verification" class="resend">{guard}{email}<button type="submit" class="button secondary">Send the link again</button></form>
<p class="alt">Already confirmed? <a href="/auth/login">Sign in</a></p>"#,
        guard = guard.field(),
        email = hidden("email", email),
    );
    Page::new("Check your inbox", body).cookies(guard.cookies()).into_response()
}

/// A form to ask for a new verification link (a dead link, a bad address).
pub(crate) fn resend_page(guard: &FormGuard, email: &str, problem: Option<&Problem>) -> Response {
    let body = format!(
        r#"<h1>Get a new confirmation link</h1><p class="lead">Enter the address you signed up with and we will email you a new link.</p>{banner}
<form method="post" action="/auth/resend-verification" novalidate>{guard}{email}<button type="submit" class="button primary">Email me a new link</button></form>
<p class="alt"><a href="/auth/login">Back to sign in</a></p>"#,
        banner = problem.map(Problem::banner).unwrap_or_default(),
        guard = guard.field(),
        email = Input::new("Email address", "email", "email")
            .value(email)
            .autocomplete("email")
            .attrs("required")
            .error(problem.and_then(|p| p.on("email")))
            .render(),
    );
    let status = problem.map(|p| p.status).unwrap_or(StatusCode::OK);
    Page::new("New confirmation link", body).status(status).retry_after(problem.and_then(|p| p.retry_after)).cookies(guard.cookies()).into_response()
}

struct SignupValues<'a> {
    email: &'a str,
    name: &'a str,
    organization: &'a str,
    referral_code: &'a str,
}

fn signup_page(guard: &FormGuard, values: &SignupValues<'_>, problem: Option<&Problem>) -> Response {
    let on = |field: &str| problem.and_then(|p| p.on(field));
    let password_hint = format!("At least {MIN_LENGTH} characters. Avoid passwords used on other sites.");
    let mut banner = problem.map(Problem::banner).unwrap_or_default();
    if problem.is_some_and(|p| p.status == StatusCode::CONFLICT) {
        banner = error_banner("An account with this email address already exists.");
    }
    let body = format!(
        r#"<h1>Create your account</h1><p class="lead">Start on the free plan. No card needed.</p>{banner}
<form method="post" action="/auth/signup" novalidate>{guard}{name}{organization}{email}{password}{referral}<button type="submit" class="button primary">Create account</button></form>
<p class="alt">Already have an account? <a href="/auth/login">Sign in</a></p>"#,
        guard = guard.field(),
        name = Input::new("Your name", "name", "text").value(values.name).autocomplete("name").attrs("required autofocus maxlength=\"100\"").error(on("name")).render(),
        organization = Input::new("Organization", "organization", "text")
            .value(values.organization)
            .autocomplete("organization")
            .attrs("required maxlength=\"100\"")
            .error(on("organization"))
            .render(),
        email = Input::new("Work email", "email", "email").value(values.email).autocomplete("email").attrs("required").error(on("email")).render(),
        password = Input::new("Password", "password", "password")
            .autocomplete("new-password")
            .attrs("required minlength=\"8\"")
            .hint(&password_hint)
            .error(on("password"))
            .render(),
        referral = Input::new("Referral code (optional)", "referral_code", "text")
            .value(values.referral_code)
            .attrs("maxlength=\"64\" autocapitalize=\"none\" spellcheck=\"false\"")
            .error(on("referral_code"))
            .render(),
    );
    let status = problem.map(|p| p.status).unwrap_or(StatusCode::OK);
    Page::new("Create your account", body).status(status).retry_after(problem.and_then(|p| p.retry_after)).cookies(guard.cookies()).into_response()
}

/// GET /auth/signup (`?ref=` or the `dm_ref` cookie prefills the referral code)
pub async fn signup_form(headers: HeaderMap, QueryFields(query): QueryFields) -> Response {
    let referral = plausible_referral(query.get("ref"))
        .or_else(|| cookies::read(&headers, REFERRAL_COOKIE).and_then(plausible_referral))
        .unwrap_or("");
    let values = SignupValues { email: "", name: "", organization: "", referral_code: referral };
    signup_page(&FormGuard::from_headers(&headers), &values, None)
}

/// POST /auth/signup
pub async fn signup(State(state): State<AuthState>, meta: ClientMeta, headers: HeaderMap, Form(form): Form) -> Response {
    let guard = FormGuard::from_headers(&headers);
    if !guard.accepts(&form) {
        return forbidden_form("/auth/signup");
    }
    let values = SignupValues {
        email: form.trimmed("email"),
        name: form.get("name"),
        organization: form.get("organization"),
        referral_code: form.trimmed("referral_code"),
    };
    let cmd = account::Signup {
        email: values.email.to_string(),
        password: form.get("password").to_string(),
        name: values.name.to_string(),
        organization: values.organization.to_string(),
        referral_code: (!values.referral_code.is_empty()).then(|| values.referral_code.to_string()),
    };
    match account::signup(&state, cmd, &meta).await {
        Ok((user, _tenant)) => check_inbox(
            &guard,
            user.email.as_str(),
            &format!("We sent a confirmation link to <strong>{}</strong>.", escape(user.email.as_str())),
        ),
        Err(e) => signup_page(&guard, &values, Some(&Problem::from(e))),
    }
}

/// The page of a dead emailed link: what happened and how to get a new one.
fn dead_link(guard: &FormGuard, title: &str, message: &str, action: &str, label: &str) -> Response {
    let body = format!(
        r#"<h1>{title}</h1>{banner}<a class="button primary" href="{action}">{label}</a><p class="alt"><a href="/auth/login">Back to sign in</a></p>"#,
        title = escape(title),
        banner = error_banner(message),
        action = escape(action),
        label = escape(label),
    );
    Page::new(title, body).status(StatusCode::BAD_REQUEST).cookies(guard.cookies()).into_response()
}

/// GET /auth/verify-email?token=…: a button, not the verification itself.
pub async fn verify_form(headers: HeaderMap, QueryFields(query): QueryFields) -> Response {
    let guard = FormGuard::from_headers(&headers);
    let token = query.trimmed("token");
    if token.is_empty() {
        return resend_page(&guard, "", Some(&Problem::new(StatusCode::BAD_REQUEST, "This confirmation link is incomplete. Copy the whole link from the email, or ask for a new one below.")));
    }
    let body = format!(
        r#"<h1>Confirm your email address</h1><p class="lead">One click and your account is ready. You will be signed in straight away.</p>
<form method="post" action="/auth/verify-email">{guard}{token}<button type="submit" class="button primary">Confirm my email</button></form>
<p class="alt">Link not working? <a href="/auth/login">Sign in</a> and we will offer a new one.</p>"#,
        guard = guard.field(),
        token = hidden("token", token),
    );
    Page::new("Confirm your email", body).cookies(guard.cookies()).into_response()
}

/// POST /auth/verify-email: confirms, signs in, and goes to the portal.
pub async fn verify(State(state): State<AuthState>, meta: ClientMeta, headers: HeaderMap, Form(form): Form) -> Response {
    let guard = FormGuard::from_headers(&headers);
    let token = form.trimmed("token");
    if !guard.accepts(&form) {
        return forbidden_form(&format!("/auth/verify-email?token={}", encode(token)));
    }
    match account::verify_email(&state, token, &meta).await {
        Ok((user, signed)) => see_other(portal_of(user.role), signed.cookies()),
        Err(AuthError::InvalidToken) => resend_page(
            &guard,
            "",
            Some(&Problem::new(StatusCode::BAD_REQUEST, "This confirmation link is invalid, has expired or was already used. If you already confirmed, just sign in; otherwise ask for a new link below.")),
        ),
        Err(e) => {
            let problem = Problem::from(e);
            super::error_page(problem.status, &problem.message)
        }
    }
}

fn forgot_page(guard: &FormGuard, email: &str, problem: Option<&Problem>) -> Response {
    let body = format!(
        r#"<h1>Reset your password</h1><p class="lead">Enter the email address of your account and we will send you a link to choose a new password.</p>{banner}
<form method="post" action="/auth/forgot-password" novalidate>{guard}{email}<button type="submit" class="button primary">Email me a reset link</button></form>
<p class="alt">Remembered it? <a href="/auth/login">Sign in</a></p>"#,
        banner = problem.map(Problem::banner).unwrap_or_default(),
        guard = guard.field(),
        email = Input::new("Email address", "email", "email")
            .value(email)
            .autocomplete("email")
            .attrs("required autofocus")
            .error(problem.and_then(|p| p.on("email")))
            .render(),
    );
    let status = problem.map(|p| p.status).unwrap_or(StatusCode::OK);
    Page::new("Reset your password", body).status(status).cookies(guard.cookies()).into_response()
}

/// GET /auth/forgot-password
pub async fn forgot_form(headers: HeaderMap) -> Response {
    forgot_page(&FormGuard::from_headers(&headers), "", None)
}

/// POST /auth/forgot-password: one answer whether or not the address has an account, and
/// also when it asked too often (that limit is silent, as in the API).
pub async fn forgot(State(state): State<AuthState>, meta: ClientMeta, headers: HeaderMap, Form(form): Form) -> Response {
    let guard = FormGuard::from_headers(&headers);
    if !guard.accepts(&form) {
        return forbidden_form("/auth/forgot-password");
    }
    let email = form.trimmed("email");
    match account::forgot_password(&state, email, &meta).await {
        Ok(()) | Err(AuthError::Limited(LimitError::Limited(_))) => {
            let body = format!(
                r#"<h1>Check your inbox</h1><p class="lead">If an account exists for <strong>{}</strong>, we sent it a link to choose a new password.</p>
<p>The link works once, for one hour. Can't find the email? Look in your spam folder, or <a href="/auth/forgot-password">try again</a>.</p>
<p class="alt"><a href="/auth/login">Back to sign in</a></p>"#,
                escape(email)
            );
            Page::new("Check your inbox", body).cookies(guard.cookies()).into_response()
        }
        Err(e) => forgot_page(&guard, email, Some(&Problem::from(e))),
    }
}

fn reset_page(guard: &FormGuard, token: &str, problem: Option<&Problem>) -> Response {
    let on = |field: &str| problem.and_then(|p| p.on(field));
    let hint = format!("At least {MIN_LENGTH} characters.");
    let body = format!(
        r#"<h1>Choose a new password</h1><p class="lead">Changing your password signs your account out everywhere, including any device you no longer trust.</p>{banner}
<form method="post" action="/auth/reset-password" novalidate>{guard}{token}{password}{confirm}<button type="submit" class="button primary">Change my password</button></form>
<p class="alt"><a href="/auth/login">Back to sign in</a></p>"#,
        banner = problem.map(Problem::banner).unwrap_or_default(),
        guard = guard.field(),
        token = hidden("token", token),
        password = Input::new("New password", "password", "password")
            .autocomplete("new-password")
            .attrs("required autofocus minlength=\"8\"")
            .hint(&hint)
            .error(on("password"))
            .render(),
        confirm = Input::new("Repeat the new password", "password_confirm", "password")
            .autocomplete("new-password")
            .attrs("required")
            .error(on("password_confirm"))
            .render(),
    );
    let status = problem.map(|p| p.status).unwrap_or(StatusCode::OK);
    Page::new("Choose a new password", body).status(status).cookies(guard.cookies()).into_response()
}

fn dead_reset_link(guard: &FormGuard) -> Response {
    dead_link(
        guard,
        "This reset link has expired",
        "The link is invalid, has expired or was already used. Reset links work once, for one hour.",
        "/auth/forgot-password",
        "Send me a new link",
    )
}

/// GET /auth/reset-password?token=…
pub async fn reset_form(headers: HeaderMap, QueryFields(query): QueryFields) -> Response {
    let guard = FormGuard::from_headers(&headers);
    let token = query.trimmed("token");
    if token.is_empty() {
        return dead_reset_link(&guard);
    }
    reset_page(&guard, token, None)
}

/// POST /auth/reset-password: sets the password; every session ends, this browser's too.
pub async fn reset(State(state): State<AuthState>, meta: ClientMeta, headers: HeaderMap, Form(form): Form) -> Response {
    let guard = FormGuard::from_headers(&headers);
    let token = form.trimmed("token");
    if !guard.accepts(&form) {
        return forbidden_form(&format!("/auth/reset-password?token={}", encode(token)));
    }
    let (password, confirm) = (form.get("password"), form.get("password_confirm"));
    if password != confirm {
        let problem = Problem {
            field: Some("password_confirm"),
            ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "The two passwords are not the same.")
        };
        return reset_page(&guard, token, Some(&problem));
    }
    match account::reset_password(&state, token, password.to_string(), &meta).await {
        Ok(()) => {
            let body = r#"<h1>Password changed</h1><div class="banner notice" role="status">Your new password is set. For your safety, every session of your account has been signed out.</div>
<a class="button primary" href="/auth/login">Sign in</a>"#;
            Page::new("Password changed", body).cookies(cookies::sign_out()).cookies(guard.cookies()).into_response()
        }
        Err(AuthError::InvalidToken) => dead_reset_link(&guard),
        Err(e) => reset_page(&guard, token, Some(&Problem::from(e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_formed_referral_codes_are_prefilled() {
        assert_eq!(plausible_referral(" ref_AB-12 "), Some("ref_AB-12"));
        assert_eq!(plausible_referral("<script>"), None);
        assert_eq!(plausible_referral(""), None);
        assert_eq!(plausible_referral(&"a".repeat(65)), None);
    }
}
