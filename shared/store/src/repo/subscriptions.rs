//! Subscriptions: one per tenant, at a fixed key in the tenant's partition
//! (`TENANT#<ten_id>` / `SUBSCRIPTION`), so a conditional put creates it exactly once however
//! many times provisioning runs, and the tenant's purge removes it with the partition.
//!
//! Only what provisioning needs today: the record on its plan, trialing or active, with its
//! first period. Renewals, plan changes, cancellation and dunning come with billing.
use serde::{Deserialize, Serialize};
use time::{Month, OffsetDateTime};

use domain::ids::{PlanId, SubscriptionId, TenantId};
use domain::time::Timestamp;
use crate::ports::item_store::{Cond, Item, ItemStore, StoreError, Write};
use crate::repo::keys;
use crate::repo::plans::Plan;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    Trialing,
    Active,
    PastDue,
    Canceled,
    Suspended,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Subscription {
    pub id: SubscriptionId,
    pub tenant_id: TenantId,
    pub plan_id: PlanId,
    pub status: SubscriptionStatus,
    pub current_period_start: Timestamp,
    pub current_period_end: Timestamp,
    /// When the trial ends (`trialing` only).
    #[serde(default)]
    pub trial_end: Option<Timestamp>,
    #[serde(default)]
    pub cancel_at_period_end: bool,
    pub created_at: Timestamp,
    pub version: i64,
}

impl Subscription {
    /// A tenant's first subscription on `plan`, starting `now`: `trialing` until the end of
    /// the plan's `trial_days` (the first period is the trial), else `active` for one
    /// billing interval.
    pub fn start(id: SubscriptionId, tenant: TenantId, plan: &Plan, now: Timestamp) -> Subscription {
        let (status, end, trial_end) = if plan.trial_days > 0 {
            let end = now.plus_seconds(plan.trial_days * 86_400);
            (SubscriptionStatus::Trialing, end, Some(end))
        } else {
            (SubscriptionStatus::Active, period_end(now, &plan.interval), None)
        };
        Subscription {
            id,
            tenant_id: tenant,
            plan_id: plan.id.clone(),
            status,
            current_period_start: now,
            current_period_end: end,
            trial_end,
            cancel_at_period_end: false,
            created_at: now,
            version: 1,
        }
    }
}

/// The end of a billing period that starts at `start`: one calendar month (or year) later,
/// the day clamped to the month's last (31 Jan → 28/29 Feb), the time of day kept.
pub fn period_end(start: Timestamp, interval: &str) -> Timestamp {
    let months = if interval == "year" { 12 } else { 1 };
    let Ok(t) = OffsetDateTime::from_unix_timestamp(start.unix()) else {
        return start.plus_seconds(months * 30 * 86_400);
    };
    let index = t.year() as i64 * 12 + (t.month() as i64 - 1) + months;
    let (year, month0) = (index.div_euclid(12) as i32, index.rem_euclid(12) as u8);
    let month = Month::try_from(month0 + 1).unwrap_or(Month::January);
    let day = t.day().min(month.length(year));
    t.replace_day(1)
        .and_then(|t| t.replace_year(year))
        .and_then(|t| t.replace_month(month))
        .and_then(|t| t.replace_day(day))
        .map(|t| Timestamp::from_unix(t.unix_timestamp()))
        .unwrap_or_else(|_| start.plus_seconds(months * 30 * 86_400))
}

fn item(subscription: &Subscription) -> Result<Item, StoreError> {
    Item::from_record(keys::subscription(&subscription.tenant_id), subscription)
}

/// The write that creates the tenant's subscription; it fails if the tenant has one.
pub fn create(subscription: &Subscription) -> Result<Write, StoreError> {
    Ok(Write::put(item(subscription)?).when(Cond::Absent))
}

/// The write that saves a changed subscription (its `version` already bumped).
pub fn save(subscription: &Subscription) -> Result<Write, StoreError> {
    Ok(Write::put(item(subscription)?).when(Cond::version(subscription.version - 1)))
}

pub async fn get(store: &dyn ItemStore, tenant: &TenantId) -> Result<Option<Subscription>, StoreError> {
    store.get(&keys::subscription(tenant)).await?.map(|i| i.record()).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::plans::Limits;

    fn plan(trial_days: i64, interval: &str) -> Plan {
        let now = Timestamp::from_unix(1_795_600_800);
        Plan {
            id: PlanId::generate(now),
            code: "pro".into(),
            name: "Pro".into(),
            interval: interval.into(),
            amount: 4900,
            currency: "usd".into(),
            trial_days,
            limits: Limits { seats: 10, api_calls: 100_000, storage_bytes: 1 << 30 },
            created_at: now,
            version: 1,
        }
    }

    fn at(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn a_monthly_period_ends_on_the_same_day_next_month_clamped_to_its_length() {
        assert_eq!(period_end(at("2026-11-25T10:00:00Z"), "month"), at("2026-12-25T10:00:00Z"));
        assert_eq!(period_end(at("2026-12-15T00:00:00Z"), "month"), at("2027-01-15T00:00:00Z"));
        assert_eq!(period_end(at("2027-01-31T08:30:00Z"), "month"), at("2027-02-28T08:30:00Z"));
        assert_eq!(period_end(at("2028-01-31T08:30:00Z"), "month"), at("2028-02-29T08:30:00Z"));
    }

    #[test]
    fn a_yearly_period_ends_a_calendar_year_later() {
        assert_eq!(period_end(at("2028-02-29T12:00:00Z"), "year"), at("2029-02-28T12:00:00Z"));
        assert_eq!(period_end(at("2026-11-25T10:00:00Z"), "year"), at("2027-11-25T10:00:00Z"));
    }

    #[test]
    fn a_plan_with_a_trial_starts_trialing_until_the_trial_ends() {
        let now = at("2026-11-25T10:00:00Z");
        let tenant = TenantId::generate(now);
        let sub = Subscription::start(SubscriptionId::generate(now), tenant, &plan(14, "month"), now);
        assert_eq!(sub.status, SubscriptionStatus::Trialing);
        assert_eq!(sub.trial_end, Some(at("2026-12-09T10:00:00Z")));
        assert_eq!(sub.current_period_end, at("2026-12-09T10:00:00Z"));
    }

    #[test]
    fn a_plan_without_a_trial_starts_active_for_one_interval() {
        let now = at("2026-11-25T10:00:00Z");
        let sub = Subscription::start(SubscriptionId::generate(now), TenantId::generate(now), &plan(0, "year"), now);
        assert_eq!((sub.status, sub.trial_end), (SubscriptionStatus::Active, None));
        assert_eq!(sub.current_period_end, at("2027-11-25T10:00:00Z"));
        assert!(sub.id.as_str().starts_with("sub_"));
    }
}
