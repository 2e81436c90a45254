//! The auth use cases: load → domain rule → save (one transaction with its audit event) →
//! emit (email). Handlers in `api` and `pages` call these and only translate.
pub mod account;
pub mod login;
pub mod mfa;
pub mod sessions;

use shared::auth::jwt::AccessClaims;
use shared::auth::{cookies, secrets};
use shared::domain::ids::SessionId;
use shared::domain::password;
use shared::domain::user::User;
use shared::http::ApiError;
use shared::http::client::ClientMeta;
use shared::ports::item_store::{StoreError, Write};
use shared::repo::sessions::{self as session_repo, SESSION_TTL_SECONDS, Session};

use crate::state::AuthState;

/// What the auth use cases refuse with; the one mapping to HTTP is `From<AuthError> for ApiError`.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("email taken")]
    EmailTaken,
    #[error("invalid or used token")]
    InvalidToken,
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("email not verified")]
    EmailNotVerified,
    #[error("account disabled")]
    AccountDisabled,
    #[error("tenant deleted")]
    TenantDeleted,
    #[error("wrong code")]
    InvalidCode,
    #[error("refresh token reused")]
    RefreshReused,
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("not found")]
    NotFound(&'static str),
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error(transparent)]
    Limited(#[from] shared::auth::rate_limit::LimitError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] shared::ports::mailer::MailError),
    #[error("{0}")]
    Internal(String),
}

impl AuthError {
    pub fn invalid(field: &'static str, message: impl ToString) -> AuthError {
        AuthError::Invalid { field, message: message.to_string() }
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> ApiError {
        match e {
            AuthError::EmailTaken => {
                ApiError::conflict("email_taken", "An account with this email address exists.").with_field("email")
            }
            AuthError::InvalidToken => ApiError::bad_request("invalid_token", "This link or token is invalid, used or expired."),
            AuthError::InvalidCredentials => {
                ApiError::unauthenticated("invalid_credentials", "The email address or password is wrong.")
            }
            AuthError::EmailNotVerified => {
                ApiError::forbidden("email_not_verified", "Verify your email address first; we can send the link again.")
            }
            AuthError::AccountDisabled => ApiError::forbidden("account_disabled", "This account is disabled."),
            AuthError::TenantDeleted => {
                ApiError::forbidden("tenant_deleted", "This organisation has been deleted; its users cannot sign in.")
            }
            AuthError::InvalidCode => ApiError::unauthenticated("invalid_code", "The code is wrong or was already used."),
            AuthError::RefreshReused => ApiError::unauthenticated(
                "refresh_token_reused",
                "This refresh token was already used; the session has been ended for safety.",
            ),
            AuthError::Invalid { field, message } => ApiError::invalid_field(field, message),
            AuthError::NotFound(what) => ApiError::not_found(what),
            AuthError::Conflict(what) => ApiError::conflict("conflict", what),
            AuthError::Limited(e) => e.into(),
            AuthError::Store(e) => e.into(),
            AuthError::Mail(e) => e.into(),
            AuthError::Internal(e) => ApiError::internal(&AuthError::Internal(e)),
        }
    }
}

/// A signed-in browser or program: the three cookie values and the session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub access: String,
    pub refresh: String,
    pub csrf: String,
    pub session_id: SessionId,
}

impl SignedIn {
    pub fn cookies(&self) -> Vec<http::HeaderValue> {
        cookies::sign_in(&self.access, &self.refresh, &self.csrf)
    }
}

/// A refresh token names its session so it can be found with one read:
/// `<user id>.<session id>.<secret>`; only the secret's hash is stored.
pub fn refresh_token(user: &User, session: &SessionId, secret: &str) -> String {
    format!("{}.{}.{}", user.id, session, secret)
}

/// A new session for `user` and the writes that store it (to join the caller's transaction).
pub fn new_session(state: &AuthState, user: &User, meta: &ClientMeta) -> Result<(SignedIn, Write), AuthError> {
    let now = state.app.clock.now();
    let id = SessionId::generate(now);
    let secret = secrets::new_secret();
    let session = Session {
        id: id.clone(),
        user_id: user.id.clone(),
        tenant_id: user.tenant_id.clone(),
        role: user.role,
        created_at: now,
        last_seen_at: now,
        ip: meta.ip.clone(),
        user_agent: meta.user_agent.clone(),
        refresh_hash: secrets::hash_secret(&secret),
        rotated_hashes: Vec::new(),
        expires_at: now.plus_seconds(SESSION_TTL_SECONDS),
    };
    let claims = AccessClaims::new(user.id.clone(), user.tenant_id.clone(), user.role, id.clone(), now);
    let access = state.signer.sign(&claims).map_err(|e| AuthError::Internal(e.to_string()))?;
    let signed = SignedIn { access, refresh: refresh_token(user, &id, &secret), csrf: secrets::new_secret(), session_id: id };
    Ok((signed, session_repo::create(&session)?))
}

/// argon2id off the async threads: it takes tens of milliseconds of CPU by design.
pub async fn hash_password(password: String, min_length: usize) -> Result<String, AuthError> {
    if shared::domain::common_passwords::is_common(&password) {
        return Err(AuthError::invalid("password", "is too common; choose one that is not on lists of leaked passwords"));
    }
    tokio::task::spawn_blocking(move || password::hash(&password, min_length))
        .await
        .map_err(|e| AuthError::Internal(e.to_string()))?
        .map_err(|e| match e {
            password::PasswordError::Hash(e) => AuthError::Internal(e),
            other => AuthError::invalid("password", other),
        })
}

pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || password::verify(&password, &hash)).await.unwrap_or(false)
}

/// A hash of a random password, verified against when the account does not exist, so a
/// wrong email costs the same time as a wrong password.
pub async fn dummy_hash() -> String {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_init(|| async {
            let secret = secrets::new_secret();
            tokio::task::spawn_blocking(move || password::hash(&secret, 1)).await.ok().and_then(Result::ok).unwrap_or_default()
        })
        .await
        .clone()
}
