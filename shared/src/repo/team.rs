//! A tenant's team: its members (the users whose item carries GSI2 `MEMBERS#<ten_id>`, written
//! by `repo::users`) and its roster (`TENANT#<ten_id>` / `TEAM`, see `domain::team`).
//!
//! Every change to a team — an invitation sent, revoked or accepted, a role changed, a member
//! removed — puts the roster with `save` in the transaction of the change. `save` is guarded by
//! the roster's version, so a concurrent change makes the transaction fail on that write and
//! the caller starts over from a fresh `load`. Code outside the team function that adds,
//! removes or re-roles a tenant's member should do the same, or the roster's counts drift.
use crate::domain::ids::TenantId;
use crate::domain::invitation::{Invitation, InvitationStatus};
use crate::domain::team::{HeldSeat, Roster};
use crate::domain::time::Timestamp;
use crate::domain::user::{Role, User};
use crate::ports::item_store::{Cond, Item, ItemStore, Query, StoreError, Write};
use crate::repo::keys;

/// The query of a tenant's members (GSI2, by user id: oldest first). GSI reads are eventually
/// consistent: a change shows here a moment later; rules never read this, they read the roster.
pub fn members_query(tenant: &TenantId) -> Query {
    Query::gsi2(keys::members_gsi2pk(tenant)).prefix("USER#")
}

/// The stored roster, if any.
pub async fn get(store: &dyn ItemStore, tenant: &TenantId) -> Result<Option<Roster>, StoreError> {
    store.get(&keys::team(tenant)).await?.map(|i| i.record()).transpose()
}

/// The roster to change: the stored one, or (the first time) one counted from the members and
/// the pending invitations, at version 0, which `save` then creates.
pub async fn load(store: &dyn ItemStore, tenant: &TenantId, now: Timestamp) -> Result<Roster, StoreError> {
    match get(store, tenant).await? {
        Some(roster) => Ok(roster),
        None => count(store, tenant, now).await,
    }
}

/// Counts a team from its items: every member, and the pending invitations not yet expired.
pub async fn count(store: &dyn ItemStore, tenant: &TenantId, now: Timestamp) -> Result<Roster, StoreError> {
    let mut roster = Roster::empty(tenant.clone());
    let mut after = None;
    loop {
        let page = store.query(members_query(tenant).limit(1000).after(after)).await?;
        for item in &page.items {
            let user: User = item.record()?;
            if user.tenant_id.as_ref() == Some(tenant) {
                roster.members += 1;
                if user.role == Role::TenantAdmin {
                    roster.admins += 1;
                }
            }
        }
        after = page.next;
        if after.is_none() {
            break;
        }
    }
    let mut after = None;
    loop {
        let query = Query::table(keys::invitations_pk(Some(tenant))).prefix("INVITE#").limit(1000).after(after);
        let page = store.query(query).await?;
        for item in &page.items {
            let invitation: Invitation = item.record()?;
            if invitation.status_at(now) == InvitationStatus::Pending {
                roster.held.push(HeldSeat {
                    invitation_id: invitation.id,
                    email: invitation.email,
                    expires_at: invitation.expires_at,
                });
            }
        }
        after = page.next;
        if after.is_none() {
            break;
        }
    }
    Ok(roster)
}

/// The write that stores a changed roster (its `version` already bumped), if nobody changed it
/// since: created when it was counted (version 0 before the change), else version-guarded.
pub fn save(roster: &Roster) -> Result<Write, StoreError> {
    let item = Item::from_record(keys::team(&roster.tenant_id), roster)?;
    let previous = roster.version - 1;
    Ok(Write::put(item).when(if previous <= 0 { Cond::Absent } else { Cond::version(previous) }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::email::Email;
    use crate::domain::ids::{InvitationId, UserId};
    use crate::domain::invitation::VALID_SECONDS;
    use crate::domain::user::UserStatus;
    use crate::repo::{invitations, users};

    fn user(tenant: &TenantId, email: &str, role: Role, now: Timestamp) -> User {
        User {
            id: UserId::generate(now),
            email: Email::parse(email).unwrap(),
            name: "N".into(),
            role,
            tenant_id: Some(tenant.clone()),
            status: UserStatus::Active,
            email_verified: true,
            password_hash: None,
            created_at: now,
            version: 1,
            mfa: Default::default(),
        }
    }

    fn invitation(tenant: &TenantId, email: &str, now: Timestamp) -> Invitation {
        Invitation {
            id: InvitationId::generate(now),
            tenant_id: Some(tenant.clone()),
            email: Email::parse(email).unwrap(),
            name: None,
            role: Role::TenantMember,
            invited_by: "usr_x".into(),
            status: InvitationStatus::Pending,
            created_at: now,
            expires_at: now.plus_seconds(VALID_SECONDS),
            accepted_at: None,
            token_hash: email.into(),
            version: 1,
        }
    }

    #[tokio::test]
    async fn a_team_is_counted_once_then_changed_only_at_its_version() {
        // GIVEN a tenant with an admin, a member and a pending invitation, and no roster yet
        let (state, _clock) = crate::testing::state();
        let store = state.store.as_ref();
        let now = state.clock.now();
        let tenant = TenantId::generate(now);
        users::create(store, &user(&tenant, "a@example.com", Role::TenantAdmin, now), vec![]).await.unwrap();
        users::create(store, &user(&tenant, "m@example.com", Role::TenantMember, now), vec![]).await.unwrap();
        store.transact(vec![invitations::create(&invitation(&tenant, "i@example.com", now)).unwrap()]).await.unwrap();

        // WHEN it is loaded
        let counted = load(store, &tenant, now).await.unwrap();

        // THEN it is counted from the items
        assert_eq!((counted.members, counted.admins, counted.held.len(), counted.version), (2, 1, 1, 0));
        // AND saving a change creates it once; a second writer from the same read loses
        let changed = counted.clone().remove(Role::TenantMember, now).unwrap();
        store.transact(vec![save(&changed).unwrap()]).await.unwrap();
        let racing = counted.remove(Role::TenantMember, now).unwrap();
        assert!(store.transact(vec![save(&racing).unwrap()]).await.unwrap_err().is_condition_failed());
        let stored = load(store, &tenant, now).await.unwrap();
        assert_eq!((stored.members, stored.version), (1, 1));
        let next = stored.clone().change_role(Role::TenantMember, Role::TenantAdmin, now).unwrap();
        store.transact(vec![save(&next).unwrap()]).await.unwrap();
        assert!(store.transact(vec![save(&next).unwrap()]).await.unwrap_err().is_condition_failed(), "a stale version loses");
    }
}
