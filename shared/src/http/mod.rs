//! The HTTP layer every function shares: errors, JSON bodies, lists, ids, idempotency,
//! request ids and logs, and the OpenAPI document.
pub mod client;
pub mod error;
pub mod idempotency;
pub mod json;
pub mod observability;
pub mod openapi;
pub mod pagination;
pub mod router;

pub use error::ApiError;
pub use json::{Json, Path, Query};
pub use pagination::{List, ListParams, PageRequest};
pub use router::finish;
