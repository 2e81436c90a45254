//! The emails the auth function sends: text and HTML, links built from `PUBLIC_URL`
//! (never from the request's Host header), the secret as the `token` query parameter.
use shared::domain::email::Email;
use shared::ports::mailer::OutgoingEmail;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// An email in the platform's one format: `lines` as paragraphs, then the link, if any, as a
/// button and as text (the team function's invitations use it too).
pub fn email(to: &Email, subject: &str, lines: &[&str], link: Option<(&str, &str)>) -> OutgoingEmail {
    let mut text = lines.join("\n\n");
    let mut html = lines.iter().map(|l| format!("<p>{}</p>", escape(l))).collect::<String>();
    if let Some((label, url)) = link {
        text = format!("{text}\n\n{label}: {url}\n");
        html = format!(r#"{html}<p><a href="{0}">{1}</a></p><p style="color:#57606a">Or paste this link: {0}</p>"#, escape(url), escape(label));
    }
    text += "\n\n— DotMac Platform";
    OutgoingEmail {
        to: to.clone(),
        subject: subject.into(),
        text,
        html: format!(r#"<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1b1f24">{html}<p>— DotMac Platform</p></body></html>"#),
    }
}

pub fn verification(to: &Email, name: &str, public_url: &str, token: &str) -> OutgoingEmail {
    let url = format!("{public_url}/auth/verify-email?token={token}");
    email(
        to,
        "Verify your email address",
        &[&format!("Hi {name},"), "Confirm your email address to finish signing up. The link works once, for 24 hours."],
        Some(("Verify my email", &url)),
    )
}

pub fn password_reset(to: &Email, public_url: &str, token: &str) -> OutgoingEmail {
    let url = format!("{public_url}/auth/reset-password?token={token}");
    email(
        to,
        "Reset your password",
        &["Someone asked to reset the password of this account. If it was you, choose a new password; the link works once, for one hour. If it was not, ignore this email."],
        Some(("Choose a new password", &url)),
    )
}

pub fn new_sign_in(to: &Email, ip: &str, user_agent: &str, at: &str, public_url: &str) -> OutgoingEmail {
    let url = format!("{public_url}/auth/security");
    email(
        to,
        "New sign-in to your account",
        &[&format!("Your account was signed in to at {at} from {ip} ({user_agent})."), "If this was not you, reset your password and end the session from your security page."],
        Some(("Review your sessions", &url)),
    )
}

pub fn mfa_enabled(to: &Email, public_url: &str) -> OutgoingEmail {
    let url = format!("{public_url}/auth/security");
    email(
        to,
        "Two-factor authentication is on",
        &["Two-factor authentication was turned on for your account. Keep your backup codes somewhere safe.", "If this was not you, reset your password now."],
        Some(("Review your security settings", &url)),
    )
}
