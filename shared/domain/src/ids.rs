//! Prefixed, time-sortable, unguessable ids: `usr_` + a lower-case ULID.
//!
//! A ULID is 48 bits of milliseconds and 80 random bits, so ids sort by creation time and
//! cannot be guessed. Each id type accepts only its own prefix.
use std::fmt;
use std::sync::Mutex;

use rand::RngCore;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use ulid::Ulid;

use crate::time::Timestamp;

/// A new ULID for the platform clock's `now` (milliseconds from the real clock within it).
/// Ids made by one process are strictly increasing, even within one millisecond, so lists
/// keyed by id come out in creation order.
pub fn new_ulid(now: Timestamp) -> Ulid {
    static GENERATOR: Mutex<Option<ulid::Generator>> = Mutex::new(None);
    let sub_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_millis() as u64)
        .unwrap_or(0);
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(now.millis() + sub_ms);
    let mut generator = GENERATOR.lock().unwrap_or_else(|p| p.into_inner());
    generator.get_or_insert_with(ulid::Generator::new).generate_from_datetime(at).unwrap_or_else(|_| {
        // 2^80 ids in one millisecond: fall back to a fresh random one.
        let mut rng = rand::thread_rng();
        let random = ((rng.next_u64() as u128) << 16) | (rng.next_u32() as u128 & 0xffff);
        Ulid::from_parts(now.millis() + sub_ms, random)
    })
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            pub fn generate(now: Timestamp) -> Self {
                $name(format!("{}{}", $prefix, new_ulid(now).to_string().to_lowercase()))
            }

            /// Accepts `prefix + 26 lower-case Crockford base-32 characters`.
            pub fn parse(s: &str) -> Option<Self> {
                let rest = s.strip_prefix($prefix)?;
                let valid = rest.len() == 26
                    && rest.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
                    && Ulid::from_string(&rest.to_ascii_uppercase()).is_ok();
                valid.then(|| $name(s.to_string()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| {
                    serde::de::Error::custom(concat!("expected an id starting with ", $prefix))
                })
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .pattern(Some(concat!("^", $prefix, "[0-9a-z]{26}$")))
                    .into()
            }
        }
        impl utoipa::ToSchema for $name {}
    };
}

id_type!(/// A user account.
    UserId, "usr_");
id_type!(/// A tenant organisation.
    TenantId, "ten_");
id_type!(/// A login session (the family of its refresh tokens).
    SessionId, "ses_");
id_type!(/// An audit event.
    EventId, "evt_");
id_type!(/// An invitation to join a tenant.
    InvitationId, "ivt_");
id_type!(/// A plan.
    PlanId, "plan_");
id_type!(/// A subscription.
    SubscriptionId, "sub_");
id_type!(/// An API key.
    ApiKeyId, "key_");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_id_parses_back() {
        let id = UserId::generate(Timestamp::from_unix(1_795_600_800));
        assert_eq!(UserId::parse(id.as_str()), Some(id.clone()));
        assert!(id.as_str().starts_with("usr_"));
        assert_eq!(id.as_str().len(), 4 + 26);
    }

    #[test]
    fn ids_sort_by_creation_time() {
        let a = TenantId::generate(Timestamp::from_unix(1_000));
        let b = TenantId::generate(Timestamp::from_unix(2_000));
        assert!(a < b);
    }

    #[test]
    fn an_id_with_another_prefix_is_refused() {
        let id = UserId::generate(Timestamp::from_unix(1_000));
        assert_eq!(TenantId::parse(id.as_str()), None);
    }

    #[test]
    fn upper_case_and_wrong_lengths_are_refused() {
        assert_eq!(UserId::parse("usr_01HZZZZZZZZZZZZZZZZZZZZZZZ"), None);
        assert_eq!(UserId::parse("usr_01h"), None);
        assert_eq!(UserId::parse("usr_01hzzzzzzzzzzzzzzzzzzzzzzu"), None);
    }

    #[test]
    fn two_ids_in_the_same_second_differ() {
        let now = Timestamp::from_unix(1_000);
        assert_ne!(UserId::generate(now), UserId::generate(now));
    }
}
