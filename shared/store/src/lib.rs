//! The storage layer: the ports (what the domain needs from outside, as traits) and the
//! repositories written once over the item-store port, with every key of the single table in
//! `repo::keys`. Depends on `domain` only; the adapters implement its ports.
pub mod audit;
pub mod ports;
pub mod rate_limit;
pub mod repo;
pub mod retry;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
