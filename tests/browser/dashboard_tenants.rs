//! The platform admin's tenant pages in a real headless Chromium: sign in, create a tenant
//! with the form, watch it provision (the jobs run through `POST /dev/jobs/run`), then suspend,
//! delete (with the retention countdown) and restore it, each after its confirmation step, and
//! look at the usage, settings and billing tabs. Screenshots: `dashboard-tenants-*.png`.
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use journeys::TestApp;

use crate::{click, fill, screenshot, try_page_text, wait_for};

const ADMIN_EMAIL: &str = "admin@dotmac.local";
const ADMIN_PASSWORD: &str = "admin-password-for-tests";

/// Waits until the page's path starts with `prefix` and its text shows `needle`; answers the
/// path and the text. (A new tenant's address holds an id the test does not know in advance.)
async fn wait_for_prefix(c: &Client, prefix: &str, needle: &str) -> (String, String) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let path = c.current_url().await.map(|u| u.path().to_string()).unwrap_or_default();
        let text = try_page_text(c).await.unwrap_or_default();
        if path.starts_with(prefix) && text.contains(needle) {
            return (path, text);
        }
        assert!(Instant::now() < deadline, "expected {prefix}… showing {needle:?}; on {path}: {text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn run_jobs(app: &TestApp) {
    let reply = reqwest::Client::new().post(format!("{}/dev/jobs/run", app.base_url)).json(&serde_json::json!({})).send().await.expect("jobs run");
    assert_eq!(reply.status().as_u16(), 200);
}

/// The (whole-page) screenshot of a tall page: the window grows to the document first.
async fn full_screenshot(c: &Client, name: &str) {
    let height = c
        .execute("return Math.ceil(document.documentElement.scrollHeight + window.outerHeight - window.innerHeight)", vec![])
        .await
        .ok()
        .and_then(|v| v.as_u64())
        .unwrap_or(900)
        .clamp(600, 2400);
    c.set_window_size(1280, height as u32).await.expect("window size");
    screenshot(c, name).await;
    c.set_window_size(1280, 900).await.expect("window size");
}

async fn journey(c: &Client, app: &TestApp) {
    c.set_window_size(1280, 900).await.expect("desktop window");

    // GIVEN the seeded platform admin signs in on the way to the tenants
    c.goto(&app.url("/dashboard/tenants")).await.expect("tenants page");
    wait_for(c, "/auth/login", "Sign in").await;
    fill(c, "input[name=email]", ADMIN_EMAIL).await;
    fill(c, "input[name=password]", ADMIN_PASSWORD).await;
    click(c, "form[action='/auth/login'] button[type=submit]").await;
    wait_for(c, "/dashboard/tenants", "No tenants yet.").await;

    // AND the dashboard links to them
    c.goto(&app.url("/dashboard")).await.expect("dashboard");
    wait_for(c, "/dashboard", "Platform dashboard").await;
    screenshot(c, "dashboard-tenants-01-dashboard").await;
    click(c, "a[href='/dashboard/tenants']").await;
    wait_for(c, "/dashboard/tenants", "Create tenant").await;
    full_screenshot(c, "dashboard-tenants-02-empty-list").await;

    // WHEN a tenant is created with the form
    fill(c, "#create input[name=name]", "Northwind Traders").await;
    fill(c, "#create input[name=slug]", "northwind").await;
    fill(c, "#create input[name=admin_email]", "it@northwind.example").await;
    let plan = c.find(Locator::Css("#create select[name=plan_id] option:checked")).await.expect("a plan is chosen").text().await.expect("plan");
    assert!(plan.starts_with("Free"), "{plan}");
    click(c, "#create button[type=submit]").await;

    // THEN its page shows it provisioning, with a drawn progress bar
    let (path, text) = wait_for_prefix(c, "/dashboard/tenants/ten_", "0 of 4 steps done").await;
    assert!(text.contains("Tenant created.") && text.contains("Provisioning"), "{text}");
    c.find(Locator::Css("svg.bar[role=img]")).await.expect("the progress bar is a picture");
    full_screenshot(c, "dashboard-tenants-03-provisioning").await;

    // WHEN the jobs run and the page is reloaded, it is active
    run_jobs(app).await;
    c.find(Locator::LinkText("Reload")).await.expect("a reload link").click().await.expect("reload");
    let text = wait_for(c, &path, "Lifecycle").await;
    assert!(text.contains("Active") && !text.contains("steps done"), "{text}");
    full_screenshot(c, "dashboard-tenants-04-active").await;

    // WHEN it is suspended: the button opens the confirmation step, whose button suspends
    click(c, "a[href$='confirm=suspend#confirm']").await;
    wait_for(c, &path, "Suspend Northwind Traders?").await;
    fill(c, "#confirm input[name=reason]", "Unpaid invoices since October").await;
    screenshot(c, "dashboard-tenants-05-suspend-confirm").await;
    click(c, "#confirm button[type=submit]").await;
    let text = wait_for(c, &path, "Tenant suspended.").await;
    assert!(text.contains("Suspended: Unpaid invoices since October"), "{text}");
    screenshot(c, "dashboard-tenants-06-suspended").await;

    // WHEN it is deleted after its confirmation step
    click(c, "a[href$='confirm=delete#confirm']").await;
    wait_for(c, &path, "Delete Northwind Traders?").await;
    screenshot(c, "dashboard-tenants-07-delete-confirm").await;
    click(c, "#confirm button[type=submit]").await;

    // THEN the page counts down to its purge, and restore is offered until then
    let text = wait_for(c, &path, "Purged in 30 days, on ").await;
    assert!(text.contains("Restore is available until then") && text.contains("Restore…"), "{text}");
    let countdown = c.find(Locator::Css("#retention")).await.expect("the countdown").text().await.expect("its text");
    assert!(countdown.contains("UTC"), "{countdown}");
    screenshot(c, "dashboard-tenants-08-deleted-countdown").await;

    // AND the list shows it deleted when filtered so
    c.goto(&app.url("/dashboard/tenants?status=deleted")).await.expect("deleted tenants");
    wait_for(c, "/dashboard/tenants", "purged in 30 days").await;
    screenshot(c, "dashboard-tenants-09-list-deleted").await;

    // WHEN it is restored after its confirmation step
    c.goto(&app.url(&path)).await.expect("tenant page");
    wait_for(c, &path, "Restore…").await;
    click(c, "a[href$='confirm=restore#confirm']").await;
    wait_for(c, &path, "Restore Northwind Traders?").await;
    screenshot(c, "dashboard-tenants-10-restore-confirm").await;
    click(c, "#confirm button[type=submit]").await;
    let text = wait_for(c, &path, "Tenant restored").await;
    assert!(!text.contains("Purged in"), "{text}");
    screenshot(c, "dashboard-tenants-11-restored").await;

    // AND the other tabs: usage (a bar of seats), settings (name, retention), billing
    click(c, "a[href$='?tab=usage']").await;
    wait_for(c, &path, "1 of 3 seats used").await;
    c.find(Locator::Css("svg.bar[role=img]")).await.expect("the seats bar is a picture");
    screenshot(c, "dashboard-tenants-12-usage").await;
    click(c, "a[href$='?tab=settings']").await;
    wait_for(c, &path, "Retention (days)").await;
    let name = c.find(Locator::Css("input[name=name]")).await.expect("name field");
    name.clear().await.expect("clear");
    name.send_keys("Northwind Traders Ltd").await.expect("type");
    click(c, "fieldset button[type=submit]").await;
    wait_for(c, &path, "Changes saved.").await;
    full_screenshot(c, "dashboard-tenants-13-settings").await;
    click(c, "a[href$='?tab=billing']").await;
    wait_for(c, &path, "Billing comes with the billing work").await;
    screenshot(c, "dashboard-tenants-14-billing").await;

    // AND the list and a tenant fit a phone's screen
    c.goto(&app.url("/dashboard/tenants")).await.expect("tenants");
    wait_for(c, "/dashboard/tenants", "Northwind Traders Ltd").await;
    full_screenshot(c, "dashboard-tenants-15-list").await;
    c.set_window_size(390, 844).await.expect("phone-sized window");
    c.goto(&app.url("/dashboard/tenants")).await.expect("tenants");
    wait_for(c, "/dashboard/tenants", "Northwind Traders Ltd").await;
    screenshot(c, "dashboard-tenants-16-phone-list").await;
    c.goto(&app.url(&path)).await.expect("tenant page");
    wait_for(c, &path, "Lifecycle").await;
    let overflow = c.execute("return document.documentElement.scrollWidth > window.innerWidth", vec![]).await.expect("widths");
    assert_eq!(overflow, serde_json::json!(false), "the tenant page fits a phone's width");
    screenshot(c, "dashboard-tenants-17-phone-tenant").await;
}

#[tokio::test]
async fn a_platform_admin_creates_provisions_suspends_deletes_and_restores_a_tenant_in_a_real_browser() {
    crate::with_browser(|c, app| async move { journey(&c, &app).await }).await
}
