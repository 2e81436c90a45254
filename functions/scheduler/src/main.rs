//! The `scheduler` Lambda: EventBridge schedules → `scheduler::handle`.
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    web::observability::init_logging();
    let state = web::AppState::from_aws_env().await?;
    let state = &state;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        // Reported to Lambda as a failed invocation, so the schedule's retry policy applies.
        scheduler::handle(state, event).await.map_err(lambda_runtime::Error::from)
    }))
    .await
}
