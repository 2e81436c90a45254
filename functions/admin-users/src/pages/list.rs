//! `/dashboard/users`: every user of the platform, newest first, searchable and filtered, a
//! page at a time; and the invite form, which posts to this same address.
use std::collections::BTreeMap;

use auth::pages::Viewer;
use auth::pages::form::{Fields, Form, QueryFields, csrf_ok, forbidden_form};
use auth::pages::html::{Input, Page, error_banner, escape, hidden, notice_banner, see_other};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use shared::AppState;
use shared::domain::ids::TenantId;
use shared::domain::tenant::Tenant;
use shared::domain::user::{User, UserStatus};
use shared::http::PageRequest;
use shared::http::pagination::encode_cursor;
use shared::repo::tenants;

use super::{
    ActorOf, GRID, LIST, Origin, PAGE_SIZE, Problem, ROLES, day, field, notice, pager, paging, plain_input, require_admin, role_value,
    role_word, select, status_badge,
};
use crate::api::params;
use crate::service::users::{self, ListFilter};
use crate::service::{AdminError, invite};

/// What the invite form holds: empty, or what the admin typed before a refusal.
#[derive(Default)]
struct InviteForm<'a> {
    email: &'a str,
    name: &'a str,
    role: &'a str,
    tenant_id: &'a str,
}

/// What the page shows besides the list: a notice, the invite form's problem and values.
#[derive(Default)]
struct View<'a> {
    notice: Option<&'static str>,
    problem: Option<Problem>,
    invite: InviteForm<'a>,
}

/// The list's query as the filter form shows it (raw, so a bad value is shown back).
struct Query<'a> {
    q: &'a str,
    role: &'a str,
    status: &'a str,
    tenant_id: &'a str,
    limit: &'a str,
}

impl<'a> Query<'a> {
    fn of(fields: &'a Fields) -> Query<'a> {
        Query {
            q: fields.trimmed("q"),
            role: fields.trimmed("role"),
            status: fields.trimmed("status"),
            tenant_id: fields.trimmed("tenant_id"),
            limit: fields.trimmed("limit"),
        }
    }

    fn pairs(&self) -> Vec<(&'a str, &'a str)> {
        vec![("q", self.q), ("role", self.role), ("status", self.status), ("tenant_id", self.tenant_id), ("limit", self.limit)]
    }

    fn filter(&self) -> Result<ListFilter, Problem> {
        Ok(ListFilter {
            q: params::q_param(Some(self.q))?,
            role: params::role_param(Some(self.role))?,
            tenant_id: params::tenant_param(Some(self.tenant_id))?,
            status: params::status_param(Some(self.status))?,
        })
    }

    fn filtered(&self) -> bool {
        [self.q, self.role, self.status, self.tenant_id].iter().any(|v| !v.is_empty())
    }
}

/// One page of users and the cursor of the next, for the filters and paging of `query`.
async fn read(app: &AppState, query: &Query<'_>, cursor: Option<&str>) -> Result<(Vec<User>, Option<String>), Problem> {
    let filter = query.filter()?;
    let (key, scope) = (&app.config.cursor_key, filter.scope());
    let limit = Some(query.limit).filter(|l| !l.is_empty());
    let page = PageRequest::parse(limit, cursor, key, &scope)?;
    let limit = if limit.is_some() { page.limit } else { PAGE_SIZE };
    let (found, next) = users::list(app, &filter, limit, page.after).await?;
    Ok((found, next.map(|c| encode_cursor(key, &scope, &c))))
}

/// The tenants the users belong to, by id, to show their names.
async fn tenants_of(app: &AppState, found: &[User]) -> Result<BTreeMap<TenantId, Tenant>, AdminError> {
    let mut names = BTreeMap::new();
    for id in found.iter().filter_map(|u| u.tenant_id.as_ref()) {
        if !names.contains_key(id)
            && let Some(tenant) = tenants::get(app.store.as_ref(), id).await?
        {
            names.insert(id.clone(), tenant);
        }
    }
    Ok(names)
}

fn organization(user: &User, tenants: &BTreeMap<TenantId, Tenant>) -> String {
    match &user.tenant_id {
        None => r#"<span class="muted" title="No organization">—</span>"#.to_string(),
        Some(id) => {
            let name = tenants.get(id).map(|t| t.name.as_str()).unwrap_or("(removed)");
            format!(
                r#"<a href="{LIST}?tenant_id={id}" title="Users of this organization">{name}</a>"#,
                id = escape(id.as_str()),
                name = escape(name),
            )
        }
    }
}

fn user_row(user: &User, viewer: &Viewer, tenants: &BTreeMap<TenantId, Tenant>) -> String {
    let id = escape(user.id.as_str());
    let name = escape(&user.name);
    let you = if user.id == viewer.caller.user_id { r#" <span class="badge">You</span>"# } else { "" };
    let mfa = if user.mfa.enabled { r#"<span class="badge on">2FA on</span>"# } else { r#"<span class="badge off">2FA off</span>"# };
    let action = match user.status {
        _ if user.id == viewer.caller.user_id => String::new(),
        UserStatus::Active => {
            format!(r#"<a class="button danger" href="{LIST}/{id}?confirm=disable#confirm" aria-label="Disable {name}">Disable…</a>"#)
        }
        UserStatus::Disabled => {
            format!(r#"<a class="button secondary" href="{LIST}/{id}?confirm=enable#confirm" aria-label="Enable {name}">Enable…</a>"#)
        }
    };
    format!(
        r#"<tr><td><a href="{LIST}/{id}"><strong>{name}</strong></a>{you}<div class="small muted">{email}</div></td><td>{role}</td><td>{org}</td><td style="white-space:nowrap">{status}{mfa}</td><td>{created}</td><td class="actions">{action}</td></tr>"#,
        email = escape(user.email.as_str()),
        role = escape(role_word(user.role)),
        org = organization(user, tenants),
        status = status_badge(user.status),
        created = day(user.created_at),
    )
}

fn filter_form(query: &Query<'_>) -> String {
    let roles: Vec<(&str, &str)> =
        std::iter::once(("", "Any role")).chain(ROLES.iter().map(|r| (role_value(*r), role_word(*r)))).collect();
    let statuses = [("", "Any status"), ("active", "Active"), ("disabled", "Disabled")];
    let clear = if query.filtered() { format!(r#"<a href="{LIST}">Clear filters</a>"#) } else { String::new() };
    format!(
        r#"<form method="get" action="{LIST}" role="search" aria-label="Find users"><div style="{GRID}">{q}{role}{status}{tenant}</div>{limit}<div class="row"><button type="submit" class="button secondary">Search</button>{clear}</div></form>"#,
        q = field("f-q", "Search", &plain_input("f-q", "q", "search", query.q, r#"placeholder="Name or email" maxlength="100""#), None),
        role = field("f-role", "Role", &select("f-role", "role", &roles, query.role, false), None),
        status = field("f-status", "Status", &select("f-status", "status", &statuses, query.status, false), None),
        tenant = field("f-tenant", "Organization ID", &plain_input("f-tenant", "tenant_id", "text", query.tenant_id, r#"placeholder="ten_…" spellcheck="false""#), None),
        limit = if query.limit.is_empty() { String::new() } else { hidden("limit", query.limit) },
    )
}

fn invite_form(viewer: &Viewer, form: &InviteForm<'_>, problem: Option<&Problem>) -> String {
    let on = |name: &str| problem.and_then(|p| p.on(name));
    let roles: Vec<(&str, &str)> = ROLES.iter().map(|r| (role_value(*r), role_word(*r))).collect();
    let role = if form.role.is_empty() { "tenant_member" } else { form.role };
    // Open when the admin has something to fix, so the problem is in sight.
    let open = if problem.is_some_and(|p| p.field.is_some()) { " open" } else { "" };
    format!(
        r#"<details id="invite"{open}><summary>Invite user</summary>
<p class="small muted" style="margin-top:12px">We email a link that works once, for 7 days. Accepting it creates the account. Organization roles need the organization's ID; platform admins and partners belong to no organization.</p>
<form method="post" action="{LIST}" novalidate>{csrf}<div style="{GRID}">{email}{name}{role}{tenant}</div><button type="submit" class="button primary auto">Send invitation</button></form></details>"#,
        csrf = viewer.csrf_field(),
        email = Input::new("Email address", "email", "email").value(form.email).attrs("required").error(on("email")).render(),
        name = Input::new("Name", "name", "text").value(form.name).attrs(r#"required maxlength="100""#).error(on("name")).render(),
        role = field("invite-role", "Role", &select("invite-role", "role", &roles, role, on("role").is_some()), on("role")),
        tenant = Input::new("Organization ID", "tenant_id", "text")
            .value(form.tenant_id)
            .attrs(r#"placeholder="ten_…" spellcheck="false""#)
            .error(on("tenant_id"))
            .render(),
    )
}

async fn render(app: &AppState, viewer: &Viewer, query_fields: &Fields, view: View<'_>) -> Response {
    let query = Query::of(query_fields);
    let (cursor, trail) = paging(query_fields);
    let mut status = view.problem.as_ref().map(|p| p.status).unwrap_or(StatusCode::OK);
    let mut banners = String::new();
    if let Some(n) = view.notice {
        banners.push_str(&notice_banner(n));
    }
    if let Some(p) = &view.problem {
        banners.push_str(&match p.field {
            Some(_) => error_banner("The invitation was not sent; see the invite form below."),
            None => error_banner(&p.message),
        });
    }
    let listing = match read(app, &query, cursor.as_deref()).await {
        Ok((found, next)) => match tenants_of(app, &found).await {
            Ok(tenants) => {
                let rows: String = found.iter().map(|u| user_row(u, viewer, &tenants)).collect();
                let table = if found.is_empty() {
                    let what = if query.filtered() { "No users match these filters." } else { "No users yet." };
                    format!(r#"<p class="muted" style="margin:18px 0">{what}</p>"#)
                } else {
                    format!(
                        r#"<div class="table"><table><thead><tr><th>User</th><th>Role</th><th>Organization</th><th>Status</th><th>Created (UTC)</th><th><span class="sr">Actions</span></th></tr></thead><tbody>{rows}</tbody></table></div>"#
                    )
                };
                format!("{table}{}", pager(LIST, &query.pairs(), cursor.as_deref(), &trail, next.as_deref(), found.len()))
            }
            Err(e) => {
                let p = Problem::from(e);
                status = p.status;
                error_banner(&p.message)
            }
        },
        Err(p) => {
            // A filter or page link that does not parse: say so, keep the form to fix it.
            if view.problem.is_none() {
                status = p.status;
            }
            format!(r#"{}<p><a href="{LIST}">Show all users</a></p>"#, error_banner(&p.message))
        }
    };
    let body = format!(
        r#"<div class="between"><h1>Users</h1><a href="/dashboard">Back to the dashboard</a></div>
<p class="lead">Everyone with a DotMac account: platform admins, organization admins and members, and partners.</p>{banners}
{invite}
<div class="section">{filters}{listing}</div>"#,
        invite = invite_form(viewer, &view.invite, view.problem.as_ref()),
        filters = filter_form(&query),
    );
    Page::new("Users", body).full().status(status).into_response()
}

/// GET /dashboard/users (`q`, `role`, `status`, `tenant_id`, `limit`, `cursor`, `trail`;
/// `notice` after an action)
pub async fn show(State(app): State<AppState>, headers: HeaderMap, QueryFields(query): QueryFields) -> Result<Response, Response> {
    let viewer = require_admin(&app, &headers, LIST).await?;
    let view = View { notice: notice(query.get("notice")), ..View::default() };
    Ok(render(&app, &viewer, &query, view).await)
}

fn invitation(form: &Fields) -> Result<invite::Invite, AdminError> {
    let role = params::role(form.trimmed("role")).filter(|r| ROLES.contains(r));
    let role = role.ok_or_else(|| AdminError::invalid("role", "must be one of the roles offered"))?;
    let tenant_id = Some(form.trimmed("tenant_id")).filter(|t| !t.is_empty()).map(str::to_string);
    Ok(invite::Invite { email: form.trimmed("email").to_string(), name: form.trimmed("name").to_string(), role, tenant_id })
}

/// POST /dashboard/users: sends an invitation, then back to the list (303), or the list
/// again with the form as typed and the problem.
pub async fn submit(State(app): State<AppState>, origin: Origin, headers: HeaderMap, Form(form): Form) -> Result<Response, Response> {
    let viewer = require_admin(&app, &headers, LIST).await?;
    if !csrf_ok(&headers, &form) {
        return Err(forbidden_form(LIST));
    }
    let result = match invitation(&form) {
        Ok(cmd) => invite::invite(&app, &origin.actor(&viewer), cmd).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("{LIST}?notice=invited"), Vec::new())),
        Err(e) => {
            let view = View {
                problem: Some(Problem::from(e)),
                invite: InviteForm {
                    email: form.trimmed("email"),
                    name: form.trimmed("name"),
                    role: form.trimmed("role"),
                    tenant_id: form.trimmed("tenant_id"),
                },
                ..View::default()
            };
            Ok(render(&app, &viewer, &Fields::default(), view).await)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::domain::user::Role;

    #[test]
    fn only_the_four_roles_are_offered_and_accepted() {
        let form = Fields::parse("email=a%40example.com&name=A&role=root");
        assert!(matches!(invitation(&form), Err(AdminError::Invalid { field: "role", .. })));
        let form = Fields::parse("email=a%40example.com&name=A&role=partner&tenant_id=");
        let cmd = invitation(&form).unwrap();
        assert_eq!((cmd.role, cmd.tenant_id), (Role::Partner, None));
    }

    #[test]
    fn a_bad_filter_names_itself_with_a_400() {
        let fields = Fields::parse("role=root");
        let problem = Query::of(&fields).filter().unwrap_err();
        assert_eq!(problem.status, StatusCode::BAD_REQUEST);
        assert!(problem.message.contains("role"), "{}", problem.message);
    }

    #[test]
    fn the_filter_form_shows_back_what_was_asked_escaped() {
        let fields = Fields::parse("q=%3Cscript%3E&role=partner");
        let html = filter_form(&Query::of(&fields));
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"), "{html}");
        assert!(html.contains(r#"<option value="partner" selected>"#), "{html}");
    }
}
