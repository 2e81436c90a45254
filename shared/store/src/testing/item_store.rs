//! The item-store conformance suite: one set of cases that every `ItemStore` adapter must
//! pass, so repositories written once behave the same on DynamoDB and on the embedded store.
//!
//! Use `shared::item_store_conformance!(factory)` in an adapter's tests, where
//! `async fn factory() -> (Arc<dyn ItemStore>, Arc<ManualClock>)` gives a fresh store whose
//! TTL clock is the returned `ManualClock`.
use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::json;

use crate::ports::clock::Clock;
use crate::ports::item_store::*;
use crate::testing::clock::ManualClock;

/// Expands to one `#[tokio::test]` per conformance case.
#[macro_export]
macro_rules! item_store_conformance {
    ($factory:path) => {
        $crate::item_store_conformance!(@cases $factory;
            an_item_reads_back_exactly_as_written,
            a_missing_key_reads_as_none,
            put_if_absent_refuses_an_existing_item,
            a_version_check_refuses_a_stale_write,
            attribute_conditions_follow_dynamodb_rules,
            a_conditional_delete_keeps_the_item_when_the_condition_fails,
            deleting_an_absent_item_is_not_an_error,
            updates_set_add_and_remove_atomically,
            an_update_of_an_absent_item_creates_it,
            a_failed_update_changes_nothing,
            a_transaction_is_all_or_nothing_and_names_the_failing_write,
            a_transaction_check_guards_without_writing,
            a_transaction_refuses_two_writes_to_one_item_and_over_100_writes,
            a_transaction_of_100_items_commits,
            queries_select_by_sort_key_range_in_both_directions,
            pages_never_skip_or_repeat_forward_and_backward,
            index_queries_page_through_ties_without_skipping,
            expired_items_are_gone_for_reads_and_conditions,
            pages_skip_expired_items_and_still_fill,
            an_update_of_an_expired_item_starts_afresh_but_fails_in_a_transaction,
            concurrent_conditional_writes_let_exactly_one_win,
            floats_and_reserved_names_are_refused,
        );
    };
    (@cases $factory:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                let (store, clock) = $factory().await;
                $crate::testing::item_store::$case(store, clock).await;
            }
        )*
    };
}

type S = Arc<dyn ItemStore>;
type C = Arc<ManualClock>;

fn k(pk: &str, sk: &str) -> Key {
    Key::new(pk, sk)
}

fn sks(page: &Page) -> Vec<String> {
    page.items.iter().map(|i| i.key.sk.clone()).collect()
}

/// Every item of a query, page by page, checking each page's size on the way.
async fn walk(store: &S, q: Query) -> Vec<Item> {
    let mut all = Vec::new();
    let mut after = None;
    for _ in 0..1000 {
        let page = store.query(q.clone().after(after)).await.expect("query");
        assert!(page.items.len() <= q.limit, "a page holds at most `limit` items");
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

pub async fn an_item_reads_back_exactly_as_written(store: S, clock: C) {
    let item = Item::new(k("T#1", "PROFILE"))
        .with_gsi1("EMAIL#ada@example.com", "USER")
        .with_gsi2("ROLE#admin", "2026-01-01")
        .with_ttl(clock.now().unix() + 3600)
        .with("name", "Ada")
        .with("seats", 5)
        .with("big", 9_007_199_254_740_993_i64)
        .with("negative", -42)
        .with("active", true)
        .with("nothing", serde_json::Value::Null)
        .with("tags", json!(["a", "b", 3]))
        .with("settings", json!({"security": {"mfa": false, "min": 8}, "empty": {}}))
        .with("unicode", "Zoë — 東京");
    store.put(item.clone(), None).await.expect("put");
    assert_eq!(store.get(&k("T#1", "PROFILE")).await.expect("get"), Some(item));
}

pub async fn a_missing_key_reads_as_none(store: S, _clock: C) {
    assert_eq!(store.get(&k("NOPE", "NOPE")).await.expect("get"), None);
}

pub async fn put_if_absent_refuses_an_existing_item(store: S, _clock: C) {
    let first = Item::new(k("SLUG#acme", "SLUG")).with("tenant", "ten_1");
    store.put(first.clone(), Some(Cond::Absent)).await.expect("first put");
    let second = Item::new(k("SLUG#acme", "SLUG")).with("tenant", "ten_2");
    let err = store.put(second, Some(Cond::Absent)).await.expect_err("second put must fail");
    assert!(matches!(err, StoreError::ConditionFailed { index: None }), "{err:?}");
    assert_eq!(store.get(&first.key).await.expect("get"), Some(first));
}

pub async fn a_version_check_refuses_a_stale_write(store: S, _clock: C) {
    let key = k("T#1", "SETTINGS");
    store.put(Item::new(key.clone()).with("version", 1).with("v", "a"), None).await.expect("put v1");
    store
        .put(Item::new(key.clone()).with("version", 2).with("v", "b"), Some(Cond::version(1)))
        .await
        .expect("put v2 over v1");
    let stale = store.put(Item::new(key.clone()).with("version", 2).with("v", "c"), Some(Cond::version(1))).await;
    assert!(stale.is_err_and(|e| e.is_condition_failed()));
    assert_eq!(store.get(&key).await.expect("get").and_then(|i| i.get_str("v").map(String::from)), Some("b".into()));
    // A version check on an absent item fails: there is nothing at that version.
    let absent = store.put(Item::new(k("T#1", "OTHER")).with("version", 2), Some(Cond::version(1))).await;
    assert!(absent.is_err_and(|e| e.is_condition_failed()));
}

pub async fn attribute_conditions_follow_dynamodb_rules(store: S, _clock: C) {
    let key = k("COND", "X");
    store
        .put(Item::new(key.clone()).with("n", 10).with("s", "m").with("flag", true).with("status", "active"), None)
        .await
        .expect("put");
    let cases: Vec<(Cond, bool)> = vec![
        (Cond::Exists, true),
        (Cond::Absent, false),
        (Cond::AttrExists("n".into()), true),
        (Cond::AttrExists("missing".into()), false),
        (Cond::AttrAbsent("missing".into()), true),
        (Cond::AttrAbsent("n".into()), false),
        (Cond::cmp("n", CmpOp::Eq, 10), true),
        (Cond::cmp("n", CmpOp::Ne, 10), false),
        (Cond::cmp("n", CmpOp::Lt, 11), true),
        (Cond::cmp("n", CmpOp::Le, 10), true),
        (Cond::cmp("n", CmpOp::Gt, 10), false),
        (Cond::cmp("n", CmpOp::Ge, 10), true),
        (Cond::cmp("n", CmpOp::Gt, 9), true),
        (Cond::cmp("s", CmpOp::Lt, "n"), true),
        (Cond::cmp("s", CmpOp::Gt, "N"), true),
        (Cond::cmp("flag", CmpOp::Eq, true), true),
        // Mixed types never compare true, and a missing attribute equals nothing.
        (Cond::cmp("n", CmpOp::Eq, "10"), false),
        (Cond::cmp("n", CmpOp::Lt, "99"), false),
        (Cond::cmp("missing", CmpOp::Eq, 1), false),
        (Cond::cmp("missing", CmpOp::Ne, 1), false),
        (Cond::eq("status", "active").and(Cond::cmp("n", CmpOp::Ge, 5)), true),
        (Cond::eq("status", "suspended").and(Cond::cmp("n", CmpOp::Ge, 5)), false),
        (Cond::eq("status", "suspended").or(Cond::cmp("n", CmpOp::Ge, 5)), true),
        (Cond::Absent.or(Cond::eq("status", "active")), true),
        (Cond::Absent.or(Cond::eq("status", "deleted")), false),
    ];
    for (i, (cond, expected)) in cases.into_iter().enumerate() {
        let result = store.put(Item::new(key.clone()).with("n", 10).with("s", "m").with("flag", true)
            .with("status", "active").with("case", i as i64), Some(cond.clone())).await;
        match (expected, result) {
            (true, Ok(())) => {}
            (false, Err(e)) if e.is_condition_failed() => {}
            (expected, got) => panic!("{cond:?}: expected {expected}, got {got:?}"),
        }
    }
    // Conditions on an absent item: only absence-shaped ones hold.
    let none = k("COND", "NONE");
    for (cond, expected) in [(Cond::Absent, true), (Cond::AttrAbsent("x".into()), true), (Cond::Exists, false), (Cond::AttrExists("x".into()), false)] {
        let result = store.put(Item::new(none.clone()), Some(cond.clone())).await;
        assert_eq!(result.is_ok(), expected, "{cond:?} on an absent item");
        store.delete(&none, None).await.expect("reset");
    }
}

pub async fn a_conditional_delete_keeps_the_item_when_the_condition_fails(store: S, _clock: C) {
    let key = k("DEL", "A");
    store.put(Item::new(key.clone()).with("status", "active"), None).await.expect("put");
    let refused = store.delete(&key, Some(Cond::eq("status", "deleted"))).await;
    assert!(refused.is_err_and(|e| e.is_condition_failed()));
    assert!(store.get(&key).await.expect("get").is_some());
    store.delete(&key, Some(Cond::eq("status", "active"))).await.expect("delete");
    assert!(store.get(&key).await.expect("get").is_none());
}

pub async fn deleting_an_absent_item_is_not_an_error(store: S, _clock: C) {
    store.delete(&k("DEL", "GHOST"), None).await.expect("delete of nothing");
    let guarded = store.delete(&k("DEL", "GHOST"), Some(Cond::Exists)).await;
    assert!(guarded.is_err_and(|e| e.is_condition_failed()));
}

pub async fn updates_set_add_and_remove_atomically(store: S, _clock: C) {
    let key = k("UPD", "A");
    store.put(Item::new(key.clone()).with("count", 1).with("old", "x").with("name", "a"), None).await.expect("put");
    let after = store
        .update(&key, Update::new().add("count", 4).add("fresh", 2).set("name", "b").remove("old"), None)
        .await
        .expect("update");
    assert_eq!(after.get_i64("count"), Some(5));
    assert_eq!(after.get_i64("fresh"), Some(2));
    assert_eq!(after.get_str("name"), Some("b"));
    assert_eq!(after.get("old"), None);
    assert_eq!(store.get(&key).await.expect("get"), Some(after));
}

pub async fn an_update_of_an_absent_item_creates_it(store: S, _clock: C) {
    let key = k("UPD", "NEW");
    let item = store.update(&key, Update::new().add("hits", 1).set("kind", "counter"), None).await.expect("update");
    assert_eq!(item.key, key);
    assert_eq!(item.get_i64("hits"), Some(1));
    let again = store.update(&key, Update::new().add("hits", 1), Some(Cond::Exists)).await.expect("update");
    assert_eq!(again.get_i64("hits"), Some(2));
}

pub async fn a_failed_update_changes_nothing(store: S, _clock: C) {
    let key = k("UPD", "LIMIT");
    store.put(Item::new(key.clone()).with("seats", 3).with("limit", 3), None).await.expect("put");
    let over = store.update(&key, Update::new().add("seats", 1), Some(Cond::cmp("seats", CmpOp::Lt, 3))).await;
    assert!(over.is_err_and(|e| e.is_condition_failed()));
    assert_eq!(store.get(&key).await.expect("get").and_then(|i| i.get_i64("seats")), Some(3));
    let absent = store.update(&k("UPD", "NONE"), Update::new().add("n", 1), Some(Cond::Exists)).await;
    assert!(absent.is_err_and(|e| e.is_condition_failed()));
    assert_eq!(store.get(&k("UPD", "NONE")).await.expect("get"), None);
}

pub async fn a_transaction_is_all_or_nothing_and_names_the_failing_write(store: S, _clock: C) {
    store.put(Item::new(k("TX", "TAKEN")).with("v", 1), None).await.expect("put");
    store.put(Item::new(k("TX", "COUNTER")).with("n", 7), None).await.expect("put");
    store.put(Item::new(k("TX", "OTHER")).with("v", 1), None).await.expect("put");
    let err = store
        .transact(vec![
            Write::put(Item::new(k("TX", "NEW1")).with("v", 1)).when(Cond::Absent),
            Write::update(k("TX", "COUNTER"), Update::new().add("n", 1)),
            Write::delete(k("TX", "OTHER")),
            Write::put(Item::new(k("TX", "TAKEN2")).with("v", 1)),
            Write::put(Item::new(k("TX", "TAKEN")).with("v", 2)).when(Cond::eq("v", 99)),
        ])
        .await;
    // The failing write is named by its index; the writes before it are undone.
    assert!(matches!(err, Err(StoreError::ConditionFailed { index: Some(4) })), "{err:?}");
    assert_eq!(store.get(&k("TX", "NEW1")).await.expect("get"), None);
    assert_eq!(store.get(&k("TX", "TAKEN2")).await.expect("get"), None);
    assert_eq!(store.get(&k("TX", "COUNTER")).await.expect("get").and_then(|i| i.get_i64("n")), Some(7));
    assert_eq!(store.get(&k("TX", "TAKEN")).await.expect("get").and_then(|i| i.get_i64("v")), Some(1));
    assert!(store.get(&k("TX", "OTHER")).await.expect("get").is_some(), "the delete was rolled back");
    // The same transaction with the condition met applies every write.
    store
        .transact(vec![
            Write::put(Item::new(k("TX", "NEW1")).with("v", 1)).when(Cond::Absent),
            Write::update(k("TX", "COUNTER"), Update::new().add("n", 1)),
            Write::delete(k("TX", "TAKEN")).when(Cond::eq("v", 1)),
        ])
        .await
        .expect("transaction");
    assert!(store.get(&k("TX", "NEW1")).await.expect("get").is_some());
    assert_eq!(store.get(&k("TX", "COUNTER")).await.expect("get").and_then(|i| i.get_i64("n")), Some(8));
    assert_eq!(store.get(&k("TX", "TAKEN")).await.expect("get"), None);
}

pub async fn a_transaction_check_guards_without_writing(store: S, _clock: C) {
    store.put(Item::new(k("TENANT#1", "META")).with("status", "suspended"), None).await.expect("put");
    let refused = store
        .transact(vec![
            Write::check(k("TENANT#1", "META"), Cond::eq("status", "active")),
            Write::put(Item::new(k("TENANT#1", "MEMBER#a"))),
        ])
        .await;
    assert!(matches!(refused, Err(StoreError::ConditionFailed { index: Some(0) })), "{refused:?}");
    assert_eq!(store.get(&k("TENANT#1", "MEMBER#a")).await.expect("get"), None);
    store
        .transact(vec![
            Write::check(k("TENANT#1", "META"), Cond::eq("status", "suspended")),
            Write::put(Item::new(k("TENANT#1", "MEMBER#a"))),
        ])
        .await
        .expect("transaction");
    assert_eq!(store.get(&k("TENANT#1", "META")).await.expect("get").and_then(|i| i.get_str("status").map(String::from)), Some("suspended".into()));
}

pub async fn a_transaction_refuses_two_writes_to_one_item_and_over_100_writes(store: S, _clock: C) {
    let twice = store
        .transact(vec![Write::put(Item::new(k("TX2", "A"))), Write::delete(k("TX2", "A"))])
        .await;
    assert!(matches!(twice, Err(StoreError::Invalid(_))), "{twice:?}");
    let writes: Vec<Write> = (0..101).map(|i| Write::put(Item::new(k("TX2", &format!("I#{i:03}"))))).collect();
    assert!(matches!(store.transact(writes).await, Err(StoreError::Invalid(_))));
    assert!(matches!(store.transact(vec![]).await, Err(StoreError::Invalid(_))));
    assert_eq!(store.query(Query::table("TX2")).await.expect("query").items, vec![]);
}

pub async fn a_transaction_of_100_items_commits(store: S, _clock: C) {
    let writes: Vec<Write> =
        (0..100).map(|i| Write::put(Item::new(k("TX3", &format!("I#{i:03}"))).with("i", i)).when(Cond::Absent)).collect();
    store.transact(writes).await.expect("100 writes");
    assert_eq!(walk(&store, Query::table("TX3").limit(30)).await.len(), 100);
}

async fn seed_sorted(store: &S, pk: &str, sks: &[&str]) {
    for sk in sks {
        store.put(Item::new(k(pk, sk)).with("sk", *sk), None).await.expect("seed");
    }
}

pub async fn queries_select_by_sort_key_range_in_both_directions(store: S, _clock: C) {
    seed_sorted(&store, "Q", &["INV#2026-01", "INV#2026-02", "INV#2026-03", "META", "PAY#1", "INVOICE"]).await;
    seed_sorted(&store, "Q2", &["INV#2026-01"]).await;
    let q = |range| Query::table("Q").sk(range);
    let run = |q: Query| { let store = store.clone(); async move { sks(&store.query(q).await.expect("query")) } };
    assert_eq!(run(q(SkRange::BeginsWith("INV#".into()))).await, ["INV#2026-01", "INV#2026-02", "INV#2026-03"]);
    assert_eq!(run(q(SkRange::BeginsWith("INV#".into())).backward()).await, ["INV#2026-03", "INV#2026-02", "INV#2026-01"]);
    assert_eq!(run(q(SkRange::Between("INV#2026-02".into(), "INV#2026-03".into()))).await, ["INV#2026-02", "INV#2026-03"]);
    assert_eq!(run(q(SkRange::Lt("INV#2026-02".into()))).await, ["INV#2026-01"]);
    assert_eq!(run(q(SkRange::Le("INV#2026-02".into()))).await, ["INV#2026-01", "INV#2026-02"]);
    assert_eq!(run(q(SkRange::Gt("META".into()))).await, ["PAY#1"]);
    assert_eq!(run(q(SkRange::Ge("META".into()))).await, ["META", "PAY#1"]);
    assert_eq!(run(Query::table("Q").backward().limit(2)).await, ["PAY#1", "META"]);
    assert_eq!(run(Query::table("Q").limit(100)).await.len(), 6);
    assert_eq!(run(Query::table("EMPTY")).await, Vec::<String>::new());
    assert!(matches!(store.query(Query::table("Q").limit(0)).await, Err(StoreError::Invalid(_))));
}

pub async fn pages_never_skip_or_repeat_forward_and_backward(store: S, _clock: C) {
    let names: Vec<String> = (0..23).map(|i| format!("EVT#{i:04}")).collect();
    for n in &names {
        store.put(Item::new(k("PAGES", n)), None).await.expect("seed");
    }
    for limit in [1, 3, 5, 23, 50] {
        let forward: Vec<String> = walk(&store, Query::table("PAGES").limit(limit)).await.into_iter().map(|i| i.key.sk).collect();
        assert_eq!(forward, names, "forward, limit {limit}");
        let mut backward: Vec<String> =
            walk(&store, Query::table("PAGES").backward().limit(limit)).await.into_iter().map(|i| i.key.sk).collect();
        backward.reverse();
        assert_eq!(backward, names, "backward, limit {limit}");
    }
    // An exactly full last page says there is nothing more.
    let page = store.query(Query::table("PAGES").limit(23)).await.expect("query");
    assert_eq!((page.items.len(), page.next), (23, None));
}

pub async fn index_queries_page_through_ties_without_skipping(store: S, _clock: C) {
    // Eight users in two tenants; several share a GSI sort key (same day).
    for i in 0..8 {
        let day = format!("2026-11-{:02}", 20 + i / 3);
        let item = Item::new(k(&format!("TENANT#{}", i % 2), &format!("USER#{i}")))
            .with_gsi1("USERS", day.clone())
            .with_gsi2(format!("ROLE#{}", if i < 5 { "member" } else { "admin" }), format!("USER#{i}"))
            .with("i", i);
        store.put(item, None).await.expect("seed");
    }
    store.put(Item::new(k("TENANT#0", "META")), None).await.expect("an item without index keys");
    let forward = walk(&store, Query::gsi1("USERS").limit(3)).await;
    let days: Vec<String> = forward.iter().map(|i| i.gsi1.clone().expect("gsi1").sk).collect();
    let mut sorted = days.clone();
    sorted.sort();
    assert_eq!(days, sorted, "index pages come in index sort-key order");
    let seen: BTreeSet<Key> = forward.iter().map(|i| i.key.clone()).collect();
    assert_eq!((forward.len(), seen.len()), (8, 8), "no skip, no repeat");
    let backward = walk(&store, Query::gsi1("USERS").backward().limit(2)).await;
    let back_seen: BTreeSet<Key> = backward.iter().map(|i| i.key.clone()).collect();
    assert_eq!(back_seen, seen);
    let admins = walk(&store, Query::gsi2("ROLE#admin").limit(2)).await;
    assert_eq!(admins.iter().map(|i| i.key.sk.as_str()).collect::<Vec<_>>(), ["USER#5", "USER#6", "USER#7"]);
    let range = store.query(Query::gsi1("USERS").sk(SkRange::BeginsWith("2026-11-21".into()))).await.expect("query");
    assert_eq!(range.items.len(), 3);
}

pub async fn expired_items_are_gone_for_reads_and_conditions(store: S, clock: C) {
    let now = clock.now().unix();
    let key = k("TOKEN#abc", "RESET");
    store.put(Item::new(key.clone()).with_ttl(now + 60).with("user", "usr_1"), None).await.expect("put");
    assert!(store.get(&key).await.expect("get").is_some());
    clock.advance(59);
    assert!(store.get(&key).await.expect("get").is_some(), "alive until its second");
    clock.advance(1);
    assert_eq!(store.get(&key).await.expect("get"), None, "gone at its TTL");
    assert!(store.query(Query::table("TOKEN#abc")).await.expect("query").items.is_empty());
    // Conditions see no item: single-use tokens cannot be consumed once expired...
    let consume = store.delete(&key, Some(Cond::Exists)).await;
    assert!(consume.is_err_and(|e| e.is_condition_failed()));
    let consume_tx = store.transact(vec![Write::delete(key.clone()).when(Cond::eq("user", "usr_1"))]).await;
    assert!(matches!(consume_tx, Err(StoreError::ConditionFailed { index: Some(0) })));
    // ...and a new item may take the expired one's place.
    store.put(Item::new(key.clone()).with("user", "usr_2"), Some(Cond::Absent)).await.expect("replace expired");
    assert_eq!(store.get(&key).await.expect("get").and_then(|i| i.get_str("user").map(String::from)), Some("usr_2".into()));
    // Expired items vanish from index queries too.
    store.put(Item::new(k("TOKEN#def", "RESET")).with_gsi1("TOKENS", "def").with_ttl(now + 10), None).await.expect("put");
    assert!(store.query(Query::gsi1("TOKENS")).await.expect("query").items.is_empty());
}

pub async fn pages_skip_expired_items_and_still_fill(store: S, clock: C) {
    let now = clock.now().unix();
    for i in 0..30 {
        let mut item = Item::new(k("MIXED", &format!("I#{i:03}")));
        if i % 3 != 0 {
            item = item.with_ttl(now + 5);
        }
        store.put(item, None).await.expect("seed");
    }
    clock.advance(10);
    // 10 live items among 30; pages of 4 must come out full until the last.
    let live = walk(&store, Query::table("MIXED").limit(4)).await;
    let names: Vec<String> = live.iter().map(|i| i.key.sk.clone()).collect();
    let expected: Vec<String> = (0..30).filter(|i| i % 3 == 0).map(|i| format!("I#{i:03}")).collect();
    assert_eq!(names, expected);
}

pub async fn an_update_of_an_expired_item_starts_afresh_but_fails_in_a_transaction(store: S, clock: C) {
    let now = clock.now().unix();
    let key = k("RATE#login#ada", "WINDOW");
    store.put(Item::new(key.clone()).with("count", 9).with("old", true).with_ttl(now + 5), None).await.expect("put");
    clock.advance(5);
    let fresh = store.update(&key, Update::new().add("count", 1).ttl(now + 100), None).await.expect("update");
    assert_eq!(fresh.get_i64("count"), Some(1), "the expired counter does not carry over");
    assert_eq!(fresh.get("old"), None);
    assert_eq!(fresh.ttl, Some(now + 100));
    let key2 = k("RATE#login#bob", "WINDOW");
    store.put(Item::new(key2.clone()).with("count", 9).with_ttl(now + 6), None).await.expect("put");
    clock.advance(1);
    let tx = store.transact(vec![Write::update(key2.clone(), Update::new().add("count", 1))]).await;
    assert!(matches!(tx, Err(StoreError::ConditionFailed { index: Some(0) })), "{tx:?}");
    // A condition that needs the item fails on an expired one.
    let needs = store.update(&key2, Update::new().add("count", 1), Some(Cond::Exists)).await;
    assert!(needs.is_err_and(|e| e.is_condition_failed()));
}

pub async fn concurrent_conditional_writes_let_exactly_one_win(store: S, _clock: C) {
    let mut tasks = Vec::new();
    for n in 0..16 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.put(Item::new(k("RACE", "EMAIL#ada@example.com")).with("owner", n), Some(Cond::Absent)).await
        }));
    }
    let mut wins = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(()) => wins += 1,
            Err(e) => assert!(e.is_condition_failed(), "{e:?}"),
        }
    }
    assert_eq!(wins, 1);
    // Racing versioned updates: each version is won once.
    store.put(Item::new(k("RACE", "DOC")).with("version", 0), None).await.expect("put");
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.update(&k("RACE", "DOC"), Update::new().add("version", 1), Some(Cond::version(0))).await
        }));
    }
    let mut ok = 0;
    for task in tasks {
        if task.await.expect("task").is_ok() {
            ok += 1;
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(store.get(&k("RACE", "DOC")).await.expect("get").and_then(|i| i.get_i64("version")), Some(1));
}

pub async fn floats_and_reserved_names_are_refused(store: S, _clock: C) {
    let float = store.put(Item::new(k("BAD", "F")).with("price", 9.99), None).await;
    assert!(matches!(float, Err(StoreError::Invalid(_))), "{float:?}");
    let reserved = store.put(Item::new(k("BAD", "R")).with("PK", "other"), None).await;
    assert!(matches!(reserved, Err(StoreError::Invalid(_))), "{reserved:?}");
    let reserved_update = store.update(&k("BAD", "U"), Update::new().set("GSI1PK", "x"), None).await;
    assert!(matches!(reserved_update, Err(StoreError::Invalid(_))), "{reserved_update:?}");
    let empty_key = store.put(Item::new(k("BAD", "")), None).await;
    assert!(matches!(empty_key, Err(StoreError::Invalid(_))), "{empty_key:?}");
    assert!(store.query(Query::table("BAD")).await.expect("query").items.is_empty());
}
