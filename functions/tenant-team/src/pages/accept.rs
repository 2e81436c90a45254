//! `/auth/accept-invitation?token=…`: what accepting would do (GET), and accepting (POST, then
//! 303 to `/auth/login` with a success note). The rules are `service::accept`'s.
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::password::MIN_LENGTH;
use maud::{Markup, html};
use serde::Deserialize;
use web::kit::{self, ButtonStyle, Input, InputType, NoticeKind};
use web::pages::form::{Form, FormGuard, QueryFields, forbidden_form};
use web::pages::{Page, banner, role_label, see_other};
use web::{ApiError, AppState};

use super::text;
use crate::service::accept::{self, AccountState, Preview};
use crate::service::{Origin, TeamError};

const PAGE: &str = "/auth/accept-invitation";

/// The accept form's fields. Every one defaults to "", as an absent field always read.
#[derive(Debug, Default, Deserialize)]
struct AcceptForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

/// Why an invitation cannot be used (a dead or incomplete link, an account elsewhere, a
/// suspended organization), with a way on.
fn problem_body(message: Markup) -> Markup {
    html! {
        h1 { "This invitation cannot be used" }
        (kit::notice(NoticeKind::Error, message))
        a.button.primary href="/auth/login" { "Go to sign in" }
        p.alt { "Not expecting an invitation? You can ignore the email." }
    }
}

fn problem_page(guard: &FormGuard, status: StatusCode, message: Markup) -> Response {
    Page::card("Invitation", problem_body(message)).status(status).cookies(guard.cookies()).into_response()
}

fn refused(guard: &FormGuard, e: &ApiError) -> Response {
    problem_page(guard, e.status, html! { (e.message_for_people()) })
}

fn organization_of(preview: &Preview) -> &str {
    preview.organization.as_deref().unwrap_or("the DotMac platform")
}

/// `2026-03-12` of a timestamp, for people; the `datetime` attribute keeps the instant.
fn day(t: domain::time::Timestamp) -> Markup {
    let text = t.to_rfc3339();
    html! { time datetime=(t) { (text.get(..10).unwrap_or(&text)) } }
}

/// The form, for what the invited address needs: a name and a password for a new account, or
/// only a button for an account that is attached. `error` is the refusal of the last try.
fn form_body(form_field: Markup, token: &str, preview: &Preview, name: &str, error: Option<&ApiError>) -> Markup {
    let on = |field: &str| error.and_then(|e| e.on(field));
    let organization = organization_of(preview);
    let invitation = &preview.invitation;
    let new_account = preview.account == AccountState::New;
    let hint = text::password_hint();
    html! {
        h1 { "Join " (organization) }
        @if new_account {
            p.lead { "Create your account to join. Your email address is confirmed by this link." }
        } @else {
            p.lead {
                "You already have a DotMac account with this address. Accepting adds it to the organization and turns it back on; then sign in with your current password."
            }
        }
        @if let Some(e) = error { (banner(e)) }
        (kit::facts(&[
            ("Organization", html! { (organization) }),
            ("Email", html! { (invitation.email) }),
            ("Role", html! { (role_label(invitation.role)) }),
            ("Link valid until", day(invitation.expires_at)),
        ]))
        form method="post" action=(PAGE) novalidate {
            (form_field)
            (kit::hidden("token", token))
            @if new_account {
                (kit::field(&Input::new("Your name", "name", InputType::Text)
                    .value(name)
                    .autocomplete("name")
                    .required()
                    .autofocus()
                    .maxlength(100)
                    .error(on("name"))))
                (kit::field(&Input::new("Password", "password", InputType::Password)
                    .autocomplete("new-password")
                    .required()
                    .minlength(u32::try_from(MIN_LENGTH).unwrap_or(u32::MAX))
                    .hint(&hint)
                    .error(on("password"))))
                (kit::field(&Input::new("Repeat the password", "password_confirm", InputType::Password)
                    .autocomplete("new-password")
                    .required()
                    .error(on("password_confirm"))))
                (kit::submit("Accept and create my account", ButtonStyle::Primary))
            } @else {
                (kit::submit("Accept invitation", ButtonStyle::Primary))
            }
        }
        p.alt { "Already set up? " a href="/auth/login" { "Sign in" } }
    }
}

fn form_page(guard: &FormGuard, token: &str, preview: &Preview, name: &str, error: Option<&ApiError>) -> Response {
    let status = error.map_or(StatusCode::OK, |e| e.status);
    Page::card("Accept invitation", form_body(guard.field(), token, preview, name, error))
        .status(status)
        .cookies(guard.cookies())
        .into_response()
}

/// The page for a preview: the form, or why the invitation cannot be used by this address.
fn preview_page(guard: &FormGuard, token: &str, preview: &Preview) -> Response {
    match preview.account {
        AccountState::New | AccountState::Attachable => form_page(guard, token, preview, preview.invitation.name.as_deref().unwrap_or(""), None),
        AccountState::AlreadyMember => problem_page(
            guard,
            StatusCode::CONFLICT,
            html! { (preview.invitation.email) " is already a member of " (organization_of(preview)) ". Sign in to continue." },
        ),
        AccountState::Taken => refused(guard, &ApiError::from(TeamError::EmailTaken)),
    }
}

/// GET /auth/accept-invitation?token=…: shows, never acts (mail scanners open links).
pub async fn show(State(app): State<AppState>, headers: HeaderMap, QueryFields(query): QueryFields) -> Response {
    let guard = FormGuard::from_headers(&headers);
    let token = query.trimmed("token");
    if token.is_empty() {
        return problem_page(&guard, StatusCode::BAD_REQUEST, html! { "This invitation link is incomplete. Copy the whole link from the email." });
    }
    match accept::preview(&app, token).await {
        Ok(preview) => preview_page(&guard, token, &preview),
        Err(e) => refused(&guard, &ApiError::from(e)),
    }
}

/// POST /auth/accept-invitation: accepts, then the sign-in page with a success note.
pub async fn submit(State(app): State<AppState>, origin: Origin, headers: HeaderMap, Form(fields): Form) -> Response {
    let guard = FormGuard::from_headers(&headers);
    // The login-CSRF guard reads the raw fields; the rest is read typed.
    if !guard.accepts(&fields) {
        let token = fields.trimmed("token");
        return forbidden_form(&kit::with_param(PAGE, "token", token));
    }
    let form: AcceptForm = match fields.decode() {
        Ok(form) => form,
        // Only a repeated field fails to decode: not a form this page sent.
        Err(_) => {
            return problem_page(&guard, StatusCode::UNPROCESSABLE_ENTITY, html! { "The form was not one this page sent; nothing was changed." });
        }
    };
    let token = form.token.trim();
    let preview = match accept::preview(&app, token).await {
        Ok(preview) => preview,
        Err(e) => return refused(&guard, &ApiError::from(e)),
    };
    let (name, password) = match preview.account {
        AccountState::New => {
            if form.password != form.password_confirm {
                let mismatch = ApiError::invalid_field("password_confirm", "The two passwords are not the same.");
                return form_page(&guard, token, &preview, &form.name, Some(&mismatch));
            }
            (Some(form.name.clone()), Some(form.password.clone()))
        }
        AccountState::Attachable => (None, None),
        AccountState::AlreadyMember | AccountState::Taken => return preview_page(&guard, token, &preview),
    };
    match accept::accept(&app, token, name, password, &origin).await {
        Ok(_) => see_other("/auth/login?notice=invitation_accepted", Vec::new()),
        Err(e) => {
            let e = ApiError::from(e);
            if e.detail.field.is_some() { form_page(&guard, token, &preview, &form.name, Some(&e)) } else { refused(&guard, &e) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::testing::{XSS, assert_inert, card, invitation, shot};

    fn preview(account: AccountState, organization: &str) -> Preview {
        Preview { invitation: invitation("x'y&z@example.com"), organization: Some(organization.to_string()), account }
    }

    #[test]
    fn the_form_escapes_every_value_and_never_echoes_a_password() {
        let error = ApiError::invalid_field("name", XSS);
        let body = form_body(kit::hidden("form_token", XSS), XSS, &preview(AccountState::New, XSS), XSS, Some(&error));
        let html = card("Accept invitation", body);
        assert_inert(&html);
        assert!(html.contains("x'y&amp;z@example.com"), "the address, escaped: {html}");
        assert!(html.contains("Please correct the field marked below."));
        assert!(html.contains(r#"name="password""#) && html.contains(r#"minlength="8""#));
    }

    #[test]
    fn an_existing_account_only_needs_the_button() {
        let body = form_body(kit::hidden("form_token", "t"), "tok", &preview(AccountState::Attachable, "Analytical Engines"), "", None);
        let html = card("Accept invitation", body);
        assert!(html.contains("Join Analytical Engines"));
        assert!(html.contains(">Accept invitation</button>"));
        assert!(!html.contains(r#"name="password""#));
    }

    #[test]
    fn a_refusal_page_escapes_its_message() {
        let html = card("Invitation", problem_body(html! { (XSS) " is already a member of " (XSS) }));
        assert_inert(&html);
        let dead = ApiError::from(TeamError::InvalidToken);
        let html = card("Invitation", problem_body(html! { (dead.message_for_people()) }));
        assert!(html.contains("Ask the person who invited you for a new one."));
    }

    /// With `PAGE_SHOTS_DIR` set, the pages as people see them, to look at in a browser.
    #[test]
    fn realistic_shots() {
        let new = preview(AccountState::New, "Analytical Engines Ltd");
        shot("accept-form", &card("Accept invitation", form_body(kit::hidden("form_token", "t"), "tok", &new, "", None)));
        let mismatch = ApiError::invalid_field("password_confirm", "The two passwords are not the same.");
        shot("accept-mismatch", &card("Accept invitation", form_body(kit::hidden("form_token", "t"), "tok", &new, "Grace Hopper", Some(&mismatch))));
        let attach = preview(AccountState::Attachable, "Analytical Engines Ltd");
        shot("accept-attach", &card("Accept invitation", form_body(kit::hidden("form_token", "t"), "tok", &attach, "", None)));
        let dead = ApiError::from(TeamError::InvalidToken);
        shot("accept-refused", &card("Invitation", problem_body(html! { (dead.message_for_people()) })));
    }
}
