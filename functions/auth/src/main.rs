//! The `auth` Lambda: the only function that holds the token-signing secret.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    web::observability::init_logging();
    let app = web::AppState::from_aws_env().await?;
    let secret = std::env::var("DOTMAC_AUTH_SECRET").map_err(|_| "environment variable DOTMAC_AUTH_SECRET is not set")?;
    let state = auth::AuthState::new(app, secret.as_bytes()).await?;
    lambda_http::run(auth::router(state)).await
}
