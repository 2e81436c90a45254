//! `/portal/activity`: the organization's audit trail for its admins — who changed what,
//! newest first, filterable by action, a page at a time (a signed cursor, as
//! `GET /api/v1/tenant/audit-events` has).
use std::collections::HashMap;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use domain::ids::UserId;
use domain::permissions::Rule;
use maud::{Markup, html};
use store::audit::{self, AuditEvent, AuditFilter};
use web::kit::{self, Back, ButtonStyle, Column, Input, InputType, NoticeKind, Pager};
use web::pages::form::QueryFields;
use web::pages::{Page, Viewer, require_viewer, wrong_role};
use web::pagination::{decode_cursor, encode_cursor};
use web::{ApiError, AppState};

use super::text;

const PAGE: &str = "/portal/activity";
const LIMIT: usize = 25;
const COLUMNS: [Column<'static>; 5] =
    [Column::text("When (UTC)"), Column::text("Action"), Column::text("Who"), Column::text("What"), Column::text("IP address")];

/// One page of the trail, ready to show.
struct Trail {
    events: Vec<AuditEvent>,
    /// The names of the users the events mention, by id (None: no such user any more).
    names: HashMap<String, Option<String>>,
    /// The action filter, when a valid one was asked for.
    action: Option<String>,
    /// The signed cursor of the next page.
    next: Option<String>,
    /// Whether this is a page past the first.
    past_first: bool,
    /// Whether the cursor asked for was refused, so this is the first page instead.
    stale_cursor: bool,
}

/// An action filter as the trail spells actions (`member.role_changed`); anything else is
/// no filter.
fn action_filter(raw: &str) -> Option<String> {
    let ok = !raw.is_empty() && raw.len() <= 64 && raw.bytes().all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_');
    ok.then(|| raw.to_string())
}

/// The list's address with its filter, before any cursor. Query values are percent-encoded
/// here and HTML-escaped by maud where the address lands.
fn base_href(action: Option<&str>) -> String {
    match action {
        Some(action) => kit::with_param(PAGE, "action", action),
        None => PAGE.to_string(),
    }
}

/// A user by name (the id on hover), or the id itself when it names no user we know.
fn who(trail: &Trail, id: &str) -> Markup {
    match trail.names.get(id) {
        Some(Some(name)) => html! { span title=(id) { (name) } },
        _ => html! { code { (id) } },
    }
}

fn row(trail: &Trail, e: &AuditEvent) -> Vec<Markup> {
    let when = e.at.to_rfc3339().replace('T', " ").replace('Z', "");
    vec![
        html! { time datetime=(e.at) { (when) } },
        html! { code { (e.action) } },
        who(trail, &e.actor_id),
        match &e.target {
            Some(target) => who(trail, target),
            None => html! { "—" },
        },
        html! { (e.ip) },
    ]
}

fn body(trail: &Trail) -> Markup {
    let base = base_href(trail.action.as_deref());
    let rows: Vec<Vec<Markup>> = trail.events.iter().map(|e| row(trail, e)).collect();
    let pager = Pager {
        base: &base,
        next: trail.next.as_deref(),
        back: if trail.past_first { Back::First } else { Back::None },
        status: None,
    };
    html! {
        @if trail.stale_cursor { (kit::notice(NoticeKind::Error, "That page link is no longer valid; here is the first page.")) }
        form.row.filters method="get" action=(PAGE) {
            div.w-full.mw-320 {
                (kit::field(&Input::new("Action", "action", InputType::Text)
                    .value(trail.action.as_deref().unwrap_or(""))
                    .placeholder("e.g. member.role_changed")
                    .maxlength(64)
                    .verbatim()))
            }
            button.button.secondary type="submit" { "Filter" }
            @if trail.action.is_some() { (kit::link_button("Show all", PAGE, ButtonStyle::Secondary)) }
        }
        (kit::data_table("Activity", &COLUMNS, &rows, "No activity matches.", Some(&pager)))
    }
}

fn page(viewer: &Viewer, trail: &Trail) -> Page {
    Page::app(viewer, "activity", "Activity", body(trail))
        .subtitle("Every change in your organization, newest first: who did it, to what, and from where.")
        .crumbs(vec![("Overview".to_string(), "/portal".to_string())])
}

/// GET /portal/activity (`?action=` filters; `?cursor=` continues)
pub async fn show(State(app): State<AppState>, headers: HeaderMap, QueryFields(query): QueryFields) -> Result<Response, Response> {
    let viewer = require_viewer(&app, &headers, PAGE, Rule::TenantAdmin).await?;
    let Some(tenant) = viewer.caller.tenant_id.clone() else {
        return Err(wrong_role(viewer.caller.role, "organization admins"));
    };
    let action = action_filter(query.trimmed("action"));
    let filter = AuditFilter { tenant_id: Some(tenant), action: action.clone(), ..AuditFilter::default() };
    let scope = text::activity_scope(&filter.scope());
    let key = &app.config.cursor_key;
    let (after, stale_cursor) = match query.trimmed("cursor") {
        "" => (None, false),
        raw => match decode_cursor(key, &scope, raw) {
            Ok(cursor) => (Some(cursor), false),
            Err(_) => (None, true),
        },
    };
    let past_first = after.is_some();
    let found = match audit::list(app.store.as_ref(), &filter, LIMIT, after, app.clock.now()).await {
        Ok(found) => found,
        Err(e) => {
            let e = ApiError::from(e);
            let body = kit::notice(NoticeKind::Error, e.message_for_people().as_str());
            return Ok(Page::app(&viewer, "activity", "Activity", body).status(e.status).into_response());
        }
    };
    // People read names, not ids: every user the page mentions, looked up once.
    let mut names = HashMap::new();
    for e in &found.events {
        for id in std::iter::once(e.actor_id.as_str()).chain(e.target.as_deref()) {
            if let Some(user_id) = UserId::parse(id).filter(|u| !names.contains_key(u.as_str())) {
                let name = store::repo::users::get(app.store.as_ref(), &user_id).await.ok().flatten().map(|u| u.name);
                names.insert(user_id.to_string(), name);
            }
        }
    }
    let next = found.next.as_ref().map(|c| encode_cursor(key, &scope, c));
    let trail = Trail { events: found.events, names, action, next, past_first, stale_cursor };
    Ok(page(&viewer, &trail).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::testing::{XSS, assert_inert, event, shot, user, viewer};
    use domain::user::Role;

    #[test]
    fn only_actions_as_the_trail_spells_them_filter() {
        assert_eq!(action_filter("member.role_changed").as_deref(), Some("member.role_changed"));
        for bad in ["", "Member", "a b", "a&b=c", "<script>"] {
            assert_eq!(action_filter(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_value_of_the_trail_is_escaped() {
        let ada = user(XSS, "ada@example.com", Role::TenantAdmin);
        let mut names = HashMap::new();
        names.insert(ada.id.to_string(), Some(XSS.to_string()));
        let mut named = event(ada.id.as_str(), "member.role_changed");
        named.target = Some(XSS.to_string());
        named.ip = XSS.to_string();
        let unknown = event(XSS, XSS);
        let trail = Trail {
            events: vec![named, unknown],
            names,
            action: Some("member.role_changed".into()),
            next: Some(XSS.to_string()),
            past_first: true,
            stale_cursor: true,
        };
        let html = page(&viewer(&ada, Role::TenantAdmin), &trail).render().into_string();
        assert_inert(&html);
        assert!(html.contains("no longer valid"));
    }

    #[test]
    fn links_carry_the_filter_and_the_cursor_percent_encoded() {
        let ada = user("Ada Lovelace", "ada@example.com", Role::TenantAdmin);
        let trail = Trail {
            events: vec![event(ada.id.as_str(), "member.removed")],
            names: HashMap::new(),
            action: Some("member.removed".into()),
            next: Some("a+b/c=d&e#f".into()),
            past_first: true,
            stale_cursor: false,
        };
        let html = page(&viewer(&ada, Role::TenantAdmin), &trail).render().into_string();
        assert!(html.contains(r#"href="/portal/activity?action=member.removed&amp;cursor=a%2Bb%2Fc%3Dd%26e%23f""#), "{html}");
        assert!(html.contains(r#"href="/portal/activity?action=member.removed">First page</a>"#), "{html}");
        assert!(html.contains(r#"value="member.removed""#));
    }

    #[test]
    fn an_empty_trail_says_so() {
        let ada = user("Ada Lovelace", "ada@example.com", Role::TenantAdmin);
        let trail = Trail { events: vec![], names: HashMap::new(), action: None, next: None, past_first: false, stale_cursor: false };
        let html = page(&viewer(&ada, Role::TenantAdmin), &trail).render().into_string();
        assert!(html.contains("No activity matches."));
        assert!(!html.contains("Show all") && !html.contains("First page"));
    }

    /// With `PAGE_SHOTS_DIR` set, the page as people see it, to look at in a browser.
    #[test]
    fn realistic_shots() {
        let ada = user("Ada Lovelace", "ada@engines.example", Role::TenantAdmin);
        let grace = user("Grace Hopper", "grace@engines.example", Role::TenantMember);
        let mut names = HashMap::new();
        names.insert(ada.id.to_string(), Some(ada.name.clone()));
        names.insert(grace.id.to_string(), Some(grace.name.clone()));
        let mut events = Vec::new();
        for (actor, action, target) in [
            (ada.id.as_str(), "member.removed", Some(grace.id.as_str())),
            (ada.id.as_str(), "member.role_changed", Some(grace.id.as_str())),
            (grace.id.as_str(), "invitation.accepted", Some("ivt_01jd00000000000000000000ab")),
            (ada.id.as_str(), "invitation.created", Some("ivt_01jd00000000000000000000ab")),
            (ada.id.as_str(), "user.email_verified", None),
            ("anonymous", "user.signup", Some(ada.id.as_str())),
        ] {
            let mut e = event(actor, action);
            e.target = target.map(str::to_string);
            events.push(e);
        }
        let trail = Trail { events, names, action: None, next: Some("eyJrIjpbIkFVRElUIl19".into()), past_first: false, stale_cursor: false };
        let viewer = viewer(&ada, Role::TenantAdmin);
        shot("activity", &page(&viewer, &trail).render().into_string());
        let empty = Trail { events: vec![], names: HashMap::new(), action: Some("mfa.enabled".into()), next: None, past_first: true, stale_cursor: true };
        shot("activity-empty", &page(&viewer, &empty).render().into_string());
    }
}
