//! The sign-in pages (`/auth/*`) and the portal shells they lead to (`/dashboard`,
//! `/portal`, `/partner`): server-rendered HTML that works without JavaScript. Every flow is
//! a plain form: a POST answers 303 to the next page, or the same page again with an inline
//! error and the status the JSON API would give (401, 403, 422, 429…).
//!
//! Handlers here only translate, as `api::handlers` do: they call the same use cases in
//! `crate::service`, set the same cookies (`shared::auth::cookies`), and never decide a rule.
//! Pages are not API and are left out of the OpenAPI document.
//!
//! Forgery protection: the anonymous forms carry a double-submit token of their own
//! (`form::FormGuard`, cookie `dm_form`); the signed-in forms carry `csrf_token`, equal to the
//! session's `dm_csrf` cookie. See `form` for why both exist.
mod account;
pub mod form;
pub mod html;
mod login;
mod portal;
mod security;

use axum::Router;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use shared::auth::Caller;
use shared::auth::rate_limit::LimitError;
use shared::domain::user::Role;
use shared::http::ApiError;

use crate::service::AuthError;
use crate::state::AuthState;
use html::{Page, escape, see_other};

/// The pages' routes, merged into the function's router by `crate::routes`.
pub fn routes() -> Router<AuthState> {
    Router::new()
        .route("/auth/login", get(login::show).post(login::submit))
        .route("/auth/login/mfa", get(back_to_login).post(login::submit_mfa))
        .route("/auth/resend-verification", get(back_to_login).post(login::resend))
        .route("/auth/logout", get(back_to_login).post(login::logout))
        .route("/auth/signup", get(account::signup_form).post(account::signup))
        .route("/auth/verify-email", get(account::verify_form).post(account::verify))
        .route("/auth/forgot-password", get(account::forgot_form).post(account::forgot))
        .route("/auth/reset-password", get(account::reset_form).post(account::reset))
        .route("/auth/security", get(security::show))
        .route("/auth/security/sessions/{id}/revoke", get(back_to_security).post(security::revoke))
        .route("/auth/security/mfa/start", get(back_to_security).post(security::start_mfa))
        .route("/auth/security/mfa/confirm", get(back_to_security).post(security::confirm_mfa))
        .route("/auth/security/mfa/backup-codes", get(back_to_security).post(security::regenerate_codes))
        .route("/auth/security/mfa/disable", get(back_to_security).post(security::disable_mfa))
        .route("/dashboard", get(portal::dashboard))
        .route("/portal", get(portal::tenant))
        .route("/partner", get(portal::partner))
}

/// A POST-only page address opened directly (a bookmark, a reload after a redirect): the
/// page it belongs to, rather than a JSON 405.
async fn back_to_login() -> Response {
    see_other("/auth/login", Vec::new())
}

async fn back_to_security() -> Response {
    see_other("/auth/security", Vec::new())
}

/// Where each role lands after signing in.
pub fn portal_of(role: Role) -> &'static str {
    match role {
        Role::PlatformAdmin => "/dashboard",
        Role::TenantAdmin | Role::TenantMember => "/portal",
        Role::Partner => "/partner",
    }
}

pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::PlatformAdmin => "Platform admin",
        Role::TenantAdmin => "Organization admin",
        Role::TenantMember => "Organization member",
        Role::Partner => "Partner",
    }
}

/// A `next` target worth honouring: a path of this site. It must start with exactly one
/// `/` (`//evil.example` and `/\evil.example` are other hosts to a browser) and be plain
/// visible ASCII, so it is also a valid `Location` header.
pub(crate) fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && next.len() <= 512
        && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    ok.then_some(next)
}

/// The login page that comes back to `path` afterwards.
pub fn login_for(path: &str) -> String {
    format!("/auth/login?next={}", form::encode(path))
}

/// A signed-in browser on a page: who, and the CSRF value its forms must carry.
pub struct Viewer {
    pub caller: Caller,
    pub csrf: String,
}

impl Viewer {
    pub fn csrf_field(&self) -> String {
        html::hidden(form::CSRF_FIELD, &self.csrf)
    }
}

/// Authenticates a page request by its `dm_access` cookie only (pages are for browsers; a
/// bearer token has no business here).
///
/// `caller::authenticate` enforces the `X-CSRF-Token` header on unsafe methods, which a
/// plain HTML form cannot send; so the check runs on a GET-shaped copy of the request (the
/// cookies, nothing else) and the form POSTs check their `csrf_token` field instead.
///
/// An expired access token (15 minutes) sends the browser to sign in again even when it has a
/// live `dm_refresh` cookie: that cookie is `Path=/api/v1/auth`, so the browser never sends it
/// to a page and the page cannot refresh the session. Clients with JavaScript refresh through
/// `POST /api/v1/auth/refresh`; these pages ask for the password again.
pub(crate) async fn viewer(state: &AuthState, headers: &HeaderMap) -> Result<Option<Viewer>, Response> {
    viewer_of(&state.app, headers).await
}

/// `viewer` for pages of other functions, which hold the shared state only (the team pages).
pub async fn viewer_of(app: &shared::AppState, headers: &HeaderMap) -> Result<Option<Viewer>, Response> {
    let mut request = Request::builder().method(Method::GET).uri("/").body(()).map_err(|_| server_error())?;
    for cookie in headers.get_all(axum::http::header::COOKIE) {
        request.headers_mut().append(axum::http::header::COOKIE, cookie.clone());
    }
    let (parts, ()) = request.into_parts();
    match shared::auth::caller::authenticate(&parts, app).await {
        Ok(caller) => {
            let csrf = shared::auth::cookies::read(headers, shared::auth::cookies::CSRF).unwrap_or("").to_string();
            Ok(Some(Viewer { caller, csrf }))
        }
        Err(e) if e.status == StatusCode::UNAUTHORIZED => Ok(None),
        Err(e) => Err(error_page(e.status, &e.detail.message)),
    }
}

/// The signed-in viewer, or the redirect to sign in and come back to `path`.
pub(crate) async fn require_viewer(state: &AuthState, headers: &HeaderMap, path: &str) -> Result<Viewer, Response> {
    match viewer(state, headers).await? {
        Some(v) => Ok(v),
        None => Err(see_other(&login_for(path), Vec::new())),
    }
}

/// What a use case's refusal means to a person: status, message, the form field it is
/// about, and the wait for a rate limit.
#[derive(Debug)]
pub(crate) struct Problem {
    pub status: StatusCode,
    pub message: String,
    pub field: Option<&'static str>,
    pub retry_after: Option<u64>,
    /// The refusal was `email_not_verified` (the login page offers a new link).
    pub unverified: bool,
}

impl Problem {
    fn new(status: StatusCode, message: impl Into<String>) -> Problem {
        Problem { status, message: message.into(), field: None, retry_after: None, unverified: false }
    }

    /// The message for the field `name`, if this problem is about it.
    pub fn on(&self, name: &str) -> Option<&str> {
        (self.field == Some(name)).then_some(self.message.as_str())
    }

    /// The banner: every problem that is not shown next to a field.
    pub fn banner(&self) -> String {
        match self.field {
            Some(_) => html::error_banner("Please correct the field marked below."),
            None => html::error_banner(&self.message),
        }
    }
}

fn field_label(field: &str) -> &str {
    match field {
        "email" => "Email address",
        "password" => "Password",
        "name" => "Your name",
        "organization" => "Organization",
        "referral_code" => "Referral code",
        "code" => "Code",
        other => other,
    }
}

fn minutes(seconds: u64) -> String {
    match seconds.div_ceil(60) {
        0 | 1 => "a minute".to_string(),
        n => format!("{n} minutes"),
    }
}

impl From<AuthError> for Problem {
    fn from(e: AuthError) -> Problem {
        match e {
            AuthError::EmailTaken => Problem {
                field: Some("email"),
                ..Problem::new(StatusCode::CONFLICT, "An account with this email address already exists. Sign in instead, or reset your password if you forgot it.")
            },
            AuthError::InvalidToken => Problem::new(StatusCode::BAD_REQUEST, "This link is invalid, has expired or was already used."),
            AuthError::InvalidCredentials => Problem::new(StatusCode::UNAUTHORIZED, "The email address or password is wrong."),
            AuthError::EmailNotVerified => Problem {
                unverified: true,
                ..Problem::new(StatusCode::FORBIDDEN, "Please confirm your email address first: open the link we emailed you. Lost it? We can send a new one.")
            },
            AuthError::AccountDisabled => {
                Problem::new(StatusCode::FORBIDDEN, "This account is disabled. Contact your administrator if you think this is a mistake.")
            }
            AuthError::TenantDeleted => {
                Problem::new(StatusCode::FORBIDDEN, "This organisation has been deleted, so its accounts cannot sign in. Contact support to restore it.")
            }
            AuthError::InvalidCode => Problem::new(StatusCode::UNAUTHORIZED, "That code is wrong or was already used. Check your authenticator app and try again."),
            AuthError::Invalid { field, message } => {
                let message = match field {
                    "email" => "Enter a valid email address, like name@example.com.".to_string(),
                    _ => format!("{} {}.", field_label(field), message.trim_end_matches('.')),
                };
                Problem { field: Some(field), ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, message) }
            }
            AuthError::Limited(LimitError::Limited(limited)) => Problem {
                retry_after: Some(limited.retry_after_seconds),
                ..Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("Too many attempts. For your security, wait {} and try again.", minutes(limited.retry_after_seconds)),
                )
            },
            AuthError::NotFound(what) => Problem::new(StatusCode::NOT_FOUND, format!("We could not find that {what}.")),
            AuthError::Conflict(message) => Problem::new(StatusCode::CONFLICT, message),
            // The rest are failures on our side: logged by ApiError, never shown.
            other => {
                let api = ApiError::from(other);
                Problem { retry_after: api.retry_after, ..Problem::new(api.status, "Something went wrong on our side. Please try again in a moment.") }
            }
        }
    }
}

/// A page that only explains a problem, with a way on.
pub fn error_page(status: StatusCode, message: &str) -> Response {
    let body = format!(
        r#"<h1>Something is not right</h1>{}<p class="alt"><a href="/auth/login">Go to sign in</a></p>"#,
        html::error_banner(message)
    );
    Page::new("Error", body).status(status).into_response()
}

fn server_error() -> Response {
    error_page(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side. Please try again in a moment.")
}

/// The 403 page of a signed-in user in another role's area.
pub fn wrong_role(role: Role, area: &str) -> Response {
    let body = format!(
        r#"<h1>Not available to your account</h1>{}<p>You are signed in as {} and this area is for {}.</p><a class="button primary" href="{}">Go to your portal</a>"#,
        html::error_banner("Your role does not allow access to this page."),
        match role {
            Role::PlatformAdmin => "a platform admin",
            Role::TenantAdmin => "an organization admin",
            Role::TenantMember => "an organization member",
            Role::Partner => "a partner",
        },
        escape(area),
        portal_of(role),
    );
    Page::new("Not allowed", body).status(StatusCode::FORBIDDEN).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site_are_honoured_as_next() {
        assert_eq!(safe_next("/auth/security"), Some("/auth/security"));
        assert_eq!(safe_next("/portal?tab=usage"), Some("/portal?tab=usage"));
        for bad in ["//evil.example", "/\\evil.example", "https://evil.example", "portal", "", "/a b", "/x\\y", "/\u{e9}"] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn each_role_lands_on_its_own_portal() {
        assert_eq!(portal_of(Role::PlatformAdmin), "/dashboard");
        assert_eq!(portal_of(Role::TenantAdmin), "/portal");
        assert_eq!(portal_of(Role::TenantMember), "/portal");
        assert_eq!(portal_of(Role::Partner), "/partner");
    }

    #[test]
    fn a_rate_limit_becomes_a_429_with_its_wait() {
        let e = AuthError::Limited(LimitError::Limited(shared::auth::rate_limit::RateLimited { retry_after_seconds: 125 }));
        let p = Problem::from(e);
        assert_eq!((p.status, p.retry_after), (StatusCode::TOO_MANY_REQUESTS, Some(125)));
        assert!(p.message.contains("3 minutes"), "{}", p.message);
    }

    #[test]
    fn a_field_problem_names_the_field_in_plain_words() {
        let p = Problem::from(AuthError::invalid("name", "must not be empty"));
        assert_eq!((p.status, p.on("name")), (StatusCode::UNPROCESSABLE_ENTITY, Some("Your name must not be empty.")));
    }
}
