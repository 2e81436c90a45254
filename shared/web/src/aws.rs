//! Wiring for Lambda: the AWS SDK configuration and the `AppState` a function builds once at
//! cold start from its environment (the variables `template.yaml` sets).
use std::sync::Arc;

use aws_config::{BehaviorVersion, SdkConfig};

use adapters::dynamodb::DynamoDbStore;
use adapters::ses::SesMailer;
use adapters::sqs::SqsQueue;
use store::ports::clock::{Clock, SystemClock};
use crate::state::{AppState, Config, derive_key};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    #[error("environment variable {0} must be {1}")]
    Invalid(&'static str, &'static str),
}

/// The SDK configuration of the Lambda's environment (region, credentials, and
/// `AWS_ENDPOINT_URL` when it points the SDK at an emulator).
pub async fn sdk_config() -> SdkConfig {
    aws_config::load_defaults(BehaviorVersion::latest()).await
}

fn required(name: &'static str) -> Result<String, ConfigError> {
    std::env::var(name).ok().filter(|v| !v.is_empty()).ok_or(ConfigError::Missing(name))
}

impl AppState {
    /// The platform on AWS: DynamoDB (`TABLE_NAME`), SQS (the queues' `*_QUEUE_URL`), SES
    /// (`MAIL_FROM`), the system clock, `PUBLIC_URL`, `DOTMAC_SIGNING_SECRET` and
    /// `DOTMAC_TOKEN_KEY_ID` (the one key id access tokens may be signed with). No network
    /// call is made here: the SDK clients connect on their first request.
    pub async fn from_aws_env() -> Result<AppState, ConfigError> {
        // Read every variable before any SDK work, so a misconfigured function fails at once
        // and names what is missing.
        let table = required("TABLE_NAME")?;
        let from = required("MAIL_FROM")?;
        let public_url = required("PUBLIC_URL")?;
        let secret = required("DOTMAC_SIGNING_SECRET")?;
        let token_key_id = required("DOTMAC_TOKEN_KEY_ID")?;
        if !crate::auth::jwt::is_key_id(&token_key_id) {
            return Err(ConfigError::Invalid("DOTMAC_TOKEN_KEY_ID", "16 base64url characters"));
        }

        let sdk = sdk_config().await;
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let store: Arc<dyn store::ports::item_store::ItemStore> =
            Arc::new(DynamoDbStore::new(aws_sdk_dynamodb::Client::new(&sdk), table, clock.clone()));
        let tokens = crate::auth::jwt::TokenVerifier::pinned(store.clone(), &token_key_id)
            .map_err(|_| ConfigError::Invalid("DOTMAC_TOKEN_KEY_ID", "16 base64url characters"))?;
        Ok(AppState {
            tokens,
            store,
            queue: Arc::new(SqsQueue::from_env(aws_sdk_sqs::Client::new(&sdk))),
            mailer: Arc::new(SesMailer::new(aws_sdk_ses::Client::new(&sdk), from)),
            clock,
            config: Arc::new(Config {
                public_url,
                cursor_key: derive_key(secret.as_bytes(), "cursor"),
                csrf_key: derive_key(secret.as_bytes(), "csrf"),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn a_derived_key_is_the_sha256_of_purpose_colon_secret() {
        let expected = Sha256::digest(b"cursor:s3cret").to_vec();
        assert_eq!(derive_key(b"s3cret", "cursor"), expected);
        assert_ne!(derive_key(b"s3cret", "cursor"), derive_key(b"s3cret", "session"));
    }
}
