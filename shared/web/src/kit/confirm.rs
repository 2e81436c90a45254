//! The confirmation step of a destructive or weighty action.
//!
//! The action's button is a link to the same page with `?confirm=…#confirm`; the page then
//! shows this step at the top: what will happen, the one button that posts the action, and a
//! way out. Nothing happens on a GET, and nothing needs script.
use maud::{Markup, html};

use super::form::hidden;

#[derive(Debug, Clone, Copy)]
pub struct Confirm<'a> {
    /// "Delete Acme Corp?"
    pub question: &'a str,
    /// What follows, in words: who loses what, until when it can be undone.
    pub consequence: &'a str,
    /// Where the form posts.
    pub action: &'a str,
    /// The CSRF field's name and value.
    pub csrf: (&'a str, &'a str),
    /// Other hidden fields (`action=delete`, the record's `version`).
    pub hidden: &'a [(&'a str, &'a str)],
    /// The button names the act and its object: "Delete Acme Corp".
    pub button: &'a str,
    /// Solid red for what cannot be taken back lightly; plain primary for the harmless
    /// direction (reactivate, restore).
    pub destructive: bool,
    /// Back to the page without the step.
    pub cancel_href: &'a str,
}

/// The step, with `fields` (a reason to give, say) between the explanation and the buttons.
pub fn confirm_step(confirm: &Confirm<'_>, fields: Option<Markup>) -> Markup {
    let button_class = if confirm.destructive { "button danger solid" } else { "button primary" };
    html! {
        section #confirm .banner.warn.roomy.confirm role="alert" {
            p { strong { (confirm.question) } " " (confirm.consequence) }
            form method="post" action=(confirm.action) novalidate {
                (hidden(confirm.csrf.0, confirm.csrf.1))
                @for (name, value) in confirm.hidden { (hidden(name, value)) }
                @if let Some(fields) = fields { (fields) }
                div.row {
                    button type="submit" class=(button_class) { (confirm.button) }
                    a.button.secondary href=(confirm.cancel_href) { "Cancel" }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample<'a>(text: &'a str, hidden: &'a [(&'a str, &'a str)]) -> Confirm<'a> {
        Confirm {
            question: text,
            consequence: text,
            action: text,
            csrf: (text, text),
            hidden,
            button: text,
            destructive: true,
            cancel_href: text,
        }
    }

    #[test]
    fn the_step_posts_its_action_with_its_hidden_fields() {
        let confirm = Confirm {
            question: "Delete Acme?",
            consequence: "Its users are signed out.",
            action: "/dashboard/tenants/t1",
            csrf: ("csrf_token", "tok"),
            hidden: &[("action", "delete")],
            button: "Delete Acme",
            destructive: true,
            cancel_href: "/dashboard/tenants/t1",
        };
        let html = confirm_step(&confirm, None).into_string();
        assert!(html.starts_with(r#"<section class="banner warn roomy confirm" id="confirm" role="alert">"#), "{html}");
        assert!(html.contains(r#"<form method="post" action="/dashboard/tenants/t1" novalidate><input type="hidden" name="csrf_token" value="tok"><input type="hidden" name="action" value="delete">"#));
        assert!(html.contains(r#"<button type="submit" class="button danger solid">Delete Acme</button>"#));
        assert!(html.contains(r#"<a class="button secondary" href="/dashboard/tenants/t1">Cancel</a>"#));
    }

    #[test]
    fn confirm_text_is_escaped() {
        let xss = "<script>alert(1)</script>\"'";
        let hidden = [(xss, xss)];
        let html = confirm_step(&sample(xss, &hidden), None).into_string();
        assert!(!html.contains("<script"));
        assert!(!html.contains("\"'"));
    }
}
