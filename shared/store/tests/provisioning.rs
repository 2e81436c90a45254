//! Tests of `store::repo::provisioning` on the embedded store (integration tests: the adapters crate
//! implements this crate's ports, so they run from outside it).
mod common;
use domain::ids::TenantId;
use store::repo::provisioning::*;
use store::ports::clock::Clock;


#[tokio::test]
async fn a_step_is_recorded_once() {
    // GIVEN a tenant with no progress
    let (state, clock) = common::ports();
    let store = state.store.as_ref();
    let now = clock.now();
    let tenant = TenantId::generate(now);
    assert_eq!(get(store, &tenant).await.unwrap(), Progress::default());
    // WHEN a step is marked twice
    store.transact(vec![mark(&tenant, Step::Subscription, now)]).await.unwrap();
    let again = store.transact(vec![mark(&tenant, Step::Subscription, now)]).await;
    // THEN the second mark fails and the progress shows one step
    assert!(again.unwrap_err().is_condition_failed());
    let progress = get(store, &tenant).await.unwrap();
    assert_eq!(progress.subscription, Some(now));
    assert_eq!(progress.steps_done(), 1);
}
