//! `/portal/team`: the organization's members and invitations. Admins invite, revoke, change
//! roles and remove (after a confirm step: `?remove=<usr_id>` shows it, its button posts);
//! members read. Every action posts to this same address with its `action` field.
use auth::pages::form::{Fields, Form, QueryFields, csrf_ok, forbidden_form};
use auth::pages::html::{Input, Page, error_banner, escape, hidden, notice_banner, see_other};
use auth::pages::{Viewer, error_page, login_for, role_label, viewer_of, wrong_role};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use shared::AppState;
use shared::domain::ids::{InvitationId, UserId};
use shared::domain::invitation::{Invitation, InvitationStatus};
use shared::domain::time::Timestamp;
use shared::domain::user::{Role, User, UserStatus};
use shared::http::PageRequest;
use shared::repo::tenants;

use super::Problem;
use crate::service::{Origin, TeamError, invitations, members, status_word};

const PAGE: &str = "/portal/team";
/// Rows shown per list: more than a plan's seats; the page says so if there are more.
const LIMIT: usize = 100;
const SELECT_STYLE: &str = "height:44px;padding:0 10px;font:inherit;color:inherit;background:#fff;border:1px solid var(--line);border-radius:8px";

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

/// What the page shows besides the team: a notice, a problem, the removal to confirm, and
/// what the admin typed into the invite form.
#[derive(Default)]
struct View<'a> {
    notice: Option<&'static str>,
    problem: Option<Problem>,
    confirm_remove: Option<UserId>,
    invite_email: &'a str,
    invite_role: &'a str,
}

/// The signed-in tenant user, or the way to sign in or to their own portal.
async fn require(app: &AppState, headers: &HeaderMap) -> Result<Viewer, Response> {
    let Some(viewer) = viewer_of(app, headers).await? else {
        return Err(see_other(&login_for(PAGE), Vec::new()));
    };
    match viewer.caller.role {
        Role::TenantAdmin | Role::TenantMember if viewer.caller.tenant_id.is_some() => Ok(viewer),
        role => Err(wrong_role(role, "organization admins and members")),
    }
}

fn day(t: Timestamp) -> String {
    format!(r#"<time datetime="{t}">{}</time>"#, &t.to_rfc3339()[..10])
}

fn role_select(id: &str, selected: &str, short: bool) -> String {
    let option = |value: &str, label: &str| {
        format!(r#"<option value="{value}"{}>{label}</option>"#, if value == selected { " selected" } else { "" })
    };
    let (member, admin) = if short { ("Member", "Admin") } else { ("Organization member", "Organization admin") };
    format!(
        r#"<select id="{id}" name="role" style="{SELECT_STYLE}">{}{}</select>"#,
        option("tenant_member", member),
        option("tenant_admin", admin),
    )
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

/// A member's row: for admins the role is a small form of its own and removal a link to the
/// confirm step; for members, text.
fn member_row(user: &User, viewer: &Viewer, admin: bool) -> String {
    let id = escape(user.id.as_str());
    let name = escape(&user.name);
    let mut badges = String::new();
    if user.id == viewer.caller.user_id {
        badges.push_str(r#" <span class="badge">You</span>"#);
    }
    if user.status == UserStatus::Disabled {
        badges.push_str(r#" <span class="badge off">Disabled</span>"#);
    }
    let mfa = if user.mfa.enabled { r#"<span class="badge on">On</span>"# } else { r#"<span class="badge off">Off</span>"# };
    let (role, actions) = if admin {
        let role = format!(
            r#"<form method="post" action="{PAGE}" style="display:flex;gap:8px;align-items:center;flex-wrap:nowrap">{csrf}{action}{user_id}<label class="sr" for="role-{id}">Role of {name}</label>{select}<button type="submit" class="button secondary" aria-label="Save the role of {name}">Save</button></form>"#,
            csrf = viewer.csrf_field(),
            action = hidden("action", "role"),
            user_id = hidden("user_id", user.id.as_str()),
            select = role_select(&format!("role-{id}"), role_value(user.role), true),
        );
        let remove = format!(r#"<td class="actions"><a class="button danger" href="{PAGE}?remove={id}#confirm" aria-label="Remove {name}">Remove…</a></td>"#);
        (role, remove)
    } else {
        (escape(role_label(user.role)), String::new())
    };
    format!(
        r#"<tr><td><strong>{name}</strong>{badges}<div class="small muted">{email}</div></td><td>{role}</td><td>{mfa}</td><td>{joined}</td>{actions}</tr>"#,
        email = escape(user.email.as_str()),
        joined = day(user.created_at),
    )
}

fn invitation_row(invitation: &Invitation, viewer: &Viewer, admin: bool, now: Timestamp) -> String {
    let status = invitation.status_at(now);
    let badge = match status {
        InvitationStatus::Pending => r#"<span class="badge">Pending</span>"#.to_string(),
        InvitationStatus::Accepted => r#"<span class="badge on">Accepted</span>"#.to_string(),
        other => format!(r#"<span class="badge off">{}</span>"#, capitalized(status_word(other))),
    };
    let action = if admin && status == InvitationStatus::Pending {
        format!(
            r#"<form method="post" action="{PAGE}">{csrf}{action}{id}<button type="submit" class="button secondary" aria-label="Revoke the invitation of {email}">Revoke</button></form>"#,
            csrf = viewer.csrf_field(),
            action = hidden("action", "revoke"),
            id = hidden("invitation_id", invitation.id.as_str()),
            email = escape(invitation.email.as_str()),
        )
    } else {
        String::new()
    };
    let actions = if admin { format!(r#"<td class="actions">{action}</td>"#) } else { String::new() };
    format!(
        r#"<tr><td>{email}</td><td>{role}</td><td>{badge}</td><td>{sent}</td><td>{expires}</td>{actions}</tr>"#,
        email = escape(invitation.email.as_str()),
        role = escape(role_label(invitation.role)),
        sent = day(invitation.created_at),
        expires = day(invitation.expires_at),
    )
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The whole page as it is now.
async fn render(app: &AppState, viewer: &Viewer, view: View<'_>) -> Response {
    match try_render(app, viewer, view).await {
        Ok(page) => page,
        Err(e) => {
            let problem = Problem::from(e);
            error_page(problem.status, &problem.message)
        }
    }
}

async fn try_render(app: &AppState, viewer: &Viewer, view: View<'_>) -> Result<Response, TeamError> {
    let tenant_id = crate::service::tenant_of(&viewer.caller)?;
    let admin = viewer.caller.role == Role::TenantAdmin;
    let now = app.clock.now();
    let tenant = tenants::get(app.store.as_ref(), &tenant_id).await?.ok_or(TeamError::NotFound("organization"))?;
    let first = PageRequest { limit: LIMIT, after: None };
    let member_page = members::page(app, &tenant_id, &first).await?;
    let more_members = member_page.items.len() > LIMIT || member_page.next.is_some();
    let team: Vec<User> = member_page
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
    let sent: Vec<Invitation> = invitation_page.items.iter().take(LIMIT).map(|i| i.record()).collect::<Result<_, _>>()?;
    let (used, limit) = invitations::seats(app, &tenant_id).await?;

    let mut banners = String::new();
    if let Some(n) = view.notice {
        banners.push_str(&notice_banner(n));
    }
    if let Some(p) = &view.problem {
        banners.push_str(&match p.field {
            Some("email") if admin => error_banner("The invitation was not sent; see the invite form below."),
            _ => error_banner(&p.message),
        });
    }
    let confirm = match (&view.confirm_remove, admin) {
        (Some(id), true) => match team.iter().find(|u| &u.id == id) {
            Some(user) => format!(
                r#"<section id="confirm" class="banner warn" role="alert"><p><strong>Remove {name} ({email}) from {org}?</strong> They lose access at once: every session ends and the account is disabled. You can invite the address again later.</p>
<form method="post" action="{PAGE}" class="row">{csrf}{action}{user_id}<button type="submit" class="button danger">Remove {name}</button><a class="button secondary" href="{PAGE}">Cancel</a></form></section>"#,
                name = escape(&user.name),
                email = escape(user.email.as_str()),
                org = escape(&tenant.name),
                csrf = viewer.csrf_field(),
                action = hidden("action", "remove"),
                user_id = hidden("user_id", user.id.as_str()),
            ),
            None => error_banner("That member is not in your organization (any more)."),
        },
        _ => String::new(),
    };
    let action_head = if admin { r#"<th><span class="sr">Actions</span></th>"# } else { "" };
    let member_rows: String = team.iter().map(|u| member_row(u, viewer, admin)).collect();
    let more_members = if more_members { format!(r#"<p class="small muted">Showing the first {LIMIT} members.</p>"#) } else { String::new() };
    let invitation_rows: String = sent.iter().map(|i| invitation_row(i, viewer, admin, now)).collect();
    let invitations_table = if sent.is_empty() {
        r#"<p class="muted">No invitations sent yet.</p>"#.to_string()
    } else {
        format!(
            r#"<div class="table"><table><thead><tr><th>Email</th><th>Role</th><th>Status</th><th>Sent (UTC)</th><th>Expires (UTC)</th>{action_head}</tr></thead><tbody>{invitation_rows}</tbody></table></div>{more}"#,
            more = if more_invitations { format!(r#"<p class="small muted">Showing the newest {LIMIT} invitations.</p>"#) } else { String::new() },
        )
    };
    let invite = if admin {
        let on = |field: &str| view.problem.as_ref().and_then(|p| p.on(field));
        format!(
            r#"<h3>Invite someone</h3><form method="post" action="{PAGE}" novalidate>{csrf}{action}{email}<div class="field"><label for="invite-role">Role</label>{select}{role_error}</div><button type="submit" class="button primary auto">Send invitation</button></form>"#,
            csrf = viewer.csrf_field(),
            action = hidden("action", "invite"),
            email = Input::new("Email address", "email", "email").value(view.invite_email).autocomplete("off").attrs("required").error(on("email")).render(),
            select = role_select("invite-role", if view.invite_role.is_empty() { "tenant_member" } else { view.invite_role }, false),
            role_error = on("role").map(|e| format!(r#"<p class="field-error">{}</p>"#, escape(e))).unwrap_or_default(),
        )
    } else {
        r#"<p class="muted">Only organization admins can invite people or change the team.</p>"#.to_string()
    };
    let body = format!(
        r#"<div class="between"><h1>Team</h1><a href="/portal">Back to your organization</a></div>
<p class="lead">{org} · {used} of {limit} seats used (members and pending invitations)</p>{banners}{confirm}
<h2>Members</h2>
<div class="table"><table><thead><tr><th>Member</th><th>Role</th><th>Two-factor</th><th>Joined (UTC)</th>{action_head}</tr></thead><tbody>{member_rows}</tbody></table></div>{more_members}
<div class="section"><h2>Invitations</h2>{invitations_table}{invite}</div>"#,
        org = escape(&tenant.name),
    );
    let status = view.problem.as_ref().map(|p| p.status).unwrap_or(StatusCode::OK);
    Ok(Page::new("Team", body).wide().status(status).into_response())
}

/// GET /portal/team (`?notice=` after an action, `?remove=<usr_id>` for the confirm step)
pub async fn show(State(app): State<AppState>, headers: HeaderMap, QueryFields(query): QueryFields) -> Result<Response, Response> {
    let viewer = require(&app, &headers).await?;
    let view = View {
        notice: notice(query.get("notice")),
        confirm_remove: UserId::parse(query.trimmed("remove")),
        ..View::default()
    };
    Ok(render(&app, &viewer, view).await)
}

/// The action a form asked for, through the same use cases as the API; answers the notice code.
async fn act(app: &AppState, viewer: &Viewer, origin: &Origin, form: &Fields) -> Result<&'static str, TeamError> {
    let caller = &viewer.caller;
    let user_id = || UserId::parse(form.trimmed("user_id")).ok_or(TeamError::NotFound("member"));
    match form.get("action") {
        "invite" => {
            let role = parse_role(form.get("role"))?;
            invitations::create(app, caller, origin, form.trimmed("email"), role).await.map(|_| "invited")
        }
        "revoke" => {
            let id = InvitationId::parse(form.trimmed("invitation_id")).ok_or(TeamError::NotFound("invitation"))?;
            invitations::revoke(app, caller, origin, &id).await.map(|_| "revoked")
        }
        "role" => {
            let role = parse_role(form.get("role"))?;
            members::change_role(app, caller, origin, &user_id()?, role).await.map(|_| "role_changed")
        }
        "remove" => members::remove(app, caller, origin, &user_id()?).await.map(|_| "removed"),
        _ => Err(TeamError::invalid("action", "is not something this page does")),
    }
}

/// POST /portal/team: one action, then back to the page (303), or the page with the problem.
pub async fn submit(State(app): State<AppState>, origin: Origin, headers: HeaderMap, Form(form): Form) -> Result<Response, Response> {
    let viewer = require(&app, &headers).await?;
    if !csrf_ok(&headers, &form) {
        return Err(forbidden_form(PAGE));
    }
    let invite_values = |problem| View {
        problem: Some(problem),
        invite_email: if form.get("action") == "invite" { form.trimmed("email") } else { "" },
        invite_role: if form.get("action") == "invite" { form.get("role") } else { "" },
        ..View::default()
    };
    if viewer.caller.role != Role::TenantAdmin {
        let problem = Problem::new(StatusCode::FORBIDDEN, "Only organization admins can change the team.");
        return Ok(render(&app, &viewer, invite_values(problem)).await);
    }
    match act(&app, &viewer, &origin, &form).await {
        Ok(code) => Ok(see_other(&format!("{PAGE}?notice={code}"), Vec::new())),
        Err(e) => Ok(render(&app, &viewer, invite_values(Problem::from(e))).await),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_come_from_a_fixed_list() {
        assert!(notice("invited").is_some());
        assert_eq!(notice("<script>alert(1)</script>"), None);
    }

    #[test]
    fn only_the_two_tenant_roles_are_offered_and_accepted() {
        assert_eq!(parse_role("tenant_admin").unwrap(), Role::TenantAdmin);
        assert!(parse_role("platform_admin").is_err());
        let select = role_select("r", "tenant_admin", false);
        assert!(select.contains(r#"<option value="tenant_admin" selected>"#), "{select}");
        assert!(!select.contains("platform"));
    }
}
