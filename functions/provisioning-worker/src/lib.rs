//! The `provisioning-worker` function: turns a tenant created by a platform admin from
//! `provisioning` into `active`. One SQS message `{"tenant_id": "ten_…"}` per tenant.
//!
//! Steps, in order, each one transaction with its audit event and its mark on the tenant's
//! progress item (`store::repo::provisioning`):
//! 1. `subscription` — the tenant's subscription on its plan (fixed key, conditional put);
//! 2. `settings` — the platform's default settings where the tenant has none;
//! 3. `admin_invitation` — the invitation of `admin_email` as `tenant_admin`, then its email;
//! 4. `activation` — `provisioning → active` (`Tenant::provisioned`).
//!
//! Idempotent: SQS delivers at least once, and the sweep may send a message again. A step whose
//! mark exists is skipped, and every mark is written with `attribute_not_exists` in the step's
//! own transaction, so two deliveries, even concurrent ones, do each step once. The one thing
//! outside a transaction is the email: if it cannot be sent, the message fails and is retried;
//! a retry mints a new token for the same invitation (the old link stops working), so there is
//! still exactly one invitation. A tenant deleted while provisioning is left alone (restoring
//! it sends a new message).
pub mod emails;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use serde::Deserialize;
use serde_json::json;
use store::ports::queue::QueueName;
use web::AppState;
use web::module::{Module, Worker};
use store::audit::AuditEvent;
use domain::secrets;
use domain::email::Email;
use domain::ids::{InvitationId, PlanId, SubscriptionId, TenantId};
use domain::invitation::{self, Invitation, InvitationStatus};
use domain::tenant_settings;
use domain::time::Timestamp;
use domain::user::Role;
use store::ports::item_store::{ItemStore, StoreError};
use store::ports::mailer::MailError;
use store::repo::provisioning::{self, Progress, Step};
use store::repo::subscriptions::{self, Subscription};
use store::repo::tenants::{self, Tenant, TenantStatus};
use store::repo::{invitations, plans};

/// This function, as the platform's list of modules sees it: the provisioning queue's worker.
pub const MODULE: Module = Module {
    workers: &[Worker {
        queue: QueueName::Provisioning,
        handle: |state, body| Box::pin(async move { handle(&state, &body).await.map_err(|e| e.to_string()) }),
    }],
    ..Module::named("provisioning-worker")
};

/// The actor and address of the events this worker records.
const ACTOR: &str = "system";
const IP: &str = "internal";
/// Tries of a step that lost a race on the tenant record (an admin changed it meanwhile).
const TRIES: usize = 3;

/// The message on the provisioning queue.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct ProvisioningMessage {
    pub tenant_id: TenantId,
}

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// Not for this queue; after the redrive limit it parks in the dead-letter queue.
    #[error("not a provisioning message: {0}")]
    BadMessage(String),
    #[error("the plan {0} of the tenant does not exist")]
    PlanMissing(PlanId),
    #[error("the tenant kept changing during step {0}; retrying later")]
    Contended(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

/// What one run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The tenant is active (now or already).
    Active,
    /// Nothing to do: the tenant is gone or left `provisioning` another way (deleted).
    Skipped,
}

/// Handles one message body: the function both the Lambda (through `handle_event`) and the
/// local server's in-process worker call.
pub async fn handle(state: &AppState, body: &str) -> Result<(), WorkerError> {
    let message: ProvisioningMessage = serde_json::from_str(body).map_err(|e| WorkerError::BadMessage(e.to_string()))?;
    let outcome = provision(state, &message.tenant_id).await?;
    tracing::info!(tenant = %message.tenant_id, ?outcome, "provisioning message handled");
    Ok(())
}

/// The Lambda entry point: each record through `handle`, the failed ones reported back to SQS.
pub async fn handle_event(state: &AppState, event: lambda_runtime::LambdaEvent<SqsEvent>) -> SqsBatchResponse {
    web::lambda::sqs::handle_batch(event.payload, |body| async move { handle(state, &body).await }).await
}

/// Whether a step lets the run go on.
enum Flow {
    Continue,
    /// The tenant is no longer provisioning: stop here.
    Stopped,
}

/// Runs the steps not yet done for `tenant`.
pub async fn provision(state: &AppState, tenant: &TenantId) -> Result<Outcome, WorkerError> {
    let store = state.store.as_ref();
    let Some(current) = tenants::get(store, tenant).await? else { return Ok(Outcome::Skipped) };
    match current.status {
        TenantStatus::Provisioning => {}
        TenantStatus::Active | TenantStatus::Suspended => return Ok(Outcome::Active),
        TenantStatus::Deleted => return Ok(Outcome::Skipped),
    }
    let progress = provisioning::get(store, tenant).await?;
    if !progress.is_done(Step::Subscription) && let Flow::Stopped = subscription(state, &current).await? {
        return Ok(Outcome::Skipped);
    }
    if !progress.is_done(Step::Settings) && let Flow::Stopped = settings(state, tenant).await? {
        return Ok(Outcome::Skipped);
    }
    if !progress.is_done(Step::AdminInvitation) && let Flow::Stopped = admin_invitation(state, &current, &progress).await? {
        return Ok(Outcome::Skipped);
    }
    match activate(state, tenant).await? {
        Flow::Continue => Ok(Outcome::Active),
        Flow::Stopped => Ok(Outcome::Skipped),
    }
}

fn event(now: Timestamp, action: &str, tenant: &TenantId) -> AuditEvent {
    AuditEvent::new(now, ACTOR, action, IP).tenant(Some(tenant))
}

/// Step 1: the subscription on the tenant's plan.
async fn subscription(state: &AppState, tenant: &Tenant) -> Result<Flow, WorkerError> {
    let store = state.store.as_ref();
    let plan = plans::get(store, &tenant.plan_id).await?.ok_or_else(|| WorkerError::PlanMissing(tenant.plan_id.clone()))?;
    let now = state.clock.now();
    let sub = Subscription::start(SubscriptionId::generate(now), tenant.id.clone(), &plan, now);
    let audit = event(now, "subscription.created", &tenant.id)
        .target(&sub.id)
        .details(json!({"plan_id": sub.plan_id, "status": sub.status, "trial_end": sub.trial_end}));
    let writes = audit.appended_to(vec![
        provisioning::guard(&tenant.id),
        subscriptions::create(&sub)?,
        provisioning::mark(&tenant.id, Step::Subscription, now),
    ])?;
    match store.transact(writes).await {
        Ok(()) => Ok(Flow::Continue),
        Err(StoreError::ConditionFailed { index: Some(0) }) => Ok(Flow::Stopped),
        // The tenant has a subscription already (made outside provisioning): keep it.
        Err(StoreError::ConditionFailed { index: Some(1) }) => mark_only(store, &tenant.id, Step::Subscription, now).await,
        // A concurrent delivery did this step.
        Err(StoreError::ConditionFailed { index: Some(2) }) => Ok(Flow::Continue),
        Err(e) => Err(e.into()),
    }
}

async fn mark_only(store: &dyn ItemStore, tenant: &TenantId, step: Step, now: Timestamp) -> Result<Flow, WorkerError> {
    match store.transact(vec![provisioning::mark(tenant, step, now)]).await {
        Ok(()) | Err(StoreError::ConditionFailed { .. }) => Ok(Flow::Continue),
        Err(e) => Err(e.into()),
    }
}

/// Step 2: the default settings, only where the tenant has none.
async fn settings(state: &AppState, id: &TenantId) -> Result<Flow, WorkerError> {
    let store = state.store.as_ref();
    for _ in 0..TRIES {
        let Some(tenant) = tenants::get(store, id).await? else { return Ok(Flow::Stopped) };
        if tenant.status != TenantStatus::Provisioning {
            return Ok(Flow::Stopped);
        }
        let now = state.clock.now();
        let mut next = tenant.clone();
        next.settings = tenant_settings::fill_defaults(&tenant.settings, &tenant_settings::defaults(&tenant.name));
        next.version += 1;
        let audit = event(now, "tenant.settings_defaulted", id).target(id).details(json!({"settings": next.settings}));
        let writes = audit.appended_to(vec![tenants::save(&next)?, provisioning::mark(id, Step::Settings, now)])?;
        match store.transact(writes).await {
            Ok(()) => return Ok(Flow::Continue),
            // The tenant changed since it was read (an admin's PATCH): read it again.
            Err(StoreError::ConditionFailed { index: Some(0) }) => continue,
            Err(StoreError::ConditionFailed { index: Some(1) }) => return Ok(Flow::Continue),
            Err(e) => return Err(e.into()),
        }
    }
    Err(WorkerError::Contended("settings"))
}

/// Step 3: one invitation of `admin_email` as the tenant's admin, and its email.
async fn admin_invitation(state: &AppState, tenant: &Tenant, progress: &Progress) -> Result<Flow, WorkerError> {
    let store = state.store.as_ref();
    let now = state.clock.now();
    let Some(email) = tenant.admin_email.as_deref().and_then(|e| Email::parse(e).ok()) else {
        // Nobody to invite (never the case for a tenant an admin created): nothing to send.
        tracing::warn!(tenant = %tenant.id, "provisioning a tenant without an admin email");
        return mark_only(store, &tenant.id, Step::AdminInvitation, now).await;
    };
    let secret = secrets::new_secret();
    let invitation = match &progress.invitation_id {
        None => match create_invitation(state, tenant, &email, &secret, now).await? {
            Some(invitation) => invitation,
            None => return Ok(Flow::Stopped),
        },
        Some(id) => match rotate_token(state, tenant, id, &secret, now).await? {
            Some(invitation) => invitation,
            // Already accepted or revoked: nothing left to send.
            None => return mark_only(store, &tenant.id, Step::AdminInvitation, now).await,
        },
    };
    let mail = emails::admin_invitation(&email, &tenant.name, &state.config.public_url, &secret);
    state.mailer.send(&mail).await?;
    let audit = event(now, "tenant.admin_invited", &tenant.id)
        .target(&invitation.id)
        .details(json!({"email": email, "role": Role::TenantAdmin, "expires_at": invitation.expires_at}));
    match store.transact(audit.appended_to(vec![provisioning::mark(&tenant.id, Step::AdminInvitation, now)])?).await {
        Ok(()) | Err(StoreError::ConditionFailed { index: Some(0) }) => Ok(Flow::Continue),
        Err(e) => Err(e.into()),
    }
}

/// Creates the invitation and records its id in one transaction; None when the tenant left
/// provisioning. If another delivery made one first, that one is used (with a new token).
async fn create_invitation(state: &AppState, tenant: &Tenant, email: &Email, secret: &str, now: Timestamp) -> Result<Option<Invitation>, WorkerError> {
    let store = state.store.as_ref();
    let invitation = Invitation {
        id: InvitationId::generate(now),
        tenant_id: Some(tenant.id.clone()),
        email: email.clone(),
        name: None,
        role: Role::TenantAdmin,
        invited_by: ACTOR.into(),
        status: InvitationStatus::Pending,
        created_at: now,
        expires_at: now.plus_seconds(invitation::VALID_SECONDS),
        accepted_at: None,
        token_hash: secrets::hash_secret(secret),
        version: 1,
    };
    let audit = event(now, "invitation.created", &tenant.id)
        .target(&invitation.id)
        .details(json!({"email": email, "role": Role::TenantAdmin, "by": "provisioning"}));
    let writes = audit.appended_to(vec![
        provisioning::guard(&tenant.id),
        invitations::create(&invitation)?,
        provisioning::mark_invitation(&tenant.id, &invitation.id),
    ])?;
    match store.transact(writes).await {
        Ok(()) => Ok(Some(invitation)),
        Err(StoreError::ConditionFailed { index: Some(0) }) => Ok(None),
        Err(StoreError::ConditionFailed { index: Some(2) }) => {
            let progress = provisioning::get(store, &tenant.id).await?;
            match progress.invitation_id {
                Some(id) => rotate_token(state, tenant, &id, secret, now).await,
                None => Err(WorkerError::Contended("admin_invitation")),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// Gives the existing invitation a new token (the emailed secret is never stored, so a lost
/// email can only be replaced); None when it is no longer pending.
async fn rotate_token(state: &AppState, tenant: &Tenant, id: &InvitationId, secret: &str, now: Timestamp) -> Result<Option<Invitation>, WorkerError> {
    let store = state.store.as_ref();
    let Some(mut invitation) = invitations::get(store, Some(&tenant.id), id).await? else {
        return Err(WorkerError::Store(StoreError::Corrupt(format!("invitation {id} of the provisioning marker"))));
    };
    if invitation.status_at(now) != InvitationStatus::Pending {
        return Ok(None);
    }
    invitation.token_hash = secrets::hash_secret(secret);
    invitation.expires_at = now.plus_seconds(invitation::VALID_SECONDS);
    invitation.version += 1;
    match store.transact(vec![invitations::save(&invitation)?]).await {
        Ok(()) => Ok(Some(invitation)),
        Err(StoreError::ConditionFailed { .. }) => Err(WorkerError::Contended("admin_invitation")),
        Err(e) => Err(e.into()),
    }
}

/// Step 4: `provisioning → active`.
async fn activate(state: &AppState, id: &TenantId) -> Result<Flow, WorkerError> {
    let store = state.store.as_ref();
    for _ in 0..TRIES {
        let Some(tenant) = tenants::get(store, id).await? else { return Ok(Flow::Stopped) };
        let Ok(active) = tenant.clone().provisioned() else {
            // Already active (a concurrent delivery) or deleted meanwhile.
            return Ok(if tenant.status == TenantStatus::Deleted { Flow::Stopped } else { Flow::Continue });
        };
        let now = state.clock.now();
        let audit = event(now, "tenant.provisioned", id)
            .target(id)
            .details(json!({"from": tenant.status, "to": active.status}));
        let writes = audit.appended_to(vec![tenants::save(&active)?, provisioning::mark(id, Step::Activation, now)])?;
        match store.transact(writes).await {
            Ok(()) => return Ok(Flow::Continue),
            Err(StoreError::ConditionFailed { index: Some(0) }) => continue,
            Err(StoreError::ConditionFailed { index: Some(1) }) => return Ok(Flow::Continue),
            Err(e) => return Err(e.into()),
        }
    }
    Err(WorkerError::Contended("activation"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use adapters::embedded::Outbox;
    use adapters::embedded::outbox::StoredEmail;
    use store::audit::{self, AuditFilter};

    async fn tenant_in_provisioning(state: &AppState) -> Tenant {
        let now = state.clock.now();
        let plan = plans::free(state.store.as_ref(), now).await.unwrap();
        let mut tenant = Tenant::new(TenantId::generate(now), "Acme".into(), "acme".into(), TenantStatus::Provisioning,
            plan.id, plan.currency, now);
        tenant.admin_email = Some("boss@acme.example".into());
        tenant.settings = json!({"security": {"require_mfa": true}});
        state.store.transact(tenants::create(&tenant).unwrap()).await.unwrap();
        tenant
    }

    /// The emails sent so far, newest first.
    async fn outbox(state: &AppState) -> Vec<StoredEmail> {
        Outbox::new(state.store.clone(), state.clock.clone()).list(999, None).await.unwrap().0
    }

    /// Every item of the tenant's partition, its audit trail and the outbox.
    async fn snapshot(state: &AppState, id: &TenantId) -> (Vec<(String, serde_json::Value)>, Vec<AuditEvent>, Vec<StoredEmail>) {
        let store = state.store.as_ref();
        let items = tenants::partition(store, id).await.unwrap().into_iter().map(|i| (i.key.sk, serde_json::Value::Object(i.attrs)));
        let filter = AuditFilter { tenant_id: Some(id.clone()), ..Default::default() };
        let trail = audit::list(store, &filter, 999, None, state.clock.now()).await.unwrap().events;
        (items.collect(), trail, outbox(state).await)
    }

    #[tokio::test]
    async fn a_provisioned_tenant_is_active_with_a_subscription_defaults_and_one_invitation() {
        // GIVEN a tenant an admin created
        let (state, _clock) = web::testing::state();
        let tenant = tenant_in_provisioning(&state).await;
        let body = json!({"tenant_id": tenant.id}).to_string();
        // WHEN its message is handled
        handle(&state, &body).await.unwrap();
        // THEN it is active, with its subscription, its defaults (what was given kept) and progress
        let after = tenants::get(state.store.as_ref(), &tenant.id).await.unwrap().unwrap();
        assert_eq!(after.status, TenantStatus::Active);
        assert_eq!(after.settings["security"]["require_mfa"], true);
        assert_eq!(after.settings["security"]["password_min_length"], 12);
        assert_eq!(after.settings["organization"]["name"], "Acme");
        let sub = subscriptions::get(state.store.as_ref(), &tenant.id).await.unwrap().unwrap();
        assert_eq!((sub.plan_id, sub.status), (tenant.plan_id.clone(), subscriptions::SubscriptionStatus::Active));
        let progress = provisioning::get(state.store.as_ref(), &tenant.id).await.unwrap();
        assert_eq!(progress.steps_done(), 4);
        // AND one invitation as tenant admin, emailed with a token that finds it
        let page = invitations::list(state.store.as_ref(), Some(&tenant.id), 10, None).await.unwrap();
        assert_eq!(page.items.len(), 1);
        let invitation: Invitation = page.items[0].record().unwrap();
        assert_eq!((invitation.role, invitation.email.as_str()), (Role::TenantAdmin, "boss@acme.example"));
        let mails = outbox(&state).await;
        assert_eq!(mails.len(), 1);
        let text = mails[0].text.clone();
        let token = text.split("token=").nth(1).unwrap().split_whitespace().next().unwrap();
        let found = invitations::find_by_token(state.store.as_ref(), token).await.unwrap().unwrap();
        assert_eq!(found.id, invitation.id);
    }

    #[tokio::test]
    async fn a_message_delivered_twice_does_everything_once() {
        let (state, clock) = web::testing::state();
        let tenant = tenant_in_provisioning(&state).await;
        let body = json!({"tenant_id": tenant.id}).to_string();
        handle(&state, &body).await.unwrap();
        let first = snapshot(&state, &tenant.id).await;
        clock.advance(60);
        handle(&state, &body).await.unwrap();
        assert_eq!(snapshot(&state, &tenant.id).await, first, "the second delivery changed something");
    }

    #[tokio::test]
    async fn a_run_cut_short_after_the_invitation_resumes_without_a_second_invitation() {
        // GIVEN a run that made the invitation but died before emailing it
        let (state, _clock) = web::testing::state();
        let tenant = tenant_in_provisioning(&state).await;
        let now = state.clock.now();
        let email = Email::parse("boss@acme.example").unwrap();
        let made = create_invitation(&state, &tenant, &email, "lost secret", now).await.unwrap().unwrap();
        // WHEN the message is delivered again
        handle(&state, &json!({"tenant_id": tenant.id}).to_string()).await.unwrap();
        // THEN the same invitation is emailed with a new token; the lost one no longer works
        let page = invitations::list(state.store.as_ref(), Some(&tenant.id), 10, None).await.unwrap();
        assert_eq!(page.items.len(), 1);
        let invitation: Invitation = page.items[0].record().unwrap();
        assert_eq!(invitation.id, made.id);
        assert!(invitations::find_by_token(state.store.as_ref(), "lost secret").await.unwrap().is_none());
        assert_eq!(tenants::get(state.store.as_ref(), &tenant.id).await.unwrap().unwrap().status, TenantStatus::Active);
    }

    #[tokio::test]
    async fn a_tenant_deleted_before_its_job_runs_is_left_alone() {
        let (state, _clock) = web::testing::state();
        let tenant = tenant_in_provisioning(&state).await;
        let deleted = tenant.clone().delete(state.clock.now()).unwrap();
        state.store.transact(vec![tenants::save(&deleted).unwrap()]).await.unwrap();
        assert_eq!(provision(&state, &tenant.id).await.unwrap(), Outcome::Skipped);
        assert!(subscriptions::get(state.store.as_ref(), &tenant.id).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_message_that_is_not_for_this_queue_fails() {
        let (state, _clock) = web::testing::state();
        for body in ["", "{}", r#"{"tenant_id": "usr_01jd00000000000000000000zz"}"#, "nope"] {
            assert!(matches!(handle(&state, body).await, Err(WorkerError::BadMessage(_))), "{body}");
        }
        // A well-formed id of no tenant is done (nothing to provision), not retried for ever.
        let ghost = json!({"tenant_id": TenantId::generate(state.clock.now())}).to_string();
        assert!(handle(&state, &ghost).await.is_ok());
    }
}
