//! Status badges: a short word on a tinted pill, its colour saying how good or bad it is.
use maud::{Markup, html};

/// How a status reads at a glance; shared by badges, KPI deltas and progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tone {
    #[default]
    Neutral,
    Info,
    Success,
    Warning,
    Danger,
}

impl Tone {
    /// The stylesheet's class for this tone.
    /// The tone's name, as `data-tone` carries it on a badge.
    pub fn name(self) -> &'static str {
        match self {
            Tone::Neutral => "neutral",
            Tone::Info => "info",
            Tone::Success => "success",
            Tone::Warning => "warning",
            Tone::Danger => "danger",
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            Tone::Neutral => "tone-neutral",
            Tone::Info => "tone-info",
            Tone::Success => "tone-success",
            Tone::Warning => "tone-warning",
            Tone::Danger => "tone-danger",
        }
    }
}

/// `Active`, `Suspended`, `2FA off`…: colour is never the only signal, the label says it.
pub fn status_badge(label: &str, tone: Tone) -> Markup {
    // The tone is an attribute, not a class: `class="badge"` stays the one badge class,
    // whatever its colour.
    html! { span.badge data-tone=(tone.name()) { (label) } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_badge_carries_its_tone_class() {
        let html = status_badge("Active", Tone::Success).into_string();
        assert_eq!(html, r#"<span class="badge" data-tone="success">Active</span>"#);
    }

    #[test]
    fn a_badge_label_is_escaped() {
        let html = status_badge("<script>alert(1)</script>\"'", Tone::Danger).into_string();
        assert!(!html.contains("<script"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;'"));
    }
}
