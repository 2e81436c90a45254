//! `/dashboard/tenants`: the tenants, filtered and a page at a time, and the "Create tenant"
//! form. GET shows; POST creates (then 303 to the new tenant's page, where provisioning shows).
use std::collections::HashMap;

use auth::pages::Viewer;
use auth::pages::form::{Fields, Form, QueryFields, csrf_ok, encode, forbidden_form};
use auth::pages::html::{Input, Page, error_banner, escape, notice_banner, see_other};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use shared::AppState;
use shared::http::PageRequest;
use shared::http::pagination::encode_cursor;
use shared::repo::plans::{self, Plan};
use shared::repo::tenants::{Tenant, TenantStatus};

use super::{ActorOf, CONTROL_STYLE, LIST, Origin, Problem, date, days_until, in_days, money, notice, require_admin, status_badge};
use crate::service::{self, ListFilter, NewTenant};

const STATUSES: [TenantStatus; 4] = [TenantStatus::Provisioning, TenantStatus::Active, TenantStatus::Suspended, TenantStatus::Deleted];

/// What the admin typed into the create form (kept when it is refused).
#[derive(Default)]
struct Draft<'a> {
    name: &'a str,
    slug: &'a str,
    plan_id: &'a str,
    admin_email: &'a str,
}

/// The filters and page the query asks for; a bad one becomes a problem and is dropped.
struct Wanted {
    filter: ListFilter,
    page: PageRequest,
    /// The query carried a cursor (so a "first page" link makes sense).
    paged: bool,
    problem: Option<Problem>,
}

fn parse_status(raw: &str) -> Result<Option<TenantStatus>, Problem> {
    match raw.trim() {
        "" => Ok(None),
        s => STATUSES
            .into_iter()
            .find(|status| status.as_str() == s)
            .map(Some)
            .ok_or_else(|| Problem::new(StatusCode::BAD_REQUEST, "That status filter is not one of the four; showing every status.")),
    }
}

fn parse_q(raw: &str) -> Result<Option<String>, Problem> {
    match raw.trim() {
        "" => Ok(None),
        q if q.chars().count() <= 100 && !q.chars().any(char::is_control) => Ok(Some(q.to_lowercase())),
        _ => Err(Problem::new(StatusCode::BAD_REQUEST, "Search for 1 to 100 characters of text; showing every tenant.")),
    }
}

fn wanted(app: &AppState, query: &Fields) -> Wanted {
    let mut problem = None;
    let status = parse_status(query.get("status")).unwrap_or_else(|p| {
        problem = Some(p);
        None
    });
    let q = parse_q(query.get("q")).unwrap_or_else(|p| {
        problem = Some(p);
        None
    });
    let filter = ListFilter { status, q };
    let non_empty = |name: &str| Some(query.trimmed(name)).filter(|v| !v.is_empty()).map(str::to_string);
    let (limit, cursor) = (non_empty("limit"), non_empty("cursor"));
    let key = &app.config.cursor_key;
    match PageRequest::parse(limit.as_deref(), cursor.as_deref(), key, &filter.scope()) {
        Ok(page) => Wanted { filter, page, paged: cursor.is_some(), problem },
        Err(_) => Wanted {
            filter,
            page: PageRequest { limit: shared::http::pagination::DEFAULT_LIMIT, after: None },
            paged: false,
            problem: Some(Problem::new(
                StatusCode::BAD_REQUEST,
                "That page link is not valid (any more), or the page size is not 1 to 100; showing the first page.",
            )),
        },
    }
}

/// The list's address with these filters (and a cursor, for the next page).
fn list_url(filter: &ListFilter, limit: Option<usize>, cursor: Option<&str>) -> String {
    let mut params = Vec::new();
    if let Some(status) = filter.status {
        params.push(format!("status={}", status.as_str()));
    }
    if let Some(q) = &filter.q {
        params.push(format!("q={}", encode(q)));
    }
    if let Some(limit) = limit.filter(|l| *l != shared::http::pagination::DEFAULT_LIMIT) {
        params.push(format!("limit={limit}"));
    }
    if let Some(cursor) = cursor {
        params.push(format!("cursor={}", encode(cursor)));
    }
    if params.is_empty() { LIST.to_string() } else { format!("{LIST}?{}", params.join("&")) }
}

/// The plans to choose from: the `free` plan always exists (made the first time anyone asks).
async fn plan_choices(app: &AppState) -> Result<Vec<Plan>, Problem> {
    let store = app.store.as_ref();
    let failed = |e: shared::ports::item_store::StoreError| Problem::from(service::TenantsError::from(e));
    plans::free(store, app.clock.now()).await.map_err(failed)?;
    plans::list(store).await.map_err(failed)
}

fn plan_label(plan: &Plan) -> String {
    format!(
        "{} · {} / {} · {} seats",
        plan.name,
        money(plan.amount, &plan.currency),
        plan.interval,
        super::grouped(plan.limits.seats.max(0) as u64)
    )
}

fn row(tenant: &Tenant, plans: &HashMap<String, &Plan>, now: shared::domain::time::Timestamp) -> String {
    let id = escape(tenant.id.as_str());
    let plan = plans.get(tenant.plan_id.as_str()).map(|p| escape(&p.name)).unwrap_or_else(|| escape(tenant.plan_id.as_str()));
    let purge = match (tenant.status, tenant.purge_after) {
        (TenantStatus::Deleted, Some(at)) => match days_until(now, at) {
            Some(days) => format!(r#"<div class="small muted">purged {}</div>"#, in_days(days)),
            None => r#"<div class="small muted">purge due</div>"#.to_string(),
        },
        _ => String::new(),
    };
    format!(
        r#"<tr><td><a href="{LIST}/{id}"><strong>{name}</strong></a></td><td><code>{slug}</code></td><td>{badge}{purge}</td><td>{plan}</td><td>{created}</td></tr>"#,
        name = escape(&tenant.name),
        slug = escape(&tenant.slug),
        badge = status_badge(tenant.status),
        created = date(tenant.created_at),
    )
}

fn filters(filter: &ListFilter, limit: usize) -> String {
    let option = |value: &str, label: &str, selected: bool| {
        format!(r#"<option value="{value}"{}>{label}</option>"#, if selected { " selected" } else { "" })
    };
    let mut options = option("", "Every status", filter.status.is_none());
    for status in STATUSES {
        let label = match status {
            TenantStatus::Provisioning => "Provisioning",
            TenantStatus::Active => "Active",
            TenantStatus::Suspended => "Suspended",
            TenantStatus::Deleted => "Deleted",
        };
        options.push_str(&option(status.as_str(), label, filter.status == Some(status)));
    }
    let keep_limit = if limit == shared::http::pagination::DEFAULT_LIMIT {
        String::new()
    } else {
        auth::pages::html::hidden("limit", &limit.to_string())
    };
    format!(
        r#"<form method="get" action="{LIST}" role="search" class="row" style="align-items:flex-end;margin:18px 0 8px">
<div><label for="filter-q">Name or slug</label><input id="filter-q" name="q" type="search" value="{q}" maxlength="100" style="{CONTROL_STYLE};width:240px"></div>
<div><label for="filter-status">Status</label><select id="filter-status" name="status" style="{CONTROL_STYLE}">{options}</select></div>{keep_limit}
<button type="submit" class="button secondary">Filter</button>{clear}</form>"#,
        q = escape(filter.q.as_deref().unwrap_or("")),
        clear = if *filter != ListFilter::default() { format!(r#"<a href="{LIST}">Clear filters</a>"#) } else { String::new() },
    )
}

fn create_form(viewer: &Viewer, plans: &[Plan], draft: &Draft<'_>, problem: Option<&Problem>) -> String {
    let on = |field: &str| problem.and_then(|p| p.on(field));
    let selected = if draft.plan_id.is_empty() { plans.first().map(|p| p.id.as_str()).unwrap_or("") } else { draft.plan_id };
    let options: String = plans
        .iter()
        .map(|p| {
            format!(
                r#"<option value="{id}"{sel}>{label}</option>"#,
                id = escape(p.id.as_str()),
                sel = if p.id.as_str() == selected { " selected" } else { "" },
                label = escape(&plan_label(p)),
            )
        })
        .collect();
    let plan_error = on("plan_id").map(|e| format!(r#"<p class="field-error" id="f-plan_id-error">{}</p>"#, escape(e))).unwrap_or_default();
    let plan_invalid = if plan_error.is_empty() { "" } else { r#" aria-invalid="true" aria-describedby="f-plan_id-error""# };
    format!(
        r#"<div class="section" id="create"><h2>Create tenant</h2>
<p class="muted">The tenant starts in <em>provisioning</em>: a background job creates its subscription on the plan, its default settings and the invitation of its first admin, then makes it active.</p>
<form method="post" action="{LIST}" novalidate>{csrf}{name}{slug}
<div class="field{plan_class}" style="max-width:420px"><label for="f-plan_id">Plan</label><select id="f-plan_id" name="plan_id" required style="{CONTROL_STYLE};width:100%"{plan_invalid}>{options}</select>{plan_error}</div>
{email}<button type="submit" class="button primary auto">Create tenant</button></form></div>"#,
        csrf = viewer.csrf_field(),
        name = Input::new("Name", "name", "text").value(draft.name).attrs(r#"required maxlength="100""#).error(on("name")).render(),
        slug = Input::new("Slug", "slug", "text")
            .value(draft.slug)
            .attrs(r#"required maxlength="48" pattern="[a-z0-9]+(-[a-z0-9]+)*" spellcheck="false""#)
            .hint("Lower-case letters and digits with single dashes, like northwind-traders. Unique, and it cannot be changed later.")
            .error(on("slug"))
            .render(),
        plan_class = if plan_error.is_empty() { "" } else { " has-error" },
        email = Input::new("Admin email", "admin_email", "email")
            .value(draft.admin_email)
            .attrs("required")
            .hint("Invited as the tenant's first organization admin once it is provisioned.")
            .error(on("admin_email"))
            .render(),
    )
}

async fn render(app: &AppState, viewer: &Viewer, query: &Fields, draft: Draft<'_>, refused: Option<Problem>) -> Response {
    let wanted = wanted(app, query);
    let plans = match plan_choices(app).await {
        Ok(plans) => plans,
        Err(problem) => return super::problem_page(&problem),
    };
    let (tenants, next) = match service::list(app, &wanted.filter, wanted.page.limit, wanted.page.after.clone()).await {
        Ok(found) => found,
        Err(e) => return super::problem_page(&Problem::from(e)),
    };
    let now = app.clock.now();
    let by_id: HashMap<String, &Plan> = plans.iter().map(|p| (p.id.to_string(), p)).collect();

    let mut banners = String::new();
    if let Some(n) = notice(query.get("notice")) {
        banners.push_str(&notice_banner(n));
    }
    if let Some(p) = &wanted.problem {
        banners.push_str(&error_banner(&p.message));
    }
    if let Some(p) = &refused {
        banners.push_str(&match p.field {
            Some(_) => error_banner("The tenant was not created: please correct the field marked below."),
            None => error_banner(&p.message),
        });
    }
    let table = if tenants.is_empty() {
        let text = if wanted.filter == ListFilter::default() && !wanted.paged { "No tenants yet." } else { "No tenants match these filters." };
        format!(r#"<p class="muted" style="margin:18px 0">{text}</p>"#)
    } else {
        let rows: String = tenants.iter().map(|t| row(t, &by_id, now)).collect();
        format!(
            r#"<div class="table"><table><thead><tr><th>Name</th><th>Slug</th><th>Status</th><th>Plan</th><th>Created (UTC)</th></tr></thead><tbody>{rows}</tbody></table></div>"#
        )
    };
    let key = &app.config.cursor_key;
    let scope = wanted.filter.scope();
    let next_link = next.map(|c| {
        let cursor = encode_cursor(key, &scope, &c);
        format!(r#"<a class="button secondary" rel="next" href="{}">Next page</a>"#, escape(&list_url(&wanted.filter, Some(wanted.page.limit), Some(&cursor))))
    });
    let first_link = wanted
        .paged
        .then(|| format!(r#"<a class="button secondary" href="{}">First page</a>"#, escape(&list_url(&wanted.filter, Some(wanted.page.limit), None))));
    let pager = match (first_link, next_link) {
        (None, None) => String::new(),
        (first, next) => format!(
            r#"<nav class="row" aria-label="Pages" style="margin:16px 0 0">{}{}</nav>"#,
            first.unwrap_or_default(),
            next.unwrap_or_default()
        ),
    };
    let body = format!(
        r##"<div class="between"><h1>Tenants</h1><a href="/dashboard">Back to the dashboard</a></div>
<p class="lead">Every organization on the platform. <a href="#create">Create a tenant</a></p>{banners}{filters}{table}{pager}{create}"##,
        filters = filters(&wanted.filter, wanted.page.limit),
        create = create_form(viewer, &plans, &draft, refused.as_ref()),
    );
    let status = refused.as_ref().or(wanted.problem.as_ref()).map(|p| p.status).unwrap_or(StatusCode::OK);
    Page::new("Tenants", body).wide().status(status).into_response()
}

/// GET /dashboard/tenants (`?status=&q=&limit=&cursor=`, `?notice=` after an action)
pub async fn show(State(app): State<AppState>, headers: HeaderMap, QueryFields(query): QueryFields) -> Result<Response, Response> {
    let viewer = require_admin(&app, &headers, LIST).await?;
    Ok(render(&app, &viewer, &query, Draft::default(), None).await)
}

/// POST /dashboard/tenants: creates the tenant, then 303 to its page; or the list again with
/// the form and what was wrong.
pub async fn create(State(app): State<AppState>, origin: Origin, headers: HeaderMap, Form(form): Form) -> Result<Response, Response> {
    let viewer = require_admin(&app, &headers, LIST).await?;
    if !csrf_ok(&headers, &form) {
        return Err(forbidden_form(LIST));
    }
    let draft = Draft {
        name: form.get("name"),
        slug: form.trimmed("slug"),
        plan_id: form.trimmed("plan_id"),
        admin_email: form.trimmed("admin_email"),
    };
    let cmd = NewTenant {
        name: draft.name.to_string(),
        slug: draft.slug.to_string(),
        plan_id: draft.plan_id.to_string(),
        admin_email: draft.admin_email.to_string(),
        settings: None,
    };
    match service::create(&app, &origin.actor(&viewer), cmd).await {
        Ok(tenant) => Ok(see_other(&format!("{LIST}/{}?notice=created", tenant.id), Vec::new())),
        Err(e) => Ok(render(&app, &viewer, &Fields::default(), draft, Some(Problem::from(e))).await),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_address_keeps_its_filters_and_drops_defaults() {
        assert_eq!(list_url(&ListFilter::default(), Some(20), None), "/dashboard/tenants");
        let filter = ListFilter { status: Some(TenantStatus::Deleted), q: Some("a&b c".into()) };
        assert_eq!(list_url(&filter, Some(5), Some("xy")), "/dashboard/tenants?status=deleted&q=a%26b%20c&limit=5&cursor=xy");
    }

    #[test]
    fn only_the_four_statuses_filter() {
        assert_eq!(parse_status("suspended").unwrap(), Some(TenantStatus::Suspended));
        assert_eq!(parse_status("").unwrap(), None);
        assert_eq!(parse_status("gone").unwrap_err().status, StatusCode::BAD_REQUEST);
        assert!(parse_q(&"x".repeat(101)).is_err());
        assert_eq!(parse_q(" Acme ").unwrap(), Some("acme".into()));
    }
}
