//! Repositories: domain records in and out of the single table, written once over the
//! item-store port. Every key comes from `keys`.
pub mod backup_codes;
pub mod health;
pub mod invitations;
pub mod keys;
pub mod listed;
pub mod plans;
pub mod provisioning;
pub mod purge;
pub mod sessions;
pub mod subscriptions;
pub mod team;
pub mod tenants;
pub mod tokens;
pub mod users;
