//! What every portal's pages share: the document and its stylesheet (`html`), forms and
//! their forgery protection (`form`), the signed-in viewer, and the pages that only explain
//! a problem (an error, a role in the wrong area).
pub mod form;
pub mod html;
pub mod nav;
pub mod refusal;

use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::permissions::Rule;
use domain::user::Role;
use maud::{Markup, html};

use crate::AppState;
use crate::auth::Caller;
use crate::kit::{self, NoticeKind};
pub use html::{Page, see_other};
pub use refusal::{banner, error_page, for_people};

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
pub fn safe_next(next: &str) -> Option<&str> {
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

/// A signed-in browser on a page: who, their name and email for the user menu, and the
/// CSRF value its forms must carry (its session's, derived from the session id: see
/// `auth::cookies::csrf_value`).
pub struct Viewer {
    pub caller: Caller,
    pub name: String,
    pub email: String,
    pub csrf: String,
}

impl Viewer {
    pub fn csrf_field(&self) -> Markup {
        kit::hidden(form::CSRF_FIELD, &self.csrf)
    }

    /// `(field name, value)` for the kit's forms.
    pub fn csrf(&self) -> (&'static str, &str) {
        (form::CSRF_FIELD, &self.csrf)
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
pub async fn viewer_of(app: &AppState, headers: &HeaderMap) -> Result<Option<Viewer>, Response> {
    let mut request = Request::builder().method(Method::GET).uri("/").body(()).map_err(|_| server_error())?;
    for cookie in headers.get_all(axum::http::header::COOKIE) {
        request.headers_mut().append(axum::http::header::COOKIE, cookie.clone());
    }
    let (parts, ()) = request.into_parts();
    match crate::auth::caller::authenticate(&parts, app).await {
        Ok(caller) => {
            // The session's own CSRF value, whatever `dm_csrf` cookie the browser holds.
            let csrf = crate::auth::cookies::csrf_value(&app.config.csrf_key, &caller.session_id);
            // The user menu names the person; a session outliving its user is no viewer.
            let user = store::repo::users::get(app.store.as_ref(), &caller.user_id).await.map_err(|e| error_page(&crate::ApiError::from(e)))?;
            let Some(user) = user else { return Ok(None) };
            Ok(Some(Viewer { caller, name: user.name, email: user.email.to_string(), csrf }))
        }
        Err(e) if e.status == StatusCode::UNAUTHORIZED => Ok(None),
        Err(e) => Err(error_page(&e)),
    }
}

/// The signed-in viewer of a page that `rule` (the permissions matrix's rules) opens to:
/// sign in first (and come back to `path`) without a session, the 403 page for a role the
/// rule does not allow. The one check every portal page starts with.
pub async fn require_viewer(app: &AppState, headers: &HeaderMap, path: &str, rule: Rule) -> Result<Viewer, Response> {
    let Some(viewer) = viewer_of(app, headers).await? else {
        return Err(see_other(&login_for(path), Vec::new()));
    };
    if rule.allows(viewer.caller.role) {
        return Ok(viewer);
    }
    let area = match rule {
        Rule::PlatformAdmin => "platform admins",
        Rule::TenantRead => "organization members",
        Rule::TenantAdmin => "organization admins",
        Rule::Partner => "partners",
        Rule::Public | Rule::SignedIn => "everyone signed in",
    };
    Err(wrong_role(viewer.caller.role, area))
}

fn server_error() -> Response {
    error_page(&crate::ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", refusal::INTERNAL))
}

/// The 403 page of a signed-in user in another role's area.
pub fn wrong_role(role: Role, area: &str) -> Response {
    let who = match role {
        Role::PlatformAdmin => "a platform admin",
        Role::TenantAdmin => "an organization admin",
        Role::TenantMember => "an organization member",
        Role::Partner => "a partner",
    };
    let body = html! {
        h1 { "Not available to your account" }
        (kit::notice(NoticeKind::Error, "Your role does not allow access to this page."))
        p { "You are signed in as " (who) " and this area is for " (area) "." }
        a.button.primary href=(portal_of(role)) { "Go to your portal" }
    };
    Page::card("Not allowed", body).status(StatusCode::FORBIDDEN).into_response()
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
}
