//! The domain: pure types and rules, no I/O and no AWS types.
pub mod common_passwords;
pub mod email;
pub mod ids;
pub mod invitation;
pub mod password;
pub mod team;
pub mod tenant;
pub mod tenant_settings;
pub mod text;
pub mod time;
pub mod user;
