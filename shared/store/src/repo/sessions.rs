//! Login sessions: one item per session under its user, holding the current refresh token's
//! hash. The session *is* the refresh-token family: rotating replaces the hash, reuse of an
//! old one deletes the session, and deleting it refuses every access token naming it at once
//! (each request reads it: one GetItem).
use serde::{Deserialize, Serialize};

use domain::ids::{SessionId, TenantId, UserId};
use domain::time::Timestamp;
use domain::user::Role;
use crate::ports::item_store::{Cond, Item, ItemStore, MAX_TRANSACT_ITEMS, Query, StoreError, Write};
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

/// The sessions of a user that a change ends, listed before the change is built so that its
/// audit event can count them. Only [`commit_ending_sessions`] spends it: it holds nothing but
/// unconditional deletes of sessions, which is what makes ending them ahead of the change safe.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionsToEnd {
    deletes: Vec<Write>,
}

impl SessionsToEnd {
    /// No session: a change that signs nobody out (an edit of the name, an enable).
    pub fn none() -> SessionsToEnd {
        SessionsToEnd::default()
    }

    pub fn len(&self) -> usize {
        self.deletes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.deletes.is_empty()
    }
}

/// Every live session of `user`, to end with a change (see [`commit_ending_sessions`]).
pub async fn to_end(store: &dyn ItemStore, user: &UserId) -> Result<SessionsToEnd, StoreError> {
    Ok(SessionsToEnd { deletes: end_all(store, user).await? })
}

/// Every live session of every user of `tenant` (its members: GSI2 `MEMBERS#<ten_id>`), to end
/// with a change of the tenant (see [`commit_ending_sessions`]): deleting a tenant ends its
/// users' sessions for good, and restoring it ends any that started while the deletion
/// committed, so a restore never brings an old session back. The members index trails a
/// change by a moment; a user created that moment before is caught by the next sweep.
pub async fn to_end_in_tenant(store: &dyn ItemStore, tenant: &TenantId) -> Result<SessionsToEnd, StoreError> {
    let mut deletes = Vec::new();
    let mut after = None;
    loop {
        let page = store.query(crate::repo::team::members_query(tenant).limit(100).after(after)).await?;
        for member in page.items {
            let user = member
                .key
                .pk
                .strip_prefix("USER#")
                .and_then(UserId::parse)
                .ok_or_else(|| StoreError::Corrupt(format!("member of {tenant}: {}/{}", member.key.pk, member.key.sk)))?;
            deletes.extend(end_all(store, &user).await?);
        }
        after = page.next;
        if after.is_none() {
            return Ok(SessionsToEnd { deletes });
        }
    }
}

/// Commits `change` (one transaction's writes) and ends `sessions`, so that no moment exists
/// where the change has committed and one of those sessions still works: a demoted, removed or
/// disabled user's next request is refused, whatever it races with.
///
/// - The sessions that fit beside the change (`MAX_TRANSACT_ITEMS - change.len()`) are deleted
///   in the change's own transaction, after its writes, so a `ConditionFailed { index }` names
///   a write of `change` as the caller built it.
/// - The rest (a user with more than about 95 sessions) are deleted FIRST, in transactions of
///   up to `MAX_TRANSACT_ITEMS` of their own, before the change is attempted. If ending them
///   fails, the change is not attempted and the error is answered.
/// - When the change then fails (a condition, a conflict, the store unavailable), nothing of it
///   is written and the sessions in its transaction live on, but the overflow stays ended. That
///   is acceptable: ending a session is always safe (its user signs in again), while ending it
///   after the change would leave a window where the old role or the disabled account still
///   acts. A retry lists the sessions afresh and ends what is left.
/// - A change too big for one transaction is refused (`Invalid`) before anything is written.
pub async fn commit_ending_sessions(store: &dyn ItemStore, change: Vec<Write>, sessions: SessionsToEnd) -> Result<(), StoreError> {
    let Some(room) = MAX_TRANSACT_ITEMS.checked_sub(change.len()) else {
        return Err(StoreError::Invalid(format!("a change of {} writes does not fit in one transaction", change.len())));
    };
    let mut overflow = sessions.deletes;
    let with_change = overflow.split_off(overflow.len().saturating_sub(room));
    for chunk in overflow.chunks(MAX_TRANSACT_ITEMS) {
        store.transact(chunk.to_vec()).await?;
    }
    let mut writes = change;
    writes.extend(with_change);
    store.transact(writes).await
}

/// Ends one session: the delete, which fails (condition) when the session is not there, so
/// "not yours or already gone" is told apart from a store failure.
pub fn end_existing(user: &UserId, id: &SessionId) -> Write {
    Write::delete(keys::session(user, id)).when(Cond::Exists)
}

/// Ends one session, whether or not it is still there.
pub fn end(user: &UserId, id: &SessionId) -> Write {
    Write::delete(keys::session(user, id))
}

/// Stores `rotated` only if the session still holds the refresh hash `old_hash`: of two
/// refreshes presenting the same token, exactly one rotates it (`ConditionFailed` for the
/// other, a reuse).
pub async fn rotate(store: &dyn ItemStore, rotated: &Session, old_hash: &str) -> Result<(), StoreError> {
    store.put(item(rotated)?, Some(Cond::eq("refresh_hash", old_hash))).await
}

/// A session's absolute lifetime: it ends this long after sign-in, however often it is
/// refreshed (the refresh only slides `expires_at` up to this bound).
pub const SESSION_MAX_AGE_SECONDS: i64 = 30 * 86_400;

/// When `session` ends whatever its refreshes: `SESSION_MAX_AGE_SECONDS` after sign-in
/// (`created_at`, which rotation keeps).
pub fn absolute_end(session: &Session) -> Timestamp {
    session.created_at.plus_seconds(SESSION_MAX_AGE_SECONDS)
}

/// `rotated` with its expiry (and so its `ttl`) no later than its absolute end, so the item
/// itself goes when the session's lifetime is over.
pub fn capped(mut rotated: Session) -> Session {
    rotated.expires_at = rotated.expires_at.min(absolute_end(&rotated));
    rotated
}
