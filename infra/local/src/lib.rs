//! DotMac Platform on one machine: every function's router on one listener, the embedded
//! adapters (a SQLite file, a table-backed queue, an outbox, a persisted clock), the
//! in-process workers and the scheduler loop, and the local-only `/dev/*` routes.
pub mod config;
pub mod dev;
pub mod jobs;
pub mod seed;
pub mod workers;

use std::io::Write as _;
use std::sync::Arc;

use axum::Router;
use adapters::embedded::{EmbeddedClock, EmbeddedQueue, EmbeddedStore, Outbox};
use store::ports::clock::Clock;
use store::ports::item_store::StoreError;
use web::module::{Deps, Module};
use web::{AppState, Config};

pub use config::LocalConfig;

/// Every function of the platform, as data: the local server serves their routes, runs their
/// workers and jobs, and the tests check each against the OpenAPI document and
/// `template.yaml`. A new journey is one crate and one line here.
pub const MODULES: &[Module] = &[
    health::MODULE,
    auth::MODULE,
    admin_users::MODULE,
    tenant_team::MODULE,
    admin_tenants::MODULE,
    provisioning_worker::MODULE,
    scheduler::MODULE,
];

/// The running platform's parts, for the dev routes, loops and tests.
pub struct Platform {
    pub state: AppState,
    /// What the modules' routes are built from.
    pub deps: Deps,
    /// The auth module's signer, for tests that forge tokens.
    pub auth: auth::AuthState,
    pub store: EmbeddedStore,
    pub clock: Arc<EmbeddedClock>,
    pub queue: EmbeddedQueue,
    pub outbox: Outbox,
    pub workers: Vec<workers::Worker>,
    pub config: LocalConfig,
}

#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error("data dir {0}: {1}")]
    DataDir(String, std::io::Error),
    #[error(transparent)]
    Clock(#[from] adapters::embedded::clock::ClockError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Seed(#[from] seed::SeedError),
    #[error("starting a module: {0}")]
    Init(String),
    #[error("cannot listen on {0}: {1}")]
    Listen(String, std::io::Error),
    #[error("server: {0}")]
    Serve(std::io::Error),
}

/// The signing secret of this installation: 32 random bytes kept in the data dir (mode
/// 0600), made on first start. Keys for cursors (and later tokens) derive from it.
fn load_or_create_secret(dir: &std::path::Path) -> Result<Vec<u8>, LocalError> {
    use rand::RngCore;
    let path = dir.join("signing.secret");
    let io = |e| LocalError::DataDir(path.display().to_string(), e);
    match std::fs::read(&path) {
        Ok(bytes) if bytes.len() >= 32 => return Ok(bytes),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e)),
    }
    let mut secret = vec![0u8; 32];
    rand::thread_rng().fill_bytes(&mut secret);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).map_err(io)?;
    file.write_all(&secret).map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(secret)
}

impl Platform {
    /// Opens (or creates) the platform in `config.data_dir` and seeds the first admin.
    pub async fn open(config: LocalConfig) -> Result<(Arc<Platform>, seed::Seeded), LocalError> {
        let dir = &config.data_dir;
        std::fs::create_dir_all(dir).map_err(|e| LocalError::DataDir(dir.display().to_string(), e))?;
        let secret = load_or_create_secret(dir)?;
        let clock = Arc::new(EmbeddedClock::open(&dir.join("clock"))?);
        let clock_port: Arc<dyn Clock> = clock.clone();
        let store = EmbeddedStore::open(&dir.join("store.sqlite"), clock_port.clone())?;
        let store_port = Arc::new(store.clone());
        let queue = EmbeddedQueue::new(store_port.clone(), clock_port.clone());
        let outbox = Outbox::new(store_port.clone(), clock_port.clone());
        let auth_secret = web::state::derive_key(&secret, "auth-secret");
        // The local server is its own deployment: it trusts the key its auth secret makes,
        // and no other key id, whatever is in the store.
        let token_key_id = auth::AuthState::key_id(&auth_secret).map_err(|e| LocalError::Init(e.to_string()))?;
        let tokens = web::auth::jwt::TokenVerifier::pinned(store_port.clone(), &token_key_id)
            .map_err(|e| LocalError::Init(e.to_string()))?;
        let state = AppState {
            tokens,
            store: store_port,
            queue: Arc::new(queue.clone()),
            mailer: Arc::new(outbox.clone()),
            clock: clock_port,
            config: Arc::new(Config {
                public_url: config.public_url.clone(),
                cursor_key: web::state::derive_key(&secret, "cursor"),
                csrf_key: web::state::derive_key(&secret, "csrf"),
            }),
        };
        let seeded = seed::seed_admin(&state, &config.admin_email, config.admin_password.as_deref()).await?;
        let deps = Deps { app: state.clone(), auth_secret: auth_secret.into() };
        for init in MODULES.iter().filter_map(|m| m.init) {
            init(deps.clone()).await.map_err(LocalError::Init)?;
        }
        let auth = auth::AuthState::derive(state.clone(), &deps.auth_secret).map_err(|e| LocalError::Init(e.to_string()))?;
        let platform = Platform { state, deps, auth, store, clock, queue, outbox, workers: workers::all(), config };
        Ok((Arc::new(platform), seeded))
    }

    /// Every function's routes, the `/dev/*` routes, one listener.
    ///
    /// The `/dev/*` routes move the clock, run jobs and show every email (sign-up links,
    /// password resets): they exist only when the server listens on a loopback address
    /// (`config.listen`, the address `serve` binds). Listening on any other address, they
    /// answer 404 like any unknown path, and the rest is served as usual.
    pub fn router(self: &Arc<Self>) -> Router {
        // Each function's routes exactly as its Lambda serves them, finished once.
        let mut routes = web::module::mount(MODULES, &self.deps);
        if dev::allowed_on(self.config.listen.ip()) {
            routes = routes.merge(dev::routes(self.clone()));
        } else {
            tracing::warn!(listen = %self.config.listen, "not a loopback address: the /dev routes are off");
        }
        web::finish(routes, &self.state)
    }

    /// The scheduler and worker loop: every `tick_seconds`, due jobs run and queues drain.
    pub fn spawn_background(self: &Arc<Self>) {
        if self.config.tick_seconds == 0 {
            return;
        }
        let platform = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(platform.config.tick_seconds));
            loop {
                tick.tick().await;
                if let Err(e) = platform.drain_queues().await {
                    tracing::error!(error = %e, "draining the queues failed");
                }
                if let Err(e) = platform.run_due_jobs().await {
                    tracing::error!(error = %e, "a scheduled job failed");
                }
            }
        });
    }
}

fn banner(url: &str, seeded: &seed::Seeded, data_dir: &std::path::Path) -> String {
    let admin = match seeded {
        seed::Seeded::Created { email, generated_password: Some(p) } => format!(
            "  First platform admin: {email}\n  Password (shown once, save it now): {p}"
        ),
        seed::Seeded::Created { email, generated_password: None } => {
            format!("  First platform admin: {email} (password from DOTMAC_ADMIN_PASSWORD)")
        }
        seed::Seeded::AlreadyThere { email } => {
            format!("  Platform admin: {email} (password as set on first start)")
        }
    };
    format!(
        "\nDotMac Platform is running at {url}\n\n{admin}\n  Sign in: {url}/auth/login (the admin lands on {url}/dashboard)\n\n  Health:   {url}/healthz\n  API docs: {url}/api/v1/openapi.json\n  Mailbox:  {url}/dev/mailbox\n  Data:     {}\n",
        data_dir.display()
    )
}

/// `cargo run`: open the platform, print how to use it, serve until Ctrl-C.
pub async fn serve(config: LocalConfig) -> Result<(), LocalError> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| LocalError::Listen(config.listen.to_string(), e))?;
    let (platform, seeded) = Platform::open(config).await?;
    let url = match listener.local_addr() {
        Ok(addr) => format!("http://{addr}"),
        Err(_) => platform.config.public_url.clone(),
    };
    println!("{}", banner(&url, &seeded, &platform.config.data_dir));
    platform.spawn_background();
    // The peer address is the client IP of sessions, audit events and per-IP rate limits.
    let app = platform.router().into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(LocalError::Serve)
}
