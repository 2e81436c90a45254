//! `DynamoDbStore` on moto: the item-store conformance suite (the same cases the embedded
//! store passes), then cases aimed at what only this adapter has to get right: expiry
//! compiled into conditions, the update-of-an-expired-item fallback, the page loop that
//! refills pages the expiry filter shortened, and the places moto compares differently
//! than DynamoDB.
use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::{Value, json};
use adapters::dynamodb::{DynamoDbStore, create_table};
use store::ports::clock::Clock;
use store::ports::item_store::{
    CmpOp, Cond, Index, Item, ItemStore, Key, Page, Query, SkRange, StoreError, Update, Write,
};
use store::testing::clock::ManualClock;

use crate::emulator;

/// A store over a fresh table, and the clock its TTLs are judged by.
async fn fresh_store() -> (Arc<DynamoDbStore>, Arc<ManualClock>) {
    let client = aws_sdk_dynamodb::Client::new(&emulator::sdk_config().await);
    let table = emulator::unique("dotmac-test");
    if let Err(e) = create_table(&client, &table).await {
        panic!("creating table {table} in the emulator at {}: {e}", emulator::endpoint());
    }
    let clock = Arc::new(ManualClock::starting_now());
    (Arc::new(DynamoDbStore::new(client, table, clock.clone())), clock)
}

async fn factory() -> (Arc<dyn ItemStore>, Arc<ManualClock>) {
    let (store, clock) = fresh_store().await;
    (store, clock)
}

store::item_store_conformance!(factory);

fn k(pk: &str, sk: &str) -> Key {
    Key::new(pk, sk)
}

/// Every item from `q.after` on, page by page.
async fn walk(store: &DynamoDbStore, q: Query) -> Vec<Item> {
    let mut all = Vec::new();
    let mut after = q.after.clone();
    for _ in 0..200 {
        let page: Page = store.query(q.clone().after(after)).await.expect("query");
        assert!(page.items.len() <= q.limit);
        if page.next.is_some() {
            assert_eq!(page.items.len(), q.limit, "a page with more to come is full");
        }
        all.extend(page.items);
        after = page.next;
        if after.is_none() {
            return all;
        }
    }
    panic!("pagination did not end");
}

fn sks(items: &[Item]) -> Vec<String> {
    items.iter().map(|i| i.key.sk.clone()).collect()
}

#[tokio::test]
async fn conditions_compare_as_dynamodb_does_even_where_moto_would_not() {
    let (store, _clock) = fresh_store().await;
    let key = k("COND", "TYPES");
    let stored = || {
        Item::new(key.clone())
            .with("flag", true)
            .with("one", 1)
            .with("word", "5")
            .with("nothing", Value::Null)
            .with("map", json!({"a": 1, "b": [true, "x"]}))
            .with("list", json!([1, "two"]))
    };
    store.put(stored(), None).await.expect("put");
    let cases: Vec<(Cond, bool)> = vec![
        // moto compares Python values, where `True == 1`.
        (Cond::eq("flag", 1), false),
        (Cond::eq("one", true), false),
        (Cond::cmp("flag", CmpOp::Ne, 1), true),
        // Ordering across types is false, not an emulator error.
        (Cond::cmp("word", CmpOp::Lt, 9), false),
        (Cond::cmp("one", CmpOp::Ge, "0"), false),
        (Cond::cmp("flag", CmpOp::Gt, false), false),
        // NULL equals NULL only where the attribute exists.
        (Cond::eq("nothing", Value::Null), true),
        (Cond::eq("missing", Value::Null), false),
        (Cond::cmp("missing", CmpOp::Ne, Value::Null), false),
        (Cond::cmp("nothing", CmpOp::Ne, Value::Null), false),
        (Cond::cmp("one", CmpOp::Ne, Value::Null), true),
        // Maps and lists compare by value.
        (Cond::eq("map", json!({"b": [true, "x"], "a": 1})), true),
        (Cond::eq("map", json!({"a": 1})), false),
        (Cond::eq("list", json!([1, "two"])), true),
        (Cond::cmp("list", CmpOp::Ne, json!(["two", 1])), true),
        // The adapter's own attributes are not the item's attributes.
        (Cond::AttrExists("PK".into()), false),
        (Cond::AttrAbsent("ttl".into()), true),
        (Cond::eq("SK", "TYPES"), false),
        // Empty conjunctions and disjunctions.
        (Cond::And(vec![]), true),
        (Cond::Or(vec![]), false),
    ];
    for (cond, expected) in cases {
        assert_eq!(cond.holds(Some(&stored())), expected, "the reference disagrees on {cond:?}");
        let result = store.put(stored(), Some(cond.clone())).await;
        match (expected, result) {
            (true, Ok(())) => {}
            (false, Err(StoreError::ConditionFailed { index: None })) => {}
            (expected, got) => panic!("{cond:?}: expected {expected}, got {got:?}"),
        }
    }
}

#[tokio::test]
async fn an_expired_item_meets_exactly_the_conditions_that_hold_on_no_item() {
    let (store, clock) = fresh_store().await;
    let now = clock.now().unix();
    let key = k("EXP", "A");
    let expired = || Item::new(key.clone()).with("status", "active").with_ttl(now + 1);
    let cases: Vec<(Cond, bool)> = vec![
        (Cond::Absent, true),
        (Cond::Exists, false),
        (Cond::eq("status", "active"), false),
        (Cond::cmp("status", CmpOp::Ne, "gone"), false),
        (Cond::AttrAbsent("status".into()), true),
        (Cond::AttrExists("status".into()), false),
        (Cond::Absent.or(Cond::eq("status", "active")), true),
        (Cond::Exists.or(Cond::AttrAbsent("status".into())), true),
    ];
    for (cond, expected) in cases {
        store.put(expired(), None).await.expect("seed");
        clock.advance(1);
        let put = store.put(Item::new(key.clone()).with("status", "new"), Some(cond.clone())).await;
        assert_eq!(put.is_ok(), expected, "put {cond:?} over an expired item: {put:?}");
        store.put(expired(), None).await.expect("seed");
        let delete = store.delete(&key, Some(cond.clone())).await;
        assert_eq!(delete.is_ok(), expected, "delete {cond:?} of an expired item: {delete:?}");
        store.put(expired(), None).await.expect("seed");
        let check = store.transact(vec![Write::check(key.clone(), cond.clone())]).await;
        assert_eq!(check.is_ok(), expected, "check {cond:?} on an expired item: {check:?}");
        clock.advance(-1);
    }
}

#[tokio::test]
async fn an_update_of_an_expired_item_forgets_its_attributes_index_keys_and_ttl() {
    let (store, clock) = fresh_store().await;
    let now = clock.now().unix();
    let key = k("SESSION#1", "META");
    let old = Item::new(key.clone()).with_gsi1("USER#1", "SESSION#1").with("user", "usr_1").with("hits", 5).with_ttl(now + 5);
    store.put(old, None).await.expect("put");
    clock.advance(5);

    let fresh = store.update(&key, Update::new().add("hits", 1), Some(Cond::Absent)).await.expect("update");
    assert_eq!(fresh, Item::new(key.clone()).with("hits", 1));
    assert_eq!(store.get(&key).await.expect("get"), Some(fresh));
    assert!(store.query(Query::gsi1("USER#1")).await.expect("query").items.is_empty());

    // A condition that needs the old values fails and leaves the expired item alone.
    let other = k("SESSION#2", "META");
    store.put(Item::new(other.clone()).with("user", "usr_2").with_ttl(now + 6), None).await.expect("put");
    clock.advance(1);
    let refused = store.update(&other, Update::new().set("seen", true), Some(Cond::eq("user", "usr_2"))).await;
    assert!(matches!(refused, Err(StoreError::ConditionFailed { index: None })), "{refused:?}");
    assert_eq!(store.get(&other).await.expect("get"), None);

    // Clearing the TTL of an expired item brings back nothing but the key.
    let cleared = store.update(&other, Update { ttl: Some(None), ..Update::new() }, None).await.expect("update");
    assert_eq!(cleared, Item::new(other.clone()));
}

#[tokio::test]
async fn an_update_returns_the_whole_item_with_its_index_keys_and_ttl() {
    let (store, clock) = fresh_store().await;
    let ttl = clock.now().unix() + 3600;
    let key = k("T#1", "USER#1");
    let item = Item::new(key.clone()).with_gsi1("EMAIL#a@example.com", "USER").with_ttl(ttl).with("name", "Ada");
    store.put(item.clone(), None).await.expect("put");
    let after = store
        .update(&key, Update::new().set("profile", json!({"lang": "en", "tags": ["a"]})), Some(Cond::eq("name", "Ada")))
        .await
        .expect("update");
    assert_eq!(after, item.with("profile", json!({"lang": "en", "tags": ["a"]})));
    let moved = store.update(&key, Update::new().ttl(ttl + 60), None).await.expect("update");
    assert_eq!(moved.ttl, Some(ttl + 60));
}

#[tokio::test]
async fn adding_to_a_non_integer_or_past_i64_is_invalid_and_changes_nothing() {
    let (store, _clock) = fresh_store().await;
    let key = k("ADD", "A");
    let item = Item::new(key.clone()).with("name", "x").with("n", i64::MAX - 1).with("low", i64::MIN + 1);
    store.put(item.clone(), None).await.expect("put");
    for update in [Update::new().add("name", 1), Update::new().add("n", 2), Update::new().add("low", -2)] {
        let single = store.update(&key, update.clone(), None).await;
        assert!(matches!(single, Err(StoreError::Invalid(_))), "{update:?}: {single:?}");
        let tx = store.transact(vec![Write::put(Item::new(k("ADD", "B"))), Write::update(key.clone(), update.clone())]).await;
        assert!(matches!(tx, Err(StoreError::Invalid(_))), "{update:?} in a transaction: {tx:?}");
    }
    // A failing condition is reported before an invalid update, as the reference store does.
    let both = store.update(&key, Update::new().add("name", 1), Some(Cond::eq("name", "y"))).await;
    assert!(matches!(both, Err(StoreError::ConditionFailed { index: None })), "{both:?}");
    assert_eq!(store.get(&key).await.expect("get"), Some(item));
    assert_eq!(store.get(&k("ADD", "B")).await.expect("get"), None);
    let edge = store.update(&key, Update::new().add("n", 1).add("low", -1), None).await.expect("up to the limit");
    assert_eq!((edge.get_i64("n"), edge.get_i64("low")), (Some(i64::MAX), Some(i64::MIN)));
}

#[tokio::test]
async fn a_transaction_names_the_first_failing_write_when_several_fail() {
    let (store, clock) = fresh_store().await;
    let now = clock.now().unix();
    store.put(Item::new(k("TX", "A")).with("v", 1), None).await.expect("put");
    store.put(Item::new(k("TX", "EXPIRED")).with("v", 1).with_ttl(now + 1), None).await.expect("put");
    clock.advance(1);
    let err = store
        .transact(vec![
            Write::check(k("TX", "EXPIRED"), Cond::Absent),
            Write::put(Item::new(k("TX", "A"))).when(Cond::eq("v", 2)),
            Write::put(Item::new(k("TX", "NEW"))),
            Write::delete(k("TX", "EXPIRED2")).when(Cond::Exists),
        ])
        .await;
    assert!(matches!(err, Err(StoreError::ConditionFailed { index: Some(1) })), "{err:?}");
    assert_eq!(store.get(&k("TX", "NEW")).await.expect("get"), None);
    // The expired item counts as absent for a check, a put and a delete in a transaction.
    store
        .transact(vec![
            Write::check(k("TX", "EXPIRED"), Cond::Absent.and(Cond::AttrAbsent("v".into()))),
            Write::put(Item::new(k("TX", "NEW"))).when(Cond::Absent),
        ])
        .await
        .expect("transaction");
    store.transact(vec![Write::put(Item::new(k("TX", "EXPIRED")).with("v", 2)).when(Cond::Absent)]).await.expect("put");
    assert_eq!(store.get(&k("TX", "EXPIRED")).await.expect("get").and_then(|i| i.get_i64("v")), Some(2));
}

#[tokio::test]
async fn pages_fill_across_long_runs_of_expired_items_in_both_directions() {
    let (store, clock) = fresh_store().await;
    let now = clock.now().unix();
    // Live: 0, 1, then a run of 30 expired, then 32..40 with every other one expired.
    let live = |i: usize| i < 2 || (i >= 32 && i.is_multiple_of(2));
    for i in 0..40 {
        let mut item = Item::new(k("RUN", &format!("I#{i:03}"))).with_gsi2("RUNS", format!("{:03}", i / 4));
        if !live(i) {
            item = item.with_ttl(now + 3);
        }
        store.put(item, None).await.expect("seed");
    }
    clock.advance(3);
    let expected: Vec<String> = (0..40).filter(|i| live(*i)).map(|i| format!("I#{i:03}")).collect();
    for limit in [1, 2, 3, 7, 100] {
        assert_eq!(sks(&walk(&store, Query::table("RUN").limit(limit)).await), expected, "forward, limit {limit}");
        let mut backward = sks(&walk(&store, Query::table("RUN").backward().limit(limit)).await);
        backward.reverse();
        assert_eq!(backward, expected, "backward, limit {limit}");
        let mut by_index = sks(&walk(&store, Query::gsi2("RUNS").limit(limit)).await);
        by_index.sort();
        assert_eq!(by_index, expected, "index, limit {limit}");
    }
    // The first page after the live head must jump the whole expired run and still be full.
    let page = store.query(Query::table("RUN").limit(3)).await.expect("query");
    assert_eq!(sks(&page.items), ["I#000", "I#001", "I#032"]);
    assert!(page.next.is_some());
}

#[tokio::test]
async fn a_cursor_resumes_after_its_item_even_when_that_item_is_gone() {
    let (store, _clock) = fresh_store().await;
    for i in 0..9 {
        let item = Item::new(k(&format!("T#{}", i % 3), &format!("U#{i}"))).with_gsi1("ALL", format!("{}", i / 3));
        store.put(item, None).await.expect("seed");
    }
    for index in [Index::Table, Index::Gsi1] {
        let q = match index {
            Index::Table => Query::table("T#0"),
            _ => Query::gsi1("ALL"),
        }
        .limit(2);
        let first = store.query(q.clone()).await.expect("query");
        let cursor = first.next.clone().expect("more pages");
        store.delete(&first.items[1].key, None).await.expect("delete the cursor's item");
        let rest = walk(&store, q.clone().after(Some(cursor))).await;
        let mut seen: BTreeSet<Key> = first.items.iter().map(|i| i.key.clone()).collect();
        for item in &rest {
            assert!(seen.insert(item.key.clone()), "{index:?}: {:?} repeated", item.key);
        }
        let total = if index == Index::Table { 3 } else { 9 };
        assert_eq!(seen.len(), total, "{index:?}: nothing skipped");
        store.put(first.items[1].clone(), None).await.expect("restore");
    }
}

#[tokio::test]
async fn sort_key_ranges_that_dynamodb_refuses_still_match_what_they_say() {
    let (store, _clock) = fresh_store().await;
    for sk in ["a", "b", "c"] {
        store.put(Item::new(k("R", sk)), None).await.expect("seed");
    }
    let run = |range: SkRange| {
        let store = store.clone();
        async move { sks(&store.query(Query::table("R").sk(range)).await.expect("query").items) }
    };
    assert_eq!(run(SkRange::Between("c".into(), "a".into())).await, Vec::<String>::new());
    assert_eq!(run(SkRange::Between(String::new(), "b".into())).await, ["a", "b"]);
    assert_eq!(run(SkRange::BeginsWith(String::new())).await, ["a", "b", "c"]);
    assert_eq!(run(SkRange::Lt(String::new())).await, Vec::<String>::new());
    assert_eq!(run(SkRange::Gt(String::new())).await, ["a", "b", "c"]);
    assert_eq!(run(SkRange::Between("b".into(), "b".into())).await, ["b"]);
}

#[tokio::test]
async fn a_missing_table_answers_unavailable() {
    let client = aws_sdk_dynamodb::Client::new(&emulator::sdk_config().await);
    let store = DynamoDbStore::new(client, emulator::unique("no-such-table"), Arc::new(ManualClock::starting_now()));
    let got = store.get(&k("A", "B")).await;
    assert!(matches!(got, Err(StoreError::Unavailable(_))), "{got:?}");
}
