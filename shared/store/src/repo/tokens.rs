//! Single-use secret tokens: email verification (24 h), password reset (1 h), MFA login
//! challenges (5 min). Only the hash is stored; the TTL expires them; consuming one is a
//! conditional delete inside the transaction that acts on it, so a token works once.
//!
//! Using one token of a purpose uses up every other token of that purpose for the user: each
//! user has a generation per purpose (`USER#<usr_id>` / `TOKENGEN#<purpose>`, absent = 0).
//! A token issued with [`issue_current`] carries the generation it was issued in, and is live
//! only while that generation is current; [`end_all`] bumps it (conditional on the generation
//! read, in the transaction that uses the token). A token issued with [`issue`] (no store read,
//! e.g. the MFA challenge of the password step) carries no generation: it dies when a
//! generation ended at a time (whole seconds) later than its own creation.
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
    /// The user's generation of this purpose when the token was issued (see the module).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<i64>,
}

/// A user's current generation of one purpose: its number (0 before any was ended) and when
/// the last one ended (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Generation {
    pub number: i64,
    pub ended_at: Option<i64>,
}

impl Generation {
    fn admits(&self, record: &TokenRecord) -> bool {
        match record.generation {
            Some(n) => n == self.number,
            None => self.ended_at.is_none_or(|ended| record.created_at.unix() >= ended),
        }
    }
}

fn token_item(secret: &str, record: &TokenRecord, now: Timestamp) -> Result<Item, StoreError> {
    Ok(Item::from_record(keys::secret_token(&secrets::hash_secret(secret)), record)?.with_ttl(now.unix() + record.purpose.ttl_seconds()))
}

/// A new token for `user`: the secret to send, and the write that stores its hash. It carries
/// no generation: prefer [`issue_current`] where the store can be read first.
pub fn issue(purpose: Purpose, user: &UserId, now: Timestamp) -> Result<(String, Write), StoreError> {
    let secret = secrets::new_secret();
    let record = TokenRecord { purpose, user_id: user.clone(), created_at: now, generation: None };
    Ok((secret.clone(), Write::put(token_item(&secret, &record, now)?).when(Cond::Absent)))
}

/// A new token of the user's generation `generation`: the secret to send and the writes (the
/// token, and a check that the generation is still current, so a token issued while another
/// is being used is not left live).
pub fn issue_in(purpose: Purpose, user: &UserId, generation: Generation, now: Timestamp) -> Result<(String, Vec<Write>), StoreError> {
    let secret = secrets::new_secret();
    let record = TokenRecord { purpose, user_id: user.clone(), created_at: now, generation: Some(generation.number) };
    let put = Write::put(token_item(&secret, &record, now)?).when(Cond::Absent);
    let check = Write::check(keys::token_generation(user, purpose.as_str()), current(generation));
    Ok((secret, vec![put, check]))
}

/// [`issue_in`] the user's current generation (one read).
pub async fn issue_current(store: &dyn ItemStore, purpose: Purpose, user: &UserId, now: Timestamp) -> Result<(String, Vec<Write>), StoreError> {
    let generation = generation(store, user, purpose).await?;
    issue_in(purpose, user, generation, now)
}

/// The same work as [`issue_current`] for no user (an address without an account): one read
/// of a generation, a secret and its hashed item built, and nothing to write. So answering
/// for an unknown address costs what answering for a known one does.
pub async fn rehearse(store: &dyn ItemStore, purpose: Purpose, now: Timestamp) -> Result<(), StoreError> {
    let nobody = UserId::generate(now);
    let generation = generation(store, &nobody, purpose).await?;
    let (_secret, writes) = issue_in(purpose, &nobody, generation, now)?;
    drop(writes);
    Ok(())
}

/// The condition that the generation item still says `generation`.
fn current(generation: Generation) -> Cond {
    if generation.number == 0 { Cond::Absent } else { Cond::eq("generation", generation.number) }
}

/// The user's current generation of `purpose`.
pub async fn generation(store: &dyn ItemStore, user: &UserId, purpose: Purpose) -> Result<Generation, StoreError> {
    let item = store.get(&keys::token_generation(user, purpose.as_str())).await?;
    Ok(item.map_or_else(Generation::default, |i| Generation { number: i.get_i64("generation").unwrap_or(0), ended_at: i.get_i64("ended_at") }))
}

/// The write that ends the generation `generation` of `purpose` for `user` (every token of it
/// dies): a put of the next generation, conditional on `generation` still being current, so of
/// two racing uses one fails. Put it in the transaction that uses the token.
pub fn end_all(user: &UserId, purpose: Purpose, generation: Generation, now: Timestamp) -> Write {
    let item = Item::new(keys::token_generation(user, purpose.as_str()))
        .with("generation", generation.number + 1)
        .with("ended_at", now.unix());
    Write::put(item).when(current(generation))
}

/// The live token with this secret and purpose, without using it up, with the user's current
/// generation of that purpose (to end it with [`end_all`]).
pub async fn find_live(store: &dyn ItemStore, secret: &str, purpose: Purpose) -> Result<Option<(TokenRecord, Generation)>, StoreError> {
    if !secrets::plausible(secret) {
        return Ok(None);
    }
    let Some(item) = store.get(&keys::secret_token(&secrets::hash_secret(secret))).await? else { return Ok(None) };
    let record: TokenRecord = item.record()?;
    if record.purpose != purpose {
        return Ok(None);
    }
    let generation = generation(store, &record.user_id, purpose).await?;
    Ok(generation.admits(&record).then_some((record, generation)))
}

/// The live token with this secret and purpose, without using it up.
pub async fn find(store: &dyn ItemStore, secret: &str, purpose: Purpose) -> Result<Option<TokenRecord>, StoreError> {
    Ok(find_live(store, secret, purpose).await?.map(|(record, _)| record))
}

/// The write that uses the token up; it fails the transaction if the token is already
/// used, expired, or for another purpose.
pub fn consume(secret: &str, purpose: Purpose) -> Write {
    Write::delete(keys::secret_token(&secrets::hash_secret(secret))).when(Cond::eq("purpose", purpose.as_str()))
}
