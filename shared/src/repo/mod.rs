//! Repositories: domain records in and out of the single table, written once over the
//! item-store port. Every key comes from `keys`.
pub mod keys;
pub mod users;
