//! Tenants. Sign-up creates one; the tenant lifecycle (provisioning, suspension, deletion)
//! builds on this record.
use domain::ids::TenantId;
use domain::time::Timestamp;
use crate::ports::item_store::{CmpOp, Cond, Cursor, Item, ItemStore, Query, SkRange, StoreError, Write};
use crate::repo::keys;
use crate::repo::listed::Listed;

pub use domain::tenant::{Tenant, TenantStatus};

/// A URL-safe slug from an organisation name: lower-case letters, digits and dashes.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(48).collect();
    if slug.is_empty() { "org".into() } else { slug.trim_end_matches('-').to_string() }
}

/// The writes that create a tenant and claim its slug (the claim fails on a taken slug).
pub fn create(tenant: &Tenant) -> Result<Vec<Write>, StoreError> {
    let claim = Item::new(keys::slug_claim(&tenant.slug)).with("tenant_id", tenant.id.as_str());
    Ok(vec![Write::put(claim).when(Cond::Absent), Write::put(item(tenant)?).when(Cond::Absent)])
}

/// The tenant's item: GSI1 lists every tenant, GSI2 the tenants of its status (for `deleted`,
/// ordered by `purge_after`, which is what the purge job reads).
pub fn item(tenant: &Tenant) -> Result<Item, StoreError> {
    let status_sk = match (tenant.status, tenant.purge_after) {
        (TenantStatus::Deleted, Some(at)) => format!("{at}#{}", tenant.id),
        _ => tenant.id.to_string(),
    };
    Ok(Item::from_record(keys::tenant(&tenant.id), tenant)?
        .with_gsi1(keys::TENANTS_GSI1PK, tenant.id.as_str())
        .with_gsi2(keys::tenant_status_gsi2pk(tenant.status.as_str()), status_sk))
}

/// The write that saves a changed tenant (its `version` already bumped) if nobody changed it
/// since `version - 1`.
pub fn save(tenant: &Tenant) -> Result<Write, StoreError> {
    Ok(Write::put(item(tenant)?).when(Cond::version(tenant.version - 1)))
}

/// The query of every tenant, newest first (GSI1).
pub fn all_query() -> Query {
    Query::gsi1(keys::TENANTS_GSI1PK).backward()
}

/// The query of the tenants in `status` (GSI2): newest first, except `deleted`, which comes
/// soonest purge first.
pub fn in_status_query(status: TenantStatus) -> Query {
    let query = Query::gsi2(keys::tenant_status_gsi2pk(status.as_str()));
    if status == TenantStatus::Deleted { query } else { query.backward() }
}

/// The check, for a transaction, that the tenant exists and is not `deleted`.
pub fn not_deleted(id: &TenantId) -> Write {
    Write::check(keys::tenant(id), Cond::Exists.and(Cond::cmp("status", CmpOp::Ne, "deleted")))
}

/// What the tenants list reads: every tenant (`all_query`), or those in `status`
/// (`in_status_query`).
fn listing(status: Option<TenantStatus>) -> Query {
    match status {
        Some(status) => in_status_query(status),
        None => all_query(),
    }
}

/// One page of at most `limit` tenants, every one or those in `status`, in the order of
/// `all_query`/`in_status_query`: one Query of `limit + 1`, so that the cursor of what follows
/// is set only when something does (or the store stopped early).
pub async fn list_page(store: &dyn ItemStore, status: Option<TenantStatus>, limit: usize, after: Option<Cursor>)
    -> Result<(Vec<Tenant>, Option<Cursor>), StoreError> {
    let query = listing(status).limit(limit + 1).after(after);
    let index = query.index;
    let page = store.query(query).await?;
    let mut items = page.items;
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|i| Cursor::after(i, index))
    } else {
        page.next
    };
    let tenants = items.iter().map(|i| i.record()).collect::<Result<Vec<Tenant>, _>>()?;
    Ok((tenants, next))
}

/// One Query of `batch` tenants after `after`, every one or those in `status`, in the same
/// order as `list_page`, for a list that filters while it reads.
pub async fn list_batch(store: &dyn ItemStore, status: Option<TenantStatus>, batch: usize, after: Option<Cursor>)
    -> Result<Listed<Tenant>, StoreError> {
    let query = listing(status).limit(batch).after(after);
    let index = query.index;
    Ok(Listed::new(store.query(query).await?, index))
}

/// Deleted tenants whose `purge_after` is at or before `now`, soonest first (one Query).
pub async fn purge_due(store: &dyn ItemStore, now: Timestamp, limit: usize) -> Result<Vec<Tenant>, StoreError> {
    // Tenant ids are `[0-9a-z_]`, all below `~`: the range ends after every id at `now`.
    let query = Query::gsi2(keys::tenant_status_gsi2pk(TenantStatus::Deleted.as_str()))
        .sk(SkRange::Le(format!("{now}#~")))
        .limit(limit);
    let page = store.query(query).await?;
    page.items.iter().map(|i| i.record()).collect()
}

/// Tenants still `provisioning` that were created at or before `created_by`, oldest first
/// (one Query of `limit` on GSI2, where a status's tenants sort by id, which is creation
/// time): the reading stops at the first younger tenant, as every one after it is younger too.
pub async fn provisioning_created_by(store: &dyn ItemStore, created_by: Timestamp, limit: usize) -> Result<Vec<Tenant>, StoreError> {
    let query = Query::gsi2(keys::tenant_status_gsi2pk(TenantStatus::Provisioning.as_str())).limit(limit);
    let page = store.query(query).await?;
    let mut found = Vec::new();
    for item in &page.items {
        let tenant: Tenant = item.record()?;
        if tenant.created_at > created_by {
            break;
        }
        found.push(tenant);
    }
    Ok(found)
}

/// Every item of a tenant's partition (up to 1,000, one Query), whatever it holds: what tests
/// and reports look at after a purge or a provisioning run.
pub async fn partition(store: &dyn ItemStore, id: &TenantId) -> Result<Vec<Item>, StoreError> {
    Ok(store.query(Query::table(keys::tenant_pk(id)).limit(1000)).await?.items)
}

pub async fn get(store: &dyn ItemStore, id: &TenantId) -> Result<Option<Tenant>, StoreError> {
    store.get(&keys::tenant(id)).await?.map(|i| i.record()).transpose()
}

/// Whether the purge of a tenant keeps this item of its partition: bookkeeping records the
/// law makes us keep after the customer is gone — every invoice once finalized (it has a
/// number: paid, unpaid or void, the numbering must stay gapless) and any item marked
/// `legal_hold: true` (payments, credit notes, ledger entries as billing adds them). Drafts
/// and everything else go. Audit events live outside the partition (`AUDIT#<ten_id>`) and are
/// never purged. See README.md, "Data retention".
pub fn kept_by_purge(item: &Item) -> bool {
    let finalized_invoice = item.key.sk.starts_with("INVOICE#") && item.get_str("status").is_some_and(|s| s != "draft");
    finalized_invoice || item.get("legal_hold").and_then(serde_json::Value::as_bool) == Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_keeps_finalized_invoices_and_held_items_only() {
        let item = |sk: &str| Item::new(crate::ports::item_store::Key::new("TENANT#ten_x", sk));
        assert!(kept_by_purge(&item("INVOICE#inv_1").with("status", "paid")));
        assert!(kept_by_purge(&item("INVOICE#inv_2").with("status", "void")));
        assert!(!kept_by_purge(&item("INVOICE#inv_3").with("status", "draft")));
        assert!(kept_by_purge(&item("PAYMENT#pay_1").with("legal_hold", true)));
        assert!(!kept_by_purge(&item("INVITE#ivt_1").with("status", "pending")));
        assert!(!kept_by_purge(&item("SUBSCRIPTION")));
    }

    #[test]
    fn a_tenant_is_indexed_by_status_and_a_deleted_one_by_purge_time() {
        use domain::ids::{PlanId, TenantId};
        let now = Timestamp::from_unix(1_795_600_800);
        let tenant = Tenant::new(TenantId::generate(now), "Acme".into(), "acme".into(), TenantStatus::Active,
            PlanId::generate(now), "usd".into(), now);
        let active = item(&tenant).unwrap().gsi2.unwrap();
        assert_eq!((active.pk.as_str(), active.sk.as_str()), ("TENANT_STATUS#active", tenant.id.as_str()));
        let deleted = item(&tenant.clone().delete(now).unwrap()).unwrap().gsi2.unwrap();
        assert_eq!(deleted.pk, "TENANT_STATUS#deleted");
        assert_eq!(deleted.sk, format!("2026-12-25T10:00:00Z#{}", tenant.id));
    }

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(slugify("Acme Widgets, Inc."), "acme-widgets-inc");
        assert_eq!(slugify("  ---  "), "org");
        assert_eq!(slugify("Zoë & Co"), "zo-co");
    }
}
