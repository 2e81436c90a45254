//! The local server's settings, from the environment (API.md, "Local-only").
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct LocalConfig {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub admin_email: String,
    /// None: generate one on first start and print it once.
    pub admin_password: Option<String>,
    pub public_url: String,
    /// Seconds between the scheduler's checks for due jobs (0 turns the loop off; tests
    /// call `/dev/jobs/run` instead).
    pub tick_seconds: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} must be host:port, not `{value}`")]
    Listen { name: &'static str, value: String },
    #[error("DOTMAC_TICK_SECONDS must be a whole number, not `{0}`")]
    Tick(String),
}

impl LocalConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_string());
        let listen_raw = var("DOTMAC_LISTEN", "127.0.0.1:8080");
        let listen = listen_raw
            .parse()
            .map_err(|_| ConfigError::Listen { name: "DOTMAC_LISTEN", value: listen_raw.clone() })?;
        let tick_raw = var("DOTMAC_TICK_SECONDS", "15");
        let tick_seconds = tick_raw.parse().map_err(|_| ConfigError::Tick(tick_raw.clone()))?;
        Ok(LocalConfig {
            listen,
            data_dir: PathBuf::from(var("DOTMAC_DATA_DIR", "./.dotmac")),
            admin_email: var("DOTMAC_ADMIN_EMAIL", "admin@dotmac.local"),
            admin_password: std::env::var("DOTMAC_ADMIN_PASSWORD").ok().filter(|p| !p.is_empty()),
            public_url: var("DOTMAC_PUBLIC_URL", &format!("http://{listen}")).trim_end_matches('/').to_string(),
            tick_seconds,
        })
    }

    /// A config for tests: a data dir of their own, an ephemeral port, no background loop.
    pub fn for_tests(data_dir: PathBuf) -> Self {
        LocalConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir,
            admin_email: "admin@dotmac.local".into(),
            admin_password: Some("admin-password-for-tests".into()),
            public_url: "http://127.0.0.1:8080".into(),
            tick_seconds: 0,
        }
    }
}
