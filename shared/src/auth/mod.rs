//! Authentication shared by every function: access tokens, the caller extractor, CSRF, rate
//! limits, TOTP and secret tokens. Only the auth function signs tokens; every other function
//! verifies them with the public key.
pub mod backup_codes;
pub mod caller;
pub mod cookies;
pub mod jwt;
pub mod permissions;
pub mod rate_limit;
pub mod secrets;
pub mod totp;

pub use caller::Caller;
