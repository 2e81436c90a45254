//! `DynamoDbStore`: the item-store port on one DynamoDB table (the single-table design of
//! `template.yaml`: `PK`/`SK`, overloaded indexes `GSI1` and `GSI2`, TTL on `ttl`).
//!
//! DynamoDB deletes expired items up to days late (moto never does), while the port says an
//! item is gone the second its TTL passes. So every read filters expired items itself, and
//! every condition is compiled with that rule built in: it is evaluated against the live
//! item, or against no item when the stored one has expired. An `update` of an expired item
//! cannot be expressed in one UpdateItem; it falls back to replacing the expired item with a
//! fresh one, guarded by the expired TTL it saw.
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{BuildError, DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, ConditionCheck, Delete, GlobalSecondaryIndex, KeySchemaElement,
    KeyType, Projection, ProjectionType, Put, ReturnValue, ScalarAttributeType, TableStatus, TimeToLiveSpecification,
    TransactWriteItem,
};
use serde_json::Value;

use store::ports::clock::Clock;
use store::ports::item_store::{
    CmpOp, Cond, Cursor, Index, Item, ItemStore, Key, Page, Query, RESERVED, SkRange, StoreError, Update, Write,
    check_transaction,
};

const PK: &str = "PK";
const SK: &str = "SK";
const GSI1PK: &str = "GSI1PK";
const GSI1SK: &str = "GSI1SK";
const GSI2PK: &str = "GSI2PK";
const GSI2SK: &str = "GSI2SK";
const TTL: &str = "ttl";

/// How many times a single update is tried when the item changed between the write that
/// failed and the read that explains the failure. Reaching it takes a burst of writers on
/// one item; the caller hears `TransactionConflict` and may retry.
const MAX_ATTEMPTS: usize = 4;

/// The item store on one DynamoDB table; cheap to clone (the SDK client is shared).
#[derive(Clone)]
pub struct DynamoDbStore {
    client: Client,
    table: String,
    clock: Arc<dyn Clock>,
}

impl DynamoDbStore {
    pub fn new(client: Client, table: impl Into<String>, clock: Arc<dyn Clock>) -> Self {
        DynamoDbStore { client, table: table.into(), clock }
    }

    fn now(&self) -> i64 {
        self.clock.now().unix()
    }

    /// The stored item, expired or not, read consistently: what a failed condition saw.
    async fn get_raw(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_attrs(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk_error)?;
        out.item.map(from_attrs).transpose()
    }

    async fn put_with(&self, item: &Item, cond: Option<Frag>) -> Result<(), StoreError> {
        let mut expr = Expr::default();
        let condition = cond.map(|c| c.render(&mut expr));
        let (names, values) = expr.finish();
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_attrs(item)?))
            .set_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    /// One UpdateItem that only applies to an absent or live item (and where `cond` holds).
    async fn try_update(&self, key: &Key, update: &Update, cond: Option<&Cond>, now: i64) -> Result<Item, StoreError> {
        let mut expr = Expr::default();
        let update_expression = update_expression(update, &mut expr)?;
        let guard = not_expired(now).and(add_guards(update)).and(cond.map_or(Frag::True, compile));
        let condition = guard.render(&mut expr);
        let (names, values) = expr.finish();
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_attrs(key)))
            .update_expression(update_expression)
            .condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(sdk_error)?;
        let attrs = out.attributes.ok_or_else(|| StoreError::Unavailable("UpdateItem returned no attributes".into()))?;
        from_attrs(attrs)
    }

    /// Why an update of `key` failed its condition, judged on the item as stored now:
    /// `Ok(())` means the item changed since and the update should be tried again.
    fn explain_update_failure(
        key: &Key,
        update: &Update,
        cond: Option<&Cond>,
        live: Option<&Item>,
        index: Option<usize>,
    ) -> Result<(), StoreError> {
        if cond.is_some_and(|c| !c.holds(live)) {
            return Err(StoreError::ConditionFailed { index });
        }
        let mut probe = live.cloned().unwrap_or_else(|| Item::new(key.clone()));
        update.apply(&mut probe)
    }

    async fn run_transaction(&self, writes: &[Write], now: i64) -> Result<(), StoreError> {
        let items = writes.iter().map(|w| self.transact_item(w, now)).collect::<Result<Vec<_>, _>>()?;
        let err = match self.client.transact_write_items().set_transact_items(Some(items)).send().await {
            Ok(_) => return Ok(()),
            Err(err) => err,
        };
        if let Some(TransactWriteItemsError::TransactionCanceledException(cancel)) = err.as_service_error() {
            let first = cancel.cancellation_reasons().iter().enumerate().find_map(|(i, r)| {
                r.code().filter(|c| !c.is_empty() && *c != "None").map(|c| (i, c.to_string()))
            });
            return Err(match first {
                Some((i, code)) if code == "ConditionalCheckFailed" => self.explain_transact_failure(writes, i, now).await,
                Some((_, code)) if code == "TransactionConflict" => StoreError::TransactionConflict,
                Some((_, code)) if code == "ValidationError" => {
                    StoreError::Invalid(DisplayErrorContext(&err).to_string())
                }
                _ => StoreError::Unavailable(DisplayErrorContext(&err).to_string()),
            });
        }
        Err(sdk_error(err))
    }

    /// A failed transaction condition on an update may stand for an invalid update (an `add`
    /// to a non-integer or past `i64`), which the port reports as `Invalid`, as the embedded
    /// store does; the guard cannot tell the two apart inside DynamoDB.
    async fn explain_transact_failure(&self, writes: &[Write], i: usize, now: i64) -> StoreError {
        let failed = StoreError::ConditionFailed { index: Some(i) };
        let Some(Write::Update { key, update, cond }) = writes.get(i) else {
            return failed;
        };
        match self.get_raw(key).await {
            Ok(Some(stored)) if stored.is_live(now) => {
                match Self::explain_update_failure(key, update, cond.as_ref(), Some(&stored), Some(i)) {
                    Err(e) => e,
                    Ok(()) => failed,
                }
            }
            _ => failed,
        }
    }

    fn transact_item(&self, write: &Write, now: i64) -> Result<TransactWriteItem, StoreError> {
        let mut expr = Expr::default();
        let item = match write {
            Write::Put { item, cond } => {
                let condition = cond.as_ref().map(|c| guarded(c, now).render(&mut expr));
                let (names, values) = expr.finish();
                let put = Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(to_attrs(item)?))
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values)
                    .build()
                    .map_err(build_error)?;
                TransactWriteItem::builder().put(put).build()
            }
            Write::Update { key, update, cond } => {
                let update_expression = update_expression(update, &mut expr)?;
                // An expired item cannot be "absent" inside one transaction (that would need a
                // replacement write), so the guard makes it fail, as the embedded store does.
                let condition = not_expired(now)
                    .and(add_guards(update))
                    .and(cond.as_ref().map_or(Frag::True, compile))
                    .render(&mut expr);
                let (names, values) = expr.finish();
                let update = aws_sdk_dynamodb::types::Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(key_attrs(key)))
                    .update_expression(update_expression)
                    .condition_expression(condition)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values)
                    .build()
                    .map_err(build_error)?;
                TransactWriteItem::builder().update(update).build()
            }
            Write::Delete { key, cond } => {
                let condition = cond.as_ref().map(|c| guarded(c, now).render(&mut expr));
                let (names, values) = expr.finish();
                let delete = Delete::builder()
                    .table_name(&self.table)
                    .set_key(Some(key_attrs(key)))
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values)
                    .build()
                    .map_err(build_error)?;
                TransactWriteItem::builder().delete(delete).build()
            }
            Write::Check { key, cond } => {
                let condition = guarded(cond, now).render(&mut expr);
                let (names, values) = expr.finish();
                let check = ConditionCheck::builder()
                    .table_name(&self.table)
                    .set_key(Some(key_attrs(key)))
                    .condition_expression(condition)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values)
                    .build()
                    .map_err(build_error)?;
                TransactWriteItem::builder().condition_check(check).build()
            }
        };
        Ok(item)
    }
}

#[async_trait]
impl ItemStore for DynamoDbStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let now = self.now();
        Ok(self.get_raw(key).await?.filter(|i| i.is_live(now)))
    }

    async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError> {
        item.check_attrs()?;
        let now = self.now();
        self.put_with(&item, cond.as_ref().map(|c| guarded(c, now))).await
    }

    async fn update(&self, key: &Key, update: Update, cond: Option<Cond>) -> Result<Item, StoreError> {
        update.check()?;
        for _ in 0..MAX_ATTEMPTS {
            let now = self.now();
            match self.try_update(key, &update, cond.as_ref(), now).await {
                Err(StoreError::ConditionFailed { .. }) => {}
                other => return other,
            }
            match self.get_raw(key).await? {
                Some(stored) if !stored.is_live(now) => {
                    if cond.as_ref().is_some_and(|c| !c.holds(None)) {
                        return Err(StoreError::ConditionFailed { index: None });
                    }
                    let mut fresh = Item::new(key.clone());
                    update.apply(&mut fresh)?;
                    // Replaces exactly the expired item that was read; if anything wrote the
                    // item meanwhile, the whole update is judged again.
                    let same_expired = match stored.ttl {
                        Some(ttl) => Frag::atom(Atom::Cmp(TTL.into(), "=", number(ttl))),
                        None => Frag::False,
                    };
                    match self.put_with(&fresh, Some(same_expired)).await {
                        Ok(()) => return Ok(fresh),
                        Err(StoreError::ConditionFailed { .. }) => {}
                        Err(e) => return Err(e),
                    }
                }
                live => Self::explain_update_failure(key, &update, cond.as_ref(), live.as_ref(), None)?,
            }
        }
        Err(StoreError::TransactionConflict)
    }

    async fn delete(&self, key: &Key, cond: Option<Cond>) -> Result<(), StoreError> {
        let now = self.now();
        let mut expr = Expr::default();
        let condition = cond.as_ref().map(|c| guarded(c, now).render(&mut expr));
        let (names, values) = expr.finish();
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key_attrs(key)))
            .set_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        check_transaction(&writes)?;
        self.run_transaction(&writes, self.now()).await
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        query.check()?;
        let Some(range) = key_range(&query.sk) else {
            return Ok(Page { items: Vec::new(), next: None });
        };
        let now = self.now();
        let (pk_attr, sk_attr) = index_attrs(query.index);

        let mut expr = Expr::default();
        let partition = Frag::atom(Atom::Cmp(pk_attr.into(), "=", AttributeValue::S(query.pk.clone())));
        let sort = match range {
            SkRange::All => Frag::True,
            SkRange::BeginsWith(p) => Frag::atom(Atom::BeginsWith(sk_attr.into(), p)),
            SkRange::Between(lo, hi) => Frag::atom(Atom::Between(sk_attr.into(), lo, hi)),
            SkRange::Lt(v) => Frag::atom(Atom::Cmp(sk_attr.into(), "<", AttributeValue::S(v))),
            SkRange::Le(v) => Frag::atom(Atom::Cmp(sk_attr.into(), "<=", AttributeValue::S(v))),
            SkRange::Gt(v) => Frag::atom(Atom::Cmp(sk_attr.into(), ">", AttributeValue::S(v))),
            SkRange::Ge(v) => Frag::atom(Atom::Cmp(sk_attr.into(), ">=", AttributeValue::S(v))),
        };
        let key_condition = partition.and(sort).render(&mut expr);
        let filter = not_expired(now).render(&mut expr);
        let (names, values) = expr.finish();

        // One more live item than asked tells whether a next page exists. The filter drops
        // expired items after DynamoDB counted them, so a page may come back short: ask again
        // from where it stopped until enough live items are in hand or the partition ends.
        let want = query.limit + 1;
        let mut start = query.after.as_ref().map(|c| cursor_key(c, query.index));
        let mut items: Vec<Item> = Vec::with_capacity(want);
        loop {
            let ask = i32::try_from(want - items.len()).unwrap_or(i32::MAX);
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(query.index.name().map(str::to_string))
                .key_condition_expression(&key_condition)
                .filter_expression(&filter)
                .set_expression_attribute_names(names.clone())
                .set_expression_attribute_values(values.clone())
                .scan_index_forward(query.forward)
                // Global indexes cannot be read consistently; the table can.
                .consistent_read(query.index == Index::Table)
                .limit(ask)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(sdk_error)?;
            for raw in out.items.unwrap_or_default() {
                let item = from_attrs(raw)?;
                if item.is_live(now) {
                    items.push(item);
                }
            }
            start = out.last_evaluated_key;
            if start.is_none() || items.len() >= want {
                break;
            }
        }

        let next = if items.len() > query.limit {
            items.truncate(query.limit);
            items.last().map(|last| Cursor::after(last, query.index))
        } else {
            None
        };
        Ok(Page { items, next })
    }
}

/// Creates the platform's table as `template.yaml` declares it (for tests and local AWS
/// emulators), waits until it is active, and turns TTL on where the service supports it.
pub async fn create_table(client: &Client, table: &str) -> Result<(), StoreError> {
    let string_attr = |name: &str| {
        AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build()
    };
    let key = |name: &str, key_type: KeyType| KeySchemaElement::builder().attribute_name(name).key_type(key_type).build();
    let gsi = |name: &str, pk: &str, sk: &str| -> Result<GlobalSecondaryIndex, BuildError> {
        GlobalSecondaryIndex::builder()
            .index_name(name)
            .key_schema(key(pk, KeyType::Hash)?)
            .key_schema(key(sk, KeyType::Range)?)
            .projection(Projection::builder().projection_type(ProjectionType::All).build())
            .build()
    };
    let definitions = [PK, SK, GSI1PK, GSI1SK, GSI2PK, GSI2SK]
        .into_iter()
        .map(string_attr)
        .collect::<Result<Vec<_>, _>>()
        .map_err(build_error)?;
    client
        .create_table()
        .table_name(table)
        .set_attribute_definitions(Some(definitions))
        .key_schema(key(PK, KeyType::Hash).map_err(build_error)?)
        .key_schema(key(SK, KeyType::Range).map_err(build_error)?)
        .global_secondary_indexes(gsi("GSI1", GSI1PK, GSI1SK).map_err(build_error)?)
        .global_secondary_indexes(gsi("GSI2", GSI2PK, GSI2SK).map_err(build_error)?)
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .map_err(sdk_error)?;

    // Real DynamoDB takes seconds to create a table and refuses TTL changes meanwhile.
    let mut active = false;
    for _ in 0..120 {
        let out = client.describe_table().table_name(table).send().await.map_err(sdk_error)?;
        if out.table().and_then(|t| t.table_status()) == Some(&TableStatus::Active) {
            active = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    if !active {
        return Err(StoreError::Unavailable(format!("table {table} did not become active")));
    }

    let spec = TimeToLiveSpecification::builder().enabled(true).attribute_name(TTL).build().map_err(build_error)?;
    if let Err(e) = client.update_time_to_live().table_name(table).time_to_live_specification(spec).send().await {
        // Expiry does not depend on it (reads filter expired items); only storage does.
        tracing::warn!(table, error = %DisplayErrorContext(&e), "could not enable TTL");
    }
    Ok(())
}

// ---- item mapping -------------------------------------------------------------------------

fn key_attrs(key: &Key) -> HashMap<String, AttributeValue> {
    HashMap::from([(PK.to_string(), AttributeValue::S(key.pk.clone())), (SK.to_string(), AttributeValue::S(key.sk.clone()))])
}

fn number(n: i64) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

fn to_value(name: &str, value: &Value) -> Result<AttributeValue, StoreError> {
    serde_dynamo::aws_sdk_dynamodb_1::to_attribute_value(value)
        .map_err(|e| StoreError::Invalid(format!("attribute `{name}`: {e}")))
}

/// The DynamoDB item: the reserved key, index and TTL attributes, then every attribute of
/// `item.attrs` at the top level.
fn to_attrs(item: &Item) -> Result<HashMap<String, AttributeValue>, StoreError> {
    let mut out = key_attrs(&item.key);
    for (key, pk, sk) in [(&item.gsi1, GSI1PK, GSI1SK), (&item.gsi2, GSI2PK, GSI2SK)] {
        if let Some(key) = key {
            out.insert(pk.to_string(), AttributeValue::S(key.pk.clone()));
            out.insert(sk.to_string(), AttributeValue::S(key.sk.clone()));
        }
    }
    if let Some(ttl) = item.ttl {
        out.insert(TTL.to_string(), number(ttl));
    }
    for (name, value) in &item.attrs {
        out.insert(name.clone(), to_value(name, value)?);
    }
    Ok(out)
}

fn from_attrs(mut raw: HashMap<String, AttributeValue>) -> Result<Item, StoreError> {
    let (pk, sk) = match (raw.remove(PK), raw.remove(SK)) {
        (Some(AttributeValue::S(pk)), Some(AttributeValue::S(sk))) => (pk, sk),
        _ => return Err(StoreError::Corrupt("an item without a string PK and SK".into())),
    };
    let corrupt = |what: &str| StoreError::Corrupt(format!("{pk}/{sk}: {what}"));
    let mut index_key = |pk_attr: &str, sk_attr: &str| match (raw.remove(pk_attr), raw.remove(sk_attr)) {
        (None, None) => Ok(None),
        (Some(AttributeValue::S(pk)), Some(AttributeValue::S(sk))) => Ok(Some(Key { pk, sk })),
        _ => Err(corrupt(&format!("{pk_attr}/{sk_attr} are not two strings"))),
    };
    let gsi1 = index_key(GSI1PK, GSI1SK)?;
    let gsi2 = index_key(GSI2PK, GSI2SK)?;
    let ttl = match raw.remove(TTL) {
        None => None,
        Some(AttributeValue::N(n)) => Some(n.parse::<i64>().map_err(|_| corrupt("ttl is not an integer"))?),
        Some(_) => return Err(corrupt("ttl is not a number")),
    };
    let mut attrs = serde_json::Map::with_capacity(raw.len());
    for (name, value) in raw {
        let value: Value = serde_dynamo::aws_sdk_dynamodb_1::from_attribute_value(value)
            .map_err(|e| corrupt(&format!("attribute `{name}`: {e}")))?;
        attrs.insert(name, value);
    }
    Ok(Item { key: Key { pk, sk }, gsi1, gsi2, ttl, attrs })
}

fn index_attrs(index: Index) -> (&'static str, &'static str) {
    match index {
        Index::Table => (PK, SK),
        Index::Gsi1 => (GSI1PK, GSI1SK),
        Index::Gsi2 => (GSI2PK, GSI2SK),
    }
}

/// The ExclusiveStartKey of a cursor: the table key, plus the index key on a GSI.
fn cursor_key(cursor: &Cursor, index: Index) -> HashMap<String, AttributeValue> {
    let mut start = key_attrs(&cursor.key);
    if let (Some(ik), Index::Gsi1 | Index::Gsi2) = (&cursor.index_key, index) {
        let (pk_attr, sk_attr) = index_attrs(index);
        start.insert(pk_attr.to_string(), AttributeValue::S(ik.pk.clone()));
        start.insert(sk_attr.to_string(), AttributeValue::S(ik.sk.clone()));
    }
    start
}

/// DynamoDB refuses empty strings and inverted bounds in key conditions, where the port
/// simply matches what the range says: restates such ranges, or `None` for "nothing".
fn key_range(range: &SkRange) -> Option<SkRange> {
    // Sort keys are never empty (`Item::check_attrs`), so "" is below every one of them.
    Some(match range {
        SkRange::BeginsWith(p) if p.is_empty() => SkRange::All,
        SkRange::Between(lo, hi) if lo.as_bytes() > hi.as_bytes() || hi.is_empty() => return None,
        SkRange::Between(lo, hi) if lo.is_empty() => SkRange::Le(hi.clone()),
        SkRange::Lt(v) | SkRange::Le(v) if v.is_empty() => return None,
        SkRange::Gt(v) | SkRange::Ge(v) if v.is_empty() => SkRange::All,
        other => other.clone(),
    })
}

// ---- expressions --------------------------------------------------------------------------

/// Placeholders of one request: every name and value goes through one (names may be
/// DynamoDB reserved words such as `ttl`, and values cannot be written inline).
#[derive(Default)]
struct Expr {
    names: HashMap<String, String>,
    placeholders: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

type ExprParts = (Option<HashMap<String, String>>, Option<HashMap<String, AttributeValue>>);

impl Expr {
    fn name(&mut self, name: &str) -> String {
        if let Some(p) = self.placeholders.get(name) {
            return p.clone();
        }
        let p = format!("#n{}", self.placeholders.len());
        self.placeholders.insert(name.to_string(), p.clone());
        self.names.insert(p.clone(), name.to_string());
        p
    }

    fn value(&mut self, value: AttributeValue) -> String {
        let p = format!(":v{}", self.values.len());
        self.values.insert(p.clone(), value);
        p
    }

    /// DynamoDB refuses empty placeholder maps, so an unused one is left out.
    fn finish(self) -> ExprParts {
        let names = (!self.names.is_empty()).then_some(self.names);
        let values = (!self.values.is_empty()).then_some(self.values);
        (names, values)
    }
}

/// One test a condition expression makes.
#[derive(Debug, Clone, PartialEq)]
enum Atom {
    Exists(String),
    NotExists(String),
    /// `attribute_type(name, type)` with a DynamoDB type name (`S`, `N`, `BOOL`, ...).
    Type(String, &'static str),
    Cmp(String, &'static str, AttributeValue),
    BeginsWith(String, String),
    Between(String, String, String),
}

/// A condition before it is written out. Placeholders are only made while rendering, so a
/// branch that simplifies away leaves no unused placeholder (which DynamoDB refuses).
#[derive(Debug, Clone, PartialEq)]
enum Frag {
    True,
    False,
    Atom(Atom),
    And(Box<Frag>, Box<Frag>),
    Or(Box<Frag>, Box<Frag>),
    Not(Box<Frag>),
}

impl Frag {
    fn atom(atom: Atom) -> Frag {
        Frag::Atom(atom)
    }

    fn and(self, other: Frag) -> Frag {
        match (self, other) {
            (Frag::False, _) | (_, Frag::False) => Frag::False,
            (Frag::True, x) | (x, Frag::True) => x,
            (a, b) => Frag::And(Box::new(a), Box::new(b)),
        }
    }

    fn or(self, other: Frag) -> Frag {
        match (self, other) {
            (Frag::True, _) | (_, Frag::True) => Frag::True,
            (Frag::False, x) | (x, Frag::False) => x,
            (a, b) => Frag::Or(Box::new(a), Box::new(b)),
        }
    }

    fn not(self) -> Frag {
        match self {
            Frag::True => Frag::False,
            Frag::False => Frag::True,
            Frag::Not(inner) => *inner,
            other => Frag::Not(Box::new(other)),
        }
    }

    fn render(&self, e: &mut Expr) -> String {
        match self {
            // The expression language has no literals; these hold or fail on any item.
            Frag::True => {
                let pk = e.name(PK);
                format!("(attribute_exists({pk}) OR attribute_not_exists({pk}))")
            }
            Frag::False => {
                let pk = e.name(PK);
                format!("(attribute_exists({pk}) AND attribute_not_exists({pk}))")
            }
            Frag::Atom(atom) => match atom {
                Atom::Exists(n) => format!("attribute_exists({})", e.name(n)),
                Atom::NotExists(n) => format!("attribute_not_exists({})", e.name(n)),
                Atom::Type(n, t) => {
                    let n = e.name(n);
                    format!("attribute_type({n}, {})", e.value(AttributeValue::S((*t).to_string())))
                }
                Atom::Cmp(n, op, v) => {
                    let n = e.name(n);
                    format!("{n} {op} {}", e.value(v.clone()))
                }
                Atom::BeginsWith(n, prefix) => {
                    let n = e.name(n);
                    format!("begins_with({n}, {})", e.value(AttributeValue::S(prefix.clone())))
                }
                Atom::Between(n, lo, hi) => {
                    let n = e.name(n);
                    let lo = e.value(AttributeValue::S(lo.clone()));
                    format!("{n} BETWEEN {lo} AND {}", e.value(AttributeValue::S(hi.clone())))
                }
            },
            Frag::And(a, b) => format!("({} AND {})", a.render(e), b.render(e)),
            Frag::Or(a, b) => format!("({} OR {})", a.render(e), b.render(e)),
            Frag::Not(a) => format!("(NOT {})", a.render(e)),
        }
    }
}

/// The stored item is absent or has not expired.
fn not_expired(now: i64) -> Frag {
    Frag::atom(Atom::NotExists(TTL.into())).or(Frag::atom(Atom::Cmp(TTL.into(), ">", number(now))))
}

fn expired(now: i64) -> Frag {
    Frag::atom(Atom::Cmp(TTL.into(), "<=", number(now)))
}

/// `cond` as the port means it: on the live item, or on no item if the stored one expired.
/// `compile` is exact on a live item and on a missing one; only an expired item needs the
/// answer `cond` gives for no item, which is known here without DynamoDB.
fn guarded(cond: &Cond, now: i64) -> Frag {
    let on_live = not_expired(now).and(compile(cond));
    if cond.holds(None) { on_live.or(expired(now)) } else { on_live }
}

fn dynamo_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "NULL",
        Value::Bool(_) => "BOOL",
        Value::Number(_) => "N",
        Value::String(_) => "S",
        Value::Array(_) => "L",
        Value::Object(_) => "M",
    }
}

/// `cond` evaluated by DynamoDB on the stored item, with the port's rules (`Cond::holds`)
/// where DynamoDB's differ: `<>` on a missing attribute is false, values of other types
/// never compare, and the reserved attributes are never the item's own attributes. Every
/// comparison checks the stored type first, which is also what keeps moto (which compares
/// Python values, so `true = 1`) from answering differently than DynamoDB.
fn compile(cond: &Cond) -> Frag {
    let reserved = |name: &str| RESERVED.contains(&name);
    match cond {
        Cond::Exists => Frag::atom(Atom::Exists(PK.into())),
        Cond::Absent => Frag::atom(Atom::NotExists(PK.into())),
        Cond::AttrExists(n) if reserved(n) => Frag::False,
        Cond::AttrAbsent(n) if reserved(n) => Frag::True,
        Cond::Cmp(n, ..) if reserved(n) => Frag::False,
        Cond::AttrExists(n) => Frag::atom(Atom::Exists(n.clone())),
        Cond::AttrAbsent(n) => Frag::atom(Atom::NotExists(n.clone())),
        Cond::Cmp(n, op, value) => compile_cmp(n, *op, value),
        Cond::And(all) => all.iter().map(compile).fold(Frag::True, Frag::and),
        Cond::Or(any) => any.iter().map(compile).fold(Frag::False, Frag::or),
    }
}

fn compile_cmp(name: &str, op: CmpOp, value: &Value) -> Frag {
    let t = dynamo_type(value);
    let same_type = Frag::atom(Atom::Type(name.into(), t));
    let av = match to_value(name, value) {
        Ok(av) => av,
        // A value DynamoDB cannot hold cannot be stored either, so nothing equals it.
        Err(_) => return if op == CmpOp::Ne { Frag::atom(Atom::Exists(name.into())) } else { Frag::False },
    };
    let cmp = |op: &'static str| Frag::atom(Atom::Cmp(name.into(), op, av.clone()));
    // NULL has one value: its type says it all, and `=` on NULL operands is not portable.
    let equal = if value.is_null() { same_type.clone() } else { same_type.clone().and(cmp("=")) };
    let ordered = matches!(value, Value::Number(_) | Value::String(_));
    match op {
        CmpOp::Eq => equal,
        CmpOp::Ne => Frag::atom(Atom::Exists(name.into())).and(equal.not()),
        _ if !ordered => Frag::False,
        CmpOp::Lt => same_type.and(cmp("<")),
        CmpOp::Le => same_type.and(cmp("<=")),
        CmpOp::Gt => same_type.and(cmp(">")),
        CmpOp::Ge => same_type.and(cmp(">=")),
    }
}

/// What `Update::apply` refuses, as a condition: each counter must be missing, or a number
/// that the addition keeps inside `i64`. A failure is then explained by reading the item.
fn add_guards(update: &Update) -> Frag {
    update.add.iter().fold(Frag::True, |acc, (name, by)| {
        let in_range = match by.signum() {
            1 => Frag::atom(Atom::Cmp(name.clone(), "<=", number(i64::MAX - by))),
            -1 => Frag::atom(Atom::Cmp(name.clone(), ">=", number(i64::MIN - by))),
            _ => Frag::True,
        };
        let counter = Frag::atom(Atom::Type(name.clone(), "N")).and(in_range);
        acc.and(Frag::atom(Atom::NotExists(name.clone())).or(counter))
    })
}

fn update_expression(update: &Update, e: &mut Expr) -> Result<String, StoreError> {
    let mut set = Vec::new();
    let mut remove = Vec::new();
    for (name, value) in &update.set {
        let n = e.name(name);
        set.push(format!("{n} = {}", e.value(to_value(name, value)?)));
    }
    match update.ttl {
        Some(Some(ttl)) => {
            let n = e.name(TTL);
            set.push(format!("{n} = {}", e.value(number(ttl))));
        }
        Some(None) => remove.push(e.name(TTL)),
        None => {}
    }
    let add: Vec<String> = update
        .add
        .iter()
        .map(|(name, by)| {
            let n = e.name(name);
            format!("{n} {}", e.value(number(*by)))
        })
        .collect();
    remove.extend(update.remove.iter().map(|name| e.name(name)));

    let mut clauses = Vec::new();
    for (keyword, parts) in [("SET", set), ("ADD", add), ("REMOVE", remove)] {
        if !parts.is_empty() {
            clauses.push(format!("{keyword} {}", parts.join(", ")));
        }
    }
    Ok(clauses.join(" "))
}

// ---- errors -------------------------------------------------------------------------------

fn sdk_error<E>(err: SdkError<E>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match err.code() {
        Some("ConditionalCheckFailedException") => StoreError::ConditionFailed { index: None },
        Some("TransactionConflictException") => StoreError::TransactionConflict,
        Some("ValidationException") => StoreError::Invalid(DisplayErrorContext(&err).to_string()),
        _ => StoreError::Unavailable(DisplayErrorContext(&err).to_string()),
    }
}

fn build_error(err: BuildError) -> StoreError {
    StoreError::Invalid(err.to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_item_reads_back_identical_after_mapping_to_dynamodb_attributes() {
        let item = Item::new(Key::new("T#1", "USER#a"))
            .with_gsi1("EMAIL#a@example.com", "T#1")
            .with_gsi2("STATUS#active", "2026-01-01T00:00:00Z")
            .with_ttl(1_900_000_000)
            .with("name", "Acme")
            .with("empty", "")
            .with("count", 42)
            .with("negative", -7)
            .with("big", i64::MAX)
            .with("huge", u64::MAX)
            .with("flag", true)
            .with("nothing", Value::Null)
            .with("list", json!([1, "two", false, null, [3], {"k": "v"}]))
            .with("empty_list", json!([]))
            .with("map", json!({"nested": {"deeper": [1, 2]}, "s": "x", "b": false, "n": null}))
            .with("empty_map", json!({}));
        let attrs = to_attrs(&item).unwrap();
        assert_eq!(attrs.get("PK"), Some(&AttributeValue::S("T#1".into())));
        assert_eq!(attrs.get("GSI2SK"), Some(&AttributeValue::S("2026-01-01T00:00:00Z".into())));
        assert_eq!(attrs.get("ttl"), Some(&AttributeValue::N("1900000000".into())));
        assert_eq!(attrs.get("count"), Some(&AttributeValue::N("42".into())));
        assert_eq!(attrs.get("nothing"), Some(&AttributeValue::Null(true)));
        assert!(matches!(attrs.get("map"), Some(AttributeValue::M(_))));
        assert!(matches!(attrs.get("list"), Some(AttributeValue::L(_))));
        assert_eq!(from_attrs(attrs).unwrap(), item);
    }

    #[test]
    fn an_item_without_index_keys_or_ttl_stores_only_its_key_and_attributes() {
        let item = Item::new(Key::new("T#1", "A")).with("name", "Acme");
        let attrs = to_attrs(&item).unwrap();
        let mut names: Vec<&str> = attrs.keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["PK", "SK", "name"]);
        assert_eq!(from_attrs(attrs).unwrap(), item);
    }

    #[test]
    fn a_stored_item_with_half_an_index_key_is_reported_corrupt() {
        let mut attrs = to_attrs(&Item::new(Key::new("T#1", "A"))).unwrap();
        attrs.insert("GSI1PK".into(), AttributeValue::S("x".into()));
        assert!(matches!(from_attrs(attrs), Err(StoreError::Corrupt(_))));
    }

    fn rendered(frag: &Frag) -> (String, HashMap<String, String>, HashMap<String, AttributeValue>) {
        let mut e = Expr::default();
        let s = frag.render(&mut e);
        let (names, values) = e.finish();
        (s, names.unwrap_or_default(), values.unwrap_or_default())
    }

    #[test]
    fn a_condition_that_holds_on_no_item_also_holds_on_an_expired_one() {
        let (s, names, values) = rendered(&guarded(&Cond::Absent, 100));
        assert_eq!(
            s,
            "(((attribute_not_exists(#n0) OR #n0 > :v0) AND attribute_not_exists(#n1)) OR #n0 <= :v1)"
        );
        assert_eq!(names.get("#n0").map(String::as_str), Some("ttl"));
        assert_eq!(names.get("#n1").map(String::as_str), Some("PK"));
        assert_eq!(values.get(":v0"), Some(&AttributeValue::N("100".into())));
    }

    #[test]
    fn a_condition_that_fails_on_no_item_requires_a_live_item() {
        let (s, _, _) = rendered(&guarded(&Cond::Exists, 100));
        assert_eq!(s, "((attribute_not_exists(#n0) OR #n0 > :v0) AND attribute_exists(#n1))");
    }

    #[test]
    fn not_equal_is_false_on_a_missing_attribute() {
        let (s, _, values) = rendered(&compile(&Cond::cmp("status", CmpOp::Ne, "done")));
        assert_eq!(s, "(attribute_exists(#n0) AND (NOT (attribute_type(#n0, :v0) AND #n0 = :v1)))");
        assert_eq!(values.get(":v0"), Some(&AttributeValue::S("S".into())));
    }

    #[test]
    fn ordering_a_value_that_has_no_order_never_holds() {
        assert_eq!(compile(&Cond::cmp("flag", CmpOp::Lt, true)), Frag::False);
        assert_eq!(compile(&Cond::cmp("map", CmpOp::Ge, json!({}))), Frag::False);
    }

    #[test]
    fn conditions_on_reserved_attributes_follow_the_port_and_leave_no_placeholder_behind() {
        let cond = Cond::eq("name", "x").and(Cond::AttrExists("ttl".into()));
        assert_eq!(compile(&cond), Frag::False);
        let (_, names, values) = rendered(&compile(&cond));
        assert_eq!(names.len(), 1, "only PK, for the constant");
        assert!(values.is_empty());
        assert_eq!(compile(&Cond::AttrAbsent("PK".into())), Frag::True);
    }

    #[test]
    fn an_update_expression_sets_adds_removes_and_handles_the_ttl() {
        let update = Update::new().set("name", "Acme").add("count", 2).remove("old").ttl(500);
        let mut e = Expr::default();
        assert_eq!(
            update_expression(&update, &mut e).unwrap(),
            "SET #n0 = :v0, #n1 = :v1 ADD #n2 :v2 REMOVE #n3"
        );
        let clear = Update { ttl: Some(None), ..Update::new() };
        let mut e = Expr::default();
        assert_eq!(update_expression(&clear, &mut e).unwrap(), "REMOVE #n0");
        assert_eq!(e.names.get("#n0").map(String::as_str), Some("ttl"));
    }

    #[test]
    fn key_ranges_dynamodb_refuses_are_restated() {
        assert_eq!(key_range(&SkRange::Between("b".into(), "a".into())), None);
        assert_eq!(key_range(&SkRange::BeginsWith(String::new())), Some(SkRange::All));
        assert_eq!(key_range(&SkRange::Between(String::new(), "b".into())), Some(SkRange::Le("b".into())));
        assert_eq!(key_range(&SkRange::Lt(String::new())), None);
        assert_eq!(key_range(&SkRange::Ge(String::new())), Some(SkRange::All));
    }
}
