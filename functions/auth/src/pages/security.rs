//! The signed-in user's security page: where the account is signed in (each session can be
//! signed out), two-factor authentication (turn on with a QR code, backup codes shown once,
//! new backup codes, turn off), and signing out of this device.
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use shared::auth::{cookies, totp};
use shared::domain::ids::SessionId;
use shared::domain::time::Timestamp;
use shared::http::client::ClientMeta;

use super::form::{Fields, Form, QueryFields, csrf_ok, forbidden_form};
use super::html::{Input, Page, error_banner, escape, notice_banner, see_other};
use super::{Problem, Viewer, portal_of, require_viewer};
use crate::service::{AuthError, account, mfa, sessions};
use crate::state::AuthState;

const PAGE: &str = "/auth/security";
/// Sessions shown: far more than anyone has; the page says so if there are more.
const SESSION_LIMIT: usize = 100;

/// Which form of the page a problem belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
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

/// "Chrome on Linux" from a user agent; the raw string stays available under it.
fn device(user_agent: &str) -> String {
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
        ("", "") if ua.is_empty() => "Unknown device".to_string(),
        ("", "") => ua.chars().take(40).collect(),
        (b, "") => b.to_string(),
        ("", o) => format!("A browser on {o}"),
        (b, o) => format!("{b} on {o}"),
    }
}

/// `2026-11-25 10:00` (UTC, as the column heading says) inside a machine-readable `<time>`.
fn when(t: Timestamp) -> String {
    let rfc = t.to_rfc3339();
    let shown = rfc.get(..16).unwrap_or(&rfc).replacen('T', " ", 1);
    format!(r#"<time datetime="{}">{}</time>"#, escape(&rfc), escape(&shown))
}

async fn render(state: &AuthState, viewer: &Viewer, banner: Option<&str>, problem: Option<(Section, &Problem)>) -> Response {
    let user = match account::me(state, &viewer.caller.user_id).await {
        Ok(u) => u,
        Err(e) => return failure(e),
    };
    let (list, more) = match sessions::list(state, &viewer.caller.user_id, SESSION_LIMIT, None).await {
        Ok(page) => page,
        Err(e) => return failure(e),
    };
    let rows: String = list
        .iter()
        .map(|s| {
            let label = device(&s.user_agent);
            let current = s.id == viewer.caller.session_id;
            format!(
                r#"<tr><td><strong>{label}</strong>{badge}<div class="small muted ua">{ua}</div></td><td class="ip">{ip}</td><td><div><span class="muted small">Signed in</span> {created}</div><div><span class="muted small">Last active</span> {seen}</div></td>
<td class="actions"><form method="post" action="/auth/security/sessions/{id}/revoke">{csrf}<button type="submit" class="button secondary" aria-label="Sign out the session on {label}">Sign out</button></form></td></tr>"#,
                label = escape(&label),
                badge = if current { r#" <span class="badge">This device</span>"# } else { "" },
                ua = escape(&s.user_agent.chars().take(120).collect::<String>()),
                ip = escape(&s.ip),
                created = when(s.created_at),
                seen = when(s.last_seen_at),
                id = escape(s.id.as_str()),
                csrf = viewer.csrf_field(),
            )
        })
        .collect();
    let more = if more.is_some() { format!(r#"<p class="small muted">Showing the {SESSION_LIMIT} newest sessions.</p>"#) } else { String::new() };
    let section_problem = |section: Section| problem.filter(|(s, _)| *s == section).map(|(_, p)| p);
    let field_error = |section: Section, field: &str| section_problem(section).and_then(|p| p.on(field));
    let two_factor = if user.mfa.enabled {
        format!(
            r#"<h2>Two-factor authentication <span class="badge on">On</span></h2>
<p class="muted">Signing in asks for a code from your authenticator app after your password.</p>
<h3>New backup codes</h3>
<form method="post" action="/auth/security/mfa/backup-codes" novalidate>{csrf}{regen_code}<button type="submit" class="button secondary">Regenerate backup codes</button></form>
<h3>Turn off two-factor authentication</h3>
<form method="post" action="/auth/security/mfa/disable" novalidate>{csrf}{off_password}{off_code}<button type="submit" class="button danger">Turn off</button></form>"#,
            csrf = viewer.csrf_field(),
            regen_code = Input::new("Code from your authenticator app", "code", "text")
                .autocomplete("one-time-code")
                .attrs(r#"class="code" inputmode="numeric" required"#)
                .hint("Your current backup codes stop working when the new ones are made.")
                .error(field_error(Section::Regenerate, "code"))
                .render(),
            off_password = Input::new("Password", "password", "password")
                .autocomplete("current-password")
                .attrs("required")
                .error(field_error(Section::Disable, "password"))
                .render(),
            off_code = Input::new("Code from your authenticator app, or a backup code", "code", "text")
                .autocomplete("one-time-code")
                .attrs(r#"class="code" required"#)
                .error(field_error(Section::Disable, "code"))
                .render(),
        )
    } else {
        format!(
            r#"<h2>Two-factor authentication <span class="badge off">Off</span></h2>
<p class="muted">Protect your account with a second step at sign-in: a 6-digit code from an authenticator app such as 1Password, Google Authenticator or Authy.</p>
<form method="post" action="/auth/security/mfa/start">{csrf}<button type="submit" class="button primary auto">Turn on two-factor authentication</button></form>"#,
            csrf = viewer.csrf_field(),
        )
    };
    let top = match (banner, problem) {
        (_, Some((_, p))) => error_banner(&p.message),
        (Some(text), None) => notice_banner(text),
        (None, None) => String::new(),
    };
    let body = format!(
        r#"<div class="between"><h1>Security</h1><a href="{portal}">Back to your portal</a></div>
<p class="lead">Signed in as <strong>{name}</strong> ({email})</p>{top}
<h2>Where you are signed in</h2>
<p class="muted">Sign out any session you do not recognise, then change your password.</p>
<div class="table"><table><thead><tr><th>Device</th><th>IP address</th><th>Activity (UTC)</th><th><span class="sr">Action</span></th></tr></thead><tbody>{rows}</tbody></table></div>{more}
<div class="section">{two_factor}</div>
<div class="section"><h2>Sign out</h2><form method="post" action="/auth/logout">{csrf}<button type="submit" class="button secondary">Sign out of this device</button></form></div>"#,
        portal = portal_of(viewer.caller.role),
        name = escape(&user.name),
        email = escape(user.email.as_str()),
        csrf = viewer.csrf_field(),
    );
    let status = problem.map(|(_, p)| p.status).unwrap_or(StatusCode::OK);
    Page::new("Security", body).status(status).wide().into_response()
}

fn failure(e: AuthError) -> Response {
    let problem = Problem::from(e);
    super::error_page(problem.status, &problem.message)
}

/// A signed-in POST of this page: the viewer, once the form's `csrf_token` checks out.
async fn signed_in_post(state: &AuthState, headers: &HeaderMap, form: &Fields) -> Result<Viewer, Response> {
    let viewer = require_viewer(state, headers, PAGE).await?;
    if !csrf_ok(headers, form) {
        return Err(forbidden_form(PAGE));
    }
    Ok(viewer)
}

/// GET /auth/security
pub async fn show(State(state): State<AuthState>, headers: HeaderMap, QueryFields(query): QueryFields) -> Result<Response, Response> {
    let viewer = require_viewer(&state, &headers, PAGE).await?;
    Ok(render(&state, &viewer, notice(query.get("notice")), None).await)
}

/// POST /auth/security/sessions/{id}/revoke: signing out this very session signs this
/// browser out too.
pub async fn revoke(State(state): State<AuthState>, meta: ClientMeta, headers: HeaderMap, Path(id): Path<String>, Form(form): Form) -> Result<Response, Response> {
    let viewer = signed_in_post(&state, &headers, &form).await?;
    let Some(id) = SessionId::parse(&id) else { return Ok(see_other("/auth/security?notice=session_gone", Vec::new())) };
    match sessions::revoke(&state, &viewer.caller.user_id, &id, &meta).await {
        Ok(()) if id == viewer.caller.session_id => Ok(see_other("/auth/login", cookies::sign_out())),
        Ok(()) => Ok(see_other("/auth/security?notice=session_revoked", Vec::new())),
        Err(AuthError::NotFound(_)) => Ok(see_other("/auth/security?notice=session_gone", Vec::new())),
        Err(e) => Err(failure(e)),
    }
}

/// The setup step: the QR code, the key for typing in by hand, and the code to confirm.
fn setup_page(viewer: &Viewer, setup: &mfa::Setup, problem: Option<&Problem>) -> Response {
    let grouped: Vec<String> = setup.secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
    let body = format!(
        r#"<h1>Turn on two-factor authentication</h1><p class="lead">Two quick steps with an authenticator app on your phone.</p>{banner}
<h2>1. Scan this QR code</h2>
<div class="qr">{qr}</div>
<p class="small muted">Can't scan it? Enter this key in the app instead:</p>
<p class="secret">{secret}</p>
<h2>2. Enter the 6-digit code the app shows</h2>
<form method="post" action="/auth/security/mfa/confirm" novalidate>{csrf}{code}<button type="submit" class="button primary">Turn on</button></form>
<p class="alt"><a href="/auth/security">Cancel</a></p>"#,
        banner = problem.map(Problem::banner).unwrap_or_default(),
        // Generated by `totp::qr_svg` from our own URI: markup we made, not user input.
        qr = setup.qr_svg,
        secret = escape(&grouped.join(" ")),
        csrf = viewer.csrf_field(),
        code = Input::new("Code", "code", "text")
            .autocomplete("one-time-code")
            // No autofocus: it would scroll the QR code out of view.
            .attrs(r#"class="code" inputmode="numeric" pattern="[0-9 ]{6,7}" maxlength="7" required"#)
            .error(problem.and_then(|p| p.on("code")))
            .render(),
    );
    let status = problem.map(|p| p.status).unwrap_or(StatusCode::OK);
    Page::new("Turn on two-factor authentication", body).status(status).into_response()
}

/// The backup codes, shown this once.
fn codes_page(codes: &[String], heading: &str) -> Response {
    let items: String = codes.iter().map(|c| format!("<li>{}</li>", escape(c))).collect();
    let body = format!(
        r#"<h1>{heading}</h1>
<div class="banner warn" role="alert"><strong>Save these backup codes now.</strong> This is the only time they are shown. Each code signs you in once if you lose your phone.</div>
<ol class="codes">{items}</ol>
<p class="small muted">Keep them in a password manager or print them. You can make a new set at any time from the security page; the old set then stops working.</p>
<a class="button primary" href="/auth/security">I have saved my codes</a>"#,
        heading = escape(heading),
    );
    Page::new("Backup codes", body).into_response()
}

/// POST /auth/security/mfa/start
pub async fn start_mfa(State(state): State<AuthState>, meta: ClientMeta, headers: HeaderMap, Form(form): Form) -> Result<Response, Response> {
    let viewer = signed_in_post(&state, &headers, &form).await?;
    match mfa::start(&state, &viewer.caller.user_id, &meta).await {
        Ok(setup) => Ok(setup_page(&viewer, &setup, None)),
        // Already on (another tab got there first): the page shows the current state.
        Err(AuthError::Conflict(_)) => Ok(see_other(PAGE, Vec::new())),
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

/// POST /auth/security/mfa/confirm
pub async fn confirm_mfa(State(state): State<AuthState>, meta: ClientMeta, headers: HeaderMap, Form(form): Form) -> Result<Response, Response> {
    let viewer = signed_in_post(&state, &headers, &form).await?;
    let code: String = form.get("code").chars().filter(|c| !c.is_whitespace()).collect();
    let result = if code.is_empty() { Err(AuthError::InvalidCode) } else { mfa::confirm(&state, &viewer.caller.user_id, &code, &meta).await };
    match result {
        Ok(codes) => Ok(codes_page(&codes, "Two-factor authentication is on")),
        Err(e @ (AuthError::InvalidCode | AuthError::Limited(_))) => {
            let problem = Problem { field: Some("code"), ..Problem::from(e) };
            match pending_setup(&state, &viewer).await {
                Some(setup) => Ok(setup_page(&viewer, &setup, Some(&problem))),
                None => Ok(see_other(PAGE, Vec::new())),
            }
        }
        // Not started, or already on: the security page shows where things stand.
        Err(AuthError::Conflict(_)) => Ok(see_other(PAGE, Vec::new())),
        Err(e) => Err(failure(e)),
    }
}

/// POST /auth/security/mfa/backup-codes
pub async fn regenerate_codes(State(state): State<AuthState>, meta: ClientMeta, headers: HeaderMap, Form(form): Form) -> Result<Response, Response> {
    let viewer = signed_in_post(&state, &headers, &form).await?;
    let code: String = form.get("code").chars().filter(|c| !c.is_whitespace()).collect();
    let result = if code.is_empty() { Err(AuthError::InvalidCode) } else { mfa::regenerate(&state, &viewer.caller.user_id, &code, &meta).await };
    match result {
        Ok(codes) => Ok(codes_page(&codes, "Your new backup codes")),
        Err(AuthError::Conflict(_)) => Ok(see_other(PAGE, Vec::new())),
        Err(e) => {
            let mut problem = Problem::from(e);
            if problem.status == StatusCode::UNAUTHORIZED {
                problem.message = "That code is wrong or was already used. New backup codes need a code from your authenticator app.".into();
                problem.field = Some("code");
            }
            Ok(render(&state, &viewer, None, Some((Section::Regenerate, &problem))).await)
        }
    }
}

/// POST /auth/security/mfa/disable
pub async fn disable_mfa(State(state): State<AuthState>, meta: ClientMeta, headers: HeaderMap, Form(form): Form) -> Result<Response, Response> {
    let viewer = signed_in_post(&state, &headers, &form).await?;
    let code = form.trimmed("code");
    let result = if code.is_empty() {
        Err(AuthError::InvalidCode)
    } else {
        mfa::disable(&state, &viewer.caller.user_id, form.get("password").to_string(), code, &meta).await
    };
    match result {
        Ok(()) => Ok(see_other("/auth/security?notice=mfa_off", Vec::new())),
        Err(AuthError::Conflict(_)) => Ok(see_other(PAGE, Vec::new())),
        Err(e) => {
            let field = match &e {
                AuthError::InvalidCredentials => Some("password"),
                AuthError::InvalidCode => Some("code"),
                _ => None,
            };
            let mut problem = Problem::from(e);
            if field == Some("password") {
                problem.message = "That password is wrong.".into();
            }
            problem.field = field.or(problem.field);
            Ok(render(&state, &viewer, None, Some((Section::Disable, &problem))).await)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_become_short_device_names() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
        assert_eq!(device(chrome), "Chrome on Linux");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(device(safari), "Safari on iOS");
        assert_eq!(device(""), "Unknown device");
        assert_eq!(device("curl/8.5.0"), "curl");
    }

    #[test]
    fn times_are_shown_to_the_minute_in_utc() {
        assert_eq!(when(Timestamp::from_unix(0)), r#"<time datetime="1970-01-01T00:00:00Z">1970-01-01 00:00</time>"#);
    }

    #[test]
    fn only_known_notices_are_shown() {
        assert!(notice("session_revoked").is_some());
        assert!(notice("<script>").is_none());
    }
}
