//! `/portal/team`: the organization's members and invitations. Admins invite, revoke, change
//! roles and remove (after a confirm step: `?remove=<usr_id>` shows it, its button posts);
//! members read. Every action posts to this same address with its `action` field.
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::ids::{InvitationId, UserId};
use domain::invitation::{Invitation, InvitationStatus};
use domain::permissions::Rule;
use domain::time::Timestamp;
use domain::user::{Role, User, UserStatus};
use maud::{Markup, html};
use serde::Deserialize;
use store::repo::tenants;
use web::kit::{self, ButtonStyle, Column, Confirm, Input, InputType, NoticeKind, Select, Tone};
use web::pages::form::{Form, QueryFields, csrf_token_ok, forbidden_form};
use web::pages::{Page, Viewer, error_page, require_viewer, role_label, see_other};
use web::{ApiError, AppState, PageRequest};

use super::text;
use crate::service::{Origin, TeamError, invitations, members};

const PAGE: &str = "/portal/team";
/// Rows shown per list: more than a plan's seats; the page says so if there are more.
const LIMIT: usize = 100;
/// The roles a tenant admin can give, as the invite form words them.
const ROLES: [(&str, &str); 2] = [("tenant_member", "Organization member"), ("tenant_admin", "Organization admin")];

/// Notices after a redirect come from this fixed list: the query names one, never the text.
fn notice(code: &str) -> Option<&'static str> {
    match code {
        "invited" => Some("Invitation sent. The link works once, for 7 days."),
        "revoked" => Some("Invitation revoked: its link no longer works and its seat is free."),
        "role_changed" => Some("Role changed. That member was signed out everywhere and their new role applies from their next sign-in."),
        "removed" => Some("Member removed. They were signed out everywhere and can no longer sign in."),
        _ => None,
    }
}

/// The fields of every form of the page; each action reads the ones it needs. Every one
/// defaults to "", as an absent field always read.
#[derive(Debug, Default, Deserialize)]
pub struct TeamForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    invitation_id: String,
}

/// What the page shows besides the team: a notice, a refusal, the removal to confirm, and
/// what the admin typed into the invite form.
#[derive(Default)]
struct View<'a> {
    notice: Option<&'static str>,
    error: Option<ApiError>,
    /// Whether `error` refused the invite form, so its fields show it.
    invite_refused: bool,
    confirm_remove: Option<UserId>,
    invite_email: &'a str,
    invite_role: &'a str,
}

/// The team as it is now: what the page lists.
struct Team {
    organization: String,
    members: Vec<User>,
    more_members: bool,
    invitations: Vec<Invitation>,
    more_invitations: bool,
    seats_used: i64,
    seat_limit: i64,
    now: Timestamp,
}

/// `2026-03-12` of a timestamp, for people; the `datetime` attribute keeps the instant.
fn day(t: Timestamp) -> Markup {
    let text = t.to_rfc3339();
    html! { time datetime=(t) { (text.get(..10).unwrap_or(&text)) } }
}

fn role_value(role: Role) -> &'static str {
    match role {
        Role::TenantAdmin => "tenant_admin",
        _ => "tenant_member",
    }
}

fn parse_role(raw: &str) -> Result<Role, TeamError> {
    match raw {
        "tenant_admin" => Ok(Role::TenantAdmin),
        "tenant_member" => Ok(Role::TenantMember),
        _ => Err(TeamError::invalid("role", "must be organization admin or organization member")),
    }
}

/// A member's role as a small form of its own (admins), saved by its button. Its label is
/// for screen readers only, since the column heading says what it is; its id is the
/// member's, as every row has one.
fn role_form(user: &User, viewer: &Viewer) -> Markup {
    let current = role_value(user.role);
    html! {
        form.inline method="post" action=(PAGE) {
            (viewer.csrf_field())
            (kit::hidden("action", "role"))
            (kit::hidden("user_id", user.id.as_str()))
            label.sr for={ "role-" (user.id) } { "Role of " (user.name) }
            select id={ "role-" (user.id) } name="role" {
                option value="tenant_member" selected[current == "tenant_member"] { "Member" }
                option value="tenant_admin" selected[current == "tenant_admin"] { "Admin" }
            }
            button.button.secondary type="submit" aria-label={ "Save the role of " (user.name) } { "Save" }
        }
    }
}

/// A member's row: for admins the role is a form and removal a link to the confirm step;
/// for members, text.
fn member_row(user: &User, viewer: &Viewer, admin: bool) -> Vec<Markup> {
    let mut cells = vec![
        html! {
            strong { (user.name) }
            @if user.id == viewer.caller.user_id { " " (kit::status_badge("You", Tone::Info)) }
            @if user.status == UserStatus::Disabled { " " (kit::status_badge("Disabled", Tone::Neutral)) }
            div.small.muted { (user.email) }
        },
        if admin { role_form(user, viewer) } else { html! { (role_label(user.role)) } },
        if user.mfa.enabled { kit::status_badge("On", Tone::Success) } else { kit::status_badge("Off", Tone::Neutral) },
        day(user.created_at),
    ];
    if admin {
        let confirm = kit::with_param("/portal/team#confirm", "remove", user.id.as_str());
        cells.push(html! { a.button.danger href=(confirm) aria-label={ "Remove " (user.name) } { "Remove…" } });
    }
    cells
}

fn invitation_status(status: InvitationStatus) -> Markup {
    match status {
        InvitationStatus::Pending => kit::status_badge("Pending", Tone::Info),
        InvitationStatus::Accepted => kit::status_badge("Accepted", Tone::Success),
        InvitationStatus::Revoked => kit::status_badge("Revoked", Tone::Neutral),
        InvitationStatus::Expired => kit::status_badge("Expired", Tone::Neutral),
    }
}

fn invitation_row(invitation: &Invitation, viewer: &Viewer, admin: bool, now: Timestamp) -> Vec<Markup> {
    let status = invitation.status_at(now);
    let mut cells = vec![
        html! { (invitation.email) },
        html! { (role_label(invitation.role)) },
        invitation_status(status),
        day(invitation.created_at),
        day(invitation.expires_at),
    ];
    if admin {
        cells.push(html! {
            @if status == InvitationStatus::Pending {
                form method="post" action=(PAGE) {
                    (viewer.csrf_field())
                    (kit::hidden("action", "revoke"))
                    (kit::hidden("invitation_id", invitation.id.as_str()))
                    button.button.secondary type="submit" aria-label={ "Revoke the invitation of " (invitation.email) } { "Revoke" }
                }
            }
        });
    }
    cells
}

/// The step before a removal, or why there is none to show.
fn confirm_removal(team: &Team, viewer: &Viewer, id: &UserId) -> Markup {
    let Some(user) = team.members.iter().find(|u| &u.id == id) else {
        return kit::notice(NoticeKind::Error, "That member is not in your organization (any more).");
    };
    let question = text::remove_question(&user.name, user.email.as_str(), &team.organization);
    let button = text::remove_button(&user.name);
    kit::confirm_step(
        &Confirm {
            question: &question,
            consequence: "They lose access at once: every session ends and the account is disabled. You can invite the address again later.",
            action: PAGE,
            csrf: viewer.csrf(),
            hidden: &[("action", "remove"), ("user_id", user.id.as_str())],
            button: &button,
            destructive: true,
            cancel_href: PAGE,
        },
        None,
    )
}

/// The invite form (admins). A seat limit is about the address being added, so it shows
/// beside that field too, although the API names no field for it.
fn invite_form(viewer: &Viewer, view: &View<'_>) -> Markup {
    let error = view.error.as_ref().filter(|_| view.invite_refused);
    let email_error = error.and_then(|e| e.on("email").or_else(|| (e.code() == "seat_limit_reached").then_some(e.detail.message.as_str())));
    let role = if view.invite_role.is_empty() { "tenant_member" } else { view.invite_role };
    html! {
        h3 #invite { "Invite someone" }
        (kit::post_form(PAGE, viewer.csrf(), html! {
            (kit::hidden("action", "invite"))
            div.pair {
                (kit::field(&Input::new("Email address", "email", InputType::Email)
                    .value(view.invite_email)
                    .autocomplete("off")
                    .required()
                    .error(email_error)))
                (kit::select_field(&Select::new("Role", "role", &ROLES).selected(role).error(error.and_then(|e| e.on("role")))))
            }
            (kit::submit("Send invitation", ButtonStyle::Primary))
        }))
    }
}

/// The banner of a refusal: beside the invite form's fields when it is theirs, else the
/// message itself.
fn refusal_banner(e: &ApiError, view: &View<'_>, admin: bool) -> Markup {
    let beside_a_field = e.detail.field.is_some() || e.code() == "seat_limit_reached";
    if admin && view.invite_refused && beside_a_field {
        kit::notice(NoticeKind::Error, "The invitation was not sent; see the invite form below.")
    } else {
        kit::notice(NoticeKind::Error, e.message_for_people().as_str())
    }
}

/// The page's body for `team` as `viewer` sees it.
fn body(team: &Team, viewer: &Viewer, view: &View<'_>) -> Markup {
    let admin = viewer.caller.role == Role::TenantAdmin;
    let mut member_columns = vec![Column::text("Member"), Column::text("Role"), Column::text("Two-factor"), Column::text("Joined (UTC)")];
    let mut invitation_columns =
        vec![Column::text("Email"), Column::text("Role"), Column::text("Status"), Column::text("Sent (UTC)"), Column::text("Expires (UTC)")];
    if admin {
        member_columns.push(Column::actions("Actions"));
        invitation_columns.push(Column::actions("Actions"));
    }
    let member_rows: Vec<Vec<Markup>> = team.members.iter().map(|u| member_row(u, viewer, admin)).collect();
    let invitation_rows: Vec<Vec<Markup>> = team.invitations.iter().map(|i| invitation_row(i, viewer, admin, team.now)).collect();
    html! {
        @if let Some(notice) = view.notice { (kit::notice(NoticeKind::Notice, notice)) }
        @if let Some(e) = &view.error { (refusal_banner(e, view, admin)) }
        @if admin { @if let Some(id) = &view.confirm_remove { (confirm_removal(team, viewer, id)) } }
        p {
            strong { (team.seats_used) " of " (team.seat_limit) " seats used" }
            span.muted { " (members and pending invitations)" }
        }
        section.panel {
            h2 { "Members" }
            (kit::data_table("Members", &member_columns, &member_rows, "No members yet.", None))
            @if team.more_members { p.small.muted { "Showing the first " (LIMIT) " members." } }
        }
        section.panel {
            h2 { "Invitations" }
            (kit::data_table("Invitations", &invitation_columns, &invitation_rows, "No invitations sent yet.", None))
            @if team.more_invitations { p.small.muted { "Showing the newest " (LIMIT) " invitations." } }
            @if admin {
                (invite_form(viewer, view))
            } @else {
                p.muted { "Only organization admins can invite people or change the team." }
            }
        }
    }
}

/// The whole page: the team in the portal's shell, with the refusal's status if any.
fn page(team: &Team, viewer: &Viewer, view: &View<'_>) -> Page {
    let admin = viewer.caller.role == Role::TenantAdmin;
    let status = view.error.as_ref().map_or(StatusCode::OK, |e| e.status);
    let page = Page::app(viewer, "team", "Team", body(team, viewer, view))
        .subtitle(team.organization.clone())
        .crumbs(vec![("Overview".to_string(), "/portal".to_string())])
        .status(status);
    if admin { page.actions(kit::link_button("Invite someone", "#invite", ButtonStyle::Primary)) } else { page }
}

async fn load(app: &AppState, viewer: &Viewer) -> Result<Team, TeamError> {
    let tenant_id = crate::service::tenant_of(&viewer.caller)?;
    let tenant = tenants::get(app.store.as_ref(), &tenant_id).await?.ok_or(TeamError::NotFound("organization"))?;
    let first = PageRequest { limit: LIMIT, after: None };
    let member_page = members::page(app, &tenant_id, &first).await?;
    let more_members = member_page.items.len() > LIMIT || member_page.next.is_some();
    let members: Vec<User> = member_page
        .items
        .iter()
        .take(LIMIT)
        .map(|i| i.record::<User>())
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        // The members index trails a change by a moment; the record itself is the truth.
        .filter(|u| u.tenant_id.as_ref() == Some(&tenant_id))
        .collect();
    let invitation_page = invitations::page(app, &tenant_id, &first).await?;
    let more_invitations = invitation_page.items.len() > LIMIT || invitation_page.next.is_some();
    let invitations: Vec<Invitation> = invitation_page.items.iter().take(LIMIT).map(|i| i.record()).collect::<Result<_, _>>()?;
    let (seats_used, seat_limit) = invitations::seats(app, &tenant_id).await?;
    Ok(Team { organization: tenant.name, members, more_members, invitations, more_invitations, seats_used, seat_limit, now: app.clock.now() })
}

/// The page as it is now, or the page that explains why it cannot be shown.
async fn render(app: &AppState, viewer: &Viewer, view: View<'_>) -> Response {
    match load(app, viewer).await {
        Ok(team) => page(&team, viewer, &view).into_response(),
        Err(e) => error_page(&ApiError::from(e)),
    }
}

/// GET /portal/team (`?notice=` after an action, `?remove=<usr_id>` for the confirm step)
pub async fn show(State(app): State<AppState>, headers: HeaderMap, QueryFields(query): QueryFields) -> Result<Response, Response> {
    let viewer = require_viewer(&app, &headers, PAGE, Rule::TenantRead).await?;
    let view = View {
        notice: notice(query.get("notice")),
        confirm_remove: UserId::parse(query.trimmed("remove")),
        ..View::default()
    };
    Ok(render(&app, &viewer, view).await)
}

/// The action a form asked for, through the same use cases as the API; answers the notice code.
async fn act(app: &AppState, viewer: &Viewer, origin: &Origin, form: &TeamForm) -> Result<&'static str, TeamError> {
    let caller = &viewer.caller;
    let user_id = || UserId::parse(form.user_id.trim()).ok_or(TeamError::NotFound("member"));
    match form.action.as_str() {
        "invite" => {
            let role = parse_role(&form.role)?;
            invitations::create(app, caller, origin, form.email.trim(), role).await.map(|_| "invited")
        }
        "revoke" => {
            let id = InvitationId::parse(form.invitation_id.trim()).ok_or(TeamError::NotFound("invitation"))?;
            invitations::revoke(app, caller, origin, &id).await.map(|_| "revoked")
        }
        "role" => {
            let role = parse_role(&form.role)?;
            members::change_role(app, caller, origin, &user_id()?, role).await.map(|_| "role_changed")
        }
        "remove" => members::remove(app, caller, origin, &user_id()?).await.map(|_| "removed"),
        _ => Err(TeamError::invalid("action", "is not something this page does")),
    }
}

/// POST /portal/team: one action, then back to the page (303), or the page with the refusal.
pub async fn submit(State(app): State<AppState>, origin: Origin, headers: HeaderMap, Form(form): Form<TeamForm>) -> Result<Response, Response> {
    let viewer = require_viewer(&app, &headers, PAGE, Rule::TenantRead).await?;
    if !csrf_token_ok(&viewer, &form.csrf_token) {
        return Err(forbidden_form(PAGE));
    }
    let inviting = form.action == "invite";
    let refused = |error: ApiError| View {
        error: Some(error),
        invite_refused: inviting,
        invite_email: if inviting { form.email.trim() } else { "" },
        invite_role: if inviting { form.role.as_str() } else { "" },
        ..View::default()
    };
    if viewer.caller.role != Role::TenantAdmin {
        let error = ApiError::forbidden("insufficient_role", "Only organization admins can change the team.");
        return Ok(render(&app, &viewer, refused(error)).await);
    }
    match act(&app, &viewer, &origin, &form).await {
        Ok(code) => Ok(see_other(&kit::with_param(PAGE, "notice", code), Vec::new())),
        Err(e) => Ok(render(&app, &viewer, refused(ApiError::from(e))).await),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::testing::{XSS, assert_inert, invitation, shot, user, viewer};

    #[test]
    fn notices_come_from_a_fixed_list() {
        assert!(notice("invited").is_some());
        assert_eq!(notice("<script>alert(1)</script>"), None);
    }

    #[test]
    fn only_the_two_tenant_roles_are_offered_and_accepted() {
        assert_eq!(parse_role("tenant_admin").unwrap(), Role::TenantAdmin);
        assert!(parse_role("platform_admin").is_err());
        let me = user("Ada", "ada@example.com", Role::TenantAdmin);
        let form = role_form(&me, &viewer(&me, Role::TenantAdmin)).into_string();
        assert!(form.contains(r#"<option value="tenant_admin" selected>"#), "{form}");
        assert!(!form.contains("platform"));
    }

    fn team(members: Vec<User>, organization: &str) -> Team {
        let now = Timestamp::from_unix(1_795_600_800);
        let mut revoked = invitation("gone@example.com");
        revoked.status = InvitationStatus::Revoked;
        Team {
            organization: organization.to_string(),
            members,
            more_members: false,
            invitations: vec![invitation("x'y&z@example.com"), revoked],
            more_invitations: true,
            seats_used: 3,
            seat_limit: 5,
            now,
        }
    }

    fn render_html(team: &Team, viewer: &Viewer, view: &View<'_>) -> String {
        page(team, viewer, view).render().into_string()
    }

    #[test]
    fn the_list_escapes_every_name_address_and_organization() {
        let me = user(XSS, "ada@example.com", Role::TenantAdmin);
        let mut other = user(XSS, "x'y&z@example.com", Role::TenantMember);
        other.status = UserStatus::Disabled;
        let viewer = viewer(&me, Role::TenantAdmin);
        let team = team(vec![me.clone(), other.clone()], XSS);
        let view = View { notice: notice("invited"), confirm_remove: Some(other.id.clone()), ..View::default() };
        let html = render_html(&team, &viewer, &view);
        assert_inert(&html);
        assert!(html.contains("3 of 5 seats used"));
        assert!(html.contains("x'y&amp;z@example.com"));
        assert!(html.contains("Invitation sent."));
        assert!(html.contains(r#"id="confirm""#), "the confirm step");
        assert!(html.contains("Remove &lt;script&gt;"), "the confirm button names the member, escaped");
        // Ids and query values in links are percent-encoded, then escaped.
        let remove = kit::with_param(PAGE, "remove", other.id.as_str());
        assert!(html.contains(&remove), "{html}");
        assert_eq!(html.matches("novalidate").count(), 2, "the invite form and the confirm step only");
    }

    #[test]
    fn a_member_reads_the_team_without_forms() {
        let me = user("Grace Hopper", "grace@example.com", Role::TenantMember);
        let admin = user("Ada Lovelace", "ada@example.com", Role::TenantAdmin);
        let viewer = viewer(&me, Role::TenantMember);
        let html = render_html(&team(vec![admin, me.clone()], "Analytical Engines"), &viewer, &View::default());
        assert!(html.contains("Only organization admins can invite people"));
        assert!(!html.contains(r#"value="invite""#) && !html.contains("remove="));
    }

    #[test]
    fn a_refused_invitation_keeps_what_was_typed_and_says_why_beside_the_field() {
        let me = user("Ada Lovelace", "ada@example.com", Role::TenantAdmin);
        let viewer = viewer(&me, Role::TenantAdmin);
        let team = team(vec![me.clone()], "Analytical Engines");
        for (error, field_text) in [
            (ApiError::from(TeamError::invalid("email", XSS)), "Enter a valid email address"),
            (ApiError::from(TeamError::Rule(domain::team::TeamRuleError::SeatLimitReached { limit: 3 })), "All 3 seats of your plan"),
        ] {
            let view = View { error: Some(error), invite_refused: true, invite_email: XSS, invite_role: XSS, ..View::default() };
            let html = render_html(&team, &viewer, &view);
            assert_inert(&html);
            assert!(html.contains("The invitation was not sent; see the invite form below."));
            let beside = html.split(r#"id="f-email-error">"#).nth(1).unwrap_or("");
            assert!(beside.starts_with(field_text), "{html}");
            assert!(html.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;&quot;'\""), "the typed address, escaped");
        }
    }

    #[test]
    fn a_refusal_of_a_row_action_is_a_banner_with_the_apis_status() {
        let me = user("Ada Lovelace", "ada@example.com", Role::TenantAdmin);
        let viewer = viewer(&me, Role::TenantAdmin);
        let view = View { error: Some(ApiError::from(TeamError::Rule(domain::team::TeamRuleError::LastAdmin))), ..View::default() };
        let page = page(&team(vec![me.clone()], "Analytical Engines"), &viewer, &view);
        assert_eq!(page.status, StatusCode::CONFLICT);
        assert!(page.render().into_string().contains("at least one admin"));
    }

    /// With `PAGE_SHOTS_DIR` set, the page as people see it, to look at in a browser.
    #[test]
    fn realistic_shots() {
        let ada = user("Ada Lovelace", "ada@engines.example", Role::TenantAdmin);
        let mut grace = user("Grace Hopper", "grace.hopper@engines.example", Role::TenantMember);
        grace.mfa.enabled = true;
        let mut alan = user("Alan Turing", "alan@engines.example", Role::TenantMember);
        alan.status = UserStatus::Disabled;
        let mut accepted = invitation("grace.hopper@engines.example");
        accepted.status = InvitationStatus::Accepted;
        let mut team = team(vec![ada.clone(), grace.clone(), alan], "Analytical Engines Ltd");
        team.invitations = vec![invitation("katherine@engines.example"), accepted, team.invitations[1].clone()];
        team.more_invitations = false;
        team.seat_limit = 3;
        let admin = viewer(&ada, Role::TenantAdmin);
        shot("team-admin", &render_html(&team, &admin, &View { notice: notice("invited"), ..View::default() }));
        shot("team-confirm", &render_html(&team, &admin, &View { confirm_remove: Some(grace.id.clone()), ..View::default() }));
        let refused = View {
            error: Some(ApiError::from(TeamError::Rule(domain::team::TeamRuleError::SeatLimitReached { limit: 3 }))),
            invite_refused: true,
            invite_email: "edsger@engines.example",
            invite_role: "tenant_admin",
            ..View::default()
        };
        shot("team-invite-refused", &render_html(&team, &admin, &refused));
        let last = View { error: Some(ApiError::from(TeamError::Rule(domain::team::TeamRuleError::LastAdmin))), ..View::default() };
        shot("team-last-admin", &render_html(&team, &admin, &last));
        shot("team-member", &render_html(&team, &viewer(&grace, Role::TenantMember), &View::default()));
    }
}
