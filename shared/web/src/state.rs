//! What every handler and worker is given: the ports, and the configuration read once at
//! start (cold start in Lambda, boot in the local server).
use std::sync::Arc;

use crate::auth::jwt::TokenVerifier;
use store::ports::clock::Clock;
use store::ports::item_store::ItemStore;
use store::ports::mailer::Mailer;
use store::ports::queue::Queue;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn ItemStore>,
    pub queue: Arc<dyn Queue>,
    pub mailer: Arc<dyn Mailer>,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    /// Verifies access tokens with the published public keys.
    pub tokens: TokenVerifier,
}

/// Settings that differ between deployments. Secrets are bytes, never logged.
#[derive(Clone)]
pub struct Config {
    /// The base of every link in an email, e.g. `https://app.example.com`; never taken
    /// from a request's `Host` header.
    pub public_url: String,
    /// Signs list cursors so a client cannot forge one.
    pub cursor_key: Vec<u8>,
    /// Derives each session's CSRF value from its id (`auth::cookies::csrf_value`), so the
    /// value cannot be planted: it is `derive_key(secret, "csrf")`.
    pub csrf_key: Vec<u8>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config").field("public_url", &self.public_url).finish_non_exhaustive()
    }
}

/// A key for one purpose, derived from the installation's signing secret, so one secret
/// serves cursors, tokens and the rest without one use weakening another.
pub fn derive_key(secret: &[u8], purpose: &str) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(purpose.as_bytes());
    hasher.update(b":");
    hasher.update(secret);
    hasher.finalize().to_vec()
}
