//! `SqsQueue`: the queue port on Amazon SQS, one SQS queue per `QueueName` (each with its
//! dead-letter queue set up in `template.yaml`, which is where redrive happens).
use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::{DisplayErrorContext, SdkError};
use aws_sdk_sqs::operation::delete_message::DeleteMessageError;
use aws_sdk_sqs::types::MessageSystemAttributeName;

use store::ports::queue::{Queue, QueueError, QueueName, Received};

/// SQS hands out at most this many messages per ReceiveMessage.
const MAX_BATCH: usize = 10;

/// SQS's longest visibility timeout (12 hours).
const MAX_VISIBILITY_SECONDS: u64 = 43_200;

/// The queue port on SQS: each logical queue is the SQS queue at its configured URL.
#[derive(Debug, Clone)]
pub struct SqsQueue {
    client: Client,
    urls: HashMap<QueueName, String>,
}

impl SqsQueue {
    pub fn new(client: Client, urls: HashMap<QueueName, String>) -> Self {
        SqsQueue { client, urls }
    }

    /// The queues whose URL variable (`QueueName::url_env`) is set; a Lambda is only given
    /// the queues it uses, so the others answer `NotConfigured` when used.
    pub fn from_env(client: Client) -> Self {
        let urls = QueueName::ALL
            .into_iter()
            .filter_map(|q| std::env::var(q.url_env()).ok().filter(|u| !u.is_empty()).map(|u| (q, u)))
            .collect();
        SqsQueue { client, urls }
    }

    fn url(&self, queue: QueueName) -> Result<&str, QueueError> {
        self.urls.get(&queue).map(String::as_str).ok_or(QueueError::NotConfigured(queue.as_str()))
    }
}

fn unavailable<E>(err: SdkError<E>) -> QueueError
where
    E: std::error::Error + Send + Sync + 'static,
{
    QueueError::Unavailable(DisplayErrorContext(&err).to_string())
}

/// Whole seconds, rounded up so a message is never hidden for less than asked.
fn visibility_seconds(visibility: Duration) -> i32 {
    let secs = visibility.as_secs() + u64::from(visibility.subsec_nanos() > 0);
    i32::try_from(secs.min(MAX_VISIBILITY_SECONDS)).unwrap_or(i32::MAX)
}

#[async_trait]
impl Queue for SqsQueue {
    async fn send(&self, queue: QueueName, body: &str) -> Result<String, QueueError> {
        let out = self
            .client
            .send_message()
            .queue_url(self.url(queue)?)
            .message_body(body)
            .send()
            .await
            .map_err(unavailable)?;
        out.message_id.ok_or_else(|| QueueError::Unavailable("SendMessage returned no message id".into()))
    }

    async fn receive(&self, queue: QueueName, max: usize, visibility: Duration) -> Result<Vec<Received>, QueueError> {
        let url = self.url(queue)?;
        if max == 0 {
            return Ok(Vec::new());
        }
        let out = self
            .client
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(max.min(MAX_BATCH) as i32)
            .visibility_timeout(visibility_seconds(visibility))
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            // Short polling: callers poll on their own schedule and must not be held up.
            .wait_time_seconds(0)
            .send()
            .await
            .map_err(unavailable)?;
        out.messages
            .unwrap_or_default()
            .into_iter()
            .map(|m| {
                let receive_count = m
                    .attributes()
                    .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(1);
                match (m.message_id, m.receipt_handle) {
                    (Some(id), Some(receipt)) => {
                        Ok(Received { id, receipt, body: m.body.unwrap_or_default(), receive_count })
                    }
                    _ => Err(QueueError::Unavailable("ReceiveMessage returned a message without id or receipt".into())),
                }
            })
            .collect()
    }

    async fn delete(&self, queue: QueueName, receipt: &str) -> Result<(), QueueError> {
        match self.client.delete_message().queue_url(self.url(queue)?).receipt_handle(receipt).send().await {
            Ok(_) => Ok(()),
            Err(err) => match err.as_service_error() {
                Some(DeleteMessageError::ReceiptHandleIsInvalid(_)) => Err(QueueError::StaleReceipt),
                _ => Err(unavailable(err)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_visibility_timeout_is_rounded_up_to_whole_seconds_and_capped_at_twelve_hours() {
        assert_eq!(visibility_seconds(Duration::from_secs(30)), 30);
        assert_eq!(visibility_seconds(Duration::from_millis(1500)), 2);
        assert_eq!(visibility_seconds(Duration::ZERO), 0);
        assert_eq!(visibility_seconds(Duration::from_secs(100_000)), 43_200);
    }
}
