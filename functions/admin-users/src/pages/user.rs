//! `/dashboard/users/{id}`: one user's details, the edit form (name and role, with the
//! version read as a hidden field so a stale form changes nothing), disable / enable after a
//! confirm step (`?confirm=disable` or `?confirm=enable` shows it; its button posts), and the
//! user's audit trail: the events they caused, newest first, filtered by action and dates.
use std::collections::BTreeMap;

use auth::pages::Viewer;
use auth::pages::form::{Fields, Form, QueryFields, csrf_ok, forbidden_form};
use auth::pages::html::{Input, Page, error_banner, escape, hidden, notice_banner, see_other};
use auth::pages::error_page;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use shared::AppState;
use shared::audit::{self, AuditEvent, AuditFilter};
use shared::domain::ids::UserId;
use shared::domain::time::Timestamp;
use shared::domain::user::{Role, User, UserStatus};
use shared::http::PageRequest;
use shared::http::pagination::encode_cursor;
use shared::repo::tenants;

use super::{
    ActorOf, GRID, LIST, Origin, PAIR, PAGE_SIZE, Problem, field, notice, pager, paging, plain_input, require_admin, role_value, role_word, select,
    status_badge, when,
};
use crate::api::params;
use crate::service::users::{self, Patch};
use crate::service::{AdminError, Expected};

/// Actions the trail's filter suggests (any action name may be typed).
const ACTIONS: &[&str] = &[
    "invitation.accepted",
    "invitation.created",
    "invitation.revoked",
    "member.removed",
    "member.role_changed",
    "mfa.disabled",
    "mfa.enabled",
    "session.login",
    "session.login_failed",
    "session.logout",
    "session.revoked",
    "tenant.created",
    "tenant.deleted",
    "tenant.reactivated",
    "tenant.restored",
    "tenant.suspended",
    "tenant.updated",
    "user.disabled",
    "user.enabled",
    "user.invited",
    "user.profile_updated",
    "user.role_changed",
    "user.updated",
];

/// The longest summary of an event's details shown in the trail.
const DETAILS_MAX: usize = 160;

fn path_of(id: &UserId) -> String {
    format!("{LIST}/{id}")
}

/// The status change a confirm step is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Disable,
    Enable,
}

impl Change {
    fn parse(raw: &str) -> Option<Change> {
        match raw {
            "disable" => Some(Change::Disable),
            "enable" => Some(Change::Enable),
            _ => None,
        }
    }

    fn word(self) -> &'static str {
        match self {
            Change::Disable => "disable",
            Change::Enable => "enable",
        }
    }

    fn status(self) -> UserStatus {
        match self {
            Change::Disable => UserStatus::Disabled,
            Change::Enable => UserStatus::Active,
        }
    }
}

/// The edit form's values: the user's, or what the admin typed before a refusal.
struct EditForm {
    name: String,
    role: String,
    version: i64,
}

/// What the page shows besides the user: a notice, a problem, the confirm step, the edit
/// form's values, and what a stale form tried to save.
#[derive(Default)]
struct View {
    notice: Option<&'static str>,
    problem: Option<Problem>,
    confirm: Option<Change>,
    edit: Option<EditForm>,
    /// A stale form's values, shown so the admin can apply them again.
    not_saved: Option<(String, String)>,
}

/// The trail's filters, raw from the query, and parsed.
struct TrailQuery<'a> {
    action: &'a str,
    from: &'a str,
    to: &'a str,
    limit: &'a str,
}

impl<'a> TrailQuery<'a> {
    fn of(fields: &'a Fields) -> TrailQuery<'a> {
        TrailQuery { action: fields.trimmed("action"), from: fields.trimmed("from"), to: fields.trimmed("to"), limit: fields.trimmed("limit") }
    }

    fn pairs(&self) -> Vec<(&'a str, &'a str)> {
        vec![("action", self.action), ("from", self.from), ("to", self.to), ("limit", self.limit)]
    }

    fn filtered(&self) -> bool {
        [self.action, self.from, self.to].iter().any(|v| !v.is_empty())
    }

    /// The filter over `user`'s events: a date is a whole UTC day, both ends included.
    fn filter(&self, user: &UserId) -> Result<AuditFilter, Problem> {
        let from = date(self.from, "From", "00:00:00")?;
        let to = date(self.to, "To", "23:59:59")?;
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(Problem::new(StatusCode::BAD_REQUEST, "The From date must not be after the To date."));
        }
        Ok(AuditFilter { actor_id: Some(user.to_string()), tenant_id: None, action: params::action_param(Some(self.action))?, from, to })
    }
}

/// A `YYYY-MM-DD` date input as the instant `time` of that UTC day.
fn date(raw: &str, label: &str, time: &str) -> Result<Option<Timestamp>, Problem> {
    if raw.is_empty() {
        return Ok(None);
    }
    let shaped = raw.len() == 10 && raw.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    shaped
        .then(|| Timestamp::parse(&format!("{raw}T{time}Z")))
        .flatten()
        .map(Some)
        .ok_or_else(|| Problem::new(StatusCode::BAD_REQUEST, format!("The {label} date must be a date like 2026-11-25.")))
}

/// An event's details in a line: `role: tenant_member → tenant_admin · sessions_ended: 2`.
fn summary(details: &Value) -> String {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => "none".to_string(),
        other => other.to_string(),
    };
    let line = match details {
        Value::Null => String::new(),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| match (v.get("before"), v.get("after")) {
                (Some(before), Some(after)) => format!("{k}: {} → {}", text(before), text(after)),
                _ => format!("{k}: {}", text(v)),
            })
            .collect::<Vec<_>>()
            .join(" · "),
        other => text(other),
    };
    match line.char_indices().nth(DETAILS_MAX) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

/// A target id as a link to its page where there is one; a user by name when known.
fn target(target: Option<&str>, names: &BTreeMap<String, String>) -> String {
    match target {
        None => r#"<span class="muted">—</span>"#.to_string(),
        Some(t) if t.starts_with("usr_") => match names.get(t) {
            Some(name) => format!(r#"<a href="{LIST}/{0}" title="{0}">{1}</a>"#, escape(t), escape(name)),
            None => format!(r#"<a href="{LIST}/{0}"><code>{0}</code></a>"#, escape(t)),
        },
        Some(t) if t.starts_with("ten_") => format!(r#"<a href="/dashboard/tenants/{0}"><code>{0}</code></a>"#, escape(t)),
        Some(t) => format!("<code>{}</code>", escape(t)),
    }
}

fn event_row(event: &AuditEvent, names: &BTreeMap<String, String>) -> String {
    format!(
        r#"<tr><td>{at}</td><td><code>{action}</code></td><td>{target}</td><td class="ip">{ip}</td><td class="small">{details}</td></tr>"#,
        at = when(event.at),
        action = escape(&event.action),
        target = target(event.target.as_deref(), names),
        ip = escape(&event.ip),
        details = escape(&summary(&event.details)),
    )
}

/// The names of the users the events are about, by id (one read each; a page shows at
/// most a hundred events). A user that cannot be read keeps its id.
async fn user_names(app: &AppState, events: &[AuditEvent]) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for raw in events.iter().filter_map(|e| e.target.as_deref()) {
        if names.contains_key(raw) {
            continue;
        }
        if let Some(id) = UserId::parse(raw)
            && let Ok(user) = users::get(app, &id).await
        {
            names.insert(raw.to_string(), user.name);
        }
    }
    names
}

/// The trail section: its filter form, one page of events and the pager. Answers the markup
/// and the status a bad filter gives.
async fn trail(app: &AppState, user: &User, query_fields: &Fields) -> (String, Option<StatusCode>) {
    let query = TrailQuery::of(query_fields);
    let (cursor, back) = paging(query_fields);
    let path = path_of(&user.id);
    let options: String = ACTIONS.iter().map(|a| format!(r#"<option value="{a}">"#)).collect();
    let clear = if query.filtered() { format!(r#"<a href="{}#activity">Clear filters</a>"#, escape(&path)) } else { String::new() };
    let form = format!(
        r#"<form method="get" action="{path}#activity" aria-label="Filter the activity"><div style="{GRID}">{action}{from}{to}</div>{limit}<datalist id="actions">{options}</datalist><div class="row"><button type="submit" class="button secondary">Filter</button>{clear}</div></form>"#,
        path = escape(&path),
        action = field(
            "t-action",
            "Action",
            &plain_input("t-action", "action", "text", query.action, r#"list="actions" placeholder="Any action" spellcheck="false" maxlength="64""#),
            None
        ),
        from = field("t-from", "From (UTC)", &plain_input("t-from", "from", "date", query.from, ""), None),
        to = field("t-to", "To (UTC)", &plain_input("t-to", "to", "date", query.to, ""), None),
        limit = if query.limit.is_empty() { String::new() } else { hidden("limit", query.limit) },
    );
    let listed = async {
        let filter = query.filter(&user.id)?;
        let (key, scope) = (&app.config.cursor_key, format!("admin:{}", filter.scope()));
        let limit = Some(query.limit).filter(|l| !l.is_empty());
        let page = PageRequest::parse(limit, cursor.as_deref(), key, &scope)?;
        let limit = if limit.is_some() { page.limit } else { PAGE_SIZE };
        let found = audit::list(app.store.as_ref(), &filter, limit, page.after, app.clock.now()).await.map_err(AdminError::from)?;
        Ok::<_, Problem>((found.events, found.next.map(|c| encode_cursor(key, &scope, &c))))
    };
    let (listing, status) = match listed.await {
        Ok((events, next)) if events.is_empty() && next.is_none() => {
            let what = if query.filtered() { "No activity matches these filters." } else { "No activity recorded yet." };
            (format!(r#"<p class="muted" style="margin:18px 0">{what}</p>"#), None)
        }
        Ok((events, next)) => {
            let names = user_names(app, &events).await;
            let rows: String = events.iter().map(|e| event_row(e, &names)).collect();
            let table = format!(
                r#"<div class="table"><table><thead><tr><th>When (UTC)</th><th>Action</th><th>Target</th><th>IP</th><th>Details</th></tr></thead><tbody>{rows}</tbody></table></div>"#
            );
            (format!("{table}{}", pager(&path, &query.pairs(), cursor.as_deref(), &back, next.as_deref(), events.len())), None)
        }
        Err(p) => (error_banner(&p.message), Some(p.status)),
    };
    let body = format!(
        r#"<div class="section" id="activity"><h2>Activity</h2><p class="muted small">What this user did on the platform, newest first.</p>{form}{listing}</div>"#
    );
    (body, status)
}

/// The roles `user` may be given: tenant roles inside a tenant, platform roles outside.
fn fitting_roles(user: &User) -> Vec<(&'static str, &'static str)> {
    let roles: &[Role] = match user.tenant_id {
        Some(_) => &[Role::TenantAdmin, Role::TenantMember],
        None => &[Role::PlatformAdmin, Role::Partner],
    };
    roles.iter().map(|r| (role_value(*r), role_word(*r))).collect()
}

fn edit_form(viewer: &Viewer, user: &User, form: &EditForm, problem: Option<&Problem>) -> String {
    let on = |name: &str| problem.and_then(|p| p.on(name));
    let own = user.id == viewer.caller.user_id;
    let role = if own {
        // A disabled control is not sent: the role stays as it is.
        let control = select("e-role", "role", &fitting_roles(user), &form.role, false).replace("<select ", "<select disabled ");
        let hint = r#"<p class="hint">You cannot change your own role; ask another platform admin.</p>"#;
        field("e-role", "Role", &format!("{control}{hint}"), None)
    } else {
        field("e-role", "Role", &select("e-role", "role", &fitting_roles(user), &form.role, on("role").is_some()), on("role"))
    };
    format!(
        r#"<div class="section"><h2>Edit</h2><p class="muted small">A role change signs the user out everywhere, so the new role applies at once.</p>
<form method="post" action="{path}" novalidate>{csrf}{action}{version}<div style="{PAIR}">{name}{role}</div><button type="submit" class="button primary auto">Save changes</button></form></div>"#,
        path = escape(&path_of(&user.id)),
        csrf = viewer.csrf_field(),
        action = hidden("action", "edit"),
        version = hidden("version", &form.version.to_string()),
        name = Input::new("Name", "name", "text").value(&form.name).attrs(r#"required maxlength="100""#).error(on("name")).render(),
    )
}

fn access_section(viewer: &Viewer, user: &User) -> String {
    let path = escape(&path_of(&user.id));
    let (text, action) = match user.status {
        _ if user.id == viewer.caller.user_id => ("This is your own account; another platform admin can disable it.", String::new()),
        UserStatus::Active => (
            "Disabling ends every session of this user at once and refuses their sign-in until they are enabled again.",
            format!(r#"<a class="button danger" href="{path}?confirm=disable#confirm">Disable user…</a>"#),
        ),
        UserStatus::Disabled => (
            "This user cannot sign in. Enabling lets them sign in again with their password.",
            format!(r#"<a class="button secondary" href="{path}?confirm=enable#confirm">Enable user…</a>"#),
        ),
    };
    format!(r#"<div class="section"><h2>Access</h2><p class="muted small">{text}</p>{action}</div>"#)
}

fn confirm_step(viewer: &Viewer, user: &User, change: Change) -> String {
    let name = escape(&user.name);
    let email = escape(user.email.as_str());
    if change == Change::Disable && user.id == viewer.caller.user_id {
        return error_banner("You cannot disable your own account; ask another platform admin.");
    }
    if user.status == change.status() {
        let state = if change == Change::Disable { "disabled" } else { "active" };
        return notice_banner(&format!("{} is {state} already.", user.name));
    }
    let (question, consequence, button_class) = match change {
        Change::Disable => (
            format!("Disable {name} ({email})?"),
            "Every session of theirs ends at once and they cannot sign in until enabled again. Nothing else is deleted.",
            "button danger",
        ),
        Change::Enable => (format!("Enable {name} ({email})?"), "They can sign in again with their password.", "button primary auto"),
    };
    format!(
        r#"<section id="confirm" class="banner warn" role="alert"><p><strong>{question}</strong> {consequence}</p>
<form method="post" action="{path}" class="row">{csrf}{action}{confirmed}<button type="submit" class="{button_class}">{verb} {name}</button><a class="button secondary" href="{path}">Cancel</a></form></section>"#,
        path = escape(&path_of(&user.id)),
        csrf = viewer.csrf_field(),
        action = hidden("action", change.word()),
        confirmed = hidden("confirmed", "yes"),
        verb = if change == Change::Disable { "Disable" } else { "Enable" },
    )
}

async fn render(app: &AppState, viewer: &Viewer, id: &UserId, query: &Fields, view: View) -> Response {
    let user = match users::get(app, id).await {
        Ok(user) => user,
        Err(e) => {
            let p = Problem::from(e);
            return error_page(p.status, &p.message);
        }
    };
    let organization = match &user.tenant_id {
        None => r#"<span class="muted">None (platform account)</span>"#.to_string(),
        Some(tid) => {
            let name = match tenants::get(app.store.as_ref(), tid).await {
                Ok(Some(t)) => escape(&t.name),
                Ok(None) => "(removed)".to_string(),
                Err(e) => {
                    let p = Problem::from(AdminError::from(e));
                    return error_page(p.status, &p.message);
                }
            };
            format!(
                r#"<a href="/dashboard/tenants/{tid}">{name}</a> <code class="small muted">{tid}</code> · <a class="small" href="{LIST}?tenant_id={tid}">its users</a>"#,
                tid = escape(tid.as_str()),
            )
        }
    };
    let mut status = view.problem.as_ref().map(|p| p.status).unwrap_or(StatusCode::OK);
    let mut banners = String::new();
    if let Some(n) = view.notice {
        banners.push_str(&notice_banner(n));
    }
    if let Some(p) = &view.problem {
        banners.push_str(&match p.field {
            Some(_) => error_banner("Nothing was saved; see the form below."),
            None => error_banner(&p.message),
        });
    }
    if let Some((name, role)) = &view.not_saved {
        banners.push_str(&format!(
            r#"<p class="small muted">Your version was: name “{}”, role {}.</p>"#,
            escape(name),
            escape(params::role(role).map(role_word).unwrap_or("unchanged")),
        ));
    }
    let confirm = view.confirm.map(|c| confirm_step(viewer, &user, c)).unwrap_or_default();
    let edit = view.edit.unwrap_or(EditForm { name: user.name.clone(), role: role_value(user.role).to_string(), version: user.version });
    let (activity, trail_status) = trail(app, &user, query).await;
    if view.problem.is_none()
        && let Some(s) = trail_status
    {
        status = s;
    }
    let you = if user.id == viewer.caller.user_id { r#" <span class="badge">You</span>"# } else { "" };
    let body = format!(
        r#"<p class="small" style="margin-bottom:8px"><a href="{LIST}">← All users</a></p>
<div class="between"><h1>{name}{you}</h1>{status_badge}</div>
<p class="lead">{email}</p>{banners}{confirm}
<dl class="facts"><dt>Role</dt><dd>{role}</dd><dt>Organization</dt><dd>{organization}</dd><dt>Status</dt><dd>{status_word}</dd><dt>Two-factor</dt><dd>{mfa}</dd><dt>Email confirmed</dt><dd>{verified}</dd><dt>Created</dt><dd>{created}</dd><dt>User ID</dt><dd><code>{id}</code></dd></dl>
{edit}{access}{activity}"#,
        name = escape(&user.name),
        status_badge = status_badge(user.status),
        email = escape(user.email.as_str()),
        role = escape(role_word(user.role)),
        status_word = if user.status == UserStatus::Active { "Active" } else { "Disabled: cannot sign in" },
        mfa = if user.mfa.enabled { "On" } else { "Off" },
        verified = if user.email_verified { "Yes" } else { "Not yet" },
        created = when(user.created_at),
        id = escape(user.id.as_str()),
        edit = edit_form(viewer, &user, &edit, view.problem.as_ref()),
        access = access_section(viewer, &user),
    );
    Page::new(user.name.clone(), body).full().status(status).into_response()
}

/// The 404 page of an address that names no user (a malformed id names nobody either).
fn no_such_user() -> Response {
    error_page(StatusCode::NOT_FOUND, "We could not find that user.")
}

/// GET /dashboard/users/{id} (`?confirm=disable|enable` for the confirm step; `action`,
/// `from`, `to`, `cursor`, `trail` for the activity; `notice` after an action)
pub async fn show(State(app): State<AppState>, Path(raw): Path<String>, headers: HeaderMap, QueryFields(query): QueryFields)
    -> Result<Response, Response> {
    let viewer = require_admin(&app, &headers, &format!("{LIST}/{raw}")).await?;
    let id = UserId::parse(&raw).ok_or_else(no_such_user)?;
    let view = View { notice: notice(query.get("notice")), confirm: Change::parse(query.get("confirm")), ..View::default() };
    Ok(render(&app, &viewer, &id, &query, view).await)
}

/// POST /dashboard/users/{id}: `action` = `edit` (name, role, version), `disable` or
/// `enable` (after the confirm step: `confirmed=yes`). Answers 303 back to the page with a
/// notice, or the page again with the problem.
pub async fn submit(State(app): State<AppState>, Path(raw): Path<String>, origin: Origin, headers: HeaderMap, Form(form): Form)
    -> Result<Response, Response> {
    let viewer = require_admin(&app, &headers, &format!("{LIST}/{raw}")).await?;
    let id = UserId::parse(&raw).ok_or_else(no_such_user)?;
    let path = path_of(&id);
    if !csrf_ok(&headers, &form) {
        return Err(forbidden_form(&path));
    }
    let actor = origin.actor(&viewer);
    let no_query = Fields::default();
    match form.get("action") {
        "edit" => {
            let name = form.get("name").to_string();
            let role_raw = form.trimmed("role").to_string();
            // A version that is not a number matches nothing: the form is not ours, or stale.
            let version = form.trimmed("version").parse::<i64>().ok();
            let expected = Expected::none().one_of(version.into_iter().collect());
            let role = match role_raw.as_str() {
                "" => None,
                raw => match params::role(raw) {
                    Some(role) => Some(role),
                    None => {
                        let problem = Problem::from(AdminError::invalid("role", "must be one of the roles offered"));
                        let edit = EditForm { name, role: role_raw, version: version.unwrap_or(0) };
                        let view = View { problem: Some(problem), edit: Some(edit), ..View::default() };
                        return Ok(render(&app, &viewer, &id, &no_query, view).await);
                    }
                },
            };
            let before = users::get(&app, &id).await.ok();
            match users::update(&app, &actor, &id, Patch { name: Some(name.clone()), role }, &expected).await {
                Ok(after) => {
                    let code = match before {
                        Some(b) if b.version == after.version => "unchanged",
                        Some(b) if b.role != after.role => "role_changed",
                        _ => "updated",
                    };
                    Ok(see_other(&format!("{path}?notice={code}"), Vec::new()))
                }
                Err(AdminError::PreconditionFailed) => {
                    // Show the user as it is now, and what this form tried to save.
                    let view = View {
                        problem: Some(Problem::from(AdminError::PreconditionFailed)),
                        not_saved: Some((name, role_raw)),
                        ..View::default()
                    };
                    Ok(render(&app, &viewer, &id, &no_query, view).await)
                }
                Err(e) => {
                    let edit = EditForm { name, role: role_raw, version: version.unwrap_or(0) };
                    let view = View { problem: Some(Problem::from(e)), edit: Some(edit), ..View::default() };
                    Ok(render(&app, &viewer, &id, &no_query, view).await)
                }
            }
        }
        action @ ("disable" | "enable") => {
            let change = Change::parse(action).unwrap_or(Change::Disable);
            if form.get("confirmed") != "yes" {
                // Not through the confirm step: show it first.
                return Ok(see_other(&format!("{path}?confirm={}#confirm", change.word()), Vec::new()));
            }
            match users::set_status(&app, &actor, &id, change.status()).await {
                Ok(_) => Ok(see_other(&format!("{path}?notice={}d", change.word()), Vec::new())),
                Err(e) => {
                    let view = View { problem: Some(Problem::from(e)), ..View::default() };
                    Ok(render(&app, &viewer, &id, &no_query, view).await)
                }
            }
        }
        _ => {
            let view = View { problem: Some(Problem::new(StatusCode::BAD_REQUEST, "This page does not do that.")), ..View::default() };
            Ok(render(&app, &viewer, &id, &no_query, view).await)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_date_is_a_whole_utc_day_and_anything_else_is_refused() {
        assert_eq!(date("2026-11-25", "From", "00:00:00").unwrap(), Timestamp::parse("2026-11-25T00:00:00Z"));
        assert_eq!(date("", "From", "00:00:00").unwrap(), None);
        for bad in ["2026-13-01", "25/11/2026", "2026-11-25T00:00:00Z", "yesterday"] {
            let p = date(bad, "From", "00:00:00").unwrap_err();
            assert_eq!(p.status, StatusCode::BAD_REQUEST, "{bad}");
        }
        let user = UserId::generate(Timestamp::from_unix(1));
        let fields = Fields::parse("from=2026-11-26&to=2026-11-25");
        assert!(TrailQuery::of(&fields).filter(&user).is_err(), "a reversed range");
        let fields = Fields::parse("from=2026-11-25&to=2026-11-25&action=user.disabled");
        let filter = TrailQuery::of(&fields).filter(&user).unwrap();
        assert_eq!(filter.to.unwrap().unix() - filter.from.unwrap().unix(), 86_399);
        assert_eq!(filter.actor_id.as_deref(), Some(user.as_str()));
    }

    #[test]
    fn details_read_as_a_line_with_before_and_after() {
        let line = summary(&json!({"role": {"before": "tenant_member", "after": "tenant_admin"}, "sessions_ended": 2}));
        assert_eq!(line, "role: tenant_member → tenant_admin · sessions_ended: 2");
        assert_eq!(summary(&Value::Null), "");
        let long = summary(&json!({"note": "x".repeat(500)}));
        assert_eq!(long.chars().count(), DETAILS_MAX + 1);
    }

    #[test]
    fn targets_link_to_their_pages_and_are_escaped() {
        let names = BTreeMap::from([("usr_02".to_string(), "Ada <b>".to_string())]);
        assert!(target(Some("usr_01"), &names).contains(r#"href="/dashboard/users/usr_01""#));
        assert!(target(Some("usr_02"), &names).contains(">Ada &lt;b&gt;</a>"));
        assert!(target(Some("ten_01"), &names).contains(r#"href="/dashboard/tenants/ten_01""#));
        assert_eq!(target(Some("<b>"), &names), "<code>&lt;b&gt;</code>");
    }
}
