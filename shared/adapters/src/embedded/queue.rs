//! The local queue: SQS semantics over the item store. At-least-once delivery, a visibility
//! timeout after each receive, redelivery of what was not deleted, and a dead-letter list
//! after `max_receives` deliveries (SQS's redrive policy). The local server's in-process
//! workers drain it.
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use domain::ids::new_ulid;
use domain::time::Timestamp;
use store::ports::clock::Clock;
use store::ports::item_store::{Cond, CmpOp, Item, ItemStore, Key, Query, StoreError, Update, Write};
use store::ports::queue::{Queue, QueueError, QueueName, Received};

#[derive(Clone)]
pub struct EmbeddedQueue {
    store: Arc<dyn ItemStore>,
    clock: Arc<dyn Clock>,
    max_receives: u32,
}

/// A message that was delivered `max_receives` times without being deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeadLetter {
    pub id: String,
    pub body: String,
    pub receive_count: u32,
    pub dead_at: Timestamp,
}

fn pk(queue: QueueName) -> String {
    format!("QUEUE#{}", queue.as_str())
}

fn dlq_pk(queue: QueueName) -> String {
    format!("QUEUE#{}#DLQ", queue.as_str())
}

fn unavailable(e: StoreError) -> QueueError {
    QueueError::Unavailable(e.to_string())
}

impl EmbeddedQueue {
    /// Five deliveries before a message is dead, as the template's redrive policy.
    pub const DEFAULT_MAX_RECEIVES: u32 = 5;

    pub fn new(store: Arc<dyn ItemStore>, clock: Arc<dyn Clock>) -> Self {
        EmbeddedQueue { store, clock, max_receives: Self::DEFAULT_MAX_RECEIVES }
    }

    pub fn with_max_receives(mut self, max_receives: u32) -> Self {
        self.max_receives = max_receives.max(1);
        self
    }

    /// The dead-letter list of `queue`, oldest first.
    pub async fn dead_letters(&self, queue: QueueName, limit: usize) -> Result<Vec<DeadLetter>, QueueError> {
        let page = self.store.query(Query::table(dlq_pk(queue)).limit(limit)).await.map_err(unavailable)?;
        page.items.iter().map(|i| i.record().map_err(unavailable)).collect()
    }

    /// How many messages wait in `queue`, visible or not (for the progress views).
    pub async fn depth(&self, queue: QueueName) -> Result<usize, QueueError> {
        let mut n = 0;
        let mut after = None;
        loop {
            let page = self.store.query(Query::table(pk(queue)).limit(1000).after(after)).await.map_err(unavailable)?;
            n += page.items.len();
            after = page.next;
            if after.is_none() {
                return Ok(n);
            }
        }
    }

    async fn bury(&self, queue: QueueName, item: &Item, count: i64) -> Result<(), StoreError> {
        let letter = DeadLetter {
            id: item.get_str("id").unwrap_or_default().to_string(),
            body: item.get_str("body").unwrap_or_default().to_string(),
            receive_count: count as u32,
            dead_at: self.clock.now(),
        };
        let dead = Item::from_record(Key::new(dlq_pk(queue), item.key.sk.clone()), &letter)?;
        self.store
            .transact(vec![
                Write::delete(item.key.clone()).when(Cond::eq("receive_count", count)),
                Write::put(dead),
            ])
            .await
    }
}

#[async_trait]
impl Queue for EmbeddedQueue {
    async fn send(&self, queue: QueueName, body: &str) -> Result<String, QueueError> {
        let now = self.clock.now();
        let id = new_ulid(now).to_string().to_lowercase();
        let item = Item::new(Key::new(pk(queue), format!("MSG#{id}")))
            .with("id", id.clone())
            .with("body", body)
            .with("receive_count", 0)
            .with("visible_at", now.unix());
        self.store.put(item, Some(Cond::Absent)).await.map_err(unavailable)?;
        Ok(id)
    }

    async fn receive(&self, queue: QueueName, max: usize, visibility: Duration) -> Result<Vec<Received>, QueueError> {
        let now = self.clock.now().unix();
        let hide_until = now + visibility.as_secs().max(1) as i64;
        let mut received = Vec::new();
        let mut after = None;
        while received.len() < max {
            let page = self.store.query(Query::table(pk(queue)).limit(100).after(after)).await.map_err(unavailable)?;
            for item in &page.items {
                if received.len() >= max {
                    break;
                }
                let count = item.get_i64("receive_count").unwrap_or(0);
                if item.get_i64("visible_at").unwrap_or(0) > now {
                    continue;
                }
                if count >= self.max_receives as i64 {
                    match self.bury(queue, item, count).await {
                        Ok(()) | Err(StoreError::ConditionFailed { .. }) => continue,
                        Err(e) => return Err(unavailable(e)),
                    }
                }
                // Claiming is a versioned update, so two consumers never both get one delivery.
                let claim = Update::new().add("receive_count", 1).set("visible_at", hide_until);
                let guard = Cond::eq("receive_count", count).and(Cond::cmp("visible_at", CmpOp::Le, now));
                match self.store.update(&item.key, claim, Some(guard)).await {
                    Ok(claimed) => received.push(Received {
                        id: claimed.get_str("id").unwrap_or_default().to_string(),
                        receipt: format!("{}|{}", item.key.sk, count + 1),
                        body: claimed.get_str("body").unwrap_or_default().to_string(),
                        receive_count: (count + 1) as u32,
                    }),
                    Err(StoreError::ConditionFailed { .. }) => continue,
                    Err(e) => return Err(unavailable(e)),
                }
            }
            after = page.next;
            if after.is_none() {
                break;
            }
        }
        Ok(received)
    }

    async fn delete(&self, queue: QueueName, receipt: &str) -> Result<(), QueueError> {
        let (sk, count) = receipt.rsplit_once('|').ok_or(QueueError::StaleReceipt)?;
        let count: i64 = count.parse().map_err(|_| QueueError::StaleReceipt)?;
        let key = Key::new(pk(queue), sk);
        match self.store.delete(&key, Some(Cond::eq("receive_count", count))).await {
            Ok(()) => Ok(()),
            Err(StoreError::ConditionFailed { .. }) => match self.store.get(&key).await.map_err(unavailable)? {
                // Already gone: deleting twice is harmless, as in SQS.
                None => Ok(()),
                Some(_) => Err(QueueError::StaleReceipt),
            },
            Err(e) => Err(unavailable(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embedded::{EmbeddedClock, EmbeddedStore};
    use store::testing::clock::ManualClock;

    async fn factory() -> Arc<dyn Queue> {
        let clock: Arc<dyn Clock> = Arc::new(EmbeddedClock::in_memory());
        let store = Arc::new(EmbeddedStore::in_memory(clock.clone()).unwrap());
        Arc::new(EmbeddedQueue::new(store, clock))
    }

    store::queue_conformance!(factory);

    #[tokio::test]
    async fn a_message_received_too_often_becomes_a_dead_letter() {
        // GIVEN a queue that allows two deliveries
        let clock = Arc::new(ManualClock::starting_now());
        let store = Arc::new(EmbeddedStore::in_memory(clock.clone()).unwrap());
        let queue = EmbeddedQueue::new(store, clock.clone()).with_max_receives(2);
        queue.send(QueueName::Provisioning, "poison").await.unwrap();
        // WHEN it is received twice and never deleted
        for _ in 0..2 {
            assert_eq!(queue.receive(QueueName::Provisioning, 10, Duration::from_secs(30)).await.unwrap().len(), 1);
            clock.advance(31);
        }
        // THEN the third receive finds nothing and the message is in the dead-letter list
        assert!(queue.receive(QueueName::Provisioning, 10, Duration::from_secs(30)).await.unwrap().is_empty());
        let dead = queue.dead_letters(QueueName::Provisioning, 10).await.unwrap();
        assert_eq!((dead.len(), dead[0].body.as_str(), dead[0].receive_count), (1, "poison", 2));
        assert_eq!(queue.depth(QueueName::Provisioning).await.unwrap(), 0);
    }

    #[tokio::test]
    async fn a_stale_receipt_cannot_delete_a_redelivered_message() {
        let clock = Arc::new(ManualClock::starting_now());
        let store = Arc::new(EmbeddedStore::in_memory(clock.clone()).unwrap());
        let queue = EmbeddedQueue::new(store, clock.clone());
        queue.send(QueueName::Dunning, "job").await.unwrap();
        let first = queue.receive(QueueName::Dunning, 1, Duration::from_secs(5)).await.unwrap().remove(0);
        clock.advance(6);
        let second = queue.receive(QueueName::Dunning, 1, Duration::from_secs(5)).await.unwrap().remove(0);
        assert!(matches!(queue.delete(QueueName::Dunning, &first.receipt).await, Err(QueueError::StaleReceipt)));
        queue.delete(QueueName::Dunning, &second.receipt).await.unwrap();
        assert_eq!(queue.depth(QueueName::Dunning).await.unwrap(), 0);
    }
}
