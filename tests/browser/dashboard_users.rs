//! The platform admins' user pages in a real browser: the seeded admin signs in, opens the
//! user list from the dashboard, searches, invites someone (first getting the form wrong),
//! opens a user's page, disables them through the confirm step, and filters their own
//! activity. Screenshots: `target/screenshots/dashboard-users-*.png`.
use fantoccini::{Client, Locator};
use journeys::TestApp;
use domain::email::Email;
use domain::ids::{TenantId, UserId};
use domain::user::{Role, UserStatus};

use crate::{PASSWORD, click, fill, screenshot, wait_for};

const ADMIN_EMAIL: &str = "admin@dotmac.local";
const ADMIN_PASSWORD: &str = "admin-password-for-tests";

/// A verified user made directly in the store (as an accepted invitation would make it).
async fn user_in_store(app: &TestApp, name: &str, email: &str, role: Role, tenant: Option<&TenantId>) -> UserId {
    app.user_in_store(name, email, PASSWORD, role, tenant).await
}

async fn rows(c: &Client) -> usize {
    c.find_all(Locator::Css("tbody tr")).await.expect("rows").len()
}

async fn journey(c: Client, app: TestApp) {
    // GIVEN a tenant with its admin and a member, and a partner
    let mut ada = app.signed_up("ada@engines.example", PASSWORD).await;
    let engines = ada.get(&app, "/api/v1/me").await.json()["tenant_id"].as_str().unwrap().to_string();
    let engines = TenantId::parse(&engines).unwrap();
    let charles = user_in_store(&app, "Charles Babbage", "charles@engines.example", Role::TenantMember, Some(&engines)).await;
    user_in_store(&app, "Alan Turing", "alan@partners.example", Role::Partner, None).await;

    // WHEN the seeded admin signs in, the dashboard links to the users
    c.goto(&app.url("/auth/login")).await.expect("login page");
    fill(&c, "input[name=email]", ADMIN_EMAIL).await;
    fill(&c, "input[name=password]", ADMIN_PASSWORD).await;
    click(&c, "form[action='/auth/login'] button[type=submit]").await;
    wait_for(&c, "/dashboard", "Platform dashboard").await;
    screenshot(&c, "dashboard-users-01-dashboard").await;
    click(&c, "a[href='/dashboard/users']").await;

    // THEN the list shows everyone
    let text = wait_for(&c, "/dashboard/users", "Everyone with a DotMac account").await;
    for email in [ADMIN_EMAIL, "ada@engines.example", "charles@engines.example", "alan@partners.example"] {
        assert!(text.contains(email), "{email}: {text}");
    }
    assert_eq!(rows(&c).await, 4);
    screenshot(&c, "dashboard-users-02-list").await;

    // WHEN the admin searches, only the match is left, the search kept in its box
    fill(&c, "input[name=q]", "babb").await;
    click(&c, "form[role=search] button[type=submit]").await;
    let text = wait_for(&c, "/dashboard/users", "charles@engines.example").await;
    assert!(!text.contains("ada@engines.example"), "{text}");
    assert_eq!(rows(&c).await, 1);
    screenshot(&c, "dashboard-users-03-search").await;

    // WHEN the admin invites someone to a tenant but forgets the organization
    click(&c, "a[href='/dashboard/users']").await;
    wait_for(&c, "/dashboard/users", "Alan Turing").await;
    click(&c, "details#invite summary").await;
    fill(&c, "details#invite input[name=email]", "grace@engines.example").await;
    fill(&c, "details#invite input[name=name]", "Grace Hopper").await;
    c.find(Locator::Css("details#invite select[name=role]")).await.expect("role").select_by_value("tenant_member").await.expect("select");
    screenshot(&c, "dashboard-users-04-invite-form").await;
    click(&c, "details#invite button[type=submit]").await;
    // THEN the form comes back open, with the problem at the field and the values kept
    wait_for(&c, "/dashboard/users", "Organization ID is required for an organization role").await;
    let kept = c.find(Locator::Css("details#invite input[name=email]")).await.expect("email").prop("value").await.expect("value");
    assert_eq!(kept.as_deref(), Some("grace@engines.example"));
    screenshot(&c, "dashboard-users-05-invite-error").await;
    // AND with the organization's ID it is sent, and the email is in the mailbox
    fill(&c, "details#invite input[name=tenant_id]", engines.as_str()).await;
    click(&c, "details#invite button[type=submit]").await;
    wait_for(&c, "/dashboard/users", "Invitation sent.").await;
    screenshot(&c, "dashboard-users-06-invited").await;
    let mail = app.last_email_to("grace@engines.example").await;
    assert!(mail["links"][0].as_str().unwrap().contains("/auth/accept-invitation?token="), "{mail}");

    // WHEN the admin opens Charles's page from the list
    click(&c, &format!("td a[href='/dashboard/users/{charles}']")).await;
    let path = format!("/dashboard/users/{charles}");
    let text = wait_for(&c, &path, "Activity").await;
    assert!(text.contains("Organization member") && text.contains("Analytical Engines"), "{text}");
    screenshot(&c, "dashboard-users-07-user").await;

    // AND disables him: first the confirm step, then the button
    click(&c, "a[href$='?confirm=disable#confirm']").await;
    wait_for(&c, &path, "Disable Charles Babbage (charles@engines.example)?").await;
    screenshot(&c, "dashboard-users-08-confirm-disable").await;
    click(&c, "#confirm button[type=submit]").await;
    // THEN the page says so and the account is disabled
    let text = wait_for(&c, &path, "User disabled.").await;
    assert!(text.contains("Disabled: cannot sign in"), "{text}");
    screenshot(&c, "dashboard-users-09-disabled").await;
    let stored = store::repo::users::get(app.platform.state.store.as_ref(), &charles).await.unwrap().unwrap();
    assert_eq!(stored.status, UserStatus::Disabled);

    // WHEN the admin opens their own page from the list and filters their activity to disables
    let store = app.platform.state.store.as_ref();
    let admin = store::repo::users::find_by_email(store, &Email::parse(ADMIN_EMAIL).unwrap()).await.unwrap().unwrap();
    let own = format!("/dashboard/users/{}", admin.id);
    click(&c, "a[href='/dashboard/users']").await;
    wait_for(&c, "/dashboard/users", "Alan Turing").await;
    click(&c, &format!("td a[href='{own}']")).await;
    let text = wait_for(&c, &own, "Activity").await;
    assert!(text.contains("You cannot change your own role"), "{text}");
    fill(&c, "#t-action", "user.disabled").await;
    click(&c, "#activity form button[type=submit]").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !c.current_url().await.is_ok_and(|u| u.query().is_some_and(|q| q.contains("action=user.disabled"))) {
        assert!(std::time::Instant::now() < deadline, "the filter was not applied");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // THEN only the disable is listed, pointing at Charles
    let table = c.find(Locator::Css("#activity tbody")).await.expect("activity table").text().await.expect("text");
    assert!(table.contains("user.disabled") && !table.contains("user.invited"), "{table}");
    assert_eq!(rows(&c).await, 1);
    c.set_window_size(1280, 1400).await.expect("tall window");
    screenshot(&c, "dashboard-users-10-activity").await;

    // AND the list fits a phone's screen
    c.set_window_size(390, 844).await.expect("phone-sized window");
    c.goto(&app.url("/dashboard/users")).await.expect("list");
    wait_for(&c, "/dashboard/users", "Alan Turing").await;
    screenshot(&c, "dashboard-users-11-list-phone").await;
}

#[tokio::test]
async fn a_platform_admin_searches_invites_and_disables_a_user_in_a_real_browser() {
    crate::with_browser(|c, app| async move { journey(c, app).await }).await
}
