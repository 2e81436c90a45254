//! Tests of what the provisioning sweep and worker read and guard with (`repo::tenants`,
//! `repo::provisioning`), and of the health probe, on the embedded store (integration tests: the
//! adapters crate implements this crate's ports, so they run from outside it).
mod common;
use domain::ids::{PlanId, TenantId};
use domain::time::Timestamp;
use store::ports::clock::Clock;
use store::ports::item_store::ItemStore;
use store::repo::provisioning::{self, Step};
use store::repo::tenants::{self, Tenant, TenantStatus};
use store::repo::health;

async fn tenant(store: &dyn ItemStore, slug: &str, status: TenantStatus, now: Timestamp) -> Tenant {
    let tenant = Tenant::new(TenantId::generate(now), slug.into(), slug.into(), status, PlanId::generate(now), "usd".into(), now);
    store.transact(tenants::create(&tenant).unwrap()).await.unwrap();
    tenant
}

#[tokio::test]
async fn the_sweep_reads_provisioning_tenants_oldest_first_up_to_the_first_younger_one() {
    // GIVEN tenants created a minute apart, one of them active
    let (ports, clock) = common::ports();
    let store = ports.store.as_ref();
    let first = tenant(store, "first", TenantStatus::Provisioning, clock.now()).await;
    clock.advance(60);
    tenant(store, "active", TenantStatus::Active, clock.now()).await;
    clock.advance(60);
    let second = tenant(store, "second", TenantStatus::Provisioning, clock.now()).await;
    clock.advance(60);
    let third = tenant(store, "third", TenantStatus::Provisioning, clock.now()).await;
    let ids = |found: Vec<Tenant>| found.into_iter().map(|t| t.id).collect::<Vec<_>>();
    // THEN a cutoff takes those created by it, a limit the oldest
    assert_eq!(ids(tenants::provisioning_created_by(store, second.created_at, 100).await.unwrap()), [first.id.clone(), second.id]);
    assert_eq!(ids(tenants::provisioning_created_by(store, third.created_at, 1).await.unwrap()), std::slice::from_ref(&first.id));
    assert!(tenants::provisioning_created_by(store, first.created_at.plus_seconds(-1), 100).await.unwrap().is_empty());
    assert_eq!(tenants::provisioning_created_by(store, clock.now(), 100).await.unwrap().len(), 3);
}

#[tokio::test]
async fn the_guard_fails_a_step_once_the_tenant_left_provisioning() {
    // GIVEN a tenant in provisioning
    let (ports, clock) = common::ports();
    let store = ports.store.as_ref();
    let now = clock.now();
    let tenant = tenant(store, "acme", TenantStatus::Provisioning, now).await;
    // THEN a guarded step goes through while it provisions
    store.transact(vec![provisioning::guard(&tenant.id), provisioning::mark(&tenant.id, Step::Subscription, now)]).await.unwrap();
    // AND once deleted, a guarded step fails on the guard and writes nothing
    store.transact(vec![tenants::save(&tenant.clone().delete(now).unwrap()).unwrap()]).await.unwrap();
    let refused = store.transact(vec![provisioning::guard(&tenant.id), provisioning::mark(&tenant.id, Step::Settings, now)]).await;
    assert!(matches!(refused, Err(store::ports::item_store::StoreError::ConditionFailed { index: Some(0) })), "{refused:?}");
    assert!(!provisioning::get(store, &tenant.id).await.unwrap().is_done(Step::Settings));
    // AND a tenant that never existed fails it too
    let ghost = TenantId::generate(now);
    assert!(store.transact(vec![provisioning::guard(&ghost), provisioning::mark(&ghost, Step::Settings, now)]).await.is_err());
}

#[tokio::test]
async fn the_health_probe_answers_on_an_empty_table() {
    let (ports, _clock) = common::ports();
    health::probe(ports.store.as_ref()).await.unwrap();
}
