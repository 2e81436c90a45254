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
}

impl FromRef<AuthState> for AppState {
    fn from_ref(state: &AuthState) -> AppState {
        state.app.clone()
    }
}

impl AuthState {
    /// The signer derived from the deployment's auth secret, its public key published so
    /// every function can verify what it signs.
    pub async fn new(app: AppState, auth_secret: &[u8]) -> Result<AuthState, TokenError> {
        let state = AuthState::derive(app, auth_secret)?;
        state.signer.publish(state.app.store.as_ref()).await?;
        Ok(state)
    }

    /// The signer alone, without publishing its key: for building routes before the key is
    /// published (the module's `init` does that once).
    pub fn derive(app: AppState, auth_secret: &[u8]) -> Result<AuthState, TokenError> {
        let signer = TokenSigner::from_seed(&web::state::derive_key(auth_secret, "jwt-ed25519"))?;
        Ok(AuthState { app, signer: Arc::new(signer) })
    }
}
