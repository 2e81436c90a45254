//! The local scheduler: EventBridge's part on one machine. Each job's next due time is kept
//! in the store, so a restart neither skips nor repeats a run, and it reads the platform
//! clock, so `POST /dev/clock` makes jobs due.
use store::ports::item_store::{Cond, Item, Key, StoreError};
use web::module::Job;

use crate::Platform;

/// A job only the local server runs: the store's TTL sweep (DynamoDB deletes expired items
/// by itself in AWS). Its `run` is never called: the sweep needs the embedded store itself,
/// which the platform holds (see `run_due_jobs`).
pub const TTL_SWEEP: Job = Job { name: "ttl-sweep", every_seconds: 3600, run: |_| Box::pin(async { Ok(()) }) };

fn due_key(job: &str) -> Key {
    Key::new("SCHEDULE", format!("JOB#{job}"))
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("job {job} failed: {cause}")]
    Job { job: &'static str, cause: String },
}

impl Platform {
    /// Every module's jobs, in the modules' order, then the TTL sweep.
    fn all_jobs() -> impl Iterator<Item = Job> {
        crate::MODULES.iter().flat_map(|m| m.jobs.iter().copied()).chain(std::iter::once(TTL_SWEEP))
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
                (job.run)(self.state.clone()).await.map_err(|cause| RunError::Job { job: job.name, cause })?;
            }
            ran.push(job.name.to_string());
        }
        Ok(ran)
    }
}
