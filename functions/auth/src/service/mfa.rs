//! Two-factor authentication with TOTP: setup, confirm (→ backup codes), disable, new codes.
use serde_json::json;
use store::audit::AuditEvent;
use domain::{backup_codes, secrets, totp};
use domain::ids::UserId;
use domain::user::User;
use web::client::ClientMeta;
use store::ports::item_store::Write;
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

/// Hands out a new secret to confirm; 2FA is not on until a code from it is confirmed.
pub async fn start(state: &AuthState, user_id: &UserId, meta: &ClientMeta) -> Result<Setup, AuthError> {
    let app = &state.app;
    let mut user = super::account::me(state, user_id).await?;
    if user.mfa.enabled {
        return Err(AuthError::Conflict("Two-factor authentication is already on; disable it first."));
    }
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

/// Confirms setup with a code from the authenticator: 2FA is on, and 10 backup codes are
/// shown this once (stored hashed).
pub async fn confirm(state: &AuthState, user_id: &UserId, code: &str, meta: &ClientMeta) -> Result<Vec<String>, AuthError> {
    let app = &state.app;
    let now = app.clock.now();
    let mut user = super::account::me(state, user_id).await?;
    if user.mfa.enabled {
        return Err(AuthError::Conflict("Two-factor authentication is already on."));
    }
    let pending = user.mfa.pending_secret.clone().ok_or(AuthError::Conflict("Start the setup first."))?;
    let secret = totp::TotpSecret::from_base32(&pending).ok_or_else(|| AuthError::Internal("stored TOTP secret is unreadable".into()))?;
    let step = totp::verify(&secret, code, now, None).ok_or(AuthError::InvalidCode)?;
    user.mfa.enabled = true;
    user.mfa.totp_secret = Some(pending);
    user.mfa.pending_secret = None;
    user.mfa.last_step = Some(step);
    user.version += 1;
    let (codes, mut writes) = fresh_backup_codes(state, &user).await?;
    let audit = AuditEvent::new(now, user.id.as_str(), "mfa.enabled", &meta.ip).tenant(user.tenant_id.as_ref()).target(&user.id);
    writes.push(users::save(&user)?);
    writes.extend(audit.writes()?);
    app.store.transact(writes).await?;
    app.mailer.send(&emails::mfa_enabled(&user.email, &app.config.public_url)).await?;
    Ok(codes)
}

/// Checks a TOTP code (or a backup code) for a sensitive change, using it up.
fn check_code(state: &AuthState, user: &mut User, code: &str) -> Result<Option<Write>, AuthError> {
    let secret = user.mfa.totp_secret.as_deref().and_then(totp::TotpSecret::from_base32);
    if let Some(step) = secret.and_then(|s| totp::verify(&s, code, state.app.clock.now(), user.mfa.last_step)) {
        user.mfa.last_step = Some(step);
        return Ok(None);
    }
    let hash = secrets::hash_secret(&backup_codes::normalize_backup_code(code));
    Ok(Some(stored_codes::consume(&user.id, &hash)))
}

/// Turns 2FA off: needs the password and a current code.
pub async fn disable(state: &AuthState, user_id: &UserId, password: String, code: &str, meta: &ClientMeta) -> Result<(), AuthError> {
    let app = &state.app;
    let mut user = super::account::me(state, user_id).await?;
    if !user.mfa.enabled {
        return Err(AuthError::Conflict("Two-factor authentication is not on."));
    }
    let hash = user.password_hash.clone().unwrap_or_default();
    if !verify_password(password, hash).await {
        return Err(AuthError::InvalidCredentials);
    }
    let backup_use = check_code(state, &mut user, code)?;
    user.mfa = Default::default();
    user.version += 1;
    // Every code goes: no backup codes without 2FA.
    let mut writes = stored_codes::delete_all(app.store.as_ref(), &user.id).await?;
    if let Some(w) = backup_use {
        writes.retain(|d| d.key() != w.key());
        writes.push(w);
    }
    let audit = AuditEvent::new(app.clock.now(), user.id.as_str(), "mfa.disabled", &meta.ip).tenant(user.tenant_id.as_ref()).target(&user.id);
    writes.push(users::save(&user)?);
    writes.extend(audit.writes()?);
    app.store.transact(writes).await.map_err(|e| match e {
        store::ports::item_store::StoreError::ConditionFailed { .. } => AuthError::InvalidCode,
        other => other.into(),
    })
}

/// A fresh set of 10 backup codes for a current code; the old set stops working.
pub async fn regenerate(state: &AuthState, user_id: &UserId, code: &str, meta: &ClientMeta) -> Result<Vec<String>, AuthError> {
    let app = &state.app;
    let mut user = super::account::me(state, user_id).await?;
    if !user.mfa.enabled {
        return Err(AuthError::Conflict("Two-factor authentication is not on."));
    }
    let backup_use = check_code(state, &mut user, code)?;
    if backup_use.is_some() {
        // Only an authenticator code can mint new backup codes.
        return Err(AuthError::InvalidCode);
    }
    user.version += 1;
    let (codes, mut writes) = fresh_backup_codes(state, &user).await?;
    let audit = AuditEvent::new(app.clock.now(), user.id.as_str(), "mfa.backup_codes_regenerated", &meta.ip)
        .tenant(user.tenant_id.as_ref())
        .target(&user.id)
        .details(json!({"count": codes.len()}));
    writes.push(users::save(&user)?);
    writes.extend(audit.writes()?);
    app.store.transact(writes).await?;
    Ok(codes)
}
