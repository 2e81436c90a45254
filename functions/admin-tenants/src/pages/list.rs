//! `/dashboard/tenants`: the tenants, filtered and a page at a time, and the "Create tenant"
//! form. GET shows; POST creates (then 303 to the new tenant's page, where provisioning shows).
use std::collections::HashMap;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::time::Timestamp;
use maud::{Markup, html};
use serde::Deserialize;
use store::repo::plans::{self, Plan};
use store::repo::tenants::{Tenant, TenantStatus};
use web::kit::{self, Back, ButtonStyle, Column, Input, InputType, Pager, Select};
use web::pages::form::{Fields, Form, QueryFields, csrf_token_ok, forbidden_form};
use web::pages::{Page, Viewer, see_other};
use web::pagination::{DEFAULT_LIMIT, encode_cursor};
use web::{ApiError, AppState, PageRequest};

use super::text::{self, in_days};
use super::{ActorOf, LIST, Origin, SECTION, date, days_until, notice, problem_page, refusal_banner, require_admin, status_badge};
use crate::service::{self, ListFilter, NewTenant};

const STATUSES: [TenantStatus; 4] = [TenantStatus::Provisioning, TenantStatus::Active, TenantStatus::Suspended, TenantStatus::Deleted];

/// The status filter's choices, "every status" first.
const STATUS_CHOICES: [(&str, &str); 5] = [
    ("", "Every status"),
    ("provisioning", "Provisioning"),
    ("active", "Active"),
    ("suspended", "Suspended"),
    ("deleted", "Deleted"),
];

/// The create form as posted, and as shown again when it is refused (what was typed stays).
#[derive(Debug, Default, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    plan_id: String,
    #[serde(default)]
    admin_email: String,
}

/// The filters and page the query asks for; a bad one becomes a refusal and is dropped.
struct Wanted {
    filter: ListFilter,
    page: PageRequest,
    /// The query carried a cursor (so a "first page" link makes sense).
    paged: bool,
    problem: Option<ApiError>,
}

fn parse_status(raw: &str) -> Result<Option<TenantStatus>, ApiError> {
    match raw.trim() {
        "" => Ok(None),
        s => STATUSES
            .into_iter()
            .find(|status| status.as_str() == s)
            .map(Some)
            .ok_or_else(|| ApiError::bad_request("invalid_parameter", "That status filter is not one of the four; showing every status.")),
    }
}

fn parse_q(raw: &str) -> Result<Option<String>, ApiError> {
    match raw.trim() {
        "" => Ok(None),
        q if q.chars().count() <= 100 && !q.chars().any(char::is_control) => Ok(Some(q.to_lowercase())),
        _ => Err(ApiError::bad_request("invalid_parameter", "Search for 1 to 100 characters of text; showing every tenant.")),
    }
}

fn wanted(app: &AppState, query: &Fields) -> Wanted {
    let mut problem = None;
    let status = parse_status(query.get("status")).unwrap_or_else(|e| {
        problem = Some(e);
        None
    });
    let q = parse_q(query.get("q")).unwrap_or_else(|e| {
        problem = Some(e);
        None
    });
    let filter = ListFilter { status, q };
    let non_empty = |name: &str| Some(query.trimmed(name)).filter(|v| !v.is_empty()).map(str::to_string);
    let (limit, cursor) = (non_empty("limit"), non_empty("cursor"));
    let key = &app.config.cursor_key;
    match PageRequest::parse(limit.as_deref(), cursor.as_deref(), key, &filter.scope()) {
        Ok(page) => Wanted { filter, page, paged: cursor.is_some(), problem },
        // One page-level answer for a bad cursor and a bad size: the API's code for the size
        // (not `invalid_cursor`, whose page wording speaks of the cursor only).
        Err(_) => Wanted {
            filter,
            page: PageRequest { limit: DEFAULT_LIMIT, after: None },
            paged: false,
            problem: Some(ApiError::bad_request(
                "invalid_parameter",
                "That page link is not valid (any more), or the page size is not 1 to 100; showing the first page.",
            )),
        },
    }
}

/// The plans to choose from: the `free` plan always exists (made the first time anyone asks).
async fn plan_choices(app: &AppState) -> Result<Vec<Plan>, ApiError> {
    let store = app.store.as_ref();
    plans::free(store, app.clock.now()).await?;
    Ok(plans::list(store).await?)
}

/// Everything the list page shows, loaded.
struct ListView<'a> {
    tenants: &'a [Tenant],
    plans: &'a [Plan],
    now: Timestamp,
    filter: &'a ListFilter,
    limit: usize,
    paged: bool,
    /// The signed cursor of the next page.
    next: Option<&'a str>,
    notice: Option<&'static str>,
    /// A filter or page link the page could not use.
    problem: Option<&'a ApiError>,
    /// Why the create form was refused.
    refused: Option<&'a ApiError>,
    draft: &'a CreateForm,
}

fn row(tenant: &Tenant, plans: &HashMap<&str, &Plan>, now: Timestamp) -> Vec<Markup> {
    let plan = plans.get(tenant.plan_id.as_str()).map_or(tenant.plan_id.as_str(), |p| p.name.as_str());
    let purge = match (tenant.status, tenant.purge_after) {
        (TenantStatus::Deleted, Some(at)) => Some(days_until(now, at)),
        _ => None,
    };
    vec![
        html! { a href=(text::tenant_path(&tenant.id)) { strong { (tenant.name) } } },
        html! { code { (tenant.slug) } },
        html! {
            (status_badge(tenant.status))
            @match purge {
                Some(Some(days)) => div.small.muted { "purged " (in_days(days)) },
                Some(None) => div.small.muted { "purge due" },
                None => {},
            }
        },
        html! { (plan) },
        date(tenant.created_at),
    ]
}

fn table(view: &ListView<'_>) -> Markup {
    let columns = [Column::text("Name"), Column::text("Slug"), Column::text("Status"), Column::text("Plan"), Column::text("Created (UTC)")];
    let by_id: HashMap<&str, &Plan> = view.plans.iter().map(|p| (p.id.as_str(), p)).collect();
    let rows: Vec<Vec<Markup>> = view.tenants.iter().map(|t| row(t, &by_id, view.now)).collect();
    let empty = if *view.filter == ListFilter::default() && !view.paged { "No tenants yet." } else { "No tenants match these filters." };
    let base = text::list_url(view.filter, view.limit);
    let pager = Pager { base: &base, next: view.next, back: if view.paged { Back::First } else { Back::None }, status: None };
    kit::data_table("Tenants", &columns, &rows, empty, Some(&pager))
}

fn filters(filter: &ListFilter, limit: usize) -> Markup {
    let status = filter.status.map_or("", TenantStatus::as_str);
    html! {
        form.row.filters method="get" action=(LIST) role="search" {
            div.w-240 {
                (kit::field(&Input::new("Name or slug", "q", InputType::Search).value(filter.q.as_deref().unwrap_or("")).maxlength(100)))
            }
            (kit::select_field(&Select::new("Status", "status", &STATUS_CHOICES).selected(status)))
            @if limit != DEFAULT_LIMIT { (kit::hidden("limit", &limit.to_string())) }
            (kit::submit("Filter", ButtonStyle::Secondary))
            @if *filter != ListFilter::default() { a href=(LIST) { "Clear filters" } }
        }
    }
}

fn create_form(viewer: &Viewer, plans: &[Plan], draft: &CreateForm, refused: Option<&ApiError>) -> Markup {
    let on = |field: &str| refused.and_then(|e| e.on(field));
    let labels: Vec<String> = plans.iter().map(text::plan_choice).collect();
    let options: Vec<(&str, &str)> = plans.iter().zip(&labels).map(|(p, label)| (p.id.as_str(), label.as_str())).collect();
    let selected = if draft.plan_id.is_empty() { plans.first().map_or("", |p| p.id.as_str()) } else { draft.plan_id.as_str() };
    html! {
        section.panel #create aria-labelledby="create-title" {
            h2 #create-title { "Create tenant" }
            p.muted {
                "The tenant starts in " em { "provisioning" } ": a background job creates its subscription on the plan, its default settings and the invitation of its first admin, then makes it active."
            }
            (kit::post_form(LIST, viewer.csrf(), html! {
                (kit::field(&Input::new("Name", "name", InputType::Text).value(&draft.name).required().maxlength(100).error(on("name"))))
                (kit::field(&Input::new("Slug", "slug", InputType::Text)
                    .value(&draft.slug)
                    .required()
                    .maxlength(48)
                    .pattern("[a-z0-9]+(-[a-z0-9]+)*")
                    .verbatim()
                    .hint("Lower-case letters and digits with single dashes, like northwind-traders. Unique, and it cannot be changed later.")
                    .error(on("slug"))))
                (kit::select_field(&Select::new("Plan", "plan_id", &options).selected(selected).required().error(on("plan_id"))))
                (kit::field(&Input::new("Admin email", "admin_email", InputType::Email)
                    .value(&draft.admin_email)
                    .required()
                    .hint("Invited as the tenant's first organization admin once it is provisioned.")
                    .error(on("admin_email"))))
                (kit::submit("Create tenant", ButtonStyle::Primary))
            }))
        }
    }
}

fn body(viewer: &Viewer, view: &ListView<'_>) -> Markup {
    html! {
        @if let Some(text) = view.notice { (kit::notice(kit::NoticeKind::Notice, text)) }
        @if let Some(e) = view.problem { (kit::notice(kit::NoticeKind::Error, e.message_for_people().as_str())) }
        @if let Some(e) = view.refused { (refusal_banner(e, "The tenant was not created")) }
        section.panel {
            (filters(view.filter, view.limit))
            (table(view))
        }
        (create_form(viewer, view.plans, view.draft, view.refused))
    }
}

/// The list page in the admin shell, with the status of its refusal (the form's first).
fn page(viewer: &Viewer, view: &ListView<'_>) -> Page {
    let status = view.refused.or(view.problem).map_or(StatusCode::OK, |e| e.status);
    Page::app(viewer, SECTION, "Tenants", body(viewer, view))
        .subtitle("Every organization on the platform.")
        .crumbs(vec![("Dashboard".to_string(), super::DASHBOARD.to_string())])
        .actions(kit::link_button("Create tenant", "#create", ButtonStyle::Primary))
        .status(status)
}

async fn render(app: &AppState, viewer: &Viewer, query: &Fields, draft: &CreateForm, refused: Option<ApiError>) -> Response {
    let wanted = wanted(app, query);
    let plans = match plan_choices(app).await {
        Ok(plans) => plans,
        Err(e) => return problem_page(viewer, &e),
    };
    let (tenants, next) = match service::list(app, &wanted.filter, wanted.page.limit, wanted.page.after.clone()).await {
        Ok(found) => found,
        Err(e) => return problem_page(viewer, &ApiError::from(e)),
    };
    let next = next.map(|c| encode_cursor(&app.config.cursor_key, &wanted.filter.scope(), &c));
    let view = ListView {
        tenants: &tenants,
        plans: &plans,
        now: app.clock.now(),
        filter: &wanted.filter,
        limit: wanted.page.limit,
        paged: wanted.paged,
        next: next.as_deref(),
        notice: notice(query.get("notice")),
        problem: wanted.problem.as_ref(),
        refused: refused.as_ref(),
        draft,
    };
    page(viewer, &view).into_response()
}

/// GET /dashboard/tenants (`?status=&q=&limit=&cursor=`, `?notice=` after an action)
pub async fn show(State(app): State<AppState>, headers: HeaderMap, QueryFields(query): QueryFields) -> Result<Response, Response> {
    let viewer = require_admin(&app, &headers, LIST).await?;
    Ok(render(&app, &viewer, &query, &CreateForm::default(), None).await)
}

/// POST /dashboard/tenants: creates the tenant, then 303 to its page; or the list again with
/// the form and what was wrong.
pub async fn create(
    State(app): State<AppState>,
    origin: Origin,
    headers: HeaderMap,
    Form(form): Form<CreateForm>,
) -> Result<Response, Response> {
    let viewer = require_admin(&app, &headers, LIST).await?;
    if !csrf_token_ok(&viewer, &form.csrf_token) {
        return Err(forbidden_form(LIST));
    }
    let draft = CreateForm {
        csrf_token: String::new(),
        slug: form.slug.trim().to_string(),
        plan_id: form.plan_id.trim().to_string(),
        admin_email: form.admin_email.trim().to_string(),
        name: form.name,
    };
    let cmd = NewTenant {
        name: draft.name.clone(),
        slug: draft.slug.clone(),
        plan_id: draft.plan_id.clone(),
        admin_email: draft.admin_email.clone(),
        settings: None,
    };
    match service::create(&app, &origin.actor(&viewer), cmd).await {
        Ok(tenant) => Ok(see_other(&text::with_notice(&text::tenant_path(&tenant.id), "created"), Vec::new())),
        Err(e) => Ok(render(&app, &viewer, &Fields::default(), &draft, Some(ApiError::from(e))).await),
    }
}

#[cfg(test)]
mod tests {
    use domain::ids::{PlanId, TenantId};
    use store::repo::plans::Limits;

    use super::*;
    use crate::pages::testing::{XSS, assert_clean, assert_inert, viewer, write_if_asked};

    fn now() -> Timestamp {
        Timestamp::from_unix(1_795_600_800)
    }

    fn plan(name: &str) -> Plan {
        Plan {
            id: PlanId::generate(now()),
            code: name.to_lowercase(),
            name: name.to_string(),
            interval: "month".to_string(),
            amount: 4900,
            currency: "usd".to_string(),
            trial_days: 0,
            limits: Limits { seats: 10, api_calls: 100_000, storage_bytes: 1 << 30 },
            created_at: now(),
            version: 1,
        }
    }

    fn tenant(name: &str, slug: &str, status: TenantStatus, plan: &Plan) -> Tenant {
        Tenant::new(TenantId::generate(now()), name.to_string(), slug.to_string(), status, plan.id.clone(), "usd".to_string(), now())
    }

    #[test]
    fn only_the_four_statuses_filter() {
        assert_eq!(parse_status("suspended").ok(), Some(Some(TenantStatus::Suspended)));
        assert_eq!(parse_status("").ok(), Some(None));
        assert_eq!(parse_status("gone").err().map(|e| e.status), Some(StatusCode::BAD_REQUEST));
        assert!(parse_q(&"x".repeat(101)).is_err());
        assert_eq!(parse_q(" Acme ").ok(), Some(Some("acme".into())));
    }

    #[test]
    fn the_list_escapes_every_name_a_user_set() {
        let plans = [plan(XSS)];
        let deleted = tenant(XSS, XSS, TenantStatus::Active, &plans[0]).delete(now()).expect("an active tenant can be deleted");
        let tenants = [tenant(XSS, XSS, TenantStatus::Provisioning, &plans[0]), deleted];
        let filter = ListFilter { status: Some(TenantStatus::Deleted), q: Some(XSS.to_string()) };
        let draft = CreateForm { name: XSS.into(), slug: XSS.into(), plan_id: XSS.into(), admin_email: XSS.into(), ..CreateForm::default() };
        let refused = ApiError::invalid_field("slug", XSS);
        let problem = ApiError::bad_request("invalid_parameter", XSS);
        let view = ListView {
            tenants: &tenants,
            plans: &plans,
            now: now(),
            filter: &filter,
            limit: 5,
            paged: true,
            next: Some(XSS),
            notice: Some(XSS),
            problem: Some(&problem),
            refused: Some(&refused),
            draft: &draft,
        };
        let html = page(&viewer(XSS, XSS), &view).render().into_string();
        assert_inert(&html);
        assert!(html.contains("purged in 30 days"), "{html}");
        assert!(html.contains("The tenant was not created: please correct the field marked below."), "{html}");
        assert!(html.contains(r#"<p class="field-error" id="f-slug-error">&lt;script&gt;"#), "the slug's error beside it: {html}");
    }

    #[test]
    fn the_list_renders_its_table_pager_filters_and_form() {
        let plans = [plan("Free"), plan("Growth")];
        let mut suspended = tenant("Contoso", "contoso", TenantStatus::Active, &plans[1]);
        suspended.status = TenantStatus::Suspended;
        let deleted = tenant("Fabrikam", "fabrikam", TenantStatus::Active, &plans[0]).delete(now()).expect("deletable");
        let tenants = [
            tenant("Northwind Traders", "northwind", TenantStatus::Provisioning, &plans[0]),
            tenant("Alpha Works", "alpha", TenantStatus::Active, &plans[1]),
            suspended,
            deleted,
        ];
        let filter = ListFilter::default();
        let draft = CreateForm::default();
        let view = ListView {
            tenants: &tenants,
            plans: &plans,
            now: now().plus_seconds(86_400),
            filter: &filter,
            limit: 4,
            paged: true,
            next: Some("eyJpZCI6IDQyfQ=="),
            notice: notice("created"),
            problem: None,
            refused: None,
            draft: &draft,
        };
        let page = page(&viewer("Ada Lovelace", "ada@dotmac.example"), &view);
        assert_eq!(page.status, StatusCode::OK);
        let html = page.render().into_string();
        assert!(html.contains(r#"<a href="/dashboard/tenants" aria-current="page">Tenants</a>"#), "the section is marked: {html}");
        assert!(html.contains(r#"rel="next" href="/dashboard/tenants?limit=4&amp;cursor=eyJpZCI6IDQyfQ%3D%3D""#), "{html}");
        assert!(html.contains(r#"<a class="button secondary" href="/dashboard/tenants?limit=4">First page</a>"#), "{html}");
        assert!(html.contains(r#"<td data-label="Plan">Growth</td>"#), "{html}");
        assert!(html.contains("purged in 29 days"), "{html}");
        assert!(html.contains(r#"<form method="post" action="/dashboard/tenants" novalidate><input type="hidden" name="csrf_token" value="csrf-token-value">"#));
        assert!(html.contains(r#"<input type="hidden" name="limit" value="4">"#), "the page size survives a filter: {html}");
        assert!(!html.contains("Clear filters"));
        assert_clean(&html);
        write_if_asked("admin-tenants-list.html", &html);
    }

    #[test]
    fn an_empty_list_says_so_and_a_refused_form_keeps_its_status() {
        let plans = [plan("Free")];
        let filter = ListFilter { status: Some(TenantStatus::Suspended), q: None };
        let draft = CreateForm { name: "Northwind".into(), slug: "North Wind".into(), admin_email: "it@northwind.example".into(), ..CreateForm::default() };
        let refused = ApiError::from(service::TenantsError::invalid("slug", "must be 1 to 48 lower-case letters"));
        let view = ListView {
            tenants: &[],
            plans: &plans,
            now: now(),
            filter: &filter,
            limit: DEFAULT_LIMIT,
            paged: false,
            next: None,
            notice: None,
            problem: None,
            refused: Some(&refused),
            draft: &draft,
        };
        let page = page(&viewer("Ada Lovelace", "ada@dotmac.example"), &view);
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = page.render().into_string();
        assert!(html.contains("No tenants match these filters.") && html.contains(r#"<option value="suspended" selected>"#), "{html}");
        assert!(html.contains(r#"value="North Wind""#) && html.contains("Slug must be 1 to 48"), "{html}");
        assert!(html.contains(r#"<a href="/dashboard/tenants">Clear filters</a>"#));
        assert_clean(&html);
        write_if_asked("admin-tenants-list-refused.html", &html);
    }
}
