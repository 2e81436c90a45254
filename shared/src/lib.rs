//! DotMac Platform's shared crate: the domain, the ports, their adapters and the HTTP layer
//! that every function crate builds on. See `README.md` beside this crate for the table design.
pub mod adapters;
pub mod audit;
pub mod auth;
pub mod domain;
pub mod http;
pub mod lambda;
pub mod ports;
pub mod repo;
pub mod state;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use state::{AppState, Config};
