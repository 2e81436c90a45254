//! The purge of a deleted tenant: every item it owns goes — its members' accounts (the whole
//! `USER#<usr_id>` partition: profile, sessions, backup codes) and their email claims, its own
//! partition (invitations, subscription, roster, provisioning progress, the record) and its slug
//! claim — except what the law makes us keep: its audit trail (`AUDIT#<ten_id>`, another
//! partition, never touched here) and what `tenants::kept_by_purge` keeps.
//!
//! Three steps, in this order, each safe to run again after a failure part-way (every delete is
//! idempotent): `members`, `partition`, then `finish`, which deletes the record last, in one
//! transaction with the slug claim and the caller's `tenant.purged` event. The record is what
//! `tenants::purge_due` finds, so a purge cut short is found again by the next run and
//! finished; no tombstone is needed. Which tenants to purge, and what the event says, is the
//! scheduler's business.
use domain::ids::TenantId;
use domain::user::User;

use crate::audit::AuditEvent;
use crate::ports::item_store::{Cond, ItemStore, Key, MAX_TRANSACT_ITEMS, Query, StoreError, Write};
use crate::repo::keys;
use crate::repo::tenants::{self, Tenant, TenantStatus};

/// What (a step of) one tenant's purge removed and kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub users: usize,
    pub items_deleted: usize,
    pub items_kept: usize,
}

impl std::ops::AddAssign for Purged {
    fn add_assign(&mut self, other: Purged) {
        self.users += other.users;
        self.items_deleted += other.items_deleted;
        self.items_kept += other.items_kept;
    }
}

/// Step 1: every member of `tenant` (GSI2 `MEMBERS#<ten_id>`), each with their email claim and
/// their whole partition.
pub async fn members(store: &dyn ItemStore, tenant: &TenantId) -> Result<Purged, StoreError> {
    let mut done = Purged::default();
    // Each deleted profile leaves the index, so the query starts over until it comes back empty.
    loop {
        let page = store.query(Query::gsi2(keys::members_gsi2pk(tenant)).limit(50)).await?;
        if page.items.is_empty() {
            return Ok(done);
        }
        for item in &page.items {
            let user: User = item.record()?;
            done.items_deleted += delete_user(store, &user).await?;
            done.users += 1;
        }
    }
}

/// Step 2: the tenant's partition, but its record (`finish` deletes it, last) and what
/// `tenants::kept_by_purge` keeps.
pub async fn partition(store: &dyn ItemStore, tenant: &TenantId) -> Result<Purged, StoreError> {
    let mut done = Purged::default();
    let record = keys::tenant(tenant);
    let mut after = None;
    loop {
        let page = store.query(Query::table(keys::tenant_pk(tenant)).limit(100).after(after)).await?;
        let mut doomed = Vec::new();
        for item in &page.items {
            if item.key == record {
                continue;
            }
            if tenants::kept_by_purge(item) {
                done.items_kept += 1;
            } else {
                doomed.push(item.key.clone());
            }
        }
        done.items_deleted += delete_all(store, doomed).await?;
        after = page.next;
        if after.is_none() {
            return Ok(done);
        }
    }
}

/// Step 3, in one transaction: the record (guarded by `status = deleted`, so a tenant restored
/// meanwhile stays), its slug claim if the claim is still the tenant's (guarded by `tenant_id`),
/// and `event`. Answers how many items it deleted.
pub async fn finish(store: &dyn ItemStore, tenant: &Tenant, event: &AuditEvent) -> Result<usize, StoreError> {
    let claim = keys::slug_claim(&tenant.slug);
    let owns_claim = store.get(&claim).await?.is_some_and(|c| c.get_str("tenant_id") == Some(tenant.id.as_str()));
    let mut writes = vec![Write::delete(keys::tenant(&tenant.id)).when(Cond::eq("status", TenantStatus::Deleted.as_str()))];
    if owns_claim {
        writes.push(Write::delete(claim).when(Cond::eq("tenant_id", tenant.id.as_str())));
    }
    store.transact(event.appended_to(writes)?).await?;
    Ok(1 + usize::from(owns_claim))
}

/// A user's email claim, then every item of their partition, the profile last (it is what the
/// members index finds, so a user half-deleted is found again).
async fn delete_user(store: &dyn ItemStore, user: &User) -> Result<usize, StoreError> {
    let mut deleted = 0;
    match store.delete(&keys::email_claim(&user.email), Some(Cond::eq("user_id", user.id.as_str()))).await {
        Ok(()) => deleted += 1,
        // Already gone, or the address belongs to someone else now.
        Err(StoreError::ConditionFailed { .. }) => {}
        Err(e) => return Err(e),
    }
    let profile = keys::user(&user.id);
    loop {
        let page = store.query(Query::table(keys::user_pk(&user.id)).limit(100)).await?;
        let rest: Vec<Key> = page.items.iter().map(|i| i.key.clone()).filter(|k| *k != profile).collect();
        if rest.is_empty() {
            break;
        }
        deleted += delete_all(store, rest).await?;
    }
    store.delete(&profile, None).await?;
    Ok(deleted + 1)
}

/// Deletes `keys` in transactions of at most `MAX_TRANSACT_ITEMS`.
async fn delete_all(store: &dyn ItemStore, keys: Vec<Key>) -> Result<usize, StoreError> {
    let count = keys.len();
    for chunk in keys.chunks(MAX_TRANSACT_ITEMS) {
        store.transact(chunk.iter().cloned().map(Write::delete).collect()).await?;
    }
    Ok(count)
}
