//! `SesMailer`: the mailer port on Amazon SES (v1 SendEmail), sending from one verified
//! sender address.
use async_trait::async_trait;
use aws_sdk_ses::Client;
use aws_sdk_ses::error::DisplayErrorContext;
use aws_sdk_ses::operation::send_email::SendEmailError;
use aws_sdk_ses::types::{Body, Content, Destination, Message};

use store::ports::mailer::{MailError, Mailer, OutgoingEmail};

/// The mailer port on SES, sending every email from `from`.
#[derive(Debug, Clone)]
pub struct SesMailer {
    client: Client,
    from: String,
}

impl SesMailer {
    /// `from` must be an identity SES has verified (or be in a verified domain).
    pub fn new(client: Client, from: impl Into<String>) -> Self {
        SesMailer { client, from: from.into() }
    }
}

fn utf8(data: &str) -> Result<Content, MailError> {
    Content::builder().data(data).charset("UTF-8").build().map_err(|e| MailError::Unavailable(e.to_string()))
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, MailError> {
        let message = Message::builder()
            .subject(utf8(&email.subject)?)
            .body(Body::builder().text(utf8(&email.text)?).html(utf8(&email.html)?).build())
            .build();
        let result = self
            .client
            .send_email()
            .source(&self.from)
            .destination(Destination::builder().to_addresses(email.to.as_str()).build())
            .message(message)
            .send()
            .await;
        match result {
            Ok(out) => Ok(out.message_id),
            Err(err) => Err(match err.as_service_error() {
                // Retrying the same email will not change SES's mind.
                Some(SendEmailError::MessageRejected(e)) => {
                    MailError::Rejected(e.message().unwrap_or("message rejected").to_string())
                }
                _ => MailError::Unavailable(DisplayErrorContext(&err).to_string()),
            }),
        }
    }
}
