//! The local mailer: every email lands in an outbox in the store instead of being sent, and
//! `/dev/mailbox` shows it. Links are extracted so tests and people can follow them.
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use domain::ids::new_ulid;
use domain::time::Timestamp;
use store::ports::clock::Clock;
use store::ports::item_store::{Cond, Cursor, Item, ItemStore, Key, Query, StoreError};
use store::ports::mailer::{MailError, Mailer, OutgoingEmail};

const PK: &str = "OUTBOX";

/// One email as the outbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoredEmail {
    pub id: String,
    pub at: Timestamp,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Every http(s) URL in the text part, in order.
    pub links: Vec<String>,
}

#[derive(Clone)]
pub struct Outbox {
    store: Arc<dyn ItemStore>,
    clock: Arc<dyn Clock>,
}

impl Outbox {
    pub fn new(store: Arc<dyn ItemStore>, clock: Arc<dyn Clock>) -> Self {
        Outbox { store, clock }
    }

    /// Newest first.
    pub async fn list(&self, limit: usize, after: Option<Cursor>) -> Result<(Vec<StoredEmail>, Option<Cursor>), StoreError> {
        let page = self.store.query(Query::table(PK).prefix("MAIL#").backward().limit(limit).after(after)).await?;
        let mails = page.items.iter().map(Item::record).collect::<Result<Vec<StoredEmail>, _>>()?;
        Ok((mails, page.next))
    }
}

/// The http(s) URLs in `text`, trimmed of trailing punctuation.
pub fn extract_links(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == '<' || c == '>' || c == '"')
        .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
        .map(|w| w.trim_end_matches(['.', ',', ')', ';', '!', '?']).to_string())
        .collect()
}

#[async_trait]
impl Mailer for Outbox {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, MailError> {
        let now = self.clock.now();
        let id = format!("msg_{}", new_ulid(now).to_string().to_lowercase());
        let stored = StoredEmail {
            id: id.clone(),
            at: now,
            to: email.to.to_string(),
            subject: email.subject.clone(),
            text: email.text.clone(),
            html: email.html.clone(),
            links: extract_links(&email.text),
        };
        let item = Item::from_record(Key::new(PK, format!("MAIL#{id}")), &stored)
            .map_err(|e| MailError::Unavailable(e.to_string()))?;
        self.store.put(item, Some(Cond::Absent)).await.map_err(|e| MailError::Unavailable(e.to_string()))?;
        tracing::info!(to = %email.to, subject = %email.subject, id = %id, "email kept in the local outbox");
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embedded::EmbeddedStore;
    use domain::email::Email;
    use store::testing::clock::ManualClock;

    #[test]
    fn links_are_found_in_text() {
        assert_eq!(
            extract_links("Verify: http://127.0.0.1:8080/auth/verify-email?token=abc.\nOr <https://x.io/a>"),
            ["http://127.0.0.1:8080/auth/verify-email?token=abc", "https://x.io/a"]
        );
    }

    #[tokio::test]
    async fn sent_mail_is_listed_newest_first() {
        let clock = Arc::new(ManualClock::starting_now());
        let store = Arc::new(EmbeddedStore::in_memory(clock.clone()).unwrap());
        let outbox = Outbox::new(store, clock.clone());
        for subject in ["first", "second"] {
            let mail = OutgoingEmail {
                to: Email::parse("ada@example.com").unwrap(),
                subject: subject.into(),
                text: "see http://x.test/a".into(),
                html: "<p>see</p>".into(),
            };
            outbox.send(&mail).await.unwrap();
            clock.advance(1);
        }
        let (mails, next) = outbox.list(10, None).await.unwrap();
        assert_eq!(mails.iter().map(|m| m.subject.as_str()).collect::<Vec<_>>(), ["second", "first"]);
        assert_eq!(mails[0].links, ["http://x.test/a"]);
        assert_eq!(next, None);
    }
}
