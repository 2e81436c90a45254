//! The use cases against the embedded store: the team's rules hold when requests race.
//! The racing futures share one task, so each yields at every store call and they interleave.
use web::AppState;
use web::auth::Caller;
use web::auth::caller::Via;
use domain::email::Email;
use domain::ids::{SessionId, TenantId, UserId};
use domain::user::{Role, User, UserStatus};
use domain::team::TeamRuleError;
use store::repo::tenants::{self, Tenant, TenantStatus};
use store::repo::{plans, team, users};

use super::{Origin, TeamError, invitations, members};

fn origin() -> Origin {
    Origin { ip: "192.0.2.1".into(), request_id: Some("req-1".into()) }
}

/// A tenant on the free plan (3 seats) with one admin; answers the admin as a caller.
async fn tenant(app: &AppState) -> (TenantId, Caller) {
    let now = app.clock.now();
    let plan = plans::free(app.store.as_ref(), now).await.unwrap();
    let tenant = Tenant::new(TenantId::generate(now), "Acme".into(), format!("acme-{}", UserId::generate(now)), TenantStatus::Active, plan.id, "usd".into(), now);
    app.store.transact(tenants::create(&tenant).unwrap()).await.unwrap();
    let admin = add_member(app, &tenant.id, "owner@example.com", Role::TenantAdmin).await;
    (tenant.id, caller(&admin))
}

async fn add_member(app: &AppState, tenant: &TenantId, email: &str, role: Role) -> User {
    let now = app.clock.now();
    let user = User {
        id: UserId::generate(now),
        email: Email::parse(email).unwrap(),
        name: email.into(),
        role,
        tenant_id: Some(tenant.clone()),
        status: UserStatus::Active,
        email_verified: true,
        password_hash: None,
        created_at: now,
        version: 1,
        mfa: Default::default(),
    };
    users::create(app.store.as_ref(), &user, vec![]).await.unwrap();
    user
}

fn caller(user: &User) -> Caller {
    Caller {
        user_id: user.id.clone(),
        tenant_id: user.tenant_id.clone(),
        role: user.role,
        session_id: SessionId::generate(user.created_at),
        via: Via::Bearer,
    }
}

#[tokio::test]
async fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    // GIVEN a tenant with two admins (the roster counted before either change)
    let (app, _clock) = web::testing::state();
    let (tenant, first) = tenant(&app).await;
    let second = add_member(&app, &tenant, "second@example.com", Role::TenantAdmin).await;
    let second_caller = caller(&second);

    // WHEN each demotes the other at the same moment
    let o = origin();
    let (a, b) = tokio::join!(
        members::change_role(&app, &first, &o, &second.id, Role::TenantMember),
        members::change_role(&app, &second_caller, &o, &first.user_id, Role::TenantMember),
    );

    // THEN exactly one wins; the other is refused as the last admin
    match (&a, &b) {
        (Ok(_), Err(TeamError::Rule(TeamRuleError::LastAdmin))) | (Err(TeamError::Rule(TeamRuleError::LastAdmin)), Ok(_)) => {}
        _ => panic!("exactly one demotion must win: {a:?} {b:?}"),
    }
    let roster = team::get(app.store.as_ref(), &tenant).await.unwrap().unwrap();
    assert_eq!((roster.admins, roster.members), (1, 2));
}

#[tokio::test]
async fn invitations_racing_for_the_last_seats_never_exceed_the_plan() {
    // GIVEN a tenant of one on the 3-seat free plan
    let (app, _clock) = web::testing::state();
    let (tenant, admin) = tenant(&app).await;

    // WHEN four invitations go out at once
    let o = origin();
    let results = futures::future::join_all(vec![
        invitations::create(&app, &admin, &o, "a@example.com", Role::TenantMember),
        invitations::create(&app, &admin, &o, "b@example.com", Role::TenantMember),
        invitations::create(&app, &admin, &o, "c@example.com", Role::TenantMember),
        invitations::create(&app, &admin, &o, "d@example.com", Role::TenantMember),
    ])
    .await;

    // THEN two are sent and the rest refused (seat limit, or a conflict after too many lost races)
    let sent = results.iter().filter(|r| r.is_ok()).count();
    assert!(sent <= 2, "{results:?}");
    for r in results.iter().filter(|r| r.is_err()) {
        assert!(matches!(r, Err(TeamError::Rule(TeamRuleError::SeatLimitReached { limit: 3 })) | Err(TeamError::Conflict)), "{r:?}");
    }
    let (used, limit) = invitations::seats(&app, &tenant).await.unwrap();
    assert_eq!((used, limit), (1 + sent as i64, 3));
    // AND once the races settle, the seats fill exactly to the limit
    for email in ["e@example.com", "f@example.com"] {
        let _ = invitations::create(&app, &admin, &o, email, Role::TenantMember).await;
    }
    assert_eq!(invitations::seats(&app, &tenant).await.unwrap(), (3, 3));
    let refused = invitations::create(&app, &admin, &o, "g@example.com", Role::TenantMember).await;
    assert!(matches!(refused, Err(TeamError::Rule(TeamRuleError::SeatLimitReached { limit: 3 }))), "{refused:?}");
}

#[tokio::test]
async fn a_removed_member_is_detached_disabled_and_frees_a_seat() {
    let (app, _clock) = web::testing::state();
    let (tenant, admin) = tenant(&app).await;
    let member = add_member(&app, &tenant, "m@example.com", Role::TenantMember).await;
    let removed = members::remove(&app, &admin, &origin(), &member.id).await.unwrap();
    assert_eq!((removed.tenant_id, removed.status), (None, UserStatus::Disabled));
    assert_eq!(invitations::seats(&app, &tenant).await.unwrap().0, 1);
    // Removing again: no longer a member.
    assert!(matches!(members::remove(&app, &admin, &origin(), &member.id).await, Err(TeamError::NotFound("member"))));
    // And the last admin cannot remove themself.
    let me = admin.user_id.clone();
    assert!(matches!(members::remove(&app, &admin, &origin(), &me).await, Err(TeamError::Rule(TeamRuleError::LastAdmin))));
}

#[tokio::test]
async fn a_suspended_tenant_changes_nothing() {
    let (app, _clock) = web::testing::state();
    let (tenant, admin) = tenant(&app).await;
    let record = tenants::get(app.store.as_ref(), &tenant).await.unwrap().unwrap();
    let suspended = record.suspend("unpaid".into()).unwrap();
    app.store.transact(vec![tenants::save(&suspended).unwrap()]).await.unwrap();
    let refused = invitations::create(&app, &admin, &origin(), "a@example.com", Role::TenantMember).await;
    assert!(matches!(refused, Err(TeamError::TenantNotWritable(TenantStatus::Suspended))), "{refused:?}");
}
