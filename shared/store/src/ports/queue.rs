//! The queue port: at-least-once delivery of work to workers (SQS in AWS, a table-backed
//! queue on one machine). A message may arrive twice; workers make that harmless.
use std::time::Duration;

use async_trait::async_trait;

/// The logical queues the platform has; each maps to one SQS queue (+ its DLQ) in AWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueueName {
    Provisioning,
    Dunning,
    Commissions,
}

impl QueueName {
    pub const ALL: [QueueName; 3] = [QueueName::Provisioning, QueueName::Dunning, QueueName::Commissions];

    pub fn as_str(self) -> &'static str {
        match self {
            QueueName::Provisioning => "provisioning",
            QueueName::Dunning => "dunning",
            QueueName::Commissions => "commissions",
        }
    }

    /// The environment variable that names this queue's URL in a Lambda.
    pub fn url_env(self) -> &'static str {
        match self {
            QueueName::Provisioning => "PROVISIONING_QUEUE_URL",
            QueueName::Dunning => "DUNNING_QUEUE_URL",
            QueueName::Commissions => "COMMISSIONS_QUEUE_URL",
        }
    }
}

/// A message handed to a consumer. Delete it with its `receipt` once handled; otherwise it
/// becomes visible again after the visibility timeout and is delivered again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub id: String,
    pub receipt: String,
    pub body: String,
    /// 1 on first delivery.
    pub receive_count: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("queue {0} is not configured")]
    NotConfigured(&'static str),
    #[error("receipt is no longer valid")]
    StaleReceipt,
    #[error("queue unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait Queue: Send + Sync {
    /// Enqueues `body`; answers the message id.
    async fn send(&self, queue: QueueName, body: &str) -> Result<String, QueueError>;

    /// Takes up to `max` visible messages and hides them for `visibility`.
    async fn receive(&self, queue: QueueName, max: usize, visibility: Duration) -> Result<Vec<Received>, QueueError>;

    /// Acknowledges a handled message.
    async fn delete(&self, queue: QueueName, receipt: &str) -> Result<(), QueueError>;
}
