//! Two-factor authentication with TOTP: setup, confirm (→ backup codes), disable, new codes.
//!
//! Every one of these asks for the account's password (and, past setup, a code): a session
//! alone (a borrowed laptop, a stolen cookie) cannot turn 2FA off, mint backup codes or
//! enrol an authenticator of its own. A wrong password and a wrong code are one refusal
//! (`WrongPasswordOrCode`), so the routes are no password oracle, and each attempt is counted
//! towards the account's second-factor limit BEFORE it is evaluated (as the login's MFA step
//! does): the tenth wrong one in 15 minutes locks the account's second factor (`MfaLocked`,
//! an email and an audit event once), and a right one gives its place back.
use serde_json::json;
use store::audit::AuditEvent;
use store::rate_limit::{self, LimitError, MFA_FAILURES_PER_ACCOUNT, MFA_LOCK, Reservation};
use domain::{backup_codes, secrets, totp};
use domain::ids::UserId;
use domain::user::User;
use web::client::ClientMeta;
use store::ports::item_store::{StoreError, Write};
use store::repo::backup_codes as stored_codes;
use store::repo::users;

use super::{AuthError, verify_password};
use crate::emails;
use crate::state::AuthState;

pub const ISSUER: &str = "DotMac";

pub struct Setup {
    pub secret: String,
    pub otpauth_uri: String,
    pub qr_svg: String,
}

/// Counts this attempt against the account's second-factor limit before anything is
/// checked; refuses with `MfaLocked` while the lock holds or once the window is full.
async fn reserve_attempt(state: &AuthState, user: &User, meta: &ClientMeta) -> Result<Reservation, AuthError> {
    let store = state.app.store.as_ref();
    let now = state.app.clock.now();
    if let Some(lock) = rate_limit::locked(store, now, MFA_LOCK, user.id.as_str()).await? {
        return Err(AuthError::MfaLocked { retry_after_seconds: lock.retry_after_seconds });
    }
    match rate_limit::reserve(store, now, &MFA_FAILURES_PER_ACCOUNT, user.id.as_str()).await {
        Ok(attempt) => Ok(attempt),
        // Past the tenth in the window: the lock holds (or is started now, if the request
        // that should have started it did not get that far).
        Err(LimitError::Limited(_)) => Err(super::login::lock_second_factor(state, user, meta).await),
        Err(e) => Err(e.into()),
    }
}

/// A wrong password or code, already counted by its reservation: audited; the tenth in the
/// window locks the account's second factor. Answers the refusal.
async fn failure(state: &AuthState, attempt: Reservation, user: &User, action: &str, meta: &ClientMeta) -> AuthError {
    let app = &state.app;
    let audit = AuditEvent::new(app.clock.now(), user.id.as_str(), "mfa.check_failed", &meta.ip)
        .tenant(user.tenant_id.as_ref())
        .target(&user.id)
        .details(json!({"action": action}));
    match audit.writes() {
        Ok(writes) => {
            if let Err(e) = app.store.transact(writes.to_vec()).await {
                tracing::warn!(error = %e, "could not audit a wrong password or code");
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not audit a wrong password or code"),
    }
    if attempt.is_last(&MFA_FAILURES_PER_ACCOUNT) {
        return super::login::lock_second_factor(state, user, meta).await;
    }
    AuthError::WrongPasswordOrCode
}


/// Best effort: the change is made; a lost notice must not undo it.
async fn tell(state: &AuthState, mail: store::ports::mailer::OutgoingEmail) {
    if let Err(e) = state.app.mailer.send(&mail).await {
        tracing::warn!(error = %e, "2FA change email not sent");
    }
}

/// Hands out a new secret to confirm, for the account's password; 2FA is not on until a
/// code from it is confirmed.
pub async fn start(state: &AuthState, user_id: &UserId, password: String, meta: &ClientMeta) -> Result<Setup, AuthError> {
    let app = &state.app;
    let mut user = super::account::me(state, user_id).await?;
    if user.mfa.enabled {
        return Err(AuthError::Conflict("Two-factor authentication is already on; disable it first."));
    }
    let attempt = reserve_attempt(state, &user, meta).await?;
    if !verify_password(password, user.password_hash.clone().unwrap_or_default()).await {
        return Err(failure(state, attempt, &user, "setup", meta).await);
    }
    super::login::give_back(state, attempt).await;
    let secret = totp::TotpSecret::generate();
    let encoded = secret.to_base32();
    user.mfa.pending_secret = Some(encoded.clone());
    user.version += 1;
    let audit = AuditEvent::new(app.clock.now(), user.id.as_str(), "mfa.setup_started", &meta.ip).tenant(user.tenant_id.as_ref()).target(&user.id);
    app.store.transact(audit.appended_to(vec![users::save(&user)?])?).await?;
    let uri = totp::otpauth_uri(&secret, ISSUER, user.email.as_str());
    Ok(Setup { secret: encoded, qr_svg: totp::qr_svg(&uri), otpauth_uri: uri })
}

/// The writes that replace every backup code of `user` with a fresh set; answers the codes.
async fn fresh_backup_codes(state: &AuthState, user: &User) -> Result<(Vec<String>, Vec<Write>), AuthError> {
    let mut writes = stored_codes::delete_all(state.app.store.as_ref(), &user.id).await?;
    let codes = backup_codes::generate_backup_codes();
    for code in &codes {
        let hash = secrets::hash_secret(&backup_codes::normalize_backup_code(code));
        writes.push(stored_codes::put(&user.id, &hash, state.app.clock.now()));
    }
    Ok((codes, writes))
}

/// Commits the writes of a checked change: a condition failure means the code (its time step,
/// or the backup code) was used by a concurrent request, so it is a failed attempt; otherwise
/// the attempt gives its place back.
async fn commit(state: &AuthState, attempt: Reservation, user: &User, action: &str, writes: Vec<Write>, meta: &ClientMeta) -> Result<(), AuthError> {
    match state.app.store.transact(writes).await {
        Ok(()) => {
            super::login::give_back(state, attempt).await;
            Ok(())
        }
        Err(StoreError::ConditionFailed { .. }) => Err(failure(state, attempt, user, action, meta).await),
        Err(e) => {
            super::login::give_back(state, attempt).await;
            Err(e.into())
        }
    }
}

/// Confirms setup with the password and a code from the authenticator: 2FA is on, and 10
/// backup codes are shown this once (stored hashed).
pub async fn confirm(state: &AuthState, user_id: &UserId, password: String, code: &str, meta: &ClientMeta) -> Result<Vec<String>, AuthError> {
    let app = &state.app;
    let now = app.clock.now();
    let mut user = super::account::me(state, user_id).await?;
    if user.mfa.enabled {
        return Err(AuthError::Conflict("Two-factor authentication is already on."));
    }
    let pending = user.mfa.pending_secret.clone().ok_or(AuthError::Conflict("Start the setup first."))?;
    let secret = totp::TotpSecret::from_base32(&pending).ok_or_else(|| AuthError::Internal("stored TOTP secret is unreadable".into()))?;
    let attempt = reserve_attempt(state, &user, meta).await?;
    if !verify_password(password, user.password_hash.clone().unwrap_or_default()).await {
        return Err(failure(state, attempt, &user, "confirm", meta).await);
    }
    let Some(step) = totp::verify(&secret, code, now, None) else {
        return Err(failure(state, attempt, &user, "confirm", meta).await);
    };
    user.mfa.enabled = true;
    user.mfa.totp_secret = Some(pending);
    user.mfa.pending_secret = None;
    user.mfa.last_step = Some(step);
    user.version += 1;
    let (codes, mut writes) = fresh_backup_codes(state, &user).await?;
    let audit = AuditEvent::new(now, user.id.as_str(), "mfa.enabled", &meta.ip).tenant(user.tenant_id.as_ref()).target(&user.id);
    writes.push(users::save(&user)?);
    writes.extend(audit.writes()?);
    commit(state, attempt, &user, "confirm", writes, meta).await?;
    app.mailer.send(&emails::mfa_enabled(&user.email, &app.config.public_url)).await?;
    Ok(codes)
}

/// Checks a TOTP code (or a backup code) for a sensitive change, using it up. A backup code
/// answers the write that consumes it, which fails (a condition) when it is not one.
fn check_code(state: &AuthState, user: &mut User, code: &str) -> Option<Write> {
    let secret = user.mfa.totp_secret.as_deref().and_then(totp::TotpSecret::from_base32);
    if let Some(step) = secret.and_then(|s| totp::verify(&s, code, state.app.clock.now(), user.mfa.last_step)) {
        user.mfa.last_step = Some(step);
        return None;
    }
    let hash = secrets::hash_secret(&backup_codes::normalize_backup_code(code));
    Some(stored_codes::consume(&user.id, &hash))
}

/// Turns 2FA off: needs the password and a current code (or a backup code).
pub async fn disable(state: &AuthState, user_id: &UserId, password: String, code: &str, meta: &ClientMeta) -> Result<(), AuthError> {
    let app = &state.app;
    let mut user = super::account::me(state, user_id).await?;
    if !user.mfa.enabled {
        return Err(AuthError::Conflict("Two-factor authentication is not on."));
    }
    let attempt = reserve_attempt(state, &user, meta).await?;
    if !verify_password(password, user.password_hash.clone().unwrap_or_default()).await {
        return Err(failure(state, attempt, &user, "disable", meta).await);
    }
    let before = user.clone();
    let backup_use = check_code(state, &mut user, code);
    user.mfa = Default::default();
    user.version += 1;
    // Every code goes: no backup codes without 2FA.
    let mut writes = match stored_codes::delete_all(app.store.as_ref(), &user.id).await {
        Ok(writes) => writes,
        Err(e) => {
            super::login::give_back(state, attempt).await;
            return Err(e.into());
        }
    };
    if let Some(w) = backup_use {
        writes.retain(|d| d.key() != w.key());
        writes.push(w);
    }
    let now = app.clock.now();
    let audit = AuditEvent::new(now, user.id.as_str(), "mfa.disabled", &meta.ip).tenant(user.tenant_id.as_ref()).target(&user.id);
    writes.push(users::save(&user)?);
    writes.extend(audit.writes()?);
    // A backup code that is not one fails its condition here: a wrong code.
    commit(state, attempt, &before, "disable", writes, meta).await?;
    tell(state, emails::mfa_disabled(&user.email, &now.to_string(), &meta.ip, &app.config.public_url)).await;
    Ok(())
}

/// A fresh set of 10 backup codes for the password and a current authenticator code; the
/// old set stops working.
pub async fn regenerate(state: &AuthState, user_id: &UserId, password: String, code: &str, meta: &ClientMeta) -> Result<Vec<String>, AuthError> {
    let app = &state.app;
    let mut user = super::account::me(state, user_id).await?;
    if !user.mfa.enabled {
        return Err(AuthError::Conflict("Two-factor authentication is not on."));
    }
    let attempt = reserve_attempt(state, &user, meta).await?;
    if !verify_password(password, user.password_hash.clone().unwrap_or_default()).await {
        return Err(failure(state, attempt, &user, "backup_codes", meta).await);
    }
    // Only an authenticator code can mint new backup codes: a backup code is a wrong code.
    if check_code(state, &mut user, code).is_some() {
        return Err(failure(state, attempt, &user, "backup_codes", meta).await);
    }
    user.version += 1;
    let (codes, mut writes) = match fresh_backup_codes(state, &user).await {
        Ok(fresh) => fresh,
        Err(e) => {
            super::login::give_back(state, attempt).await;
            return Err(e);
        }
    };
    let now = app.clock.now();
    let audit = AuditEvent::new(now, user.id.as_str(), "mfa.backup_codes_regenerated", &meta.ip)
        .tenant(user.tenant_id.as_ref())
        .target(&user.id)
        .details(json!({"count": codes.len()}));
    writes.push(users::save(&user)?);
    writes.extend(audit.writes()?);
    commit(state, attempt, &user, "backup_codes", writes, meta).await?;
    tell(state, emails::backup_codes_regenerated(&user.email, &now.to_string(), &meta.ip, &app.config.public_url)).await;
    Ok(codes)
}
