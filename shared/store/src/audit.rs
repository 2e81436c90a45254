//! Audit events: every state change writes one, in the same transaction as the change, so
//! the trail cannot miss a change or record one that did not happen.
//!
//! An event is stored twice, both writes in the change's transaction (`AuditEvent::writes`):
//!
//! | item | PK | SK | GSI1 | GSI2 |
//! | --- | --- | --- | --- | --- |
//! | the event | `AUDIT#<ten_id or PLATFORM>` | `EVT#<at>#<evt_id>` | `AUDIT_ACTOR#<actor>` | `AUDIT_ACTION#<action>` |
//! | its feed copy | `AUDIT_ALL#<YYYY-MM>` (UTC month of `at`) | `EVT#<at>#<evt_id>` | – | – |
//!
//! so every filter of the trail is one Query on its own partition, newest first, with the
//! time range (`from`, `to`) as a sort-key range: a tenant's trail on the table, an actor's
//! on GSI1, an action's on GSI2, and the unfiltered platform-wide trail on the month feed
//! (a page that reaches the start of a month continues in the month before). Combined
//! filters read the most selective index (actor, then tenant, then action) and filter the
//! rest as they read; such a page reads at most `BUDGET` items, so a rare combination can
//! answer a short page with `next` set rather than scan a partition in one request.
//!
//! Not for reads of one event by id (nothing needs it), nor for deleting events: purges
//! keep them.
use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use domain::ids::{EventId, TenantId};
use domain::time::Timestamp;
use crate::ports::item_store::{Cond, Cursor, Index, Item, ItemStore, Key, MAX_PAGE, Query, SkRange, StoreError, Write};
use crate::repo::keys;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEvent {
    pub id: EventId,
    pub at: Timestamp,
    /// The user (or `system`, `anonymous`) that caused the change.
    pub actor_id: String,
    pub tenant_id: Option<TenantId>,
    /// `user.signup`, `session.login_failed`, `mfa.enabled`, …
    pub action: String,
    /// The id of what changed.
    pub target: Option<String>,
    pub ip: String,
    pub request_id: Option<String>,
    /// Before/after or context, where it helps; never a secret. `null` when the event has
    /// none.
    #[schema(value_type = Option<Object>)]
    pub details: Value,
}

impl AuditEvent {
    /// How many writes `writes` adds to a transaction (of at most 100).
    pub const WRITES: usize = 2;

    pub fn new(at: Timestamp, actor_id: impl Into<String>, action: &str, ip: &str) -> AuditEvent {
        AuditEvent {
            id: EventId::generate(at),
            at,
            actor_id: actor_id.into(),
            tenant_id: None,
            action: action.into(),
            target: None,
            ip: ip.into(),
            request_id: None,
            details: Value::Null,
        }
    }

    pub fn tenant(mut self, tenant: Option<&TenantId>) -> Self {
        self.tenant_id = tenant.cloned();
        self
    }

    pub fn target(mut self, target: impl ToString) -> Self {
        self.target = Some(target.to_string());
        self
    }

    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// The id of the request that caused the change, to find its log lines.
    pub fn request(mut self, request_id: Option<&str>) -> Self {
        self.request_id = request_id.map(str::to_string);
        self
    }

    /// The writes that record this event, for the change's transaction: the event under its
    /// tenant (indexed by actor and by action) and its copy in the month's platform feed.
    pub fn writes(&self) -> Result<[Write; 2], StoreError> {
        let sk = keys::audit_sk(self.at, &self.id);
        let event = Item::from_record(keys::audit(self.tenant_id.as_ref(), self.at, &self.id), self)?
            .with_gsi1(keys::audit_actor(&self.actor_id), sk.clone())
            .with_gsi2(keys::audit_action(&self.action), sk.clone());
        let (year, month) = month_of(self.at);
        let feed = Item::from_record(Key::new(keys::audit_feed(year, month), sk), self)?;
        Ok([Write::put(event).when(Cond::Absent), Write::put(feed).when(Cond::Absent)])
    }

    /// `writes` with this event's writes after them: one transaction's whole list. Condition
    /// failures keep the indexes of `writes`.
    pub fn appended_to(&self, mut writes: Vec<Write>) -> Result<Vec<Write>, StoreError> {
        writes.extend(self.writes()?);
        Ok(writes)
    }
}

/// The first month of the platform feed: no event is older. A walk back through the feed
/// stops here (or at `from`).
pub const FEED_EPOCH: (i32, u8) = (2026, 11);

/// How much one page may read when filters are applied after reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Items per Query when a filter drops some of them.
    pub batch: usize,
    /// Queries per page; a page that spends them stops short, with `next` set.
    pub queries: usize,
}

/// At most 1,000 items read per page: a bounded cost however rare the combination.
pub const BUDGET: Budget = Budget { batch: 200, queries: 5 };

/// The filters of a trail. Every one is optional; `tenant_id` is forced to the caller's
/// tenant on the tenant portal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor_id: Option<String>,
    pub tenant_id: Option<TenantId>,
    pub action: Option<String>,
    /// Inclusive.
    pub from: Option<Timestamp>,
    /// Inclusive.
    pub to: Option<Timestamp>,
}

/// One page of a trail, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    /// Where the next page starts; None on the last page.
    pub next: Option<Cursor>,
}

/// Which partition a trail is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    One { index: Index, pk: String },
    /// The month feed, newest month first.
    Feed,
}

impl AuditFilter {
    /// Names this list for cursor signing: a cursor never crosses filters.
    pub fn scope(&self) -> String {
        serde_json::json!([
            "audit",
            self.actor_id,
            self.tenant_id.as_ref().map(TenantId::as_str),
            self.action,
            self.from.map(|t| t.unix()),
            self.to.map(|t| t.unix()),
        ])
        .to_string()
    }

    /// The most selective index for the filters given.
    fn source(&self) -> Source {
        if let Some(actor) = &self.actor_id {
            Source::One { index: Index::Gsi1, pk: keys::audit_actor(actor) }
        } else if let Some(tenant) = &self.tenant_id {
            Source::One { index: Index::Table, pk: keys::audit_pk(Some(tenant)) }
        } else if let Some(action) = &self.action {
            Source::One { index: Index::Gsi2, pk: keys::audit_action(action) }
        } else {
            Source::Feed
        }
    }

    /// Whether the index alone answers the filters (then a page is exactly one Query).
    fn index_suffices(&self) -> bool {
        let given = [self.actor_id.is_some(), self.tenant_id.is_some(), self.action.is_some()];
        given.iter().filter(|g| **g).count() <= 1
    }

    /// The filters the index did not apply.
    fn admits(&self, event: &AuditEvent) -> bool {
        self.actor_id.as_ref().is_none_or(|a| *a == event.actor_id)
            && self.tenant_id.as_ref().is_none_or(|t| event.tenant_id.as_ref() == Some(t))
            && self.action.as_ref().is_none_or(|a| *a == event.action)
    }

    /// The time range as a sort-key range (inclusive both ends, to the second).
    fn sk_range(&self) -> SkRange {
        let lo = self.from.map(|t| format!("EVT#{t}#")).unwrap_or_else(|| "EVT#".into());
        // `~` sorts after every character of an id.
        let hi = self.to.map(|t| format!("EVT#{t}#~")).unwrap_or_else(|| "EVT#~".into());
        SkRange::Between(lo, hi)
    }
}

/// The UTC (year, month) of a time.
pub fn month_of(t: Timestamp) -> (i32, u8) {
    match time::OffsetDateTime::from_unix_timestamp(t.unix()) {
        Ok(dt) => (dt.year(), u8::from(dt.month())),
        Err(_) => (1970, 1),
    }
}

fn previous_month((year, month): (i32, u8)) -> (i32, u8) {
    if month == 1 { (year - 1, 12) } else { (year, month - 1) }
}

fn parse_feed_pk(pk: &str) -> Option<(i32, u8)> {
    let (year, month) = pk.strip_prefix("AUDIT_ALL#")?.split_once('-')?;
    let month: u8 = month.parse().ok()?;
    (1..=12).contains(&month).then_some(())?;
    Some((year.parse().ok()?, month))
}

/// A cursor that starts at the top of a feed month (a page that spent its budget between
/// months); never a real sort key, so it never reaches the store.
const MONTH_START: &str = "START";

/// The months a feed read walks, newest first: from the cursor's month (or `to`'s, or now's)
/// back to `from`'s (or the feed's epoch).
fn feed_months(filter: &AuditFilter, after: Option<&Cursor>, now: Timestamp) -> Result<VecDeque<String>, StoreError> {
    let newest = match after {
        Some(cursor) => parse_feed_pk(&cursor.key.pk)
            .ok_or_else(|| StoreError::Invalid(format!("cursor {} is not in the audit feed", cursor.key.pk)))?,
        // Nothing is written after now.
        None => month_of(filter.to.map_or(now, |to| to.min(now))),
    };
    // A platform whose clock reads earlier than the epoch still finds its own events.
    let epoch = FEED_EPOCH.min(month_of(now));
    let floor = filter.from.map(month_of).map_or(epoch, |from| from.max(epoch));
    let mut months = VecDeque::new();
    let mut month = newest;
    while month >= floor {
        months.push_back(keys::audit_feed(month.0, month.1));
        month = previous_month(month);
    }
    Ok(months)
}

/// One page of the trail that `filter` selects, newest first, continuing after `after` (a
/// cursor this function returned for the same filter).
pub async fn list(store: &dyn ItemStore, filter: &AuditFilter, limit: usize, after: Option<Cursor>, now: Timestamp) -> Result<AuditPage, StoreError> {
    list_within(store, filter, limit, after, now, BUDGET).await
}

/// `list` with an explicit read budget (tests use a small one).
pub async fn list_within(
    store: &dyn ItemStore,
    filter: &AuditFilter,
    limit: usize,
    after: Option<Cursor>,
    now: Timestamp,
    budget: Budget,
) -> Result<AuditPage, StoreError> {
    let limit = limit.clamp(1, MAX_PAGE - 1);
    let (index, mut partitions, mut after) = match filter.source() {
        Source::One { index, pk } => (index, VecDeque::from([pk]), after),
        Source::Feed => {
            let months = feed_months(filter, after.as_ref(), now)?;
            let after = after.filter(|c| c.key.sk != MONTH_START);
            (Index::Table, months, after)
        }
    };
    // One item more than asked for tells whether another page follows.
    let batch = if filter.index_suffices() { limit + 1 } else { (limit + 1).max(budget.batch).min(MAX_PAGE) };
    let range = filter.sk_range();
    let mut found: Vec<(AuditEvent, Cursor)> = Vec::new();
    let mut queries = 0;
    while let Some(pk) = partitions.front() {
        let query = Query { index, pk: pk.clone(), sk: range.clone(), forward: false, limit: batch, after: after.take() };
        let page = store.query(query).await?;
        queries += 1;
        for item in &page.items {
            let event: AuditEvent = item.record()?;
            if !filter.admits(&event) {
                continue;
            }
            found.push((event, Cursor::after(item, index)));
            if found.len() > limit {
                found.truncate(limit);
                let next = found.last().map(|(_, cursor)| cursor.clone());
                return Ok(AuditPage { events: found.into_iter().map(|(e, _)| e).collect(), next });
            }
        }
        match page.next {
            Some(next) => after = Some(next),
            None => {
                partitions.pop_front();
            }
        }
        if queries >= budget.queries {
            let next = match (after, partitions.front()) {
                (Some(cursor), _) => Some(cursor),
                (None, Some(month)) => Some(Cursor { key: Key::new(month.clone(), MONTH_START), index_key: None }),
                (None, None) => None,
            };
            return Ok(AuditPage { events: found.into_iter().map(|(e, _)| e).collect(), next });
        }
    }
    Ok(AuditPage { events: found.into_iter().map(|(e, _)| e).collect(), next: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scope_names_every_filter() {
        let a = AuditFilter { action: Some("x".into()), ..Default::default() };
        let b = AuditFilter { actor_id: Some("x".into()), ..Default::default() };
        let c = AuditFilter { action: Some("x".into()), from: Some(Timestamp::from_unix(1)), ..Default::default() };
        assert_ne!(a.scope(), b.scope());
        assert_ne!(a.scope(), c.scope());
        assert_eq!(a.scope(), a.clone().scope());
    }

    #[test]
    fn months_step_back_over_the_year_end() {
        assert_eq!(previous_month((2027, 1)), (2026, 12));
        assert_eq!(month_of(Timestamp::from_unix(1_795_600_800)), (2026, 11));
        assert_eq!(parse_feed_pk("AUDIT_ALL#2026-11"), Some((2026, 11)));
        assert_eq!(parse_feed_pk("AUDIT_ALL#2026-13"), None);
        assert_eq!(parse_feed_pk("AUDIT#2026-11"), None);
    }
}
