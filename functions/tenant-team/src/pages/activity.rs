//! `/portal/activity`: the organization's audit trail for its admins — who changed what,
//! newest first, filterable by action, a page at a time (the same signed cursor as
//! `GET /api/v1/tenant/audit-events`).
use auth::pages::form::QueryFields;
use auth::pages::html::{Page, error_banner, escape, see_other};
use auth::pages::{login_for, viewer_of, wrong_role};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use shared::AppState;
use shared::audit::{self, AuditFilter};
use shared::domain::user::Role;
use shared::http::pagination::{decode_cursor, encode_cursor};

const PAGE: &str = "/portal/activity";
const LIMIT: usize = 25;

/// GET /portal/activity (`?action=` filters; `?cursor=` continues)
pub async fn show(State(app): State<AppState>, headers: HeaderMap, QueryFields(query): QueryFields) -> Result<Response, Response> {
    let Some(viewer) = viewer_of(&app, &headers).await? else {
        return Err(see_other(&login_for(PAGE), Vec::new()));
    };
    let tenant = match (viewer.caller.role, viewer.caller.tenant_id.clone()) {
        (Role::TenantAdmin, Some(tenant)) => tenant,
        (role, _) => return Err(wrong_role(role, "organization admins")),
    };
    let action = query.trimmed("action");
    let action = (!action.is_empty() && action.len() <= 64 && action.bytes().all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_'))
        .then(|| action.to_string());
    let filter = AuditFilter { tenant_id: Some(tenant), action: action.clone(), ..AuditFilter::default() };
    let scope = format!("portal-activity:{}", filter.scope());
    let key = &app.config.cursor_key;
    let mut problem = String::new();
    let after = match query.trimmed("cursor") {
        "" => None,
        raw => match decode_cursor(key, &scope, raw) {
            Ok(cursor) => Some(cursor),
            Err(_) => {
                problem = error_banner("That page link is no longer valid; here is the first page.");
                None
            }
        },
    };
    let page = match audit::list(app.store.as_ref(), &filter, LIMIT, after, app.clock.now()).await {
        Ok(page) => page,
        Err(e) => {
            tracing::error!(error = %e, "reading the audit trail failed");
            return Ok(Page::new("Activity", error_banner("Something went wrong on our side. Please try again in a moment.")).into_response());
        }
    };
    // People read names, not ids: every user the page mentions, looked up once.
    let mut names = std::collections::HashMap::new();
    for e in &page.events {
        for id in std::iter::once(e.actor_id.as_str()).chain(e.target.as_deref()) {
            if let Some(user_id) = shared::domain::ids::UserId::parse(id).filter(|u| !names.contains_key(u.as_str())) {
                let name = shared::repo::users::get(app.store.as_ref(), &user_id).await.ok().flatten().map(|u| u.name);
                names.insert(user_id.to_string(), name);
            }
        }
    }
    let who = |id: &str| match names.get(id) {
        Some(Some(name)) => format!(r#"<span title="{}">{}</span>"#, escape(id), escape(name)),
        _ => format!("<code>{}</code>", escape(id)),
    };
    let mut rows = String::new();
    for e in &page.events {
        rows += &format!(
            "<tr><td><time datetime=\"{at}\">{when}</time></td><td><code>{action}</code></td><td>{actor}</td><td>{target}</td><td>{ip}</td></tr>",
            at = e.at,
            when = escape(&e.at.to_rfc3339().replace('T', " ").replace('Z', "")),
            action = escape(&e.action),
            actor = who(&e.actor_id),
            target = e.target.as_deref().map(who).unwrap_or_else(|| "—".into()),
            ip = escape(&e.ip),
        );
    }
    if rows.is_empty() {
        rows = r#"<tr><td colspan="5">No activity matches.</td></tr>"#.into();
    }
    let action_value = escape(action.as_deref().unwrap_or(""));
    let next = page.next.as_ref().map(|c| {
        let mut href = format!("{PAGE}?cursor={}", encode_cursor(key, &scope, c));
        if let Some(a) = &action {
            href += &format!("&action={}", escape(a));
        }
        format!(r#"<p><a class="button secondary" href="{href}">Older activity</a> <a href="{PAGE}{first}">Newest</a></p>"#,
            first = action.as_ref().map(|a| format!("?action={}", escape(a))).unwrap_or_default())
    });
    let body = format!(
        r#"<div class="row" style="justify-content:space-between"><h1>Activity</h1><a href="/portal">Back to your organization</a></div>
<p class="lead">Every change in your organization, newest first: who did it, to what, and from where.</p>{problem}
<form method="get" action="{PAGE}" class="row"><label for="action">Action</label><input type="text" id="action" name="action" value="{action_value}" placeholder="e.g. member.role_changed" style="max-width:320px"><button type="submit" class="button secondary">Filter</button></form>
<div style="overflow-x:auto"><table><thead><tr><th>When (UTC)</th><th>Action</th><th>Who</th><th>What</th><th>IP address</th></tr></thead><tbody>{rows}</tbody></table></div>{next}"#,
        next = next.unwrap_or_default(),
    );
    Ok(Page::new("Activity", body).full().into_response())
}
