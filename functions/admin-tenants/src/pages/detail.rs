//! `/dashboard/tenants/{id}`: one tenant in tabs (`?tab=overview|settings|usage|billing`).
//!
//! The overview shows status, plan, credit balance, creation, provisioning progress while the
//! job runs, and the retention countdown of a deleted tenant. The lifecycle buttons beside
//! the title open a confirmation step (`?confirm=suspend|reactivate|delete|restore`) whose
//! button posts the action. The settings tab edits name and retention, carrying the tenant's
//! `version`. Every action posts to this same address with its `action` field.
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::ids::TenantId;
use domain::time::Timestamp;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;
use store::repo::plans::{self, Plan};
use store::repo::provisioning::{Progress, Step};
use store::repo::subscriptions::Subscription;
use store::repo::tenants::{Tenant, TenantStatus};
use web::kit::{self, ButtonStyle, Confirm, Input, InputMode, InputType, NoticeKind, Tone};
use web::pages::form::{Form, QueryFields, csrf_token_ok, forbidden_form};
use web::pages::{Page, Viewer, see_other};
use web::{ApiError, AppState};

use super::text::{self, in_days};
use super::{
    ActorOf, LIST, Origin, SECTION, crumbs_to_list, date, date_time, days_until, notice, problem_page, refusal_banner, require_admin,
    status_badge,
};
use crate::service::{self, TenantPatch, TenantsError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Tab {
    #[default]
    Overview,
    Settings,
    Usage,
    Billing,
}

impl Tab {
    const ALL: [Tab; 4] = [Tab::Overview, Tab::Settings, Tab::Usage, Tab::Billing];

    fn parse(raw: &str) -> Tab {
        Tab::ALL.into_iter().find(|t| t.as_str() == raw).unwrap_or_default()
    }

    fn as_str(self) -> &'static str {
        match self {
            Tab::Overview => "overview",
            Tab::Settings => "settings",
            Tab::Usage => "usage",
            Tab::Billing => "billing",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Settings => "Settings",
            Tab::Usage => "Usage",
            Tab::Billing => "Billing",
        }
    }
}

/// The lifecycle actions, each behind a confirmation step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Suspend,
    Reactivate,
    Delete,
    Restore,
}

impl Action {
    const ALL: [Action; 4] = [Action::Suspend, Action::Reactivate, Action::Delete, Action::Restore];

    fn parse(raw: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == raw)
    }

    fn as_str(self) -> &'static str {
        match self {
            Action::Suspend => "suspend",
            Action::Reactivate => "reactivate",
            Action::Delete => "delete",
            Action::Restore => "restore",
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Action::Suspend => "Suspend",
            Action::Reactivate => "Reactivate",
            Action::Delete => "Delete",
            Action::Restore => "Restore",
        }
    }

    /// The past participle, also the notice code after it is done.
    fn done(self) -> &'static str {
        match self {
            Action::Suspend => "suspended",
            Action::Reactivate => "reactivated",
            Action::Delete => "deleted",
            Action::Restore => "restored",
        }
    }

    /// Whether the state machine allows it now (the use case decides again on POST).
    fn allowed(self, tenant: &Tenant, now: Timestamp) -> bool {
        match self {
            Action::Suspend => tenant.status == TenantStatus::Active,
            Action::Reactivate => tenant.status == TenantStatus::Suspended,
            Action::Delete => tenant.status != TenantStatus::Deleted,
            Action::Restore => tenant.status == TenantStatus::Deleted && tenant.purge_after.is_none_or(|t| now < t),
        }
    }

    /// Why it cannot be done to the tenant as it is now.
    fn refused(self, tenant: &Tenant) -> String {
        if self == Action::Restore && tenant.status == TenantStatus::Deleted {
            return "Its retention period is over: this tenant can no longer be restored.".to_string();
        }
        text::refused(tenant.status, self.done())
    }
}

/// What the page shows besides the tenant: the tab, a notice, a refusal, the confirmation
/// step and what the admin typed into a refused form.
#[derive(Default)]
struct View<'a> {
    tab: Tab,
    notice: Option<&'static str>,
    problem: Option<ApiError>,
    confirm: Option<Action>,
    reason: &'a str,
    /// Name and retention days as typed, when the settings form was refused for a field.
    typed: Option<(&'a str, &'a str)>,
}

/// What the page shows, loaded.
struct Loaded<'a> {
    detail: &'a service::TenantDetail,
    plan: Option<&'a Plan>,
    /// The usage tab's figures (loaded for that tab only).
    usage: Option<&'a service::Usage>,
    now: Timestamp,
}

/// A form of this page as posted: a lifecycle action with its reason, or the settings.
#[derive(Debug, Default, Deserialize)]
pub struct TenantForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    retention_days: String,
}

fn tabs(path: &str, current: Tab) -> Markup {
    let hrefs: Vec<String> =
        Tab::ALL.into_iter().map(|tab| if tab == Tab::Overview { path.to_string() } else { text::tab_href(path, tab.as_str()) }).collect();
    let items: Vec<(&str, &str, bool)> = Tab::ALL.into_iter().zip(&hrefs).map(|(tab, href)| (tab.label(), href.as_str(), tab == current)).collect();
    kit::tabs("Tenant sections", &items)
}

fn step_label(step: Step) -> &'static str {
    match step {
        Step::Subscription => "Subscription on its plan",
        Step::Settings => "Default settings",
        Step::AdminInvitation => "Invitation of its first admin",
        Step::Activation => "Activation",
    }
}

fn provisioning(path: &str, progress: &Progress) -> Markup {
    let total = Step::ALL.len();
    let done = progress.steps_done();
    let steps: Vec<(&str, Option<Markup>, bool)> = Step::ALL
        .iter()
        .map(|step| {
            let done_at = progress.done_at(*step);
            (step_label(*step), done_at.map(|at| html! { "done " (date_time(at)) }), done_at.is_some())
        })
        .collect();
    html! {
        section.panel aria-labelledby="provisioning" {
            h2 #provisioning { "Provisioning" }
            (kit::progress_bar(done as u64, total as u64, &text::provisioning_label(done, total)))
            (kit::checklist(&steps))
            p.small.muted {
                "The provisioning job runs in the background and the tenant becomes active when it is done. "
                a href=(path) { "Reload" } " to follow it."
            }
        }
    }
}

/// The banner of a deleted tenant: when it goes for good (in words and as a bar of the
/// retention left), and until when it can come back.
fn retention(tenant: &Tenant, now: Timestamp) -> Markup {
    let deleted = html! {
        strong {
            @if let Some(at) = tenant.deleted_at { "Deleted on " (date_time(at)) "." } @else { "Deleted." }
        }
    };
    let Some(purge_after) = tenant.purge_after else {
        return html! { section #retention .banner.warn.roomy role="status" { (deleted) } };
    };
    html! {
        section #retention .banner.warn.roomy role="status" {
            @match days_until(now, purge_after) {
                Some(days) => {
                    @let total = tenant.deleted_at.map(|d| purge_after.unix() - d.unix()).unwrap_or(tenant.retention_days * 86_400).max(1);
                    @let total_days = (total + 86_399) / 86_400;
                    p.m-0 { (deleted) }
                    p.big { "Purged " (in_days(days)) ", on " (date_time(purge_after)) }
                    (kit::progress_bar_toned(days.max(0) as u64, total_days.max(0) as u64, &text::retention_label(days, total_days), Tone::Warning))
                    p.mb-2 { "Restore is available until then; after that the tenant and its data are gone for good (its audit trail and paid invoices are kept)." }
                    @if Action::Restore.allowed(tenant, now) {
                        (kit::link_button("Restore…", &text::confirm_href(&text::tenant_path(&tenant.id), Action::Restore.as_str()), ButtonStyle::Secondary))
                    }
                }
                None => {
                    p.m-0 {
                        (deleted) " Its retention ended on " (date_time(purge_after))
                        ": it can no longer be restored and is purged at the next run of the purge job."
                    }
                }
            }
        }
    }
}

fn confirm_step(viewer: &Viewer, tenant: &Tenant, action: Action, view: &View<'_>, now: Timestamp) -> Markup {
    let consequence = match action {
        Action::Suspend => "Its users can still sign in and read, but every change they try is refused until you reactivate it.".to_string(),
        Action::Reactivate => "Its users can change things again at once.".to_string(),
        Action::Delete => text::delete_consequence(tenant.retention_days, now.plus_seconds(tenant.retention_days.max(0) * 86_400)),
        Action::Restore => text::restore_consequence(tenant.status_before_delete.map_or("active", TenantStatus::as_str)),
    };
    let reason_label = match action {
        Action::Suspend => "Reason (kept on the tenant and in the audit trail)",
        Action::Delete => "Reason (optional, for the audit trail)",
        Action::Reactivate | Action::Restore => "Note for the audit trail (optional)",
    };
    let mut reason = Input::new(reason_label, "reason", InputType::Text)
        .value(view.reason)
        .maxlength(500)
        .error(view.problem.as_ref().and_then(|e| e.on("reason")));
    if action == Action::Suspend {
        reason = reason.required();
    }
    let path = text::tenant_path(&tenant.id);
    let question = text::question(action.verb(), &tenant.name);
    let button = text::act_on(action.verb(), &tenant.name);
    let hidden = [("action", action.as_str())];
    let confirm = Confirm {
        question: &question,
        consequence: &consequence,
        action: &path,
        csrf: viewer.csrf(),
        hidden: &hidden,
        button: &button,
        destructive: matches!(action, Action::Suspend | Action::Delete),
        cancel_href: &path,
    };
    kit::confirm_step(&confirm, Some(kit::field(&reason)))
}

/// The lifecycle buttons the tenant's state allows, each opening its confirmation step.
fn lifecycle_buttons(tenant: &Tenant, now: Timestamp) -> Markup {
    let path = text::tenant_path(&tenant.id);
    let buttons = [
        (Action::Reactivate, "Reactivate…", ButtonStyle::Secondary),
        (Action::Restore, "Restore…", ButtonStyle::Secondary),
        (Action::Suspend, "Suspend…", ButtonStyle::Danger),
        (Action::Delete, "Delete…", ButtonStyle::Danger),
    ];
    html! {
        @for (action, label, style) in buttons {
            @if action.allowed(tenant, now) { (kit::link_button(label, &text::confirm_href(&path, action.as_str()), style)) }
        }
    }
}

fn lifecycle(tenant: &Tenant, now: Timestamp) -> Markup {
    let explanation = match tenant.status {
        TenantStatus::Provisioning => "It can be deleted while it provisions; restoring it later resumes provisioning.",
        TenantStatus::Active => "Suspending keeps its users signed in with read-only access; deleting signs them out and starts the retention period.",
        TenantStatus::Suspended => "Reactivating lets its users change things again; deleting signs them out and starts the retention period.",
        TenantStatus::Deleted if Action::Restore.allowed(tenant, now) => "Restoring brings it back as it was before deletion.",
        TenantStatus::Deleted => "Its retention is over; nothing can be done with it any more.",
    };
    html! {
        section.panel aria-labelledby="lifecycle" {
            h2 #lifecycle { "Lifecycle" }
            // The buttons are beside the title, on every tab; this says what they do.
            p.muted { (explanation) }
        }
    }
}

fn plan_text(plan: Option<&Plan>, tenant: &Tenant) -> Markup {
    match plan {
        Some(p) => html! { (p.name) " " span.small.muted { "· " (text::plan_terms(p)) } },
        None => html! { code { (tenant.plan_id.as_str()) } },
    }
}

fn subscription_text(subscription: Option<&Subscription>, tenant: &Tenant) -> Markup {
    match subscription {
        Some(s) => {
            let status = serde_json::to_value(s.status).ok();
            html! {
                (status.as_ref().and_then(Value::as_str).unwrap_or("unknown")) " "
                span.small.muted { "· period " (date(s.current_period_start)) " to " (date(s.current_period_end)) }
            }
        }
        None if tenant.status == TenantStatus::Provisioning => html! { span.muted { "Not yet: provisioning creates it" } },
        None => html! { span.muted { "None" } },
    }
}

fn overview(viewer: &Viewer, loaded: &Loaded<'_>, view: &View<'_>) -> Markup {
    let (detail, now) = (loaded.detail, loaded.now);
    let tenant = &detail.tenant;
    let mut facts = vec![
        ("Status", status_badge(tenant.status)),
        ("Plan", plan_text(loaded.plan, tenant)),
        ("Credit balance", html! { (text::money(tenant.credit_balance, &tenant.currency)) }),
        ("Created", date_time(tenant.created_at)),
    ];
    if let Some(at) = detail.progress.activation {
        facts.push(("Provisioned", date_time(at)));
    }
    facts.extend([
        (
            "First admin",
            match &tenant.admin_email {
                Some(email) => html! { (email) },
                None => html! { span.muted { "Signed up by itself" } },
            },
        ),
        ("Subscription", subscription_text(detail.subscription.as_ref(), tenant)),
        ("Retention", html! { (tenant.retention_days) " days after deletion" }),
        ("ID", html! { code { (tenant.id.as_str()) } }),
    ]);
    html! {
        @match tenant.status {
            TenantStatus::Deleted => (retention(tenant, now)),
            TenantStatus::Suspended => div.banner.warn role="status" {
                strong { "Suspended" }
                @if let Some(reason) = &tenant.suspended_reason { ": " (reason) }
                ". Its users can sign in and read; every change is refused until it is reactivated."
            },
            _ => {},
        }
        @match view.confirm {
            Some(action) if action.allowed(tenant, now) => (confirm_step(viewer, tenant, action, view, now)),
            Some(action) => (kit::notice(NoticeKind::Error, action.refused(tenant).as_str())),
            None => {},
        }
        @if tenant.status == TenantStatus::Provisioning {
            (provisioning(&text::tenant_path(&tenant.id), &detail.progress))
        }
        section.panel aria-labelledby="overview" {
            h2 #overview { "Overview" }
            (kit::facts(&facts))
        }
        (lifecycle(tenant, now))
    }
}

/// A stored settings value in words.
fn setting_value(value: &Value) -> Markup {
    match value {
        Value::Null => html! { span.muted { "—" } },
        Value::Bool(true) => html! { "On" },
        Value::Bool(false) => html! { "Off" },
        Value::Array(items) if items.is_empty() => html! { span.muted { "none (any address)" } },
        Value::Array(items) => html! { (text::joined(items)) },
        Value::String(s) if s.is_empty() => html! { span.muted { "—" } },
        Value::String(s) => html! { (s) },
        other => html! { (other.to_string()) },
    }
}

fn settings_summary(settings: &Value) -> Markup {
    let groups: Vec<(&str, Vec<(String, Markup)>)> = [("organization", "Organization"), ("security", "Security"), ("notifications", "Notifications")]
        .into_iter()
        .filter_map(|(group, title)| match settings.get(group) {
            Some(Value::Object(fields)) => Some((title, fields.iter().map(|(k, v)| (text::humanized(k), setting_value(v))).collect())),
            _ => None,
        })
        .collect();
    html! {
        @for (title, rows) in &groups {
            @let pairs: Vec<(&str, Markup)> = rows.iter().map(|(label, value)| (label.as_str(), value.clone())).collect();
            h3 { (title) }
            (kit::facts(&pairs))
        }
        @if groups.is_empty() { p.muted { "None stored yet: provisioning fills the defaults." } }
    }
}

fn settings(viewer: &Viewer, tenant: &Tenant, view: &View<'_>) -> Markup {
    let on = |field: &str| view.problem.as_ref().and_then(|e| e.on(field));
    let retention_now = tenant.retention_days.to_string();
    let (name, retention) = view.typed.unwrap_or((tenant.name.as_str(), retention_now.as_str()));
    let deleted = tenant.status == TenantStatus::Deleted;
    let path = text::tenant_path(&tenant.id);
    html! {
        section.panel aria-labelledby="settings" {
            h2 #settings { "Settings" }
            @if deleted { (kit::notice(NoticeKind::Warn, "A deleted tenant cannot be changed. Restore it first (Overview).")) }
            (kit::post_form(&path, viewer.csrf(), html! {
                (kit::hidden("action", "settings"))
                (kit::hidden("version", &tenant.version.to_string()))
                fieldset disabled[deleted] class="bare" {
                    legend.sr { "Name and retention" }
                    (kit::field(&Input::new("Name", "name", InputType::Text).value(name).required().maxlength(100).error(on("name"))))
                    (kit::field(&Input::new("Retention (days)", "retention_days", InputType::Text)
                        .value(retention)
                        .required()
                        .inputmode(InputMode::Numeric)
                        .pattern("[0-9]*")
                        .maxlength(4)
                        .hint("How long a deleted tenant can be restored before it is purged: 1 to 3650 days (30 by default). It applies to the next deletion.")
                        .error(on("retention_days"))))
                    (kit::submit("Save changes", ButtonStyle::Primary))
                }
            }))
        }
        section.panel aria-labelledby="organization-settings" {
            h2 #organization-settings { "Organization settings" }
            p.muted { "Kept by the tenant's own admins in their portal; shown here as stored." }
            (settings_summary(&tenant.settings))
        }
    }
}

fn usage(usage: &service::Usage) -> Markup {
    let limit = usage.plan.limits.seats.max(0);
    let used = usage.members + usage.pending_invitations;
    let over = used > limit;
    let available = (limit - used).max(0);
    let label = text::seats_label(used, limit, usage.members, usage.pending_invitations);
    html! {
        section.panel aria-labelledby="seats" {
            h2 #seats { "Seats" }
            @if over { p.mb-1 { (kit::status_badge("Over the limit", Tone::Danger)) } }
            (kit::progress_bar_toned(used.max(0) as u64, limit as u64, &label, if over { Tone::Danger } else { Tone::Info }))
            p.small.muted {
                (usage.members) " members · " (usage.pending_invitations) " pending invitations · " (available) " available. "
                "Each pending invitation holds a seat until it is accepted, revoked or expires."
            }
        }
        section.panel aria-labelledby="metering" {
            h2 #metering { "API calls and storage" }
            p.muted {
                "Not measured yet: these figures come with usage metering. The plan allows "
                (kit::grouped(usage.plan.limits.api_calls.max(0))) " API calls and " (text::bytes(usage.plan.limits.storage_bytes)) " of storage."
            }
            p.small.muted { "As of " (date_time(usage.as_of)) "." }
        }
    }
}

fn billing(detail: &service::TenantDetail, plan: Option<&Plan>) -> Markup {
    let tenant = &detail.tenant;
    let mut facts = vec![("Plan", plan_text(plan, tenant)), ("Subscription", subscription_text(detail.subscription.as_ref(), tenant))];
    if let Some(trial_end) = detail.subscription.as_ref().and_then(|s| s.trial_end) {
        facts.push(("Trial ends", date(trial_end)));
    }
    facts.push(("Credit balance", html! { (text::money(tenant.credit_balance, &tenant.currency)) }));
    facts.push(("Currency", html! { (tenant.currency.to_uppercase()) }));
    html! {
        section.panel aria-labelledby="billing" {
            h2 #billing { "Billing" }
            p.callout {
                "Billing comes with the billing work: invoices, payments, credit notes and dunning are not built yet, so they do not show here. This is what exists today."
            }
            (kit::facts(&facts))
        }
    }
}

/// The whole page, in the admin shell: the tenant's name as the title, its slug under it,
/// its status and lifecycle buttons beside it.
fn page(viewer: &Viewer, loaded: &Loaded<'_>, view: &View<'_>) -> Page {
    let tenant = &loaded.detail.tenant;
    let path = text::tenant_path(&tenant.id);
    let content = match view.tab {
        Tab::Overview => overview(viewer, loaded, view),
        Tab::Settings => settings(viewer, tenant, view),
        Tab::Usage => match loaded.usage {
            Some(figures) => usage(figures),
            None => html! {},
        },
        Tab::Billing => billing(loaded.detail, loaded.plan),
    };
    let body = html! {
        @if let Some(text) = view.notice { (kit::notice(NoticeKind::Notice, text)) }
        @if let Some(e) = &view.problem { (refusal_banner(e, "Nothing was changed")) }
        (tabs(&path, view.tab))
        (content)
    };
    let actions = lifecycle_buttons(tenant, loaded.now);
    let status = view.problem.as_ref().map_or(StatusCode::OK, |e| e.status);
    Page::app(viewer, SECTION, tenant.name.as_str(), body)
        .badge(status_badge(tenant.status))
        .subtitle(tenant.slug.as_str())
        .crumbs(crumbs_to_list())
        .actions(actions)
        .status(status)
}

/// The whole page as it is now.
async fn render(app: &AppState, viewer: &Viewer, id: &TenantId, view: View<'_>) -> Response {
    let detail = match service::get(app, id).await {
        Ok(detail) => detail,
        Err(e) => return problem_page(viewer, &ApiError::from(e)),
    };
    let plan = plans::get(app.store.as_ref(), &detail.tenant.plan_id).await.ok().flatten();
    let figures = match view.tab {
        Tab::Usage => match service::usage(app, id).await {
            Ok(figures) => Some(figures),
            Err(e) => return problem_page(viewer, &ApiError::from(e)),
        },
        _ => None,
    };
    let loaded = Loaded { detail: &detail, plan: plan.as_ref(), usage: figures.as_ref(), now: app.clock.now() };
    page(viewer, &loaded, &view).into_response()
}

fn not_found(viewer: &Viewer) -> Response {
    problem_page(viewer, &ApiError::from(TenantsError::NotFound))
}

/// GET /dashboard/tenants/{id} (`?tab=`, `?confirm=<action>` for the confirmation step,
/// `?notice=` after an action)
pub async fn show(
    State(app): State<AppState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    QueryFields(query): QueryFields,
) -> Result<Response, Response> {
    let Some(id) = TenantId::parse(&raw) else {
        let viewer = require_admin(&app, &headers, LIST).await?;
        return Ok(not_found(&viewer));
    };
    let viewer = require_admin(&app, &headers, &text::tenant_path(&id)).await?;
    let view = View {
        tab: Tab::parse(query.get("tab")),
        notice: notice(query.get("notice")),
        confirm: Action::parse(query.get("confirm")),
        ..View::default()
    };
    Ok(render(&app, &viewer, &id, view).await)
}

fn optional(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

/// The lifecycle action a form confirmed, through the same use cases as the API.
async fn act(app: &AppState, origin: &Origin, viewer: &Viewer, id: &TenantId, action: Action, reason: &str) -> Result<(), TenantsError> {
    let actor = origin.actor(viewer);
    match action {
        Action::Suspend => service::suspend(app, &actor, id, reason).await,
        Action::Reactivate => service::reactivate(app, &actor, id, optional(reason)).await,
        Action::Delete => service::delete(app, &actor, id, optional(reason)).await,
        Action::Restore => service::restore(app, &actor, id, optional(reason)).await,
    }
    .map(|_| ())
}

/// POST /dashboard/tenants/{id}: one action, then 303 back to the page with its notice, or
/// the page again with the refusal.
pub async fn submit(
    State(app): State<AppState>,
    origin: Origin,
    Path(raw): Path<String>,
    headers: HeaderMap,
    Form(form): Form<TenantForm>,
) -> Result<Response, Response> {
    let Some(id) = TenantId::parse(&raw) else {
        let viewer = require_admin(&app, &headers, LIST).await?;
        return Ok(not_found(&viewer));
    };
    let path = text::tenant_path(&id);
    let viewer = require_admin(&app, &headers, &path).await?;
    if !csrf_token_ok(&viewer, &form.csrf_token) {
        return Err(forbidden_form(&path));
    }
    if form.action == "settings" {
        return Ok(save_settings(&app, &origin, &viewer, &id, &form).await);
    }
    let Some(action) = Action::parse(&form.action) else {
        let problem = ApiError::bad_request("invalid_parameter", "That is not something this page does. Nothing was changed.");
        return Ok(render(&app, &viewer, &id, View { problem: Some(problem), ..View::default() }).await);
    };
    match act(&app, &origin, &viewer, &id, action, &form.reason).await {
        Ok(()) => Ok(see_other(&text::with_notice(&path, action.done()), Vec::new())),
        Err(TenantsError::NotFound) => Ok(not_found(&viewer)),
        Err(e) => {
            let problem = match e {
                // The state moved under the form: say so in words about this tenant as it is now.
                TenantsError::InvalidState(ref message) if !message.contains("retention") => {
                    match service::load(app.store.as_ref(), &id).await {
                        Ok(now) => ApiError::conflict("invalid_state", action.refused(&now)),
                        Err(e) => ApiError::from(e),
                    }
                }
                e => ApiError::from(e),
            };
            // A field refusal (the reason) keeps the confirmation step open with what was typed.
            let again = problem.detail.field.is_some();
            let view = View {
                confirm: again.then_some(action),
                reason: if again { form.reason.as_str() } else { "" },
                problem: Some(problem),
                ..View::default()
            };
            Ok(render(&app, &viewer, &id, view).await)
        }
    }
}

/// The settings form: name and retention, based on the version the form was loaded with.
async fn save_settings(app: &AppState, origin: &Origin, viewer: &Viewer, id: &TenantId, form: &TenantForm) -> Response {
    let path = text::tenant_path(id);
    let typed = (form.name.as_str(), form.retention_days.trim());
    let refused = |problem: ApiError, keep_typed: bool| View {
        tab: Tab::Settings,
        problem: Some(problem),
        typed: keep_typed.then_some(typed),
        ..View::default()
    };
    let Ok(version) = form.version.trim().parse::<i64>() else {
        let problem = ApiError::bad_request("invalid_parameter", "The form is incomplete. Nothing was saved; please make your change again.");
        return render(app, viewer, id, refused(problem, false)).await;
    };
    let Ok(retention_days) = typed.1.parse::<i64>() else {
        let problem = ApiError::from(TenantsError::invalid("retention_days", "must be a whole number"));
        return render(app, viewer, id, refused(problem, true)).await;
    };
    let patch = TenantPatch { name: Some(typed.0.to_string()), settings: None, retention_days: Some(retention_days) };
    match service::update(app, &origin.actor(viewer), id, patch, Some(version)).await {
        Ok(tenant) => {
            let code = if tenant.version == version { "unchanged" } else { "saved" };
            see_other(&text::with_notice(&text::tab_href(&path, Tab::Settings.as_str()), code), Vec::new())
        }
        Err(TenantsError::NotFound) => not_found(viewer),
        Err(e) => {
            let problem = ApiError::from(e);
            // A stale form shows the current values; a field refusal keeps what was typed.
            let keep = problem.detail.field.is_some();
            render(app, viewer, id, refused(problem, keep)).await
        }
    }
}

#[cfg(test)]
mod tests {
    use domain::ids::{PlanId, SubscriptionId};
    use serde_json::json;
    use store::repo::plans::Limits;

    use super::*;
    use crate::pages::testing::{XSS, assert_clean, assert_inert, viewer, write_if_asked};

    fn now() -> Timestamp {
        Timestamp::from_unix(1_795_600_800)
    }

    fn plan(name: &str) -> Plan {
        Plan {
            id: PlanId::generate(now()),
            code: "growth".to_string(),
            name: name.to_string(),
            interval: "month".to_string(),
            amount: 19_900,
            currency: "usd".to_string(),
            trial_days: 0,
            limits: Limits { seats: 3, api_calls: 100_000, storage_bytes: 5 << 30 },
            created_at: now(),
            version: 1,
        }
    }

    fn tenant(status: TenantStatus) -> Tenant {
        Tenant::new(TenantId::generate(now()), "Acme".into(), "acme".into(), status, PlanId::generate(now()), "usd".into(), now())
    }

    /// A tenant whose every field a person set is the payload.
    fn hostile(status: TenantStatus) -> Tenant {
        let mut t = Tenant::new(TenantId::generate(now()), XSS.into(), XSS.into(), status, PlanId::generate(now()), "usd".into(), now());
        t.admin_email = Some(XSS.into());
        t.suspended_reason = Some(XSS.into());
        t.settings = json!({
            "organization": {"name": XSS, "logo_url": XSS, XSS: XSS},
            "security": {"require_mfa": true, "ip_allowlist": [XSS, "10.0.0.0/8"]},
        });
        t
    }

    fn detail(tenant: Tenant, plan: &Plan, progress: Progress, subscribed: bool) -> service::TenantDetail {
        let subscription = subscribed.then(|| Subscription::start(SubscriptionId::generate(now()), tenant.id.clone(), plan, now()));
        service::TenantDetail { tenant, progress, subscription }
    }

    fn figures(tenant: &Tenant, plan: &Plan, members: i64, pending: i64) -> service::Usage {
        service::Usage { tenant: tenant.clone(), plan: plan.clone(), members, pending_invitations: pending, as_of: now() }
    }

    fn render_page(detail: &service::TenantDetail, plan: &Plan, usage: Option<&service::Usage>, view: &View<'_>, at: Timestamp) -> (StatusCode, String) {
        let loaded = Loaded { detail, plan: Some(plan), usage, now: at };
        let page = page(&viewer("Ada Lovelace", "ada@dotmac.example"), &loaded, view);
        (page.status, page.render().into_string())
    }

    #[test]
    fn each_action_is_offered_only_where_the_state_machine_allows_it() {
        let now = now();
        let active = tenant(TenantStatus::Active);
        assert!(Action::Suspend.allowed(&active, now) && Action::Delete.allowed(&active, now));
        assert!(!Action::Reactivate.allowed(&active, now) && !Action::Restore.allowed(&active, now));
        let deleted = active.delete(now).expect("deletable");
        assert!(Action::Restore.allowed(&deleted, now.plus_seconds(86_400)));
        assert!(!Action::Restore.allowed(&deleted, now.plus_seconds(30 * 86_400)), "not once retention is over");
        assert!(!Action::Delete.allowed(&deleted, now));
    }

    #[test]
    fn tabs_and_actions_come_from_fixed_lists() {
        assert_eq!(Tab::parse("usage"), Tab::Usage);
        assert_eq!(Tab::parse("<x>"), Tab::Overview);
        assert_eq!(Action::parse("restore"), Some(Action::Restore));
        assert_eq!(Action::parse("purge"), None);
    }

    #[test]
    fn a_deleted_tenant_shows_when_it_is_purged() {
        let now = now();
        let deleted = tenant(TenantStatus::Active).delete(now).expect("deletable");
        let banner = retention(&deleted, now.plus_seconds(3600)).into_string();
        assert!(banner.contains("Purged in 30 days, on <time"), "{banner}");
        assert!(banner.contains(r#"aria-label="30 days of the 30 days of retention left""#), "{banner}");
        assert!(banner.contains("confirm=restore"), "{banner}");
        assert!(banner.contains("2026-12-25 10:00 UTC</time></p>"), "{banner}");
        let over = retention(&deleted, now.plus_seconds(31 * 86_400)).into_string();
        assert!(over.contains("can no longer be restored") && !over.contains("confirm=restore"), "{over}");
    }

    #[test]
    fn stored_settings_are_escaped_and_worded() {
        let settings = json!({"organization": {"name": "<b>Acme</b>", "logo_url": null}, "security": {"require_mfa": true, "ip_allowlist": []}});
        let html = settings_summary(&settings).into_string();
        assert!(html.contains("&lt;b&gt;Acme&lt;/b&gt;") && !html.contains("<b>Acme"), "{html}");
        assert!(html.contains("<dt>Require two-factor</dt><dd>On</dd>"), "{html}");
        assert!(html.contains("any address"), "{html}");
        assert!(settings_summary(&json!({})).into_string().contains("None stored yet"));
    }

    #[test]
    fn every_tab_and_step_escapes_what_people_typed() {
        let plan = plan(XSS);
        let at = now().plus_seconds(3600);
        let reason_refused = ApiError::invalid_field("reason", XSS);
        let cases: Vec<(Tenant, View<'_>)> = vec![
            (hostile(TenantStatus::Active), View { confirm: Some(Action::Suspend), reason: XSS, problem: Some(reason_refused.clone()), ..View::default() }),
            (hostile(TenantStatus::Active), View { confirm: Some(Action::Delete), notice: Some(XSS), ..View::default() }),
            (hostile(TenantStatus::Suspended), View { confirm: Some(Action::Reactivate), ..View::default() }),
            (hostile(TenantStatus::Suspended), View { confirm: Some(Action::Restore), ..View::default() }),
            (hostile(TenantStatus::Active).delete(now()).expect("deletable"), View { confirm: Some(Action::Restore), ..View::default() }),
            (hostile(TenantStatus::Provisioning), View { problem: Some(ApiError::conflict("invalid_state", XSS)), ..View::default() }),
            (hostile(TenantStatus::Active), View { tab: Tab::Settings, typed: Some((XSS, XSS)), problem: Some(ApiError::invalid_field("name", XSS)), ..View::default() }),
            (hostile(TenantStatus::Active), View { tab: Tab::Usage, ..View::default() }),
            (hostile(TenantStatus::Active), View { tab: Tab::Billing, ..View::default() }),
        ];
        for (tenant, view) in cases {
            let usage = figures(&tenant, &plan, 2, 5);
            let progress = Progress { subscription: Some(now()), ..Progress::default() };
            let detail = detail(tenant, &plan, progress, true);
            let (_, html) = render_page(&detail, &plan, Some(&usage), &view, at);
            assert_inert(&html);
        }
        let xss_viewer = viewer(XSS, XSS);
        let html = web::pages::Page::app(&xss_viewer, "tenants", XSS, html! {}).render().into_string();
        assert_inert(&html);
    }

    #[test]
    fn the_overview_draws_progress_and_the_header_offers_the_allowed_actions() {
        let plan = plan("Growth");
        let progress = Progress { subscription: Some(now()), settings: Some(now()), ..Progress::default() };
        let detail = detail(tenant(TenantStatus::Provisioning), &plan, progress, true);
        let (status, html) = render_page(&detail, &plan, None, &View { notice: notice("created"), ..View::default() }, now());
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(r#"aria-label="Provisioning: 2 of 4 steps done""#), "{html}");
        assert_eq!(html.matches("· done <time").count(), 2, "{html}");
        assert_eq!(html.matches("· waiting").count(), 2, "{html}");
        assert!(html.contains(r#"<li><a href="/dashboard">Dashboard</a></li><li><a href="/dashboard/tenants">Tenants</a></li><li aria-current="page">Acme</li>"#), "{html}");
        assert!(html.contains(r#"<div class="between"><h1>Acme</h1><span class="badge" data-tone="info">Provisioning</span></div><p class="lead">acme</p>"#), "{html}");
        assert!(html.contains(">Delete…</a>") && !html.contains(">Suspend…</a>"), "only delete while provisioning: {html}");
        assert!(html.contains("<dt>Credit balance</dt><dd>0.00 USD</dd>"), "{html}");
        assert_clean(&html);
        write_if_asked("admin-tenants-detail-provisioning.html", &html);
    }

    #[test]
    fn a_refused_reason_keeps_the_step_open_with_its_status() {
        let plan = plan("Growth");
        let detail = detail(tenant(TenantStatus::Active), &plan, Progress::default(), true);
        let refused = ApiError::from(TenantsError::invalid("reason", "must not be empty"));
        let view = View { confirm: Some(Action::Suspend), reason: "  ", problem: Some(refused), ..View::default() };
        let (status, html) = render_page(&detail, &plan, None, &view, now());
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Suspend Acme?") && html.contains("Reason must not be empty."), "{html}");
        assert!(html.contains(r#"<input type="hidden" name="action" value="suspend">"#), "{html}");
        assert!(html.contains("Nothing was changed: please correct the field marked below."), "{html}");
        assert_clean(&html);
        write_if_asked("admin-tenants-detail-suspend-confirm.html", &html);
    }

    #[test]
    fn a_deleted_tenant_counts_down_and_its_settings_are_locked() {
        let plan = plan("Growth");
        let deleted = tenant(TenantStatus::Active).delete(now()).expect("deletable");
        let detail = detail(deleted, &plan, Progress::default(), true);
        let (_, html) = render_page(&detail, &plan, None, &View::default(), now().plus_seconds(10 * 86_400));
        assert!(html.contains("Purged in 20 days, on <time"), "{html}");
        assert!(html.contains(r#"aria-label="20 days of the 30 days of retention left""#), "{html}");
        assert_clean(&html);
        write_if_asked("admin-tenants-detail-deleted.html", &html);
        let (_, html) = render_page(&detail, &plan, None, &View { tab: Tab::Settings, ..View::default() }, now());
        assert!(html.contains("A deleted tenant cannot be changed") && html.contains("<fieldset disabled"), "{html}");
    }

    #[test]
    fn the_other_tabs_show_settings_seats_and_billing() {
        let plan = plan("Growth");
        let mut active = tenant(TenantStatus::Active);
        active.admin_email = Some("it@acme.example".into());
        active.settings = json!({
            "organization": {"name": "Acme Corporation", "logo_url": null},
            "security": {"require_mfa": false, "password_min_length": 12, "ip_allowlist": []},
            "notifications": {"billing_email": "billing@acme.example"},
        });
        let usage = figures(&active, &plan, 2, 2);
        let detail = detail(active, &plan, Progress { activation: Some(now()), ..Progress::default() }, true);

        let (_, html) = render_page(&detail, &plan, None, &View::default(), now());
        assert!(html.contains("<dt>First admin</dt><dd>it@acme.example</dd>") && html.contains("<dt>Subscription</dt><dd>active"), "{html}");
        assert_clean(&html);
        write_if_asked("admin-tenants-detail-overview.html", &html);

        let (_, html) = render_page(&detail, &plan, None, &View { tab: Tab::Settings, ..View::default() }, now());
        assert!(html.contains(r#"name="retention_days" type="text" value="30""#) && html.contains("Password min length"), "{html}");
        assert!(html.contains(r#"<input type="hidden" name="version" value="1">"#), "{html}");
        assert_clean(&html);
        write_if_asked("admin-tenants-detail-settings.html", &html);

        let (_, html) = render_page(&detail, &plan, Some(&usage), &View { tab: Tab::Usage, ..View::default() }, now());
        assert!(html.contains(r#"aria-label="4 of 3 seats used: 2 members and 2 pending invitations""#) && html.contains("Over the limit"), "{html}");
        assert!(html.contains(r#"href="/dashboard/tenants/"#) && html.contains(r#"?tab=usage" aria-current="page">Usage</a>"#), "{html}");
        assert_clean(&html);
        write_if_asked("admin-tenants-detail-usage.html", &html);

        let (_, html) = render_page(&detail, &plan, None, &View { tab: Tab::Billing, ..View::default() }, now());
        assert!(html.contains("Billing comes with the billing work") && html.contains("<dt>Currency</dt><dd>USD</dd>"), "{html}");
        assert_clean(&html);
        write_if_asked("admin-tenants-detail-billing.html", &html);
    }
}
