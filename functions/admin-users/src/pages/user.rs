//! `/dashboard/users/{id}`: one user's details, the edit form (name and role, with the
//! version read as a hidden field so a stale form changes nothing), disable / enable after a
//! confirm step (`?confirm=disable` or `?confirm=enable` shows it; its button posts), and the
//! user's audit trail: the events they caused, newest first, filtered by action and dates.
use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::ids::{TenantId, UserId};
use domain::time::Timestamp;
use domain::user::{Role, User, UserStatus};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;
use store::audit::{self, AuditEvent, AuditFilter};
use store::repo::tenants;
use web::kit::{
    self,
    ButtonStyle, Column, Confirm, Input, InputType, NoticeKind, Select, Tone, confirm_step, data_table, facts, field, hidden, link_button,
    notice, post_form, select_field, status_badge,
};
use web::pages::form::{Fields, Form, QueryFields, csrf_token_ok, forbidden_form};
use web::pages::{Page, Viewer, error_page, see_other};
use web::pagination::encode_cursor;
use web::{ApiError, AppState, PageRequest};

use super::links::{self, LIST};
use super::{ActorOf, Origin, PAGE_SIZE, Paging, SECTION, crumbs, pager, refusal, require_admin, role_value, role_word, when};
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

    fn verb(self) -> &'static str {
        match self {
            Change::Disable => "Disable",
            Change::Enable => "Enable",
        }
    }

    /// The notice after it is done (one of `super::notice`'s codes).
    fn done(self) -> &'static str {
        match self {
            Change::Disable => "disabled",
            Change::Enable => "enabled",
        }
    }

    fn status(self) -> UserStatus {
        match self {
            Change::Disable => UserStatus::Disabled,
            Change::Enable => UserStatus::Active,
        }
    }
}

/// What the page's forms post. Every field defaults to empty, as a missing field always did.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct UserForm {
    csrf_token: String,
    /// `edit`, `disable` or `enable`.
    action: String,
    name: String,
    role: String,
    version: String,
    /// `yes` when the post comes from the confirm step.
    confirmed: String,
}

/// The edit form's values: the user's, or what the admin typed before a refusal.
struct EditForm {
    name: String,
    role: String,
    version: i64,
}

/// What the page shows besides the user: a notice, a refusal, the confirm step, the edit
/// form's values, and what a stale form tried to save.
#[derive(Default)]
struct View {
    notice: Option<&'static str>,
    problem: Option<ApiError>,
    confirm: Option<Change>,
    edit: Option<EditForm>,
    /// A stale form's values (name, role), shown so the admin can apply them again.
    not_saved: Option<(String, String)>,
}

/// The trail's filters, raw from the query, and parsed.
struct TrailSearch<'a> {
    action: &'a str,
    from: &'a str,
    to: &'a str,
    limit: &'a str,
}

impl<'a> TrailSearch<'a> {
    fn of(fields: &'a Fields) -> TrailSearch<'a> {
        TrailSearch { action: fields.trimmed("action"), from: fields.trimmed("from"), to: fields.trimmed("to"), limit: fields.trimmed("limit") }
    }

    fn pairs(&self) -> [(&'a str, &'a str); 4] {
        [("action", self.action), ("from", self.from), ("to", self.to), ("limit", self.limit)]
    }

    fn filtered(&self) -> bool {
        [self.action, self.from, self.to].iter().any(|v| !v.is_empty())
    }

    /// The filter over `user`'s events: a date is a whole UTC day, both ends included.
    fn filter(&self, user: &UserId) -> Result<AuditFilter, ApiError> {
        let from = date(self.from, "from", "00:00:00")?;
        let to = date(self.to, "to", "23:59:59")?;
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(ApiError::bad_request("invalid_parameter", "The From date must not be after the To date.").with_field("from"));
        }
        Ok(AuditFilter { actor_id: Some(user.to_string()), tenant_id: None, action: params::action_param(Some(self.action))?, from, to })
    }
}

/// A `YYYY-MM-DD` date input (the field `name`) as the instant `time` of that UTC day.
fn date(raw: &str, name: &str, time: &str) -> Result<Option<Timestamp>, ApiError> {
    if raw.is_empty() {
        return Ok(None);
    }
    let shaped = raw.len() == 10 && raw.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    let label = if name == "from" { "From" } else { "To" };
    shaped.then(|| Timestamp::parse(&[raw, "T", time, "Z"].concat())).flatten().map(Some).ok_or_else(|| {
        ApiError::bad_request("invalid_parameter", ["The ", label, " date must be a date like 2026-11-25."].concat()).with_field(name)
    })
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
                (Some(before), Some(after)) => [k.as_str(), ": ", &text(before), " → ", &text(after)].concat(),
                _ => [k.as_str(), ": ", &text(v)].concat(),
            })
            .collect::<Vec<_>>()
            .join(" · "),
        other => text(other),
    };
    match line.char_indices().nth(DETAILS_MAX) {
        Some((cut, _)) => [&line[..cut], "…"].concat(),
        None => line,
    }
}

/// A target id as a link to its page where there is one; a user by name when known.
fn target(target: Option<&str>, names: &BTreeMap<String, String>) -> Markup {
    match target {
        None => html! { span.muted { "—" } },
        Some(t) if t.starts_with("usr_") => match names.get(t) {
            Some(name) => html! { a href=(links::user(t)) title=(t) { (name) } },
            None => html! { a href=(links::user(t)) { code { (t) } } },
        },
        Some(t) if t.starts_with("ten_") => html! { a href=(links::tenant(t)) { code { (t) } } },
        Some(t) => html! { code { (t) } },
    }
}

fn event_row(event: &AuditEvent, names: &BTreeMap<String, String>) -> Vec<Markup> {
    vec![
        when(event.at),
        // An action name reads as one word: it never breaks inside.
        html! { span.nowrap { code { (event.action) } } },
        target(event.target.as_deref(), names),
        html! { span.nowrap { (event.ip) } },
        details_cell(&event.details),
    ]
}

/// An event's details; a dash when there are none, since an empty cell under 560px would
/// leave its column's label hanging out of the row.
fn details_cell(details: &Value) -> Markup {
    let line = summary(details);
    html! {
        @if line.is_empty() { span.muted { "—" } } @else { span.small { (line) } }
    }
}

const EVENT_COLUMNS: [Column<'static>; 5] =
    [Column::text("When (UTC)"), Column::text("Action"), Column::text("Target"), Column::text("IP"), Column::text("Details")];

/// One page of the user's trail, the names of the users it is about, and the next page's
/// cursor; or why it could not be read (a filter or a page link that does not parse).
enum Activity {
    Events { events: Vec<AuditEvent>, names: BTreeMap<String, String>, next: Option<String> },
    Refused(ApiError),
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

async fn activity(app: &AppState, user: &User, query: &TrailSearch<'_>, paging: &Paging) -> Activity {
    let read = async {
        let filter = query.filter(&user.id)?;
        let (key, scope) = (&app.config.cursor_key, ["admin:", &filter.scope()].concat());
        let limit = Some(query.limit).filter(|l| !l.is_empty());
        let page = PageRequest::parse(limit, paging.cursor.as_deref(), key, &scope)?;
        let limit = if limit.is_some() { page.limit } else { PAGE_SIZE };
        let found = audit::list(app.store.as_ref(), &filter, limit, page.after, app.clock.now()).await.map_err(AdminError::from)?;
        Ok::<_, ApiError>((found.events, found.next.map(|c| encode_cursor(key, &scope, &c))))
    };
    match read.await {
        Ok((events, next)) => {
            let names = user_names(app, &events).await;
            Activity::Events { events, names, next }
        }
        Err(e) => Activity::Refused(refusal(e)),
    }
}

/// The trail section: its filter form, one page of events and the pager.
fn activity_section(path: &str, query: &TrailSearch<'_>, paging: &Paging, activity: &Activity) -> Markup {
    let refused = match activity {
        Activity::Refused(e) => Some(e),
        Activity::Events { .. } => None,
    };
    let on = |name: &str| refused.and_then(|e| e.on(name));
    let here = links::at(path, "activity");
    html! {
        section.panel #activity {
            h2 { "Activity" }
            p.muted.small { "What this user did on the platform, newest first." }
            form method="get" action=(here) aria-label="Filter the activity" {
                div.grid {
                    (field(&Input::new("Action", "action", InputType::Text)
                        .id("t-action")
                        .value(query.action)
                        .list("actions")
                        .placeholder("Any action")
                        .verbatim()
                        .maxlength(64)
                        .error(on("action"))))
                    (field(&Input::new("From (UTC)", "from", InputType::Date).id("t-from").value(query.from).error(on("from"))))
                    (field(&Input::new("To (UTC)", "to", InputType::Date).id("t-to").value(query.to).error(on("to"))))
                }
                @if !query.limit.is_empty() { (hidden("limit", query.limit)) }
                datalist #actions {
                    @for action in ACTIONS { option value=(action) {} }
                }
                div.row {
                    (kit::submit("Filter", ButtonStyle::Secondary))
                    @if query.filtered() { a href=(here) { "Clear filters" } }
                }
            }
            @match activity {
                Activity::Events { events, names, next } => {
                    @let rows: Vec<Vec<Markup>> = events.iter().map(|e| event_row(e, names)).collect();
                    @let empty = if query.filtered() { "No activity matches these filters." } else { "No activity recorded yet." };
                    div.mt-3 {
                        (data_table("Activity", &EVENT_COLUMNS, &rows, empty, None))
                        (pager(path, &query.pairs(), paging, next.as_deref(), events.len()))
                    }
                }
                Activity::Refused(e) => {
                    // A refusal about a filter is shown at its field in the form above.
                    @if !["action", "from", "to"].iter().any(|name| e.on(name).is_some()) {
                        (notice(NoticeKind::Error, e.message_for_people().as_str()))
                    }
                }
            }
        }
    }
}

/// The roles `user` may be given: tenant roles inside a tenant, platform roles outside.
fn fitting_roles(user: &User) -> Vec<(&'static str, &'static str)> {
    let roles: &[Role] = match user.tenant_id {
        Some(_) => &[Role::TenantAdmin, Role::TenantMember],
        None => &[Role::PlatformAdmin, Role::Partner],
    };
    roles.iter().map(|r| (role_value(*r), role_word(*r))).collect()
}

fn edit_section(viewer: &Viewer, user: &User, form: &EditForm, problem: Option<&ApiError>) -> Markup {
    let on = |name: &str| problem.and_then(|e| e.on(name));
    let roles = fitting_roles(user);
    let role = Select::new("Role", "role", &roles).id("e-role").selected(&form.role);
    let role = if user.id == viewer.caller.user_id {
        // A disabled control is not sent: the role stays as it is.
        role.disabled().hint("You cannot change your own role; ask another platform admin.")
    } else {
        role.error(on("role"))
    };
    html! {
        h2 { "Edit" }
        p.muted.small { "A role change signs the user out everywhere, so the new role applies at once." }
        (post_form(&links::user(user.id.as_str()), viewer.csrf(), html! {
            (hidden("action", "edit"))
            (hidden("version", &form.version.to_string()))
            div.pair {
                (field(&Input::new("Name", "name", InputType::Text).value(&form.name).required().maxlength(100).error(on("name"))))
                (select_field(&role))
            }
            (kit::submit("Save changes", ButtonStyle::Primary))
        }))
    }
}

/// The button that opens the confirm step of the change `user` can undergo, if any.
fn access_button(viewer: &Viewer, user: &User) -> Option<Markup> {
    let path = links::user(user.id.as_str());
    match user.status {
        _ if user.id == viewer.caller.user_id => None,
        UserStatus::Active => Some(link_button("Disable user…", &links::confirm(&path, "disable"), ButtonStyle::Danger)),
        UserStatus::Disabled => Some(link_button("Enable user…", &links::confirm(&path, "enable"), ButtonStyle::Secondary)),
    }
}

fn access_section(viewer: &Viewer, user: &User) -> Markup {
    let text = match user.status {
        _ if user.id == viewer.caller.user_id => "This is your own account; another platform admin can disable it.",
        UserStatus::Active => "Disabling ends every session of this user at once and refuses their sign-in until they are enabled again.",
        UserStatus::Disabled => "This user cannot sign in. Enabling lets them sign in again with their password.",
    };
    html! {
        h2 { "Access" }
        p.muted.small { (text) }
        @if let Some(button) = access_button(viewer, user) { (button) }
    }
}

fn confirm_section(viewer: &Viewer, user: &User, change: Change) -> Markup {
    if change == Change::Disable && user.id == viewer.caller.user_id {
        return notice(NoticeKind::Error, "You cannot disable your own account; ask another platform admin.");
    }
    if user.status == change.status() {
        let state = if change == Change::Disable { "disabled" } else { "active" };
        return notice(NoticeKind::Notice, html! { (user.name) " is " (state) " already." });
    }
    let path = links::user(user.id.as_str());
    let question = [change.verb(), " ", &user.name, " (", user.email.as_str(), ")?"].concat();
    let button = [change.verb(), " ", &user.name].concat();
    let consequence = match change {
        Change::Disable => "Every session of theirs ends at once and they cannot sign in until enabled again. Nothing else is deleted.",
        Change::Enable => "They can sign in again with their password.",
    };
    confirm_step(
        &Confirm {
            question: &question,
            consequence,
            action: &path,
            csrf: viewer.csrf(),
            hidden: &[("action", change.word()), ("confirmed", "yes")],
            button: &button,
            destructive: change == Change::Disable,
            cancel_href: &path,
        },
        None,
    )
}

/// What the page knows of the user's organization.
enum Organization {
    /// A platform account.
    None,
    Named(TenantId, String),
    /// The id of an organization that is no longer there.
    Removed(TenantId),
}

async fn organization_of(app: &AppState, user: &User) -> Result<Organization, ApiError> {
    let Some(id) = &user.tenant_id else { return Ok(Organization::None) };
    Ok(match tenants::get(app.store.as_ref(), id).await? {
        Some(tenant) => Organization::Named(id.clone(), tenant.name),
        None => Organization::Removed(id.clone()),
    })
}

fn organization(organization: &Organization) -> Markup {
    let (id, name) = match organization {
        Organization::None => return html! { span.muted { "None (platform account)" } },
        Organization::Named(id, name) => (id, name.as_str()),
        Organization::Removed(id) => (id, "(removed)"),
    };
    html! {
        a href=(links::tenant(id.as_str())) { (name) } " "
        code.small.muted { (id.as_str()) }
        " · "
        a.small href=(links::users_of(id.as_str())) { "its users" }
    }
}

fn details(user: &User, org: &Organization) -> Markup {
    let status = match user.status {
        UserStatus::Active => status_badge("Active", Tone::Success),
        UserStatus::Disabled => status_badge("Disabled: cannot sign in", Tone::Danger),
    };
    facts(&[
        ("Role", html! { (role_word(user.role)) }),
        ("Organization", organization(org)),
        ("Status", status),
        ("Two-factor", html! { (if user.mfa.enabled { "On" } else { "Off" }) }),
        ("Email confirmed", html! { (if user.email_verified { "Yes" } else { "Not yet" }) }),
        ("Created", when(user.created_at)),
        ("User ID", html! { code { (user.id.as_str()) } }),
    ])
}

/// Everything the page shows, read.
struct Loaded<'a> {
    user: User,
    organization: Organization,
    query: TrailSearch<'a>,
    paging: Paging,
    activity: Activity,
}

/// The whole page, from what was read and what happened.
fn page(viewer: &Viewer, loaded: &Loaded<'_>, view: View) -> Page {
    let user = &loaded.user;
    let path = links::user(user.id.as_str());
    let refused = match &loaded.activity {
        Activity::Refused(e) => Some(e),
        Activity::Events { .. } => None,
    };
    let status = view.problem.as_ref().or(refused).map_or(StatusCode::OK, |e| e.status);
    let edit = view.edit.unwrap_or(EditForm { name: user.name.clone(), role: role_value(user.role).to_string(), version: user.version });
    let own = user.id == viewer.caller.user_id;
    let body = html! {
        @if let Some(text) = view.notice { (notice(NoticeKind::Notice, text)) }
        @if let Some(e) = &view.problem {
            @if e.detail.field.is_some() {
                (notice(NoticeKind::Error, "Nothing was saved; see the form below."))
            } @else {
                (notice(NoticeKind::Error, html! {
                    (e.message_for_people())
                    @if e.code() == "precondition_failed" { " The form now shows the current values: check them and save again." }
                }))
            }
        }
        @if let Some((name, role)) = &view.not_saved {
            p.small.muted { "Your version was: name “" (name) "”, role " (params::role(role).map(role_word).unwrap_or("unchanged")) "." }
        }
        @if let Some(change) = view.confirm { (confirm_section(viewer, user, change)) }
        div.cols {
            section.panel {
                h2 { "Details" }
                (details(user, &loaded.organization))
            }
            section.panel aria-label="Manage" {
                (edit_section(viewer, user, &edit, view.problem.as_ref()))
                (access_section(viewer, user))
            }
        }
        (activity_section(&path, &loaded.query, &loaded.paging, &loaded.activity))
    };
    let subtitle = if own { [user.email.as_str(), " · your own account"].concat() } else { user.email.as_str().to_string() };
    let page = Page::app(viewer, SECTION, user.name.clone(), body).subtitle(subtitle).crumbs(crumbs(&[("Users", LIST)])).status(status);
    match access_button(viewer, user) {
        Some(button) => page.actions(button),
        None => page,
    }
}

async fn respond(app: &AppState, viewer: &Viewer, id: &UserId, query: &Fields, view: View) -> Response {
    let user = match users::get(app, id).await {
        Ok(user) => user,
        Err(e) => return error_page(&refusal(e)),
    };
    let organization = match organization_of(app, &user).await {
        Ok(organization) => organization,
        Err(e) => return error_page(&e),
    };
    let (trail, paging) = (TrailSearch::of(query), Paging::of(query));
    let activity = activity(app, &user, &trail, &paging).await;
    let loaded = Loaded { user, organization, query: trail, paging, activity };
    page(viewer, &loaded, view).into_response()
}

/// The 404 page of an address that names no user (a malformed id names nobody either).
fn no_such_user() -> Response {
    error_page(&ApiError::from(AdminError::NotFound("user")))
}

/// GET /dashboard/users/{id} (`?confirm=disable|enable` for the confirm step; `action`,
/// `from`, `to`, `limit`, `cursor`, `trail` for the activity; `notice` after an action)
pub async fn show(State(app): State<AppState>, Path(raw): Path<String>, headers: HeaderMap, QueryFields(query): QueryFields)
    -> Result<Response, Response> {
    let viewer = require_admin(&app, &headers, &links::user(&raw)).await?;
    let id = UserId::parse(&raw).ok_or_else(no_such_user)?;
    let view = View { notice: super::notice(query.get("notice")), confirm: Change::parse(query.get("confirm")), ..View::default() };
    Ok(respond(&app, &viewer, &id, &query, view).await)
}

/// POST /dashboard/users/{id}: `action` = `edit` (name, role, version), `disable` or
/// `enable` (after the confirm step: `confirmed=yes`). Answers 303 back to the page with a
/// notice, or the page again with the refusal.
pub async fn submit(State(app): State<AppState>, Path(raw): Path<String>, origin: Origin, headers: HeaderMap, Form(form): Form<UserForm>)
    -> Result<Response, Response> {
    let viewer = require_admin(&app, &headers, &links::user(&raw)).await?;
    let id = UserId::parse(&raw).ok_or_else(no_such_user)?;
    let path = links::user(id.as_str());
    if !csrf_token_ok(&viewer, &form.csrf_token) {
        return Err(forbidden_form(&path));
    }
    let actor = origin.actor(&viewer);
    let no_query = Fields::default();
    match form.action.as_str() {
        "edit" => {
            let UserForm { name, role: role_raw, version, .. } = form;
            let role_raw = role_raw.trim().to_string();
            // A version that is not a number matches nothing: the form is not ours, or stale.
            let version = version.trim().parse::<i64>().ok();
            let expected = Expected::none().one_of(version.into_iter().collect());
            let role = match role_raw.as_str() {
                "" => None,
                raw => match params::role(raw) {
                    Some(role) => Some(role),
                    None => {
                        let problem = refusal(AdminError::invalid("role", "must be one of the roles offered"));
                        let edit = EditForm { name, role: role_raw, version: version.unwrap_or(0) };
                        let view = View { problem: Some(problem), edit: Some(edit), ..View::default() };
                        return Ok(respond(&app, &viewer, &id, &no_query, view).await);
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
                    Ok(see_other(&links::notice(&path, code), Vec::new()))
                }
                Err(AdminError::PreconditionFailed) => {
                    // Show the user as it is now, and what this form tried to save.
                    let view = View {
                        problem: Some(refusal(AdminError::PreconditionFailed)),
                        not_saved: Some((name, role_raw)),
                        ..View::default()
                    };
                    Ok(respond(&app, &viewer, &id, &no_query, view).await)
                }
                Err(e) => {
                    let edit = EditForm { name, role: role_raw, version: version.unwrap_or(0) };
                    let view = View { problem: Some(refusal(e)), edit: Some(edit), ..View::default() };
                    Ok(respond(&app, &viewer, &id, &no_query, view).await)
                }
            }
        }
        action @ ("disable" | "enable") => {
            let change = Change::parse(action).unwrap_or(Change::Disable);
            if form.confirmed != "yes" {
                // Not through the confirm step: show it first.
                return Ok(see_other(&links::confirm(&path, change.word()), Vec::new()));
            }
            match users::set_status(&app, &actor, &id, change.status()).await {
                Ok(_) => Ok(see_other(&links::notice(&path, change.done()), Vec::new())),
                Err(e) => {
                    let view = View { problem: Some(refusal(e)), ..View::default() };
                    Ok(respond(&app, &viewer, &id, &no_query, view).await)
                }
            }
        }
        _ => {
            let problem = ApiError::bad_request("unknown_action", "This page does not do that.");
            let view = View { problem: Some(problem), ..View::default() };
            Ok(respond(&app, &viewer, &id, &no_query, view).await)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::testing::{XSS, XSS_EMAIL, assert_inert, now, shot, user, viewer};
    use domain::ids::EventId;
    use domain::user::Mfa;
    use serde_json::json;

    #[test]
    fn a_date_is_a_whole_utc_day_and_anything_else_is_refused() {
        assert_eq!(date("2026-11-25", "from", "00:00:00").unwrap(), Timestamp::parse("2026-11-25T00:00:00Z"));
        assert_eq!(date("", "from", "00:00:00").unwrap(), None);
        for bad in ["2026-13-01", "25/11/2026", "2026-11-25T00:00:00Z", "yesterday"] {
            let e = date(bad, "from", "00:00:00").unwrap_err();
            assert_eq!(e.status, StatusCode::BAD_REQUEST, "{bad}");
            assert_eq!(e.on("from"), Some("The From date must be a date like 2026-11-25."));
        }
        let user = UserId::generate(Timestamp::from_unix(1));
        let fields = Fields::parse("from=2026-11-26&to=2026-11-25");
        assert!(TrailSearch::of(&fields).filter(&user).unwrap_err().on("from").is_some_and(|m| m.contains("must not be after")));
        let fields = Fields::parse("from=2026-11-25&to=2026-11-25&action=user.disabled");
        let filter = TrailSearch::of(&fields).filter(&user).unwrap();
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
        assert!(target(Some("usr_01"), &names).into_string().contains(r#"href="/dashboard/users/usr_01""#));
        assert!(target(Some("usr_02"), &names).into_string().contains(">Ada &lt;b&gt;</a>"));
        assert!(target(Some("ten_01"), &names).into_string().contains(r#"href="/dashboard/tenants/ten_01""#));
        assert_eq!(target(Some("<b>"), &names).into_string(), "<code>&lt;b&gt;</code>");
    }

    fn event(action: &str, target: Option<&str>, ip: &str, details: Value, minutes: i64) -> AuditEvent {
        let at = now().plus_seconds(-60 * minutes);
        AuditEvent {
            id: EventId::generate(at),
            at,
            actor_id: "usr_x".into(),
            tenant_id: None,
            action: action.into(),
            target: target.map(str::to_string),
            ip: ip.into(),
            request_id: Some(XSS.into()),
            details,
        }
    }

    fn loaded<'a>(user: User, organization: Organization, query: &'a Fields, activity: Activity) -> Loaded<'a> {
        Loaded { user, organization, query: TrailSearch::of(query), paging: Paging::of(query), activity }
    }

    #[test]
    fn the_user_page_escapes_every_field_a_user_can_set() {
        let tenant = TenantId::generate(now());
        let someone = user(XSS, XSS_EMAIL, Role::TenantMember, Some(&tenant));
        let target = UserId::generate(now()).to_string();
        let events = vec![
            event(XSS, Some(&target), XSS, json!({ XSS: { "before": XSS, "after": XSS }, "note": XSS }), 1),
            event("user.updated", Some(XSS), XSS, json!(XSS), 2),
            event("tenant.updated", Some(tenant.as_str()), "203.0.113.9", Value::Null, 3),
        ];
        let activity = Activity::Events { events, names: BTreeMap::from([(target, XSS.to_string())]), next: Some("n".into()) };
        let query = Fields::parse("action=%3Cscript%3E%22%27&from=%22%27&to=%3Cscript%3E&limit=%22%27");
        let loaded = loaded(someone, Organization::Named(tenant, XSS.into()), &query, activity);
        let viewer = viewer(XSS, XSS);
        for confirm in [Some(Change::Disable), Some(Change::Enable), None] {
            let view = View {
                notice: super::super::notice("updated"),
                problem: Some(ApiError::from(AdminError::invalid("name", XSS))),
                confirm,
                edit: Some(EditForm { name: XSS.into(), role: XSS.into(), version: 4 }),
                not_saved: Some((XSS.into(), XSS.into())),
            };
            let html = page(&viewer, &loaded, view).render().into_string();
            assert_inert(&html);
            assert!(html.contains(r#"value="&lt;script&gt;alert(1)&lt;/script&gt;&quot;'""#), "the form's value is shown back escaped");
        }
        // A refusal with no field is a banner, escaped too.
        let view = View { problem: Some(ApiError::conflict("conflict", XSS)), ..View::default() };
        assert_inert(&page(&viewer, &loaded, view).render().into_string());
    }

    #[test]
    fn a_bad_activity_filter_is_shown_at_its_field_with_the_api_status() {
        let query = Fields::parse("from=2026-11-26&to=2026-11-25");
        let someone = user("Charles Babbage", "charles@example.com", Role::Partner, None);
        let e = refusal(TrailSearch::of(&query).filter(&someone.id).unwrap_err());
        let loaded = loaded(someone, Organization::None, &query, Activity::Refused(e));
        let page = page(&viewer("Ada", "ada@example.com"), &loaded, View::default());
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        let html = page.render().into_string();
        assert!(html.contains("must not be after") && html.contains("<h2>Edit</h2>"), "{html}");
        assert!(html.contains(r#"id="t-from" name="from" type="date" value="2026-11-26""#), "{html}");
    }

    #[test]
    fn the_user_page_looks_right() {
        let tenant = TenantId::generate(now());
        let viewer = viewer("Ada Lovelace", "admin@dotmac.local");
        let mut charles = user("Charles Babbage", "charles@engines.example", Role::TenantMember, Some(&tenant));
        charles.mfa = Mfa { enabled: true, ..Mfa::default() };
        let path = links::user(charles.id.as_str());
        let grace = UserId::generate(now()).to_string();
        let events = vec![
            event("user.role_changed", Some(&grace), "203.0.113.10", json!({"role": {"before": "tenant_member", "after": "tenant_admin"}, "sessions_ended": 2}), 5),
            event("invitation.created", Some("inv_01jd00000000000000000000zz"), "203.0.113.10", json!({"email": "grace@engines.example"}), 50),
            event("session.login", None, "203.0.113.10", Value::Null, 55),
        ];
        let activity = Activity::Events { events, names: BTreeMap::from([(grace, "Grace Hopper".to_string())]), next: Some("c2".into()) };
        let query = Fields::default();
        let loaded = loaded(charles, Organization::Named(tenant, "Analytical Engines".into()), &query, activity);
        let view = View { notice: super::super::notice("updated"), ..View::default() };
        let html = page(&viewer, &loaded, view).render().into_string();
        for text in ["Charles Babbage", "charles@engines.example", "Organization member", "Analytical Engines", "Active", "<h2>Activity</h2>"] {
            assert!(html.contains(text), "{text}: {html}");
        }
        assert!(html.contains(r#"<li><a href="/dashboard">Dashboard</a></li><li><a href="/dashboard/users">Users</a></li><li aria-current="page">Charles Babbage</li>"#), "{html}");
        assert!(html.contains(&["href=\"", &path, "?confirm=disable#confirm\""].concat()));
        assert!(html.contains(r#"name="version" value="3""#) && !html.contains(r#"<option value="partner""#));
        assert!(!html.contains(r#"value="disable""#), "no disable button before the confirm step");
        assert!(html.contains("role: tenant_member → tenant_admin · sessions_ended: 2"));
        shot("user", &html);
        let view = View { confirm: Some(Change::Disable), ..View::default() };
        let html = page(&viewer, &loaded, view).render().into_string();
        assert!(html.contains("Disable Charles Babbage (charles@engines.example)?"), "{html}");
        assert!(html.contains(r#"name="action" value="disable"><input type="hidden" name="confirmed" value="yes">"#), "{html}");
        shot("user-confirm", &html);
        let view = View {
            problem: Some(ApiError::from(AdminError::PreconditionFailed)),
            not_saved: Some(("Stale Name".into(), "tenant_admin".into())),
            ..View::default()
        };
        let page = page(&viewer, &loaded, view);
        assert_eq!(page.status, StatusCode::PRECONDITION_FAILED);
        let html = page.render().into_string();
        assert!(html.contains("Someone changed this user after you opened the page") && html.contains("Stale Name"));
        shot("user-stale", &html);
    }

    #[test]
    fn the_own_page_offers_no_disable_and_no_role_change() {
        let viewer = viewer("Ada Lovelace", "admin@dotmac.local");
        let mut me = user("Ada Lovelace", "admin@dotmac.local", Role::PlatformAdmin, None);
        me.id = viewer.caller.user_id.clone();
        let query = Fields::default();
        let loaded = loaded(me, Organization::None, &query, Activity::Events { events: Vec::new(), names: BTreeMap::new(), next: None });
        let html = page(&viewer, &loaded, View::default()).render().into_string();
        assert!(html.contains("You cannot change your own role") && html.contains(r#"<select id="e-role" name="role" disabled"#), "{html}");
        assert!(!html.contains("confirm=disable") && html.contains("No activity recorded yet."));
        let html = page(&viewer, &loaded, View { confirm: Some(Change::Disable), ..View::default() }).render().into_string();
        assert!(html.contains("You cannot disable your own account"));
        shot("user-own", &html);
    }
}
