//! Every key of the single table is built here, so the design in `shared/README.md` has one
//! place in code. Prefixes are upper case; ids are the entities' own prefixed ULIDs.
use domain::email::Email;
use domain::ids::{EventId, InvitationId, PlanId, SessionId, TenantId, UserId};
use domain::time::Timestamp;
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

/// The partition of a tenant's audit trail (`PLATFORM` for platform-level events).
pub fn audit_pk(tenant: Option<&TenantId>) -> String {
    let scope = tenant.map(|t| t.to_string()).unwrap_or_else(|| "PLATFORM".into());
    format!("AUDIT#{scope}")
}

/// An audit event, under its tenant (or `PLATFORM` for platform-level events).
pub fn audit(tenant: Option<&TenantId>, at: Timestamp, id: &EventId) -> Key {
    Key::new(audit_pk(tenant), audit_sk(at, id))
}

/// The sort key of an audit event in every partition and index that holds it:
/// `EVT#<at, RFC 3339>#<evt_id>`, so newest-first is a backward Query and a time range is a
/// sort-key range. The time is the event's own `at`, not the ULID's: ids come from a
/// process-wide monotonic generator that can run ahead of the platform clock.
pub fn audit_sk(at: Timestamp, id: &EventId) -> String {
    format!("EVT#{at}#{id}")
}

/// GSI1 partition of one actor's audit events.
pub fn audit_actor(actor: &str) -> String {
    format!("AUDIT_ACTOR#{actor}")
}

/// GSI2 partition of one action's audit events (`user.disabled`, `session.login`, …).
pub fn audit_action(action: &str) -> String {
    format!("AUDIT_ACTION#{action}")
}

/// The platform-wide audit feed of one UTC month (`AUDIT_ALL#2026-11`): a second copy of
/// every event, written in the same transaction, for the unfiltered trail. Sharded by month
/// so no partition grows for ever and a time range touches only its months.
pub fn audit_feed(year: i32, month: u8) -> String {
    format!("AUDIT_ALL#{year:04}-{month:02}")
}

/// A single-use secret token (verification, reset, MFA challenge), by its hash.
pub fn secret_token(hash: &str) -> Key {
    Key::new(format!("TOKEN#{hash}"), "TOKEN")
}

/// A user's generation of one purpose of secret tokens (`verify_email`, `reset_password`,
/// `mfa_challenge`), in the user's partition: bumped when one token of the purpose is used, so
/// every other one issued before dies with it.
pub fn token_generation(user: &UserId, purpose: &str) -> Key {
    Key::new(user_pk(user), format!("TOKENGEN#{purpose}"))
}

/// The sort-key prefix of a user's backup codes.
pub const BACKUP_CODE_PREFIX: &str = "BACKUP#";

/// One of a user's backup codes, by its hash.
pub fn backup_code(user: &UserId, hash: &str) -> Key {
    Key::new(user_pk(user), format!("{BACKUP_CODE_PREFIX}{hash}"))
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

/// A tenant's team roster: member and admin counts and the invitations holding seats, put
/// (version-guarded) in the transaction of every team change.
pub fn team(tenant: &TenantId) -> Key {
    Key::new(tenant_pk(tenant), "TEAM")
}

/// GSI2 partition of the tenants in one lifecycle status (`TENANT_STATUS#active`, …). The
/// sort key is the tenant id (creation order), except for `deleted`, where it is
/// `<purge_after>#<ten_id>`: the purge job reads the due ones as one sort-key range.
pub fn tenant_status_gsi2pk(status: &str) -> String {
    format!("TENANT_STATUS#{status}")
}

/// A tenant's subscription: one per tenant, at a fixed key, so a conditional put creates it
/// once however often provisioning runs.
pub fn subscription(tenant: &TenantId) -> Key {
    Key::new(tenant_pk(tenant), "SUBSCRIPTION")
}

/// A tenant's provisioning progress: one attribute per finished step, each set once with
/// `attribute_not_exists` in the step's transaction (the worker's idempotency marker).
pub fn provisioning(tenant: &TenantId) -> Key {
    Key::new(tenant_pk(tenant), "PROVISIONING")
}

/// A rate-limit counter: one item per limit, hashed subject and window start.
pub fn rate_counter(limit: &str, subject_hash: &str, window_start: i64) -> Key {
    Key::new(format!("RATE#{limit}#{subject_hash}"), format!("W#{window_start}"))
}

/// A lock (e.g. an account's second factor after too many wrong codes): one item per lock
/// name and hashed subject, beside that subject's counters.
pub fn rate_lock(name: &str, subject_hash: &str) -> Key {
    Key::new(format!("RATE#{name}#{subject_hash}"), "LOCK")
}

/// What the health check reads: never written, so its GetItem only proves the table answers.
pub fn health_probe() -> Key {
    Key::new("HEALTH", "PROBE")
}
