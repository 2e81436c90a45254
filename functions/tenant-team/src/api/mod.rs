//! The JSON routes of the team function: `/api/v1/tenant/members*`,
//! `/api/v1/tenant/invitations*` and `POST /api/v1/invitations/accept`.
pub mod dto;
pub mod handlers;
