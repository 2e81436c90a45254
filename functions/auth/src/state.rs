//! What the auth function's handlers get: the shared state plus the token signer, which no
//! other function has.
use std::sync::Arc;

use axum::extract::FromRef;
use web::AppState;
use web::auth::jwt::{TokenError, TokenSigner};

#[derive(Clone)]
pub struct AuthState {
    pub app: AppState,
    pub signer: Arc<TokenSigner>,
    /// Set once the signer's public key is in the table. Shared by every clone, so a
    /// container publishes once; left empty by a failed attempt, so the next request retries.
    published: Arc<tokio::sync::OnceCell<()>>,
}

impl FromRef<AuthState> for AppState {
    fn from_ref(state: &AuthState) -> AppState {
        state.app.clone()
    }
}

impl AuthState {
    /// The signer, its public key published at once: for the local server's start (it owns its
    /// store) and tests that sign tokens themselves. A Lambda uses `derive`, which touches no
    /// network, and publishes on first use (`ensure_published`).
    pub async fn new(app: AppState, auth_secret: &[u8]) -> Result<AuthState, TokenError> {
        let state = AuthState::derive(app, auth_secret)?;
        state.ensure_published().await?;
        Ok(state)
    }

    /// The signer derived from the deployment's auth secret, without any I/O: what a function
    /// builds at cold start. When the state's verifier trusts one key id (every deployment),
    /// the secret must make that key, else every token signed would be refused everywhere:
    /// that is a configuration error, reported at start rather than as 401s.
    pub fn derive(app: AppState, auth_secret: &[u8]) -> Result<AuthState, TokenError> {
        let signer = TokenSigner::from_seed(&web::state::derive_key(auth_secret, "jwt-ed25519"))?;
        if let Some(trusted) = app.tokens.trusted_kid()
            && trusted != signer.kid()
        {
            return Err(TokenError::Key(format!(
                "DOTMAC_TOKEN_KEY_ID is {trusted}, but DOTMAC_AUTH_SECRET makes key {}",
                signer.kid()
            )));
        }
        Ok(AuthState { app, signer: Arc::new(signer), published: Arc::new(tokio::sync::OnceCell::new()) })
    }

    /// The key id an auth secret makes: what `DOTMAC_TOKEN_KEY_ID` must be set to.
    pub fn key_id(auth_secret: &[u8]) -> Result<String, TokenError> {
        Ok(TokenSigner::from_seed(&web::state::derive_key(auth_secret, "jwt-ed25519"))?.kid().to_string())
    }

    /// Publishes the public key unless this container already did (idempotent in the table
    /// too). Called before any request is served, so no token leaves before its key is findable.
    pub async fn ensure_published(&self) -> Result<(), TokenError> {
        self.published
            .get_or_try_init(|| self.signer.publish(self.app.store.as_ref()))
            .await
            .map(|_| ())
    }
}
