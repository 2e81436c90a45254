//! A gallery of the kit: a sign-in card page and an admin page using every component. The
//! tests check the whole documents (no inline style, nothing raw); with `KIT_GALLERY_DIR`
//! set they also write them there as `gallery-card.html` and `gallery-app.html`, to look at
//! in a browser: `KIT_GALLERY_DIR=/tmp/kit cargo test gallery`.
use maud::{Markup, html};

use super::badge::{Tone, status_badge};
use super::chart::{Chart, ChartSeries, bar_chart, grouped, line_chart};
use super::confirm::{Confirm, confirm_step};
use super::form::{
    ButtonStyle, Input, InputMode, InputType, Select, TextArea, checkbox_field, field, link_button, post_form, select_field, submit,
    textarea_field,
};
use super::kpi::{kpi_card, kpi_grid};
use super::layout::{NavItem, PageHead, Portal, Shell, Width, app_page, card_page};
use super::notice::{NoticeKind, facts, notice};
use super::progress::{checklist, progress_bar, progress_bar_toned};
use super::table::{Back, Column, Pager, data_table};
use super::tabs::tabs;

const NAV: [NavItem; 8] = [
    NavItem { label: "Home", href: "/dashboard", section: "home" },
    NavItem { label: "Tenants", href: "/dashboard/tenants", section: "tenants" },
    NavItem { label: "Users", href: "/dashboard/users", section: "users" },
    NavItem { label: "Plans", href: "/dashboard/plans", section: "plans" },
    NavItem { label: "Billing", href: "/dashboard/billing", section: "billing" },
    NavItem { label: "Partners", href: "/dashboard/partners", section: "partners" },
    NavItem { label: "Activity", href: "/dashboard/activity", section: "activity" },
    NavItem { label: "Settings", href: "/dashboard/settings", section: "settings" },
];

/// Whole dollars from cents, for axis ticks: `123456` → `$1,234`.
fn dollars(cents: i64) -> String {
    let text = grouped(cents / 100);
    match text.strip_prefix('−') {
        Some(positive) => format!("−${positive}"),
        None => format!("${text}"),
    }
}

fn sign_in() -> Markup {
    card_page(
        "Sign in",
        Width::Narrow,
        html! {
            h1 { "Sign in" }
            p.lead { "Welcome back. Sign in to your DotMac account." }
            (notice(NoticeKind::Error, "That email and password do not match an account."))
            form method="post" action="/auth/login" novalidate {
                (field(&Input::new("Email address", "email", InputType::Email).value("ada@example.com").autocomplete("email").required()))
                (field(&Input::new("Password", "password", InputType::Password)
                    .value("typed-secret")
                    .autocomplete("current-password")
                    .required()
                    .error(Some("Enter your password."))))
                (submit("Sign in", ButtonStyle::Primary))
            }
            p.small.mt-2 { a href="/auth/forgot-password" { "Forgot your password?" } }
            p.alt { "New to DotMac? " a href="/auth/signup" { "Create an account" } }
        },
    )
}

fn members() -> Markup {
    let columns = [
        Column::text("Member"),
        Column::text("Role"),
        Column::text("Status"),
        Column::numeric("Seats"),
        Column::numeric("Spend"),
        Column::actions("Actions"),
    ];
    let people = [
        ("Grace Hopper", "grace@acme.example", "Admin", ("Active", Tone::Success), true, 12, 1_248_000),
        ("Alan Turing", "alan@acme.example", "Member", ("Invited", Tone::Info), false, 1, 0),
        ("Katherine Johnson", "katherine.johnson@acme.example", "Billing", ("Suspended", Tone::Warning), true, 3, 39_900),
        ("Edsger Dijkstra", "edsger@acme.example", "Member", ("Disabled", Tone::Neutral), false, 1, -2_500),
    ];
    let rows: Vec<Vec<Markup>> = people
        .iter()
        .map(|(name, email, role, (status, tone), mfa, seats, spend)| {
            vec![
                html! { a href="/dashboard/users/u1" { strong { (name) } } div.small.muted { (email) } },
                html! { (role) },
                html! {
                    (status_badge(status, *tone)) " "
                    @if *mfa { (status_badge("2FA on", Tone::Success)) } @else { (status_badge("2FA off", Tone::Neutral)) }
                },
                html! { (seats) },
                html! { (super::chart::grouped(*spend / 100)) "." (format!("{:02}", (spend % 100).abs())) " USD" },
                html! { (link_button("Disable…", "/dashboard/users/u1?confirm=disable#confirm", ButtonStyle::Danger)) },
            ]
        })
        .collect();
    let pager = Pager {
        base: "/dashboard/tenants/acme?tab=members",
        next: Some("eyJpZCI6IDQyfQ== &x"),
        back: Back::First,
        status: Some("4 members shown"),
    };
    data_table("Members of Acme Corporation", &columns, &rows, "No members yet.", Some(&pager))
}

fn settings_form() -> Markup {
    let plans = [("starter", "Starter · $49 / month"), ("growth", "Growth · $199 / month"), ("scale", "Scale · $799 / month")];
    post_form(
        "/dashboard/tenants/acme",
        ("csrf_token", "demo-token"),
        html! {
            div.pair {
                (field(&Input::new("Name", "name", InputType::Text).value("Acme Corporation").required().maxlength(100)))
                (field(&Input::new("Retention (days)", "retention_days", InputType::Text)
                    .value("5000")
                    .required()
                    .inputmode(InputMode::Numeric)
                    .pattern("[0-9]*")
                    .maxlength(4)
                    .hint("How long a deleted tenant can be restored: 1 to 3650 days.")
                    .error(Some("Enter a number of days from 1 to 3650."))))
            }
            div.pair {
                (select_field(&Select::new("Plan", "plan_id", &plans).selected("growth")))
                (field(&Input::new("Billing email", "billing_email", InputType::Email).value("billing@acme.example").placeholder("billing@company.com")))
            }
            (textarea_field(&TextArea::new("Internal note", "note").value("Key account; renewal talks in Q3.").rows(3).maxlength(500)))
            (checkbox_field("Require two-factor authentication", "require_mfa", "on", true, Some("Members without it are asked to turn it on at their next sign-in.")))
            div.row {
                (submit("Save changes", ButtonStyle::Primary))
                (link_button("Cancel", "/dashboard/tenants/acme", ButtonStyle::Secondary))
            }
        },
    )
}

fn admin_page() -> Markup {
    let shell = Shell {
        portal: Portal::Admin,
        nav: &NAV,
        current: "tenants",
        user_name: "Ada Lovelace",
        user_email: "ada.lovelace@dotmac.example",
        role_label: "Platform admin",
        csrf_name: "csrf_token",
        csrf_value: "demo-token",
    };
    let page = PageHead {
        title: "Acme Corporation",
        subtitle: Some("acme-corp · on the Growth plan since March 2026"),
        breadcrumbs: &[("Dashboard", "/dashboard"), ("Tenants", "/dashboard/tenants")],
        badge: None,
        actions: Some(html! {
            (link_button("Export", "/dashboard/tenants/acme/export", ButtonStyle::Secondary))
            (link_button("Suspend…", "/dashboard/tenants/acme?confirm=suspend#confirm", ButtonStyle::Danger))
        }),
    };
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let revenue = [
        ChartSeries {
            name: "2026",
            values: &[
                820_000, 910_000, 1_005_000, 980_000, 1_120_000, 1_248_000, 1_310_000, 1_295_000, 1_402_000, 1_480_000, 1_533_000,
                1_610_000,
            ],
        },
        ChartSeries {
            name: "2025",
            values: &[610_000, 640_000, 700_000, 690_000, 760_000, 800_000, 790_000, 850_000, 880_000, 905_000, 960_000, 1_010_000],
        },
    ];
    let seats = [
        ChartSeries { name: "Added", values: &[14, 9, 22, 6, 18, 11] },
        ChartSeries { name: "Removed", values: &[-3, -7, -2, -12, -4, -5] },
    ];
    let body = html! {
        (notice(NoticeKind::Notice, "Changes saved."))
        (kpi_grid([
            kpi_card("Monthly recurring revenue", "$16,100.00", Some(("+4.2%", Tone::Success)), Some("vs. last month")),
            kpi_card("Seats used", "42 of 50", None, Some("8 available")),
            kpi_card("Open invoices", "3", Some(("+1", Tone::Warning)), Some("$1,240.00 due")),
            kpi_card("Failed payments", "1", Some(("−2", Tone::Success)), Some("last 30 days")),
        ]))
        (tabs("Tenant sections", &[
            ("Overview", "/dashboard/tenants/acme", true),
            ("Settings", "/dashboard/tenants/acme?tab=settings", false),
            ("Usage", "/dashboard/tenants/acme?tab=usage", false),
            ("Billing", "/dashboard/tenants/acme?tab=billing", false),
        ]))
        (confirm_step(
            &Confirm {
                question: "Delete Acme Corporation?",
                consequence: "Its users are signed out and can no longer sign in. It is kept for 30 days and can be restored until then; after that it and all its data are purged for good.",
                action: "/dashboard/tenants/acme",
                csrf: ("csrf_token", "demo-token"),
                hidden: &[("action", "delete")],
                button: "Delete Acme Corporation",
                destructive: true,
                cancel_href: "/dashboard/tenants/acme",
            },
            Some(field(&Input::new("Reason (optional, for the audit trail)", "reason", InputType::Text).maxlength(500))),
        ))
        div.cols {
            section.panel {
                (line_chart(&Chart { title: "Revenue by month", x_labels: &months, series: &revenue, format: dollars, empty: "No revenue yet." }))
            }
            section.panel {
                (bar_chart(&Chart { title: "Seats added and removed", x_labels: &months[..6], series: &seats, format: grouped, empty: "No seat changes yet." }))
            }
        }
        div.cols {
            section.panel {
                h2 { "Provisioning" }
                (progress_bar(3, 4, "Provisioning steps"))
                (checklist(&[
                    ("Subscription on its plan", Some(html! { "done 2026-03-12 10:00 UTC" }), true),
                    ("Default settings", Some(html! { "done 2026-03-12 10:00 UTC" }), true),
                    ("Invitation of its first admin", Some(html! { "done 2026-03-12 10:01 UTC" }), true),
                    ("Activation", None, false),
                ]))
                (progress_bar_toned(42, 50, "Seats used", Tone::Warning))
            }
            section.panel {
                h2 { "Overview" }
                (facts(&[
                    ("Status", status_badge("Active", Tone::Success)),
                    ("Plan", html! { "Growth " span.small.muted { "· 199.00 USD / month · 50 seats" } }),
                    ("Credit balance", html! { "120.00 USD" }),
                    ("Created", html! { time datetime="2026-03-12T10:00:00Z" { "2026-03-12 10:00 UTC" } }),
                    ("ID", html! { code { "ten_01HZX3K9Q4V7N2B8C5D6E7F8G9" } }),
                ]))
            }
        }
        section.panel {
            h2 { "Members" }
            (members())
        }
        section.panel {
            h2 { "Settings" }
            (notice(NoticeKind::Error, "Nothing was changed: please correct the field marked below."))
            (settings_form())
        }
        section.panel {
            h2 { "Empty states" }
            (data_table("Invoices", &[Column::text("Invoice"), Column::numeric("Amount")], &[], "No invoices yet: billing starts with the first period.", None))
            (line_chart(&Chart { title: "API calls", x_labels: &[], series: &[], format: grouped, empty: "Not measured yet: usage metering comes later." }))
        }
    };
    app_page(&shell, &page, body)
}

fn write_if_asked(name: &str, html: &str) {
    let Some(dir) = std::env::var_os("KIT_GALLERY_DIR") else {
        return;
    };
    let path = std::path::Path::new(&dir).join(name);
    if let Err(e) = std::fs::write(&path, html) {
        panic!("cannot write {}: {e}", path.display());
    }
}

/// What no page of the kit may contain: an inline style (the stylesheet is the only look), a
/// script (the policy forbids it), a password sent back.
fn assert_clean(html: &str) {
    assert!(!html.contains(" style="), "an inline style attribute");
    assert!(!html.contains("<script"), "a script element");
    assert!(!html.contains("typed-secret"), "a password echoed");
}

#[test]
fn no_output_of_the_kit_has_an_inline_style() {
    for html in [sign_in().into_string(), admin_page().into_string()] {
        assert!(!html.contains(" style=\""), "an inline style attribute");
    }
}

#[test]
fn the_card_gallery_renders_clean() {
    let html = sign_in().into_string();
    assert_clean(&html);
    write_if_asked("gallery-card.html", &html);
}

#[test]
fn the_app_gallery_renders_clean() {
    let html = admin_page().into_string();
    assert_clean(&html);
    assert!(html.contains("cursor=eyJpZCI6IDQyfQ%3D%3D%20%26x"));
    write_if_asked("gallery-app.html", &html);
}
