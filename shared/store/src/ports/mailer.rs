//! The mailer port: SES in AWS, an outbox in the store on one machine (`/dev/mailbox`).
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use domain::email::Email;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
/// One email, both parts already rendered (`web::emails::compose` writes the platform's
/// layout).
pub struct OutgoingEmail {
    pub to: Email,
    pub subject: String,
    pub text: String,
    pub html: String,
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
