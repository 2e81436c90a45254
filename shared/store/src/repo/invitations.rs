//! Invitations: under their tenant's partition (so a tenant's purge removes them), findable by
//! the hash of their emailed token through GSI1. Accepting is guarded by `version`, so a link
//! works once even when clicked twice at the same moment.
use domain::secrets;
use domain::ids::{InvitationId, TenantId};
use domain::invitation::{Invitation, InvitationStatus};
use domain::time::Timestamp;
use crate::ports::item_store::{Cond, Cursor, Index, Item, ItemStore, Page, Query, StoreError, Write};
use crate::repo::keys;

fn item(invitation: &Invitation) -> Result<Item, StoreError> {
    Ok(Item::from_record(keys::invitation(invitation.tenant_id.as_ref(), &invitation.id), invitation)?
        .with_gsi1(keys::invitation_token(&invitation.token_hash), "INVITATION"))
}

/// The write that stores a new invitation.
pub fn create(invitation: &Invitation) -> Result<Write, StoreError> {
    Ok(Write::put(item(invitation)?).when(Cond::Absent))
}

/// The write that saves a changed invitation (its `version` already bumped).
pub fn save(invitation: &Invitation) -> Result<Write, StoreError> {
    Ok(Write::put(item(invitation)?).when(Cond::version(invitation.version - 1)))
}

pub async fn get(store: &dyn ItemStore, tenant: Option<&TenantId>, id: &InvitationId) -> Result<Option<Invitation>, StoreError> {
    store.get(&keys::invitation(tenant, id)).await?.map(|i| i.record()).transpose()
}

/// The invitation an emailed secret belongs to.
pub async fn find_by_token(store: &dyn ItemStore, secret: &str) -> Result<Option<Invitation>, StoreError> {
    if !secrets::plausible(secret) {
        return Ok(None);
    }
    let page = store.query(Query::gsi1(keys::invitation_token(&secrets::hash_secret(secret))).limit(1)).await?;
    page.items.first().map(|i| i.record()).transpose()
}

/// A tenant's invitations, newest first.
pub async fn list(store: &dyn ItemStore, tenant: Option<&TenantId>, limit: usize, after: Option<Cursor>) -> Result<Page, StoreError> {
    store.query(Query::table(keys::invitations_pk(tenant)).prefix("INVITE#").backward().limit(limit).after(after)).await
}

/// The index `list` reads (the table), for the cursors of its pages.
pub const LIST_INDEX: Index = Index::Table;

/// How many of a tenant's invitations are pending at `now`, read with `list` in pages of 1,000.
pub async fn count_pending(store: &dyn ItemStore, tenant: &TenantId, now: Timestamp) -> Result<i64, StoreError> {
    let mut pending = 0;
    let mut after = None;
    loop {
        let page = list(store, Some(tenant), 1000, after).await?;
        for item in &page.items {
            let invitation: Invitation = item.record()?;
            if invitation.status_at(now) == InvitationStatus::Pending {
                pending += 1;
            }
        }
        after = page.next;
        if after.is_none() {
            return Ok(pending);
        }
    }
}
