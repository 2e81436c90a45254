//! Tests of `store::repo::team` on the embedded store (integration tests: the adapters crate
//! implements this crate's ports, so they run from outside it).
mod common;
use domain::ids::TenantId;
use domain::invitation::{Invitation, InvitationStatus};
use domain::time::Timestamp;
use domain::user::{Role, User};
use store::ports::clock::Clock;
use store::repo::team::*;
use domain::email::Email;
use domain::ids::{InvitationId, UserId};
use domain::invitation::VALID_SECONDS;
use domain::user::UserStatus;
use store::repo::{invitations, users};

fn user(tenant: &TenantId, email: &str, role: Role, now: Timestamp) -> User {
    User {
        id: UserId::generate(now),
        email: Email::parse(email).unwrap(),
        name: "N".into(),
        role,
        tenant_id: Some(tenant.clone()),
        status: UserStatus::Active,
        email_verified: true,
        password_hash: None,
        created_at: now,
        version: 1,
        mfa: Default::default(),
    }
}

fn invitation(tenant: &TenantId, email: &str, now: Timestamp) -> Invitation {
    Invitation {
        id: InvitationId::generate(now),
        tenant_id: Some(tenant.clone()),
        email: Email::parse(email).unwrap(),
        name: None,
        role: Role::TenantMember,
        invited_by: "usr_x".into(),
        status: InvitationStatus::Pending,
        created_at: now,
        expires_at: now.plus_seconds(VALID_SECONDS),
        accepted_at: None,
        token_hash: email.into(),
        version: 1,
    }
}

#[tokio::test]
async fn a_team_is_counted_once_then_changed_only_at_its_version() {
    // GIVEN a tenant with an admin, a member and a pending invitation, and no roster yet
    let (state, clock) = common::ports();
    let store = state.store.as_ref();
    let now = clock.now();
    let tenant = TenantId::generate(now);
    users::create(store, &user(&tenant, "a@example.com", Role::TenantAdmin, now), vec![]).await.unwrap();
    users::create(store, &user(&tenant, "m@example.com", Role::TenantMember, now), vec![]).await.unwrap();
    store.transact(vec![invitations::create(&invitation(&tenant, "i@example.com", now)).unwrap()]).await.unwrap();

    // WHEN it is loaded
    let counted = load(store, &tenant, now).await.unwrap();

    // THEN it is counted from the items
    assert_eq!((counted.members, counted.admins, counted.held.len(), counted.version), (2, 1, 1, 0));
    // AND saving a change creates it once; a second writer from the same read loses
    let changed = counted.clone().remove(Role::TenantMember, now).unwrap();
    store.transact(vec![save(&changed).unwrap()]).await.unwrap();
    let racing = counted.remove(Role::TenantMember, now).unwrap();
    assert!(store.transact(vec![save(&racing).unwrap()]).await.unwrap_err().is_condition_failed());
    let stored = load(store, &tenant, now).await.unwrap();
    assert_eq!((stored.members, stored.version), (1, 1));
    let next = stored.clone().change_role(Role::TenantMember, Role::TenantAdmin, now).unwrap();
    store.transact(vec![save(&next).unwrap()]).await.unwrap();
    assert!(store.transact(vec![save(&next).unwrap()]).await.unwrap_err().is_condition_failed(), "a stale version loses");
}
