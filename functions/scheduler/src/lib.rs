//! The `scheduler` function: EventBridge schedules invoke it with `{"job": NAME}` and it runs
//! that scheduled job. The local server runs the same jobs from its own loop and from
//! `POST /dev/jobs/run`, through `run`.
pub mod tenants;

use serde_json::{Value, json};
use web::AppState;
use web::module::{Job as ModuleJob, Module};

/// A job the platform runs on a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    pub name: &'static str,
    /// How often it is due (the template's schedule expression says the same).
    pub every_seconds: i64,
}

/// This function, as the platform's list of modules sees it: its scheduled jobs.
pub const MODULE: Module = Module {
    jobs: &[
        ModuleJob { name: "billing-cycle", every_seconds: 3600, run: |state| Box::pin(async move { run_job(state, "billing-cycle").await }) },
        ModuleJob { name: "tenant-purge", every_seconds: 3600, run: |state| Box::pin(async move { run_job(state, "tenant-purge").await }) },
        ModuleJob {
            name: "provisioning-sweep",
            every_seconds: 600,
            run: |state| Box::pin(async move { run_job(state, "provisioning-sweep").await }),
        },
    ],
    ..Module::named("scheduler")
};

async fn run_job(state: AppState, name: &str) -> Result<(), String> {
    run(&state, name).await.map(|_| ()).map_err(|e| e.to_string())
}

/// Every scheduled job, in the order they run when several are due.
pub const JOBS: &[Job] = &[
    Job { name: "billing-cycle", every_seconds: 3600 },
    Job { name: "tenant-purge", every_seconds: 3600 },
    Job { name: "provisioning-sweep", every_seconds: 600 },
];

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("no scheduled job is named `{0}`")]
    Unknown(String),
    #[error("the event names no job (expected {{\"job\": NAME}} or an EventBridge detail with one)")]
    NoJob,
    #[error("job {job} failed: {cause}")]
    Failed { job: &'static str, cause: String },
}

/// The job an invocation asks for: the schedule's `Input` (`{"job": …}`) or an EventBridge
/// envelope whose `detail` carries it.
pub fn job_name(event: &Value) -> Result<&str, JobError> {
    event
        .get("job")
        .or_else(|| event.get("detail").and_then(|d| d.get("job")))
        .and_then(Value::as_str)
        .ok_or(JobError::NoJob)
}

/// Runs one job by name and answers its report.
pub async fn run(state: &AppState, name: &str) -> Result<Value, JobError> {
    let job = JOBS.iter().find(|j| j.name == name).ok_or_else(|| JobError::Unknown(name.to_string()))?;
    let started = state.clock.now();
    let report = match job.name {
        // Billing is not built yet (see README, "Not done yet"): the cycle has no
        // subscriptions to invoice, and says so rather than pretending.
        "billing-cycle" => json!({"subscriptions_invoiced": 0, "note": "billing not built yet"}),
        "tenant-purge" => tenants::purge(state).await.map_err(|e| JobError::Failed { job: job.name, cause: e.to_string() })?,
        "provisioning-sweep" => {
            tenants::sweep_provisioning(state).await.map_err(|e| JobError::Failed { job: job.name, cause: e.to_string() })?
        }
        other => return Err(JobError::Unknown(other.to_string())),
    };
    tracing::info!(job = job.name, at = %started, report = %report, "scheduled job ran");
    Ok(json!({"job": job.name, "at": started, "report": report}))
}

/// The Lambda entry point: one EventBridge invocation.
pub async fn handle(state: &AppState, event: lambda_runtime::LambdaEvent<Value>) -> Result<Value, JobError> {
    let name = job_name(&event.payload)?;
    run(state, name).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_job_comes_from_the_input_or_the_detail() {
        assert_eq!(job_name(&json!({"job": "billing-cycle"})).ok(), Some("billing-cycle"));
        assert_eq!(job_name(&json!({"detail-type": "Scheduled Event", "detail": {"job": "x"}})).ok(), Some("x"));
        assert!(matches!(job_name(&json!({"detail": {}})), Err(JobError::NoJob)));
    }
}
