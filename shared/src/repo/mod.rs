//! Repositories: domain records in and out of the single table, written once over the
//! item-store port. Every key comes from `keys`.
pub mod invitations;
pub mod keys;
pub mod plans;
pub mod provisioning;
pub mod sessions;
pub mod subscriptions;
pub mod team;
pub mod tenants;
pub mod tokens;
pub mod users;
