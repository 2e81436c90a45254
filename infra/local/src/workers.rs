//! In-process workers: what SQS-triggered Lambdas do in AWS, done here by draining the
//! embedded queue. A handler that fails leaves its message to be redelivered after the
//! visibility timeout and, after five deliveries, in the dead-letter list.
use std::time::Duration;

use store::ports::queue::{Queue, QueueError};

use crate::Platform;

pub use web::module::Worker;

/// What a worker's handler answers.
pub type HandlerFuture = web::module::BoxFuture<Result<(), String>>;

/// Every worker of every module.
pub fn all() -> Vec<Worker> {
    crate::MODULES.iter().flat_map(|m| m.workers.iter().copied()).collect()
}

/// How long a message stays hidden while a worker handles it.
const VISIBILITY: Duration = Duration::from_secs(30);

impl Platform {
    /// Handles every message visible now on every worker's queue; answers how many succeeded.
    pub async fn drain_queues(&self) -> Result<usize, QueueError> {
        let mut done = 0;
        for worker in &self.workers {
            loop {
                let batch = self.queue.receive(worker.queue, 10, VISIBILITY).await?;
                if batch.is_empty() {
                    break;
                }
                for message in batch {
                    match (worker.handle)(self.state.clone(), message.body).await {
                        Ok(()) => {
                            self.queue.delete(worker.queue, &message.receipt).await?;
                            done += 1;
                        }
                        Err(error) => tracing::warn!(queue = worker.queue.as_str(), id = %message.id,
                            attempt = message.receive_count, %error, "message failed; it will be redelivered"),
                    }
                }
            }
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use store::ports::queue::QueueName;
    use web::AppState;
    use crate::LocalConfig;

    static HANDLED: AtomicUsize = AtomicUsize::new(0);

    fn succeed_unless_poison(_state: AppState, body: String) -> HandlerFuture {
        Box::pin(async move {
            if body == "poison" {
                return Err("cannot handle poison".into());
            }
            HANDLED.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
    }

    #[tokio::test]
    async fn draining_handles_good_messages_and_leaves_failures_for_redelivery() {
        // GIVEN a platform with one worker and three messages, one of which always fails
        let dir = tempfile::tempdir().unwrap();
        let (platform, _) = Platform::open(LocalConfig::for_tests(dir.path().to_path_buf())).await.unwrap();
        let mut platform = Arc::into_inner(platform).unwrap();
        platform.workers = vec![Worker { queue: QueueName::Commissions, handle: succeed_unless_poison }];
        for body in ["a", "poison", "b"] {
            platform.queue.send(QueueName::Commissions, body).await.unwrap();
        }
        // WHEN the queues are drained
        let done = platform.drain_queues().await.unwrap();
        // THEN the good ones are handled and deleted; the poison waits, hidden, for redelivery
        assert_eq!(done, 2);
        assert_eq!(HANDLED.load(Ordering::SeqCst), 2);
        assert_eq!(platform.queue.depth(QueueName::Commissions).await.unwrap(), 1);
        assert_eq!(platform.drain_queues().await.unwrap(), 0, "a failed message stays hidden until its timeout");
    }
}
