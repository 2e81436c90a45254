//! The one email this worker sends: the invitation of a new tenant's first admin. The link is
//! built from `PUBLIC_URL`, with the secret as its `token` query parameter.
use domain::email::Email;
use store::ports::mailer::OutgoingEmail;

pub fn admin_invitation(to: &Email, organization: &str, public_url: &str, token: &str) -> OutgoingEmail {
    let url = format!("{public_url}/auth/accept-invitation?token={token}");
    let invited = format!("You have been invited to administer {organization} on DotMac Platform.");
    web::emails::compose(
        to,
        &format!("You're invited to administer {organization}"),
        &[&invited, "Accept the invitation to set up your account. The link works once, for 7 days."],
        Some(("Accept the invitation", &url)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_carries_the_token_on_the_accept_page() {
        let to = Email::parse("boss@example.com").unwrap();
        let mail = admin_invitation(&to, "Acme <Widgets>", "https://app.example.com", "s3cret");
        assert!(mail.text.contains("https://app.example.com/auth/accept-invitation?token=s3cret"));
        assert!(mail.html.contains("Acme &lt;Widgets&gt;"), "names are escaped in HTML");
    }
}
