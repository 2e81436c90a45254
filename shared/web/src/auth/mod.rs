//! Authentication shared by every function: access tokens, the caller extractor, the
//! session cookies and CSRF, and the permissions guard. Only the auth function signs tokens;
//! every other function verifies them with the public key.
pub mod caller;
pub mod cookies;
pub mod guard;
pub mod jwt;

pub use caller::Caller;
