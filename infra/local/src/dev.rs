//! The three local-only routes (never compiled into a Lambda): the mail outbox, the
//! platform clock and "run the scheduler now".
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use shared::domain::time::Timestamp;
use shared::http::ApiError;
use shared::http::json::{Json, Query};
use shared::http::pagination::{List, ListParams, PageRequest};

use crate::Platform;

const MAILBOX_SCOPE: &str = "dev-mailbox";

pub fn router(platform: Arc<Platform>) -> Router {
    Router::new()
        .route("/dev/mailbox", get(mailbox))
        .route("/dev/clock", post(advance_clock))
        .route("/dev/jobs/run", post(run_jobs))
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

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn mailbox_page(mails: &[shared::adapters::embedded::outbox::StoredEmail]) -> String {
    let mut rows = String::new();
    for m in mails {
        let links: String = m.links.iter().map(|l| format!(r#"<li><a href="{0}">{0}</a></li>"#, escape(l))).collect();
        rows += &format!(
            "<article><header><strong>{}</strong><span>to {} · {}</span></header><pre>{}</pre><ul>{}</ul></article>",
            escape(&m.subject), escape(&m.to), m.at, escape(&m.text), links
        );
    }
    if mails.is_empty() {
        rows = "<p class=empty>No email yet. Anything the platform sends appears here.</p>".into();
    }
    format!(
        r#"<!doctype html><html lang=en><head><meta charset=utf-8><title>Local mailbox · DotMac</title>
<meta name=viewport content="width=device-width, initial-scale=1">
<style>body{{font:15px/1.5 system-ui,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}}
h1{{font-size:1.4rem}}article{{border:1px solid #d0d7de;border-radius:8px;padding:1rem;margin:1rem 0}}
header{{display:flex;justify-content:space-between;gap:1rem}}header span{{color:#57606a}}
pre{{white-space:pre-wrap;background:#f6f8fa;padding:.75rem;border-radius:6px}}.empty{{color:#57606a}}</style>
</head><body><h1>Local mailbox</h1><p>Emails the local server would have sent, newest first.</p>{rows}</body></html>"#
    )
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

async fn run_jobs(State(p): State<Arc<Platform>>) -> Result<Json<Ran>, ApiError> {
    // Drain first so work queued before the call is done, then run due jobs, then drain
    // what they queued: the caller sees the platform settled.
    p.drain_queues().await?;
    let ran = p.run_due_jobs().await.map_err(|e| ApiError::internal(&e))?;
    p.drain_queues().await?;
    Ok(Json(Ran { ran }))
}
