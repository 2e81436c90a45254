//! Journey tests: the platform driven over HTTP from outside, as clients and the acceptance
//! tests drive it. One binary; a module per journey.
mod admin_tenants;
mod admin_users;
mod attacks;
mod auth_journey;
mod auth_limits;
mod bad_input;
mod boundary;
mod dashboard_tenants;
mod dashboard_users;
mod fixtures;
mod hardening;
mod layers;
mod local_server;
mod openapi_file;
mod pages;
mod permissions;
mod routes;
mod template;
mod tenant_journey;
mod tenant_team;
