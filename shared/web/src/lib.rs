//! The HTTP layer every function shares: one error vocabulary (`error`), JSON bodies and
//! extractors, lists and cursors, idempotency, request ids and logs, the caller and the
//! permissions guard, the Lambda edge, the application state and its wiring on AWS.
//! The top layer of `shared/`: it depends on `domain`, `store` and `adapters`, never the
//! other way round.
pub mod auth;
pub mod aws;
pub mod client;
pub mod dto;
pub mod emails;
pub mod error;
pub mod idempotency;
pub mod json;
pub mod kit;
pub mod module;
pub mod lambda;
pub mod observability;
pub mod openapi;
pub mod pages;
pub mod pagination;
pub mod router;
pub mod state;
pub mod strict;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use error::ApiError;
pub use json::{Json, Path, Query};
pub use pagination::{List, ListParams, PageRequest};
pub use router::finish;
pub use state::{AppState, Config};
