//! The emails this function sends: text and HTML, links built from `PUBLIC_URL` (never from
//! the request's Host header), the secret as the `token` query parameter.
use domain::email::Email;
use domain::user::Role;
use store::ports::mailer::OutgoingEmail;

fn role_name(role: Role) -> &'static str {
    match role {
        Role::PlatformAdmin => "a platform admin",
        Role::TenantAdmin => "an admin",
        Role::TenantMember => "a member",
        Role::Partner => "a partner",
    }
}

/// The invitation: who is invited where, as what, and the 7-day single-use link.
pub fn invitation(to: &Email, name: &str, role: Role, tenant: Option<&str>, public_url: &str, token: &str) -> OutgoingEmail {
    let url = format!("{public_url}/auth/accept-invitation?token={token}");
    let place = match tenant {
        Some(tenant) => format!("{tenant} on DotMac Platform"),
        None => "DotMac Platform".to_string(),
    };
    let subject = format!("You are invited to {place}");
    let invited = format!("You are invited to join {place} as {}.", role_name(role));
    web::emails::compose(
        to,
        &subject,
        &[&format!("Hi {name},"), &invited, "Accept the invitation to set up your account. The link works once, for 7 days."],
        Some(("Accept the invitation", &url)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invitation_links_to_the_acceptance_page_with_the_token_and_escapes_names() {
        let to = Email::parse("grace@example.com").unwrap();
        let mail = invitation(&to, "Grace <b>", Role::TenantMember, Some("Acme & Co"), "https://app.example", "s3cret");
        assert!(mail.text.contains("https://app.example/auth/accept-invitation?token=s3cret"));
        assert!(mail.html.contains("Grace &lt;b&gt;") && mail.html.contains("Acme &amp; Co"));
        assert_eq!(mail.subject, "You are invited to Acme & Co on DotMac Platform");
    }
}
