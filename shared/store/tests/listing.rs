//! Tests of the repositories' lists, counts and checks that the admin and team functions use
//! (`users::list_newest_first`, `tenants::list_page`/`list_batch`/`not_deleted`,
//! `team::members_page`/`count_members`, `invitations::count_pending`,
//! `users::email_unclaimed`) on the embedded store.
mod common;
use domain::email::Email;
use domain::ids::{InvitationId, PlanId, TenantId, UserId};
use domain::invitation::{Invitation, InvitationStatus, VALID_SECONDS};
use domain::time::Timestamp;
use domain::user::{Role, User, UserStatus};
use store::ports::clock::Clock;
use store::ports::item_store::{Cursor, ItemStore, StoreError};
use store::repo::tenants::{self, Tenant, TenantStatus};
use store::repo::{invitations, team, users};

fn user(email: &str, tenant: Option<&TenantId>, now: Timestamp) -> User {
    User {
        id: UserId::generate(now),
        email: Email::parse(email).unwrap(),
        name: email.into(),
        role: if tenant.is_some() { Role::TenantMember } else { Role::Partner },
        tenant_id: tenant.cloned(),
        status: UserStatus::Active,
        email_verified: true,
        password_hash: None,
        created_at: now,
        version: 1,
        mfa: Default::default(),
    }
}

async fn tenant(store: &dyn ItemStore, slug: &str, status: TenantStatus, now: Timestamp) -> Tenant {
    let tenant = Tenant::new(TenantId::generate(now), slug.into(), slug.into(), status, PlanId::generate(now), "usd".into(), now);
    store.transact(tenants::create(&tenant).unwrap()).await.unwrap();
    tenant
}

fn invitation(tenant: &TenantId, email: &str, now: Timestamp, valid_seconds: i64) -> Invitation {
    Invitation {
        id: InvitationId::generate(now),
        tenant_id: Some(tenant.clone()),
        email: Email::parse(email).unwrap(),
        name: None,
        role: Role::TenantMember,
        invited_by: "usr_x".into(),
        status: InvitationStatus::Pending,
        created_at: now,
        expires_at: now.plus_seconds(valid_seconds),
        accepted_at: None,
        token_hash: email.into(),
        version: 1,
    }
}

fn emails(listed: &store::repo::listed::Listed<User>) -> Vec<String> {
    listed.records().map(|r| r.unwrap().0.email.to_string()).collect()
}

#[tokio::test]
async fn users_list_newest_first_everyone_or_a_tenants_members_and_resume_after_any_user() {
    // GIVEN two platform users and two members of a tenant, created in that order
    let (ports, clock) = common::ports();
    let store = ports.store.as_ref();
    let now = clock.now();
    let acme = TenantId::generate(now);
    for (email, tenant) in [("a@example.com", None), ("b@example.com", None), ("c@example.com", Some(&acme)), ("d@example.com", Some(&acme))] {
        users::create(store, &user(email, tenant, now), vec![]).await.unwrap();
    }

    // WHEN every user is listed two at a time, THEN newest first, the second page after the first
    let first = users::list_newest_first(store, None, 2, None).await.unwrap();
    assert_eq!(emails(&first), ["d@example.com", "c@example.com"]);
    let (_, after_c) = first.records().last().unwrap().unwrap();
    let second = users::list_newest_first(store, None, 10, Some(after_c)).await.unwrap();
    assert_eq!(emails(&second), ["b@example.com", "a@example.com"]);
    assert!(second.next.is_none());
    // AND a list may resume after any user it read, not only after a page
    let (_, after_d) = first.records().next().unwrap().unwrap();
    assert_eq!(emails(&users::list_newest_first(store, None, 1, Some(after_d)).await.unwrap()), ["c@example.com"]);

    // WHEN a tenant's users are listed, THEN only its members, newest first
    assert_eq!(emails(&users::list_newest_first(store, Some(&acme), 10, None).await.unwrap()), ["d@example.com", "c@example.com"]);

    // AND its members' page (the team's list) reads them oldest first, and the index counts them
    let page = team::members_page(store, &acme, 10, None).await.unwrap();
    let members: Vec<String> = page.items.iter().map(|i| i.record::<User>().unwrap().email.to_string()).collect();
    assert_eq!(members, ["c@example.com", "d@example.com"]);
    // AND a page of one resumes after its item with a cursor of the index the page reads
    let first = team::members_page(store, &acme, 1, None).await.unwrap();
    let after = Cursor::after(&first.items[0], team::MEMBERS_INDEX);
    let rest = team::members_page(store, &acme, 10, Some(after)).await.unwrap();
    assert_eq!(rest.items.iter().map(|i| i.record::<User>().unwrap().email.to_string()).collect::<Vec<_>>(), ["d@example.com"]);
    assert_eq!(team::count_members(store, &acme).await.unwrap(), 2);
    assert_eq!(team::count_members(store, &TenantId::generate(now)).await.unwrap(), 0);
}

#[tokio::test]
async fn a_tenants_page_says_more_follow_only_when_they_do() {
    // GIVEN three active tenants and a suspended one
    let (ports, clock) = common::ports();
    let store = ports.store.as_ref();
    let now = clock.now();
    let mut slugs = Vec::new();
    for slug in ["one", "two", "three"] {
        slugs.push(tenant(store, slug, TenantStatus::Active, now).await.slug);
    }
    tenant(store, "four", TenantStatus::Suspended, now).await;

    // WHEN every tenant is read two at a time, THEN newest first, and the last page has no cursor
    let (page, next) = tenants::list_page(store, None, 2, None).await.unwrap();
    assert_eq!(page.iter().map(|t| t.slug.as_str()).collect::<Vec<_>>(), ["four", "three"]);
    let (page, next) = tenants::list_page(store, None, 2, next).await.unwrap();
    assert_eq!(page.iter().map(|t| t.slug.as_str()).collect::<Vec<_>>(), ["two", "one"]);
    assert!(next.is_none(), "nothing follows the last tenant");

    // WHEN the active ones are read, THEN only they
    let (active, next) = tenants::list_page(store, Some(TenantStatus::Active), 10, None).await.unwrap();
    assert_eq!(active.iter().map(|t| t.slug.as_str()).collect::<Vec<_>>(), ["three", "two", "one"]);
    assert!(next.is_none());

    // AND a batch resumes after any tenant it read
    let batch = tenants::list_batch(store, Some(TenantStatus::Active), 10, None).await.unwrap();
    let (three, after_three) = batch.records().next().unwrap().unwrap();
    assert_eq!(three.slug, "three");
    let rest = tenants::list_batch(store, Some(TenantStatus::Active), 10, Some(after_three)).await.unwrap();
    assert_eq!(rest.records().map(|r| r.unwrap().0.slug).collect::<Vec<_>>(), ["two", "one"]);
}

#[tokio::test]
async fn pending_invitations_are_counted_at_the_clock() {
    let (ports, clock) = common::ports();
    let store = ports.store.as_ref();
    let now = clock.now();
    let acme = TenantId::generate(now);
    for (email, valid) in [("a@example.com", VALID_SECONDS), ("b@example.com", VALID_SECONDS), ("c@example.com", 60)] {
        store.transact(vec![invitations::create(&invitation(&acme, email, now, valid)).unwrap()]).await.unwrap();
    }
    assert_eq!(invitations::count_pending(store, &acme, now).await.unwrap(), 3);
    let first = invitations::list(store, Some(&acme), 1, None).await.unwrap();
    let after = Cursor::after(&first.items[0], invitations::LIST_INDEX);
    assert_eq!(invitations::list(store, Some(&acme), 10, Some(after)).await.unwrap().items.len(), 2, "the list resumes after its first");
    assert_eq!(invitations::count_pending(store, &acme, now.plus_seconds(60)).await.unwrap(), 2, "an expired one holds nothing");
}

#[tokio::test]
async fn the_invitation_checks_refuse_a_taken_address_and_a_missing_or_deleted_tenant() {
    let (ports, clock) = common::ports();
    let store = ports.store.as_ref();
    let now = clock.now();
    users::create(store, &user("taken@example.com", None, now), vec![]).await.unwrap();
    let active = tenant(store, "active", TenantStatus::Active, now).await;
    let deleted = tenant(store, "gone", TenantStatus::Deleted, now).await;
    let free = Email::parse("free@example.com").unwrap();

    store.transact(vec![users::email_unclaimed(&free), tenants::not_deleted(&active.id)]).await.unwrap();
    let taken = store.transact(vec![users::email_unclaimed(&Email::parse("taken@example.com").unwrap())]).await;
    assert!(matches!(taken, Err(StoreError::ConditionFailed { index: Some(0) })), "{taken:?}");
    for id in [deleted.id, TenantId::generate(now)] {
        let refused = store.transact(vec![users::email_unclaimed(&free), tenants::not_deleted(&id)]).await;
        assert!(matches!(refused, Err(StoreError::ConditionFailed { index: Some(1) })), "{refused:?}");
    }
}
