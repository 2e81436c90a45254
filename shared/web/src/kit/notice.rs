//! Banners that tell what happened, and facts lists that tell what is.
use maud::{Markup, Render, html};

/// What a banner says: something went wrong, something was done, or mind this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// Announced at once by screen readers (`role="alert"`).
    Error,
    /// A success or an information, announced politely (`role="status"`).
    Notice,
    /// A caution that does not block anything (`role="status"`).
    Warn,
}

/// A banner. `message` is text (`&str`, escaped) or markup the kit built (`Markup`), so a
/// banner can hold a link or a `<strong>` without anything raw.
pub fn notice(kind: NoticeKind, message: impl Render) -> Markup {
    let (class, role) = match kind {
        NoticeKind::Error => ("banner error", "alert"),
        NoticeKind::Notice => ("banner notice", "status"),
        NoticeKind::Warn => ("banner warn", "status"),
    };
    html! { div class=(class) role=(role) { (message) } }
}

/// A `dl` of label and value pairs (the overview of a record). Values are markup so they can
/// hold a badge, a `<code>` id or a `<time>`; plain text goes in through `html! { (text) }`.
pub fn facts(pairs: &[(&str, Markup)]) -> Markup {
    html! {
        dl.facts {
            @for (label, value) in pairs {
                dt { (label) }
                dd { (value) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const XSS: &str = "<script>alert(1)</script>\"'";

    #[test]
    fn banners_have_the_role_their_kind_needs() {
        assert_eq!(notice(NoticeKind::Error, "No.").into_string(), r#"<div class="banner error" role="alert">No.</div>"#);
        assert!(notice(NoticeKind::Notice, "Saved.").into_string().contains(r#"class="banner notice" role="status""#));
        assert!(notice(NoticeKind::Warn, "Careful.").into_string().contains(r#"class="banner warn" role="status""#));
    }

    #[test]
    fn banner_and_facts_text_is_escaped() {
        let banner = notice(NoticeKind::Error, XSS).into_string();
        let list = facts(&[(XSS, html! { (XSS) })]).into_string();
        for html in [banner, list] {
            assert!(!html.contains("<script"), "{html}");
            assert!(!html.contains("\"'"), "{html}");
        }
    }
}
