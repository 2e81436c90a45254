//! The emulator the adapter tests talk to, and resource names that never collide: moto keeps
//! its state between test runs, and tests run in parallel.
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_dynamodb::config::{Credentials, Region};

pub const ENDPOINT_VAR: &str = "DOTMAC_TEST_AWS_ENDPOINT";

/// The emulator's base URL, without a trailing slash.
pub fn endpoint() -> String {
    match std::env::var(ENDPOINT_VAR) {
        Ok(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_string(),
        _ => panic!(
            "{ENDPOINT_VAR} is not set: run infra/test, which starts the moto emulator \
             (by hand: `.venv/bin/moto_server -H 127.0.0.1 -p 5055 &` and \
             {ENDPOINT_VAR}=http://127.0.0.1:5055)"
        ),
    }
}

/// SDK configuration for the emulator. Made per test: an SDK client keeps connections that
/// belong to the Tokio runtime it was first used on, and every `#[tokio::test]` has its own.
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .load()
        .await
}

/// `prefix` plus the process, the time and a counter: unique across runs and parallel tests.
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    format!("{prefix}-{}-{nanos}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst))
}
