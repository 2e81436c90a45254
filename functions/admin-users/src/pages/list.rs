//! `/dashboard/users`: every user of the platform, newest first, searchable and filtered, a
//! page at a time; and the invite form, which posts to this same address.
use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::ids::TenantId;
use domain::user::{User, UserStatus};
use maud::{Markup, html};
use serde::Deserialize;
use store::repo::tenants;
use web::kit::{
    self,
    ButtonStyle, Column, Input, InputType, NoticeKind, Select, Tone, data_table, field, hidden, link_button, notice, post_form,
    select_field, status_badge, with_param,
};
use web::pages::form::{Fields, Form, QueryFields, csrf_token_ok, forbidden_form};
use web::pages::{Page, Viewer, see_other};
use web::pagination::encode_cursor;
use web::{ApiError, AppState, PageRequest};

use super::links::{self, LIST};
use super::{ActorOf, Origin, PAGE_SIZE, Paging, ROLES, SECTION, crumbs, refusal, day, pager, require_admin, role_value, role_word, user_status};
use crate::api::params;
use crate::service::users::{self, ListFilter};
use crate::service::{AdminError, invite};

const SUBTITLE: &str = "Everyone with a DotMac account: platform admins, organization admins and members, and partners.";

/// The invite form as posted, and as shown again after a refusal (empty at first).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct InviteForm {
    csrf_token: String,
    email: String,
    name: String,
    role: String,
    tenant_id: String,
}

/// What the page shows besides the list: a notice, the invite form's refusal and values.
#[derive(Default)]
struct View {
    notice: Option<&'static str>,
    /// Why the invitation was not sent.
    problem: Option<ApiError>,
    invite: InviteForm,
    /// The invite form starts open (its header button, or a refusal to fix).
    invite_open: bool,
}

/// The list's query as the filter form shows it (raw, so a bad value is shown back).
struct Search<'a> {
    q: &'a str,
    role: &'a str,
    status: &'a str,
    tenant_id: &'a str,
    limit: &'a str,
}

impl<'a> Search<'a> {
    fn of(fields: &'a Fields) -> Search<'a> {
        Search {
            q: fields.trimmed("q"),
            role: fields.trimmed("role"),
            status: fields.trimmed("status"),
            tenant_id: fields.trimmed("tenant_id"),
            limit: fields.trimmed("limit"),
        }
    }

    fn pairs(&self) -> [(&'a str, &'a str); 5] {
        [("q", self.q), ("role", self.role), ("status", self.status), ("tenant_id", self.tenant_id), ("limit", self.limit)]
    }

    fn filter(&self) -> Result<ListFilter, ApiError> {
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

/// One page of users, the names of their organizations, and the cursor of the next page;
/// or why the page could not be read (a filter or a page link that does not parse).
enum Listing {
    Users { found: Vec<User>, organizations: BTreeMap<TenantId, String>, next: Option<String> },
    Refused(ApiError),
}

/// One page of users and the cursor of the next, for the filters and paging of `query`.
async fn read(app: &AppState, query: &Search<'_>, cursor: Option<&str>) -> Result<(Vec<User>, Option<String>), ApiError> {
    let filter = query.filter()?;
    let (key, scope) = (&app.config.cursor_key, filter.scope());
    let limit = Some(query.limit).filter(|l| !l.is_empty());
    let page = PageRequest::parse(limit, cursor, key, &scope)?;
    let limit = if limit.is_some() { page.limit } else { PAGE_SIZE };
    let (found, next) = users::list(app, &filter, limit, page.after).await?;
    Ok((found, next.map(|c| encode_cursor(key, &scope, &c))))
}

/// The names of the organizations the users belong to, by id.
async fn organizations_of(app: &AppState, found: &[User]) -> Result<BTreeMap<TenantId, String>, ApiError> {
    let mut names = BTreeMap::new();
    for id in found.iter().filter_map(|u| u.tenant_id.as_ref()) {
        if !names.contains_key(id)
            && let Some(tenant) = tenants::get(app.store.as_ref(), id).await?
        {
            names.insert(id.clone(), tenant.name);
        }
    }
    Ok(names)
}

async fn listing(app: &AppState, query: &Search<'_>, paging: &Paging) -> Listing {
    let read = async {
        let (found, next) = read(app, query, paging.cursor.as_deref()).await?;
        let organizations = organizations_of(app, &found).await?;
        Ok::<_, ApiError>(Listing::Users { found, organizations, next })
    };
    read.await.unwrap_or_else(|e| Listing::Refused(refusal(e)))
}

fn organization(user: &User, organizations: &BTreeMap<TenantId, String>) -> Markup {
    match &user.tenant_id {
        None => html! { span.muted title="No organization" { "—" } },
        Some(id) => html! {
            a href=(links::users_of(id.as_str())) title="Users of this organization" {
                (organizations.get(id).map(String::as_str).unwrap_or("(removed)"))
            }
        },
    }
}

fn user_row(user: &User, viewer: &Viewer, organizations: &BTreeMap<TenantId, String>) -> Vec<Markup> {
    let path = links::user(user.id.as_str());
    let own = user.id == viewer.caller.user_id;
    vec![
        html! {
            a href=(path) { strong { (user.name) } }
            @if own { " " (status_badge("You", Tone::Info)) }
            div.small.muted { (user.email.as_str()) }
        },
        html! { (role_word(user.role)) },
        organization(user, organizations),
        html! {
            span.nowrap {
                (user_status(user.status)) " "
                @if user.mfa.enabled { (status_badge("2FA on", Tone::Success)) } @else { (status_badge("2FA off", Tone::Neutral)) }
            }
        },
        day(user.created_at),
        html! {
            @if !own {
                @match user.status {
                    UserStatus::Active => a.button.danger href=(links::confirm(&path, "disable")) aria-label={ "Disable " (user.name) } { "Disable…" },
                    UserStatus::Disabled => a.button.secondary href=(links::confirm(&path, "enable")) aria-label={ "Enable " (user.name) } { "Enable…" },
                }
            }
        },
    ]
}

const COLUMNS: [Column<'static>; 6] = [
    Column::text("User"),
    Column::text("Role"),
    Column::text("Organization"),
    Column::text("Status"),
    Column::text("Created (UTC)"),
    Column::actions("Actions"),
];

/// The filter form; `refused` is the refusal of the filters it shows, at its field.
fn filter_form(query: &Search<'_>, refused: Option<&ApiError>) -> Markup {
    let on = |name: &str| refused.and_then(|e| e.on(name));
    let roles: Vec<(&str, &str)> = std::iter::once(("", "Any role")).chain(ROLES.iter().map(|r| (role_value(*r), role_word(*r)))).collect();
    let statuses = [("", "Any status"), ("active", "Active"), ("disabled", "Disabled")];
    html! {
        form method="get" action=(LIST) role="search" aria-label="Find users" {
            div.grid {
                (field(&Input::new("Search", "q", InputType::Search).id("f-q").value(query.q).placeholder("Name or email").maxlength(100).error(on("q"))))
                (select_field(&Select::new("Role", "role", &roles).id("f-role").selected(query.role).error(on("role"))))
                (select_field(&Select::new("Status", "status", &statuses).id("f-status").selected(query.status).error(on("status"))))
                (field(&Input::new("Organization ID", "tenant_id", InputType::Text)
                    .id("f-tenant")
                    .value(query.tenant_id)
                    .placeholder("ten_…")
                    .verbatim()
                    .error(on("tenant_id"))))
            }
            @if !query.limit.is_empty() { (hidden("limit", query.limit)) }
            div.row {
                (kit::submit("Search", ButtonStyle::Secondary))
                @if query.filtered() { a href=(LIST) { "Clear filters" } }
            }
        }
    }
}

fn invite_form(viewer: &Viewer, view: &View) -> Markup {
    let form = &view.invite;
    let on = |name: &str| view.problem.as_ref().and_then(|e| e.on(name));
    let roles: Vec<(&str, &str)> = ROLES.iter().map(|r| (role_value(*r), role_word(*r))).collect();
    let role = if form.role.is_empty() { "tenant_member" } else { form.role.as_str() };
    // Open when the admin has something to fix, so the problem is in sight.
    let open = view.invite_open || view.problem.as_ref().is_some_and(|e| e.detail.field.is_some());
    html! {
        details #invite open[open] {
            summary { "Invite user" }
            p.small.muted.mt-2 {
                "We email a link that works once, for 7 days. Accepting it creates the account. Organization roles need the "
                "organization's ID; platform admins and partners belong to no organization."
            }
            (post_form(LIST, viewer.csrf(), html! {
                div.grid {
                    (field(&Input::new("Email address", "email", InputType::Email).value(&form.email).required().error(on("email"))))
                    (field(&Input::new("Name", "name", InputType::Text).value(&form.name).required().maxlength(100).error(on("name"))))
                    (select_field(&Select::new("Role", "role", &roles).id("invite-role").selected(role).error(on("role"))))
                    (field(&Input::new("Organization ID", "tenant_id", InputType::Text)
                        .value(&form.tenant_id)
                        .placeholder("ten_…")
                        .verbatim()
                        .error(on("tenant_id"))))
                }
                (kit::submit("Send invitation", ButtonStyle::Primary))
            }))
        }
    }
}

fn users_table(viewer: &Viewer, query: &Search<'_>, paging: &Paging, listing: &Listing) -> Markup {
    match listing {
        Listing::Users { found, organizations, next } => {
            let rows: Vec<Vec<Markup>> = found.iter().map(|u| user_row(u, viewer, organizations)).collect();
            let empty = if query.filtered() { "No users match these filters." } else { "No users yet." };
            html! {
                div.mt-3 {
                    (data_table("Users", &COLUMNS, &rows, empty, None))
                    (pager(LIST, &query.pairs(), paging, next.as_deref(), found.len()))
                }
            }
        }
        Listing::Refused(e) => html! {
            // A refusal about a filter is shown at its field in the form above.
            @if !["q", "role", "status", "tenant_id"].iter().any(|name| e.on(name).is_some()) {
                (notice(NoticeKind::Error, e.message_for_people().as_str()))
            }
            p { a href=(LIST) { "Show all users" } }
        },
    }
}

/// The whole page, from what was read: the viewer, the list's query and paging, the
/// notice and invite form, and the page of users (or why there is none).
fn page(viewer: &Viewer, query: &Search<'_>, paging: &Paging, view: &View, listing: &Listing) -> Page {
    let refused = match listing {
        Listing::Refused(e) => Some(e),
        Listing::Users { .. } => None,
    };
    // The invite's refusal is what the admin just did; a list that cannot be read comes next.
    let status = view.problem.as_ref().or(refused).map_or(StatusCode::OK, |e| e.status);
    let body = html! {
        @if let Some(text) = view.notice { (notice(NoticeKind::Notice, text)) }
        @if let Some(e) = &view.problem {
            @if e.detail.field.is_some() {
                (notice(NoticeKind::Error, "The invitation was not sent; see the invite form below."))
            } @else {
                (notice(NoticeKind::Error, e.message_for_people().as_str()))
            }
        }
        div.mb-2 { (invite_form(viewer, view)) }
        section.panel aria-label="All users" {
            (filter_form(query, refused))
            (users_table(viewer, query, paging, listing))
        }
    };
    let invite = links::at(&with_param(LIST, "invite", "open"), "invite");
    Page::app(viewer, SECTION, "Users", body)
        .subtitle(SUBTITLE)
        .crumbs(crumbs(&[]))
        .actions(link_button("Invite user", &invite, ButtonStyle::Primary))
        .status(status)
}

async fn respond(app: &AppState, viewer: &Viewer, query_fields: &Fields, view: View) -> Response {
    let query = Search::of(query_fields);
    let paging = Paging::of(query_fields);
    let listing = listing(app, &query, &paging).await;
    page(viewer, &query, &paging, &view, &listing).into_response()
}

/// GET /dashboard/users (`q`, `role`, `status`, `tenant_id`, `limit`, `cursor`, `trail`;
/// `notice` after an action; `invite=open` opens the invite form)
pub async fn show(State(app): State<AppState>, headers: HeaderMap, QueryFields(query): QueryFields) -> Result<Response, Response> {
    let viewer = require_admin(&app, &headers, LIST).await?;
    let view = View { notice: super::notice(query.get("notice")), invite_open: query.get("invite") == "open", ..View::default() };
    Ok(respond(&app, &viewer, &query, view).await)
}

fn invitation(form: &InviteForm) -> Result<invite::Invite, AdminError> {
    let role = params::role(form.role.trim()).filter(|r| ROLES.contains(r));
    let role = role.ok_or_else(|| AdminError::invalid("role", "must be one of the roles offered"))?;
    let tenant_id = Some(form.tenant_id.trim()).filter(|t| !t.is_empty()).map(str::to_string);
    Ok(invite::Invite { email: form.email.trim().to_string(), name: form.name.trim().to_string(), role, tenant_id })
}

/// POST /dashboard/users: sends an invitation, then back to the list (303), or the list
/// again with the form as typed and the refusal.
pub async fn submit(State(app): State<AppState>, origin: Origin, headers: HeaderMap, Form(form): Form<InviteForm>) -> Result<Response, Response> {
    let viewer = require_admin(&app, &headers, LIST).await?;
    if !csrf_token_ok(&viewer, &form.csrf_token) {
        return Err(forbidden_form(LIST));
    }
    let result = match invitation(&form) {
        Ok(cmd) => invite::invite(&app, &origin.actor(&viewer), cmd).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other(&links::notice(LIST, "invited"), Vec::new())),
        Err(e) => {
            let invite = InviteForm {
                csrf_token: String::new(),
                email: form.email.trim().to_string(),
                name: form.name.trim().to_string(),
                role: form.role.trim().to_string(),
                tenant_id: form.tenant_id.trim().to_string(),
            };
            let view = View { problem: Some(refusal(e)), invite, ..View::default() };
            Ok(respond(&app, &viewer, &Fields::default(), view).await)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::testing::{XSS, XSS_EMAIL, assert_inert, now, shot, user, viewer};
    use domain::user::{Mfa, Role};

    fn invite_form(raw: &str) -> InviteForm {
        Fields::parse(raw).decode().unwrap()
    }

    #[test]
    fn only_the_four_roles_are_offered_and_accepted() {
        let form = invite_form("email=a%40example.com&name=A&role=root");
        assert!(matches!(invitation(&form), Err(AdminError::Invalid { field: "role", .. })));
        let form = invite_form("email=a%40example.com&name=A&role=partner&tenant_id=");
        let cmd = invitation(&form).unwrap();
        assert_eq!((cmd.role, cmd.tenant_id), (Role::Partner, None));
    }

    #[test]
    fn a_form_missing_fields_reads_them_as_empty() {
        let form = invite_form("csrf_token=t&email=a%40example.com");
        assert_eq!((form.csrf_token.as_str(), form.name.as_str(), form.tenant_id.as_str()), ("t", "", ""));
    }

    #[test]
    fn a_bad_filter_names_itself_with_a_400() {
        let fields = Fields::parse("role=root");
        let e = Search::of(&fields).filter().unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert!(e.on("role").is_some_and(|m| m.contains("role")), "{e}");
    }

    /// A page of users whose every field an attacker could set holds the payload.
    fn hostile_page() -> String {
        let tenant = TenantId::generate(now());
        let mut member = user(XSS, XSS_EMAIL, Role::TenantMember, Some(&tenant));
        member.status = UserStatus::Disabled;
        member.mfa = Mfa { enabled: true, ..Mfa::default() };
        let partner = user(XSS, "alan@partners.example", Role::Partner, None);
        let viewer = viewer(XSS, XSS);
        let query_fields = Fields::parse("q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%27&tenant_id=%22%27&limit=2&cursor=abc&trail=x");
        let query = Search::of(&query_fields);
        let paging = Paging::of(&query_fields);
        let listing = Listing::Users {
            found: vec![member, partner],
            organizations: BTreeMap::from([(tenant, XSS.to_string())]),
            next: Some("next-cursor".into()),
        };
        let view = View {
            notice: super::super::notice("invited"),
            problem: Some(ApiError::from(AdminError::EmailTaken)),
            invite: InviteForm { csrf_token: XSS.into(), email: XSS.into(), name: XSS.into(), role: XSS.into(), tenant_id: XSS.into() },
            invite_open: false,
        };
        page(&viewer, &query, &paging, &view, &listing).render().into_string()
    }

    #[test]
    fn the_list_escapes_every_field_a_user_can_set() {
        let html = hostile_page();
        assert_inert(&html);
        // The search and the pager carry the query percent-encoded, the trail kept.
        assert!(html.contains(r#"value="&lt;script&gt;alert(1)&lt;/script&gt;&quot;'""#), "the search is shown back");
        assert!(html.contains("q=%3Cscript%3Ealert%281%29%3C%2Fscript%3E%22%27"), "{html}");
        assert!(html.contains("cursor=next-cursor&amp;trail=x.abc"), "{html}");
        assert!(html.contains(r#"<details id="invite" open>"#), "a refusal at a field opens the form");
        assert!(html.contains("already exists"));
    }

    #[test]
    fn a_bad_filter_is_shown_at_its_field_with_the_api_status() {
        let fields = Fields::parse("role=%3Cscript%3E");
        let query = Search::of(&fields);
        let e = refusal(query.filter().unwrap_err());
        let page = page(&viewer("Ada", "ada@example.com"), &query, &Paging::default(), &View::default(), &Listing::Refused(e));
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        let html = page.render().into_string();
        assert!(html.contains("role must be") && html.contains(r#"role="search""#), "{html}");
        assert!(html.contains(r#"<select id="f-role" name="role" aria-invalid="true""#), "{html}");
        assert!(!html.contains("<script"));
    }

    #[test]
    fn the_list_page_looks_right() {
        let tenant = TenantId::generate(now());
        let viewer = viewer("Ada Lovelace", "admin@dotmac.local");
        let mut admin = user("Ada Lovelace", "admin@dotmac.local", Role::PlatformAdmin, None);
        admin.id = viewer.caller.user_id.clone();
        admin.mfa = Mfa { enabled: true, ..Mfa::default() };
        let mut charles = user("Charles Babbage", "charles@engines.example", Role::TenantMember, Some(&tenant));
        charles.status = UserStatus::Disabled;
        let found = vec![
            user("Grace Hopper", "grace@navy.example", Role::TenantAdmin, Some(&tenant)),
            charles,
            user("Alan Turing", "alan@partners.example", Role::Partner, None),
            admin,
        ];
        let listing =
            Listing::Users { found, organizations: BTreeMap::from([(tenant, "Analytical Engines".to_string())]), next: Some("c2".into()) };
        let fields = Fields::parse("limit=4");
        let view = View { notice: super::super::notice("invited"), ..View::default() };
        let html = page(&viewer, &Search::of(&fields), &Paging::default(), &view, &listing).render().into_string();
        assert!(html.contains(r#"<a href="/dashboard/users" aria-current="page">Users</a>"#), "the nav marks the section");
        assert!(html.contains(r#"<li><a href="/dashboard">Dashboard</a></li><li aria-current="page">Users</li>"#), "{html}");
        assert!(html.contains(SUBTITLE));
        assert!(html.contains(r#"rel="next" href="/dashboard/users?limit=4&amp;cursor=c2""#), "{html}");
        shot("list", &html);
        let empty = Listing::Users { found: Vec::new(), organizations: BTreeMap::new(), next: None };
        let view = View { problem: Some(ApiError::from(AdminError::invalid("tenant_id", "is required for a tenant role"))), ..View::default() };
        let invite = InviteForm { email: "grace@engines.example".into(), name: "Grace Hopper".into(), role: "tenant_member".into(), ..InviteForm::default() };
        let html = page(&viewer, &Search::of(&Fields::parse("status=disabled")), &Paging::default(), &View { invite, ..view }, &empty)
            .render()
            .into_string();
        assert!(html.contains("Organization ID is required for an organization role.") && html.contains("No users match these filters."));
        shot("list-invite-error", &html);
    }
}
