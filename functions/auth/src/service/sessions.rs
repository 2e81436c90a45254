//! The caller's own sessions: list them, end one.
use store::audit::AuditEvent;
use domain::ids::{SessionId, UserId};
use web::client::ClientMeta;
use store::ports::item_store::Cursor;
use store::repo::sessions::{self, Session};
use store::repo::users;

use super::AuthError;
use crate::state::AuthState;

pub async fn list(state: &AuthState, user: &UserId, limit: usize, after: Option<Cursor>) -> Result<(Vec<Session>, Option<Cursor>), AuthError> {
    let page = sessions::list(state.app.store.as_ref(), user, limit, after).await?;
    let list = page.items.iter().map(|i| i.record()).collect::<Result<Vec<Session>, _>>()?;
    Ok((list, page.next))
}

/// Ends one of the caller's sessions; another user's session id is simply not found.
pub async fn revoke(state: &AuthState, user: &UserId, id: &SessionId, meta: &ClientMeta) -> Result<(), AuthError> {
    let app = &state.app;
    let tenant = users::get(app.store.as_ref(), user).await?.and_then(|u| u.tenant_id);
    let audit = AuditEvent::new(app.clock.now(), user.as_str(), "session.revoked", &meta.ip).tenant(tenant.as_ref()).target(id);
    match app.store.transact(audit.appended_to(vec![sessions::end_existing(user, id)])?).await {
        Ok(()) => Ok(()),
        Err(store::ports::item_store::StoreError::ConditionFailed { index: Some(0) }) => Err(AuthError::NotFound("session")),
        Err(e) => Err(e.into()),
    }
}
