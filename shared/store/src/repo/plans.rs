//! Plans. Only what sign-up needs today: the `free` plan, created on first use.
use serde::{Deserialize, Serialize};

use domain::ids::PlanId;
use domain::time::Timestamp;
use crate::ports::item_store::{Cond, Item, ItemStore, Query, StoreError, Write};
use crate::repo::keys;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Limits {
    pub seats: i64,
    pub api_calls: i64,
    pub storage_bytes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Plan {
    pub id: PlanId,
    pub code: String,
    pub name: String,
    /// `month` or `year`.
    pub interval: String,
    /// Minor units.
    pub amount: i64,
    pub currency: String,
    pub trial_days: i64,
    pub limits: Limits,
    pub created_at: Timestamp,
    pub version: i64,
}

pub async fn get(store: &dyn ItemStore, id: &PlanId) -> Result<Option<Plan>, StoreError> {
    store.get(&keys::plan(id)).await?.map(|i| i.record()).transpose()
}

pub async fn find_by_code(store: &dyn ItemStore, code: &str) -> Result<Option<Plan>, StoreError> {
    let Some(claim) = store.get(&keys::plan_code(code)).await? else { return Ok(None) };
    let id = claim.get_str("plan_id").and_then(PlanId::parse).ok_or_else(|| StoreError::Corrupt(format!("plan code {code}")))?;
    store.get(&keys::plan(&id)).await?.map(|i| i.record()).transpose()
}

/// Every plan, oldest first (GSI1 `PLANS`, a Query per hundred): the choices of the
/// create-tenant form. Plans are few; this reads them all.
pub async fn list(store: &dyn ItemStore) -> Result<Vec<Plan>, StoreError> {
    let mut plans = Vec::new();
    let mut after = None;
    loop {
        let page = store.query(Query::gsi1("PLANS").limit(100).after(after)).await?;
        for item in &page.items {
            plans.push(item.record()?);
        }
        after = page.next;
        if after.is_none() {
            return Ok(plans);
        }
    }
}

/// The `free` plan every sign-up starts on; created the first time anyone asks.
pub async fn free(store: &dyn ItemStore, now: Timestamp) -> Result<Plan, StoreError> {
    if let Some(plan) = find_by_code(store, "free").await? {
        return Ok(plan);
    }
    let plan = Plan {
        id: PlanId::generate(now),
        code: "free".into(),
        name: "Free".into(),
        interval: "month".into(),
        amount: 0,
        currency: "usd".into(),
        trial_days: 0,
        limits: Limits { seats: 3, api_calls: 10_000, storage_bytes: 1 << 30 },
        created_at: now,
        version: 1,
    };
    let claim = Item::new(keys::plan_code("free")).with("plan_id", plan.id.as_str());
    let writes = vec![
        Write::put(claim).when(Cond::Absent),
        Write::put(Item::from_record(keys::plan(&plan.id), &plan)?.with_gsi1("PLANS", plan.id.as_str())).when(Cond::Absent),
    ];
    match store.transact(writes).await {
        Ok(()) => Ok(plan),
        // Another request created it first: use theirs.
        Err(StoreError::ConditionFailed { .. }) => {
            find_by_code(store, "free").await?.ok_or_else(|| StoreError::Corrupt("free plan claim without plan".into()))
        }
        Err(e) => Err(e),
    }
}
