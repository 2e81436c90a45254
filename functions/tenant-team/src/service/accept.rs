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
use shared::AppState;
use shared::auth::secrets;
use shared::domain::ids::UserId;
use shared::domain::invitation::{Invitation, InvitationStatus};
use shared::domain::password::MIN_LENGTH;
use shared::domain::tenant::TenantStatus;
use shared::domain::text::parse_line;
use shared::domain::user::{Role, User, UserStatus};
use shared::ports::item_store::StoreError;
use shared::repo::{invitations, sessions, team, tenants, users};

use super::{ATTEMPTS, Origin, TeamError, commit, lost_race};

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
    auth::service::hash_password(password, MIN_LENGTH).await.map_err(|e| match e {
        auth::service::AuthError::Invalid { field, message } => TeamError::Invalid { field, message },
        other => TeamError::Internal(other.to_string()),
    })
}

fn parse_name(raw: &str) -> Result<String, TeamError> {
    parse_line(raw, 100).map_err(|e| TeamError::invalid("name", e))
}

/// Accepts the invitation `token` belongs to (see the module comment).
pub async fn accept(app: &AppState, token: &str, name: Option<String>, password: Option<String>, origin: &Origin) -> Result<Accepted, TeamError> {
    let store = app.store.as_ref();
    // A malformed name is refused before anything is read or written.
    let name = name.as_deref().map(parse_name).transpose()?;
    // argon2 is slow by design: hashed once, whichever way the attempts below go.
    let mut password_hash = None;
    for _ in 0..ATTEMPTS {
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
            AccountState::AlreadyMember => return Err(TeamError::AlreadyMember),
            AccountState::Taken => return Err(TeamError::EmailTaken),
            AccountState::New => {
                let name = name.clone().or_else(|| invitation.name.clone()).ok_or_else(|| TeamError::invalid("name", "is required to create your account"))?;
                if password_hash.is_none() {
                    let password = password.clone().ok_or_else(|| TeamError::invalid("password", "is required to create your account"))?;
                    password_hash = Some(hash(password).await?);
                }
                let user = User {
                    id: UserId::generate(now),
                    email: invitation.email.clone(),
                    name,
                    role: invitation.role,
                    tenant_id: invitation.tenant_id.clone(),
                    status: UserStatus::Active,
                    // The emailed link proves the address.
                    email_verified: true,
                    password_hash: password_hash.clone(),
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
                    Ok(()) => return Ok(Accepted { user, created: true }),
                    // Someone made an account with this address meanwhile: go again as an existing one.
                    Err(users::UserRepoError::EmailTaken) => continue,
                    Err(users::UserRepoError::Store(StoreError::ConditionFailed { index: Some(2) })) => return Err(TeamError::InvalidToken),
                    Err(users::UserRepoError::Store(e)) if lost_race(&e, &[3]) => continue,
                    Err(users::UserRepoError::Store(e)) => return Err(e.into()),
                }
            }
            AccountState::Attachable => {
                let Some(mut user) = existing else { return Err(TeamError::Internal("attachable without an account".into())) };
                if let Some(name) = &name {
                    user.name = name.clone();
                }
                if let Some(password) = &password {
                    if password_hash.is_none() {
                        password_hash = Some(hash(password.clone()).await?);
                    }
                    user.password_hash = password_hash.clone();
                }
                user.tenant_id = invitation.tenant_id.clone();
                user.role = invitation.role;
                user.status = UserStatus::Active;
                user.email_verified = true;
                user.version += 1;
                // A disabled account has no live session; any left over ends here all the same.
                let ended = sessions::end_all(store, &user.id).await?;
                let audit = audit(&accepted, &user, "attached", origin, now);
                let mut writes = vec![invitations::save(&accepted)?, users::save(&user)?];
                if let Some(roster) = &roster {
                    writes.push(team::save(roster)?);
                }
                let writes = audit.appended_to(writes)?;
                match commit(store, writes, ended).await {
                    Ok(()) => return Ok(Accepted { user, created: false }),
                    Err(StoreError::ConditionFailed { index: Some(0) }) => return Err(TeamError::InvalidToken),
                    Err(e) if lost_race(&e, &[1, 2]) => continue,
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    Err(TeamError::Conflict)
}

fn audit(invitation: &Invitation, user: &User, account: &str, origin: &Origin, now: shared::domain::time::Timestamp) -> shared::audit::AuditEvent {
    origin.event(now, user.id.as_str(), "invitation.accepted")
        .tenant(invitation.tenant_id.as_ref())
        .target(&invitation.id)
        .details(json!({"user_id": user.id, "email": user.email, "role": user.role, "account": account, "invited_by": invitation.invited_by}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::domain::email::Email;
    use shared::domain::ids::{InvitationId, TenantId};
    use shared::domain::time::Timestamp;

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
