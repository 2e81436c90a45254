//! SQS workers on Lambda: one message at a time, partial batch failures reported.
//!
//! The function's event source mapping must have `FunctionResponseTypes:
//! [ReportBatchItemFailures]` (template.yaml; a test checks it), or a single failure would
//! send the whole batch back and redo messages that already succeeded.
use std::future::Future;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};

/// Runs `handle` on each message body; the ids of the messages that failed are returned so
/// SQS redelivers only those (and, after the redrive limit, moves them to the DLQ).
pub async fn handle_batch<F, Fut, E>(event: SqsEvent, handle: F) -> SqsBatchResponse
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    let mut response = SqsBatchResponse::default();
    for record in event.records {
        let Some(id) = record.message_id else {
            // Without an id SQS cannot be told which message failed; it is logged and dropped.
            tracing::error!("SQS record without a message id");
            continue;
        };
        let outcome = match record.body {
            Some(body) => handle(body).await.map_err(|e| e.to_string()),
            None => Err("message has no body".to_string()),
        };
        if let Err(error) = outcome {
            tracing::warn!(message_id = %id, %error, "message failed; SQS will redeliver it");
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            response.batch_item_failures.push(failure);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lambda_events::event::sqs::SqsMessage;

    fn message(id: &str, body: &str) -> SqsMessage {
        let mut m = SqsMessage::default();
        m.message_id = Some(id.into());
        m.body = Some(body.into());
        m
    }

    #[tokio::test]
    async fn only_the_failed_messages_are_reported() {
        let mut event = SqsEvent::default();
        event.records = vec![message("1", "fail"), message("2", "ok"), message("3", "fail")];
        let response = handle_batch(event, |body| async move {
            if body == "fail" { Err("boom") } else { Ok(()) }
        })
        .await;
        let failed: Vec<&str> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
        assert_eq!(failed, ["1", "3"]);
    }

    #[tokio::test]
    async fn a_message_without_a_body_fails() {
        let mut event = SqsEvent::default();
        let mut empty = SqsMessage::default();
        empty.message_id = Some("9".into());
        event.records = vec![empty];
        let response = handle_batch(event, |_| async { Ok::<(), String>(()) }).await;
        assert_eq!(response.batch_item_failures.len(), 1);
    }
}
