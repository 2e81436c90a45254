//! The platform's one email layout: a text part and an HTML part with the same paragraphs,
//! an optional call-to-action link (a button, and the address in full for clients that
//! hide buttons), and the signature. The HTML part is a maud template, so every value is
//! escaped; mail clients ignore stylesheets in `<head>` unevenly, so the few styles are
//! attributes here, the one place in the platform where they are (pages use classes).
use domain::email::Email;
use maud::{DOCTYPE, html};
use store::ports::mailer::OutgoingEmail;

const SIGNATURE: &str = "— DotMac Platform";

/// An email to `to`: `lines` are the paragraphs, `link` is `(label, url)`.
pub fn compose(to: &Email, subject: &str, lines: &[&str], link: Option<(&str, &str)>) -> OutgoingEmail {
    let mut text = lines.join("\n\n");
    if let Some((label, url)) = link {
        text.push_str("\n\n");
        text.push_str(label);
        text.push_str(": ");
        text.push_str(url);
        text.push('\n');
    }
    text.push_str("\n\n");
    text.push_str(SIGNATURE);
    let html = html! {
        (DOCTYPE)
        html {
            body style="font-family:system-ui,sans-serif;color:#1b1f24" {
                @for line in lines { p { (line) } }
                @if let Some((label, url)) = link {
                    p { a href=(url) { (label) } }
                    p style="color:#57606a" { "Or paste this link: " (url) }
                }
                p { (SIGNATURE) }
            }
        }
    };
    OutgoingEmail { to: to.clone(), subject: subject.into(), text, html: html.into_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_is_escaped_in_the_html_part_and_kept_as_is_in_the_text_part() {
        let to = Email::parse("ada@example.com").unwrap();
        let mail = compose(&to, "Hi", &["<script>alert(1)</script> \"'"], Some(("Go <now>", "https://x.example/?a=1&b='2'")));
        assert!(!mail.html.contains("<script>"), "{}", mail.html);
        assert!(mail.html.contains("&lt;script&gt;"), "{}", mail.html);
        assert!(mail.html.contains("href=\"https://x.example/?a=1&amp;b='2'\""), "{}", mail.html);
        assert!(mail.text.contains("<script>alert(1)</script> \"'"));
        assert!(mail.text.contains("Go <now>: https://x.example/?a=1&b='2'"));
        assert!(mail.text.ends_with(SIGNATURE));
    }
}
