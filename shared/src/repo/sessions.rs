//! Login sessions: one item per session under its user, holding the current refresh token's
//! hash. The session *is* the refresh-token family: rotating replaces the hash, reuse of an
//! old one deletes the session, and deleting it refuses every access token naming it at once
//! (each request reads it: one GetItem).
use serde::{Deserialize, Serialize};

use crate::domain::ids::{SessionId, TenantId, UserId};
use crate::domain::time::Timestamp;
use crate::domain::user::Role;
use crate::ports::item_store::{Cond, Item, ItemStore, Query, StoreError, Write};
use crate::repo::keys;

/// A session lives 30 days from its last refresh.
pub const SESSION_TTL_SECONDS: i64 = 30 * 86_400;
/// How many rotated refresh hashes a session remembers for reuse detection.
const REMEMBERED_HASHES: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub tenant_id: Option<TenantId>,
    pub role: Role,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub ip: String,
    pub user_agent: String,
    pub refresh_hash: String,
    /// Hashes of refresh tokens already rotated away; presenting one is reuse.
    pub rotated_hashes: Vec<String>,
    pub expires_at: Timestamp,
}

impl Session {
    /// Replaces the refresh hash, remembering the old one.
    pub fn rotated(mut self, new_hash: String, now: Timestamp) -> Session {
        let old = std::mem::replace(&mut self.refresh_hash, new_hash);
        self.rotated_hashes.push(old);
        if self.rotated_hashes.len() > REMEMBERED_HASHES {
            self.rotated_hashes.remove(0);
        }
        self.last_seen_at = now;
        self.expires_at = now.plus_seconds(SESSION_TTL_SECONDS);
        self
    }
}

pub fn item(session: &Session) -> Result<Item, StoreError> {
    Ok(Item::from_record(keys::session(&session.user_id, &session.id), session)?.with_ttl(session.expires_at.unix()))
}

/// The write that creates a session (for the caller's transaction).
pub fn create(session: &Session) -> Result<Write, StoreError> {
    Ok(Write::put(item(session)?).when(Cond::Absent))
}

pub async fn get(store: &dyn ItemStore, user: &UserId, id: &SessionId) -> Result<Option<Session>, StoreError> {
    store.get(&keys::session(user, id)).await?.map(|i| i.record()).transpose()
}

/// Every live session of a user, newest first.
pub async fn list(store: &dyn ItemStore, user: &UserId, limit: usize, after: Option<crate::ports::item_store::Cursor>)
    -> Result<crate::ports::item_store::Page, StoreError> {
    store.query(Query::table(keys::user_pk(user)).prefix("SESSION#").backward().limit(limit).after(after)).await
}

/// The writes that end every session of a user (password reset, disable, role change).
pub async fn end_all(store: &dyn ItemStore, user: &UserId) -> Result<Vec<Write>, StoreError> {
    let mut writes = Vec::new();
    let mut after = None;
    loop {
        let page = store.query(Query::table(keys::user_pk(user)).prefix("SESSION#").limit(100).after(after)).await?;
        writes.extend(page.items.into_iter().map(|i| Write::delete(i.key)));
        after = page.next;
        if after.is_none() {
            return Ok(writes);
        }
    }
}
