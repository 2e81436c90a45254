//! `cargo run`: the whole platform on 127.0.0.1 (configuration: README, "Configuration").
#[tokio::main]
async fn main() -> std::process::ExitCode {
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
