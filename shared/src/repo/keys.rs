//! Every key of the single table is built here, so the design in `shared/README.md` has one
//! place in code. Prefixes are upper case; ids are the entities' own prefixed ULIDs.
use crate::domain::email::Email;
use crate::domain::ids::UserId;
use crate::ports::item_store::Key;

/// A user's record.
pub fn user(id: &UserId) -> Key {
    Key::new(format!("USER#{id}"), "PROFILE")
}

/// The uniqueness claim of an email address (one account per address).
pub fn email_claim(email: &Email) -> Key {
    Key::new(format!("EMAIL#{email}"), "EMAIL")
}

/// Marks that the first platform admin was seeded.
pub fn platform_seed() -> Key {
    Key::new("PLATFORM", "SEED#ADMIN")
}

/// GSI1 partition listing every user, newest last (sort key: the user id, a ULID).
pub const USERS_GSI1PK: &str = "USERS";
