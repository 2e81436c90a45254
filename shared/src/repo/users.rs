//! The users repository, written once over the item-store port.
use serde_json::json;

use crate::domain::email::Email;
use crate::domain::user::User;
use crate::ports::item_store::{Cond, Item, ItemStore, StoreError, Write};
use crate::repo::keys;

#[derive(Debug, thiserror::Error)]
pub enum UserRepoError {
    #[error("the email address is taken")]
    EmailTaken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn user_item(user: &User) -> Result<Item, StoreError> {
    let item = Item::from_record(keys::user(&user.id), user)?.with_gsi1(keys::USERS_GSI1PK, user.id.as_str());
    Ok(match &user.tenant_id {
        Some(tenant) => item.with_gsi2(keys::members_gsi2pk(tenant), format!("USER#{}", user.id)),
        None => item,
    })
}

/// Writes `extra` with the new user and its email claim in one transaction, so the address
/// is taken exactly once even under concurrent sign-ups.
pub async fn create(store: &dyn ItemStore, user: &User, extra: Vec<Write>) -> Result<(), UserRepoError> {
    let claim = Item::new(keys::email_claim(&user.email)).with("user_id", json!(user.id));
    let mut writes = vec![
        Write::put(claim).when(Cond::Absent),
        Write::put(user_item(user)?).when(Cond::Absent),
    ];
    writes.extend(extra);
    match store.transact(writes).await {
        Err(StoreError::ConditionFailed { index: Some(0) }) => Err(UserRepoError::EmailTaken),
        other => Ok(other?),
    }
}

pub async fn find_by_email(store: &dyn ItemStore, email: &Email) -> Result<Option<User>, StoreError> {
    let Some(claim) = store.get(&keys::email_claim(email)).await? else { return Ok(None) };
    let Some(id) = claim.get_str("user_id").and_then(crate::domain::ids::UserId::parse) else {
        return Err(StoreError::Corrupt(format!("email claim of {email}")));
    };
    store.get(&keys::user(&id)).await?.map(|i| i.record()).transpose()
}

pub async fn get(store: &dyn ItemStore, id: &crate::domain::ids::UserId) -> Result<Option<User>, StoreError> {
    store.get(&keys::user(id)).await?.map(|i| i.record()).transpose()
}

/// The write that saves `user` (its `version` already bumped) if nobody changed it since
/// `version - 1`.
pub fn save(user: &User) -> Result<Write, StoreError> {
    Ok(Write::put(user_item(user)?).when(Cond::version(user.version - 1)))
}
