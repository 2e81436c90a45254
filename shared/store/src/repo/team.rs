//! A tenant's team: its members (the users whose item carries GSI2 `MEMBERS#<ten_id>`, written
//! by `repo::users`) and its roster (`TENANT#<ten_id>` / `TEAM`, see `domain::team`).
//!
//! Every change to a team — an invitation sent, revoked or accepted, a role changed, a member
//! removed — puts the roster with `save` in the transaction of the change. `save` is guarded by
//! the roster's version, so a concurrent change makes the transaction fail on that write and
//! the caller starts over from a fresh `load`. Code outside the team function that adds,
//! removes or re-roles a tenant's member should do the same, or the roster's counts drift.
use domain::ids::TenantId;
use domain::invitation::{Invitation, InvitationStatus};
use domain::team::{HeldSeat, Roster};
use domain::time::Timestamp;
use domain::user::{Role, User};
use crate::ports::item_store::{Cond, Cursor, Index, Item, ItemStore, Page, Query, StoreError, Write};
use crate::repo::keys;

/// The query of a tenant's members (GSI2, by user id: oldest first). GSI reads are eventually
/// consistent: a change shows here a moment later; rules never read this, they read the roster.
pub fn members_query(tenant: &TenantId) -> Query {
    Query::gsi2(keys::members_gsi2pk(tenant)).prefix("USER#")
}

/// The index `members_page` reads, for the cursors of its pages.
pub const MEMBERS_INDEX: Index = Index::Gsi2;

/// One page of a tenant's members (GSI2 `MEMBERS#<ten_id>` prefix `USER#`, oldest first):
/// one Query of `limit` items after `after`.
pub async fn members_page(store: &dyn ItemStore, tenant: &TenantId, limit: usize, after: Option<Cursor>) -> Result<Page, StoreError> {
    store.query(members_query(tenant).limit(limit).after(after)).await
}

/// How many items the members index holds for `tenant`, read in pages of 1,000: the usage
/// figure, not the roster's count (the index trails a change by a moment).
pub async fn count_members(store: &dyn ItemStore, tenant: &TenantId) -> Result<i64, StoreError> {
    let mut members = 0;
    let mut after = None;
    loop {
        let page = store.query(Query::gsi2(keys::members_gsi2pk(tenant)).limit(1000).after(after)).await?;
        members += page.items.len() as i64;
        after = page.next;
        if after.is_none() {
            return Ok(members);
        }
    }
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
