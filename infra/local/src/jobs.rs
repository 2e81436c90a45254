//! The local scheduler: EventBridge's part on one machine. Each job's next due time is kept
//! in the store, so a restart neither skips nor repeats a run, and it reads the platform
//! clock, so `POST /dev/clock` makes jobs due.
use shared::ports::item_store::{Cond, Item, Key, StoreError};

use crate::Platform;

/// A job only the local server runs: the store's TTL sweep (DynamoDB deletes expired items
/// by itself in AWS).
pub const TTL_SWEEP: scheduler::Job = scheduler::Job { name: "ttl-sweep", every_seconds: 3600 };

fn due_key(job: &str) -> Key {
    Key::new("SCHEDULE", format!("JOB#{job}"))
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Job(#[from] scheduler::JobError),
}

impl Platform {
    fn all_jobs() -> impl Iterator<Item = scheduler::Job> {
        scheduler::JOBS.iter().copied().chain(std::iter::once(TTL_SWEEP))
    }

    /// Runs every job due at the platform clock once; answers the names that ran.
    pub async fn run_due_jobs(&self) -> Result<Vec<String>, RunError> {
        let now = self.state.clock.now().unix();
        let mut ran = Vec::new();
        for job in Self::all_jobs() {
            let key = due_key(job.name);
            let stored = self.state.store.get(&key).await?;
            let due = stored.as_ref().and_then(|i| i.get_i64("next_due")).unwrap_or(now);
            if due > now {
                continue;
            }
            // Claim this run first: two loops (or a loop and /dev/jobs/run) never both run it.
            let claim = Item::new(key).with("next_due", now + job.every_seconds).with("last_run", now);
            let guard = match stored.and_then(|i| i.get_i64("next_due")) {
                Some(previous) => Cond::eq("next_due", previous),
                None => Cond::Absent,
            };
            match self.state.store.put(claim, Some(guard)).await {
                Ok(()) => {}
                Err(StoreError::ConditionFailed { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
            if job == TTL_SWEEP {
                let removed = self.store.sweep_expired().await?;
                tracing::info!(job = job.name, removed, "scheduled job ran");
            } else {
                scheduler::run(&self.state, job.name).await?;
            }
            ran.push(job.name.to_string());
        }
        Ok(ran)
    }
}
