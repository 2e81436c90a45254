//! The `tenant-team` Lambda: the router under `lambda_http`, adapters built once per container.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::http::observability::init_logging();
    let state = shared::AppState::from_aws_env().await?;
    lambda_http::run(tenant_team::router(state)).await
}
