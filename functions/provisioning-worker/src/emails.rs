//! The one email this worker sends: the invitation of a new tenant's first admin. The link is
//! built from `PUBLIC_URL`, with the secret as its `token` query parameter.
use shared::domain::email::Email;
use shared::ports::mailer::OutgoingEmail;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub fn admin_invitation(to: &Email, organization: &str, public_url: &str, token: &str) -> OutgoingEmail {
    let url = format!("{public_url}/auth/accept-invitation?token={token}");
    let lines = [
        format!("You have been invited to administer {organization} on DotMac Platform."),
        "Accept the invitation to set up your account. The link works once, for 7 days.".to_string(),
    ];
    let text = format!("{}\n\n{}\n\nAccept the invitation: {url}\n\n— DotMac Platform", lines[0], lines[1]);
    let html = format!(
        r#"<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1b1f24"><p>{}</p><p>{}</p><p><a href="{2}">Accept the invitation</a></p><p style="color:#57606a">Or paste this link: {2}</p><p>— DotMac Platform</p></body></html>"#,
        escape(&lines[0]),
        escape(&lines[1]),
        escape(&url)
    );
    OutgoingEmail { to: to.clone(), subject: format!("You're invited to administer {organization}"), text, html }
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
