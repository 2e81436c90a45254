//! The mailer port: SES in AWS, an outbox in the store on one machine (`/dev/mailbox`).
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::domain::email::Email;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingEmail {
    pub to: Email,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl OutgoingEmail {
    /// The platform's email layout: a text part and an HTML part with the same paragraphs,
    /// an optional call-to-action link (shown as a button and in full), and the signature.
    /// Every value is escaped in the HTML part.
    pub fn compose(to: &Email, subject: &str, lines: &[&str], link: Option<(&str, &str)>) -> OutgoingEmail {
        let mut text = lines.join("\n\n");
        let mut html: String = lines.iter().map(|l| format!("<p>{}</p>", escape(l))).collect();
        if let Some((label, url)) = link {
            text = format!("{text}\n\n{label}: {url}\n");
            html = format!(
                r#"{html}<p><a href="{0}">{1}</a></p><p style="color:#57606a">Or paste this link: {0}</p>"#,
                escape(url),
                escape(label)
            );
        }
        text += "\n\n— DotMac Platform";
        OutgoingEmail {
            to: to.clone(),
            subject: subject.into(),
            text,
            html: format!(r#"<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1b1f24">{html}<p>— DotMac Platform</p></body></html>"#),
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mail refused: {0}")]
    Rejected(String),
    #[error("mailer unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends one email; answers the provider's message id.
    async fn send(&self, email: &OutgoingEmail) -> Result<String, MailError>;
}
