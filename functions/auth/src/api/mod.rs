//! The JSON routes of the auth function: `/api/v1/auth/*` and `/api/v1/me*`.
pub mod dto;
pub mod handlers;
