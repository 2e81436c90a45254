//! The tenant lifecycle's scheduled jobs.
//!
//! - `tenant-purge` (hourly): every `deleted` tenant whose `purge_after` has passed loses every
//!   item it owns — its members' accounts (profile, sessions, backup codes: the whole
//!   `USER#` partition) and their email claims, its partition (invitations, subscription,
//!   provisioning progress, the tenant record) and its slug claim — except what the law makes
//!   us keep: its audit trail (`AUDIT#<ten_id>`, another partition) and its finalized invoices
//!   (`tenants::kept_by_purge`). The tenant then answers 404. The record goes last, in one
//!   transaction with the slug claim and a `tenant.purged` event, so a purge cut short is
//!   found again by the next run and finished; no tombstone is needed.
//! - `provisioning-sweep` (every 10 minutes): re-sends the provisioning message of every tenant
//!   still `provisioning` some minutes after it was created, in case the first send was lost.
use serde_json::{Value, json};
use shared::AppState;
use shared::audit::AuditEvent;
use shared::domain::ids::TenantId;
use shared::domain::time::Timestamp;
use shared::domain::user::User;
use shared::ports::item_store::{Cond, Item, ItemStore, Key, Query, StoreError, Write};
use shared::ports::queue::{QueueError, QueueName};
use shared::repo::keys;
use shared::repo::tenants::{self, Tenant, TenantStatus};

/// Tenants purged per run at most; the rest wait for the next hour.
pub const PURGE_BATCH: usize = 25;
/// A tenant provisioning for longer than this gets its message again.
pub const STUCK_AFTER_SECONDS: i64 = 300;
/// Messages re-sent per sweep at most.
pub const SWEEP_BATCH: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum LifecycleError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
}

/// What one tenant's purge removed and kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub users: usize,
    pub items_deleted: usize,
    pub items_kept: usize,
}

/// `tenant-purge`: purges every tenant whose retention is over (up to `PURGE_BATCH`).
pub async fn purge(state: &AppState) -> Result<Value, LifecycleError> {
    let store = state.store.as_ref();
    let now = state.clock.now();
    let due = tenants::purge_due(store, now, PURGE_BATCH).await?;
    let mut total = Purged::default();
    let mut purged = Vec::new();
    for tenant in due.iter().filter(|t| t.purge_due(now)) {
        let done = purge_tenant(store, tenant, now).await?;
        total.users += done.users;
        total.items_deleted += done.items_deleted;
        total.items_kept += done.items_kept;
        purged.push(tenant.id.to_string());
    }
    Ok(json!({
        "tenants_purged": purged.len(),
        "tenant_ids": purged,
        "users_deleted": total.users,
        "items_deleted": total.items_deleted,
        "items_kept": total.items_kept,
        "more": due.len() == PURGE_BATCH,
    }))
}

/// Removes everything `tenant` owns but what the law keeps. Safe to run again after a
/// failure part-way: each delete is idempotent and the tenant record goes last.
pub async fn purge_tenant(store: &dyn ItemStore, tenant: &Tenant, now: Timestamp) -> Result<Purged, StoreError> {
    let mut done = Purged::default();
    // 1. Its members. Each deleted profile leaves the index, so the query starts over until
    //    it comes back empty.
    loop {
        let page = store.query(Query::gsi2(keys::members_gsi2pk(&tenant.id)).limit(50)).await?;
        if page.items.is_empty() {
            break;
        }
        for item in &page.items {
            let user: User = item.record()?;
            done.items_deleted += delete_user(store, &user).await?;
            done.users += 1;
        }
    }
    // 2. Its partition, but the record itself (last) and what is kept.
    let mut after = None;
    loop {
        let page = store.query(Query::table(keys::tenant_pk(&tenant.id)).limit(100).after(after)).await?;
        let mut doomed = Vec::new();
        for item in &page.items {
            if item.key == keys::tenant(&tenant.id) {
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
            break;
        }
    }
    // 3. The record, its slug claim and the event, together.
    let claim = keys::slug_claim(&tenant.slug);
    let owns_claim = store.get(&claim).await?.is_some_and(|c| c.get_str("tenant_id") == Some(tenant.id.as_str()));
    let audit = AuditEvent::new(now, "system", "tenant.purged", "internal")
        .tenant(Some(&tenant.id))
        .target(&tenant.id)
        .details(json!({
            "slug": tenant.slug, "deleted_at": tenant.deleted_at, "purge_after": tenant.purge_after,
            "users_deleted": done.users, "items_deleted": done.items_deleted + 1, "items_kept": done.items_kept,
            "kept": "audit events and finalized invoices",
        }));
    let mut writes = vec![Write::delete(keys::tenant(&tenant.id)).when(Cond::eq("status", TenantStatus::Deleted.as_str()))];
    if owns_claim {
        writes.push(Write::delete(claim).when(Cond::eq("tenant_id", tenant.id.as_str())));
    }
    store.transact(audit.appended_to(writes)?).await?;
    done.items_deleted += 1 + usize::from(owns_claim);
    tracing::info!(tenant = %tenant.id, users = done.users, deleted = done.items_deleted, kept = done.items_kept, "tenant purged");
    Ok(done)
}

/// A user's email claim, then every item of their partition, the profile last (it is what
/// the members index finds, so a user half-deleted is found again).
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

/// Deletes `keys` in transactions of at most 100.
async fn delete_all(store: &dyn ItemStore, keys: Vec<Key>) -> Result<usize, StoreError> {
    let count = keys.len();
    for chunk in keys.chunks(shared::ports::item_store::MAX_TRANSACT_ITEMS) {
        store.transact(chunk.iter().cloned().map(Write::delete).collect()).await?;
    }
    Ok(count)
}

/// `provisioning-sweep`: asks again for every tenant stuck in `provisioning`.
pub async fn sweep_provisioning(state: &AppState) -> Result<Value, LifecycleError> {
    let store = state.store.as_ref();
    let now = state.clock.now();
    // Oldest first: GSI2 sorts a status's tenants by id, which is creation time.
    let query = Query::gsi2(keys::tenant_status_gsi2pk(TenantStatus::Provisioning.as_str())).limit(SWEEP_BATCH);
    let page = store.query(query).await?;
    let mut resent: Vec<String> = Vec::new();
    for item in &page.items {
        let tenant: Tenant = item.record()?;
        if tenant.created_at.unix() > now.unix() - STUCK_AFTER_SECONDS {
            // Younger than that: its first message is very likely still on its way.
            break;
        }
        send(state, &tenant.id).await?;
        resent.push(tenant.id.to_string());
    }
    Ok(json!({"messages_resent": resent.len(), "tenant_ids": resent}))
}

async fn send(state: &AppState, tenant: &TenantId) -> Result<(), QueueError> {
    state.queue.send(QueueName::Provisioning, &json!({"tenant_id": tenant}).to_string()).await.map(|_| ())
}

/// Items of a tenant's partition, for tests and reports.
pub async fn partition(store: &dyn ItemStore, tenant: &TenantId) -> Result<Vec<Item>, StoreError> {
    Ok(store.query(Query::table(keys::tenant_pk(tenant)).limit(1000)).await?.items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::domain::email::Email;
    use shared::domain::ids::{SessionId, UserId};
    use shared::domain::user::{Role, UserStatus};
    use shared::repo::{plans, sessions, users};

    async fn deleted_tenant(state: &AppState, slug: &str) -> (Tenant, User) {
        let store = state.store.as_ref();
        let now = state.clock.now();
        let plan = plans::free(store, now).await.unwrap();
        let tenant = Tenant::new(TenantId::generate(now), slug.into(), slug.into(), TenantStatus::Active, plan.id, plan.currency, now);
        let audit = AuditEvent::new(now, "usr_x", "tenant.created", "ip").tenant(Some(&tenant.id));
        store.transact(audit.appended_to(tenants::create(&tenant).unwrap()).unwrap()).await.unwrap();
        let user = User {
            id: UserId::generate(now),
            email: Email::parse(&format!("owner@{slug}.example")).unwrap(),
            name: "Owner".into(),
            role: Role::TenantAdmin,
            tenant_id: Some(tenant.id.clone()),
            status: UserStatus::Active,
            email_verified: true,
            password_hash: None,
            created_at: now,
            version: 1,
            mfa: Default::default(),
        };
        users::create(store, &user, vec![]).await.unwrap();
        let session = sessions::Session {
            id: SessionId::generate(now),
            user_id: user.id.clone(),
            tenant_id: user.tenant_id.clone(),
            role: user.role,
            created_at: now,
            last_seen_at: now,
            ip: "ip".into(),
            user_agent: "ua".into(),
            refresh_hash: "h".into(),
            rotated_hashes: vec![],
            expires_at: now.plus_seconds(86_400),
        };
        store.transact(vec![sessions::create(&session).unwrap()]).await.unwrap();
        let paid = Item::new(Key::new(keys::tenant_pk(&tenant.id), "INVOICE#inv_1")).with("status", "paid");
        let draft = Item::new(Key::new(keys::tenant_pk(&tenant.id), "INVOICE#inv_2")).with("status", "draft");
        store.transact(vec![Write::put(paid), Write::put(draft)]).await.unwrap();
        let deleted = tenant.delete(now).unwrap();
        store.transact(vec![tenants::save(&deleted).unwrap()]).await.unwrap();
        (deleted, user)
    }

    #[tokio::test]
    async fn a_tenant_is_purged_only_after_its_retention_and_keeps_its_audit_trail_and_paid_invoices() {
        // GIVEN a deleted tenant with a member, a session, a paid and a draft invoice
        let (state, clock) = shared::testing::state();
        let store = state.store.as_ref();
        let (tenant, user) = deleted_tenant(&state, "acme").await;
        // WHEN the job runs before purge_after
        assert_eq!(purge(&state).await.unwrap()["tenants_purged"], 0);
        assert!(tenants::get(store, &tenant.id).await.unwrap().is_some());
        // AND after it
        clock.advance(30 * 86_400);
        let report = purge(&state).await.unwrap();
        // THEN the tenant, its user, their session and claims and the draft are gone
        assert_eq!(report["tenants_purged"], 1, "{report}");
        assert!(tenants::get(store, &tenant.id).await.unwrap().is_none());
        assert!(users::get(store, &user.id).await.unwrap().is_none());
        assert!(users::find_by_email(store, &user.email).await.unwrap().is_none());
        assert!(store.query(Query::table(keys::user_pk(&user.id))).await.unwrap().items.is_empty());
        assert!(store.get(&keys::slug_claim("acme")).await.unwrap().is_none());
        let left: Vec<String> = partition(store, &tenant.id).await.unwrap().into_iter().map(|i| i.key.sk).collect();
        assert_eq!(left, ["INVOICE#inv_1"], "only the paid invoice stays");
        // AND the audit trail is kept, ending with the purge
        let trail = store.query(Query::table(format!("AUDIT#{}", tenant.id))).await.unwrap().items;
        assert_eq!(trail.last().unwrap().get_str("action"), Some("tenant.purged"));
        // AND running again finds nothing more to do
        assert_eq!(purge(&state).await.unwrap()["tenants_purged"], 0);
    }

    #[tokio::test]
    async fn the_sweep_asks_again_for_tenants_stuck_in_provisioning() {
        let (state, clock) = shared::testing::state();
        let now = state.clock.now();
        let plan = plans::free(state.store.as_ref(), now).await.unwrap();
        let tenant = Tenant::new(TenantId::generate(now), "Slow".into(), "slow".into(), TenantStatus::Provisioning, plan.id, plan.currency, now);
        state.store.transact(tenants::create(&tenant).unwrap()).await.unwrap();
        assert_eq!(sweep_provisioning(&state).await.unwrap()["messages_resent"], 0, "too young to be stuck");
        clock.advance(STUCK_AFTER_SECONDS);
        assert_eq!(sweep_provisioning(&state).await.unwrap()["messages_resent"], 1);
        let got = state.queue.receive(QueueName::Provisioning, 10, std::time::Duration::from_secs(30)).await.unwrap();
        assert_eq!(got.len(), 1);
        assert!(got[0].body.contains(tenant.id.as_str()));
    }
}
