//! `/dashboard/tenants/{id}`: one tenant in tabs (`?tab=overview|settings|usage|billing`).
//!
//! The overview shows status, plan, credit balance, creation, provisioning progress while the
//! job runs, and the retention countdown of a deleted tenant; its lifecycle buttons open a
//! confirmation step (`?confirm=suspend|reactivate|delete|restore`) whose button posts the
//! action. The settings tab edits name and retention, carrying the tenant's `version`. Every
//! action posts to this same address with its `action` field.
use auth::pages::Viewer;
use auth::pages::form::{Fields, Form, QueryFields, csrf_ok, forbidden_form};
use auth::pages::html::{Input, Page, error_banner, escape, hidden, notice_banner, see_other};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use shared::AppState;
use shared::domain::ids::TenantId;
use shared::domain::time::Timestamp;
use shared::repo::plans::{self, Plan};
use shared::repo::provisioning::{Progress, Step};
use shared::repo::subscriptions::Subscription;
use shared::repo::tenants::{Tenant, TenantStatus};

use super::{ActorOf, LIST, Origin, Problem, bar, bytes, date, date_time, days_until, grouped, in_days, money, notice, problem_page, require_admin, status_badge};
use crate::service::{self, TenantPatch, TenantsError};

const BLUE: &str = "#2f5be7";
const LIGHT_BLUE: &str = "#9db6ff";
const RED: &str = "#c62828";
/// Facts wrap inside the card rather than push it wider (long ids and plan lines on a phone).
const FACTS_STYLE: &str = "grid-template-columns:max-content minmax(0,1fr);overflow-wrap:anywhere";

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

    fn refused(self, tenant: &Tenant) -> String {
        let state = match tenant.status {
            TenantStatus::Provisioning => "still provisioning",
            TenantStatus::Active => "active",
            TenantStatus::Suspended => "suspended",
            TenantStatus::Deleted => "deleted",
        };
        if self == Action::Restore && tenant.status == TenantStatus::Deleted {
            return "Its retention period is over: this tenant can no longer be restored.".to_string();
        }
        format!("This tenant is {state} now, so it cannot be {}. Nothing was changed; the page shows its current state.", self.done())
    }
}

/// What the page shows besides the tenant: the tab, a notice, a problem, the confirmation step
/// and what the admin typed into a refused form.
#[derive(Default)]
struct View<'a> {
    tab: Tab,
    notice: Option<&'static str>,
    problem: Option<Problem>,
    confirm: Option<Action>,
    reason: &'a str,
    /// Name and retention days as typed, when the settings form was refused for a field.
    typed: Option<(&'a str, &'a str)>,
}

fn tenant_path(id: &TenantId) -> String {
    format!("{LIST}/{id}")
}

fn tabs(id: &TenantId, current: Tab) -> String {
    let links: String = Tab::ALL
        .into_iter()
        .map(|tab| {
            let (current_attr, colour, border) =
                if tab == current { (r#" aria-current="page""#, "var(--ink)", "var(--brand)") } else { ("", "var(--muted)", "transparent") };
            let href = if tab == Tab::Overview { tenant_path(id) } else { format!("{}?tab={}", tenant_path(id), tab.as_str()) };
            format!(
                r#"<a href="{href}"{current_attr} style="padding:10px 12px;margin-bottom:-1px;text-decoration:none;font-weight:600;white-space:nowrap;color:{colour};border-bottom:3px solid {border}">{label}</a>"#,
                href = escape(&href),
                label = tab.label(),
            )
        })
        .collect();
    format!(r#"<nav aria-label="Tenant sections" style="display:flex;flex-wrap:wrap;gap:0 4px;border-bottom:1px solid var(--line);margin:4px 0 22px">{links}</nav>"#)
}

fn step_label(step: Step) -> &'static str {
    match step {
        Step::Subscription => "Subscription on its plan",
        Step::Settings => "Default settings",
        Step::AdminInvitation => "Invitation of its first admin",
        Step::Activation => "Activation",
    }
}

fn provisioning(id: &TenantId, progress: &Progress) -> String {
    let total = Step::ALL.len();
    let done = progress.steps_done();
    let label = format!("Provisioning: {done} of {total} steps done");
    let steps: String = Step::ALL
        .iter()
        .map(|step| match progress.done_at(*step) {
            Some(at) => format!(
                r#"<li style="margin:4px 0"><span aria-hidden="true" style="color:var(--ok);font-weight:700">✓</span> {} <span class="small muted">· done {}</span></li>"#,
                step_label(*step),
                date_time(at)
            ),
            None => format!(
                r#"<li style="margin:4px 0"><span aria-hidden="true" style="color:var(--muted)">○</span> {} <span class="small muted">· waiting</span></li>"#,
                step_label(*step)
            ),
        })
        .collect();
    format!(
        r#"<section aria-labelledby="provisioning"><h2 id="provisioning">Provisioning</h2>
<p style="margin:0"><strong>{done} of {total} steps done</strong></p>{bar}
<ul style="list-style:none;padding:0;margin:0 0 12px">{steps}</ul>
<p class="small muted">The provisioning job runs in the background and the tenant becomes active when it is done. <a href="{path}">Reload</a> to follow it.</p></section>"#,
        bar = bar(&[(done as i64, BLUE)], total as i64, &label),
        path = escape(&tenant_path(id)),
    )
}

/// The banner of a deleted tenant: when it goes for good (in words and as a bar of the
/// retention left), and until when it can come back.
fn retention(tenant: &Tenant, now: Timestamp) -> String {
    let deleted = tenant.deleted_at.map(|t| format!("Deleted on {}.", date_time(t))).unwrap_or_else(|| "Deleted.".into());
    let Some(purge_after) = tenant.purge_after else {
        return format!(r#"<section id="retention" class="banner warn" role="status"><strong>{deleted}</strong></section>"#);
    };
    let text = match days_until(now, purge_after) {
        Some(days) => {
            let total = tenant.deleted_at.map(|d| purge_after.unix() - d.unix()).unwrap_or(tenant.retention_days * 86_400).max(1);
            let left = (purge_after.unix() - now.unix()).clamp(0, total);
            let label = format!("{} of the {} days of retention left", in_days(days).trim_start_matches("in "), (total + 86_399) / 86_400);
            let restore = if Action::Restore.allowed(tenant, now) {
                format!(
                    r#"<a class="button secondary" href="{}?confirm=restore#confirm">Restore…</a>"#,
                    escape(&tenant_path(&tenant.id))
                )
            } else {
                String::new()
            };
            format!(
                r#"<p style="margin:0 0 2px"><strong>{deleted}</strong></p><p style="margin:0;font-size:1.2rem;font-weight:700">Purged {}, on {}</p>{bar}<p style="margin:0 0 12px">Restore is available until then; after that the tenant and its data are gone for good (its audit trail and paid invoices are kept).</p>{restore}"#,
                in_days(days),
                date_time(purge_after),
                bar = bar(&[(left, "#d89a00")], total, &label),
            )
        }
        None => format!(
            "<strong>{deleted}</strong> Its retention ended on {}: it can no longer be restored and is purged at the next run of the purge job.",
            date_time(purge_after)
        ),
    };
    format!(r#"<section id="retention" class="banner warn" role="status" style="padding:16px 18px">{text}</section>"#)
}

fn confirm_step(viewer: &Viewer, tenant: &Tenant, action: Action, view: &View<'_>, now: Timestamp) -> String {
    let name = escape(&tenant.name);
    let reason_error = view.problem.as_ref().and_then(|p| p.on("reason"));
    let (question, explanation, button_class, button, reason_label, reason_attrs) = match action {
        Action::Suspend => (
            format!("Suspend {name}?"),
            "Its users can still sign in and read, but every change they try is refused until you reactivate it.".to_string(),
            "danger",
            format!("Suspend {name}"),
            "Reason (kept on the tenant and in the audit trail)",
            r#"required maxlength="500""#,
        ),
        Action::Reactivate => (
            format!("Reactivate {name}?"),
            "Its users can change things again at once.".to_string(),
            "primary",
            format!("Reactivate {name}"),
            "Note for the audit trail (optional)",
            r#"maxlength="500""#,
        ),
        Action::Delete => {
            let until = now.plus_seconds(tenant.retention_days.max(0) * 86_400);
            (
                format!("Delete {name}?"),
                format!(
                    "Its users are signed out and can no longer sign in. It is kept for {} days, until {}, and can be restored until then; after that it and all its data are purged for good.",
                    tenant.retention_days,
                    date_time(until)
                ),
                "danger",
                format!("Delete {name}"),
                "Reason (optional, for the audit trail)",
                r#"maxlength="500""#,
            )
        }
        Action::Restore => (
            format!("Restore {name}?"),
            format!(
                "It returns to the state it had before deletion ({}) and its users can sign in again.",
                tenant.status_before_delete.map(|s| s.as_str()).unwrap_or("active")
            ),
            "primary",
            format!("Restore {name}"),
            "Note for the audit trail (optional)",
            r#"maxlength="500""#,
        ),
    };
    let button_style = if button_class == "primary" { r#" style="width:auto""# } else { "" };
    format!(
        r#"<section id="confirm" class="banner warn" role="alert" style="padding:16px 18px"><p><strong>{question}</strong> {explanation}</p>
<form method="post" action="{path}" novalidate>{csrf}{action}{reason}<div class="row">
<button type="submit" class="button {button_class}"{button_style}>{button}</button><a class="button secondary" href="{path}">Cancel</a></div></form></section>"#,
        path = escape(&tenant_path(&tenant.id)),
        csrf = viewer.csrf_field(),
        action = hidden("action", action.as_str()),
        reason = Input::new(reason_label, "reason", "text").value(view.reason).attrs(reason_attrs).error(reason_error).render(),
    )
}

fn lifecycle(tenant: &Tenant, now: Timestamp) -> String {
    let path = escape(&tenant_path(&tenant.id));
    let link = |action: Action, class: &str, label: &str| {
        if action.allowed(tenant, now) {
            format!(r#"<a class="button {class}" href="{path}?confirm={}#confirm">{label}</a>"#, action.as_str())
        } else {
            String::new()
        }
    };
    let explanation = match tenant.status {
        TenantStatus::Provisioning => "It can be deleted while it provisions; restoring it later resumes provisioning.",
        TenantStatus::Active => "Suspending keeps its users signed in with read-only access; deleting signs them out and starts the retention period.",
        TenantStatus::Suspended => "Reactivating lets its users change things again; deleting signs them out and starts the retention period.",
        TenantStatus::Deleted if Action::Restore.allowed(tenant, now) => "Restoring brings it back as it was before deletion.",
        TenantStatus::Deleted => "Its retention is over; nothing can be done with it any more.",
    };
    format!(
        r#"<div class="section"><h2>Lifecycle</h2><p class="muted">{explanation}</p><div class="row">{}{}{}{}</div></div>"#,
        link(Action::Reactivate, "secondary", "Reactivate…"),
        link(Action::Restore, "secondary", "Restore…"),
        link(Action::Suspend, "danger", "Suspend…"),
        link(Action::Delete, "danger", "Delete…"),
    )
}

fn plan_text(plan: Option<&Plan>, tenant: &Tenant) -> String {
    match plan {
        Some(p) => format!(
            r#"{} <span class="small muted">· {} / {} · {} seats</span>"#,
            escape(&p.name),
            escape(&money(p.amount, &p.currency)),
            escape(&p.interval),
            grouped(p.limits.seats.max(0) as u64)
        ),
        None => format!("<code>{}</code>", escape(tenant.plan_id.as_str())),
    }
}

fn subscription_text(subscription: Option<&Subscription>, tenant: &Tenant) -> String {
    match subscription {
        Some(s) => format!(
            r#"{} <span class="small muted">· period {} to {}</span>"#,
            escape(serde_json::to_value(s.status).ok().as_ref().and_then(Value::as_str).unwrap_or("unknown")),
            date(s.current_period_start),
            date(s.current_period_end)
        ),
        None if tenant.status == TenantStatus::Provisioning => r#"<span class="muted">Not yet: provisioning creates it</span>"#.to_string(),
        None => r#"<span class="muted">None</span>"#.to_string(),
    }
}

fn overview(viewer: &Viewer, detail: &service::TenantDetail, plan: Option<&Plan>, view: &View<'_>, now: Timestamp) -> String {
    let tenant = &detail.tenant;
    let mut out = String::new();
    match tenant.status {
        TenantStatus::Deleted => out.push_str(&retention(tenant, now)),
        TenantStatus::Suspended => out.push_str(&format!(
            r#"<div class="banner warn" role="status"><strong>Suspended</strong>{}. Its users can sign in and read; every change is refused until it is reactivated.</div>"#,
            tenant.suspended_reason.as_deref().map(|r| format!(": {}", escape(r))).unwrap_or_default()
        )),
        _ => {}
    }
    match view.confirm {
        Some(action) if action.allowed(tenant, now) => out.push_str(&confirm_step(viewer, tenant, action, view, now)),
        Some(action) => out.push_str(&error_banner(&action.refused(tenant))),
        None => {}
    }
    if tenant.status == TenantStatus::Provisioning {
        out.push_str(&provisioning(&tenant.id, &detail.progress));
    }
    let provisioned = detail
        .progress
        .activation
        .map(|at| format!("<dt>Provisioned</dt><dd>{}</dd>", date_time(at)))
        .unwrap_or_default();
    out.push_str(&format!(
        r#"<h2>Overview</h2><dl class="facts" style="{FACTS_STYLE}"><dt>Status</dt><dd>{status}</dd><dt>Plan</dt><dd>{plan}</dd><dt>Credit balance</dt><dd>{credit}</dd><dt>Created</dt><dd>{created}</dd>{provisioned}<dt>First admin</dt><dd>{admin}</dd><dt>Subscription</dt><dd>{subscription}</dd><dt>Retention</dt><dd>{retention} days after deletion</dd><dt>ID</dt><dd><code>{id}</code></dd></dl>"#,
        status = status_badge(tenant.status),
        plan = plan_text(plan, tenant),
        credit = escape(&money(tenant.credit_balance, &tenant.currency)),
        created = date_time(tenant.created_at),
        admin = tenant.admin_email.as_deref().map(escape).unwrap_or_else(|| r#"<span class="muted">Signed up by itself</span>"#.into()),
        subscription = subscription_text(detail.subscription.as_ref(), tenant),
        retention = tenant.retention_days,
        id = escape(tenant.id.as_str()),
    ));
    out.push_str(&lifecycle(tenant, now));
    out
}

/// A stored settings value in words.
fn setting_value(value: &Value) -> String {
    match value {
        Value::Null => r#"<span class="muted">—</span>"#.to_string(),
        Value::Bool(true) => "On".to_string(),
        Value::Bool(false) => "Off".to_string(),
        Value::Array(items) if items.is_empty() => r#"<span class="muted">none (any address)</span>"#.to_string(),
        Value::Array(items) => {
            items.iter().map(|v| escape(v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()).as_str())).collect::<Vec<_>>().join(", ")
        }
        Value::String(s) if s.is_empty() => r#"<span class="muted">—</span>"#.to_string(),
        Value::String(s) => escape(s),
        other => escape(&other.to_string()),
    }
}

fn humanized(key: &str) -> String {
    let words = key.replace('_', " ");
    let words = words.replace("mfa", "two-factor").replace("ip ", "IP ").replace("url", "URL");
    super::sentence(&words)
}

fn settings_summary(settings: &Value) -> String {
    let mut out = String::new();
    for (group, title) in [("organization", "Organization"), ("security", "Security"), ("notifications", "Notifications")] {
        let Some(Value::Object(fields)) = settings.get(group) else { continue };
        let rows: String =
            fields.iter().map(|(k, v)| format!("<dt>{}</dt><dd>{}</dd>", escape(&humanized(k)), setting_value(v))).collect();
        out.push_str(&format!(r#"<h3>{title}</h3><dl class="facts" style="{FACTS_STYLE};margin-top:8px">{rows}</dl>"#));
    }
    if out.is_empty() {
        out.push_str(r#"<p class="muted">None stored yet: provisioning fills the defaults.</p>"#);
    }
    out
}

fn settings(viewer: &Viewer, tenant: &Tenant, view: &View<'_>) -> String {
    let on = |field: &str| view.problem.as_ref().and_then(|p| p.on(field));
    let retention_now = tenant.retention_days.to_string();
    let (name, retention) = view.typed.unwrap_or((tenant.name.as_str(), retention_now.as_str()));
    let deleted = tenant.status == TenantStatus::Deleted;
    let locked = if deleted {
        r#"<div class="banner warn" role="status">A deleted tenant cannot be changed. Restore it first (Overview).</div>"#
    } else {
        ""
    };
    format!(
        r#"<h2>Settings</h2>{locked}<form method="post" action="{path}" novalidate>{csrf}{action}{version}<fieldset{disabled} style="border:0;padding:0;margin:0;min-width:0">
<legend class="sr">Name and retention</legend>{name}{retention}<button type="submit" class="button primary auto">Save changes</button></fieldset></form>
<div class="section"><h2>Organization settings</h2><p class="muted">Kept by the tenant's own admins in their portal; shown here as stored.</p>{summary}</div>"#,
        path = escape(&tenant_path(&tenant.id)),
        csrf = viewer.csrf_field(),
        action = hidden("action", "settings"),
        version = hidden("version", &tenant.version.to_string()),
        disabled = if deleted { " disabled" } else { "" },
        name = Input::new("Name", "name", "text").value(name).attrs(r#"required maxlength="100""#).error(on("name")).render(),
        retention = Input::new("Retention (days)", "retention_days", "text")
            .value(retention)
            .attrs(r#"required inputmode="numeric" pattern="[0-9]*" maxlength="4""#)
            .hint("How long a deleted tenant can be restored before it is purged: 1 to 3650 days (30 by default). It applies to the next deletion.")
            .error(on("retention_days"))
            .render(),
        summary = settings_summary(&tenant.settings),
    )
}

fn usage(usage: &service::Usage) -> String {
    let limit = usage.plan.limits.seats.max(0);
    let used = usage.members + usage.pending_invitations;
    let over = used > limit;
    let (members_colour, pending_colour) = if over { (RED, "#ef9a9a") } else { (BLUE, LIGHT_BLUE) };
    let label = format!("{used} of {limit} seats used: {} members and {} pending invitations", usage.members, usage.pending_invitations);
    let swatch = |colour: &str| format!(r#"<span aria-hidden="true" style="display:inline-block;width:10px;height:10px;border-radius:2px;background:{colour};margin-right:6px"></span>"#);
    let available = (limit - used).max(0);
    format!(
        r#"<h2>Seats</h2><p style="margin:0"><strong>{used} of {limit} seats used</strong>{over}</p>{bar}
<p class="small muted">{m}{members} members · {p}{pending} pending invitations · {available} available. Each pending invitation holds a seat until it is accepted, revoked or expires.</p>
<h2>API calls and storage</h2><p class="muted">Not measured yet: these figures come with usage metering. The plan allows {calls} API calls and {storage} of storage.</p>
<p class="small muted">As of {as_of}.</p>"#,
        over = if over { r#" <span class="badge" style="background:#fdecec;color:#a12020">over the limit</span>"# } else { "" },
        bar = bar(&[(usage.members, members_colour), (usage.pending_invitations, pending_colour)], limit.max(used), &label),
        m = swatch(members_colour),
        p = swatch(pending_colour),
        members = usage.members,
        pending = usage.pending_invitations,
        calls = grouped(usage.plan.limits.api_calls.max(0) as u64),
        storage = bytes(usage.plan.limits.storage_bytes),
        as_of = date_time(usage.as_of),
    )
}

fn billing(detail: &service::TenantDetail, plan: Option<&Plan>) -> String {
    let tenant = &detail.tenant;
    let trial = detail
        .subscription
        .as_ref()
        .and_then(|s| s.trial_end)
        .map(|t| format!("<dt>Trial ends</dt><dd>{}</dd>", date(t)))
        .unwrap_or_default();
    format!(
        r#"<h2>Billing</h2><p style="background:#f5f7fb;border:1px solid #e3e7ef;border-radius:8px;padding:12px 14px">Billing comes with the billing work: invoices, payments, credit notes and dunning are not built yet, so they do not show here. This is what exists today.</p>
<dl class="facts" style="{FACTS_STYLE}"><dt>Plan</dt><dd>{plan}</dd><dt>Subscription</dt><dd>{subscription}</dd>{trial}<dt>Credit balance</dt><dd>{credit}</dd><dt>Currency</dt><dd>{currency}</dd></dl>"#,
        plan = plan_text(plan, tenant),
        subscription = subscription_text(detail.subscription.as_ref(), tenant),
        credit = escape(&money(tenant.credit_balance, &tenant.currency)),
        currency = escape(&tenant.currency.to_uppercase()),
    )
}

/// The whole page as it is now.
async fn render(app: &AppState, viewer: &Viewer, id: &TenantId, view: View<'_>) -> Response {
    let detail = match service::get(app, id).await {
        Ok(detail) => detail,
        Err(e) => return problem_page(&Problem::from(e)),
    };
    let tenant = &detail.tenant;
    let plan = plans::get(app.store.as_ref(), &tenant.plan_id).await.ok().flatten();
    let now = app.clock.now();
    let content = match view.tab {
        Tab::Overview => overview(viewer, &detail, plan.as_ref(), &view, now),
        Tab::Settings => settings(viewer, tenant, &view),
        Tab::Usage => match service::usage(app, id).await {
            Ok(figures) => usage(&figures),
            Err(e) => return problem_page(&Problem::from(e)),
        },
        Tab::Billing => billing(&detail, plan.as_ref()),
    };
    let mut banners = String::new();
    if let Some(n) = view.notice {
        banners.push_str(&notice_banner(n));
    }
    if let Some(p) = &view.problem {
        banners.push_str(&match p.field {
            Some(_) => error_banner("Nothing was changed: please correct the field marked below."),
            None => error_banner(&p.message),
        });
    }
    let body = format!(
        r#"<p class="small" style="margin:0 0 10px"><a href="{LIST}">← All tenants</a></p>
<div class="between"><h1>{name}</h1>{badge}</div>
<p class="lead"><code>{slug}</code></p>{banners}{tabs}{content}"#,
        name = escape(&tenant.name),
        badge = status_badge(tenant.status),
        slug = escape(&tenant.slug),
        tabs = tabs(id, view.tab),
    );
    let status = view.problem.as_ref().map(|p| p.status).unwrap_or(StatusCode::OK);
    Page::new(format!("{} · Tenants", tenant.name), body).wide().status(status).into_response()
}

fn not_found() -> Response {
    problem_page(&Problem::from(TenantsError::NotFound))
}

/// GET /dashboard/tenants/{id} (`?tab=`, `?confirm=<action>` for the confirmation step,
/// `?notice=` after an action)
pub async fn show(State(app): State<AppState>, Path(raw): Path<String>, headers: HeaderMap, QueryFields(query): QueryFields) -> Result<Response, Response> {
    let Some(id) = TenantId::parse(&raw) else {
        require_admin(&app, &headers, LIST).await?;
        return Ok(not_found());
    };
    let viewer = require_admin(&app, &headers, &tenant_path(&id)).await?;
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
async fn act(app: &AppState, origin: &Origin, viewer: &Viewer, id: &TenantId, action: Action, form: &Fields) -> Result<(), TenantsError> {
    let actor = origin.actor(viewer);
    let reason = form.get("reason");
    match action {
        Action::Suspend => service::suspend(app, &actor, id, reason).await,
        Action::Reactivate => service::reactivate(app, &actor, id, optional(reason)).await,
        Action::Delete => service::delete(app, &actor, id, optional(reason)).await,
        Action::Restore => service::restore(app, &actor, id, optional(reason)).await,
    }
    .map(|_| ())
}

/// POST /dashboard/tenants/{id}: one action, then 303 back to the page with its notice, or
/// the page again with the problem.
pub async fn submit(
    State(app): State<AppState>,
    origin: Origin,
    Path(raw): Path<String>,
    headers: HeaderMap,
    Form(form): Form,
) -> Result<Response, Response> {
    let Some(id) = TenantId::parse(&raw) else {
        require_admin(&app, &headers, LIST).await?;
        return Ok(not_found());
    };
    let path = tenant_path(&id);
    let viewer = require_admin(&app, &headers, &path).await?;
    if !csrf_ok(&headers, &form) {
        return Err(forbidden_form(&path));
    }
    let requested = form.get("action");
    if requested == "settings" {
        return Ok(save_settings(&app, &origin, &viewer, &id, &form).await);
    }
    let Some(action) = Action::parse(requested) else {
        let problem = Problem::new(StatusCode::BAD_REQUEST, "That is not something this page does. Nothing was changed.");
        return Ok(render(&app, &viewer, &id, View { problem: Some(problem), ..View::default() }).await);
    };
    match act(&app, &origin, &viewer, &id, action, &form).await {
        Ok(()) => Ok(see_other(&format!("{path}?notice={}", action.done()), Vec::new())),
        Err(TenantsError::NotFound) => Ok(not_found()),
        Err(e) => {
            let problem = match e {
                // The state moved under the form: say so in words about this tenant as it is now.
                TenantsError::InvalidState(ref message) if !message.contains("retention") => {
                    match service::load(app.store.as_ref(), &id).await {
                        Ok(now) => Problem::new(StatusCode::CONFLICT, action.refused(&now)),
                        Err(e) => Problem::from(e),
                    }
                }
                e => Problem::from(e),
            };
            // A field problem (the reason) keeps the confirmation step open with what was typed.
            let again = problem.field.is_some();
            let view = View {
                confirm: again.then_some(action),
                reason: if again { form.get("reason") } else { "" },
                problem: Some(problem),
                ..View::default()
            };
            Ok(render(&app, &viewer, &id, view).await)
        }
    }
}

/// The settings form: name and retention, based on the version the form was loaded with.
async fn save_settings(app: &AppState, origin: &Origin, viewer: &Viewer, id: &TenantId, form: &Fields) -> Response {
    let path = tenant_path(id);
    let typed = (form.get("name"), form.trimmed("retention_days"));
    let refused = |problem: Problem, keep_typed: bool| View {
        tab: Tab::Settings,
        problem: Some(problem),
        typed: keep_typed.then_some(typed),
        ..View::default()
    };
    let Ok(version) = form.trimmed("version").parse::<i64>() else {
        let problem = Problem::new(StatusCode::BAD_REQUEST, "The form is incomplete. Nothing was saved; please make your change again.");
        return render(app, viewer, id, refused(problem, false)).await;
    };
    let retention_days = match typed.1.parse::<i64>() {
        Ok(days) => days,
        Err(_) => {
            let problem = Problem::from(TenantsError::invalid("retention_days", "must be a whole number"));
            return render(app, viewer, id, refused(problem, true)).await;
        }
    };
    let patch = TenantPatch { name: Some(typed.0.to_string()), settings: None, retention_days: Some(retention_days) };
    match service::update(app, &origin.actor(viewer), id, patch, Some(version)).await {
        Ok(tenant) => {
            let code = if tenant.version == version { "unchanged" } else { "saved" };
            see_other(&format!("{path}?tab=settings&notice={code}"), Vec::new())
        }
        Err(TenantsError::NotFound) => not_found(),
        Err(e) => {
            let problem = Problem::from(e);
            // A stale form shows the current values; a field problem keeps what was typed.
            let keep = problem.field.is_some();
            render(app, viewer, id, refused(problem, keep)).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::domain::ids::PlanId;

    fn tenant(status: TenantStatus) -> Tenant {
        let now = Timestamp::from_unix(1_795_600_800);
        Tenant::new(TenantId::generate(now), "Acme".into(), "acme".into(), status, PlanId::generate(now), "usd".into(), now)
    }

    #[test]
    fn each_action_is_offered_only_where_the_state_machine_allows_it() {
        let now = Timestamp::from_unix(1_795_600_800);
        let active = tenant(TenantStatus::Active);
        assert!(Action::Suspend.allowed(&active, now) && Action::Delete.allowed(&active, now));
        assert!(!Action::Reactivate.allowed(&active, now) && !Action::Restore.allowed(&active, now));
        let deleted = active.delete(now).unwrap();
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
        let now = Timestamp::from_unix(1_795_600_800);
        let deleted = tenant(TenantStatus::Active).delete(now).unwrap();
        let banner = retention(&deleted, now.plus_seconds(3600));
        assert!(banner.contains("Purged in 30 days, on <time"), "{banner}");
        assert!(banner.contains(r#"aria-label="30 days of the 30 days of retention left""#), "{banner}");
        assert!(banner.contains("confirm=restore"), "{banner}");
        assert!(banner.contains("2026-12-25 10:00 UTC"), "{banner}");
        let over = retention(&deleted, now.plus_seconds(31 * 86_400));
        assert!(over.contains("can no longer be restored"), "{over}");
    }

    #[test]
    fn stored_settings_are_escaped_and_worded() {
        let settings = serde_json::json!({"organization": {"name": "<b>Acme</b>", "logo_url": null}, "security": {"require_mfa": true, "ip_allowlist": []}});
        let html = settings_summary(&settings);
        assert!(html.contains("&lt;b&gt;Acme&lt;/b&gt;") && !html.contains("<b>Acme"), "{html}");
        assert!(html.contains("<dt>Require two-factor</dt><dd>On</dd>"), "{html}");
        assert!(html.contains("any address"), "{html}");
    }
}
