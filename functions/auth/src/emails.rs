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

/// Sent once when too many wrong second-factor codes lock the account's second factor: only
/// someone past the password step can send a code, so the password is known to them.
pub fn mfa_locked(to: &Email, ip: &str, minutes: i64, public_url: &str) -> OutgoingEmail {
    let url = format!("{public_url}/auth/forgot-password");
    web::emails::compose(
        to,
        "Someone has your password",
        &[
            &format!("Someone signed in with your password and then entered too many wrong two-factor codes (last from {ip})."),
            &format!("Your two-factor sign-in is locked for {minutes} minutes. If this was not you, your password is known to someone else: change it now."),
        ],
        Some(("Change my password", &url)),
    )
}

/// Sent when the password of the account changes (a reset): the owner hears of it whoever
/// changed it.
pub fn password_changed(to: &Email, at: &str, ip: &str, public_url: &str) -> OutgoingEmail {
    let url = format!("{public_url}/auth/forgot-password");
    web::emails::compose(
        to,
        "Your password was changed",
        &[
            &format!("The password of your account was changed at {at} from {ip}, and every session was signed out."),
            "If this was not you, reset your password now and contact your administrator.",
        ],
        Some(("Reset my password", &url)),
    )
}

/// Sent when two-factor authentication is turned off: the owner hears of it whoever did it.
pub fn mfa_disabled(to: &Email, at: &str, ip: &str, public_url: &str) -> OutgoingEmail {
    let url = format!("{public_url}/auth/security");
    web::emails::compose(
        to,
        "Two-factor authentication is off",
        &[
            &format!("Two-factor authentication was turned off for your account at {at} from {ip}, and its backup codes no longer work."),
            "If this was not you, reset your password now, sign out the sessions you do not recognise and turn two-factor authentication on again.",
        ],
        Some(("Review your security settings", &url)),
    )
}

/// Sent when a new set of backup codes is made: the old set stopped working.
pub fn backup_codes_regenerated(to: &Email, at: &str, ip: &str, public_url: &str) -> OutgoingEmail {
    let url = format!("{public_url}/auth/security");
    web::emails::compose(
        to,
        "New backup codes for your account",
        &[
            &format!("A new set of two-factor backup codes was made for your account at {at} from {ip}; the previous codes no longer work."),
            "If this was not you, reset your password now and sign out the sessions you do not recognise.",
        ],
        Some(("Review your security settings", &url)),
    )
}
