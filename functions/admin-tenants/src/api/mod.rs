//! The JSON routes of the admin-tenants function: `/api/v1/admin/tenants*`.
pub mod dto;
pub mod handlers;
