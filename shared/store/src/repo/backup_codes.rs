//! Backup codes of a user's second factor: one item per code under the user's partition
//! (`USER#<usr_id>` / `BACKUP#<sha256 of the code>`), so a code is found, and used up, by its
//! hash with one conditional delete.
use domain::ids::UserId;
use domain::time::Timestamp;

use crate::ports::item_store::{Cond, Item, ItemStore, Query, StoreError, Write};
use crate::repo::keys;

/// The deletes of every backup code `user` has now (read a page of 100 at a time).
pub async fn delete_all(store: &dyn ItemStore, user: &UserId) -> Result<Vec<Write>, StoreError> {
    let mut writes = Vec::new();
    let mut after = None;
    loop {
        let page = store.query(Query::table(keys::user_pk(user)).prefix(keys::BACKUP_CODE_PREFIX).limit(100).after(after)).await?;
        writes.extend(page.items.into_iter().map(|i| Write::delete(i.key)));
        after = page.next;
        if after.is_none() {
            return Ok(writes);
        }
    }
}

/// A new code, stored as the hash `hash`.
pub fn put(user: &UserId, hash: &str, now: Timestamp) -> Write {
    Write::put(Item::new(keys::backup_code(user, hash)).with("created_at", now.to_string()))
}

/// Uses the code of hash `hash` up: the write fails (condition) when it is not there, so a
/// code works once even under concurrent sign-ins.
pub fn consume(user: &UserId, hash: &str) -> Write {
    Write::delete(keys::backup_code(user, hash)).when(Cond::Exists)
}

/// Whether `user` has the code of hash `hash`.
pub async fn exists(store: &dyn ItemStore, user: &UserId, hash: &str) -> Result<bool, StoreError> {
    Ok(store.get(&keys::backup_code(user, hash)).await?.is_some())
}
