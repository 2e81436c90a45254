//! `SqsQueue` on moto: the queue conformance suite, then what SQS adds on its own: the
//! dead-letter queue that takes a message no worker could handle.
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_sqs::types::QueueAttributeName;
use adapters::sqs::SqsQueue;
use store::ports::queue::{Queue, QueueError, QueueName};

use crate::emulator;

async fn client() -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::new(&emulator::sdk_config().await)
}

async fn create_queue(client: &aws_sdk_sqs::Client, attributes: HashMap<QueueAttributeName, String>) -> String {
    let name = emulator::unique("dotmac-test");
    let out = client
        .create_queue()
        .queue_name(&name)
        .set_attributes(Some(attributes))
        .send()
        .await
        .unwrap_or_else(|e| panic!("creating queue {name}: {}", aws_sdk_sqs::error::DisplayErrorContext(&e)));
    out.queue_url.expect("a queue URL")
}

async fn queue_arn(client: &aws_sdk_sqs::Client, url: &str) -> String {
    let out = client
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("queue attributes");
    out.attributes.and_then(|mut a| a.remove(&QueueAttributeName::QueueArn)).expect("a queue ARN")
}

/// Every logical queue on its own fresh SQS queue.
async fn factory() -> Arc<dyn Queue> {
    let client = client().await;
    let mut urls = HashMap::new();
    for name in QueueName::ALL {
        urls.insert(name, create_queue(&client, HashMap::new()).await);
    }
    Arc::new(SqsQueue::new(client, urls))
}

store::queue_conformance!(factory);

#[tokio::test]
async fn a_message_received_three_times_without_delete_lands_in_the_dead_letter_queue() {
    let client = client().await;
    let dlq = create_queue(&client, HashMap::new()).await;
    let redrive = serde_json::json!({"deadLetterTargetArn": queue_arn(&client, &dlq).await, "maxReceiveCount": "3"});
    let work = create_queue(&client, HashMap::from([(QueueAttributeName::RedrivePolicy, redrive.to_string())])).await;
    // The DLQ is read through the port too, as the operator's redrive tooling would.
    let queue = SqsQueue::new(client, HashMap::from([(QueueName::Provisioning, work), (QueueName::Dunning, dlq)]));

    let id = queue.send(QueueName::Provisioning, "poison").await.expect("send");
    for attempt in 1..=3 {
        let got = queue.receive(QueueName::Provisioning, 10, Duration::from_secs(1)).await.expect("receive");
        assert_eq!(got.len(), 1, "delivery {attempt}");
        assert_eq!((got[0].id.as_str(), got[0].receive_count), (id.as_str(), attempt));
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
    // The fourth delivery would exceed maxReceiveCount: SQS moves the message instead.
    assert!(queue.receive(QueueName::Provisioning, 10, Duration::from_secs(1)).await.expect("receive").is_empty());
    let dead = queue.receive(QueueName::Dunning, 10, Duration::from_secs(30)).await.expect("receive from the DLQ");
    assert_eq!(dead.len(), 1);
    assert_eq!((dead[0].id.as_str(), dead[0].body.as_str()), (id.as_str(), "poison"));
    queue.delete(QueueName::Dunning, &dead[0].receipt).await.expect("delete");
}

#[tokio::test]
async fn one_receive_takes_at_most_ten_messages_whatever_max_says() {
    let queue = factory().await;
    for i in 0..12 {
        queue.send(QueueName::Commissions, &format!("m{i}")).await.expect("send");
    }
    let got = queue.receive(QueueName::Commissions, 100, Duration::from_secs(30)).await.expect("receive");
    assert!(!got.is_empty() && got.len() <= 10, "{} messages", got.len());
    assert!(queue.receive(QueueName::Commissions, 0, Duration::from_secs(30)).await.expect("receive").is_empty());
}

#[tokio::test]
async fn a_receipt_sqs_never_issued_is_stale() {
    let queue = factory().await;
    let err = queue.delete(QueueName::Provisioning, "not-a-receipt").await;
    assert!(matches!(err, Err(QueueError::StaleReceipt)), "{err:?}");
}

#[tokio::test]
async fn a_queue_without_a_configured_url_answers_not_configured() {
    let queue = SqsQueue::new(client().await, HashMap::new());
    let err = queue.send(QueueName::Dunning, "x").await;
    assert!(matches!(err, Err(QueueError::NotConfigured("dunning"))), "{err:?}");
    let err = queue.receive(QueueName::Dunning, 1, Duration::from_secs(1)).await;
    assert!(matches!(err, Err(QueueError::NotConfigured("dunning"))), "{err:?}");
}

#[tokio::test]
async fn a_queue_that_does_not_exist_answers_unavailable() {
    let endpoint = emulator::endpoint();
    let url = format!("{endpoint}/000000000000/{}", emulator::unique("missing"));
    let queue = SqsQueue::new(client().await, HashMap::from([(QueueName::Provisioning, url)]));
    let err = queue.send(QueueName::Provisioning, "x").await;
    assert!(matches!(err, Err(QueueError::Unavailable(_))), "{err:?}");
}
