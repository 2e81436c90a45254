//! Accepting an invitation: `POST /api/v1/invitations/accept` and the `/auth/accept-invitation`
//! page. The emailed token is the only credential, so this is public. Tenant invitations (sent
//! here) and platform invitations (`tenant_id` None, role `platform_admin` or `partner`, sent by
//! the admin-users function) are accepted the same way.
//!
//! - No account with the invited address: one is created with the invited role, `name` and
//!   `password` required (the sign-up password rules), already verified: the emailed link
//!   proves the address.
//! - An account that belongs to no organization and is disabled (a member removed earlier,
//!   see `members`): it is attached with the invited role and enabled again. `name` and
//!   `password` are optional and, when given, replace the old ones (the link proves the
//!   address, as a password-reset link does).
//! - An account that is already a member of the inviting tenant: 409 `already_member`.
//! - Any other account (active in another organization, a platform admin, a partner): 409
//!   `email_taken`; one account belongs to one organization.
//!
//! The invitation is used once: its save is guarded by its `version`, in the transaction that
//! creates or attaches the account. Expired, revoked or used: 400 `invalid_token`.
use serde_json::json;
use web::AppState;
use domain::secrets;
use domain::ids::UserId;
use domain::invitation::{Invitation, InvitationStatus};
use domain::password::MIN_LENGTH;
use domain::tenant::TenantStatus;
use domain::text::parse_line;
use domain::user::{Role, User, UserStatus};
use store::ports::item_store::StoreError;
use store::repo::{invitations, sessions, team, tenants, users};
use store::retry;
use tokio::sync::OnceCell;

use super::{ATTEMPTS, Origin, TeamError};

/// What accepting would do with the account of the invited address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountState {
    /// No account: accepting creates one (name and password needed).
    New,
    /// A detached account: accepting attaches and enables it.
    Attachable,
    /// Already a member of the inviting tenant.
    AlreadyMember,
    /// An account elsewhere: accepting is refused.
    Taken,
}

/// What the accept page shows before anything happens.
#[derive(Debug, Clone)]
pub struct Preview {
    pub invitation: Invitation,
    /// The inviting tenant's name (None for a platform invitation).
    pub organization: Option<String>,
    pub account: AccountState,
}

/// The outcome: the account as it is now, and whether it was created.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub user: User,
    pub created: bool,
}

/// Whether an existing account may be attached by an invitation: it belongs to no tenant and
/// is disabled, which is what removing a member leaves.
pub fn attachable(user: &User) -> bool {
    user.tenant_id.is_none() && user.status == UserStatus::Disabled && matches!(user.role, Role::TenantAdmin | Role::TenantMember)
}

fn account_state(user: Option<&User>, invitation: &Invitation) -> AccountState {
    match user {
        None => AccountState::New,
        Some(u) if u.tenant_id.is_some() && u.tenant_id == invitation.tenant_id => AccountState::AlreadyMember,
        Some(u) if attachable(u) => AccountState::Attachable,
        Some(_) => AccountState::Taken,
    }
}

/// The pending invitation `token` belongs to, read consistently (the token index is not).
async fn pending(app: &AppState, token: &str) -> Result<Invitation, TeamError> {
    let store = app.store.as_ref();
    let found = invitations::find_by_token(store, token).await?.ok_or(TeamError::InvalidToken)?;
    let invitation = invitations::get(store, found.tenant_id.as_ref(), &found.id).await?.ok_or(TeamError::InvalidToken)?;
    if !secrets::same(&invitation.token_hash, &secrets::hash_secret(token)) {
        return Err(TeamError::InvalidToken);
    }
    if invitation.status_at(app.clock.now()) != InvitationStatus::Pending {
        return Err(TeamError::InvalidToken);
    }
    let tenant_role = matches!(invitation.role, Role::TenantAdmin | Role::TenantMember);
    if tenant_role != invitation.tenant_id.is_some() {
        return Err(TeamError::Internal(format!("invitation {} has role {:?} for tenant {:?}", invitation.id, invitation.role, invitation.tenant_id)));
    }
    Ok(invitation)
}

/// The organization an invitation joins, if it may be joined now (None: the platform).
async fn organization(app: &AppState, invitation: &Invitation) -> Result<Option<String>, TeamError> {
    let Some(id) = &invitation.tenant_id else { return Ok(None) };
    let tenant = tenants::get(app.store.as_ref(), id).await?.ok_or(TeamError::InvalidToken)?;
    match tenant.status {
        TenantStatus::Deleted => Err(TeamError::InvalidToken),
        TenantStatus::Suspended => Err(TeamError::TenantNotWritable(TenantStatus::Suspended)),
        TenantStatus::Active | TenantStatus::Provisioning => Ok(Some(tenant.name)),
    }
}

/// What accepting `token` would do; changes nothing.
pub async fn preview(app: &AppState, token: &str) -> Result<Preview, TeamError> {
    let invitation = pending(app, token).await?;
    let organization = organization(app, &invitation).await?;
    let user = users::find_by_email(app.store.as_ref(), &invitation.email).await?;
    let account = account_state(user.as_ref(), &invitation);
    Ok(Preview { invitation, organization, account })
}

async fn hash(password: String) -> Result<String, TeamError> {
    tokio::task::spawn_blocking(move || domain::password::hash_new(&password, MIN_LENGTH))
        .await
        .map_err(|e| TeamError::Internal(e.to_string()))?
        .map_err(|e| match e {
            domain::password::PasswordError::Hash(e) => TeamError::Internal(e),
            other => TeamError::invalid("password", other),
        })
}

fn parse_name(raw: &str) -> Result<String, TeamError> {
    parse_line(raw, 100).map_err(|e| TeamError::invalid("name", e))
}

/// Accepts the invitation `token` belongs to (see the module comment).
pub async fn accept(app: &AppState, token: &str, name: Option<String>, password: Option<String>, origin: &Origin) -> Result<Accepted, TeamError> {
    let store = app.store.as_ref();
    // A malformed name is refused before anything is read or written.
    let name = &name.as_deref().map(parse_name).transpose()?;
    let password = &password;
    // argon2 is slow by design: hashed once, whichever way the attempts below go.
    let password_hash = &OnceCell::new();
    retry::on_conflict(ATTEMPTS, || async move {
        let invitation = pending(app, token).await?;
        organization(app, &invitation).await?;
        let now = app.clock.now();
        let accepted = invitation.clone().accept(now).map_err(|_| TeamError::InvalidToken)?;
        let roster = match &invitation.tenant_id {
            Some(tenant) => Some(team::load(store, tenant, now).await?.join(&invitation.id, invitation.role, now)),
            None => None,
        };
        let existing = users::find_by_email(store, &invitation.email).await?;
        match account_state(existing.as_ref(), &invitation) {
            AccountState::AlreadyMember => Err(TeamError::AlreadyMember),
            AccountState::Taken => Err(TeamError::EmailTaken),
            AccountState::New => {
                let name = name.clone().or_else(|| invitation.name.clone()).ok_or_else(|| TeamError::invalid("name", "is required to create your account"))?;
                let password_hash = password_hash
                    .get_or_try_init(|| async {
                        let password = password.clone().ok_or_else(|| TeamError::invalid("password", "is required to create your account"))?;
                        hash(password).await
                    })
                    .await?;
                let user = User {
                    id: UserId::generate(now),
                    email: invitation.email.clone(),
                    name,
                    role: invitation.role,
                    tenant_id: invitation.tenant_id.clone(),
                    status: UserStatus::Active,
                    // The emailed link proves the address.
                    email_verified: true,
                    password_hash: Some(password_hash.clone()),
                    created_at: now,
                    version: 1,
                    mfa: Default::default(),
                };
                let audit = audit(&accepted, &user, "created", origin, now);
                // users::create puts the email claim (0) and the user (1) first.
                let mut extra = vec![invitations::save(&accepted)?];
                if let Some(roster) = &roster {
                    extra.push(team::save(roster)?);
                }
                let extra = audit.appended_to(extra)?;
                match users::create(store, &user, extra).await {
                    Ok(()) => Ok(Accepted { user, created: true }),
                    // Someone made an account with this address meanwhile: go again as an existing one.
                    Err(users::UserRepoError::EmailTaken) => Err(TeamError::Conflict),
                    Err(users::UserRepoError::Store(StoreError::ConditionFailed { index: Some(2) })) => Err(TeamError::InvalidToken),
                    Err(users::UserRepoError::Store(e)) if retry::lost_race_on(&e, &[3]) => Err(TeamError::Conflict),
                    Err(users::UserRepoError::Store(e)) => Err(e.into()),
                }
            }
            AccountState::Attachable => {
                let Some(mut user) = existing else { return Err(TeamError::Internal("attachable without an account".into())) };
                if let Some(name) = &name {
                    user.name = name.clone();
                }
                if let Some(password) = password {
                    user.password_hash = Some(password_hash.get_or_try_init(|| hash(password.clone())).await?.clone());
                }
                user.tenant_id = invitation.tenant_id.clone();
                user.role = invitation.role;
                user.status = UserStatus::Active;
                user.email_verified = true;
                user.version += 1;
                // A disabled account has no live session; any left over ends here all the same.
                let ended = sessions::to_end(store, &user.id).await?;
                let audit = audit(&accepted, &user, "attached", origin, now);
                let mut writes = vec![invitations::save(&accepted)?, users::save(&user)?];
                if let Some(roster) = &roster {
                    writes.push(team::save(roster)?);
                }
                let writes = audit.appended_to(writes)?;
                match sessions::commit_ending_sessions(store, writes, ended).await {
                    Ok(()) => Ok(Accepted { user, created: false }),
                    Err(StoreError::ConditionFailed { index: Some(0) }) => Err(TeamError::InvalidToken),
                    Err(e) if retry::lost_race_on(&e, &[1, 2]) => Err(TeamError::Conflict),
                    Err(e) => Err(e.into()),
                }
            }
        }
    })
    .await
}

fn audit(invitation: &Invitation, user: &User, account: &str, origin: &Origin, now: domain::time::Timestamp) -> store::audit::AuditEvent {
    origin.event(now, user.id.as_str(), "invitation.accepted")
        .tenant(invitation.tenant_id.as_ref())
        .target(&invitation.id)
        .details(json!({"user_id": user.id, "email": user.email, "role": user.role, "account": account, "invited_by": invitation.invited_by}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::email::Email;
    use domain::ids::{InvitationId, TenantId};
    use domain::time::Timestamp;

    fn user(tenant: Option<TenantId>, role: Role, status: UserStatus) -> User {
        let now = Timestamp::from_unix(1_795_600_800);
        User {
            id: UserId::generate(now),
            email: Email::parse("bob@example.com").unwrap(),
            name: "Bob".into(),
            role,
            tenant_id: tenant,
            status,
            email_verified: true,
            password_hash: None,
            created_at: now,
            version: 1,
            mfa: Default::default(),
        }
    }

    fn invitation(tenant: Option<TenantId>) -> Invitation {
        let now = Timestamp::from_unix(1_795_600_800);
        Invitation {
            id: InvitationId::generate(now),
            tenant_id: tenant,
            email: Email::parse("bob@example.com").unwrap(),
            name: None,
            role: Role::TenantMember,
            invited_by: "usr_x".into(),
            status: InvitationStatus::Pending,
            created_at: now,
            expires_at: now.plus_seconds(60),
            accepted_at: None,
            token_hash: "h".into(),
            version: 1,
        }
    }

    #[test]
    fn only_a_removed_members_account_can_be_attached() {
        let now = Timestamp::from_unix(1_795_600_800);
        let (ours, theirs) = (TenantId::generate(now), TenantId::generate(now));
        let inv = invitation(Some(ours.clone()));
        assert_eq!(account_state(None, &inv), AccountState::New);
        assert_eq!(account_state(Some(&user(None, Role::TenantMember, UserStatus::Disabled)), &inv), AccountState::Attachable);
        assert_eq!(account_state(Some(&user(Some(ours), Role::TenantMember, UserStatus::Active)), &inv), AccountState::AlreadyMember);
        assert_eq!(account_state(Some(&user(Some(theirs), Role::TenantAdmin, UserStatus::Active)), &inv), AccountState::Taken);
        assert_eq!(account_state(Some(&user(None, Role::PlatformAdmin, UserStatus::Disabled)), &inv), AccountState::Taken);
        assert_eq!(account_state(Some(&user(None, Role::Partner, UserStatus::Active)), &inv), AccountState::Taken);
    }

    #[test]
    fn a_platform_invitation_never_counts_a_tenantless_account_as_a_member() {
        let inv = invitation(None);
        assert_eq!(account_state(Some(&user(None, Role::Partner, UserStatus::Active)), &inv), AccountState::Taken);
    }
}
