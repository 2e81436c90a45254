//! Each portal's side navigation. A section appears when the journey behind it has landed:
//! each function module declares the sections it serves (`Module::nav`), and a test checks
//! this table against the modules, so a section is never a dead link and a landed journey
//! is never missing from the menu. The table is static because every function renders the
//! whole menu while serving only its own pages.
use domain::user::Role;

use crate::kit::{NavItem, Portal};

const fn item(section: &'static str, label: &'static str, href: &'static str) -> NavItem {
    NavItem { label, href, section }
}

/// Platform admins (`/dashboard`).
pub const ADMIN: &[NavItem] = &[
    item("overview", "Overview", "/dashboard"),
    item("users", "Users", "/dashboard/users"),
    item("tenants", "Tenants", "/dashboard/tenants"),
];

/// A tenant's admins and members (`/portal`).
pub const TENANT: &[NavItem] = &[
    item("overview", "Overview", "/portal"),
    item("team", "Team", "/portal/team"),
    item("activity", "Activity", "/portal/activity"),
];

/// Partners (`/partner`).
pub const PARTNER: &[NavItem] = &[item("overview", "Overview", "/partner")];

pub fn sections(portal: Portal) -> &'static [NavItem] {
    match portal {
        Portal::Admin => ADMIN,
        Portal::Tenant => TENANT,
        Portal::Partner => PARTNER,
    }
}

pub fn portal_of(role: Role) -> Portal {
    match role {
        Role::PlatformAdmin => Portal::Admin,
        Role::TenantAdmin | Role::TenantMember => Portal::Tenant,
        Role::Partner => Portal::Partner,
    }
}
