//! Sign-up, email verification, password reset and the caller's own profile.
use store::audit::AuditEvent;
use store::rate_limit;
use domain::email::Email;
use domain::ids::{TenantId, UserId};
use domain::password::MIN_LENGTH;
use domain::text::parse_line;
use domain::user::{Role, User, UserStatus};
use web::client::ClientMeta;
use store::ports::item_store::StoreError;
use store::repo::tenants::{self, Tenant, TenantStatus};
use store::repo::tokens::{self, Purpose};
use store::repo::{plans, sessions, users};
use serde_json::json;

use super::login::LoginOutcome;
use super::{AuthError, hash_password, new_session};
use crate::emails;
use crate::state::AuthState;

pub struct Signup {
    pub email: String,
    pub password: String,
    pub name: String,
    pub organization: String,
    pub referral_code: Option<String>,
}

fn parse_email(raw: &str) -> Result<Email, AuthError> {
    Email::parse(raw).map_err(|e| AuthError::invalid("email", e))
}

/// A new user (tenant admin) and tenant on the free plan; the verification email is sent.
///
/// The per-IP limit is counted before any work (refused bodies count too), and a taken address
/// is refused before the password is hashed (argon2 is the costly part).
pub async fn signup(state: &AuthState, cmd: Signup, meta: &ClientMeta) -> Result<(User, Tenant), AuthError> {
    let app = &state.app;
    rate_limit::hit(app.store.as_ref(), app.clock.now(), &rate_limit::SIGNUPS_PER_IP, &meta.ip).await?;
    let email = parse_email(&cmd.email)?;
    let name = parse_line(&cmd.name, 100).map_err(|e| AuthError::invalid("name", e))?;
    let organization = parse_line(&cmd.organization, 100).map_err(|e| AuthError::invalid("organization", e))?;
    let referral_code = match cmd.referral_code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) if code.len() <= 64 && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') => {
            Some(code.to_string())
        }
        Some(_) => return Err(AuthError::invalid("referral_code", "must be letters, digits, - or _ (at most 64)")),
        None => None,
    };
    if users::find_by_email(app.store.as_ref(), &email).await?.is_some() {
        return Err(AuthError::EmailTaken);
    }
    let password_hash = hash_password(cmd.password, MIN_LENGTH).await?;
    let now = app.clock.now();
    let plan = plans::free(app.store.as_ref(), now).await?;
    let base_slug = tenants::slugify(&organization);
    // A taken slug gets a short random suffix; a few tries make a clash vanishingly rare.
    for attempt in 0..5 {
        let slug = if attempt == 0 { base_slug.clone() } else { format!("{base_slug}-{}", &domain::secrets::new_secret()[..5].to_lowercase()) };
        let mut tenant = Tenant::new(TenantId::generate(now), organization.clone(), slug, TenantStatus::Active, plan.id.clone(), plan.currency.clone(), now);
        tenant.referral_code = referral_code.clone();
        let user = User {
            id: UserId::generate(now),
            email: email.clone(),
            name: name.clone(),
            role: Role::TenantAdmin,
            tenant_id: Some(tenant.id.clone()),
            status: UserStatus::Active,
            email_verified: false,
            password_hash: Some(password_hash.clone()),
            created_at: now,
            version: 1,
            mfa: Default::default(),
        };
        // A new user: the first generation of their verification links.
        let (token, token_writes) = tokens::issue_in(Purpose::VerifyEmail, &user.id, tokens::Generation::default(), now)?;
        let audit = AuditEvent::new(now, user.id.as_str(), "user.signup", &meta.ip)
            .tenant(Some(&tenant.id))
            .target(&user.id)
            .details(json!({"tenant_slug": tenant.slug, "plan": plan.code, "referral_code": tenant.referral_code}));
        let mut extra = tenants::create(&tenant)?;
        extra.extend(token_writes);
        extra.extend(audit.writes()?);
        match users::create(app.store.as_ref(), &user, extra).await {
            Ok(()) => {
                app.mailer.send(&emails::verification(&email, &user.name, &app.config.public_url, &token)).await?;
                return Ok((user, tenant));
            }
            Err(users::UserRepoError::EmailTaken) => return Err(AuthError::EmailTaken),
            // Writes 2 and 3 are the slug claim and the tenant: try another slug.
            Err(users::UserRepoError::Store(StoreError::ConditionFailed { index: Some(2) })) => continue,
            Err(users::UserRepoError::Store(e)) => return Err(e.into()),
        }
    }
    Err(AuthError::Conflict("Could not find a free slug for this organisation; try another name."))
}

/// Uses the verification token (and with it every verification link of the user), marks the
/// address verified and signs the user in; a user with 2FA on is sent to the second step
/// instead, as the password step does. A link for an address already verified is dead.
pub async fn verify_email(state: &AuthState, token: &str, meta: &ClientMeta) -> Result<LoginOutcome, AuthError> {
    let app = &state.app;
    let store = app.store.as_ref();
    let (record, generation) = tokens::find_live(store, token, Purpose::VerifyEmail).await?.ok_or(AuthError::InvalidToken)?;
    let mut user = users::get(store, &record.user_id).await?.ok_or(AuthError::InvalidToken)?;
    if user.email_verified {
        return Err(AuthError::InvalidToken);
    }
    if user.status == UserStatus::Disabled {
        return Err(AuthError::AccountDisabled);
    }
    let now = app.clock.now();
    if user.mfa.enabled {
        // The right link does not open a locked second factor, as the right password does not.
        if let Some(lock) = rate_limit::locked(store, now, rate_limit::MFA_LOCK, user.id.as_str()).await? {
            return Err(AuthError::MfaLocked { retry_after_seconds: lock.retry_after_seconds });
        }
    }
    user.email_verified = true;
    user.version += 1;
    let audit = AuditEvent::new(now, user.id.as_str(), "user.email_verified", &meta.ip)
        .tenant(user.tenant_id.as_ref())
        .target(&user.id);
    let mut writes = vec![
        tokens::consume(token, Purpose::VerifyEmail),
        users::save(&user)?,
        tokens::end_all(&user.id, Purpose::VerifyEmail, generation, now),
    ];
    let outcome = if user.mfa.enabled {
        let (mfa_token, challenge) = tokens::issue(Purpose::MfaChallenge, &user.id, now)?;
        writes.push(challenge);
        LoginOutcome::MfaRequired { mfa_token }
    } else {
        let (signed, session_write) = new_session(state, &user, meta)?;
        writes.push(session_write);
        LoginOutcome::SignedIn(user.clone(), signed)
    };
    match app.store.transact(audit.appended_to(writes)?).await {
        Ok(()) => Ok(outcome),
        // Used by a concurrent request between our read and our write (this link, or another
        // link of the same user: the generation moved on).
        Err(StoreError::ConditionFailed { index: Some(0 | 2) }) => Err(AuthError::InvalidToken),
        Err(e) => Err(e.into()),
    }
}

/// True when the limit was reached (the caller then does nothing, silently).
fn quietly_limited(result: Result<(), rate_limit::LimitError>) -> Result<bool, AuthError> {
    match result {
        Ok(()) => Ok(false),
        Err(rate_limit::LimitError::Limited(_)) => {
            tracing::warn!("email request over its per-address limit; answered without sending");
            Ok(true)
        }
        Err(e) => Err(e.into()),
    }
}

/// An email of these routes that could not go out: logged, never an error, so the answer
/// (202) does not depend on whether the address has an account.
async fn send_quietly(state: &AuthState, mail: &store::ports::mailer::OutgoingEmail, what: &str) {
    if let Err(e) = state.app.mailer.send(mail).await {
        tracing::warn!(error = %e, "{what} email not sent");
    }
}

/// Sends a new verification link to an unverified account; says nothing either way.
///
/// Known and unknown addresses do the same work: one read of the account, one read of a
/// token generation, a token and its hash computed; only an eligible account's token is
/// written and sent. A mail failure is logged, not answered.
pub async fn resend_verification(state: &AuthState, raw_email: &str) -> Result<(), AuthError> {
    let app = &state.app;
    let store = app.store.as_ref();
    let Ok(email) = Email::parse(raw_email) else { return Err(AuthError::invalid("email", "is not an email address")) };
    let now = app.clock.now();
    // Over the limit the answer stays the same (202): only the email is not sent, so the
    // limit tells nobody whether the address has an account.
    if quietly_limited(rate_limit::hit(store, now, &rate_limit::RESEND_VERIFICATION_PER_ADDRESS, email.as_str()).await)? {
        return Ok(());
    }
    let user = users::find_by_email(store, &email).await?.filter(|u| !u.email_verified && u.status != UserStatus::Disabled);
    let Some(user) = user else {
        tokens::rehearse(store, Purpose::VerifyEmail, now).await?;
        return Ok(());
    };
    let (token, writes) = tokens::issue_current(store, Purpose::VerifyEmail, &user.id, now).await?;
    app.store.transact(writes).await?;
    send_quietly(state, &emails::verification(&email, &user.name, &app.config.public_url, &token), "verification").await;
    Ok(())
}

/// Sends a reset link when the address has an active account; says nothing either way, and
/// does the same work for known and unknown addresses (see `resend_verification`).
pub async fn forgot_password(state: &AuthState, raw_email: &str, meta: &ClientMeta) -> Result<(), AuthError> {
    let app = &state.app;
    let store = app.store.as_ref();
    let Ok(email) = Email::parse(raw_email) else { return Err(AuthError::invalid("email", "is not an email address")) };
    let now = app.clock.now();
    if quietly_limited(rate_limit::hit(store, now, &rate_limit::FORGOT_PASSWORD_PER_ADDRESS, email.as_str()).await)? {
        return Ok(());
    }
    let user = users::find_by_email(store, &email).await?.filter(|u| u.status != UserStatus::Disabled);
    let Some(user) = user else {
        tokens::rehearse(store, Purpose::ResetPassword, now).await?;
        return Ok(());
    };
    let (token, writes) = tokens::issue_current(store, Purpose::ResetPassword, &user.id, now).await?;
    let audit = AuditEvent::new(now, user.id.as_str(), "user.password_reset_requested", &meta.ip)
        .tenant(user.tenant_id.as_ref())
        .target(&user.id);
    app.store.transact(audit.appended_to(writes)?).await?;
    send_quietly(state, &emails::password_reset(&email, &app.config.public_url, &token), "password-reset").await;
    Ok(())
}

/// Sets a new password with a reset token and ends every session of the user.
///
/// The token uses up every reset link of the user and ends their pending 2FA challenges (each
/// a generation bump in the same transaction). A disabled user's link is dead: nothing is
/// written.
pub async fn reset_password(state: &AuthState, token: &str, password: String, meta: &ClientMeta) -> Result<(), AuthError> {
    let app = &state.app;
    let store = app.store.as_ref();
    let (record, generation) = tokens::find_live(store, token, Purpose::ResetPassword).await?.ok_or(AuthError::InvalidToken)?;
    let mut user = users::get(store, &record.user_id).await?.ok_or(AuthError::InvalidToken)?;
    if user.status == UserStatus::Disabled {
        return Err(AuthError::InvalidToken);
    }
    let challenges = tokens::generation(store, &user.id, Purpose::MfaChallenge).await?;
    user.password_hash = Some(hash_password(password, MIN_LENGTH).await?);
    // Following the emailed link proves the address as well.
    user.email_verified = true;
    user.version += 1;
    let now = app.clock.now();
    let ended = sessions::to_end(app.store.as_ref(), &user.id).await?;
    let audit = AuditEvent::new(now, user.id.as_str(), "user.password_reset", &meta.ip)
        .tenant(user.tenant_id.as_ref())
        .target(&user.id)
        .details(json!({"sessions_ended": ended.len()}));
    let change = audit.appended_to(vec![
        tokens::consume(token, Purpose::ResetPassword),
        users::save(&user)?,
        tokens::end_all(&user.id, Purpose::ResetPassword, generation, now),
        tokens::end_all(&user.id, Purpose::MfaChallenge, challenges, now),
    ])?;
    // Every session ends with the new password, none after it: see `commit_ending_sessions`.
    match sessions::commit_ending_sessions(app.store.as_ref(), change, ended).await {
        Ok(()) => {}
        // This link or another of the user's was used by a concurrent request.
        Err(StoreError::ConditionFailed { index: Some(0 | 2) }) => return Err(AuthError::InvalidToken),
        Err(e) => return Err(e.into()),
    }
    // The password changed: tell the owner, so a reset they did not make is noticed. The
    // change stands whether or not the mail goes out.
    let notice = emails::password_changed(&user.email, &now.to_string(), &meta.ip, &app.config.public_url);
    if let Err(e) = app.mailer.send(&notice).await {
        tracing::warn!(error = %e, "password-changed email not sent");
    }
    Ok(())
}

/// The caller's own record.
pub async fn me(state: &AuthState, user: &UserId) -> Result<User, AuthError> {
    users::get(state.app.store.as_ref(), user).await?.ok_or(AuthError::NotFound("user"))
}

/// Changes the caller's own name (the only self-service field; role and tenant never).
pub async fn update_me(state: &AuthState, user_id: &UserId, name: Option<String>, meta: &ClientMeta) -> Result<User, AuthError> {
    let app = &state.app;
    let mut user = me(state, user_id).await?;
    let before = user.name.clone();
    if let Some(name) = name {
        user.name = parse_line(&name, 100).map_err(|e| AuthError::invalid("name", e))?;
    }
    if user.name == before {
        return Ok(user);
    }
    user.version += 1;
    let audit = AuditEvent::new(app.clock.now(), user.id.as_str(), "user.profile_updated", &meta.ip)
        .tenant(user.tenant_id.as_ref())
        .target(&user.id)
        .details(json!({"name": {"before": before, "after": user.name}}));
    app.store.transact(audit.appended_to(vec![users::save(&user)?])?).await?;
    Ok(user)
}
