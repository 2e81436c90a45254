//! The `provisioning-worker` Lambda: SQS batches → `provisioning_worker::handle_event`, which
//! reports the messages that failed so only those are redelivered.
use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    web::observability::init_logging();
    let state = web::AppState::from_aws_env().await?;
    let state = &state;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, lambda_runtime::Error>(provisioning_worker::handle_event(state, event).await)
    }))
    .await
}
