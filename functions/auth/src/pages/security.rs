//! The signed-in user's security page: where the account is signed in (each session can be
//! signed out), two-factor authentication (turn on with a QR code, backup codes shown once,
//! new backup codes, turn off), and signing out of this device. It sits in the app shell of
//! the viewer's own portal, whatever the role: every account has one.
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::ids::SessionId;
use domain::time::Timestamp;
use domain::totp;
use domain::user::Role;
use maud::{Markup, PreEscaped, Render, html};
use serde::Deserialize;
use store::repo::sessions::Session;
use web::ApiError;
use web::auth::cookies;
use web::client::ClientMeta;
use web::kit::{
    self, ButtonStyle, Column, Input, InputMode, InputType, NoticeKind, Tone, data_table, field, link_button, post_form, status_badge, submit,
};
use web::pages::{Viewer, banner};

use super::form::{Form, QueryFields, csrf_token_ok, forbidden_form};
use super::html::{Page, see_other};
use super::login::CsrfForm;
use super::{error_page, portal_of, refusal, require_viewer, reworded};
use crate::service::{AuthError, account, mfa, sessions};
use crate::state::AuthState;

const PAGE: &str = "/auth/security";
/// Sessions shown: far more than anyone has; the page says so if there are more.
const SESSION_LIMIT: usize = 100;

/// Starting the setup: the account's password.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    password: String,
}

/// A signed-in form with the password and a code: confirming the setup, new backup codes.
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
}

#[derive(Debug, Deserialize)]
pub struct DisableForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
}

/// Which form of the page a refusal belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Start,
    Regenerate,
    Disable,
}

/// Notices after a redirect come from this fixed list: the query names one, it never
/// carries the text (which would let a link put words in our mouth).
fn notice(code: &str) -> Option<&'static str> {
    match code {
        "session_revoked" => Some("That session is signed out."),
        "session_gone" => Some("That session had already ended."),
        "mfa_off" => Some("Two-factor authentication is off, and your backup codes no longer work."),
        _ => None,
    }
}

/// What a session's user agent says of the device: "Chrome on Linux".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Device<'a> {
    Unknown,
    /// Neither browser nor system recognised: the start of the user agent itself.
    Raw(&'a str),
    Browser(&'static str),
    System(&'static str),
    Both(&'static str, &'static str),
}

fn device(user_agent: &str) -> Device<'_> {
    let ua = user_agent;
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("OPR/") {
        "Opera"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("HeadlessChrome/") {
        "Headless Chrome"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else if ua.starts_with("curl/") {
        "curl"
    } else {
        ""
    };
    let os = if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Android") {
        "Android"
    } else if ua.contains("iPhone") || ua.contains("iPad") {
        "iOS"
    } else if ua.contains("Mac OS X") {
        "macOS"
    } else if ua.contains("CrOS") {
        "ChromeOS"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        ""
    };
    match (browser, os) {
        ("", "") if ua.is_empty() => Device::Unknown,
        ("", "") => Device::Raw(first_chars(ua, 40)),
        (b, "") => Device::Browser(b),
        ("", o) => Device::System(o),
        (b, o) => Device::Both(b, o),
    }
}

impl Render for Device<'_> {
    fn render(&self) -> Markup {
        match *self {
            Device::Unknown => html! { "Unknown device" },
            Device::Raw(ua) => html! { (ua) },
            Device::Browser(b) => html! { (b) },
            Device::System(o) => html! { "A browser on " (o) },
            Device::Both(b, o) => html! { (b) " on " (o) },
        }
    }
}

/// The first `n` characters of `text` (whole characters, never half of one).
fn first_chars(text: &str, n: usize) -> &str {
    text.char_indices().nth(n).map_or(text, |(at, _)| &text[..at])
}

/// `2026-11-25 10:00` (UTC, as the column heading says) inside a machine-readable `<time>`.
fn when(t: Timestamp) -> Markup {
    let rfc = t.to_rfc3339();
    let shown = rfc.get(..16).unwrap_or(&rfc).replacen('T', " ", 1);
    html! { time datetime=(rfc) { (shown) } }
}

/// The way up from a page of this area: the home of the viewer's portal (named as that
/// portal's own pages name it), then this page for the pages under it.
fn crumbs(viewer: &Viewer, under_security: bool) -> Vec<(String, String)> {
    let role = viewer.caller.role;
    let home = if role == Role::PlatformAdmin { "Dashboard" } else { "Overview" };
    let mut trail = vec![(home.to_string(), portal_of(role).to_string())];
    if under_security {
        trail.push(("Security".to_string(), PAGE.to_string()));
    }
    trail
}

/// What the security page shows of the account.
struct Me<'a> {
    name: &'a str,
    email: &'a str,
    two_factor: bool,
}

/// What the top of the page says: a notice after a redirect, or the refusal of one of its
/// forms (in full: the field it is about may be far down the page).
enum Top<'a> {
    Nothing,
    Notice(&'a str),
    Refused(Section, &'a ApiError),
}

fn sessions_table(viewer: &Viewer, list: &[Session]) -> Markup {
    let columns = [Column::text("Device"), Column::text("IP address"), Column::text("When (UTC)"), Column::actions("Action")];
    let rows: Vec<Vec<Markup>> = list
        .iter()
        .map(|s| {
            let label = device(&s.user_agent);
            vec![
                html! {
                    strong { (label) }
                    @if s.id == viewer.caller.session_id { " " (status_badge("This device", Tone::Info)) }
                    div.small.muted.ua { (first_chars(&s.user_agent, 120)) }
                },
                html! { span.nowrap { (s.ip) } },
                html! {
                    div { span.muted.small { "Signed in" } " " (when(s.created_at)) }
                    div { span.muted.small { "Last active" } " " (when(s.last_seen_at)) }
                },
                html! {
                    form method="post" action={ "/auth/security/sessions/" (s.id.as_str()) "/revoke" } {
                        (viewer.csrf_field())
                        button type="submit" class="button secondary" aria-label={ "Sign out the session on " (label) } { "Sign out" }
                    }
                },
            ]
        })
        .collect();
    data_table("Where you are signed in", &columns, &rows, "No session is open.", None)
}

fn two_factor_section(viewer: &Viewer, me: &Me<'_>, top: &Top<'_>) -> Markup {
    let field_error = |section: Section, name: &str| match top {
        Top::Refused(s, e) if *s == section => e.on(name),
        _ => None,
    };
    if !me.two_factor {
        let start_password = current_password("start-password")
            .hint("Your password, to show it is you.")
            .error(field_error(Section::Start, "password"));
        return html! {
            h2 { "Two-factor authentication " (status_badge("Off", Tone::Neutral)) }
            p.muted {
                "Protect your account with a second step at sign-in: a 6-digit code from an authenticator app such as 1Password, Google Authenticator or Authy."
            }
            (post_form("/auth/security/mfa/start", viewer.csrf(), html! {
                (field(&start_password))
                (submit("Turn on two-factor authentication", ButtonStyle::Primary))
            }))
        };
    }
    let regen_password = current_password("regen-password")
        .error(field_error(Section::Regenerate, "password"));
    let regen_code = Input::new("Code from your authenticator app", "code", InputType::Text)
        .id("regen-code")
        .autocomplete("one-time-code")
        .code()
        .inputmode(InputMode::Numeric)
        .required()
        .hint("Your current backup codes stop working when the new ones are made.")
        .error(field_error(Section::Regenerate, "code"));
    let off_password = current_password("off-password")
        .error(field_error(Section::Disable, "password"));
    let off_code = Input::new("Code from your authenticator app, or a backup code", "code", InputType::Text)
        .id("off-code")
        .autocomplete("one-time-code")
        .code()
        .required()
        .error(field_error(Section::Disable, "code"));
    html! {
        h2 { "Two-factor authentication " (status_badge("On", Tone::Success)) }
        p.muted { "Signing in asks for a code from your authenticator app after your password." }
        h3 { "New backup codes" }
        (post_form("/auth/security/mfa/backup-codes", viewer.csrf(), html! {
            (field(&regen_password))
            (field(&regen_code))
            (submit("Regenerate backup codes", ButtonStyle::Secondary))
        }))
        h3 { "Turn off two-factor authentication" }
        (post_form("/auth/security/mfa/disable", viewer.csrf(), html! {
            (field(&off_password))
            (field(&off_code))
            (submit("Turn off", ButtonStyle::Danger))
        }))
    }
}

fn security_page(viewer: &Viewer, me: &Me<'_>, list: &[Session], more: bool, top: &Top<'_>) -> Page {
    let body = html! {
        p.lead { "Signed in as " strong { (me.name) } " (" (me.email) ")" }
        @match top {
            Top::Nothing => {},
            Top::Notice(text) => (kit::notice(NoticeKind::Notice, *text)),
            Top::Refused(_, e) => (kit::notice(NoticeKind::Error, e.message_for_people().as_str())),
        }
        section.panel {
            h2 { "Where you are signed in" }
            p.muted { "Sign out any session you do not recognise, then change your password." }
            (sessions_table(viewer, list))
            @if more { p.small.muted.mt-2 { "Showing the " (SESSION_LIMIT) " newest sessions." } }
        }
        section.panel { (two_factor_section(viewer, me, top)) }
        section.panel {
            h2 { "Sign out" }
            (post_form("/auth/logout", viewer.csrf(), submit("Sign out of this device", ButtonStyle::Secondary)))
        }
    };
    let status = match top {
        Top::Refused(_, e) => e.status,
        _ => StatusCode::OK,
    };
    let retry_after = match top {
        Top::Refused(_, e) => e.retry_after,
        _ => None,
    };
    Page::app(viewer, "overview", "Security", body).crumbs(crumbs(viewer, false)).status(status).retry_after(retry_after)
}

/// Loads what the page shows and renders it.
async fn render(state: &AuthState, viewer: &Viewer, top: &Top<'_>) -> Response {
    let user = match account::me(state, &viewer.caller.user_id).await {
        Ok(u) => u,
        Err(e) => return failure(e),
    };
    let (list, more) = match sessions::list(state, &viewer.caller.user_id, SESSION_LIMIT, None).await {
        Ok(page) => page,
        Err(e) => return failure(e),
    };
    let me = Me { name: &user.name, email: user.email.as_str(), two_factor: user.mfa.enabled };
    security_page(viewer, &me, &list, more.is_some(), top).into_response()
}

fn failure(e: AuthError) -> Response {
    error_page(&refusal(e))
}

/// A signed-in POST of this page: the viewer, once the form's `csrf_token` checks out.
async fn signed_in_post(state: &AuthState, headers: &HeaderMap, csrf_token: &str) -> Result<Viewer, Response> {
    let viewer = require_viewer(state, headers, PAGE).await?;
    if !csrf_token_ok(&viewer, csrf_token) {
        return Err(forbidden_form(PAGE));
    }
    Ok(viewer)
}

/// GET /auth/security
pub async fn show(State(state): State<AuthState>, headers: HeaderMap, QueryFields(query): QueryFields) -> Result<Response, Response> {
    let viewer = require_viewer(&state, &headers, PAGE).await?;
    let top = notice(query.get("notice")).map_or(Top::Nothing, Top::Notice);
    Ok(render(&state, &viewer, &top).await)
}

/// POST /auth/security/sessions/{id}/revoke: signing out this very session signs this
/// browser out too.
pub async fn revoke(
    State(state): State<AuthState>,
    meta: ClientMeta,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, Response> {
    let viewer = signed_in_post(&state, &headers, &f.csrf_token).await?;
    let Some(id) = SessionId::parse(&id) else { return Ok(see_other("/auth/security?notice=session_gone", Vec::new())) };
    match sessions::revoke(&state, &viewer.caller.user_id, &id, &meta).await {
        Ok(()) if id == viewer.caller.session_id => Ok(see_other("/auth/login", cookies::sign_out())),
        Ok(()) => Ok(see_other("/auth/security?notice=session_revoked", Vec::new())),
        Err(AuthError::NotFound(_)) => Ok(see_other("/auth/security?notice=session_gone", Vec::new())),
        Err(e) => Err(failure(e)),
    }
}

/// The setup step: the QR code, the key for typing in by hand, and the code to confirm.
fn setup_page(viewer: &Viewer, setup: &mfa::Setup, error: Option<&ApiError>) -> Page {
    let grouped: Vec<&str> = setup.secret.as_bytes().chunks(4).filter_map(|c| std::str::from_utf8(c).ok()).collect();
    let password = current_password("confirm-password")
        .error(error.and_then(|e| e.on("password")));
    let code = Input::new("Code", "code", InputType::Text)
        .autocomplete("one-time-code")
        .code()
        .inputmode(InputMode::Numeric)
        .pattern("[0-9 ]{6,7}")
        .maxlength(7)
        .required()
        // No autofocus: it would scroll the QR code out of view.
        .error(error.and_then(|e| e.on("code")));
    let body = html! {
        @if let Some(e) = error { (banner(e)) }
        section.panel {
            h2 { "1. Scan this QR code" }
            // Raw on purpose, the one `PreEscaped` of these pages: the browser must get the
            // SVG as markup to draw it, and `totp::qr_svg` writes it itself from fixed
            // templates, encoding our otpauth URI (where the address is percent-encoded) as
            // dark and light squares only; no text of the URI or of the user is in it.
            div.qr { (PreEscaped(setup.qr_svg.as_str())) }
            p.small.muted { "Can't scan it? Enter this key in the app instead:" }
            p.secret { (grouped.join(" ")) }
            h2 { "2. Enter the 6-digit code the app shows, and your password" }
            (post_form("/auth/security/mfa/confirm", viewer.csrf(), html! {
                (field(&code))
                (field(&password))
                (submit("Turn on", ButtonStyle::Primary))
            }))
            p.alt { a href="/auth/security" { "Cancel" } }
        }
    };
    Page::app(viewer, "overview", "Turn on two-factor authentication", body)
        .subtitle("Two quick steps with an authenticator app on your phone.")
        .crumbs(crumbs(viewer, true))
        .status(error.map_or(StatusCode::OK, |e| e.status))
        .retry_after(error.and_then(|e| e.retry_after))
}

/// The backup codes, shown this once.
fn codes_page(viewer: &Viewer, codes: &[String], heading: &str) -> Page {
    let body = html! {
        (kit::notice(NoticeKind::Warn, html! {
            strong { "Save these backup codes now." }
            " This is the only time they are shown. Each code signs you in once if you lose your phone."
        }))
        section.panel {
            ol.codes.mw-420 { @for code in codes { li { (code) } } }
            p.small.muted {
                "Keep them in a password manager or print them. You can make a new set at any time from the security page; the old set then stops working."
            }
            (link_button("I have saved my codes", "/auth/security", ButtonStyle::Primary))
        }
    };
    Page::app(viewer, "overview", heading, body).crumbs(crumbs(viewer, true))
}

/// POST /auth/security/mfa/start
pub async fn start_mfa(State(state): State<AuthState>, meta: ClientMeta, headers: HeaderMap, Form(f): Form<PasswordForm>) -> Result<Response, Response> {
    let viewer = signed_in_post(&state, &headers, &f.csrf_token).await?;
    let result = if f.password.is_empty() {
        Err(AuthError::invalid("password", "must not be empty"))
    } else {
        mfa::start(&state, &viewer.caller.user_id, f.password.clone(), &meta).await
    };
    match result {
        Ok(setup) => {
            // The page carries the secret: never cached.
            let mut response = setup_page(&viewer, &setup, None).into_response();
            response.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
            Ok(response)
        }
        // Already on (another tab got there first): the page shows the current state.
        Err(AuthError::Conflict(_)) => Ok(see_other(PAGE, Vec::new())),
        Err(e @ (AuthError::WrongPasswordOrCode | AuthError::MfaLocked { .. } | AuthError::Limited(_) | AuthError::Invalid { .. })) => {
            let e = match e {
                // Only the password is asked for here, so the refusal can say so.
                AuthError::WrongPasswordOrCode => reworded(refusal(e), "That password is wrong.").with_field("password"),
                other => refusal(other),
            };
            Ok(render(&state, &viewer, &Top::Refused(Section::Start, &e)).await)
        }
        Err(e) => Err(failure(e)),
    }
}

/// The pending setup again, to retry a wrong code without a new secret.
async fn pending_setup(state: &AuthState, viewer: &Viewer) -> Option<mfa::Setup> {
    let user = account::me(state, &viewer.caller.user_id).await.ok()?;
    let encoded = user.mfa.pending_secret?;
    let secret = totp::TotpSecret::from_base32(&encoded)?;
    let uri = totp::otpauth_uri(&secret, mfa::ISSUER, user.email.as_str());
    Some(mfa::Setup { secret: encoded, qr_svg: totp::qr_svg(&uri), otpauth_uri: uri })
}

/// Authenticator apps show "123 456"; the space is not part of the code.
fn digits(code: &str) -> String {
    code.chars().filter(|c| !c.is_whitespace()).collect()
}

/// POST /auth/security/mfa/confirm
pub async fn confirm_mfa(State(state): State<AuthState>, meta: ClientMeta, headers: HeaderMap, Form(f): Form<CodeForm>) -> Result<Response, Response> {
    let viewer = signed_in_post(&state, &headers, &f.csrf_token).await?;
    let code = digits(&f.code);
    let result = if code.is_empty() || f.password.is_empty() {
        Err(AuthError::WrongPasswordOrCode)
    } else {
        mfa::confirm(&state, &viewer.caller.user_id, f.password.clone(), &code, &meta).await
    };
    match result {
        Ok(codes) => Ok(codes_page(&viewer, &codes, "Two-factor authentication is on").into_response()),
        Err(e @ (AuthError::WrongPasswordOrCode | AuthError::MfaLocked { .. } | AuthError::Limited(_))) => {
            // One refusal for a wrong password and a wrong code: it names neither field.
            let e = refusal(e);
            match pending_setup(&state, &viewer).await {
                Some(setup) => Ok(setup_page(&viewer, &setup, Some(&e)).into_response()),
                None => Ok(see_other(PAGE, Vec::new())),
            }
        }
        // Not started, or already on: the security page shows where things stand.
        Err(AuthError::Conflict(_)) => Ok(see_other(PAGE, Vec::new())),
        Err(e) => Err(failure(e)),
    }
}

/// POST /auth/security/mfa/backup-codes
pub async fn regenerate_codes(State(state): State<AuthState>, meta: ClientMeta, headers: HeaderMap, Form(f): Form<CodeForm>) -> Result<Response, Response> {
    let viewer = signed_in_post(&state, &headers, &f.csrf_token).await?;
    let code = digits(&f.code);
    let result = if code.is_empty() || f.password.is_empty() {
        Err(AuthError::WrongPasswordOrCode)
    } else {
        mfa::regenerate(&state, &viewer.caller.user_id, f.password.clone(), &code, &meta).await
    };
    match result {
        Ok(codes) => Ok(codes_page(&viewer, &codes, "Your new backup codes").into_response()),
        Err(AuthError::Conflict(_)) => Ok(see_other(PAGE, Vec::new())),
        Err(e) => {
            let mut e = refusal(e);
            if e.status == StatusCode::UNAUTHORIZED {
                // One refusal for both: it names neither field.
                e = reworded(e, "The password or the code is wrong. New backup codes need your password and a code from your authenticator app (not a backup code).");
            }
            Ok(render(&state, &viewer, &Top::Refused(Section::Regenerate, &e)).await)
        }
    }
}

/// POST /auth/security/mfa/disable
pub async fn disable_mfa(State(state): State<AuthState>, meta: ClientMeta, headers: HeaderMap, Form(f): Form<DisableForm>) -> Result<Response, Response> {
    let viewer = signed_in_post(&state, &headers, &f.csrf_token).await?;
    let code = f.code.trim();
    let result = if code.is_empty() || f.password.is_empty() {
        Err(AuthError::WrongPasswordOrCode)
    } else {
        mfa::disable(&state, &viewer.caller.user_id, f.password.clone(), code, &meta).await
    };
    match result {
        Ok(()) => Ok(see_other("/auth/security?notice=mfa_off", Vec::new())),
        Err(AuthError::Conflict(_)) => Ok(see_other(PAGE, Vec::new())),
        Err(e) => {
            // A wrong password and a wrong code are one refusal, naming neither field.
            let e = refusal(e);
            Ok(render(&state, &viewer, &Top::Refused(Section::Disable, &e)).await)
        }
    }
}

/// The account's current password, asked again before a second-factor change; `id` tells the
/// page's several forms apart.
fn current_password(id: &'static str) -> Input<'static> {
    Input::new("Password", "password", InputType::Password).id(id).autocomplete("current-password").required()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::testing::{XSS, assert_inert, shoot, viewer};

    const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

    fn text(device: Device<'_>) -> String {
        device.render().into_string()
    }

    fn session(viewer: &Viewer, id: Option<SessionId>, ip: &str, user_agent: &str) -> Session {
        let at = Timestamp::from_unix(1_780_000_000);
        Session {
            id: id.unwrap_or_else(|| SessionId::generate(Timestamp::from_unix(1_779_000_000))),
            user_id: viewer.caller.user_id.clone(),
            tenant_id: None,
            role: viewer.caller.role,
            created_at: at,
            last_seen_at: at.plus_seconds(3_600),
            ip: ip.to_string(),
            user_agent: user_agent.to_string(),
            refresh_hash: String::new(),
            rotated_hashes: Vec::new(),
            expires_at: at.plus_seconds(86_400),
        }
    }

    #[test]
    fn user_agents_become_short_device_names() {
        assert_eq!(text(device(CHROME)), "Chrome on Linux");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(text(device(safari)), "Safari on iOS");
        assert_eq!(text(device("")), "Unknown device");
        assert_eq!(text(device("curl/8.5.0")), "curl");
        assert_eq!(device("Mozilla/5.0 (Windows NT 10.0)"), Device::System("Windows"));
        assert_eq!(device(&"é".repeat(50)), Device::Raw(&"é".repeat(50)[..80]), "forty whole characters");
    }

    #[test]
    fn times_are_shown_to_the_minute_in_utc() {
        assert_eq!(when(Timestamp::from_unix(0)).into_string(), r#"<time datetime="1970-01-01T00:00:00Z">1970-01-01 00:00</time>"#);
    }

    #[test]
    fn only_known_notices_are_shown() {
        assert!(notice("session_revoked").is_some());
        assert!(notice("<script>").is_none());
    }

    #[test]
    fn the_security_page_lists_sessions_in_the_shell_of_the_viewer_portal() {
        let v = viewer(Role::TenantAdmin, "Ada Lovelace", "ada@example.com");
        let list = [
            session(&v, Some(v.caller.session_id.clone()), "203.0.113.7", CHROME),
            session(&v, None, "2001:db8::1", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"),
        ];
        let me = Me { name: "Ada Lovelace", email: "ada@example.com", two_factor: false };
        let html = security_page(&v, &me, &list, true, &Top::Notice("That session is signed out.")).render().into_string();
        assert!(html.contains("Signed in as <strong>Ada Lovelace</strong> (ada@example.com)"));
        assert!(html.contains(r#"<a href="/portal" aria-current="page">Overview</a>"#), "the tenant portal's shell");
        assert!(html.contains(r#"<li><a href="/portal">Overview</a></li><li aria-current="page">Security</li>"#), "breadcrumbs");
        for s in &list {
            assert!(html.contains(&["action=\"/auth/security/sessions/", s.id.as_str(), "/revoke\""].concat()));
        }
        assert_eq!(html.matches("This device").count(), 1);
        assert!(html.contains("Showing the 100 newest sessions."));
        assert!(html.contains("Turn on two-factor authentication"));
        shoot("security", &html);

        let on = Me { two_factor: true, ..me };
        let e = ApiError::from(AuthError::WrongPasswordOrCode);
        let page = security_page(&v, &on, &list, false, &Top::Refused(Section::Disable, &e));
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        let html = page.render().into_string();
        assert!(html.contains("Regenerate backup codes"));
        assert!(html.contains("The password or the code is wrong."), "one refusal for either");
        assert!(!html.contains("off-password-error") && !html.contains("off-code-error"), "naming neither field");
        assert_eq!(html.matches(r#"name="password""#).count(), 2, "both forms ask for the password");
        let e = reworded(ApiError::from(AuthError::WrongPasswordOrCode).with_field("password"), "That password is wrong.");
        let html = security_page(&v, &me, &list, false, &Top::Refused(Section::Start, &e)).render().into_string();
        assert!(html.contains(r#"<p class="field-error" id="start-password-error">That password is wrong.</p>"#), "beside its field");
        shoot("security-2fa-on", &html);
    }

    #[test]
    fn the_security_page_escapes_names_addresses_user_agents_and_ips() {
        let v = viewer(Role::PlatformAdmin, XSS, XSS);
        let list = [session(&v, Some(v.caller.session_id.clone()), XSS, XSS), session(&v, None, XSS, XSS)];
        let me = Me { name: XSS, email: XSS, two_factor: true };
        let e = ApiError::conflict("conflict", XSS);
        for top in [Top::Nothing, Top::Notice(XSS), Top::Refused(Section::Regenerate, &e)] {
            let html = security_page(&v, &me, &list, false, &top).render().into_string();
            assert_inert(&html);
            assert!(html.contains("aria-label=\"Sign out the session on &lt;script&gt;"), "{html}");
        }
    }

    #[test]
    fn the_setup_and_codes_pages_escape_their_text() {
        let v = viewer(Role::Partner, XSS, XSS);
        let secret = totp::TotpSecret::generate();
        let uri = totp::otpauth_uri(&secret, mfa::ISSUER, XSS);
        let setup = mfa::Setup { secret: secret.to_base32(), qr_svg: totp::qr_svg(&uri), otpauth_uri: uri };
        let e = ApiError::from(AuthError::InvalidCode).with_field("code");
        let html = setup_page(&v, &setup, Some(&e)).render().into_string();
        assert_inert(&html);
        assert!(html.contains("<div class=\"qr\"><svg"), "the QR code is drawn");
        assert!(html.contains("That code is wrong"));
        let codes = [XSS.to_string(), "abcd-efgh".to_string()];
        let html = codes_page(&v, &codes, XSS).render().into_string();
        assert_inert(&html);
        assert!(html.contains("<li>abcd-efgh</li>"));
    }

    #[test]
    fn snapshots_of_the_setup_and_codes_pages() {
        let v = viewer(Role::TenantMember, "Ada Lovelace", "ada@example.com");
        let secret = totp::TotpSecret::generate();
        let uri = totp::otpauth_uri(&secret, mfa::ISSUER, "ada@example.com");
        let setup = mfa::Setup { secret: secret.to_base32(), qr_svg: totp::qr_svg(&uri), otpauth_uri: uri };
        shoot("mfa-setup", &setup_page(&v, &setup, None).render().into_string());
        let codes: Vec<String> = (0..10).map(|i| ["k3f9-", &(1000 + i).to_string()].concat()).collect();
        shoot("backup-codes", &codes_page(&v, &codes, "Two-factor authentication is on").render().into_string());
    }
}
