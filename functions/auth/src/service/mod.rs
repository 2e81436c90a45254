//! The auth use cases: load → domain rule → save (one transaction with its audit event) →
//! emit (email). Handlers in `api` and `pages` call these and only translate.
pub mod account;
pub mod login;
pub mod mfa;
pub mod sessions;

use web::auth::jwt::AccessClaims;
use domain::secrets;
use web::auth::cookies;
use domain::ids::SessionId;
use domain::password;
use domain::user::User;
use web::ApiError;
use web::client::ClientMeta;
use store::ports::item_store::{StoreError, Write};
use store::repo::sessions::{self as session_repo, SESSION_TTL_SECONDS, Session};

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
    /// A signed-in 2FA change with a wrong password or a wrong code: one refusal for both,
    /// so the routes tell nobody which one was wrong.
    #[error("wrong password or code")]
    WrongPasswordOrCode,
    #[error("refresh token reused")]
    RefreshReused,
    /// Too many wrong second-factor codes: the account's second factor is locked this long.
    #[error("second factor locked; retry after {retry_after_seconds} s")]
    MfaLocked { retry_after_seconds: u64 },
    /// The session reached its absolute lifetime (30 days from sign-in).
    #[error("session expired")]
    SessionExpired,
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("not found")]
    NotFound(&'static str),
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error(transparent)]
    Limited(#[from] store::rate_limit::LimitError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] store::ports::mailer::MailError),
    #[error("{0}")]
    Internal(String),
}

impl AuthError {
    pub fn invalid(field: &'static str, message: impl ToString) -> AuthError {
        AuthError::Invalid { field, message: message.to_string() }
    }
}

/// Each refusal in words for the person reading it, whether in a page or a program's error
/// message: the pages render this same `ApiError` (its banner, the message beside its field),
/// so status, code and field are the API's and the wording is written once, here.
impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> ApiError {
        match e {
            AuthError::EmailTaken => ApiError::conflict(
                "email_taken",
                "An account with this email address already exists. Sign in instead, or reset your password if you forgot it.",
            )
            .with_field("email"),
            AuthError::InvalidToken => ApiError::bad_request("invalid_token", "This link is invalid, has expired or was already used."),
            AuthError::InvalidCredentials => {
                ApiError::unauthenticated("invalid_credentials", "The email address or password is wrong.")
            }
            AuthError::EmailNotVerified => ApiError::forbidden(
                "email_not_verified",
                "Please confirm your email address first: open the link we emailed you. Lost it? We can send a new one.",
            ),
            AuthError::AccountDisabled => {
                ApiError::forbidden("account_disabled", "This account is disabled. Contact your administrator if you think this is a mistake.")
            }
            AuthError::TenantDeleted => ApiError::forbidden(
                "tenant_deleted",
                "This organisation has been deleted, so its accounts cannot sign in. Contact support to restore it.",
            ),
            AuthError::InvalidCode => {
                ApiError::unauthenticated("invalid_code", "That code is wrong or was already used. Check your authenticator app and try again.")
            }
            AuthError::WrongPasswordOrCode => ApiError::unauthenticated(
                "invalid_credentials",
                "The password or the code is wrong. Enter your account password and a current code from your authenticator app.",
            ),
            AuthError::RefreshReused => ApiError::unauthenticated(
                "refresh_token_reused",
                "This refresh token was already used; the session has been ended for safety.",
            ),
            AuthError::MfaLocked { retry_after_seconds } => {
                let mut e = ApiError::forbidden(
                    "mfa_locked",
                    format!(
                        "Too many wrong two-factor codes: two-factor sign-in is locked for {}. We emailed you; if this was not you, change your password.",
                        minutes(retry_after_seconds)
                    ),
                );
                e.retry_after = Some(retry_after_seconds.max(1));
                e
            }
            AuthError::SessionExpired => ApiError::unauthenticated("session_expired", "Your session has ended; sign in again."),
            AuthError::Invalid { field, message } => ApiError::invalid_field(field, field_message(field, &message)),
            AuthError::NotFound(what) => ApiError::new(http::StatusCode::NOT_FOUND, "not_found", format!("We could not find that {what}.")),
            AuthError::Conflict(what) => ApiError::conflict("conflict", what),
            AuthError::Limited(store::rate_limit::LimitError::Limited(limited)) => {
                let wait = limited.retry_after_seconds;
                let mut e = ApiError::from(limited);
                e.detail.message = format!("Too many attempts. For your security, wait {} and try again.", minutes(wait));
                e
            }
            AuthError::Limited(e) => e.into(),
            AuthError::Store(e) => e.into(),
            AuthError::Mail(e) => e.into(),
            AuthError::Internal(e) => ApiError::internal(&AuthError::Internal(e)),
        }
    }
}

/// A field's refusal as a sentence that names the field: the use cases say what is wrong
/// with a value ("must not be empty"), the person needs to know which one.
fn field_message(field: &str, message: &str) -> String {
    let label = match field {
        // Whatever is wrong with an address, an example says it best.
        "email" => return "Enter a valid email address, like name@example.com.".to_string(),
        "password" => "Password",
        "name" => "Your name",
        "organization" => "Organization",
        "referral_code" => "Referral code",
        "code" => "Code",
        other => other,
    };
    format!("{label} {}.", message.trim_end_matches('.'))
}

/// A wait in words, rounded up to whole minutes.
fn minutes(seconds: u64) -> String {
    match seconds.div_ceil(60) {
        0 | 1 => "a minute".to_string(),
        n => format!("{n} minutes"),
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
    let csrf = cookies::csrf_value(&state.app.config.csrf_key, &id);
    let signed = SignedIn { access, refresh: refresh_token(user, &id, &secret), csrf, session_id: id };
    Ok((signed, session_repo::create(&session)?))
}

/// argon2id off the async threads: it takes tens of milliseconds of CPU by design.
pub async fn hash_password(password: String, min_length: usize) -> Result<String, AuthError> {
    tokio::task::spawn_blocking(move || password::hash_new(&password, min_length))
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

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;
    use store::rate_limit::{LimitError, RateLimited};

    #[test]
    fn a_rate_limit_is_a_429_with_its_wait_in_words() {
        let e = ApiError::from(AuthError::Limited(LimitError::Limited(RateLimited { retry_after_seconds: 125 })));
        assert_eq!((e.status, e.code(), e.retry_after), (StatusCode::TOO_MANY_REQUESTS, "rate_limited", Some(125)));
        assert!(e.detail.message.contains("wait 3 minutes"), "{}", e.detail.message);
        let soon = ApiError::from(AuthError::Limited(LimitError::Limited(RateLimited { retry_after_seconds: 20 })));
        assert!(soon.detail.message.contains("wait a minute"), "{}", soon.detail.message);
    }

    #[test]
    fn a_field_refusal_names_its_field_in_plain_words() {
        let e = ApiError::from(AuthError::invalid("name", "must not be empty"));
        assert_eq!((e.status, e.code(), e.on("name")), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("Your name must not be empty.")));
        let e = ApiError::from(AuthError::invalid("email", "is not an email address"));
        assert_eq!(e.on("email"), Some("Enter a valid email address, like name@example.com."));
    }

    #[test]
    fn statuses_and_codes_stay_those_of_the_api() {
        for (e, status, code) in [
            (AuthError::EmailTaken, StatusCode::CONFLICT, "email_taken"),
            (AuthError::InvalidToken, StatusCode::BAD_REQUEST, "invalid_token"),
            (AuthError::InvalidCredentials, StatusCode::UNAUTHORIZED, "invalid_credentials"),
            (AuthError::EmailNotVerified, StatusCode::FORBIDDEN, "email_not_verified"),
            (AuthError::AccountDisabled, StatusCode::FORBIDDEN, "account_disabled"),
            (AuthError::TenantDeleted, StatusCode::FORBIDDEN, "tenant_deleted"),
            (AuthError::InvalidCode, StatusCode::UNAUTHORIZED, "invalid_code"),
            (AuthError::WrongPasswordOrCode, StatusCode::UNAUTHORIZED, "invalid_credentials"),
            (AuthError::MfaLocked { retry_after_seconds: 600 }, StatusCode::FORBIDDEN, "mfa_locked"),
            (AuthError::SessionExpired, StatusCode::UNAUTHORIZED, "session_expired"),
            (AuthError::NotFound("session"), StatusCode::NOT_FOUND, "not_found"),
            (AuthError::Conflict("Start the setup first."), StatusCode::CONFLICT, "conflict"),
        ] {
            let api = ApiError::from(e);
            assert_eq!((api.status, api.code()), (status, code), "{api}");
        }
        assert_eq!(ApiError::from(AuthError::EmailTaken).detail.field.as_deref(), Some("email"));
        assert_eq!(ApiError::from(AuthError::MfaLocked { retry_after_seconds: 600 }).retry_after, Some(600), "the lock says how long");
    }
}
