//! The queue conformance suite: the delivery semantics every `Queue` adapter keeps
//! (SQS in the emulator, the embedded queue). Real time passes in two cases (1 s visibility).
use std::sync::Arc;
use std::time::Duration;

use crate::ports::queue::{Queue, QueueName};

/// Expands to one `#[tokio::test]` per case; `factory()` gives a queue with empty queues.
#[macro_export]
macro_rules! queue_conformance {
    ($factory:path) => {
        $crate::queue_conformance!(@cases $factory;
            a_sent_message_is_received_once_while_hidden,
            a_deleted_message_is_not_redelivered,
            an_unacknowledged_message_is_redelivered_after_its_visibility_timeout,
            a_receive_takes_at_most_max_messages,
        );
    };
    (@cases $factory:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                $crate::testing::queue::$case($factory().await).await;
            }
        )*
    };
}

type Q = Arc<dyn Queue>;
const QUEUE: QueueName = QueueName::Provisioning;

pub async fn a_sent_message_is_received_once_while_hidden(queue: Q) {
    let id = queue.send(QUEUE, r#"{"tenant_id":"ten_1"}"#).await.expect("send");
    let got = queue.receive(QUEUE, 10, Duration::from_secs(30)).await.expect("receive");
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].id.as_str(), got[0].body.as_str(), got[0].receive_count), (id.as_str(), r#"{"tenant_id":"ten_1"}"#, 1));
    assert!(queue.receive(QUEUE, 10, Duration::from_secs(30)).await.expect("receive").is_empty());
    // Other queues are separate.
    assert!(queue.receive(QueueName::Dunning, 10, Duration::from_secs(30)).await.expect("receive").is_empty());
}

pub async fn a_deleted_message_is_not_redelivered(queue: Q) {
    queue.send(QUEUE, "once").await.expect("send");
    let got = queue.receive(QUEUE, 10, Duration::from_secs(1)).await.expect("receive");
    queue.delete(QUEUE, &got[0].receipt).await.expect("delete");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert!(queue.receive(QUEUE, 10, Duration::from_secs(1)).await.expect("receive").is_empty());
}

pub async fn an_unacknowledged_message_is_redelivered_after_its_visibility_timeout(queue: Q) {
    let id = queue.send(QUEUE, "again").await.expect("send");
    let first = queue.receive(QUEUE, 10, Duration::from_secs(1)).await.expect("receive");
    assert_eq!(first.len(), 1);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let second = queue.receive(QUEUE, 10, Duration::from_secs(30)).await.expect("receive");
    assert_eq!(second.len(), 1);
    assert_eq!((second[0].id.as_str(), second[0].receive_count), (id.as_str(), 2));
    queue.delete(QUEUE, &second[0].receipt).await.expect("delete");
}

pub async fn a_receive_takes_at_most_max_messages(queue: Q) {
    for i in 0..5 {
        queue.send(QUEUE, &format!("m{i}")).await.expect("send");
    }
    let mut seen = std::collections::BTreeSet::new();
    let first = queue.receive(QUEUE, 3, Duration::from_secs(30)).await.expect("receive");
    assert!(first.len() <= 3 && !first.is_empty());
    seen.extend(first.into_iter().map(|m| m.body));
    // SQS may answer with fewer than asked; keep receiving until all five came, each once.
    for _ in 0..10 {
        for m in queue.receive(QUEUE, 3, Duration::from_secs(30)).await.expect("receive") {
            assert!(seen.insert(m.body), "a hidden message was delivered twice");
        }
        if seen.len() == 5 {
            break;
        }
    }
    assert_eq!(seen.len(), 5);
}
