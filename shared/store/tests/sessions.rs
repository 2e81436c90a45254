//! Tests of `store::repo::sessions::commit_ending_sessions` on the embedded store
//! (integration tests: the adapters crate implements this crate's ports, so they run from
//! outside it).
mod common;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use domain::email::Email;
use domain::ids::{SessionId, UserId};
use domain::time::Timestamp;
use domain::user::{Role, User, UserStatus};
use store::audit::AuditEvent;
use store::ports::clock::Clock;
use store::ports::item_store::{Cond, Item, ItemStore, Key, MAX_TRANSACT_ITEMS, Page, Query, StoreError, Update, Write};
use store::repo::sessions::{self, Session, SessionsToEnd};
use store::repo::users;

/// The embedded store, remembering the keys of every transaction it ran, in order.
struct Recording {
    inner: Arc<dyn ItemStore>,
    transactions: Mutex<Vec<Vec<Key>>>,
}

impl Recording {
    fn transactions(&self) -> Vec<Vec<Key>> {
        self.transactions.lock().map(|t| t.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl ItemStore for Recording {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(key).await
    }
    async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError> {
        self.inner.put(item, cond).await
    }
    async fn update(&self, key: &Key, update: Update, cond: Option<Cond>) -> Result<Item, StoreError> {
        self.inner.update(key, update, cond).await
    }
    async fn delete(&self, key: &Key, cond: Option<Cond>) -> Result<(), StoreError> {
        self.inner.delete(key, cond).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        if let Ok(mut t) = self.transactions.lock() {
            t.push(writes.iter().map(|w| w.key().clone()).collect());
        }
        self.inner.transact(writes).await
    }
    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.inner.query(query).await
    }
}

struct World {
    store: Recording,
    now: Timestamp,
    user: User,
}

/// A user with `sessions` live sessions, on a store that records the transactions from here on.
async fn user_with_sessions(sessions: usize) -> World {
    let (ports, clock) = common::ports();
    let now = clock.now();
    let user = User {
        id: UserId::generate(now),
        email: Email::parse("ada@example.com").unwrap(),
        name: "Ada".into(),
        role: Role::TenantAdmin,
        tenant_id: None,
        status: UserStatus::Active,
        email_verified: true,
        password_hash: None,
        created_at: now,
        version: 1,
        mfa: Default::default(),
    };
    users::create(ports.store.as_ref(), &user, vec![]).await.unwrap();
    let creates: Vec<Write> = (0..sessions)
        .map(|_| {
            sessions::create(&Session {
                id: SessionId::generate(now),
                user_id: user.id.clone(),
                tenant_id: None,
                role: user.role,
                created_at: now,
                last_seen_at: now,
                ip: "192.0.2.1".into(),
                user_agent: "test".into(),
                refresh_hash: "h".into(),
                rotated_hashes: vec![],
                expires_at: now.plus_seconds(3600),
            })
            .unwrap()
        })
        .collect();
    for chunk in creates.chunks(MAX_TRANSACT_ITEMS) {
        ports.store.transact(chunk.to_vec()).await.unwrap();
    }
    World { store: Recording { inner: ports.store, transactions: Mutex::new(Vec::new()) }, now, user }
}

impl World {
    /// The change of a disable: the user saved at `version + 1` if still at `from_version`,
    /// with its audit event (three writes).
    fn disable(&self, from_version: i64) -> Vec<Write> {
        let changed = User { status: UserStatus::Disabled, version: from_version + 1, ..self.user.clone() };
        let event = AuditEvent::new(self.now, "usr_admin", "user.disabled", "192.0.2.9").target(&self.user.id);
        event.appended_to(vec![users::save(&changed).unwrap()]).unwrap()
    }

    async fn sessions_left(&self) -> usize {
        sessions::list(&self.store, &self.user.id, 1000, None).await.unwrap().items.len()
    }

    async fn stored(&self) -> User {
        users::get(&self.store, &self.user.id).await.unwrap().unwrap()
    }
}

#[tokio::test]
async fn a_user_with_more_sessions_than_fit_in_one_transaction_has_none_after_the_change() {
    // GIVEN a user with 250 sessions: with a change of 3 writes, 97 fit beside it
    let world = user_with_sessions(250).await;
    let to_end = sessions::to_end(&world.store, &world.user.id).await.unwrap();
    assert_eq!(to_end.len(), 250);

    // WHEN the user is disabled, ending those sessions
    let change = world.disable(1);
    let change_keys: Vec<Key> = change.iter().map(|w| w.key().clone()).collect();
    sessions::commit_ending_sessions(&world.store, change, to_end).await.unwrap();

    // THEN no session is left and the change is stored
    assert_eq!(world.sessions_left().await, 0);
    assert_eq!(world.stored().await.status, UserStatus::Disabled);
    // AND the 153 that did not fit ended first, in transactions of their own; the change came
    // last, its writes first (so a failed condition names them), the other 97 sessions after
    let transactions = world.store.transactions();
    assert_eq!(transactions.iter().map(Vec::len).collect::<Vec<_>>(), vec![100, 53, 100]);
    for early in &transactions[..2] {
        assert!(early.iter().all(|k| k.sk.starts_with("SESSION#")), "only sessions end before the change");
    }
    let last = &transactions[2];
    assert_eq!(last[..3], change_keys[..]);
    assert!(last[3..].iter().all(|k| k.sk.starts_with("SESSION#")));
}

#[tokio::test]
async fn a_failed_change_condition_still_ended_the_sessions_that_did_not_fit() {
    // GIVEN a user with 150 sessions, and a change written against a version that is gone
    let world = user_with_sessions(150).await;
    let to_end = sessions::to_end(&world.store, &world.user.id).await.unwrap();
    let stale = world.disable(7);

    // WHEN it is committed
    let result = sessions::commit_ending_sessions(&world.store, stale, to_end).await;

    // THEN its condition fails, naming its own first write, and nothing of it is stored
    assert!(matches!(result, Err(StoreError::ConditionFailed { index: Some(0) })), "{result:?}");
    assert_eq!(world.stored().await, world.user);
    // AND the overflow ended all the same (safe: its user signs in again); the 97 sessions
    // that rode in the failed transaction live on
    assert_eq!(world.sessions_left().await, MAX_TRANSACT_ITEMS - 3);
    // AND a retry lists what is left and ends it with the change
    let to_end = sessions::to_end(&world.store, &world.user.id).await.unwrap();
    sessions::commit_ending_sessions(&world.store, world.disable(1), to_end).await.unwrap();
    assert_eq!(world.sessions_left().await, 0);
}

#[tokio::test]
async fn sessions_that_fit_end_in_the_changes_own_transaction_or_not_at_all() {
    // GIVEN a user with 5 sessions
    let world = user_with_sessions(5).await;

    // WHEN a stale change is committed with them, THEN every session lives on
    let to_end = sessions::to_end(&world.store, &world.user.id).await.unwrap();
    assert!(sessions::commit_ending_sessions(&world.store, world.disable(7), to_end).await.is_err());
    assert_eq!(world.sessions_left().await, 5);

    // WHEN the change holds, THEN one transaction changed the user and ended them all
    let to_end = sessions::to_end(&world.store, &world.user.id).await.unwrap();
    sessions::commit_ending_sessions(&world.store, world.disable(1), to_end).await.unwrap();
    assert_eq!(world.sessions_left().await, 0);
    assert_eq!(world.store.transactions().iter().map(Vec::len).collect::<Vec<_>>(), vec![8, 8]);
}

#[tokio::test]
async fn a_change_that_ends_no_session_is_committed_alone() {
    let world = user_with_sessions(2).await;
    sessions::commit_ending_sessions(&world.store, world.disable(1), SessionsToEnd::none()).await.unwrap();
    assert_eq!(world.stored().await.status, UserStatus::Disabled);
    assert_eq!(world.sessions_left().await, 2);
    assert_eq!(world.store.transactions().len(), 1);
}

#[tokio::test]
async fn a_change_too_big_for_one_transaction_ends_nothing() {
    // GIVEN a user with 150 sessions and a change of 101 writes
    let world = user_with_sessions(150).await;
    let to_end = sessions::to_end(&world.store, &world.user.id).await.unwrap();
    let mut change = world.disable(1);
    change.extend((0..98).map(|i| Write::put(Item::new(Key::new("TEST", format!("ITEM#{i}"))))));

    // WHEN it is committed, THEN it is refused before anything is written
    let result = sessions::commit_ending_sessions(&world.store, change, to_end).await;
    assert!(matches!(result, Err(StoreError::Invalid(_))), "{result:?}");
    assert_eq!(world.sessions_left().await, 150);
    assert!(world.store.transactions().is_empty());
}
