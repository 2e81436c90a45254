//! Signing in and out: password, the MFA step, refresh-token rotation with reuse detection.
use serde_json::json;
use store::audit::AuditEvent;
use store::rate_limit::{
    self, LOGIN_FAILURES_PER_ACCOUNT, LOGIN_FAILURES_PER_IP, LimitError, MFA_FAILURES_PER_ACCOUNT, MFA_FAILURES_PER_TOKEN, MFA_LOCK,
    MFA_LOCK_SECONDS, Reservation,
};
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

/// The audit event of a failed login; the attempt itself was counted when it was reserved.
async fn record_failure(state: &AuthState, user: Option<&User>, meta: &ClientMeta) -> Result<(), AuthError> {
    let app = &state.app;
    let actor = user.map(|u| u.id.to_string()).unwrap_or_else(|| "anonymous".into());
    let audit = AuditEvent::new(app.clock.now(), actor, "session.login_failed", &meta.ip)
        .tenant(user.and_then(|u| u.tenant_id.as_ref()))
        .details(json!({"reason": "invalid_credentials"}));
    app.store.transact(audit.writes()?.to_vec()).await?;
    Ok(())
}

/// Gives back an attempt that was not a failure. A release that fails only leaves the counter
/// one too high until its window ends: the user is not refused for it now, so log it. The
/// signed-in second-factor routes give back theirs the same way.
pub(crate) async fn give_back(state: &AuthState, attempt: Reservation) {
    if let Err(e) = attempt.release(state.app.store.as_ref()).await {
        tracing::warn!(error = %e, "could not give back a rate-limit reservation");
    }
}

/// Email and password. Unknown email and wrong password are one answer, in about one time.
///
/// The failed-login limits (per account, per IP) are reserved BEFORE argon2: each attempt
/// is counted atomically first, so a burst of parallel guesses gets at most `max`
/// evaluations and the rest a 429. A right password is not a failure: its reservations are
/// given back (decremented), so only failures fill the window.
pub async fn login(state: &AuthState, raw_email: &str, password: String, meta: &ClientMeta) -> Result<LoginOutcome, AuthError> {
    let app = &state.app;
    let store = app.store.as_ref();
    let now = app.clock.now();
    let email_key = raw_email.trim().to_lowercase();
    let account_attempt = rate_limit::reserve(store, now, &LOGIN_FAILURES_PER_ACCOUNT, &email_key).await?;
    let ip_attempt = match rate_limit::reserve(store, now, &LOGIN_FAILURES_PER_IP, &meta.ip).await {
        Ok(attempt) => attempt,
        Err(e) => {
            // Refused by the IP's limit before anything was evaluated: not the account's failure.
            give_back(state, account_attempt).await;
            return Err(e.into());
        }
    };
    let user = match Email::parse(raw_email) {
        Ok(email) => users::find_by_email(store, &email).await?,
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
            // A failure: the reservations stay counted.
            record_failure(state, other.as_ref(), meta).await?;
            return Err(AuthError::InvalidCredentials);
        }
    };
    give_back(state, account_attempt).await;
    give_back(state, ip_attempt).await;
    if user.status == UserStatus::Disabled {
        return Err(AuthError::AccountDisabled);
    }
    ensure_tenant_open(state, &user).await?;
    if !user.email_verified {
        return Err(AuthError::EmailNotVerified);
    }
    if user.mfa.enabled {
        // The right password does not open a locked second factor: no challenge to guess at.
        if let Some(lock) = rate_limit::locked(store, now, MFA_LOCK, user.id.as_str()).await? {
            return Err(AuthError::MfaLocked { retry_after_seconds: lock.retry_after_seconds });
        }
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
///
/// Two limits, both reserved (counted atomically) BEFORE the code is compared, so racing
/// guesses cannot outrun them: 5 per `mfa_token` (past them the token is dead), and 10 per
/// account in 15 minutes, the tenth wrong one locking the account's second factor for 15
/// minutes (`MfaLocked`), with an email and an audit event once. A right code gives its
/// account reservation back.
pub async fn login_mfa(state: &AuthState, mfa_token: &str, factor: SecondFactor, meta: &ClientMeta) -> Result<(User, SignedIn), AuthError> {
    let app = &state.app;
    let store = app.store.as_ref();
    let now = app.clock.now();
    let token_key = secrets::hash_secret(mfa_token);
    let token_attempt = match rate_limit::reserve(store, now, &MFA_FAILURES_PER_TOKEN, &token_key).await {
        Ok(attempt) => attempt,
        Err(LimitError::Limited(_)) => {
            end_challenge(state, mfa_token).await;
            return Err(AuthError::InvalidToken);
        }
        Err(e) => return Err(e.into()),
    };
    let record = tokens::find(store, mfa_token, Purpose::MfaChallenge).await?.ok_or(AuthError::InvalidToken)?;
    let user = users::get(store, &record.user_id).await?.ok_or(AuthError::InvalidToken)?;
    if user.status == UserStatus::Disabled {
        return Err(AuthError::AccountDisabled);
    }
    ensure_tenant_open(state, &user).await?;
    if let Some(lock) = rate_limit::locked(store, now, MFA_LOCK, user.id.as_str()).await? {
        return Err(AuthError::MfaLocked { retry_after_seconds: lock.retry_after_seconds });
    }
    let account_attempt = match rate_limit::reserve(store, now, &MFA_FAILURES_PER_ACCOUNT, user.id.as_str()).await {
        Ok(attempt) => attempt,
        // Past the tenth in the window: the lock holds (or is started now, if the request
        // that should have started it did not get that far).
        Err(LimitError::Limited(_)) => return Err(lock_second_factor(state, &user, meta).await),
        Err(e) => return Err(e.into()),
    };
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
                None => return Err(mfa_failure(state, token_attempt, account_attempt, mfa_token, &user, meta).await),
            }
        }
        SecondFactor::BackupCode(code) => {
            let hash = secrets::hash_secret(&backup_codes::normalize_backup_code(code));
            if !stored_codes::exists(store, &user.id, &hash).await? {
                return Err(mfa_failure(state, token_attempt, account_attempt, mfa_token, &user, meta).await);
            }
            writes.push(stored_codes::consume(&user.id, &hash));
            "backup_code"
        }
    };
    // A right code is not a wrong one: it does not count towards the account's lock.
    give_back(state, account_attempt).await;
    match start_session(state, &updated, meta, writes, method).await {
        Ok(signed) => Ok((updated, signed)),
        // The token, the code's step or the backup code was used by a concurrent request.
        Err(AuthError::Store(StoreError::ConditionFailed { .. })) => Err(AuthError::InvalidCode),
        Err(e) => Err(e),
    }
}

/// Ends an MFA challenge (too many codes on it). Best effort: the per-token counter refuses
/// the token anyway until its window ends, after which the token has expired too.
async fn end_challenge(state: &AuthState, mfa_token: &str) {
    // A condition failure: the challenge is gone already (used, or ended by a racing request).
    match state.app.store.transact(vec![tokens::consume(mfa_token, Purpose::MfaChallenge)]).await {
        Err(e) if !e.is_condition_failed() => tracing::warn!(error = %e, "could not end an MFA challenge after too many codes"),
        _ => {}
    }
}

/// A wrong code, already counted by its reservations: audited; the fifth on a token kills
/// the token, the tenth on the account locks the account's second factor.
async fn mfa_failure(state: &AuthState, token_attempt: Reservation, account_attempt: Reservation, mfa_token: &str, user: &User, meta: &ClientMeta) -> AuthError {
    let app = &state.app;
    let audit = AuditEvent::new(app.clock.now(), user.id.as_str(), "session.mfa_failed", &meta.ip).tenant(user.tenant_id.as_ref());
    match audit.writes() {
        Ok(writes) => {
            if let Err(e) = app.store.transact(writes.to_vec()).await {
                tracing::warn!(error = %e, "could not audit a wrong second-factor code");
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not audit a wrong second-factor code"),
    }
    if account_attempt.is_last(&MFA_FAILURES_PER_ACCOUNT) {
        return lock_second_factor(state, user, meta).await;
    }
    if token_attempt.is_last(&MFA_FAILURES_PER_TOKEN) {
        end_challenge(state, mfa_token).await;
    }
    AuthError::InvalidCode
}

/// Locks the account's second factor for `MFA_LOCK_SECONDS`, unless a lock holds already.
/// The request that starts it (its conditional put commits with the audit event) also emails
/// the user: whoever sends codes got past the password. Answers the refusal, `MfaLocked`.
/// Locks the account's second factor for `MFA_LOCK_SECONDS`, unless a lock holds already;
/// the request that starts it also emails the user, once. The login's MFA step and the
/// signed-in second-factor routes share it. Answers the refusal, `MfaLocked`.
pub(crate) async fn lock_second_factor(state: &AuthState, user: &User, meta: &ClientMeta) -> AuthError {
    let app = &state.app;
    let store = app.store.as_ref();
    let now = app.clock.now();
    let audit = AuditEvent::new(now, user.id.as_str(), "session.mfa_locked", &meta.ip)
        .tenant(user.tenant_id.as_ref())
        .target(&user.id)
        .details(json!({"failures": MFA_FAILURES_PER_ACCOUNT.max, "locked_seconds": MFA_LOCK_SECONDS}));
    let started = match audit.appended_to(vec![rate_limit::start_lock(now, MFA_LOCK, user.id.as_str(), MFA_LOCK_SECONDS)]) {
        Ok(writes) => store.transact(writes).await,
        Err(e) => Err(e),
    };
    match started {
        Ok(()) => {
            let mail = emails::mfa_locked(&user.email, &meta.ip, MFA_LOCK_SECONDS / 60, &app.config.public_url);
            if let Err(e) = app.mailer.send(&mail).await {
                // The lock holds whether or not the warning goes out.
                tracing::warn!(error = %e, "second-factor lock email not sent");
            }
        }
        // A lock holds already: it was started (and told) by another request.
        Err(e) if e.is_condition_failed() => {}
        Err(e) => return e.into(),
    }
    let wait = match rate_limit::locked(store, now, MFA_LOCK, user.id.as_str()).await {
        Ok(Some(lock)) => lock.retry_after_seconds,
        _ => MFA_LOCK_SECONDS.unsigned_abs(),
    };
    AuthError::MfaLocked { retry_after_seconds: wait }
}

/// The session a refresh token names, if it is shaped like one (it proves nothing yet).
pub fn session_of_refresh(token: &str) -> Option<SessionId> {
    parse_refresh(token).map(|(_, session, _)| session)
}

fn parse_refresh(token: &str) -> Option<(UserId, SessionId, &str)> {
    let mut parts = token.splitn(3, '.');
    let user = UserId::parse(parts.next()?)?;
    let session = SessionId::parse(parts.next()?)?;
    let secret = parts.next().filter(|s| secrets::plausible(s))?;
    Some((user, session, secret))
}

/// Rotates the refresh token. An already-rotated token ends the whole session (the family),
/// and so does losing the race to rotate the same token; a session past its absolute
/// lifetime (30 days from sign-in) ends instead of rotating.
pub async fn refresh(state: &AuthState, token: &str, meta: &ClientMeta) -> Result<SignedIn, AuthError> {
    let app = &state.app;
    let (user_id, session_id, secret) = parse_refresh(token).ok_or(AuthError::InvalidToken)?;
    let session = sessions::get(app.store.as_ref(), &user_id, &session_id).await?.ok_or(AuthError::InvalidToken)?;
    let presented = secrets::hash_secret(secret);
    let now = app.clock.now();
    if now >= sessions::absolute_end(&session) {
        end_session(state, &session, "session.expired", meta).await?;
        return Err(AuthError::SessionExpired);
    }
    if !secrets::same(&presented, &session.refresh_hash) {
        if session.rotated_hashes.iter().any(|h| secrets::same(h, &presented)) {
            end_session(state, &session, "session.refresh_reused", meta).await?;
            return Err(AuthError::RefreshReused);
        }
        return Err(AuthError::InvalidToken);
    }
    let user = users::get(app.store.as_ref(), &user_id).await?.ok_or(AuthError::InvalidToken)?;
    ensure_tenant_open(state, &user).await?;
    let new_secret = secrets::new_secret();
    let old_hash = session.refresh_hash.clone();
    // Sliding expiry, never past the absolute end.
    let rotated = sessions::capped(session.clone().rotated(secrets::hash_secret(&new_secret), now));
    match sessions::rotate(app.store.as_ref(), &rotated, &old_hash).await {
        Ok(()) => {}
        // A concurrent refresh with the same token won: this one is a reuse, and ends the
        // family exactly as a later reuse would (one of the two holders is not the owner).
        Err(StoreError::ConditionFailed { .. }) => {
            end_session(state, &session, "session.refresh_reused", meta).await?;
            return Err(AuthError::RefreshReused);
        }
        Err(e) => return Err(e.into()),
    }
    let claims = AccessClaims::new(user.id.clone(), rotated.tenant_id.clone(), rotated.role, session_id.clone(), now);
    let access = state.signer.sign(&claims).map_err(|e| AuthError::Internal(e.to_string()))?;
    // The same session, so the same CSRF value (derived from its id, see `cookies::csrf_value`).
    let csrf = web::auth::cookies::csrf_value(&app.config.csrf_key, &session_id);
    Ok(SignedIn { access, refresh: refresh_token(&user, &session_id, &new_secret), csrf, session_id })
}

/// Deletes `session` (whether or not it is still there) with its audit event `action`.
async fn end_session(state: &AuthState, session: &Session, action: &str, meta: &ClientMeta) -> Result<(), AuthError> {
    let app = &state.app;
    let audit = AuditEvent::new(app.clock.now(), session.user_id.as_str(), action, &meta.ip)
        .tenant(session.tenant_id.as_ref())
        .target(&session.id);
    app.store.transact(audit.appended_to(vec![sessions::end(&session.user_id, &session.id)])?).await?;
    Ok(())
}

/// Ends the caller's session.
pub async fn logout(state: &AuthState, user: &UserId, session: &SessionId, meta: &ClientMeta) -> Result<(), AuthError> {
    let app = &state.app;
    let tenant = users::get(app.store.as_ref(), user).await?.and_then(|u| u.tenant_id);
    let audit = AuditEvent::new(app.clock.now(), user.as_str(), "session.logout", &meta.ip).tenant(tenant.as_ref()).target(session);
    app.store.transact(audit.appended_to(vec![sessions::end(user, session)])?).await?;
    Ok(())
}
