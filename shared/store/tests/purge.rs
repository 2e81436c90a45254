//! Tests of `store::repo::purge` on the embedded store (integration tests: the adapters crate
//! implements this crate's ports, so they run from outside it).
mod common;
use domain::email::Email;
use domain::ids::{SessionId, TenantId, UserId};
use domain::time::Timestamp;
use domain::user::{Role, User, UserStatus};
use store::audit::{self, AuditEvent, AuditFilter};
use store::ports::clock::Clock;
use store::ports::item_store::{Item, ItemStore, Key, Query, Write};
use store::repo::purge::{self, Purged};
use store::repo::tenants::{self, Tenant, TenantStatus};
use store::repo::{keys, plans, sessions, users};

fn member(tenant: &TenantId, email: &str, now: Timestamp) -> User {
    User {
        id: UserId::generate(now),
        email: Email::parse(email).unwrap(),
        name: "Member".into(),
        role: Role::TenantAdmin,
        tenant_id: Some(tenant.clone()),
        status: UserStatus::Active,
        email_verified: true,
        password_hash: None,
        created_at: now,
        version: 1,
        mfa: Default::default(),
    }
}

fn session(user: &User, now: Timestamp) -> sessions::Session {
    sessions::Session {
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
    }
}

/// A deleted tenant with a member (a session, a backup code), a paid, a void and a draft
/// invoice, an item on legal hold and an invitation-like item; its audit trail has one event.
async fn deleted_tenant(store: &dyn ItemStore, slug: &str, now: Timestamp) -> (Tenant, User) {
    let plan = plans::free(store, now).await.unwrap();
    let tenant = Tenant::new(TenantId::generate(now), slug.into(), slug.into(), TenantStatus::Active, plan.id, plan.currency, now);
    let created = AuditEvent::new(now, "usr_x", "tenant.created", "ip").tenant(Some(&tenant.id));
    store.transact(created.appended_to(tenants::create(&tenant).unwrap()).unwrap()).await.unwrap();
    let user = member(&tenant.id, &format!("owner@{slug}.example"), now);
    let code = Item::new(keys::backup_code(&user.id, "hash"));
    users::create(store, &user, vec![sessions::create(&session(&user, now)).unwrap(), Write::put(code)]).await.unwrap();
    let pk = keys::tenant_pk(&tenant.id);
    let planted = [
        Item::new(Key::new(pk.clone(), "INVOICE#inv_1")).with("status", "paid"),
        Item::new(Key::new(pk.clone(), "INVOICE#inv_2")).with("status", "void"),
        Item::new(Key::new(pk.clone(), "INVOICE#inv_3")).with("status", "draft"),
        Item::new(Key::new(pk.clone(), "PAYMENT#pay_1")).with("legal_hold", true),
        Item::new(Key::new(pk.clone(), "INVITE#ivt_1")).with("status", "pending"),
    ];
    store.transact(planted.into_iter().map(Write::put).collect()).await.unwrap();
    let deleted = tenant.delete(now).unwrap();
    store.transact(vec![tenants::save(&deleted).unwrap()]).await.unwrap();
    (deleted, user)
}

fn purged_event(tenant: &Tenant, now: Timestamp) -> AuditEvent {
    AuditEvent::new(now, "system", "tenant.purged", "internal").tenant(Some(&tenant.id)).target(&tenant.id)
}

#[tokio::test]
async fn a_purge_removes_the_members_and_the_partition_but_what_the_law_keeps() {
    // GIVEN a deleted tenant
    let (ports, clock) = common::ports();
    let store = ports.store.as_ref();
    let now = clock.now();
    let (tenant, user) = deleted_tenant(store, "acme", now).await;
    // WHEN its members are purged
    let members = purge::members(store, &tenant.id).await.unwrap();
    // THEN the member's claim, session, backup code and profile are gone
    assert_eq!(members, Purged { users: 1, items_deleted: 4, items_kept: 0 });
    assert!(users::find_by_email(store, &user.email).await.unwrap().is_none());
    assert!(store.query(Query::table(keys::user_pk(&user.id))).await.unwrap().items.is_empty());
    assert!(store.get(&keys::email_claim(&user.email)).await.unwrap().is_none());
    // WHEN its partition is purged
    let partition = purge::partition(store, &tenant.id).await.unwrap();
    // THEN the record and the finalized or held items stay; the draft and the rest are gone
    assert_eq!(partition, Purged { users: 0, items_deleted: 2, items_kept: 3 });
    let left: Vec<String> = tenants::partition(store, &tenant.id).await.unwrap().into_iter().map(|i| i.key.sk).collect();
    assert_eq!(left, ["INVOICE#inv_1", "INVOICE#inv_2", "META", "PAYMENT#pay_1"]);
    // WHEN it is finished
    let deleted = purge::finish(store, &tenant, &purged_event(&tenant, now)).await.unwrap();
    // THEN the record and the slug claim went with the event; the audit trail is whole
    assert_eq!(deleted, 2);
    assert!(tenants::get(store, &tenant.id).await.unwrap().is_none());
    assert!(store.get(&keys::slug_claim("acme")).await.unwrap().is_none());
    let left: Vec<String> = tenants::partition(store, &tenant.id).await.unwrap().into_iter().map(|i| i.key.sk).collect();
    assert_eq!(left, ["INVOICE#inv_1", "INVOICE#inv_2", "PAYMENT#pay_1"]);
    let filter = AuditFilter { tenant_id: Some(tenant.id.clone()), ..Default::default() };
    let trail = audit::list(store, &filter, 10, None, now).await.unwrap().events;
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["tenant.purged", "tenant.created"]);
    // AND every step run again finds nothing more to do
    assert_eq!(purge::members(store, &tenant.id).await.unwrap(), Purged::default());
    assert_eq!(purge::partition(store, &tenant.id).await.unwrap(), Purged { users: 0, items_deleted: 0, items_kept: 3 });
}

#[tokio::test]
async fn a_purge_leaves_claims_that_belong_to_someone_else_now() {
    // GIVEN a deleted tenant whose slug and member's address were taken over meanwhile
    let (ports, clock) = common::ports();
    let store = ports.store.as_ref();
    let now = clock.now();
    let (tenant, user) = deleted_tenant(store, "acme", now).await;
    let newcomer = member(&TenantId::generate(now), "owner@acme.example", now);
    store.delete(&keys::email_claim(&user.email), None).await.unwrap();
    users::create(store, &newcomer, vec![]).await.unwrap();
    store.put(Item::new(keys::slug_claim("acme")).with("tenant_id", "ten_other"), None).await.unwrap();
    // WHEN it is purged
    let members = purge::members(store, &tenant.id).await.unwrap();
    purge::partition(store, &tenant.id).await.unwrap();
    let deleted = purge::finish(store, &tenant, &purged_event(&tenant, now)).await.unwrap();
    // THEN its member is gone but the address still finds the newcomer; the slug claim stays
    assert_eq!(members.items_deleted, 3, "session, backup code and profile; not the claim");
    assert!(users::get(store, &user.id).await.unwrap().is_none());
    assert_eq!(users::find_by_email(store, &user.email).await.unwrap().map(|u| u.id), Some(newcomer.id));
    assert_eq!(deleted, 1);
    let claim = store.get(&keys::slug_claim("acme")).await.unwrap().unwrap();
    assert_eq!(claim.get_str("tenant_id"), Some("ten_other"));
}

#[tokio::test]
async fn the_record_of_a_tenant_restored_meanwhile_is_not_purged() {
    // GIVEN a deleted tenant restored after the purge read it
    let (ports, clock) = common::ports();
    let store = ports.store.as_ref();
    let now = clock.now();
    let (tenant, _) = deleted_tenant(store, "acme", now).await;
    let restored = tenant.clone().restore(now).unwrap();
    store.transact(vec![tenants::save(&restored).unwrap()]).await.unwrap();
    // WHEN the purge tries to finish it
    let refused = purge::finish(store, &tenant, &purged_event(&tenant, now)).await;
    // THEN nothing of the last transaction happened
    assert!(refused.unwrap_err().is_condition_failed());
    assert_eq!(tenants::get(store, &tenant.id).await.unwrap().map(|t| t.status), Some(TenantStatus::Active));
    assert!(store.get(&keys::slug_claim("acme")).await.unwrap().is_some());
    let filter = AuditFilter { tenant_id: Some(tenant.id.clone()), ..Default::default() };
    assert_eq!(audit::list(store, &filter, 10, None, now).await.unwrap().events.len(), 1);
}
