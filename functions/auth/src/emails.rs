//! The emails the auth function sends: text and HTML, links built from `PUBLIC_URL`
//! (never from the request's Host header), the secret as the `token` query parameter.
use domain::email::Email;
use store::ports::mailer::OutgoingEmail;

pub fn verification(to: &Email, name: &str, public_url: &str, token: &str) -> OutgoingEmail {
    let url = format!("{public_url}/auth/verify-email?token={token}");
    web::emails::compose(
        to,
        "Verify your email address",
        &[&format!("Hi {name},"), "Confirm your email address to finish signing up. The link works once, for 24 hours."],
        Some(("Verify my email", &url)),
    )
}

pub fn password_reset(to: &Email, public_url: &str, token: &str) -> OutgoingEmail {
    let url = format!("{public_url}/auth/reset-password?token={token}");
    web::emails::compose(
        to,
        "Reset your password",
        &["Someone asked to reset the password of this account. If it was you, choose a new password; the link works once, for one hour. If it was not, ignore this email."],
        Some(("Choose a new password", &url)),
    )
}

pub fn new_sign_in(to: &Email, ip: &str, user_agent: &str, at: &str, public_url: &str) -> OutgoingEmail {
    let url = format!("{public_url}/auth/security");
    web::emails::compose(
        to,
        "New sign-in to your account",
        &[&format!("Your account was signed in to at {at} from {ip} ({user_agent})."), "If this was not you, reset your password and end the session from your security page."],
        Some(("Review your sessions", &url)),
    )
}

pub fn mfa_enabled(to: &Email, public_url: &str) -> OutgoingEmail {
    let url = format!("{public_url}/auth/security");
    web::emails::compose(
        to,
        "Two-factor authentication is on",
        &["Two-factor authentication was turned on for your account. Keep your backup codes somewhere safe.", "If this was not you, reset your password now."],
        Some(("Review your security settings", &url)),
    )
}
