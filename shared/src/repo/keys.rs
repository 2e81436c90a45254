//! Every key of the single table is built here, so the design in `shared/README.md` has one
//! place in code. Prefixes are upper case; ids are the entities' own prefixed ULIDs.
use crate::domain::email::Email;
use crate::domain::ids::{EventId, InvitationId, PlanId, SessionId, TenantId, UserId};
use crate::ports::item_store::Key;

/// The partition of one user: profile, sessions, MFA items.
pub fn user_pk(id: &UserId) -> String {
    format!("USER#{id}")
}

/// A user's record.
pub fn user(id: &UserId) -> Key {
    Key::new(user_pk(id), "PROFILE")
}

/// One login session of a user (the refresh-token family).
pub fn session(user: &UserId, id: &SessionId) -> Key {
    Key::new(user_pk(user), format!("SESSION#{id}"))
}

/// The uniqueness claim of an email address (one account per address).
pub fn email_claim(email: &Email) -> Key {
    Key::new(format!("EMAIL#{email}"), "EMAIL")
}

/// Marks that the first platform admin was seeded.
pub fn platform_seed() -> Key {
    Key::new("PLATFORM", "SEED#ADMIN")
}

/// GSI1 partition listing every user, newest last (sort key: the user id, a ULID).
pub const USERS_GSI1PK: &str = "USERS";

/// An audit event, under its tenant (or `PLATFORM` for platform-level events), by id (a ULID,
/// so a time range is a sort-key range).
pub fn audit(tenant: Option<&TenantId>, id: &EventId) -> Key {
    let scope = tenant.map(|t| t.to_string()).unwrap_or_else(|| "PLATFORM".into());
    Key::new(format!("AUDIT#{scope}"), format!("EVT#{id}"))
}

/// GSI1 partition of one actor's audit events.
pub fn audit_actor(actor: &str) -> String {
    format!("AUDIT_ACTOR#{actor}")
}

/// GSI2 partition of every audit event, for the platform admin's unfiltered trail.
pub const AUDIT_ALL: &str = "AUDIT_ALL";

/// A single-use secret token (verification, reset, MFA challenge), by its hash.
pub fn secret_token(hash: &str) -> Key {
    Key::new(format!("TOKEN#{hash}"), "TOKEN")
}

/// One of a user's backup codes, by its hash.
pub fn backup_code(user: &UserId, hash: &str) -> Key {
    Key::new(user_pk(user), format!("BACKUP#{hash}"))
}

/// A tenant's record.
pub fn tenant(id: &TenantId) -> Key {
    Key::new(tenant_pk(id), "META")
}

/// The uniqueness claim of a tenant slug.
pub fn slug_claim(slug: &str) -> Key {
    Key::new(format!("SLUG#{slug}"), "SLUG")
}

/// GSI1 partition listing every tenant (sort key: tenant id).
pub const TENANTS_GSI1PK: &str = "TENANTS";

/// A plan's record.
pub fn plan(id: &PlanId) -> Key {
    Key::new(format!("PLAN#{id}"), "META")
}

/// The uniqueness claim of a plan code (`free`, …).
pub fn plan_code(code: &str) -> Key {
    Key::new(format!("PLANCODE#{code}"), "PLANCODE")
}

/// The partition of one tenant: its record, invitations and other tenant-owned items.
pub fn tenant_pk(id: &TenantId) -> String {
    format!("TENANT#{id}")
}

/// The partition holding a tenant's invitations (`PLATFORM` for platform invitations).
pub fn invitations_pk(tenant: Option<&TenantId>) -> String {
    tenant.map(tenant_pk).unwrap_or_else(|| "PLATFORM".into())
}

/// An invitation, in its tenant's partition.
pub fn invitation(tenant: Option<&TenantId>, id: &InvitationId) -> Key {
    Key::new(invitations_pk(tenant), format!("INVITE#{id}"))
}

/// GSI1 partition that finds an invitation by the hash of its emailed token.
pub fn invitation_token(hash: &str) -> String {
    format!("INVITE_TOKEN#{hash}")
}

/// GSI2 partition of a tenant's members (sort key: `USER#<usr_id>`).
pub fn members_gsi2pk(tenant: &TenantId) -> String {
    format!("MEMBERS#{tenant}")
}
