//! Key figures: a label, a big value, how it moved and a word of context.
use maud::{Markup, html};

use super::badge::Tone;

/// One figure. `delta` is the change and its tone ("+12.4%", Success); `hint` says what it is
/// compared with ("vs. last month").
pub fn kpi_card(label: &str, value: &str, delta: Option<(&str, Tone)>, hint: Option<&str>) -> Markup {
    html! {
        section.kpi {
            p.kpi-label { (label) }
            p.kpi-value { (value) }
            @if delta.is_some() || hint.is_some() {
                p.kpi-foot {
                    @if let Some((text, tone)) = delta { span class={ "badge " (tone.class()) } { (text) } }
                    @if let Some(hint) = hint { span { (hint) } }
                }
            }
        }
    }
}

/// Cards side by side, as many per row as fit (two on a phone).
pub fn kpi_grid(cards: impl IntoIterator<Item = Markup>) -> Markup {
    html! {
        div.kpis {
            @for card in cards { (card) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_shows_value_delta_and_hint() {
        let html = kpi_card("MRR", "$12,400.00", Some(("+4.2%", Tone::Success)), Some("vs. last month")).into_string();
        assert!(html.contains(r#"<p class="kpi-value">$12,400.00</p>"#));
        assert!(html.contains(r#"<span class="badge tone-success">+4.2%</span>"#));
        assert!(html.contains("vs. last month"));
        assert!(!kpi_card("Tenants", "12", None, None).into_string().contains("kpi-foot"));
    }

    #[test]
    fn card_text_is_escaped() {
        let xss = "<script>alert(1)</script>\"'";
        let html = kpi_grid([kpi_card(xss, xss, Some((xss, Tone::Danger)), Some(xss))]).into_string();
        assert!(html.starts_with(r#"<div class="kpis">"#));
        assert!(!html.contains("<script"));
        assert!(!html.contains("\"'"));
    }
}
