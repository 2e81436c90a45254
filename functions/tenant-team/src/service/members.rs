//! Members: list, change a role, remove. A role change or a removal ends every session of
//! that user with the change (in its transaction; those that do not fit, just before it), so
//! the old access token is refused at once (each request reads its session).
//!
//! Removing a member detaches the account from the tenant and disables it: it can no longer
//! sign in, leaves the members index, and stops counting against the seats. The account and
//! its email address stay (the audit trail names it, and the address cannot be taken over by
//! someone else); a later invitation, from this or another organization, re-attaches and
//! re-enables it.
use serde_json::json;
use web::AppState;
use web::auth::Caller;
use domain::ids::{TenantId, UserId};
use domain::user::{Role, User, UserStatus};
use web::PageRequest;
use store::ports::item_store::Page;
use store::repo::{sessions, team, users};
use store::retry;

use super::{ATTEMPTS, Origin, TeamError, tenant_of, writable_tenant};

/// One page of the tenant's members (GSI2, oldest first), read as `request` asks: one item
/// more than its limit, so that `List::from_store_page` knows whether more follow.
pub async fn page(app: &AppState, tenant: &TenantId, request: &PageRequest) -> Result<Page, TeamError> {
    Ok(team::members_page(app.store.as_ref(), tenant, request.limit + 1, request.after.clone()).await?)
}

/// A member of `tenant`, read consistently. Another tenant's user is not found, exactly as a
/// user that does not exist.
pub async fn member(app: &AppState, tenant: &TenantId, id: &UserId) -> Result<User, TeamError> {
    users::get(app.store.as_ref(), id)
        .await?
        .filter(|u| u.tenant_id.as_ref() == Some(tenant))
        .ok_or(TeamError::NotFound("member"))
}

/// Only the two tenant roles can be given within a tenant.
pub fn tenant_role(role: Role) -> Result<Role, TeamError> {
    match role {
        Role::TenantAdmin | Role::TenantMember => Ok(role),
        _ => Err(TeamError::invalid("role", "must be tenant_admin or tenant_member")),
    }
}

/// Gives a member another role and ends their sessions; the last admin keeps theirs.
/// Asking for the role the member already has changes nothing.
pub async fn change_role(app: &AppState, caller: &Caller, origin: &Origin, id: &UserId, role: Role) -> Result<User, TeamError> {
    let tenant = &tenant_of(caller)?;
    let role = tenant_role(role)?;
    let store = app.store.as_ref();
    retry::on_conflict(ATTEMPTS, || async move {
        writable_tenant(app, tenant).await?;
        let mut user = member(app, tenant, id).await?;
        if user.role == role {
            return Ok(user);
        }
        let now = app.clock.now();
        let roster = team::load(store, tenant, now).await?.change_role(user.role, role, now)?;
        let before = user.role;
        user.role = role;
        user.version += 1;
        let ended = sessions::to_end(store, &user.id).await?;
        let audit = origin.event(now, caller.user_id.as_str(), "member.role_changed")
            .tenant(Some(tenant))
            .target(&user.id)
            .details(json!({"role": {"before": before, "after": role}, "sessions_ended": ended.len()}));
        let writes = audit.appended_to(vec![users::save(&user)?, team::save(&roster)?])?;
        match sessions::commit_ending_sessions(store, writes, ended).await {
            Ok(()) => Ok(user),
            Err(e) if retry::lost_race_on(&e, &[0, 1]) => Err(TeamError::Conflict),
            Err(e) => Err(e.into()),
        }
    })
    .await
}

/// Removes a member from the tenant (see the module comment for what happens to the account)
/// and ends their sessions; never the last admin.
pub async fn remove(app: &AppState, caller: &Caller, origin: &Origin, id: &UserId) -> Result<User, TeamError> {
    let tenant = &tenant_of(caller)?;
    let store = app.store.as_ref();
    retry::on_conflict(ATTEMPTS, || async move {
        writable_tenant(app, tenant).await?;
        let mut user = member(app, tenant, id).await?;
        let now = app.clock.now();
        let roster = team::load(store, tenant, now).await?.remove(user.role, now)?;
        user.tenant_id = None;
        user.status = UserStatus::Disabled;
        user.version += 1;
        let ended = sessions::to_end(store, &user.id).await?;
        let audit = origin.event(now, caller.user_id.as_str(), "member.removed")
            .tenant(Some(tenant))
            .target(&user.id)
            .details(json!({"email": user.email, "role": user.role, "sessions_ended": ended.len()}));
        let writes = audit.appended_to(vec![users::save(&user)?, team::save(&roster)?])?;
        match sessions::commit_ending_sessions(store, writes, ended).await {
            Ok(()) => Ok(user),
            Err(e) if retry::lost_race_on(&e, &[0, 1]) => Err(TeamError::Conflict),
            Err(e) => Err(e.into()),
        }
    })
    .await
}
