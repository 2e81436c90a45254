//! Invitations to the caller's tenant: list, send (a 7-day single-use link by email, only the
//! hash of its secret stored, one seat held until it is accepted, revoked or expires) and
//! revoke.
use serde_json::json;
use web::AppState;
use domain::secrets;
use web::auth::Caller;
use domain::email::Email;
use domain::ids::{InvitationId, TenantId};
use domain::invitation::{Invitation, InvitationError, InvitationStatus, VALID_SECONDS};
use domain::team::HeldSeat;
use domain::user::Role;
use web::PageRequest;
use store::ports::item_store::Page;
use store::repo::{invitations, team, tenants, users};
use store::retry;

use super::members::tenant_role;
use super::{ATTEMPTS, Origin, TeamError, seat_limit, tenant_of, writable_tenant};
use crate::emails;

/// One page of the tenant's invitations, newest first.
pub async fn page(app: &AppState, tenant: &TenantId, request: &PageRequest) -> Result<Page, TeamError> {
    Ok(invitations::list(app.store.as_ref(), Some(tenant), request.limit + 1, request.after.clone()).await?)
}

/// Sends an invitation to `email` with `role`, if a seat is free. An address that is already a
/// member's is refused; an address with an account elsewhere is invited all the same (saying
/// so would tell a tenant admin who has an account), and accepting explains.
pub async fn create(app: &AppState, caller: &Caller, origin: &Origin, email: &str, role: Role) -> Result<Invitation, TeamError> {
    let tenant_id = &tenant_of(caller)?;
    let email = &Email::parse(email).map_err(|_| TeamError::invalid("email", "is not an email address"))?;
    let role = tenant_role(role)?;
    let store = app.store.as_ref();
    let inviter = &users::get(store, &caller.user_id).await?.map(|u| u.name).unwrap_or_else(|| "Your administrator".into());
    retry::on_conflict(ATTEMPTS, || async move {
        let tenant = writable_tenant(app, tenant_id).await?;
        let limit = seat_limit(app, &tenant).await?;
        if let Some(user) = users::find_by_email(store, email).await?
            && user.tenant_id.as_ref() == Some(tenant_id)
        {
            return Err(TeamError::AlreadyMember);
        }
        let now = app.clock.now();
        let secret = secrets::new_secret();
        let invitation = Invitation {
            id: InvitationId::generate(now),
            tenant_id: Some(tenant_id.clone()),
            email: email.clone(),
            name: None,
            role,
            invited_by: caller.user_id.to_string(),
            status: InvitationStatus::Pending,
            created_at: now,
            expires_at: now.plus_seconds(VALID_SECONDS),
            accepted_at: None,
            token_hash: secrets::hash_secret(&secret),
            version: 1,
        };
        let seat = HeldSeat { invitation_id: invitation.id.clone(), email: email.clone(), expires_at: invitation.expires_at };
        let roster = team::load(store, tenant_id, now).await?.hold_seat(seat, now, limit)?;
        let audit = origin.event(now, caller.user_id.as_str(), "invitation.created")
            .tenant(Some(tenant_id))
            .target(&invitation.id)
            .details(json!({"email": email, "role": role, "expires_at": invitation.expires_at}));
        let writes = audit.appended_to(vec![team::save(&roster)?, invitations::create(&invitation)?])?;
        match store.transact(writes).await {
            Ok(()) => {}
            Err(e) if retry::lost_race_on(&e, &[0]) => return Err(TeamError::Conflict),
            Err(e) => return Err(e.into()),
        }
        let mail = emails::invitation(email, inviter, &tenant.name, role, &app.config.public_url, &secret);
        if let Err(e) = app.mailer.send(&mail).await {
            // An invitation nobody received only holds a seat: take it back, so that a retry
            // sends a new one instead of answering `already_invited`.
            if let Err(undo) = revoke_as(app, tenant_id, &invitation.id, "system", origin, Some("email not sent")).await {
                tracing::error!(error = %undo, invitation = %invitation.id, "could not revoke an invitation whose email failed");
            }
            return Err(e.into());
        }
        Ok(invitation)
    })
    .await
}

/// Revokes a pending invitation of the caller's tenant; its seat is free again.
pub async fn revoke(app: &AppState, caller: &Caller, origin: &Origin, id: &InvitationId) -> Result<Invitation, TeamError> {
    let tenant = tenant_of(caller)?;
    writable_tenant(app, &tenant).await?;
    revoke_as(app, &tenant, id, caller.user_id.as_str(), origin, None).await
}

async fn revoke_as(app: &AppState, tenant: &TenantId, id: &InvitationId, actor: &str, origin: &Origin, reason: Option<&str>) -> Result<Invitation, TeamError> {
    let store = app.store.as_ref();
    retry::on_conflict(ATTEMPTS, || async move {
        let now = app.clock.now();
        let invitation = invitations::get(store, Some(tenant), id).await?.ok_or(TeamError::NotFound("invitation"))?;
        let revoked = invitation.revoke(now).map_err(|InvitationError::NotPending(status)| TeamError::NotPending(status))?;
        let roster = team::load(store, tenant, now).await?.release_seat(id, now);
        let audit = origin.event(now, actor, "invitation.revoked")
            .tenant(Some(tenant))
            .target(id)
            .details(json!({"email": revoked.email, "reason": reason}));
        match store.transact(audit.appended_to(vec![invitations::save(&revoked)?, team::save(&roster)?])?).await {
            Ok(()) => Ok(revoked),
            Err(e) if retry::lost_race_on(&e, &[0, 1]) => Err(TeamError::Conflict),
            Err(e) => Err(e.into()),
        }
    })
    .await
}

/// The seats the tenant uses (members and live pending invitations) and its plan's limit.
pub async fn seats(app: &AppState, tenant: &TenantId) -> Result<(i64, i64), TeamError> {
    let record = tenants::get(app.store.as_ref(), tenant).await?.ok_or(TeamError::NotFound("organization"))?;
    let now = app.clock.now();
    let roster = team::load(app.store.as_ref(), tenant, now).await?;
    Ok((roster.seats_used(now), seat_limit(app, &record).await?))
}
