//! The tenant lifecycle use cases: load → the state machine in `domain::tenant` →
//! save with its audit event in one transaction → emit (the provisioning message).
//! Handlers in `api` call these and only translate.
use serde_json::{Value, json};
use web::AppState;
use store::audit::AuditEvent;
use domain::email::Email;
use domain::ids::{PlanId, TenantId};
use domain::tenant::TenantError;
use domain::tenant_settings::SettingsPatch;
use domain::text::parse_line;
use domain::time::Timestamp;
use web::ApiError;
use store::ports::item_store::{Cursor, ItemStore, StoreError};
use store::ports::queue::QueueName;
use store::repo::plans::{self, Plan};
use store::repo::provisioning::{self, Progress};
use store::repo::tenants::{self, Tenant, TenantStatus};
use store::repo::sessions::{self, SessionsToEnd};
use store::repo::{invitations, subscriptions, team};

/// The longest slug, and the longest tenant name.
pub const MAX_SLUG: usize = 48;
pub const MAX_NAME: usize = 100;
/// Retention of a deleted tenant, in days: at least one, at most ten years.
pub const RETENTION_DAYS: std::ops::RangeInclusive<i64> = 1..=3650;
/// How many tenants one list request examines at most when filtering by `q`.
pub const SEARCH_BUDGET: usize = 1000;

/// What the tenant use cases refuse with; the one mapping to HTTP is `From<TenantsError>`.
#[derive(Debug, thiserror::Error)]
pub enum TenantsError {
    #[error("no such tenant")]
    NotFound,
    #[error("slug taken")]
    SlugTaken,
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{0}")]
    InvalidState(String),
    #[error("version {expected} is not the current one")]
    PreconditionFailed { expected: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl TenantsError {
    pub fn invalid(field: &str, message: impl ToString) -> TenantsError {
        TenantsError::Invalid { field: field.into(), message: message.to_string() }
    }
}

impl From<TenantError> for TenantsError {
    fn from(e: TenantError) -> Self {
        TenantsError::InvalidState(e.to_string())
    }
}

/// The one mapping of the use cases' refusals to HTTP, for the JSON API and the pages alike:
/// the messages are written for the person reading them (the pages show them as they are),
/// status, code and field are the contract.
impl From<TenantsError> for ApiError {
    fn from(e: TenantsError) -> ApiError {
        match e {
            TenantsError::NotFound => ApiError::new(
                http::StatusCode::NOT_FOUND,
                "not_found",
                "That tenant does not exist (any more): it may have been purged.",
            ),
            TenantsError::SlugTaken => {
                ApiError::conflict("slug_taken", "Another tenant already has this slug. Choose another.").with_field("slug")
            }
            TenantsError::Invalid { field, message } => {
                let text = match field.as_str() {
                    // The parser's own words ("missing @") help nobody fix an address.
                    "admin_email" => "Enter a valid email address, like it@example.com.".to_string(),
                    "plan_id" => "Choose one of the plans.".to_string(),
                    "retention_days" => "Retention must be a whole number of days, from 1 to 3650.".to_string(),
                    f => format!("{} {}.", field_label(f), message.trim_end_matches('.')),
                };
                ApiError::invalid_field(&field, text)
            }
            TenantsError::InvalidState(message) => ApiError::conflict("invalid_state", format!("{}.", sentence(&message))),
            TenantsError::PreconditionFailed { expected } => ApiError::new(
                http::StatusCode::PRECONDITION_FAILED,
                "precondition_failed",
                format!(
                    "Someone changed this tenant after you opened the form (your form was based on version {expected}). Nothing was saved: start again from the current values."
                ),
            ),
            TenantsError::Store(e) => e.into(),
        }
    }
}

/// A field's name as a sentence starts with it: "Slug must be…".
fn field_label(field: &str) -> &str {
    match field {
        "name" => "Name",
        "slug" => "Slug",
        "plan_id" => "Plan",
        "admin_email" => "Admin email",
        "reason" => "Reason",
        "retention_days" => "Retention",
        other => other,
    }
}

/// The state machine's lower-case phrase as a sentence: capital first, no final stop (the
/// caller adds it).
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let first: String = chars.next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
    format!("{first}{}", chars.as_str().trim_end_matches('.'))
}

/// Who changes something, for the audit trail.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: String,
    pub ip: String,
    pub request_id: Option<String>,
}

impl Actor {
    fn event(&self, at: Timestamp, action: &str, tenant: &TenantId) -> AuditEvent {
        AuditEvent::new(at, self.user_id.as_str(), action, &self.ip)
            .tenant(Some(tenant))
            .target(tenant)
            .request(self.request_id.as_deref())
    }
}

/// A slug: lower-case letters and digits, single dashes between them, at most 48.
pub fn parse_slug(raw: &str) -> Result<String, String> {
    let ok = !raw.is_empty()
        && raw.len() <= MAX_SLUG
        && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !raw.starts_with('-')
        && !raw.ends_with('-')
        && !raw.contains("--");
    if ok {
        Ok(raw.to_string())
    } else {
        Err(format!("must be 1 to {MAX_SLUG} lower-case letters or digits, with single dashes between them"))
    }
}

fn parse_name(raw: &str) -> Result<String, TenantsError> {
    parse_line(raw, MAX_NAME).map_err(|e| TenantsError::invalid("name", e))
}

fn parse_settings(patch: SettingsPatch) -> Result<SettingsPatch, TenantsError> {
    patch.parse().map_err(|e| TenantsError::invalid(&format!("settings.{}", e.field), e.message))
}

fn parse_retention(days: i64) -> Result<i64, TenantsError> {
    if RETENTION_DAYS.contains(&days) {
        Ok(days)
    } else {
        Err(TenantsError::invalid("retention_days", "must be from 1 to 3650 days"))
    }
}

pub struct NewTenant {
    pub name: String,
    pub slug: String,
    pub plan_id: String,
    pub admin_email: String,
    pub settings: Option<SettingsPatch>,
}

/// Asks the provisioning worker to (re)run for `tenant`.
///
/// Sent after the transaction that created (or restored) the tenant has committed: a message
/// must never name a tenant that does not exist. If the send is lost (SQS unavailable, the
/// function dies in between), the tenant still waits in `provisioning`, and the scheduled
/// `provisioning-sweep` job re-sends the message for every tenant provisioning for more than a
/// few minutes. The worker is idempotent, so a message sent twice does the work once.
pub async fn request_provisioning(state: &AppState, tenant: &TenantId) {
    let body = json!({"tenant_id": tenant}).to_string();
    if let Err(e) = state.queue.send(QueueName::Provisioning, &body).await {
        tracing::warn!(tenant = %tenant, error = %e, "provisioning message not sent; the sweep will send it");
    }
}

/// Creates a tenant in `provisioning`, claims its slug, records the event (one transaction),
/// then asks the worker to provision it.
pub async fn create(state: &AppState, actor: &Actor, cmd: NewTenant) -> Result<Tenant, TenantsError> {
    let name = parse_name(&cmd.name)?;
    let slug = parse_slug(&cmd.slug).map_err(|m| TenantsError::invalid("slug", m))?;
    let plan_id = PlanId::parse(cmd.plan_id.trim()).ok_or_else(|| TenantsError::invalid("plan_id", "no such plan"))?;
    let admin_email = Email::parse(&cmd.admin_email).map_err(|e| TenantsError::invalid("admin_email", e))?;
    let settings = cmd.settings.map(parse_settings).transpose()?;
    let store = state.store.as_ref();
    let plan = plans::get(store, &plan_id).await?.ok_or_else(|| TenantsError::invalid("plan_id", "no such plan"))?;
    let now = state.clock.now();
    let mut tenant =
        Tenant::new(TenantId::generate(now), name, slug, TenantStatus::Provisioning, plan.id.clone(), plan.currency.clone(), now);
    tenant.admin_email = Some(admin_email.to_string());
    if let Some(patch) = &settings {
        tenant.settings = patch.apply(&tenant.settings);
    }
    let audit = actor.event(now, "tenant.created", &tenant.id).details(json!({
        "name": tenant.name, "slug": tenant.slug, "plan_id": tenant.plan_id, "admin_email": tenant.admin_email,
    }));
    // Write 0 is the slug claim: its condition failing means the slug is taken.
    let writes = audit.appended_to(tenants::create(&tenant)?)?;
    match store.transact(writes).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { index: Some(0) }) => return Err(TenantsError::SlugTaken),
        Err(e) => return Err(e.into()),
    }
    request_provisioning(state, &tenant.id).await;
    Ok(tenant)
}

pub async fn load(store: &dyn ItemStore, id: &TenantId) -> Result<Tenant, TenantsError> {
    tenants::get(store, id).await?.ok_or(TenantsError::NotFound)
}

/// A tenant with its provisioning progress and its subscription (once provisioned).
pub struct TenantDetail {
    pub tenant: Tenant,
    pub progress: Progress,
    pub subscription: Option<subscriptions::Subscription>,
}

pub async fn get(state: &AppState, id: &TenantId) -> Result<TenantDetail, TenantsError> {
    let store = state.store.as_ref();
    let tenant = load(store, id).await?;
    let progress = provisioning::get(store, id).await?;
    let subscription = subscriptions::get(store, id).await?;
    Ok(TenantDetail { tenant, progress, subscription })
}

/// Filters of the tenants list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub status: Option<TenantStatus>,
    /// Lower-case text that the name or the slug must contain.
    pub q: Option<String>,
}

impl ListFilter {
    /// The cursor scope: a cursor of one filter is refused by every other.
    pub fn scope(&self) -> String {
        format!("admin-tenants:{}:{}", self.status.map(|s| s.as_str()).unwrap_or("*"), self.q.as_deref().unwrap_or(""))
    }

    fn matches(&self, tenant: &Tenant) -> bool {
        match &self.q {
            None => true,
            Some(q) => tenant.name.to_lowercase().contains(q.as_str()) || tenant.slug.contains(q.as_str()),
        }
    }
}

/// One page of tenants: what matched, and where the next page starts (None: the end).
///
/// Without `q` a page is one Query of an index (GSI1 every tenant, GSI2 one status). With
/// `q` the name/slug filter is applied while reading that index, as DynamoDB's filter
/// expressions are: a page examines at most `SEARCH_BUDGET` tenants and may come back short,
/// with `has_more` and a cursor to continue from where it stopped.
pub async fn list(
    state: &AppState,
    filter: &ListFilter,
    limit: usize,
    after: Option<Cursor>,
) -> Result<(Vec<Tenant>, Option<Cursor>), TenantsError> {
    let store = state.store.as_ref();
    if filter.q.is_none() {
        return Ok(tenants::list_page(store, filter.status, limit, after).await?);
    }
    let mut found: Vec<Tenant> = Vec::new();
    let mut examined = 0;
    let mut after = after;
    let mut last_taken: Option<Cursor> = None;
    loop {
        let page = tenants::list_batch(store, filter.status, 200, after.clone()).await?;
        for record in page.records() {
            examined += 1;
            let (tenant, cursor) = record?;
            if filter.matches(&tenant) {
                if found.len() == limit {
                    // A match beyond the page: more follow, from after the last one shown.
                    return Ok((found, last_taken));
                }
                found.push(tenant);
            }
            last_taken = Some(cursor);
        }
        match page.next {
            None => return Ok((found, None)),
            // Out of budget: continue next time from the last tenant examined.
            Some(_) if examined >= SEARCH_BUDGET => return Ok((found, last_taken)),
            Some(next) => after = Some(next),
        }
    }
}

/// What a PATCH changes; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct TenantPatch {
    pub name: Option<String>,
    pub settings: Option<SettingsPatch>,
    pub retention_days: Option<i64>,
}

/// Changes name, settings and retention; `expected` (from `If-Match` or `version`) must be the
/// current version, else 412.
pub async fn update(state: &AppState, actor: &Actor, id: &TenantId, patch: TenantPatch, expected: Option<i64>) -> Result<Tenant, TenantsError> {
    let name = patch.name.as_deref().map(parse_name).transpose()?;
    let settings = patch.settings.map(parse_settings).transpose()?;
    let retention = patch.retention_days.map(parse_retention).transpose()?;
    let store = state.store.as_ref();
    let before = load(store, id).await?;
    if let Some(expected) = expected
        && expected != before.version
    {
        return Err(TenantsError::PreconditionFailed { expected });
    }
    if before.status == TenantStatus::Deleted {
        return Err(TenantsError::InvalidState("a deleted tenant cannot be changed; restore it first".into()));
    }
    let mut after = before.clone();
    let mut changed = Vec::new();
    if let Some(name) = name.filter(|n| *n != before.name) {
        after.name = name;
        changed.push("name");
    }
    if let Some(patch) = &settings {
        let next = patch.apply(&before.settings);
        if next != before.settings {
            after.settings = next;
            changed.push("settings");
        }
    }
    if let Some(days) = retention.filter(|d| *d != before.retention_days) {
        after.retention_days = days;
        changed.push("retention_days");
    }
    if changed.is_empty() {
        return Ok(before);
    }
    after.version += 1;
    let now = state.clock.now();
    let audit = actor.event(now, "tenant.updated", id).details(json!({
        "changed": changed,
        "before": {"name": before.name, "retention_days": before.retention_days, "version": before.version},
        "after": {"name": after.name, "retention_days": after.retention_days, "version": after.version},
        "settings_patch": settings,
    }));
    save(state, &after, audit, expected).await?;
    Ok(after)
}

/// Saves a changed tenant with its event; a lost race is 412 when the caller named a
/// version, 409 `conflict` otherwise.
async fn save(state: &AppState, tenant: &Tenant, audit: AuditEvent, expected: Option<i64>) -> Result<(), TenantsError> {
    save_ending(state, tenant, audit, expected, SessionsToEnd::none()).await
}

/// `save`, ending `sessions` with it (see `sessions::commit_ending_sessions`: those that do
/// not fit beside the change are ended first, the rest in its transaction).
async fn save_ending(state: &AppState, tenant: &Tenant, audit: AuditEvent, expected: Option<i64>, ending: SessionsToEnd)
    -> Result<(), TenantsError> {
    let change = audit.appended_to(vec![tenants::save(tenant)?])?;
    match sessions::commit_ending_sessions(state.store.as_ref(), change, ending).await {
        Err(StoreError::ConditionFailed { index: Some(0) }) if expected.is_some() => {
            Err(TenantsError::PreconditionFailed { expected: tenant.version - 1 })
        }
        other => Ok(other?),
    }
}

/// Whether a transition ends the sessions of the tenant's users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sessions {
    Keep,
    End,
}

/// One lifecycle transition: the rule decides, the change and its event are one transaction
/// (with the ending of the users' sessions, when `users_sessions` says so).
async fn transition(
    state: &AppState,
    actor: &Actor,
    id: &TenantId,
    action: &str,
    details: Value,
    users_sessions: Sessions,
    rule: impl FnOnce(Tenant, Timestamp) -> Result<Tenant, TenantError>,
) -> Result<Tenant, TenantsError> {
    let before = load(state.store.as_ref(), id).await?;
    let now = state.clock.now();
    let after = rule(before.clone(), now)?;
    let ending = match users_sessions {
        Sessions::End => sessions::to_end_in_tenant(state.store.as_ref(), id).await?,
        Sessions::Keep => SessionsToEnd::none(),
    };
    let mut details = details;
    if let Value::Object(map) = &mut details {
        map.insert("from".into(), json!(before.status));
        map.insert("to".into(), json!(after.status));
        if let Some(purge_after) = after.purge_after {
            map.insert("purge_after".into(), json!(purge_after));
        }
        if users_sessions == Sessions::End {
            map.insert("sessions_ended".into(), json!(ending.len()));
        }
    }
    save_ending(state, &after, actor.event(now, action, id).details(details), None, ending).await?;
    Ok(after)
}

pub async fn suspend(state: &AppState, actor: &Actor, id: &TenantId, reason: &str) -> Result<Tenant, TenantsError> {
    let reason = parse_line(reason, 500).map_err(|e| TenantsError::invalid("reason", e))?;
    let details = json!({"reason": reason});
    transition(state, actor, id, "tenant.suspended", details, Sessions::Keep, |t, _| t.suspend(reason)).await
}

pub async fn reactivate(state: &AppState, actor: &Actor, id: &TenantId, reason: Option<&str>) -> Result<Tenant, TenantsError> {
    let details = json!({"reason": optional_reason(reason)?});
    transition(state, actor, id, "tenant.reactivated", details, Sessions::Keep, |t, _| t.reactivate()).await
}

/// Soft delete: `deleted`, restorable until `purge_after` (now + the tenant's retention).
///
/// Deleting ends every session of the tenant's users, with the deletion (see
/// `sessions::commit_ending_sessions`): while deleted, `caller` refuses the tenant's tokens
/// anyway (`tenant_deleted`), but a restore must not bring those sessions back; its users sign
/// in again. Sign-in refuses a deleted tenant, so no session starts while it is deleted; one
/// that a sign-in racing the deletion started after this sweep listed the sessions is ended
/// by the restore's own sweep (see `restore`).
pub async fn delete(state: &AppState, actor: &Actor, id: &TenantId, reason: Option<&str>) -> Result<Tenant, TenantsError> {
    let details = json!({"reason": optional_reason(reason)?});
    transition(state, actor, id, "tenant.deleted", details, Sessions::End, |t, now| t.delete(now)).await
}

/// Back to the status it had before deletion; one deleted while provisioning resumes it.
///
/// Every session of the tenant's users that still exists is ended with the restore: it was
/// started before or while the tenant was deleted (sign-in refuses a deleted tenant), never
/// after, so none outlives the deletion. Only a sign-in that checked the tenant before the
/// deletion and wrote its session after this sweep — the whole delete and restore inside one
/// sign-in request — could escape it.
pub async fn restore(state: &AppState, actor: &Actor, id: &TenantId, reason: Option<&str>) -> Result<Tenant, TenantsError> {
    let details = json!({"reason": optional_reason(reason)?});
    let tenant = transition(state, actor, id, "tenant.restored", details, Sessions::End, |t, now| t.restore(now)).await?;
    if tenant.status == TenantStatus::Provisioning {
        request_provisioning(state, &tenant.id).await;
    }
    Ok(tenant)
}

fn optional_reason(reason: Option<&str>) -> Result<Option<String>, TenantsError> {
    reason.map(|r| parse_line(r, 500).map_err(|e| TenantsError::invalid("reason", e))).transpose()
}

/// The usage figures that exist today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage {
    pub tenant: Tenant,
    pub plan: Plan,
    pub members: i64,
    pub pending_invitations: i64,
    pub as_of: Timestamp,
}

/// Members (the tenant's users, GSI2 `MEMBERS#`) and pending invitations (its partition),
/// counted page by page.
pub async fn usage(state: &AppState, id: &TenantId) -> Result<Usage, TenantsError> {
    let store = state.store.as_ref();
    let tenant = load(store, id).await?;
    let plan = plans::get(store, &tenant.plan_id).await?.ok_or_else(|| StoreError::Corrupt(format!("plan of {id}")))?;
    let now = state.clock.now();
    let members = team::count_members(store, id).await?;
    let pending = invitations::count_pending(store, id, now).await?;
    Ok(Usage { tenant, plan, members, pending_invitations: pending, as_of: now })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_case_words_joined_by_single_dashes() {
        for good in ["acme", "a", "acme-widgets", "a1-b2-c3", "0", &"a".repeat(48)] {
            assert!(parse_slug(good).is_ok(), "{good}");
        }
        for bad in ["", "-acme", "acme-", "ac--me", "Acme", "acme_w", "acme w", "ä", &"a".repeat(49)] {
            assert!(parse_slug(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_filter_scope_names_its_status_and_text() {
        let filter = ListFilter { status: Some(TenantStatus::Deleted), q: Some("acme".into()) };
        assert_eq!(filter.scope(), "admin-tenants:deleted:acme");
        assert_ne!(filter.scope(), ListFilter::default().scope());
    }

    #[test]
    fn refusals_read_as_sentences_with_the_contract_s_status_code_and_field() {
        let e = ApiError::from(TenantsError::invalid("name", "must not be empty"));
        assert_eq!((e.status.as_u16(), e.code(), e.on("name")), (422, "invalid_field", Some("Name must not be empty.")));
        let e = ApiError::from(TenantsError::invalid("admin_email", "missing @"));
        assert_eq!(e.on("admin_email"), Some("Enter a valid email address, like it@example.com."));
        let e = ApiError::from(TenantsError::SlugTaken);
        assert_eq!((e.status.as_u16(), e.code(), e.detail.field.as_deref()), (409, "slug_taken", Some("slug")));
        let e = ApiError::from(TenantsError::InvalidState("a deleted tenant cannot be suspended".into()));
        assert_eq!((e.status.as_u16(), e.code(), e.detail.message.as_str()), (409, "invalid_state", "A deleted tenant cannot be suspended."));
        let e = ApiError::from(TenantsError::PreconditionFailed { expected: 3 });
        assert_eq!((e.status.as_u16(), e.code()), (412, "precondition_failed"));
        assert!(e.detail.message.contains("version 3"), "{}", e.detail.message);
        assert_eq!(ApiError::from(TenantsError::NotFound).status.as_u16(), 404);
    }

    #[test]
    fn retention_is_one_day_to_ten_years() {
        assert!(parse_retention(0).is_err());
        assert!(parse_retention(3651).is_err());
        assert_eq!(parse_retention(30).unwrap(), 30);
    }
}
