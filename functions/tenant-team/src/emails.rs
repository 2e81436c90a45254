//! The email the team function sends: the invitation, in the platform's one email format
//! (`auth::emails::email`), its link built from `PUBLIC_URL` (never from the request's Host
//! header) with the secret as the `token` query parameter of the accept page.
use domain::email::Email;
use domain::user::Role;
use store::ports::mailer::OutgoingEmail;

pub fn invitation(to: &Email, inviter: &str, organization: &str, role: Role, public_url: &str, token: &str) -> OutgoingEmail {
    let url = format!("{public_url}/auth/accept-invitation?token={token}");
    let role = web::pages::role_label(role).to_lowercase();
    web::emails::compose(
        to,
        &format!("{inviter} invited you to {organization} on DotMac"),
        &[
            &format!("{inviter} invited you to join {organization} on DotMac as an {role}."),
            "The link works once, for 7 days. If you were not expecting this invitation, you can ignore this email.",
        ],
        Some(("Accept the invitation", &url)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_opens_the_accept_page_on_the_public_url_with_the_token() {
        let to = Email::parse("bob@example.com").unwrap();
        let mail = invitation(&to, "Ada", "Engines <Ltd>", Role::TenantMember, "https://app.example", "s3cr3t");
        assert!(mail.text.contains("https://app.example/auth/accept-invitation?token=s3cr3t"), "{}", mail.text);
        assert!(mail.text.contains("as an organization member"), "{}", mail.text);
        assert!(mail.html.contains("Engines &lt;Ltd&gt;"), "names are escaped in HTML");
        assert_eq!(mail.subject, "Ada invited you to Engines <Ltd> on DotMac");
    }
}
