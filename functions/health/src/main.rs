//! The `health` Lambda: the router under `lambda_http`, adapters built once per container.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    web::observability::init_logging();
    let state = web::AppState::from_aws_env().await?;
    lambda_http::run(health::router(state)).await
}
