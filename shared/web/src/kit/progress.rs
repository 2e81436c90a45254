//! Progress: a bar of how much of something is done or used, and a checklist of steps.
//!
//! The bar is a small SVG picture (`role="img"`, labelled, with a `<title>`): the filled
//! part's width is an attribute of its `rect`, so no inline style is needed.
use maud::{Markup, html};

use super::badge::Tone;

/// "3 of 4 steps done": `label` above the bar, the count beside it. A `total` of 0 draws an
/// empty bar; `done` past `total` draws a full one (the count still tells the truth).
pub fn progress_bar(done: u64, total: u64, label: &str) -> Markup {
    progress_bar_toned(done, total, label, Tone::Info)
}

/// [`progress_bar`] in a tone: warning for a countdown, danger for a limit passed.
pub fn progress_bar_toned(done: u64, total: u64, label: &str, tone: Tone) -> Markup {
    html! {
        div.progress {
            div.progress-head {
                span { (label) }
                span.muted { (done) " of " (total) }
            }
            (bar(done, total, label, tone))
        }
    }
}

/// The bar alone: `label` names it for assistive technology.
pub fn bar(done: u64, total: u64, label: &str, tone: Tone) -> Markup {
    let width = fill_width(done, total);
    html! {
        svg.bar role="img" aria-label=(label) width="100%" height="14" {
            title { (label) }
            @if done > 0 { rect class={ "fill " (tone.class()) } x="0" y="0" width=(width) height="14" {} }
        }
    }
}

/// The filled part, as a percentage with two decimals (`50.00%`); never past 100.
fn fill_width(done: u64, total: u64) -> String {
    let total = total.max(1);
    // In u128, so the product cannot overflow; the quotient is at most 10 000.
    let hundredths = u128::from(done.min(total)) * 10_000 / u128::from(total);
    let mut text = (hundredths / 100).to_string();
    text.push('.');
    let rest = hundredths % 100;
    if rest < 10 {
        text.push('0');
    }
    text.push_str(&rest.to_string());
    text.push('%');
    text
}

/// Steps in order, each done (✓, with when or how, as markup: a `<time>`, say) or waiting (○).
pub fn checklist(steps: &[(&str, Option<Markup>, bool)]) -> Markup {
    html! {
        ul.steps {
            @for (label, detail, done) in steps {
                li {
                    @if *done { span.done aria-hidden="true" { "✓" } } @else { span.todo aria-hidden="true" { "○" } }
                    " " (label) " "
                    span.small.muted {
                        "· "
                        @if let Some(detail) = detail { (detail) } @else if *done { "done" } @else { "waiting" }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_is_a_labelled_picture_filled_to_its_share() {
        let html = progress_bar(3, 4, "Provisioning").into_string();
        assert!(html.contains(r#"<svg class="bar" role="img" aria-label="Provisioning""#), "{html}");
        assert!(html.contains(r#"width="75.00%""#), "{html}");
        assert!(html.contains("3 of 4"));
    }

    #[test]
    fn odd_totals_neither_divide_by_zero_nor_overflow() {
        assert!(!progress_bar(0, 0, "Nothing").into_string().contains("<rect"));
        assert!(progress_bar(12, 10, "Over").into_string().contains(r#"width="100.00%""#));
        assert!(progress_bar(u64::MAX, u64::MAX, "Huge").into_string().contains(r#"width="100.00%""#));
        assert!(progress_bar(1, 3, "Third").into_string().contains(r#"width="33.33%""#));
        assert!(progress_bar(1, 20, "Twentieth").into_string().contains(r#"width="5.00%""#));
    }

    #[test]
    fn progress_text_is_escaped() {
        let xss = "<script>alert(1)</script>\"'";
        for html in [progress_bar(1, 2, xss), checklist(&[(xss, Some(html! { (xss) }), true), (xss, None, false)])] {
            let html = html.into_string();
            assert!(!html.contains("<script"));
            assert!(!html.contains("\"'"));
        }
    }
}
