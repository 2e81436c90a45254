//! The three local-only routes (never compiled into a Lambda): the mail outbox, the
//! platform clock and "run the scheduler now".
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, Method, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use domain::time::Timestamp;
use maud::html;
use web::ApiError;
use web::kit;
use web::module::Routes;
use web::json::{Json, Query};
use web::pagination::{List, ListParams, PageRequest};

use crate::Platform;

const MAILBOX_SCOPE: &str = "dev-mailbox";

/// Whether the dev routes may be served on a listener bound to `ip`: loopback only
/// (127.0.0.0/8, ::1, and 127.0.0.0/8 written as IPv4-mapped IPv6), so nobody on the network
/// can read the mailbox or move the clock.
pub fn allowed_on(ip: std::net::IpAddr) -> bool {
    ip.to_canonical().is_loopback()
}

/// The local-only routes. Pages to the guard (no session needed): they exist only on this
/// machine, never in `template.yaml`, and only on a loopback listener (`allowed_on`).
///
/// Their POSTs take a JSON body (`Json` answers 415 to any other `Content-Type`): a page on
/// another site can make a visitor's browser send a form (urlencoded, multipart, text/plain)
/// to 127.0.0.1 without CORS asking first, but not `application/json`.
pub fn routes(platform: Arc<Platform>) -> Routes<()> {
    Routes::new()
        .page(Method::GET, "/dev/mailbox", get(mailbox))
        .page(Method::POST, "/dev/clock", post(advance_clock))
        .page(Method::POST, "/dev/jobs/run", post(run_jobs))
        .with_state(platform)
}

async fn mailbox(
    State(p): State<Arc<Platform>>,
    headers: HeaderMap,
    Query(params): Query<ListParams>,
) -> Result<Response, ApiError> {
    let page = PageRequest::from_params(&params, &p.state.config.cursor_key, MAILBOX_SCOPE)?;
    let (mails, next) = p.outbox.list(page.limit, page.after).await?;
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if wants_html {
        return Ok(Html(mailbox_page(&mails)).into_response());
    }
    Ok(Json(List::from_page(mails, next, &p.state.config.cursor_key, MAILBOX_SCOPE)).into_response())
}

fn mailbox_page(mails: &[adapters::embedded::outbox::StoredEmail]) -> String {
    let body = html! {
        p.lead { "Emails the local server would have sent, newest first." }
        @if mails.is_empty() {
            p.empty { "No email yet. Anything the platform sends appears here." }
        }
        @for m in mails {
            article.panel.mail {
                header.between { strong { (m.subject) } span.muted { "to " (m.to) " · " (m.at) } }
                pre.mail-text { (m.text) }
                @if !m.links.is_empty() {
                    ul { @for link in &m.links { li { a href=(link) { (link) } } } }
                }
            }
        }
    };
    kit::card_page("Local mailbox", kit::Width::Wide, html! { h1 { "Local mailbox" } (body) }).into_string()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceClock {
    advance_seconds: i64,
}

#[derive(Debug, Serialize)]
struct Now {
    now: Timestamp,
}

async fn advance_clock(State(p): State<Arc<Platform>>, Json(body): Json<AdvanceClock>) -> Result<Json<Now>, ApiError> {
    if body.advance_seconds < 0 {
        return Err(ApiError::invalid_field("advance_seconds", "The clock only moves forward."));
    }
    // Ten years at most: beyond that nothing meaningful is tested and timestamps get silly.
    if body.advance_seconds > 10 * 366 * 86_400 {
        return Err(ApiError::invalid_field("advance_seconds", "At most ten years at a time."));
    }
    let now = p.clock.advance(body.advance_seconds).map_err(|e| ApiError::internal(&e))?;
    Ok(Json(Now { now }))
}

#[derive(Debug, Serialize)]
struct Ran {
    ran: Vec<String>,
}

/// `POST /dev/jobs/run` takes no parameters; its body is `{}` and is required so that only
/// a JSON request (never a cross-site form) can run the jobs.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunJobs {}

async fn run_jobs(State(p): State<Arc<Platform>>, Json(RunJobs {}): Json<RunJobs>) -> Result<Json<Ran>, ApiError> {
    // Drain first so work queued before the call is done, then run due jobs, then drain
    // what they queued: the caller sees the platform settled.
    p.drain_queues().await?;
    let ran = p.run_due_jobs().await.map_err(|e| ApiError::internal(&e))?;
    p.drain_queues().await?;
    Ok(Json(Ran { ran }))
}
