//! The emails this function sends: text and HTML, links built from `PUBLIC_URL` (never from
//! the request's Host header), the secret as the `token` query parameter.
use shared::domain::email::Email;
use shared::domain::user::Role;
use shared::ports::mailer::OutgoingEmail;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

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
    let lines = [
        format!("Hi {name},"),
        format!("You are invited to join {place} as {}.", role_name(role)),
        "Accept the invitation to set up your account. The link works once, for 7 days.".to_string(),
    ];
    let text = format!("{}\n\nAccept the invitation: {url}\n\n— DotMac Platform", lines.join("\n\n"));
    let paragraphs: String = lines.iter().map(|l| format!("<p>{}</p>", escape(l))).collect();
    let html = format!(
        r#"<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1b1f24">{paragraphs}<p><a href="{0}">Accept the invitation</a></p><p style="color:#57606a">Or paste this link: {0}</p><p>— DotMac Platform</p></body></html>"#,
        escape(&url)
    );
    OutgoingEmail { to: to.clone(), subject: format!("You are invited to {place}"), text, html }
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
