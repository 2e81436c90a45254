//! The tenant lifecycle's scheduled jobs: which tenants, and what to report. The storage is
//! the repositories' (`store::repo::purge`, `store::repo::tenants`).
//!
//! - `tenant-purge` (hourly): every `deleted` tenant whose `purge_after` has passed loses every
//!   item it owns but what the law makes us keep (its audit trail and its finalized invoices;
//!   see `store::repo::purge`), then answers 404. The record goes last, with a `tenant.purged`
//!   event, so a purge cut short is found again by the next run and finished.
//! - `provisioning-sweep` (every 10 minutes): re-sends the provisioning message of every tenant
//!   still `provisioning` some minutes after it was created, in case the first send was lost.
use serde_json::{Value, json};
use web::AppState;
use store::audit::AuditEvent;
use domain::ids::TenantId;
use domain::time::Timestamp;
use store::ports::item_store::{ItemStore, StoreError};
use store::ports::queue::{QueueError, QueueName};
use store::repo::purge::{self, Purged};
use store::repo::tenants::{self, Tenant};

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

/// `tenant-purge`: purges every tenant whose retention is over (up to `PURGE_BATCH`).
pub async fn purge(state: &AppState) -> Result<Value, LifecycleError> {
    let store = state.store.as_ref();
    let now = state.clock.now();
    let due = tenants::purge_due(store, now, PURGE_BATCH).await?;
    let mut total = Purged::default();
    let mut purged = Vec::new();
    for tenant in due.iter().filter(|t| t.purge_due(now)) {
        total += purge_tenant(store, tenant, now).await?;
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

/// Removes everything `tenant` owns but what the law keeps: its members, then its partition,
/// then its record with the event that says what went. Safe to run again after a failure
/// part-way.
pub async fn purge_tenant(store: &dyn ItemStore, tenant: &Tenant, now: Timestamp) -> Result<Purged, StoreError> {
    let mut done = purge::members(store, &tenant.id).await?;
    done += purge::partition(store, &tenant.id).await?;
    // `+ 1`: the record, which goes with the event (its slug claim is not counted).
    let audit = AuditEvent::new(now, "system", "tenant.purged", "internal")
        .tenant(Some(&tenant.id))
        .target(&tenant.id)
        .details(json!({
            "slug": tenant.slug, "deleted_at": tenant.deleted_at, "purge_after": tenant.purge_after,
            "users_deleted": done.users, "items_deleted": done.items_deleted + 1, "items_kept": done.items_kept,
            "kept": "audit events and finalized invoices",
        }));
    done.items_deleted += purge::finish(store, tenant, &audit).await?;
    tracing::info!(tenant = %tenant.id, users = done.users, deleted = done.items_deleted, kept = done.items_kept, "tenant purged");
    Ok(done)
}

/// `provisioning-sweep`: asks again for every tenant stuck in `provisioning`.
pub async fn sweep_provisioning(state: &AppState) -> Result<Value, LifecycleError> {
    let store = state.store.as_ref();
    let now = state.clock.now();
    // Younger ones' first message is very likely still on its way.
    let stuck = tenants::provisioning_created_by(store, now.plus_seconds(-STUCK_AFTER_SECONDS), SWEEP_BATCH).await?;
    let mut resent: Vec<String> = Vec::new();
    for tenant in &stuck {
        send(state, &tenant.id).await?;
        resent.push(tenant.id.to_string());
    }
    Ok(json!({"messages_resent": resent.len(), "tenant_ids": resent}))
}

async fn send(state: &AppState, tenant: &TenantId) -> Result<(), QueueError> {
    state.queue.send(QueueName::Provisioning, &json!({"tenant_id": tenant}).to_string()).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::email::Email;
    use domain::ids::{SessionId, UserId};
    use domain::user::{Role, User, UserStatus};
    use store::audit::{self, AuditFilter};
    use store::repo::tenants::TenantStatus;
    use store::repo::{plans, sessions, users};

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
            // Outlives the retention, so the purge is what removes it.
            expires_at: now.plus_seconds(60 * 86_400),
        };
        store.transact(vec![sessions::create(&session).unwrap()]).await.unwrap();
        let deleted = tenant.delete(now).unwrap();
        store.transact(vec![tenants::save(&deleted).unwrap()]).await.unwrap();
        (deleted, user)
    }

    #[tokio::test]
    async fn a_tenant_is_purged_only_after_its_retention_and_keeps_its_audit_trail() {
        // GIVEN a deleted tenant with a member who has a session
        let (state, clock) = web::testing::state();
        let store = state.store.as_ref();
        let (tenant, user) = deleted_tenant(&state, "acme").await;
        // WHEN the job runs before purge_after
        assert_eq!(purge(&state).await.unwrap()["tenants_purged"], 0);
        assert!(tenants::get(store, &tenant.id).await.unwrap().is_some());
        // AND after it
        clock.advance(30 * 86_400);
        let report = purge(&state).await.unwrap();
        // THEN the tenant, its user, their session and claims are gone, and the report says so
        assert_eq!(report["tenants_purged"], 1, "{report}");
        assert_eq!(report["tenant_ids"], json!([tenant.id]));
        assert_eq!((report["users_deleted"].as_u64(), report["items_kept"].as_u64()), (Some(1), Some(0)), "{report}");
        // the email claim, the session and the profile; the record and the slug claim
        assert_eq!(report["items_deleted"], 5, "{report}");
        assert!(tenants::get(store, &tenant.id).await.unwrap().is_none());
        assert!(users::get(store, &user.id).await.unwrap().is_none());
        assert!(users::find_by_email(store, &user.email).await.unwrap().is_none());
        assert!(sessions::list(store, &user.id, 10, None).await.unwrap().items.is_empty());
        assert!(tenants::partition(store, &tenant.id).await.unwrap().is_empty());
        // AND its slug is free again
        let now = state.clock.now();
        let again = Tenant::new(TenantId::generate(now), "acme".into(), "acme".into(), TenantStatus::Active, tenant.plan_id.clone(), "usd".into(), now);
        store.transact(tenants::create(&again).unwrap()).await.unwrap();
        // AND the audit trail is kept, ending with the purge
        let filter = AuditFilter { tenant_id: Some(tenant.id.clone()), ..Default::default() };
        let trail = audit::list(store, &filter, 10, None, now).await.unwrap().events;
        let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["tenant.purged", "tenant.created"], "newest first");
        assert_eq!(trail[0].details["items_deleted"], 4, "the record counts, the slug claim does not");
        // AND running again finds nothing more to do
        assert_eq!(purge(&state).await.unwrap()["tenants_purged"], 0);
    }

    #[tokio::test]
    async fn the_sweep_asks_again_for_tenants_stuck_in_provisioning() {
        let (state, clock) = web::testing::state();
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
