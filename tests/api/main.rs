//! Journey tests: the platform driven over HTTP from outside, as clients and the acceptance
//! tests drive it. One binary; a module per journey.
mod admin_tenants;
mod admin_users;
mod attacks;
mod auth_journey;
mod auth_links;
mod auth_limits;
mod bad_input;
mod boundary;
mod dashboard_tenants;
mod dashboard_users;
mod fixtures;
mod hardening;
mod layers;
mod local_server;
mod mfa_routes;
mod openapi_file;
mod pages;
mod permissions;
mod routes;
mod session_binding;
mod template;
mod tenant_journey;
mod tenant_team;
