//! The overview of each portal, where sign-in lands: `/dashboard` (platform admins),
//! `/portal` (organization admins and members) and `/partner` (partners). Each greets the
//! person, links to the sections of its portal that exist, and shows the signed-in account.
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use domain::permissions::Rule;
use domain::time::Timestamp;
use domain::user::{Role, User};
use maud::{Markup, html};
use web::kit::{self, ButtonStyle, NoticeKind, Tone, facts, link_button, status_badge, submit};
use web::pages::Viewer;

use super::html::Page;
use super::{error_page, refusal, role_label};
use crate::service::account;
use crate::state::AuthState;

/// A section of a portal, as its overview links to it. The pages are other functions'
/// (admin-users, admin-tenants, tenant-team); the side navigation lists the same ones.
struct Section {
    title: &'static str,
    href: &'static str,
    what: &'static str,
    button: &'static str,
}

struct Area {
    path: &'static str,
    title: &'static str,
    /// Who may open it (the permissions matrix's rule); others get the 403 page.
    rule: Rule,
    sections: &'static [Section],
    coming: &'static str,
}

const DASHBOARD: Area = Area {
    path: "/dashboard",
    title: "Platform dashboard",
    rule: Rule::PlatformAdmin,
    sections: &[
        Section {
            title: "Users",
            href: "/dashboard/users",
            what: "Everyone with a DotMac account: find people, invite them, change their role, disable or enable them.",
            button: "Open users",
        },
        Section {
            title: "Tenants",
            href: "/dashboard/tenants",
            what: "The organizations on the platform: create one, change its plan, suspend, delete or restore it.",
            button: "Open tenants",
        },
    ],
    coming: "Billing, deployments, partners and analytics are being built and will appear here.",
};

const PORTAL: Area = Area {
    path: "/portal",
    title: "Your organization",
    rule: Rule::TenantRead,
    sections: &[
        Section {
            title: "Team",
            href: "/portal/team",
            what: "Who is in your organization, their roles and the invitations still open.",
            button: "Open team",
        },
        Section {
            title: "Activity",
            href: "/portal/activity",
            what: "What happened in your organization, who did it and when.",
            button: "Open activity",
        },
    ],
    coming: "Billing, usage and settings are being built and will appear here.",
};

const PARTNER: Area = Area {
    path: "/partner",
    title: "Partner portal",
    rule: Rule::Partner,
    sections: &[],
    coming: "Referrals, commissions, payouts and statements are being built and will appear here.",
};

/// What the overview shows of the signed-in account.
struct Account<'a> {
    name: &'a str,
    email: &'a str,
    role: Role,
    two_factor: bool,
    since: Timestamp,
}

impl<'a> Account<'a> {
    fn of(user: &'a User) -> Account<'a> {
        Account { name: &user.name, email: user.email.as_str(), role: user.role, two_factor: user.mfa.enabled, since: user.created_at }
    }
}

/// The day an account was made, as a machine-readable `<time>` (UTC).
fn day(t: Timestamp) -> Markup {
    let rfc = t.to_rfc3339();
    let shown = rfc.get(..10).unwrap_or(&rfc);
    html! { time datetime=(rfc) { (shown) } }
}

fn overview(area: &Area, viewer: &Viewer, account: &Account<'_>) -> Page {
    let first_name = account.name.split_whitespace().next().unwrap_or(account.name);
    let two_factor = if account.two_factor {
        status_badge("On", Tone::Success)
    } else {
        html! { (status_badge("Off", Tone::Warning)) " " a href="/auth/security" { "Turn it on" } }
    };
    let body = html! {
        p.lead { "Welcome, " (first_name) ". Signed in as " strong { (account.name) } " (" (account.email) ")" }
        @if !area.sections.is_empty() {
            div.cols {
                @for section in area.sections {
                    section.panel {
                        h2 { (section.title) }
                        p.muted { (section.what) }
                        (link_button(section.button, section.href, ButtonStyle::Secondary))
                    }
                }
            }
        }
        section.panel {
            h2 { "Your account" }
            (facts(&[
                ("Name", html! { (account.name) }),
                ("Email", html! { (account.email) }),
                ("Role", html! { (role_label(account.role)) }),
                ("Two-factor", two_factor),
                ("Member since", day(account.since)),
            ]))
            div.row {
                (link_button("Security and sessions", "/auth/security", ButtonStyle::Secondary))
                (kit::post_form("/auth/logout", viewer.csrf(), submit("Sign out", ButtonStyle::Secondary)))
            }
        }
        (kit::notice(NoticeKind::Notice, area.coming))
    };
    Page::app(viewer, "overview", area.title, body)
}

async fn show(state: &AuthState, headers: &HeaderMap, area: &Area) -> Result<Response, Response> {
    let viewer = web::pages::require_viewer(&state.app, headers, area.path, area.rule).await?;
    let user = account::me(state, &viewer.caller.user_id).await.map_err(|e| error_page(&refusal(e)))?;
    Ok(overview(area, &viewer, &Account::of(&user)).into_response())
}

/// GET /dashboard
pub async fn dashboard(State(state): State<AuthState>, headers: HeaderMap) -> Result<Response, Response> {
    show(&state, &headers, &DASHBOARD).await
}

/// GET /portal
pub async fn tenant(State(state): State<AuthState>, headers: HeaderMap) -> Result<Response, Response> {
    show(&state, &headers, &PORTAL).await
}

/// GET /partner
pub async fn partner(State(state): State<AuthState>, headers: HeaderMap) -> Result<Response, Response> {
    show(&state, &headers, &PARTNER).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::testing::{XSS, assert_inert, shoot, viewer};

    const SINCE: Timestamp = Timestamp::from_unix(1_773_309_600);

    fn ada(two_factor: bool) -> Account<'static> {
        Account { name: "Ada Lovelace", email: "ada@example.com", role: Role::TenantAdmin, two_factor, since: SINCE }
    }

    /// The text of the Two-factor fact, tags left out (as a browser reads it).
    fn two_factor_text(html: &str) -> String {
        let start = html.find("<dt>Two-factor</dt><dd>").map(|at| at + "<dt>Two-factor</dt><dd>".len()).expect("a Two-factor fact");
        let dd = html[start..].split("</dd>").next().unwrap_or("");
        let mut text = String::new();
        let mut in_tag = false;
        for c in dd.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        text
    }

    #[test]
    fn each_overview_links_to_the_sections_of_its_portal() {
        let grace = Account { name: "Grace Hopper", email: "grace@dotmac.example", role: Role::PlatformAdmin, ..ada(true) };
        let admin = overview(&DASHBOARD, &viewer(Role::PlatformAdmin, "Grace Hopper", "grace@dotmac.example"), &grace);
        let html = admin.render().into_string();
        assert!(html.contains(r#"<a class="button secondary" href="/dashboard/users">Open users</a>"#));
        assert!(html.contains(r#"<a class="button secondary" href="/dashboard/tenants">Open tenants</a>"#));
        assert!(html.contains(r#"<a href="/dashboard" aria-current="page">Overview</a>"#), "overview is the current section");
        assert!(html.contains("<h1>Platform dashboard</h1>"));
        shoot("dashboard", &html);

        let html = overview(&PORTAL, &viewer(Role::TenantAdmin, "Ada Lovelace", "ada@example.com"), &ada(false)).render().into_string();
        assert!(html.contains(r#"href="/portal/team">Open team</a>"#) && html.contains(r#"href="/portal/activity">Open activity</a>"#));
        assert!(html.contains("Signed in as <strong>Ada Lovelace</strong> (ada@example.com)"));
        assert_eq!(two_factor_text(&html), "Off Turn it on");
        assert!(html.contains(r#"<a href="/auth/security">Turn it on</a></dd>"#));
        assert!(html.contains(r#"<time datetime="2026-03-12T10:00:00Z">2026-03-12</time>"#));
        shoot("portal", &html);

        let alan = Account { name: "Alan Turing", email: "alan@partners.example", role: Role::Partner, ..ada(true) };
        let partner = overview(&PARTNER, &viewer(Role::Partner, "Alan Turing", "alan@partners.example"), &alan);
        let html = partner.render().into_string();
        assert!(!html.contains("Open "), "a partner has no section but the overview yet");
        assert_eq!(two_factor_text(&html), "On", "what the browser test reads");
        shoot("partner", &html);
    }

    #[test]
    fn the_overview_escapes_the_name_and_address() {
        let account = Account { name: XSS, email: XSS, role: Role::TenantMember, two_factor: false, since: SINCE };
        for area in [&DASHBOARD, &PORTAL, &PARTNER] {
            let html = overview(area, &viewer(Role::TenantMember, XSS, XSS), &account).render().into_string();
            assert_inert(&html);
        }
    }
}
