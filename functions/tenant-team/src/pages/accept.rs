//! `/auth/accept-invitation?token=…`: what accepting would do (GET), and accepting (POST, then
//! 303 to `/auth/login` with a success note). The rules are `service::accept`'s.
use auth::pages::form::{Form, FormGuard, QueryFields, encode, forbidden_form};
use auth::pages::html::{Input, Page, error_banner, escape, hidden, see_other};
use auth::pages::role_label;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use shared::AppState;
use shared::domain::password::MIN_LENGTH;

use super::Problem;
use crate::service::Origin;
use crate::service::accept::{self, AccountState, Preview};

const PAGE: &str = "/auth/accept-invitation";

/// The page of an invitation that cannot be used (a dead or incomplete link, an account
/// elsewhere, a suspended organization), with a way on.
fn problem_page(guard: &FormGuard, problem: &Problem) -> Response {
    let body = format!(
        r#"<h1>This invitation cannot be used</h1>{banner}<a class="button primary" href="/auth/login">Go to sign in</a>
<p class="alt">Not expecting an invitation? You can ignore the email.</p>"#,
        banner = error_banner(&problem.message),
    );
    Page::new("Invitation", body).status(problem.status).cookies(guard.cookies()).into_response()
}

fn organization_of(preview: &Preview) -> &str {
    preview.organization.as_deref().unwrap_or("the DotMac platform")
}

/// The form, for what the invited address needs: a name and a password for a new account, or
/// only a button for an account that is attached.
fn form_page(guard: &FormGuard, token: &str, preview: &Preview, name: &str, problem: Option<&Problem>) -> Response {
    let on = |field: &str| problem.and_then(|p| p.on(field));
    let organization = organization_of(preview);
    let invitation = &preview.invitation;
    let role = role_label(invitation.role);
    let facts = format!(
        r#"<dl class="facts"><dt>Organization</dt><dd>{org}</dd><dt>Email</dt><dd>{email}</dd><dt>Role</dt><dd>{role}</dd><dt>Link valid until</dt><dd><time datetime="{until}">{until_day}</time></dd></dl>"#,
        org = escape(organization),
        email = escape(invitation.email.as_str()),
        role = escape(role),
        until = invitation.expires_at,
        until_day = &invitation.expires_at.to_rfc3339()[..10],
    );
    let banner = match problem {
        Some(p) if p.field.is_some() => error_banner("Please correct the field marked below."),
        Some(p) => error_banner(&p.message),
        None => String::new(),
    };
    let (lead, fields, button) = match preview.account {
        AccountState::New => {
            let hint = format!("At least {MIN_LENGTH} characters. Avoid passwords used on other sites.");
            let fields = format!(
                "{}{}{}",
                Input::new("Your name", "name", "text").value(name).autocomplete("name").attrs("required autofocus maxlength=\"100\"").error(on("name")).render(),
                Input::new("Password", "password", "password").autocomplete("new-password").attrs("required minlength=\"8\"").hint(&hint).error(on("password")).render(),
                Input::new("Repeat the password", "password_confirm", "password").autocomplete("new-password").attrs("required").error(on("password_confirm")).render(),
            );
            ("Create your account to join. Your email address is confirmed by this link.".to_string(), fields, "Accept and create my account")
        }
        _ => (
            "You already have a DotMac account with this address. Accepting adds it to the organization and turns it back on; then sign in with your current password.".to_string(),
            String::new(),
            "Accept invitation",
        ),
    };
    let body = format!(
        r#"<h1>Join {org}</h1><p class="lead">{lead}</p>{banner}{facts}
<form method="post" action="{PAGE}" novalidate>{guard}{token}{fields}<button type="submit" class="button primary">{button}</button></form>
<p class="alt">Already set up? <a href="/auth/login">Sign in</a></p>"#,
        org = escape(organization),
        lead = escape(&lead),
        guard = guard.field(),
        token = hidden("token", token),
    );
    let status = problem.map(|p| p.status).unwrap_or(StatusCode::OK);
    Page::new("Accept invitation", body).status(status).cookies(guard.cookies()).into_response()
}

/// The page for a preview: the form, or why the invitation cannot be used by this address.
fn preview_page(guard: &FormGuard, token: &str, preview: &Preview) -> Response {
    match preview.account {
        AccountState::New | AccountState::Attachable => form_page(guard, token, preview, preview.invitation.name.as_deref().unwrap_or(""), None),
        AccountState::AlreadyMember => problem_page(guard, &Problem::new(
            StatusCode::CONFLICT,
            format!("{} is already a member of {}. Sign in to continue.", preview.invitation.email, organization_of(preview)),
        )),
        AccountState::Taken => problem_page(guard, &Problem::from(crate::service::TeamError::EmailTaken)),
    }
}

/// GET /auth/accept-invitation?token=…: shows, never acts (mail scanners open links).
pub async fn show(State(app): State<AppState>, headers: HeaderMap, QueryFields(query): QueryFields) -> Response {
    let guard = FormGuard::from_headers(&headers);
    let token = query.trimmed("token");
    if token.is_empty() {
        return problem_page(&guard, &Problem::new(StatusCode::BAD_REQUEST, "This invitation link is incomplete. Copy the whole link from the email."));
    }
    match accept::preview(&app, token).await {
        Ok(preview) => preview_page(&guard, token, &preview),
        Err(e) => problem_page(&guard, &Problem::from(e)),
    }
}

/// POST /auth/accept-invitation: accepts, then the sign-in page with a success note.
pub async fn submit(State(app): State<AppState>, origin: Origin, headers: HeaderMap, Form(form): Form) -> Response {
    let guard = FormGuard::from_headers(&headers);
    let token = form.trimmed("token");
    if !guard.accepts(&form) {
        return forbidden_form(&format!("{PAGE}?token={}", encode(token)));
    }
    let preview = match accept::preview(&app, token).await {
        Ok(preview) => preview,
        Err(e) => return problem_page(&guard, &Problem::from(e)),
    };
    let name = form.get("name");
    let (name_arg, password_arg) = match preview.account {
        AccountState::New => {
            if form.get("password") != form.get("password_confirm") {
                let problem = Problem { field: Some("password_confirm"), ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "The two passwords are not the same.") };
                return form_page(&guard, token, &preview, name, Some(&problem));
            }
            (Some(name.to_string()), Some(form.get("password").to_string()))
        }
        AccountState::Attachable => (None, None),
        _ => return preview_page(&guard, token, &preview),
    };
    match accept::accept(&app, token, name_arg, password_arg, &origin).await {
        Ok(_) => see_other("/auth/login?notice=invitation_accepted", Vec::new()),
        Err(e) => {
            let problem = Problem::from(e);
            if problem.field.is_some() {
                form_page(&guard, token, &preview, name, Some(&problem))
            } else {
                problem_page(&guard, &problem)
            }
        }
    }
}
