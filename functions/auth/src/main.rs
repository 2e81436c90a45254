//! The `auth` Lambda: the only function that holds the token-signing secret.
//!
//! Nothing here touches the network before `lambda_http::run`: the state is read from the
//! environment, and the public key is published by the first request served (`auth::router`),
//! so a cold start neither waits on the table nor fails when it is unreachable.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    web::observability::init_logging();
    let app = web::AppState::from_aws_env().await?;
    let secret = std::env::var("DOTMAC_AUTH_SECRET").map_err(|_| "environment variable DOTMAC_AUTH_SECRET is not set")?;
    // Fails only on configuration: a secret that makes no key, or not the key
    // DOTMAC_TOKEN_KEY_ID names.
    let state = auth::AuthState::derive(app, secret.as_bytes())?;
    lambda_http::run(auth::router(state)).await
}
