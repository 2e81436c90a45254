//! Browser journeys: the sign-in pages driven by a real headless Chromium through
//! chromedriver (WebDriver), against the whole platform on an ephemeral port. What a person
//! does: sign up, open the emailed link, confirm, land signed in; sign out and in again; turn
//! on two-factor authentication and sign in with a backup code.
//!
//! Needs `chromium` and `chromium-driver` (Debian packages; `infra/test` installs them). The
//! binaries may be overridden with `DOTMAC_CHROMIUM` and `DOTMAC_CHROMEDRIVER`. Screenshots of
//! every page land in `target/screenshots/` for people to look at.
mod dashboard_tenants;
mod dashboard_users;
mod driver;
mod portal_team;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use journeys::{TestApp, spawn_app};
use domain::totp;

pub(crate) const PASSWORD: &str = "correct horse battery staple";
const NAME: &str = "Ada Lovelace";
const EMAIL: &str = "ada@engines.example";
/// The test configuration's public URL, the base of every emailed link.
pub(crate) const PUBLIC_URL: &str = "http://127.0.0.1:8080";

pub(crate) fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")));
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

pub(crate) async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(screenshot_dir().join(format!("{name}.png")), png).expect("write screenshot");
}

/// Waits (up to 20 s: the machine may be busy building) until the browser shows `path` with
/// `needle` in the page's text, and answers that text. Waiting for the text, not only the
/// address, matters: a form re-rendered by its own POST keeps the address it had.
pub(crate) async fn wait_for(c: &Client, path: &str, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        // Either read can fail while a navigation is under way; that is "not yet".
        let url = c.current_url().await.map(|u| u.to_string()).unwrap_or_default();
        let on_path = c.current_url().await.is_ok_and(|u| u.path() == path);
        let text = try_page_text(c).await.unwrap_or_default();
        if on_path && text.contains(needle) {
            return text;
        }
        assert!(Instant::now() < deadline, "expected {path} showing {needle:?}; on {url}: {text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(crate) async fn try_page_text(c: &Client) -> Result<String, fantoccini::error::CmdError> {
    c.find(Locator::Css("body")).await?.text().await
}

pub(crate) async fn fill(c: &Client, css: &str, text: &str) {
    let input = c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}"));
    input.send_keys(text).await.expect("typing");
}

pub(crate) async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}")).click().await.expect("click");
}

/// The verification link of the newest email to `to`, read from `GET /dev/mailbox` and
/// pointed at this app (emails carry the configured public URL, not the ephemeral port).
pub(crate) async fn verify_link(app: &TestApp, to: &str) -> String {
    let mailbox = app.get("/dev/mailbox").await.json();
    let mail = mailbox["data"]
        .as_array()
        .and_then(|mails| mails.iter().find(|m| m["to"] == to))
        .unwrap_or_else(|| panic!("no email to {to}: {mailbox}"));
    let link = mail["links"][0].as_str().unwrap_or_else(|| panic!("no link in {mail}"));
    assert!(link.starts_with(&format!("{PUBLIC_URL}/auth/verify-email?token=")), "{link}");
    link.replacen(PUBLIC_URL, &app.base_url, 1)
}

pub(crate) async fn sign_in(c: &Client, app: &TestApp, password: &str) {
    c.goto(&app.url("/auth/login")).await.expect("login page");
    fill(c, "input[name=email]", EMAIL).await;
    fill(c, "input[name=password]", password).await;
    click(c, "form[action='/auth/login'] button[type=submit]").await;
}

pub(crate) async fn sign_out(c: &Client) {
    click(c, "form[action='/auth/logout'] button").await;
    wait_for(c, "/auth/login", "Sign in").await;
}

async fn journey(c: &Client, app: &TestApp) {
    // GIVEN the sign-up page
    c.goto(&app.url("/auth/signup")).await.expect("signup page");
    wait_for(c, "/auth/signup", "Create your account").await;
    fill(c, "input[name=name]", NAME).await;
    fill(c, "input[name=organization]", "Analytical Engines").await;
    fill(c, "input[name=email]", EMAIL).await;
    fill(c, "input[name=password]", PASSWORD).await;
    screenshot(c, "01-signup").await;

    // WHEN it is submitted, the page says where the link went
    click(c, "form[action='/auth/signup'] button[type=submit]").await;
    let text = wait_for(c, "/auth/signup", "Check your inbox").await;
    assert!(text.contains(EMAIL), "{text}");
    screenshot(c, "02-check-inbox").await;

    // AND the emailed link shows a button, which confirms and signs in
    c.goto(&verify_link(app, EMAIL).await).await.expect("verify page");
    wait_for(c, "/auth/verify-email", "Confirm your email address").await;
    screenshot(c, "03-confirm-email").await;
    click(c, "form[action='/auth/verify-email'] button").await;
    wait_for(c, "/portal", &format!("Signed in as {NAME} ({EMAIL})")).await;
    screenshot(c, "04-portal").await;

    // THEN the session cookies are set, Secure, and Chromium keeps them on http://127.0.0.1
    // (a potentially trustworthy origin).
    let cookies = c.get_all_cookies().await.expect("cookies");
    for name in ["dm_access", "dm_csrf"] {
        let cookie = cookies.iter().find(|k| k.name() == name).unwrap_or_else(|| panic!("{name} missing: {cookies:?}"));
        assert_eq!(cookie.secure(), Some(true), "{name} is Secure");
    }
    let access = cookies.iter().find(|k| k.name() == "dm_access").expect("dm_access");
    assert_eq!(access.http_only(), Some(true), "dm_access is HttpOnly");

    // AND the security page lists this device's session
    c.goto(&app.url("/auth/security")).await.expect("security page");
    let text = wait_for(c, "/auth/security", "This device").await;
    assert!(text.contains("Two-factor authentication"), "{text}");
    screenshot(c, "05-security").await;

    // WHEN the user signs out, the portal asks for a sign-in again
    sign_out(c).await;
    c.goto(&app.url("/portal")).await.expect("portal");
    wait_for(c, "/auth/login", "Please sign in to continue").await;
    screenshot(c, "06-signed-out").await;

    // AND a wrong password is refused on the page itself
    sign_in(c, app, "not the password at all").await;
    wait_for(c, "/auth/login", "The email address or password is wrong.").await;
    screenshot(c, "07-login-error").await;

    // AND the right one lands on the portal again
    sign_in(c, app, PASSWORD).await;
    wait_for(c, "/portal", NAME).await;
    screenshot(c, "08-portal-again").await;

    // WHEN two-factor authentication is turned on from the security page
    c.goto(&app.url("/auth/security")).await.expect("security page");
    wait_for(c, "/auth/security", "Turn on two-factor authentication").await;
    fill(c, "form[action='/auth/security/mfa/start'] input[name=password]", PASSWORD).await;
    click(c, "form[action='/auth/security/mfa/start'] button").await;
    wait_for(c, "/auth/security/mfa/start", "Scan this QR code").await;
    c.find(Locator::Css(".qr svg")).await.expect("an inline QR code");
    screenshot(c, "09-mfa-setup").await;
    let key: String = c.find(Locator::Css(".secret")).await.expect("key").text().await.expect("key text").split_whitespace().collect();
    let secret = totp::TotpSecret::from_base32(&key).expect("a base32 key");
    let code = totp::code_at(secret.as_bytes(), app.platform.state.clock.now().unix(), 30, 6);
    fill(c, "input[name=code]", &code).await;
    fill(c, "form[action='/auth/security/mfa/confirm'] input[name=password]", PASSWORD).await;
    click(c, "form[action='/auth/security/mfa/confirm'] button").await;
    wait_for(c, "/auth/security/mfa/confirm", "Save these backup codes now").await;
    let codes = c.find_all(Locator::Css(".codes li")).await.expect("codes");
    assert_eq!(codes.len(), 10, "ten backup codes");
    let backup = codes[0].text().await.expect("a code");
    screenshot(c, "10-backup-codes").await;

    // THEN signing in asks for the second step, and a backup code (behind <details>) works
    c.goto(&app.url("/portal")).await.expect("portal");
    wait_for(c, "/portal", NAME).await;
    sign_out(c).await;
    sign_in(c, app, PASSWORD).await;
    wait_for(c, "/auth/login", "Enter the 6-digit code").await;
    click(c, "details summary").await;
    screenshot(c, "11-mfa-step").await;
    fill(c, "details input[name=backup_code]", &backup).await;
    click(c, "details button[type=submit]").await;
    wait_for(c, "/portal", NAME).await;
    let two_factor = c.find(Locator::XPath("//dt[.='Two-factor']/following-sibling::dd[1]")).await.expect("2FA state");
    assert_eq!(two_factor.text().await.expect("2FA text"), "On");

    // (a tall window: the whole page in one picture)
    c.set_window_size(1280, 1500).await.expect("tall window");
    c.goto(&app.url("/auth/security")).await.expect("security page");
    wait_for(c, "/auth/security", "Regenerate backup codes").await;
    screenshot(c, "12-security-2fa-on").await;

    // AND another role's portal is a polite 403, not a redirect loop
    c.set_window_size(1280, 900).await.expect("desktop window");
    c.goto(&app.url("/dashboard")).await.expect("dashboard");
    wait_for(c, "/dashboard", "Not available to your account").await;
    screenshot(c, "13-wrong-role").await;

    // AND the pages fit a phone's screen
    c.set_window_size(390, 844).await.expect("phone-sized window");
    c.goto(&app.url("/auth/security")).await.expect("security page");
    wait_for(c, "/auth/security", "This device").await;
    screenshot(c, "14-security-phone").await;
    sign_out(c).await;
    screenshot(c, "15-login-phone").await;

    // AND a used or made-up link explains itself and offers a new one
    c.set_window_size(1280, 900).await.expect("desktop window");
    c.goto(&app.url("/auth/verify-email?token=made-up")).await.expect("verify page");
    wait_for(c, "/auth/verify-email", "Confirm your email address").await;
    click(c, "form[action='/auth/verify-email'] button").await;
    wait_for(c, "/auth/verify-email", "invalid, has expired or was already used").await;
    screenshot(c, "16-dead-link").await;
}

#[tokio::test]
async fn a_person_signs_up_confirms_signs_out_and_in_and_uses_a_backup_code_in_a_real_browser() {
    with_browser(|c, app| async move { journey(&c, &app).await }).await;
}

/// Runs `journey` with a fresh platform and browser, closing the browser before chromedriver
/// stops whatever happens (a killed driver would leave Chromium running).
pub(crate) async fn with_browser<F, Fut>(journey: F)
where
    F: FnOnce(Client, TestApp) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    // One browser at a time: on a 2-core machine parallel Chromiums only make each other slow
    // enough to hit the waits' deadlines.
    static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    let profile = tempfile::tempdir().expect("profile dir");
    let chromedriver = driver::Chromedriver::start(profile.path()).await;
    let browser = driver::Chromedriver::browser(&chromedriver, &profile.path().join("chromium")).await;
    let outcome = tokio::spawn(journey(browser.clone(), app)).await;
    let _ = browser.close().await;
    drop(chromedriver);
    if let Err(e) = outcome {
        match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(e) => panic!("the journey did not finish: {e}"),
        }
    }
}
