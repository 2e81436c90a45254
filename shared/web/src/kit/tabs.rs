//! Tabs: links to the views of one record, the current one marked for assistive technology
//! (`aria-current="page"`) as well as drawn underlined. Each tab is its own address, so they
//! work without script and can be bookmarked.
use maud::{Markup, html};

/// `label` names the navigation ("Tenant sections"); `items` are (label, href, current).
pub fn tabs(label: &str, items: &[(&str, &str, bool)]) -> Markup {
    html! {
        nav.tabs aria-label=(label) {
            @for (text, href, current) in items {
                a href=(href) aria-current=[current.then_some("page")] { (text) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_current_tab_is_marked() {
        let html = tabs("Tenant sections", &[("Overview", "/t/1", true), ("Usage", "/t/1?tab=usage", false)]).into_string();
        assert_eq!(
            html,
            r#"<nav class="tabs" aria-label="Tenant sections"><a href="/t/1" aria-current="page">Overview</a><a href="/t/1?tab=usage">Usage</a></nav>"#
        );
    }

    #[test]
    fn tab_text_is_escaped() {
        let xss = "<script>alert(1)</script>\"'";
        let html = tabs(xss, &[(xss, xss, true)]).into_string();
        assert!(!html.contains("<script"));
        assert!(!html.contains("\"'"));
    }
}
