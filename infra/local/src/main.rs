//! `cargo run`: the whole platform on 127.0.0.1 (configuration: README, "Configuration").
//!
//! `dotmac-local token-key-id` prints the key id that the auth secret in `DOTMAC_AUTH_SECRET`
//! makes: the value of the AWS deployment's `TokenKeyId` parameter (`DOTMAC_TOKEN_KEY_ID`).
#[tokio::main]
async fn main() -> std::process::ExitCode {
    if std::env::args().nth(1).as_deref() == Some("token-key-id") {
        return token_key_id();
    }
    web::observability::init_logging();
    let result = match dotmac_local::LocalConfig::from_env() {
        Ok(config) => dotmac_local::serve(config).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dotmac: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// The secret is read from the environment, not the command line, so it stays out of the
/// shell history and the process list.
fn token_key_id() -> std::process::ExitCode {
    let Some(secret) = std::env::var("DOTMAC_AUTH_SECRET").ok().filter(|s| !s.is_empty()) else {
        eprintln!("dotmac: set DOTMAC_AUTH_SECRET to the deployment's auth secret");
        return std::process::ExitCode::FAILURE;
    };
    match auth::AuthState::key_id(secret.as_bytes()) {
        Ok(kid) => {
            println!("{kid}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("dotmac: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
