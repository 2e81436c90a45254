//! Whole documents: the centred card of the sign-in pages, and the signed-in app shell.
//!
//! Both carry the same head: language, viewport, `noindex` (nothing here belongs in a search
//! engine), the title and the one stylesheet.
use maud::{Markup, PreEscaped, html};

use super::form::hidden;
use super::style::STYLESHEET;

/// HTML5's doctype, written as browsers and our tests read it.
const DOCTYPE: &str = "<!doctype html>";

/// Where the brand of a signed-out page leads, and the security page of the user menu.
const SIGN_IN: &str = "/auth/login";
const SECURITY: &str = "/auth/security";
const SIGN_OUT: &str = "/auth/logout";
const SIGN_OUT_FORM: &str = "user-sign-out";

/// How wide the card of a card page is: forms read best narrow, tables need room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Width {
    #[default]
    Narrow,
    Wide,
    /// Wider still: admin tables with many columns.
    Full,
}

impl Width {
    fn class(self) -> &'static str {
        match self {
            Width::Narrow => "card",
            Width::Wide => "card wide",
            Width::Full => "card wide full",
        }
    }
}

/// The document around a body: `body_class` switches between the card and the app layout.
fn document(title: &str, body_class: Option<&str>, body: Markup) -> Markup {
    html! {
        // A constant of this module, like the stylesheet: the only raw markup besides it.
        (PreEscaped(DOCTYPE))
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) " · DotMac" }
                // The stylesheet is a constant of this crate, never data, and CSS must reach
                // the browser unescaped (`>` is a child combinator, quotes delimit strings);
                // a test checks it cannot close its element. This is the kit's only
                // `PreEscaped`.
                style { (PreEscaped(STYLESHEET)) }
            }
            body class=[body_class] { (body) }
        }
    }
}

/// A signed-out page (sign in, sign up, reset, invitation): the brand above a centred card
/// holding `body`, and a short footer.
pub fn card_page(title: &str, width: Width, body: Markup) -> Markup {
    document(
        title,
        None,
        html! {
            header.top {
                a.brand href=(SIGN_IN) { span.mark aria-hidden="true" { "D" } "DotMac" }
            }
            main class=(width.class()) { (body) }
            footer.foot { "DotMac Platform · " a href=(SECURITY) { "Security" } }
        },
    )
}

/// One of the three signed-in areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Portal {
    Admin,
    Tenant,
    Partner,
}

impl Portal {
    /// What the side navigation calls the area.
    pub fn label(self) -> &'static str {
        match self {
            Portal::Admin => "Platform admin",
            Portal::Tenant => "Organization",
            Portal::Partner => "Partner",
        }
    }

    /// The area's home page, where the brand leads.
    pub fn home(self) -> &'static str {
        match self {
            Portal::Admin => "/dashboard",
            Portal::Tenant => "/portal",
            Portal::Partner => "/partner",
        }
    }
}

/// A link of the side navigation. `section` is the key a page names as current, so the
/// sub-pages of a section (a tenant's detail) keep it marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
    pub section: &'static str,
}

/// What the shell needs to know about the area and the signed-in user.
#[derive(Debug, Clone, Copy)]
pub struct Shell<'a> {
    pub portal: Portal,
    pub nav: &'a [NavItem],
    /// The `section` of the current page's nav item.
    pub current: &'a str,
    pub user_name: &'a str,
    pub user_email: &'a str,
    /// "Platform admin", "Organization admin", "Member"…
    pub role_label: &'a str,
    /// The CSRF field the sign-out form posts.
    pub csrf_name: &'a str,
    pub csrf_value: &'a str,
}

/// The head of one page: its title (the `h1` and the document title), a line under it, the
/// way up to it, and its main buttons.
#[derive(Debug, Clone, Default)]
pub struct PageHead<'a> {
    pub title: &'a str,
    pub subtitle: Option<&'a str>,
    /// (label, href) from the area's home down to the parent of this page; the page itself
    /// follows as the current crumb.
    pub breadcrumbs: &'a [(&'a str, &'a str)],
    /// Buttons or links at the right of the title ("Invite user", "Export").
    pub actions: Option<Markup>,
    /// A status beside the title (a tenant's "Active").
    pub badge: Option<Markup>,
}

impl<'a> PageHead<'a> {
    pub fn new(title: &'a str) -> PageHead<'a> {
        PageHead { title, ..PageHead::default() }
    }
}

/// Up to two initials of a name, for the avatar: "Ada Lovelace" → "AL".
fn initials(name: &str) -> String {
    let letters: String = name.split_whitespace().filter_map(|word| word.chars().next()).take(2).flat_map(char::to_uppercase).collect();
    if letters.is_empty() { "?".to_string() } else { letters }
}

fn side(shell: &Shell<'_>) -> Markup {
    let portal = shell.portal;
    html! {
        aside.side {
            div.side-head {
                a.brand href=(portal.home()) { span.mark aria-hidden="true" { "D" } "DotMac" }
                p.portal { (portal.label()) }
            }
            nav.side-nav aria-label=(portal.label()) {
                ul {
                    @for item in shell.nav {
                        li { a href=(item.href) aria-current=[(item.section == shell.current).then_some("page")] { (item.label) } }
                    }
                }
            }
        }
    }
}

/// The user menu: a `<details>` disclosure, so it opens and closes without script.
fn user_menu(shell: &Shell<'_>) -> Markup {
    html! {
        details.user {
            summary aria-label={ "Account menu of " (shell.user_name) } {
                span.avatar aria-hidden="true" { (initials(shell.user_name)) }
                span.user-name { (shell.user_name) }
            }
            div.user-panel {
                div.user-who {
                    p { strong { (shell.user_name) } }
                    p.small.muted { (shell.user_email) }
                    span.badge.tone-info { (shell.role_label) }
                }
                ul.user-links {
                    li { a href=(SECURITY) { "Security" } }
                    // The button submits the form at the end of the document (`form=`): a
                    // page's own sign-out form stays the first in the document, and a form
                    // inside a closed menu is never what a keyboard or a script finds first.
                    li { button.link type="submit" form=(SIGN_OUT_FORM) { "Sign out" } }
                }
            }
        }
    }
}

fn breadcrumbs(page: &PageHead<'_>) -> Markup {
    html! {
        @if !page.breadcrumbs.is_empty() {
            nav.crumbs aria-label="Breadcrumb" {
                ol {
                    @for (label, href) in page.breadcrumbs { li { a href=(href) { (label) } } }
                    li aria-current="page" { (page.title) }
                }
            }
        }
    }
}

/// A signed-in page: side navigation, top bar with the breadcrumbs and the user menu, the
/// page's head, then `body`. Under 860px the side navigation becomes a strip across the top
/// that scrolls sideways.
pub fn app_page(shell: &Shell<'_>, page: &PageHead<'_>, body: Markup) -> Markup {
    document(
        page.title,
        Some("app"),
        html! {
            a.skip href="#main" { "Skip to content" }
            div.shell {
                (side(shell))
                div.main-col {
                    header.topbar {
                        (breadcrumbs(page))
                        (user_menu(shell))
                    }
                    main #main .content {
                        div.page-head {
                            div {
                                div.between { h1 { (page.title) } @if let Some(badge) = &page.badge { (badge) } }
                                @if let Some(subtitle) = page.subtitle { p.lead { (subtitle) } }
                            }
                            @if let Some(actions) = &page.actions { div.page-actions { (actions) } }
                        }
                        (body)
                    }
                }
            }
            form #(SIGN_OUT_FORM) .hidden-form method="post" action=(SIGN_OUT) { (hidden(shell.csrf_name, shell.csrf_value)) }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const XSS: &str = "<script>alert(1)</script>\"'";
    const NAV: [NavItem; 2] = [
        NavItem { label: "Home", href: "/dashboard", section: "home" },
        NavItem { label: "Tenants", href: "/dashboard/tenants", section: "tenants" },
    ];

    fn shell<'a>(name: &'a str, email: &'a str, role: &'a str, csrf: &'a str) -> Shell<'a> {
        Shell {
            portal: Portal::Admin,
            nav: &NAV,
            current: "tenants",
            user_name: name,
            user_email: email,
            role_label: role,
            csrf_name: "csrf_token",
            csrf_value: csrf,
        }
    }

    fn assert_inert(html: &str) {
        // The one `<script` the payload could smuggle in; the stylesheet has none.
        assert!(!html.contains("<script"), "raw script");
        assert!(!html.contains("\"'"), "a quote breaks out of an attribute");
    }

    #[test]
    fn every_document_has_the_same_head() {
        for html in [
            card_page("Sign in", Width::Narrow, html! {}).into_string(),
            app_page(&shell("Ada", "ada@example.com", "Admin", "t"), &PageHead::new("Sign in"), html! {}).into_string(),
        ] {
            assert!(html.starts_with("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"));
            assert!(html.contains(r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#));
            assert!(html.contains(r#"<meta name="robots" content="noindex">"#));
            assert!(html.contains("<title>Sign in · DotMac</title>"));
            assert!(html.contains("<style>\n:root{"));
            assert!(!html.contains(" style=\""));
        }
    }

    #[test]
    fn a_card_page_has_the_width_class_and_the_brand_link() {
        let html = card_page("Users", Width::Full, html! { h1 { "Users" } }).into_string();
        assert!(html.contains(r#"<main class="card wide full"><h1>Users</h1></main>"#));
        assert!(html.contains(r#"<a class="brand" href="/auth/login"><span class="mark" aria-hidden="true">D</span>DotMac</a>"#));
        assert!(html.contains(r#"<footer class="foot">DotMac Platform · <a href="/auth/security">Security</a></footer>"#));
        assert!(card_page("x", Width::Narrow, html! {}).into_string().contains(r#"<main class="card">"#));
        assert!(card_page("x", Width::Wide, html! {}).into_string().contains(r#"<main class="card wide">"#));
    }

    #[test]
    fn the_shell_marks_the_current_section_and_signs_out_by_post() {
        let page = PageHead {
            title: "Acme",
            subtitle: Some("acme"),
            breadcrumbs: &[("Tenants", "/dashboard/tenants")],
            badge: None,
        actions: Some(html! { a.button.secondary href="/x" { "Export" } }),
        };
        let html =
            app_page(&shell("Ada Lovelace", "ada@example.com", "Platform admin", "tok"), &page, html! { p { "Body" } }).into_string();
        assert!(html.contains(r#"<body class="app">"#));
        assert!(html.contains(r#"<a href="/dashboard/tenants" aria-current="page">Tenants</a>"#));
        assert!(html.contains(r#"<a href="/dashboard">Home</a>"#));
        assert!(html.contains(r#"<li aria-current="page">Acme</li>"#));
        assert!(html.contains(r#"<form class="hidden-form" id="user-sign-out" method="post" action="/auth/logout"><input type="hidden" name="csrf_token" value="tok">"#)
            && html.contains(r#"<button class="link" type="submit" form="user-sign-out">Sign out</button>"#), "{html}");
        assert!(html.contains(r#"<a href="/auth/security">Security</a>"#));
        assert!(html.contains(r#"<span class="avatar" aria-hidden="true">AL</span>"#));
        assert!(html.contains("<div class=\"between\"><h1>Acme</h1></div><p class=\"lead\">acme</p>"));
        assert!(html.contains(r#"<div class="page-actions"><a class="button secondary" href="/x">Export</a></div>"#));
        assert!(html.contains(r#"<main class="content" id="main">"#));
    }

    #[test]
    fn breadcrumbs_and_the_user_menu_escape_their_text() {
        let crumbs = [(XSS, XSS)];
        let page = PageHead { title: XSS, subtitle: Some(XSS), breadcrumbs: &crumbs, actions: None, badge: None };
        let html = app_page(&shell(XSS, XSS, XSS, XSS), &page, html! {}).into_string();
        assert_inert(&html);
        assert!(html.contains("<title>&lt;script&gt;"));
        assert_inert(&card_page(XSS, Width::Narrow, html! { (XSS) }).into_string());
    }

    #[test]
    fn initials_cope_with_any_name() {
        assert_eq!(initials("ada lovelace byron"), "AL");
        assert_eq!(initials("  "), "?");
        assert_eq!(initials("élodie"), "É");
        assert_eq!(initials("ß x"), "SSX");
    }
}
