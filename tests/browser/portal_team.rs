//! The tenant admin's team page in a real headless Chromium: sign in, invite a member with
//! the form, see the invitation, and once it is accepted change the member's role and remove
//! them after the confirm step. Screenshots: `portal-team-*.png`.
use fantoccini::{Client, Locator};
use journeys::TestApp;
use serde_json::json;

use crate::{PASSWORD, click, fill, screenshot, wait_for};

const OWNER: &str = "owner@team.example";
const MEMBER: &str = "marge@team.example";

async fn journey(c: &Client, app: &TestApp) {
    c.set_window_size(1280, 1000).await.expect("desktop window");
    // GIVEN a signed-up tenant admin who signs in on the way to the team page
    app.signed_up(OWNER, PASSWORD).await;
    c.goto(&app.url("/portal/team")).await.expect("team page");
    wait_for(c, "/auth/login", "Sign in").await;
    fill(c, "input[name=email]", OWNER).await;
    fill(c, "input[name=password]", PASSWORD).await;
    click(c, "form[action='/auth/login'] button[type=submit]").await;
    wait_for(c, "/portal/team", "seats used").await;
    screenshot(c, "portal-team-01-alone").await;

    // WHEN they invite a member with the form
    fill(c, "input[name=email]", MEMBER).await;
    click(c, "form[novalidate] button[type=submit]").await;
    let text = wait_for(c, "/portal/team", "Invitation sent").await;
    assert!(text.contains(MEMBER), "the invitation is listed: {text}");
    screenshot(c, "portal-team-02-invited").await;

    // AND the member accepts the emailed link
    let token = app.token_from_email(MEMBER).await;
    let accepted = app.post_json("/api/v1/invitations/accept", &json!({"token": token, "name": "Marge", "password": PASSWORD})).await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    c.goto(&app.url("/portal/team")).await.expect("team page");
    wait_for(c, "/portal/team", "Marge").await;

    // THEN the admin makes Marge an admin too...
    let marge_form = c
        .find(Locator::XPath("//tr[contains(., 'Marge')]//form[.//select[@name='role']]"))
        .await
        .expect("Marge's role form");
    marge_form.find(Locator::Css("select[name=role]")).await.expect("select").select_by_value("tenant_admin").await.expect("choose");
    marge_form.find(Locator::Css("button[type=submit]")).await.expect("save").click().await.expect("click");
    wait_for(c, "/portal/team", "Role changed").await;
    screenshot(c, "portal-team-03-role-changed").await;

    // ...and removes her after the confirm step
    c.find(Locator::XPath("//tr[contains(., 'Marge')]//a[contains(@href, 'remove=')]"))
        .await
        .expect("Marge's remove link")
        .click()
        .await
        .expect("click");
    wait_for(c, "/portal/team", "Remove Marge").await;
    screenshot(c, "portal-team-04-confirm-remove").await;
    c.find(Locator::XPath("//button[contains(., 'Remove Marge')]")).await.expect("confirm").click().await.expect("click");
    wait_for(c, "/portal/team", "Member removed").await;
    let rows = c.find_all(Locator::XPath("//tr[contains(., 'Marge')][.//select[@name='role'] or .//a[contains(@href, 'remove=')]]")).await.expect("rows");
    assert!(rows.is_empty(), "Marge is no longer a member row");
    screenshot(c, "portal-team-05-removed").await;
    let login = app.post_json("/api/v1/auth/login", &json!({"email": MEMBER, "password": PASSWORD})).await;
    assert_ne!(login.status, 200, "a removed member cannot sign in");

    // AND the organization's activity shows what happened, filterable by action
    c.goto(&app.url("/portal/activity")).await.expect("activity page");
    let text = wait_for(c, "/portal/activity", "member.removed").await;
    for action in ["invitation.created", "invitation.accepted", "member.role_changed", "user.signup"] {
        assert!(text.contains(action), "{action} in the trail: {text}");
    }
    screenshot(c, "portal-team-06-activity").await;
    fill(c, "input[name=action]", "member.role_changed").await;
    click(c, "form[action='/portal/activity'] button[type=submit]").await;
    let text = wait_for(c, "/portal/activity", "member.role_changed").await;
    assert!(!text.contains("member.removed"), "the filter narrows the trail: {text}");
}

#[tokio::test]
async fn a_tenant_admin_invites_promotes_and_removes_a_member_in_a_real_browser() {
    crate::with_browser(|c, app| async move { journey(&c, &app).await }).await;
}
