//! Single-use secret tokens: email verification (24 h), password reset (1 h), MFA login
//! challenges (5 min). Only the hash is stored; the TTL expires them; consuming one is a
//! conditional delete inside the transaction that acts on it, so a token works once.
use serde::{Deserialize, Serialize};

use domain::secrets;
use domain::ids::UserId;
use domain::time::Timestamp;
use crate::ports::item_store::{Cond, Item, ItemStore, StoreError, Write};
use crate::repo::keys;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    VerifyEmail,
    ResetPassword,
    MfaChallenge,
}

impl Purpose {
    pub fn ttl_seconds(self) -> i64 {
        match self {
            Purpose::VerifyEmail => 24 * 3600,
            Purpose::ResetPassword => 3600,
            Purpose::MfaChallenge => 300,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify_email",
            Purpose::ResetPassword => "reset_password",
            Purpose::MfaChallenge => "mfa_challenge",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRecord {
    pub purpose: Purpose,
    pub user_id: UserId,
    pub created_at: Timestamp,
}

/// A new token for `user`: the secret to send, and the write that stores its hash.
pub fn issue(purpose: Purpose, user: &UserId, now: Timestamp) -> Result<(String, Write), StoreError> {
    let secret = secrets::new_secret();
    let record = TokenRecord { purpose, user_id: user.clone(), created_at: now };
    let item = Item::from_record(keys::secret_token(&secrets::hash_secret(&secret)), &record)?
        .with_ttl(now.unix() + purpose.ttl_seconds());
    Ok((secret, Write::put(item).when(Cond::Absent)))
}

/// The live token with this secret and purpose, without using it up.
pub async fn find(store: &dyn ItemStore, secret: &str, purpose: Purpose) -> Result<Option<TokenRecord>, StoreError> {
    if !secrets::plausible(secret) {
        return Ok(None);
    }
    let Some(item) = store.get(&keys::secret_token(&secrets::hash_secret(secret))).await? else { return Ok(None) };
    let record: TokenRecord = item.record()?;
    Ok((record.purpose == purpose).then_some(record))
}

/// The write that uses the token up; it fails the transaction if the token is already
/// used, expired, or for another purpose.
pub fn consume(secret: &str, purpose: Purpose) -> Write {
    Write::delete(keys::secret_token(&secrets::hash_secret(secret))).when(Cond::eq("purpose", purpose.as_str()))
}
