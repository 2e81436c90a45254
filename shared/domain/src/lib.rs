//! The domain: pure types and rules, no I/O and no AWS types. The lowest layer: it depends on
//! no other crate of the platform, and every other crate may use it.
pub mod backup_codes;
pub mod common_passwords;
pub mod email;
pub mod ids;
pub mod invitation;
pub mod password;
pub mod permissions;
pub mod secrets;
pub mod team;
pub mod tenant;
pub mod tenant_settings;
pub mod text;
pub mod time;
pub mod totp;
pub mod user;
