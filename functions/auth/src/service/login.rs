//! Signing in and out: password, the MFA step, refresh-token rotation with reuse detection.
use serde_json::json;
use store::audit::AuditEvent;
use store::rate_limit::{self, LOGIN_FAILURES_PER_ACCOUNT, LOGIN_FAILURES_PER_IP, MFA_FAILURES_PER_TOKEN};
use domain::{backup_codes, secrets, totp};
use web::auth::jwt::AccessClaims;
use domain::email::Email;
use domain::ids::{SessionId, UserId};
use domain::user::{User, UserStatus};
use web::client::ClientMeta;
use store::ports::item_store::{StoreError, Write};
use store::repo::backup_codes as stored_codes;
use store::repo::sessions::{self, Session};
use store::repo::tokens::{self, Purpose};
use store::repo::tenants::{self, TenantStatus};
use store::repo::users;

use super::{AuthError, SignedIn, dummy_hash, new_session, refresh_token, verify_password};
use crate::emails;
use crate::state::AuthState;

pub enum LoginOutcome {
    SignedIn(User, SignedIn),
    MfaRequired { mfa_token: String },
}

async fn record_failure(state: &AuthState, email: &str, user: Option<&User>, meta: &ClientMeta) -> Result<(), AuthError> {
    let app = &state.app;
    let now = app.clock.now();
    rate_limit::record(app.store.as_ref(), now, &LOGIN_FAILURES_PER_ACCOUNT, email).await?;
    rate_limit::record(app.store.as_ref(), now, &LOGIN_FAILURES_PER_IP, &meta.ip).await?;
    let actor = user.map(|u| u.id.to_string()).unwrap_or_else(|| "anonymous".into());
    let audit = AuditEvent::new(now, actor, "session.login_failed", &meta.ip)
        .tenant(user.and_then(|u| u.tenant_id.as_ref()))
        .details(json!({"reason": "invalid_credentials"}));
    app.store.transact(audit.writes()?.to_vec()).await?;
    Ok(())
}

/// Email and password. Unknown email and wrong password are one answer, in about one time.
pub async fn login(state: &AuthState, raw_email: &str, password: String, meta: &ClientMeta) -> Result<LoginOutcome, AuthError> {
    let app = &state.app;
    let now = app.clock.now();
    let email_key = raw_email.trim().to_lowercase();
    rate_limit::check(app.store.as_ref(), now, &LOGIN_FAILURES_PER_ACCOUNT, &email_key).await?;
    rate_limit::check(app.store.as_ref(), now, &LOGIN_FAILURES_PER_IP, &meta.ip).await?;
    let user = match Email::parse(raw_email) {
        Ok(email) => users::find_by_email(app.store.as_ref(), &email).await?,
        Err(_) => None,
    };
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let matches = match hash {
        Some(hash) => verify_password(password, hash).await,
        None => {
            verify_password(password, dummy_hash().await).await;
            false
        }
    };
    let user = match user {
        Some(user) if matches => user,
        other => {
            record_failure(state, &email_key, other.as_ref(), meta).await?;
            return Err(AuthError::InvalidCredentials);
        }
    };
    if user.status == UserStatus::Disabled {
        return Err(AuthError::AccountDisabled);
    }
    ensure_tenant_open(state, &user).await?;
    if !user.email_verified {
        return Err(AuthError::EmailNotVerified);
    }
    if user.mfa.enabled {
        let (mfa_token, write) = tokens::issue(Purpose::MfaChallenge, &user.id, now)?;
        app.store.transact(vec![write]).await?;
        return Ok(LoginOutcome::MfaRequired { mfa_token });
    }
    let signed = start_session(state, &user, meta, Vec::new(), "password").await?;
    Ok(LoginOutcome::SignedIn(user, signed))
}

/// A deleted tenant's users cannot sign in (or refresh) until the tenant is restored. A
/// purged tenant has no users left to ask.
async fn ensure_tenant_open(state: &AuthState, user: &User) -> Result<(), AuthError> {
    let Some(tenant) = &user.tenant_id else { return Ok(()) };
    match tenants::get(state.app.store.as_ref(), tenant).await? {
        Some(t) if t.status == TenantStatus::Deleted => Err(AuthError::TenantDeleted),
        _ => Ok(()),
    }
}

/// Stores a new session with its audit event (plus `extra` writes) and tells the user when
/// the sign-in comes from a device and address none of their sessions has.
async fn start_session(state: &AuthState, user: &User, meta: &ClientMeta, extra: Vec<Write>, method: &str) -> Result<SignedIn, AuthError> {
    let app = &state.app;
    let now = app.clock.now();
    let known = sessions::list(app.store.as_ref(), &user.id, 100, None).await?;
    let familiar = known.items.iter().filter_map(|i| i.record::<Session>().ok()).any(|s| s.ip == meta.ip && s.user_agent == meta.user_agent);
    let (signed, session_write) = new_session(state, user, meta)?;
    let audit = AuditEvent::new(now, user.id.as_str(), "session.login", &meta.ip)
        .tenant(user.tenant_id.as_ref())
        .target(&signed.session_id)
        .details(json!({"method": method, "user_agent": meta.user_agent}));
    let mut writes = extra;
    // The user must still be as read: a disable or role change racing this sign-in ends
    // sessions, and this one must not slip in after it with the old role.
    let unchanged = users::unchanged(user);
    if !writes.iter().any(|w| w.key() == unchanged.key()) {
        writes.push(unchanged);
    }
    writes.push(session_write);
    writes.extend(audit.writes()?);
    match app.store.transact(writes).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { .. }) if method == "password" => {
            return Err(AuthError::Conflict("Your account changed while signing in; sign in again."))
        }
        Err(e) => return Err(e.into()),
    }
    if !familiar {
        let mail = emails::new_sign_in(&user.email, &meta.ip, &meta.user_agent, &now.to_string(), &app.config.public_url);
        if let Err(e) = app.mailer.send(&mail).await {
            // The sign-in happened; a lost notice must not undo it.
            tracing::warn!(error = %e, "new sign-in email not sent");
        }
    }
    Ok(signed)
}

pub enum SecondFactor {
    Code(String),
    BackupCode(String),
}

/// The MFA step: a TOTP code (once per time step) or a backup code (once ever).
pub async fn login_mfa(state: &AuthState, mfa_token: &str, factor: SecondFactor, meta: &ClientMeta) -> Result<(User, SignedIn), AuthError> {
    let app = &state.app;
    let now = app.clock.now();
    let token_key = secrets::hash_secret(mfa_token);
    rate_limit::check(app.store.as_ref(), now, &MFA_FAILURES_PER_TOKEN, &token_key).await?;
    let record = tokens::find(app.store.as_ref(), mfa_token, Purpose::MfaChallenge).await?.ok_or(AuthError::InvalidToken)?;
    let user = users::get(app.store.as_ref(), &record.user_id).await?.ok_or(AuthError::InvalidToken)?;
    if user.status == UserStatus::Disabled {
        return Err(AuthError::AccountDisabled);
    }
    ensure_tenant_open(state, &user).await?;
    let mut writes = vec![tokens::consume(mfa_token, Purpose::MfaChallenge)];
    let mut updated = user.clone();
    let method = match &factor {
        SecondFactor::Code(code) => {
            let secret = user.mfa.totp_secret.as_deref().and_then(totp::TotpSecret::from_base32);
            match secret.and_then(|s| totp::verify(&s, code, now, user.mfa.last_step)) {
                Some(step) => {
                    updated.mfa.last_step = Some(step);
                    updated.version += 1;
                    writes.push(users::save(&updated)?);
                    "totp"
                }
                None => return Err(mfa_failure(state, &token_key, mfa_token, &user, meta).await),
            }
        }
        SecondFactor::BackupCode(code) => {
            let hash = secrets::hash_secret(&backup_codes::normalize_backup_code(code));
            if !stored_codes::exists(state.app.store.as_ref(), &user.id, &hash).await? {
                return Err(mfa_failure(state, &token_key, mfa_token, &user, meta).await);
            }
            writes.push(stored_codes::consume(&user.id, &hash));
            "backup_code"
        }
    };
    match start_session(state, &updated, meta, writes, method).await {
        Ok(signed) => Ok((updated, signed)),
        // The token, the code's step or the backup code was used by a concurrent request.
        Err(AuthError::Store(StoreError::ConditionFailed { .. })) => Err(AuthError::InvalidCode),
        Err(e) => Err(e),
    }
}

/// Counts a wrong code; the fifth kills the challenge, so guessing needs a new password login.
async fn mfa_failure(state: &AuthState, token_key: &str, mfa_token: &str, user: &User, meta: &ClientMeta) -> AuthError {
    let app = &state.app;
    let now = app.clock.now();
    let count = match rate_limit::record(app.store.as_ref(), now, &MFA_FAILURES_PER_TOKEN, token_key).await {
        Ok(count) => count,
        Err(e) => return e.into(),
    };
    if count >= MFA_FAILURES_PER_TOKEN.max {
        if let Err(e) = app.store.transact(vec![tokens::consume(mfa_token, Purpose::MfaChallenge)]).await {
            tracing::warn!(error = %e, "could not end an MFA challenge after too many codes");
        }
    }
    let audit = AuditEvent::new(now, user.id.as_str(), "session.mfa_failed", &meta.ip).tenant(user.tenant_id.as_ref());
    if let Ok(writes) = audit.writes() {
        let _ = app.store.transact(writes.to_vec()).await;
    }
    AuthError::InvalidCode
}

fn parse_refresh(token: &str) -> Option<(UserId, SessionId, &str)> {
    let mut parts = token.splitn(3, '.');
    let user = UserId::parse(parts.next()?)?;
    let session = SessionId::parse(parts.next()?)?;
    let secret = parts.next().filter(|s| secrets::plausible(s))?;
    Some((user, session, secret))
}

/// Rotates the refresh token. An already-rotated token ends the whole session (the family).
pub async fn refresh(state: &AuthState, token: &str, meta: &ClientMeta) -> Result<SignedIn, AuthError> {
    let app = &state.app;
    let (user_id, session_id, secret) = parse_refresh(token).ok_or(AuthError::InvalidToken)?;
    let session = sessions::get(app.store.as_ref(), &user_id, &session_id).await?.ok_or(AuthError::InvalidToken)?;
    let presented = secrets::hash_secret(secret);
    let now = app.clock.now();
    if !secrets::same(&presented, &session.refresh_hash) {
        if session.rotated_hashes.iter().any(|h| secrets::same(h, &presented)) {
            let audit = AuditEvent::new(now, user_id.as_str(), "session.refresh_reused", &meta.ip)
                .tenant(session.tenant_id.as_ref())
                .target(&session_id);
            app.store
                .transact(audit.appended_to(vec![sessions::end(&user_id, &session_id)])?)
                .await?;
            return Err(AuthError::RefreshReused);
        }
        return Err(AuthError::InvalidToken);
    }
    let user = users::get(app.store.as_ref(), &user_id).await?.ok_or(AuthError::InvalidToken)?;
    ensure_tenant_open(state, &user).await?;
    let new_secret = secrets::new_secret();
    let old_hash = session.refresh_hash.clone();
    let rotated = session.rotated(secrets::hash_secret(&new_secret), now);
    match sessions::rotate(app.store.as_ref(), &rotated, &old_hash).await {
        Ok(()) => {}
        // A concurrent refresh with the same token won: this one is a reuse.
        Err(StoreError::ConditionFailed { .. }) => return Err(AuthError::RefreshReused),
        Err(e) => return Err(e.into()),
    }
    let claims = AccessClaims::new(user.id.clone(), rotated.tenant_id.clone(), rotated.role, session_id.clone(), now);
    let access = state.signer.sign(&claims).map_err(|e| AuthError::Internal(e.to_string()))?;
    Ok(SignedIn { access, refresh: refresh_token(&user, &session_id, &new_secret), csrf: secrets::new_secret(), session_id })
}

/// Ends the caller's session.
pub async fn logout(state: &AuthState, user: &UserId, session: &SessionId, meta: &ClientMeta) -> Result<(), AuthError> {
    let app = &state.app;
    let tenant = users::get(app.store.as_ref(), user).await?.and_then(|u| u.tenant_id);
    let audit = AuditEvent::new(app.clock.now(), user.as_str(), "session.logout", &meta.ip).tenant(tenant.as_ref()).target(session);
    app.store.transact(audit.appended_to(vec![sessions::end(user, session)])?).await?;
    Ok(())
}
