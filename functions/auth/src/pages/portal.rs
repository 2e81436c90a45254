//! The portal shells where sign-in lands: `/dashboard` (platform admins), `/portal`
//! (organization admins and members) and `/partner` (partners). Each shows who is signed in
//! and says plainly that the rest of its portal is still being built.
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use shared::domain::user::Role;

use super::html::{Page, escape};
use super::{Problem, require_viewer, role_label, wrong_role};
use crate::service::account;
use crate::state::AuthState;

struct Area {
    path: &'static str,
    title: &'static str,
    /// Who this area is for, in words (for the 403 page).
    audience: &'static str,
    roles: &'static [Role],
    coming: &'static str,
}

const DASHBOARD: Area = Area {
    path: "/dashboard",
    title: "Platform dashboard",
    audience: "platform admins",
    roles: &[Role::PlatformAdmin],
    coming: "Billing, deployments, partners and analytics are being built and will appear here.",
};

const PORTAL: Area = Area {
    path: "/portal",
    title: "Your organization",
    audience: "organization admins and members",
    roles: &[Role::TenantAdmin, Role::TenantMember],
    coming: "Billing, usage and settings are being built and will appear here.",
};

const PARTNER: Area = Area {
    path: "/partner",
    title: "Partner portal",
    audience: "partners",
    roles: &[Role::Partner],
    coming: "Referrals, commissions, payouts and statements are being built and will appear here.",
};

async fn shell(state: &AuthState, headers: &HeaderMap, area: &Area) -> Result<Response, Response> {
    let viewer = require_viewer(state, headers, area.path).await?;
    if !area.roles.contains(&viewer.caller.role) {
        return Err(wrong_role(viewer.caller.role, area.audience));
    }
    let user = account::me(state, &viewer.caller.user_id).await.map_err(|e| {
        let problem = Problem::from(e);
        super::error_page(problem.status, &problem.message)
    })?;
    let role = role_label(user.role);
    let body = format!(
        r#"<div class="between"><h1>{title}</h1><span class="badge">{role}</span></div>
<p class="lead">Signed in as <strong>{name}</strong> ({email})</p>
<dl class="facts"><dt>Name</dt><dd>{name}</dd><dt>Email</dt><dd>{email}</dd><dt>Role</dt><dd>{role}</dd><dt>Two-factor</dt><dd>{mfa}</dd></dl>
<div class="banner notice" role="status">{coming}</div>
<div class="row">{team}{users}{tenants}<a class="button secondary" href="/auth/security">Security and sessions</a>
<form method="post" action="/auth/logout">{csrf}<button type="submit" class="button secondary">Sign out</button></form></div>"#,
        title = escape(area.title),
        role = escape(role),
        name = escape(&user.name),
        email = escape(user.email.as_str()),
        mfa = if user.mfa.enabled { "On" } else { r#"Off · <a href="/auth/security">turn it on</a>"# },
        coming = escape(area.coming),
        // The team pages are the tenant-team function's.
        team = if area.path == PORTAL.path {
            r#"<a class="button secondary" href="/portal/team">Team</a> <a class="button secondary" href="/portal/activity">Activity</a>"#
        } else {
            ""
        },
        // The user pages are the admin-users function's.
        users = if area.path == DASHBOARD.path { r#"<a class="button secondary" href="/dashboard/users">Users</a>"# } else { "" },
        // The tenant pages are the admin-tenants function's.
        tenants = if area.path == DASHBOARD.path { r#"<a class="button secondary" href="/dashboard/tenants">Tenants</a>"# } else { "" },
        csrf = viewer.csrf_field(),
    );
    Ok(Page::new(area.title, body).wide().into_response())
}

/// GET /dashboard
pub async fn dashboard(State(state): State<AuthState>, headers: HeaderMap) -> Result<Response, Response> {
    shell(&state, &headers, &DASHBOARD).await
}

/// GET /portal
pub async fn tenant(State(state): State<AuthState>, headers: HeaderMap) -> Result<Response, Response> {
    shell(&state, &headers, &PORTAL).await
}

/// GET /partner
pub async fn partner(State(state): State<AuthState>, headers: HeaderMap) -> Result<Response, Response> {
    shell(&state, &headers, &PARTNER).await
}
