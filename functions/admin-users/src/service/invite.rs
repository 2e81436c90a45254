//! Inviting someone to the platform or to a tenant: a 7-day, single-use link by email. Only
//! the link's hash is stored; accepting it (another function) creates the account.
use serde_json::json;
use web::AppState;
use domain::secrets;
use domain::email::Email;
use domain::ids::{InvitationId, TenantId};
use domain::invitation::{Invitation, InvitationStatus, VALID_SECONDS};
use domain::text::parse_line;
use domain::user::Role;
use store::ports::item_store::StoreError;
use store::repo::{invitations, tenants, users};

use super::users::NAME_MAX;
use super::{Actor, AdminError};
use crate::emails;

/// An invitation as asked for, before any check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub tenant_id: Option<String>,
}

fn is_tenant_role(role: Role) -> bool {
    matches!(role, Role::TenantAdmin | Role::TenantMember)
}

/// Stores the invitation (refused when the address has an account, atomically with the
/// write) with its audit event, then emails the link.
pub async fn invite(app: &AppState, actor: &Actor, cmd: Invite) -> Result<Invitation, AdminError> {
    let email = Email::parse(&cmd.email).map_err(|e| AdminError::invalid("email", e))?;
    let name = parse_line(&cmd.name, NAME_MAX).map_err(|e| AdminError::invalid("name", e))?;
    let tenant = match (is_tenant_role(cmd.role), cmd.tenant_id.as_deref()) {
        (true, None) => return Err(AdminError::invalid("tenant_id", "is required for a tenant role")),
        (false, Some(_)) => {
            return Err(AdminError::invalid("tenant_id", "must be absent: platform admins and partners belong to no tenant"));
        }
        (false, None) => None,
        (true, Some(raw)) => {
            let id = TenantId::parse(raw).ok_or_else(|| AdminError::invalid("tenant_id", "is not a tenant id"))?;
            let tenant = tenants::get(app.store.as_ref(), &id).await?.ok_or_else(no_such_tenant)?;
            if tenant.status == tenants::TenantStatus::Deleted {
                return Err(AdminError::invalid("tenant_id", "names a deleted tenant"));
            }
            Some(tenant)
        }
    };
    let now = app.clock.now();
    let secret = secrets::new_secret();
    let invitation = Invitation {
        id: InvitationId::generate(now),
        tenant_id: tenant.as_ref().map(|t| t.id.clone()),
        email: email.clone(),
        name: Some(name.clone()),
        role: cmd.role,
        invited_by: actor.caller.user_id.to_string(),
        status: InvitationStatus::Pending,
        created_at: now,
        expires_at: now.plus_seconds(VALID_SECONDS),
        accepted_at: None,
        token_hash: secrets::hash_secret(&secret),
        version: 1,
    };
    // Checked inside the transaction: an account created or a tenant deleted meanwhile
    // refuses the invitation rather than leave a link that cannot work.
    let mut writes = vec![users::email_unclaimed(&email)];
    if let Some(t) = &tenant {
        writes.push(tenants::not_deleted(&t.id));
    }
    writes.push(invitations::create(&invitation)?);
    let event = actor
        .event(now, "user.invited")
        .tenant(invitation.tenant_id.as_ref())
        .target(&invitation.id)
        .details(json!({"email": email, "role": cmd.role, "expires_at": invitation.expires_at}));
    match app.store.transact(event.appended_to(writes)?).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { index: Some(0) }) => return Err(AdminError::EmailTaken),
        Err(StoreError::ConditionFailed { index: Some(1) }) if tenant.is_some() => return Err(no_such_tenant()),
        Err(e) => return Err(e.into()),
    }
    let mail = emails::invitation(&email, &name, cmd.role, tenant.as_ref().map(|t| t.name.as_str()), &app.config.public_url, &secret);
    app.mailer.send(&mail).await?;
    Ok(invitation)
}

fn no_such_tenant() -> AdminError {
    AdminError::invalid("tenant_id", "names no tenant")
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ids::{SessionId, UserId};

    fn actor(app: &AppState) -> Actor {
        let now = app.clock.now();
        Actor {
            caller: web::auth::Caller {
                user_id: UserId::generate(now),
                tenant_id: None,
                role: Role::PlatformAdmin,
                session_id: SessionId::generate(now),
                via: web::auth::caller::Via::Bearer,
            },
            ip: "192.0.2.9".into(),
            request_id: Some("req-1".into()),
        }
    }

    fn cmd(role: Role, tenant_id: Option<&str>) -> Invite {
        Invite { email: "grace@example.com".into(), name: "Grace Hopper".into(), role, tenant_id: tenant_id.map(str::to_string) }
    }

    #[tokio::test]
    async fn a_partner_invitation_stores_only_the_links_hash_and_emails_the_link() {
        // GIVEN the platform
        let (app, _clock) = web::testing::state();
        // WHEN a partner is invited
        let invitation = invite(&app, &actor(&app), cmd(Role::Partner, None)).await.unwrap();
        // THEN it is pending for seven days and findable by the emailed secret only
        assert_eq!(invitation.status, InvitationStatus::Pending);
        assert_eq!(invitation.expires_at, invitation.created_at.plus_seconds(7 * 86_400));
        let stored = invitations::get(app.store.as_ref(), None, &invitation.id).await.unwrap().unwrap();
        assert_eq!(stored, invitation);
        assert!(invitations::find_by_token(app.store.as_ref(), &invitation.token_hash).await.unwrap().is_none(),
            "the hash is not the secret");
    }

    #[tokio::test]
    async fn tenant_roles_need_an_existing_tenant_and_platform_roles_none() {
        let (app, _clock) = web::testing::state();
        let actor = actor(&app);
        let field = |r: Result<Invitation, AdminError>| match r {
            Err(AdminError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(invite(&app, &actor, cmd(Role::TenantMember, None)).await), "tenant_id");
        assert_eq!(field(invite(&app, &actor, cmd(Role::TenantMember, Some("ten_nope"))).await), "tenant_id");
        let unknown = TenantId::generate(app.clock.now()).to_string();
        assert_eq!(field(invite(&app, &actor, cmd(Role::TenantAdmin, Some(&unknown))).await), "tenant_id");
        assert_eq!(field(invite(&app, &actor, cmd(Role::PlatformAdmin, Some(&unknown))).await), "tenant_id");
        let bad_email = Invite { email: "not an email".into(), ..cmd(Role::Partner, None) };
        assert_eq!(field(invite(&app, &actor, bad_email).await), "email");
        let bad_name = Invite { name: "  ".into(), ..cmd(Role::Partner, None) };
        assert_eq!(field(invite(&app, &actor, bad_name).await), "name");
        // AND nothing was written
        let page = invitations::list(app.store.as_ref(), None, 100, None).await.unwrap();
        assert!(page.items.is_empty());
    }
}
