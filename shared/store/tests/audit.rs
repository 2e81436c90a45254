//! Tests of `store::audit` on the embedded store (integration tests: the adapters crate
//! implements this crate's ports, so they run from outside it).
mod common;
use domain::ids::TenantId;
use domain::time::Timestamp;
use store::audit::*;
use store::ports::item_store::Key;
use store::ports::clock::Clock;
use store::testing::clock::ManualClock;
use serde_json::json;
use std::sync::Arc;

const DAY: i64 = 86_400;

struct Trail {
    state: common::Ports,
    clock: Arc<ManualClock>,
}

impl Trail {
    fn new() -> Trail {
        let (state, clock) = common::ports();
        Trail { state, clock }
    }

    async fn record(&self, actor: &str, tenant: Option<&TenantId>, action: &str) -> AuditEvent {
        let event = AuditEvent::new(self.clock.now(), actor, action, "192.0.2.1").tenant(tenant).details(json!({"n": 1}));
        self.state.store.transact(event.writes().unwrap().to_vec()).await.unwrap();
        event
    }

    async fn read(&self, filter: &AuditFilter, limit: usize) -> Vec<AuditEvent> {
        self.read_within(filter, limit, BUDGET).await.0
    }

    /// Every event of the trail, page by page; answers them and how many pages it took.
    async fn read_within(&self, filter: &AuditFilter, limit: usize, budget: Budget) -> (Vec<AuditEvent>, usize) {
        let (mut all, mut pages, mut after) = (Vec::new(), 0, None);
        loop {
            let page = list_within(self.state.store.as_ref(), filter, limit, after, self.clock.now(), budget).await.unwrap();
            pages += 1;
            assert!(page.events.len() <= limit);
            all.extend(page.events);
            match page.next {
                Some(next) => after = Some(next),
                None => return (all, pages),
            }
            assert!(pages < 1000, "the trail never ends");
        }
    }
}

fn ids(events: &[AuditEvent]) -> Vec<String> {
    events.iter().map(|e| e.id.to_string()).collect()
}

fn newest_first(mut events: Vec<AuditEvent>) -> Vec<String> {
    events.reverse();
    ids(&events)
}

#[tokio::test]
async fn an_event_is_stored_under_its_tenant_and_in_the_months_feed_in_one_transaction() {
    // GIVEN an event of a tenant
    let trail = Trail::new();
    let tenant = TenantId::generate(trail.clock.now());
    let event = AuditEvent::new(Timestamp::from_unix(1_795_600_800), "usr_x", "user.disabled", "192.0.2.1").tenant(Some(&tenant));
    // WHEN its writes are committed
    let writes = event.writes().unwrap();
    assert_eq!(writes.len(), AuditEvent::WRITES);
    trail.state.store.transact(writes.to_vec()).await.unwrap();
    // THEN it is in the tenant's partition, keyed by time, indexed by actor and action
    let sk = format!("EVT#2026-11-25T10:00:00Z#{}", event.id);
    let stored = trail.state.store.get(&Key::new(format!("AUDIT#{tenant}"), sk.clone())).await.unwrap().unwrap();
    assert_eq!(stored.gsi1, Some(Key::new("AUDIT_ACTOR#usr_x", sk.clone())));
    assert_eq!(stored.gsi2, Some(Key::new("AUDIT_ACTION#user.disabled", sk.clone())));
    assert_eq!(stored.record::<AuditEvent>().unwrap(), event);
    // AND its copy is in the month's feed
    let copy = trail.state.store.get(&Key::new("AUDIT_ALL#2026-11", sk)).await.unwrap().unwrap();
    assert_eq!(copy.record::<AuditEvent>().unwrap(), event);
    // AND writing it twice fails: an event is recorded once
    assert!(trail.state.store.transact(event.writes().unwrap().to_vec()).await.is_err());
}

#[tokio::test]
async fn each_filter_reads_its_own_index_newest_first() {
    // GIVEN events of two actors, two tenants and two actions
    let trail = Trail::new();
    let (t1, t2) = (TenantId::generate(trail.clock.now()), TenantId::generate(trail.clock.now()));
    let a = trail.record("usr_a", Some(&t1), "user.disabled").await;
    trail.clock.advance(1);
    let b = trail.record("usr_b", Some(&t2), "user.enabled").await;
    trail.clock.advance(1);
    let c = trail.record("usr_a", None, "user.enabled").await;
    trail.clock.advance(1);
    let d = trail.record("system", Some(&t1), "tenant.provisioned").await;

    // THEN each filter answers exactly its events, newest first
    let by_actor = AuditFilter { actor_id: Some("usr_a".into()), ..Default::default() };
    assert_eq!(ids(&trail.read(&by_actor, 10).await), newest_first(vec![a.clone(), c.clone()]));
    let by_tenant = AuditFilter { tenant_id: Some(t1.clone()), ..Default::default() };
    assert_eq!(ids(&trail.read(&by_tenant, 10).await), newest_first(vec![a.clone(), d.clone()]));
    let by_action = AuditFilter { action: Some("user.enabled".into()), ..Default::default() };
    assert_eq!(ids(&trail.read(&by_action, 10).await), newest_first(vec![b.clone(), c.clone()]));
    let everything = AuditFilter::default();
    assert_eq!(ids(&trail.read(&everything, 10).await), newest_first(vec![a.clone(), b, c.clone(), d]));
    // AND combined filters use one index and filter the rest
    let combined = AuditFilter { actor_id: Some("usr_a".into()), tenant_id: Some(t1.clone()), ..Default::default() };
    assert_eq!(ids(&trail.read(&combined, 10).await), ids(&[a.clone()]));
    let combined = AuditFilter { tenant_id: Some(t1), action: Some("user.enabled".into()), ..Default::default() };
    assert!(trail.read(&combined, 10).await.is_empty());
    let combined = AuditFilter { actor_id: Some("usr_a".into()), action: Some("user.enabled".into()), ..Default::default() };
    assert_eq!(ids(&trail.read(&combined, 10).await), ids(&[c]));
}

#[tokio::test]
async fn a_time_range_is_inclusive_to_the_second() {
    // GIVEN an event at t, t+10 and t+20
    let trail = Trail::new();
    let t = trail.clock.now();
    let first = trail.record("usr_a", None, "x.y").await;
    trail.clock.advance(10);
    let second = trail.record("usr_a", None, "x.y").await;
    trail.clock.advance(10);
    let third = trail.record("usr_a", None, "x.y").await;
    for base in [AuditFilter::default(), AuditFilter { actor_id: Some("usr_a".into()), ..Default::default() }] {
        // WHEN the range is [t+10, t+20]
        let range = AuditFilter { from: Some(t.plus_seconds(10)), to: Some(t.plus_seconds(20)), ..base.clone() };
        assert_eq!(ids(&trail.read(&range, 10).await), newest_first(vec![second.clone(), third.clone()]));
        // AND [t, t+9], and from alone, and to alone
        let range = AuditFilter { from: Some(t), to: Some(t.plus_seconds(9)), ..base.clone() };
        assert_eq!(ids(&trail.read(&range, 10).await), ids(&[first.clone()]));
        let range = AuditFilter { from: Some(t.plus_seconds(11)), ..base.clone() };
        assert_eq!(ids(&trail.read(&range, 10).await), ids(&[third.clone()]));
        let range = AuditFilter { to: Some(t.plus_seconds(10)), ..base.clone() };
        assert_eq!(ids(&trail.read(&range, 10).await), newest_first(vec![first.clone(), second.clone()]));
    }
}

#[tokio::test]
async fn the_unfiltered_trail_pages_back_across_months_without_skipping_or_repeating() {
    // GIVEN events over four months, one month with none
    let trail = Trail::new();
    let mut written = Vec::new();
    for (i, gap) in [0, 1, 40, 1, 1, 70, 1, 1, 1].iter().enumerate() {
        trail.clock.advance(gap * DAY);
        written.push(trail.record(&format!("usr_{i}"), None, "x.y").await);
    }
    // WHEN it is read two at a time
    let (all, pages) = trail.read_within(&AuditFilter::default(), 2, BUDGET).await;
    // THEN every event comes once, newest first
    assert_eq!(ids(&all), newest_first(written.clone()));
    assert!(pages >= 5, "{pages}");
    // AND a range inside the months reads only them
    let from = written[2].at;
    let to = written[4].at;
    let range = AuditFilter { from: Some(from), to: Some(to), ..Default::default() };
    assert_eq!(ids(&trail.read(&range, 10).await), newest_first(written[2..=4].to_vec()));
}

#[tokio::test]
async fn a_page_that_spends_its_budget_stops_short_and_continues_where_it_stopped() {
    // GIVEN many events of one actor, few of them in the tenant asked for
    let trail = Trail::new();
    let (mine, other) = (TenantId::generate(trail.clock.now()), TenantId::generate(trail.clock.now()));
    let mut wanted = Vec::new();
    for i in 0..60 {
        trail.clock.advance(1);
        let tenant = if i % 20 == 0 { &mine } else { &other };
        let event = trail.record("usr_a", Some(tenant), "x.y").await;
        if tenant == &mine {
            wanted.push(event);
        }
    }
    // WHEN it is read with a budget of two queries of five items per page
    let filter = AuditFilter { actor_id: Some("usr_a".into()), tenant_id: Some(mine), ..Default::default() };
    let small = Budget { batch: 5, queries: 2 };
    let (all, pages) = trail.read_within(&filter, 2, small).await;
    // THEN every wanted event comes once, in order, over more (shorter) pages
    assert_eq!(ids(&all), newest_first(wanted));
    assert!(pages >= 6, "{pages}");
}

#[tokio::test]
async fn a_feed_walk_spends_its_budget_on_empty_months_and_resumes_at_the_next_month() {
    // GIVEN one event, then the clock nine months later
    let trail = Trail::new();
    let only = trail.record("usr_a", None, "x.y").await;
    trail.clock.advance(270 * DAY);
    // WHEN the feed is read with two queries per page
    let (all, pages) = trail.read_within(&AuditFilter::default(), 5, Budget { batch: 5, queries: 2 }).await;
    // THEN the event is found after a few empty pages
    assert_eq!(ids(&all), ids(&[only]));
    assert!(pages >= 4, "{pages}");
}
