//! The users repository, written once over the item-store port.
use serde_json::json;

use domain::email::Email;
use domain::ids::TenantId;
use domain::user::User;
use crate::ports::item_store::{Cond, Cursor, Item, ItemStore, Query, StoreError, Write};
use crate::repo::keys;
use crate::repo::listed::Listed;
use crate::repo::team;

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
    let Some(id) = claim.get_str("user_id").and_then(domain::ids::UserId::parse) else {
        return Err(StoreError::Corrupt(format!("email claim of {email}")));
    };
    store.get(&keys::user(&id)).await?.map(|i| i.record()).transpose()
}

pub async fn get(store: &dyn ItemStore, id: &domain::ids::UserId) -> Result<Option<User>, StoreError> {
    store.get(&keys::user(id)).await?.map(|i| i.record()).transpose()
}

/// A write that changes nothing and holds only while `user` is still at its `version`: a
/// transaction with it fails if the user changed since it was read.
pub fn unchanged(user: &User) -> Write {
    Write::check(keys::user(&user.id), Cond::version(user.version))
}

/// The write that saves `user` (its `version` already bumped) if nobody changed it since
/// `version - 1`.
pub fn save(user: &User) -> Result<Write, StoreError> {
    Ok(Write::put(user_item(user)?).when(Cond::version(user.version - 1)))
}

/// The check, for a transaction, that no account has `email` (its claim is absent).
pub fn email_unclaimed(email: &Email) -> Write {
    Write::check(keys::email_claim(email), Cond::Absent)
}

/// What `list_newest_first` reads: every user (GSI1 `USERS`), or the members of `tenant`
/// (GSI2 `MEMBERS#<ten_id>` prefix `USER#`), newest first.
fn newest_first(tenant: Option<&TenantId>) -> Query {
    match tenant {
        Some(tenant) => team::members_query(tenant).backward(),
        None => Query::gsi1(keys::USERS_GSI1PK).backward(),
    }
}

/// One Query of `limit` users after `after`, newest first: every user, or the members of
/// `tenant`. Each user comes with the cursor that continues after it.
pub async fn list_newest_first(store: &dyn ItemStore, tenant: Option<&TenantId>, limit: usize, after: Option<Cursor>)
    -> Result<Listed<User>, StoreError> {
    let query = newest_first(tenant).limit(limit).after(after);
    let index = query.index;
    Ok(Listed::new(store.query(query).await?, index))
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::time::Timestamp;
    use crate::ports::item_store::{Index, SkRange};

    #[test]
    fn a_tenants_users_are_its_members_index_and_everyone_is_the_users_index() {
        let tenant = TenantId::generate(Timestamp::from_unix(1));
        let members = newest_first(Some(&tenant));
        assert_eq!((members.index, members.pk, members.sk, members.forward), (Index::Gsi2, keys::members_gsi2pk(&tenant), SkRange::BeginsWith("USER#".into()), false));
        let everyone = newest_first(None);
        assert_eq!((everyone.index, everyone.pk.as_str(), everyone.sk, everyone.forward), (Index::Gsi1, keys::USERS_GSI1PK, SkRange::All, false));
    }
}
