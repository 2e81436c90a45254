//! `SesMailer` on moto: a sent email is read back from moto's state dump
//! (`GET /moto-api/data.json` → `ses` → `Message`), and SES's refusal of an unverified
//! sender reaches the caller as `Rejected`.
use serde_json::Value;
use adapters::ses::SesMailer;
use domain::email::Email;
use store::ports::mailer::{MailError, Mailer, OutgoingEmail};

use crate::emulator;

async fn client() -> aws_sdk_ses::Client {
    aws_sdk_ses::Client::new(&emulator::sdk_config().await)
}

fn email(to: &str) -> OutgoingEmail {
    OutgoingEmail {
        to: Email::parse(to).expect("an address"),
        subject: "Verify your email — DotMac".into(),
        text: "Open https://app.example.com/verify?t=abc".into(),
        html: "<p>Open <a href=\"https://app.example.com/verify?t=abc\">this link</a></p>".into(),
    }
}

/// The message moto recorded under `id`.
async fn sent_message(id: &str) -> Value {
    let url = format!("{}/moto-api/data.json", emulator::endpoint());
    let data: Value = reqwest::get(&url).await.expect("moto state").json().await.expect("moto state is JSON");
    let messages = data["ses"]["Message"].as_array().cloned().unwrap_or_default();
    messages.into_iter().find(|m| m["id"] == id).unwrap_or_else(|| panic!("moto recorded no message {id}"))
}

#[tokio::test]
async fn an_email_from_a_verified_sender_is_sent_as_written() {
    let client = client().await;
    let from = format!("{}@dotmac.example.com", emulator::unique("noreply"));
    client.verify_email_identity().email_address(&from).send().await.expect("verify the sender");
    let mailer = SesMailer::new(client, from.clone());
    let to = format!("{}@example.com", emulator::unique("ada"));

    let id = mailer.send(&email(&to)).await.expect("send");

    let sent = sent_message(&id).await;
    assert_eq!(sent["source"], from.as_str());
    assert_eq!(sent["subject"], "Verify your email — DotMac");
    assert_eq!(sent["destinations"]["ToAddresses"], serde_json::json!([to]));
    // moto keeps one body: the HTML part when there is one.
    assert_eq!(sent["body"], email(&to).html.as_str());
}

#[tokio::test]
async fn an_unverified_sender_is_rejected() {
    let from = format!("{}@dotmac.example.com", emulator::unique("unverified"));
    let mailer = SesMailer::new(client().await, from);
    let err = mailer.send(&email("ada@example.com")).await;
    assert!(matches!(err, Err(MailError::Rejected(_))), "{err:?}");
}
