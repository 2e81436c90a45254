//! Platform time: whole seconds, UTC, written as RFC 3339 (`2026-11-25T10:00:00Z`).
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_unix(seconds: i64) -> Self {
        Timestamp(seconds)
    }

    pub fn from_system(t: std::time::SystemTime) -> Self {
        let secs = match t.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => d.as_secs() as i64,
            Err(e) => -(e.duration().as_secs() as i64),
        };
        Timestamp(secs)
    }

    pub const fn unix(self) -> i64 {
        self.0
    }

    pub fn millis(self) -> u64 {
        (self.0.max(0) as u64) * 1000
    }

    pub const fn plus_seconds(self, seconds: i64) -> Self {
        Timestamp(self.0.saturating_add(seconds))
    }

    /// Parses RFC 3339 with any offset; sub-second digits are dropped.
    pub fn parse(s: &str) -> Option<Self> {
        OffsetDateTime::parse(s, &Rfc3339).ok().map(|t| Timestamp(t.unix_timestamp()))
    }

    pub fn to_rfc3339(self) -> String {
        let t = OffsetDateTime::from_unix_timestamp(self.0).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        t.format(&Rfc3339).unwrap_or_else(|_| self.0.to_string())
    }

    /// The UTC calendar year (invoice numbering, statements).
    pub fn year(self) -> i32 {
        OffsetDateTime::from_unix_timestamp(self.0).map(|t| t.year()).unwrap_or(1970)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timestamp::parse(&s).ok_or_else(|| serde::de::Error::custom("expected an RFC 3339 time"))
    }
}

impl utoipa::PartialSchema for Timestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::DateTime)))
            .examples(["2026-11-25T10:00:00Z"])
            .into()
    }
}
impl utoipa::ToSchema for Timestamp {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_written_in_utc_without_fractions() {
        assert_eq!(Timestamp::from_unix(1_795_600_800).to_rfc3339(), "2026-11-25T10:00:00Z");
    }

    #[test]
    fn offsets_are_normalised_to_utc() {
        assert_eq!(Timestamp::parse("2026-11-25T12:00:00+02:00"), Some(Timestamp::from_unix(1_795_600_800)));
    }

    #[test]
    fn garbage_is_not_a_time() {
        assert_eq!(Timestamp::parse("yesterday"), None);
    }
}
