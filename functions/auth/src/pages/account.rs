//! Creating an account and the pages emailed links open: confirm an address, choose a new
//! password (accepting an invitation is the team function's page, `tenant_team::pages`).
//! Links never act on GET (mail scanners prefetch them): each shows a button whose POST does
//! the work.
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::password::MIN_LENGTH;
use maud::{Markup, html};
use serde::Deserialize;
use store::rate_limit::LimitError;
use web::ApiError;
use web::auth::cookies;
use web::client::ClientMeta;
use web::kit::{self, ButtonStyle, Input, InputType, NoticeKind, field, hidden, link_button, post_form, submit, with_param};
use web::pages::banner;

use super::form::{FORM_FIELD, Form, FormGuard, QueryFields, forbidden_form};
use super::html::{Page, see_other};
use super::login::EmailForm;
use super::{error_page, guard_accepts, portal_of, refusal};
use crate::service::login::LoginOutcome;
use crate::service::{AuthError, account};
use crate::state::AuthState;

/// The referral cookie `GET /r/{code}` sets.
const REFERRAL_COOKIE: &str = "dm_ref";

/// The password rule in words. A literal, so the page builds no text; the assertion below
/// stops the build if the rule changes without it.
const PASSWORD_HINT: &str = "At least 8 characters. Avoid passwords used on other sites.";
const NEW_PASSWORD_HINT: &str = "At least 8 characters.";
const _: () = assert!(MIN_LENGTH == 8, "the password hints say 8 characters");
/// `minlength` of the new-password fields (the browser's own hint; the server decides).
const MIN_LENGTH_ATTR: u32 = MIN_LENGTH as u32;

#[derive(Debug, Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    organization: String,
    #[serde(default)]
    referral_code: String,
}

/// The emailed link's form: its token and nothing else.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    token: String,
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

/// A referral code worth prefilling: the characters the sign-up accepts, nothing else.
fn plausible_referral(code: &str) -> Option<&str> {
    let code = code.trim();
    let ok = !code.is_empty() && code.len() <= 64 && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some(code)
}

/// The hidden field pair of every anonymous form (see `FormGuard`).
fn anonymous(guard: &FormGuard) -> (&'static str, &str) {
    (FORM_FIELD, guard.token.as_str())
}

/// A page's status and wait: those of its refusal, or 200.
fn answered(page: Page, error: Option<&ApiError>) -> Page {
    page.status(error.map_or(StatusCode::OK, |e| e.status)).retry_after(error.and_then(|e| e.retry_after))
}

/// "We sent you a link" (sign-up, resend), with a way to ask again. `message` says where the
/// link went.
pub(crate) fn check_inbox(guard: &FormGuard, email: &str, message: Markup) -> Page {
    let body = html! {
        h1 { "Check your inbox" }
        p.lead { (message) }
        p { "Open the link in the email to confirm your address and sign in. Can't find it? Look in your spam folder." }
        div.resend {
            (post_form("/auth/resend-verification", anonymous(guard), html! {
                (hidden("email", email))
                (submit("Send the link again", ButtonStyle::Secondary))
            }))
        }
        p.alt { "Already confirmed? " a href="/auth/login" { "Sign in" } }
    };
    Page::card("Check your inbox", body).cookies(guard.cookies())
}

/// A form to ask for a new verification link (a dead link, a bad address).
pub(crate) fn resend_page(guard: &FormGuard, email: &str, error: Option<&ApiError>) -> Page {
    let body = html! {
        h1 { "Get a new confirmation link" }
        p.lead { "Enter the address you signed up with and we will email you a new link." }
        @if let Some(e) = error { (banner(e)) }
        (post_form("/auth/resend-verification", anonymous(guard), html! {
            (field(&Input::new("Email address", "email", InputType::Email)
                .value(email)
                .autocomplete("email")
                .required()
                .error(error.and_then(|e| e.on("email")))))
            (submit("Email me a new link", ButtonStyle::Primary))
        }))
        p.alt { a href="/auth/login" { "Back to sign in" } }
    };
    answered(Page::card("New confirmation link", body), error).cookies(guard.cookies())
}

/// What the sign-up form shows again after a refusal (never the password).
struct SignupValues<'a> {
    email: &'a str,
    name: &'a str,
    organization: &'a str,
    referral_code: &'a str,
}

fn signup_page(guard: &FormGuard, values: &SignupValues<'_>, error: Option<&ApiError>) -> Page {
    let on = |name: &str| error.and_then(|e| e.on(name));
    let body = html! {
        h1 { "Create your account" }
        p.lead { "Start on the free plan. No card needed." }
        @if let Some(e) = error {
            @if e.code() == "email_taken" {
                (kit::notice(NoticeKind::Error, "An account with this email address already exists."))
            } @else {
                (banner(e))
            }
        }
        (post_form("/auth/signup", anonymous(guard), html! {
            (field(&Input::new("Your name", "name", InputType::Text)
                .value(values.name)
                .autocomplete("name")
                .required()
                .autofocus()
                .maxlength(100)
                .error(on("name"))))
            (field(&Input::new("Organization", "organization", InputType::Text)
                .value(values.organization)
                .autocomplete("organization")
                .required()
                .maxlength(100)
                .error(on("organization"))))
            (field(&Input::new("Work email", "email", InputType::Email).value(values.email).autocomplete("email").required().error(on("email"))))
            (field(&Input::new("Password", "password", InputType::Password)
                .autocomplete("new-password")
                .required()
                .minlength(MIN_LENGTH_ATTR)
                .hint(PASSWORD_HINT)
                .error(on("password"))))
            (field(&Input::new("Referral code (optional)", "referral_code", InputType::Text)
                .value(values.referral_code)
                .maxlength(64)
                .verbatim()
                .error(on("referral_code"))))
            (submit("Create account", ButtonStyle::Primary))
        }))
        p.alt { "Already have an account? " a href="/auth/login" { "Sign in" } }
    };
    answered(Page::card("Create your account", body), error).cookies(guard.cookies())
}

/// GET /auth/signup (`?ref=` or the `dm_ref` cookie prefills the referral code)
pub async fn signup_form(headers: HeaderMap, QueryFields(query): QueryFields) -> Response {
    let referral = plausible_referral(query.get("ref"))
        .or_else(|| cookies::read(&headers, REFERRAL_COOKIE).and_then(plausible_referral))
        .unwrap_or("");
    let values = SignupValues { email: "", name: "", organization: "", referral_code: referral };
    signup_page(&FormGuard::from_headers(&headers), &values, None).into_response()
}

/// POST /auth/signup
pub async fn signup(State(state): State<AuthState>, meta: ClientMeta, headers: HeaderMap, Form(f): Form<SignupForm>) -> Response {
    let guard = FormGuard::from_headers(&headers);
    if !guard_accepts(&guard, &f.form_token) {
        return forbidden_form("/auth/signup");
    }
    let values = SignupValues { email: f.email.trim(), name: &f.name, organization: &f.organization, referral_code: f.referral_code.trim() };
    let cmd = account::Signup {
        email: values.email.to_string(),
        password: f.password.clone(),
        name: values.name.to_string(),
        organization: values.organization.to_string(),
        referral_code: (!values.referral_code.is_empty()).then(|| values.referral_code.to_string()),
    };
    match account::signup(&state, cmd, &meta).await {
        Ok((user, _tenant)) => {
            let message = html! { "We sent a confirmation link to " strong { (user.email.as_str()) } "." };
            check_inbox(&guard, user.email.as_str(), message).into_response()
        }
        Err(e) => signup_page(&guard, &values, Some(&refusal(e))).into_response(),
    }
}

/// The page of a dead emailed link: what happened and how to get a new one.
fn dead_link(guard: &FormGuard, title: &str, message: &str, action: &str, label: &str) -> Page {
    let body = html! {
        h1 { (title) }
        (kit::notice(NoticeKind::Error, message))
        (link_button(label, action, ButtonStyle::Primary))
        p.alt { a href="/auth/login" { "Back to sign in" } }
    };
    Page::card(title, body).status(StatusCode::BAD_REQUEST).cookies(guard.cookies())
}

/// The confirm button of an emailed verification link.
fn verify_page(guard: &FormGuard, token: &str) -> Page {
    let body = html! {
        h1 { "Confirm your email address" }
        p.lead { "One click and your account is ready. You will be signed in straight away." }
        (post_form("/auth/verify-email", anonymous(guard), html! {
            (hidden("token", token))
            (submit("Confirm my email", ButtonStyle::Primary))
        }))
        p.alt { "Link not working? " a href="/auth/login" { "Sign in" } " and we will offer a new one." }
    };
    Page::card("Confirm your email", body).cookies(guard.cookies())
}

/// GET /auth/verify-email?token=…: a button, not the verification itself.
pub async fn verify_form(headers: HeaderMap, QueryFields(query): QueryFields) -> Response {
    let guard = FormGuard::from_headers(&headers);
    let token = query.trimmed("token");
    if token.is_empty() {
        let e = ApiError::bad_request(
            "invalid_token",
            "This confirmation link is incomplete. Copy the whole link from the email, or ask for a new one below.",
        );
        return resend_page(&guard, "", Some(&e)).into_response();
    }
    verify_page(&guard, token).into_response()
}

/// The address is confirmed and the account has 2FA: the second step of sign-in, posting to
/// `/auth/login/mfa` with the challenge, exactly as after the password step.
fn verified_mfa_step(guard: &FormGuard, mfa_token: &str) -> Page {
    let code = Input::new("Authentication code", "code", InputType::Text)
        .autocomplete("one-time-code")
        .code()
        .inputmode(kit::InputMode::Numeric)
        .pattern("[0-9 ]{6,7}")
        .maxlength(7)
        .required()
        .autofocus();
    let backup = Input::new("Backup code", "backup_code", InputType::Text).autocomplete("off").code().verbatim().hint("Each backup code works once.");
    let body = html! {
        h1 { "Two-factor authentication" }
        (kit::notice(NoticeKind::Notice, "Your email address is confirmed. Enter the 6-digit code from your authenticator app to sign in."))
        (post_form("/auth/login/mfa", anonymous(guard), html! {
            (hidden("mfa_token", mfa_token))
            (field(&code))
            (submit("Verify and sign in", ButtonStyle::Primary))
        }))
        details {
            summary { "Use a backup code instead" }
            (post_form("/auth/login/mfa", anonymous(guard), html! {
                (hidden("mfa_token", mfa_token))
                (field(&backup))
                (submit("Sign in with a backup code", ButtonStyle::Secondary))
            }))
        }
        p.alt { a href="/auth/login" { "Start over" } }
    };
    Page::card("Two-factor authentication", body).cookies(guard.cookies())
}

/// POST /auth/verify-email: confirms, signs in (or, with 2FA on, asks for the second factor),
/// and goes to the portal.
pub async fn verify(State(state): State<AuthState>, meta: ClientMeta, headers: HeaderMap, Form(f): Form<TokenForm>) -> Response {
    let guard = FormGuard::from_headers(&headers);
    let token = f.token.trim();
    if !guard_accepts(&guard, &f.form_token) {
        return forbidden_form(&with_param("/auth/verify-email", "token", token));
    }
    match account::verify_email(&state, token, &meta).await {
        Ok(LoginOutcome::SignedIn(user, signed)) => see_other(portal_of(user.role), signed.cookies()),
        Ok(LoginOutcome::MfaRequired { mfa_token }) => verified_mfa_step(&guard, &mfa_token).into_response(),
        Err(AuthError::InvalidToken) => {
            let e = ApiError::bad_request(
                "invalid_token",
                "This confirmation link is invalid, has expired or was already used. If you already confirmed, just sign in; otherwise ask for a new link below.",
            );
            resend_page(&guard, "", Some(&e)).into_response()
        }
        Err(e) => error_page(&refusal(e)),
    }
}

fn forgot_page(guard: &FormGuard, email: &str, error: Option<&ApiError>) -> Page {
    let body = html! {
        h1 { "Reset your password" }
        p.lead { "Enter the email address of your account and we will send you a link to choose a new password." }
        @if let Some(e) = error { (banner(e)) }
        (post_form("/auth/forgot-password", anonymous(guard), html! {
            (field(&Input::new("Email address", "email", InputType::Email)
                .value(email)
                .autocomplete("email")
                .required()
                .autofocus()
                .error(error.and_then(|e| e.on("email")))))
            (submit("Email me a reset link", ButtonStyle::Primary))
        }))
        p.alt { "Remembered it? " a href="/auth/login" { "Sign in" } }
    };
    answered(Page::card("Reset your password", body), error).cookies(guard.cookies())
}

/// The same page whether or not `email` has an account.
fn reset_sent_page(guard: &FormGuard, email: &str) -> Page {
    let body = html! {
        h1 { "Check your inbox" }
        p.lead { "If an account exists for " strong { (email) } ", we sent it a link to choose a new password." }
        p {
            "The link works once, for one hour. Can't find the email? Look in your spam folder, or "
            a href="/auth/forgot-password" { "try again" } "."
        }
        p.alt { a href="/auth/login" { "Back to sign in" } }
    };
    Page::card("Check your inbox", body).cookies(guard.cookies())
}

/// GET /auth/forgot-password
pub async fn forgot_form(headers: HeaderMap) -> Response {
    forgot_page(&FormGuard::from_headers(&headers), "", None).into_response()
}

/// POST /auth/forgot-password: one answer whether or not the address has an account, and
/// also when it asked too often (that limit is silent, as in the API).
pub async fn forgot(State(state): State<AuthState>, meta: ClientMeta, headers: HeaderMap, Form(f): Form<EmailForm>) -> Response {
    let guard = FormGuard::from_headers(&headers);
    if !guard_accepts(&guard, &f.form_token) {
        return forbidden_form("/auth/forgot-password");
    }
    let email = f.email.trim();
    match account::forgot_password(&state, email, &meta).await {
        Ok(()) | Err(AuthError::Limited(LimitError::Limited(_))) => reset_sent_page(&guard, email).into_response(),
        Err(e) => forgot_page(&guard, email, Some(&refusal(e))).into_response(),
    }
}

fn reset_page(guard: &FormGuard, token: &str, error: Option<&ApiError>) -> Page {
    let on = |name: &str| error.and_then(|e| e.on(name));
    let body = html! {
        h1 { "Choose a new password" }
        p.lead { "Changing your password signs your account out everywhere, including any device you no longer trust." }
        @if let Some(e) = error { (banner(e)) }
        (post_form("/auth/reset-password", anonymous(guard), html! {
            (hidden("token", token))
            (field(&Input::new("New password", "password", InputType::Password)
                .autocomplete("new-password")
                .required()
                .autofocus()
                .minlength(MIN_LENGTH_ATTR)
                .hint(NEW_PASSWORD_HINT)
                .error(on("password"))))
            (field(&Input::new("Repeat the new password", "password_confirm", InputType::Password)
                .autocomplete("new-password")
                .required()
                .error(on("password_confirm"))))
            (submit("Change my password", ButtonStyle::Primary))
        }))
        p.alt { a href="/auth/login" { "Back to sign in" } }
    };
    answered(Page::card("Choose a new password", body), error).cookies(guard.cookies())
}

fn dead_reset_link(guard: &FormGuard) -> Page {
    dead_link(
        guard,
        "This reset link has expired",
        "The link is invalid, has expired or was already used. Reset links work once, for one hour.",
        "/auth/forgot-password",
        "Send me a new link",
    )
}

fn password_changed_page() -> Page {
    let body = html! {
        h1 { "Password changed" }
        (kit::notice(NoticeKind::Notice, "Your new password is set. For your safety, every session of your account has been signed out."))
        (link_button("Sign in", "/auth/login", ButtonStyle::Primary))
    };
    Page::card("Password changed", body)
}

/// GET /auth/reset-password?token=…
pub async fn reset_form(headers: HeaderMap, QueryFields(query): QueryFields) -> Response {
    let guard = FormGuard::from_headers(&headers);
    let token = query.trimmed("token");
    if token.is_empty() {
        return dead_reset_link(&guard).into_response();
    }
    reset_page(&guard, token, None).into_response()
}

/// POST /auth/reset-password: sets the password; every session ends, this browser's too.
pub async fn reset(State(state): State<AuthState>, meta: ClientMeta, headers: HeaderMap, Form(f): Form<ResetForm>) -> Response {
    let guard = FormGuard::from_headers(&headers);
    let token = f.token.trim();
    if !guard_accepts(&guard, &f.form_token) {
        return forbidden_form(&with_param("/auth/reset-password", "token", token));
    }
    if f.password != f.password_confirm {
        let e = ApiError::invalid_field("password_confirm", "The two passwords are not the same.");
        return reset_page(&guard, token, Some(&e)).into_response();
    }
    match account::reset_password(&state, token, f.password.clone(), &meta).await {
        Ok(()) => password_changed_page().cookies(cookies::sign_out()).cookies(guard.cookies()).into_response(),
        Err(AuthError::InvalidToken) => dead_reset_link(&guard).into_response(),
        Err(e) => reset_page(&guard, token, Some(&refusal(e))).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::testing::{XSS, assert_inert, shoot};

    fn guard() -> FormGuard {
        FormGuard::from_headers(&HeaderMap::new())
    }

    #[test]
    fn only_well_formed_referral_codes_are_prefilled() {
        assert_eq!(plausible_referral(" ref_AB-12 "), Some("ref_AB-12"));
        assert_eq!(plausible_referral("<script>"), None);
        assert_eq!(plausible_referral(""), None);
        assert_eq!(plausible_referral(&"a".repeat(65)), None);
    }

    #[test]
    fn the_sign_up_form_with_errors_keeps_every_value_escaped_and_never_the_password() {
        let values = SignupValues { email: XSS, name: XSS, organization: XSS, referral_code: XSS };
        let e = refusal(AuthError::invalid("email", "is not an email address"));
        let page = signup_page(&guard(), &values, Some(&e));
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = page.render().into_string();
        assert_inert(&html);
        assert!(html.contains("Enter a valid email address, like name@example.com."));
        assert!(html.contains(r#"aria-invalid="true""#));
        assert_eq!(html.matches(r#"value="&lt;script&gt;alert(1)&lt;/script&gt;&quot;'""#).count(), 4, "name, organization, email, referral");
        let values = SignupValues { email: "ada@example.com", name: "Ada Lovelace", organization: "Analytical Engines", referral_code: "" };
        let taken = signup_page(&guard(), &values, Some(&refusal(AuthError::EmailTaken)));
        assert_eq!(taken.status, StatusCode::CONFLICT);
        let html = taken.render().into_string();
        assert!(html.contains("An account with this email address already exists."));
        shoot("signup-error", &html);
        shoot("signup", &signup_page(&guard(), &values, None).render().into_string());
    }

    #[test]
    fn the_pages_of_emailed_links_escape_their_token_and_address() {
        let pages = [
            check_inbox(&guard(), XSS, html! { "We sent a confirmation link to " strong { (XSS) } "." }),
            resend_page(&guard(), XSS, Some(&refusal(AuthError::invalid("email", "is not an email address")))),
            verify_page(&guard(), XSS),
            forgot_page(&guard(), XSS, Some(&refusal(AuthError::invalid("email", "is not an email address")))),
            reset_sent_page(&guard(), XSS),
            reset_page(&guard(), XSS, Some(&ApiError::invalid_field("password_confirm", "The two passwords are not the same."))),
        ];
        for page in pages {
            assert_inert(&page.render().into_string());
        }
        assert_inert(&dead_link(&guard(), XSS, XSS, XSS, XSS).render().into_string());
    }

    #[test]
    fn a_dead_link_is_a_400_with_a_way_to_a_new_one() {
        let page = dead_reset_link(&guard());
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        let html = page.render().into_string();
        assert!(html.contains(r#"href="/auth/forgot-password">Send me a new link</a>"#));
        shoot("reset-dead-link", &html);
    }

    #[test]
    fn snapshots_of_the_other_card_pages() {
        let message = html! { "We sent a confirmation link to " strong { "ada@example.com" } "." };
        shoot("check-inbox", &check_inbox(&guard(), "ada@example.com", message).render().into_string());
        let e = ApiError::bad_request("invalid_token", "This confirmation link is invalid, has expired or was already used.");
        shoot("resend", &resend_page(&guard(), "", Some(&e)).render().into_string());
        shoot("verify", &verify_page(&guard(), "token").render().into_string());
        shoot("forgot", &forgot_page(&guard(), "", None).render().into_string());
        shoot("reset-sent", &reset_sent_page(&guard(), "ada@example.com").render().into_string());
        let mismatch = ApiError::invalid_field("password_confirm", "The two passwords are not the same.");
        shoot("reset-error", &reset_page(&guard(), "token", Some(&mismatch)).render().into_string());
        shoot("password-changed", &password_changed_page().render().into_string());
    }
}
