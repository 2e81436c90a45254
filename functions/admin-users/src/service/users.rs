//! Users as platform admins see them: list with filters, read, edit, change role, disable and
//! enable. A role change or a disable ends every session of the user with the change (in its
//! transaction; those that do not fit, just before it), so the next request of an old access
//! token is refused (each request reads its session).
use serde_json::{Map, Value, json};
use web::AppState;
use domain::ids::{TenantId, UserId};
use domain::team::TeamRuleError;
use domain::text::parse_line;
use domain::user::{Role, User, UserStatus};
use store::ports::item_store::{Cursor, StoreError};
use store::repo::sessions::{self, SessionsToEnd};
use store::repo::{team, users};
use store::retry;

use super::{Actor, AdminError, Expected};

/// The longest name a user may have.
pub const NAME_MAX: usize = 100;

/// How much one page of a filtered list may read: the filters other than `tenant_id` are
/// applied as items are read, so a rare combination answers a short page (with a cursor)
/// rather than read the whole index in one request.
const FILTER_BATCH: usize = 200;
const QUERIES_PER_PAGE: usize = 5;

/// The filters of the user list. `tenant_id` picks the index (the tenant's members); the
/// others are checked on each user read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Lower-case; matches a substring of the name (any case) or of the email.
    pub q: Option<String>,
    pub role: Option<Role>,
    pub tenant_id: Option<TenantId>,
    pub status: Option<UserStatus>,
}

impl ListFilter {
    /// Names the list for cursor signing: a cursor never crosses filters.
    pub fn scope(&self) -> String {
        json!(["admin-users", self.q, self.role, self.tenant_id.as_ref().map(TenantId::as_str), self.status]).to_string()
    }

    fn filters_after_reading(&self) -> bool {
        self.q.is_some() || self.role.is_some() || self.status.is_some()
    }

    pub fn admits(&self, user: &User) -> bool {
        self.tenant_id.as_ref().is_none_or(|t| user.tenant_id.as_ref() == Some(t))
            && self.role.is_none_or(|r| user.role == r)
            && self.status.is_none_or(|s| user.status == s)
            && self.q.as_ref().is_none_or(|q| user.name.to_lowercase().contains(q) || user.email.as_str().contains(q))
    }
}

/// One page of users, newest first, and where the next starts.
pub async fn list(app: &AppState, filter: &ListFilter, limit: usize, after: Option<Cursor>) -> Result<(Vec<User>, Option<Cursor>), AdminError> {
    let batch = if filter.filters_after_reading() { (limit + 1).max(FILTER_BATCH) } else { limit + 1 };
    let mut found: Vec<(User, Cursor)> = Vec::new();
    let mut after = after;
    for _ in 0..QUERIES_PER_PAGE {
        let page = users::list_newest_first(app.store.as_ref(), filter.tenant_id.as_ref(), batch, after.take()).await?;
        for record in page.records() {
            let (user, cursor) = record?;
            if !filter.admits(&user) {
                continue;
            }
            found.push((user, cursor));
            if found.len() > limit {
                found.truncate(limit);
                let next = found.last().map(|(_, c)| c.clone());
                return Ok((found.into_iter().map(|(u, _)| u).collect(), next));
            }
        }
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok((found.into_iter().map(|(u, _)| u).collect(), None)),
        }
    }
    // The read budget is spent: the next page continues after the last user read.
    Ok((found.into_iter().map(|(u, _)| u).collect(), after))
}

pub async fn get(app: &AppState, id: &UserId) -> Result<User, AdminError> {
    users::get(app.store.as_ref(), id).await?.ok_or(AdminError::NotFound("user"))
}

/// What a `PATCH` may change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Patch {
    pub name: Option<String>,
    pub role: Option<Role>,
}

/// Whether `role` suits a user of `tenant`: tenant roles belong to a tenant, platform roles
/// to none (moving a user between tenants is not a role change).
pub fn check_role_fits(role: Role, tenant: Option<&TenantId>) -> Result<(), AdminError> {
    match (role, tenant) {
        (Role::TenantAdmin | Role::TenantMember, None) => {
            Err(AdminError::invalid("role", "a tenant role needs a user of a tenant; this user belongs to none"))
        }
        (Role::PlatformAdmin | Role::Partner, Some(_)) => {
            Err(AdminError::invalid("role", "a platform role is for users outside tenants; this user belongs to one"))
        }
        _ => Ok(()),
    }
}

fn refuse_self(code: &'static str, message: &'static str) -> AdminError {
    AdminError::Refused { code, message }
}

/// Edits the name and/or changes the role. A role change ends every session of the user in
/// the same transaction and keeps the tenant's roster (the last tenant admin stays one).
pub async fn update(app: &AppState, actor: &Actor, id: &UserId, patch: Patch, expected: &Expected) -> Result<User, AdminError> {
    let name = patch.name.as_deref().map(|n| parse_line(n, NAME_MAX)).transpose().map_err(|e| AdminError::invalid("name", e))?;
    let name = name.as_ref();
    // The roster's version moves with every team change: a lost race on it is tried again.
    retry::on_conflict(3, || async move {
        let user = get(app, id).await?;
        if !expected.holds(user.version) {
            return Err(AdminError::PreconditionFailed);
        }
        let mut changed = user.clone();
        let mut details = Map::new();
        if let Some(name) = name.filter(|n| **n != user.name) {
            details.insert("name".into(), json!({"before": user.name, "after": name}));
            changed.name = name.clone();
        }
        let new_role = patch.role.filter(|r| *r != user.role);
        if let Some(role) = new_role {
            if user.id == actor.caller.user_id {
                return Err(refuse_self("cannot_demote_self", "You cannot change your own role; ask another platform admin."));
            }
            check_role_fits(role, user.tenant_id.as_ref())?;
            details.insert("role".into(), json!({"before": user.role, "after": role}));
            changed.role = role;
        }
        if details.is_empty() {
            return Ok(user);
        }
        changed.version += 1;
        let now = app.clock.now();
        let mut writes = vec![users::save(&changed)?];
        if let (Some(role), Some(tenant)) = (new_role, &user.tenant_id) {
            let roster = team::load(app.store.as_ref(), tenant, now).await?.change_role(user.role, role, now).map_err(|e| match e {
                TeamRuleError::LastAdmin => {
                    refuse_self("last_tenant_admin", "This is the tenant's last admin; make another member an admin first.")
                }
                _ => AdminError::Conflict,
            })?;
            writes.push(team::save(&roster)?);
        }
        let (action, ended) = match new_role {
            Some(_) => ("user.role_changed", sessions::to_end(app.store.as_ref(), &user.id).await?),
            None => ("user.updated", SessionsToEnd::none()),
        };
        details.insert("sessions_ended".into(), json!(ended.len()));
        let event = actor.event(now, action).tenant(user.tenant_id.as_ref()).target(&user.id).details(Value::Object(details));
        let roster_written = writes.len() == 2;
        match sessions::commit_ending_sessions(app.store.as_ref(), event.appended_to(writes)?, ended).await {
            Ok(()) => Ok(changed),
            Err(StoreError::ConditionFailed { index: Some(0) }) if expected.is_given() => Err(AdminError::PreconditionFailed),
            Err(StoreError::ConditionFailed { index: Some(0) }) => Err(AdminError::Conflict),
            Err(StoreError::ConditionFailed { index: Some(1) }) if roster_written => Err(AdminError::LostRace),
            Err(e) => Err(e.into()),
        }
    })
    .await
}

/// Disables (every session ended at once; sign-in refused) or enables a user. Asking for
/// the status the user already has changes nothing and answers the user.
pub async fn set_status(app: &AppState, actor: &Actor, id: &UserId, status: UserStatus) -> Result<User, AdminError> {
    if status == UserStatus::Disabled && *id == actor.caller.user_id {
        return Err(refuse_self("cannot_disable_self", "You cannot disable your own account; ask another platform admin."));
    }
    let user = get(app, id).await?;
    if user.status == status {
        return Ok(user);
    }
    let mut changed = user.clone();
    changed.status = status;
    changed.version += 1;
    let now = app.clock.now();
    let (action, ended) = match status {
        UserStatus::Disabled => ("user.disabled", sessions::to_end(app.store.as_ref(), &user.id).await?),
        UserStatus::Active => ("user.enabled", SessionsToEnd::none()),
    };
    let event = actor
        .event(now, action)
        .tenant(user.tenant_id.as_ref())
        .target(&user.id)
        .details(json!({"status": {"before": user.status, "after": status}, "sessions_ended": ended.len()}));
    match sessions::commit_ending_sessions(app.store.as_ref(), event.appended_to(vec![users::save(&changed)?])?, ended).await {
        Ok(()) => Ok(changed),
        // Another request changed the user between our read and our write: it won.
        Err(StoreError::ConditionFailed { index: Some(0) }) => Err(AdminError::Conflict),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::email::Email;
    use domain::ids::SessionId;
    use domain::time::Timestamp;

    fn user(name: &str, email: &str, role: Role, tenant: Option<TenantId>) -> User {
        let now = Timestamp::from_unix(1_795_600_800);
        User {
            id: UserId::generate(now),
            email: Email::parse(email).unwrap(),
            name: name.into(),
            role,
            tenant_id: tenant,
            status: UserStatus::Active,
            email_verified: true,
            password_hash: None,
            created_at: now,
            version: 1,
            mfa: Default::default(),
        }
    }

    #[test]
    fn q_matches_a_substring_of_the_name_in_any_case_or_of_the_email() {
        let ada = user("Ada Lovelace", "ada@engines.example", Role::TenantAdmin, None);
        let filter = |q: &str| ListFilter { q: Some(q.into()), ..Default::default() };
        assert!(filter("lovel").admits(&ada));
        assert!(filter("engines.ex").admits(&ada));
        assert!(!filter("grace").admits(&ada));
    }

    #[test]
    fn every_filter_given_must_hold() {
        let tenant = TenantId::generate(Timestamp::from_unix(1));
        let ada = user("Ada", "ada@example.com", Role::TenantMember, Some(tenant.clone()));
        let both = ListFilter { role: Some(Role::TenantMember), tenant_id: Some(tenant), ..Default::default() };
        assert!(both.admits(&ada));
        let disabled = ListFilter { status: Some(UserStatus::Disabled), ..both };
        assert!(!disabled.admits(&ada));
    }

    #[test]
    fn roles_fit_their_kind_of_user() {
        let tenant = TenantId::generate(Timestamp::from_unix(1));
        assert!(check_role_fits(Role::TenantMember, Some(&tenant)).is_ok());
        assert!(check_role_fits(Role::Partner, None).is_ok());
        assert!(check_role_fits(Role::TenantAdmin, None).is_err());
        assert!(check_role_fits(Role::PlatformAdmin, Some(&tenant)).is_err());
    }

    #[test]
    fn scopes_differ_by_filter() {
        let a = ListFilter { q: Some("a".into()), ..Default::default() };
        let b = ListFilter { role: Some(Role::Partner), ..Default::default() };
        assert_ne!(a.scope(), b.scope());
        assert_ne!(a.scope(), ListFilter::default().scope());
    }

    #[tokio::test]
    async fn overflowing_sessions_end_before_the_change_commits() {
        // GIVEN a user with more sessions than fit in one transaction
        let (app, _clock) = web::testing::state();
        let ada = user("Ada", "ada@example.com", Role::Partner, None);
        users::create(app.store.as_ref(), &ada, vec![]).await.unwrap();
        let now = app.clock.now();
        for _ in 0..120 {
            let session = sessions::Session {
                id: SessionId::generate(now),
                user_id: ada.id.clone(),
                tenant_id: None,
                role: Role::Partner,
                created_at: now,
                last_seen_at: now,
                ip: "192.0.2.1".into(),
                user_agent: "test".into(),
                refresh_hash: "h".into(),
                rotated_hashes: vec![],
                expires_at: now.plus_seconds(3600),
            };
            app.store.transact(vec![sessions::create(&session).unwrap()]).await.unwrap();
        }
        // WHEN the user is disabled
        let actor = Actor {
            caller: web::auth::Caller {
                user_id: UserId::generate(now),
                tenant_id: None,
                role: Role::PlatformAdmin,
                session_id: SessionId::generate(now),
                via: web::auth::caller::Via::Bearer,
            },
            ip: "192.0.2.9".into(),
            request_id: None,
        };
        let disabled = set_status(&app, &actor, &ada.id, UserStatus::Disabled).await.unwrap();
        // THEN every session is gone and the user is disabled
        assert_eq!(disabled.status, UserStatus::Disabled);
        let left = sessions::list(app.store.as_ref(), &ada.id, 100, None).await.unwrap();
        assert!(left.items.is_empty(), "{} sessions left", left.items.len());
    }
}
