//! The item-store port: one DynamoDB-shaped table that every repository is written against.
//!
//! Two adapters implement it — `adapters::dynamodb::DynamoDbStore` (AWS) and
//! `adapters::embedded::EmbeddedStore` (SQLite file) — and `testing::item_store::conformance`
//! proves that both give the same answers. Nothing here names an AWS type.
//!
//! Semantics every adapter keeps:
//! - An item is a key (`PK`, `SK`), up to two overloaded index keys (`GSI1PK/GSI1SK`,
//!   `GSI2PK/GSI2SK`), an optional TTL (epoch seconds) and JSON-like attributes.
//! - An item whose TTL is at or before the store clock's `now` is *gone*: reads skip it and
//!   conditions see no item. (DynamoDB deletes expired items hours late; moto never does.)
//! - Conditions are checked atomically with the write they guard.
//! - `transact` writes up to 100 items all-or-nothing and reports which condition failed.
//! - `query` pages never skip or repeat an item, whichever direction they walk.
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Attribute names the adapters own; repositories put their data under other names.
pub const RESERVED: [&str; 7] = ["PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "ttl"];

/// The most writes one `transact` call takes (DynamoDB's TransactWriteItems limit).
pub const MAX_TRANSACT_ITEMS: usize = 100;

/// The most items one query page returns.
pub const MAX_PAGE: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Key { pk: pk.into(), sk: sk.into() }
    }
}

/// Which sort order a query walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Index {
    Table,
    Gsi1,
    Gsi2,
}

impl Index {
    pub fn name(self) -> Option<&'static str> {
        match self {
            Index::Table => None,
            Index::Gsi1 => Some("GSI1"),
            Index::Gsi2 => Some("GSI2"),
        }
    }
}

/// One stored item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub key: Key,
    pub gsi1: Option<Key>,
    pub gsi2: Option<Key>,
    /// Epoch seconds after which the item is gone.
    pub ttl: Option<i64>,
    pub attrs: Map<String, Value>,
}

impl Item {
    pub fn new(key: Key) -> Self {
        Item { key, gsi1: None, gsi2: None, ttl: None, attrs: Map::new() }
    }

    /// An item whose attributes are the fields of `value` (a struct or a JSON object).
    pub fn from_record<T: Serialize>(key: Key, value: &T) -> Result<Self, StoreError> {
        match serde_json::to_value(value).map_err(|e| StoreError::Invalid(e.to_string()))? {
            Value::Object(attrs) => {
                let item = Item { attrs, ..Item::new(key) };
                item.check_attrs()?;
                Ok(item)
            }
            _ => Err(StoreError::Invalid("a record must serialize to an object".into())),
        }
    }

    /// The attributes read back as `T`.
    pub fn record<T: for<'de> Deserialize<'de>>(&self) -> Result<T, StoreError> {
        serde_json::from_value(Value::Object(self.attrs.clone()))
            .map_err(|e| StoreError::Corrupt(format!("{}/{}: {e}", self.key.pk, self.key.sk)))
    }

    pub fn with_gsi1(mut self, pk: impl Into<String>, sk: impl Into<String>) -> Self {
        self.gsi1 = Some(Key::new(pk, sk));
        self
    }

    pub fn with_gsi2(mut self, pk: impl Into<String>, sk: impl Into<String>) -> Self {
        self.gsi2 = Some(Key::new(pk, sk));
        self
    }

    pub fn with_ttl(mut self, epoch_seconds: i64) -> Self {
        self.ttl = Some(epoch_seconds);
        self
    }

    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.attrs.insert(name.to_string(), value.into());
        self
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.attrs.get(name)
    }

    pub fn get_i64(&self, name: &str) -> Option<i64> {
        self.attrs.get(name).and_then(Value::as_i64)
    }

    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).and_then(Value::as_str)
    }

    /// The item's key in `index` (its table key for `Index::Table`).
    pub fn index_key(&self, index: Index) -> Option<&Key> {
        match index {
            Index::Table => Some(&self.key),
            Index::Gsi1 => self.gsi1.as_ref(),
            Index::Gsi2 => self.gsi2.as_ref(),
        }
    }

    pub fn is_live(&self, now: i64) -> bool {
        self.ttl.is_none_or(|t| t > now)
    }

    /// Refuses reserved attribute names and values DynamoDB cannot hold the same way
    /// (floats, empty keys), so both adapters store exactly the same thing.
    pub fn check_attrs(&self) -> Result<(), StoreError> {
        for key in [Some(&self.key), self.gsi1.as_ref(), self.gsi2.as_ref()].into_iter().flatten() {
            if key.pk.is_empty() || key.sk.is_empty() {
                return Err(StoreError::Invalid("key parts must not be empty".into()));
            }
        }
        for (name, value) in &self.attrs {
            check_attr(name, value)?;
        }
        Ok(())
    }
}

fn check_attr(name: &str, value: &Value) -> Result<(), StoreError> {
    if RESERVED.contains(&name) || name.is_empty() {
        return Err(StoreError::Invalid(format!("attribute name `{name}` is reserved")));
    }
    check_value(value)
}

fn check_value(value: &Value) -> Result<(), StoreError> {
    match value {
        Value::Number(n) if n.is_f64() => {
            Err(StoreError::Invalid("floating-point attributes are not stored; use integers".into()))
        }
        Value::Array(items) => items.iter().try_for_each(check_value),
        Value::Object(map) => map.values().try_for_each(check_value),
        _ => Ok(()),
    }
}

/// A condition on the item a write touches, checked atomically with the write.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// A live item with this key exists.
    Exists,
    /// No live item with this key exists.
    Absent,
    AttrExists(String),
    AttrAbsent(String),
    /// Compares an attribute with a value: numbers numerically, strings by bytes; an
    /// attribute that is missing or of another type never compares true (as in DynamoDB).
    Cmp(String, CmpOp, Value),
    And(Vec<Cond>),
    Or(Vec<Cond>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cond {
    pub fn eq(name: &str, value: impl Into<Value>) -> Cond {
        Cond::Cmp(name.into(), CmpOp::Eq, value.into())
    }
    pub fn cmp(name: &str, op: CmpOp, value: impl Into<Value>) -> Cond {
        Cond::Cmp(name.into(), op, value.into())
    }
    /// Optimistic concurrency: the stored `version` is still `expected`.
    pub fn version(expected: i64) -> Cond {
        Cond::eq("version", expected)
    }
    pub fn and(self, other: Cond) -> Cond {
        Cond::And(vec![self, other])
    }
    pub fn or(self, other: Cond) -> Cond {
        Cond::Or(vec![self, other])
    }

    /// Evaluates the condition against the live item, or against no item (`None`).
    /// This is the reference semantics; the embedded store uses it directly and the
    /// DynamoDB adapter compiles the same meaning into a condition expression.
    pub fn holds(&self, item: Option<&Item>) -> bool {
        match self {
            Cond::Exists => item.is_some(),
            Cond::Absent => item.is_none(),
            Cond::AttrExists(name) => item.is_some_and(|i| i.attrs.contains_key(name)),
            Cond::AttrAbsent(name) => !item.is_some_and(|i| i.attrs.contains_key(name)),
            Cond::Cmp(name, op, value) => {
                item.and_then(|i| i.attrs.get(name)).is_some_and(|stored| compare(stored, *op, value))
            }
            Cond::And(all) => all.iter().all(|c| c.holds(item)),
            Cond::Or(any) => any.iter().any(|c| c.holds(item)),
        }
    }
}

/// DynamoDB comparison rules: same-type numbers and strings order; `=`/`<>` also work on
/// booleans, null, lists and maps by equality; mixed types are never equal and never ordered.
pub fn compare(stored: &Value, op: CmpOp, value: &Value) -> bool {
    use std::cmp::Ordering;
    let ordering: Option<Ordering> = match (stored, value) {
        (Value::Number(a), Value::Number(b)) => match (a.as_i64(), b.as_i64()) {
            (Some(a), Some(b)) => Some(a.cmp(&b)),
            _ => a.as_f64().zip(b.as_f64()).and_then(|(a, b)| a.partial_cmp(&b)),
        },
        (Value::String(a), Value::String(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
        _ => None,
    };
    match (op, ordering) {
        (CmpOp::Eq, Some(o)) => o == Ordering::Equal,
        (CmpOp::Ne, Some(o)) => o != Ordering::Equal,
        (CmpOp::Eq, None) => same_type(stored, value) && stored == value,
        (CmpOp::Ne, None) => !(same_type(stored, value) && stored == value),
        (CmpOp::Lt, Some(o)) => o == Ordering::Less,
        (CmpOp::Le, Some(o)) => o != Ordering::Greater,
        (CmpOp::Gt, Some(o)) => o == Ordering::Greater,
        (CmpOp::Ge, Some(o)) => o != Ordering::Less,
        (_, None) => false,
    }
}

fn same_type(a: &Value, b: &Value) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// An update of one item's attributes, applied atomically (DynamoDB's UpdateItem).
/// An update of an absent item creates it with the key alone plus these changes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Update {
    pub set: Vec<(String, Value)>,
    /// Atomic counters: adds to the number stored (a missing attribute counts as 0).
    pub add: Vec<(String, i64)>,
    pub remove: Vec<String>,
    /// Sets (`Some(Some)`) or clears (`Some(None)`) the TTL.
    pub ttl: Option<Option<i64>>,
}

impl Update {
    pub fn new() -> Self {
        Update::default()
    }
    pub fn set(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.set.push((name.into(), value.into()));
        self
    }
    pub fn add(mut self, name: &str, by: i64) -> Self {
        self.add.push((name.into(), by));
        self
    }
    pub fn remove(mut self, name: &str) -> Self {
        self.remove.push(name.into());
        self
    }
    pub fn ttl(mut self, epoch_seconds: i64) -> Self {
        self.ttl = Some(Some(epoch_seconds));
        self
    }

    pub fn check(&self) -> Result<(), StoreError> {
        if self.set.is_empty() && self.add.is_empty() && self.remove.is_empty() && self.ttl.is_none() {
            return Err(StoreError::Invalid("an update must change something".into()));
        }
        let mut seen = std::collections::HashSet::new();
        for (name, value) in &self.set {
            check_attr(name, value)?;
            if !seen.insert(name.as_str()) {
                return Err(StoreError::Invalid(format!("attribute `{name}` updated twice")));
            }
        }
        for name in self.add.iter().map(|(n, _)| n).chain(&self.remove) {
            check_attr(name, &Value::Null)?;
            if !seen.insert(name.as_str()) {
                return Err(StoreError::Invalid(format!("attribute `{name}` updated twice")));
            }
        }
        Ok(())
    }

    /// Applies the update to `item` (the reference semantics both adapters keep).
    pub fn apply(&self, item: &mut Item) -> Result<(), StoreError> {
        for (name, value) in &self.set {
            item.attrs.insert(name.clone(), value.clone());
        }
        for (name, by) in &self.add {
            let current = match item.attrs.get(name) {
                None => 0,
                Some(v) => v.as_i64().ok_or_else(|| {
                    StoreError::Invalid(format!("attribute `{name}` is not an integer"))
                })?,
            };
            let next = current
                .checked_add(*by)
                .ok_or_else(|| StoreError::Invalid(format!("attribute `{name}` overflows")))?;
            item.attrs.insert(name.clone(), Value::from(next));
        }
        for name in &self.remove {
            item.attrs.remove(name);
        }
        if let Some(ttl) = self.ttl {
            item.ttl = ttl;
        }
        Ok(())
    }
}

/// One write of a transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    Put { item: Item, cond: Option<Cond> },
    Update { key: Key, update: Update, cond: Option<Cond> },
    Delete { key: Key, cond: Option<Cond> },
    /// Writes nothing; the transaction fails unless the condition holds.
    Check { key: Key, cond: Cond },
}

impl Write {
    pub fn put(item: Item) -> Write {
        Write::Put { item, cond: None }
    }
    pub fn update(key: Key, update: Update) -> Write {
        Write::Update { key, update, cond: None }
    }
    pub fn delete(key: Key) -> Write {
        Write::Delete { key, cond: None }
    }
    pub fn check(key: Key, cond: Cond) -> Write {
        Write::Check { key, cond }
    }
    /// Guards this write with `cond`.
    pub fn when(self, cond: Cond) -> Write {
        match self {
            Write::Put { item, .. } => Write::Put { item, cond: Some(cond) },
            Write::Update { key, update, .. } => Write::Update { key, update, cond: Some(cond) },
            Write::Delete { key, .. } => Write::Delete { key, cond: Some(cond) },
            Write::Check { key, .. } => Write::Check { key, cond },
        }
    }
    pub fn key(&self) -> &Key {
        match self {
            Write::Put { item, .. } => &item.key,
            Write::Update { key, .. } | Write::Delete { key, .. } | Write::Check { key, .. } => key,
        }
    }
    pub fn cond(&self) -> Option<&Cond> {
        match self {
            Write::Put { cond, .. } | Write::Update { cond, .. } | Write::Delete { cond, .. } => {
                cond.as_ref()
            }
            Write::Check { cond, .. } => Some(cond),
        }
    }
}

/// Checks a transaction before any adapter runs it: size, one write per item, valid items.
pub fn check_transaction(writes: &[Write]) -> Result<(), StoreError> {
    if writes.is_empty() || writes.len() > MAX_TRANSACT_ITEMS {
        return Err(StoreError::Invalid(format!(
            "a transaction takes 1 to {MAX_TRANSACT_ITEMS} writes, not {}",
            writes.len()
        )));
    }
    let mut keys = std::collections::HashSet::new();
    for write in writes {
        if !keys.insert(write.key()) {
            return Err(StoreError::Invalid(format!(
                "one transaction touches {}/{} twice",
                write.key().pk,
                write.key().sk
            )));
        }
        match write {
            Write::Put { item, .. } => item.check_attrs()?,
            Write::Update { update, .. } => update.check()?,
            _ => {}
        }
    }
    Ok(())
}

/// Which sort keys a query takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkRange {
    All,
    BeginsWith(String),
    /// Inclusive on both ends, as DynamoDB's BETWEEN.
    Between(String, String),
    Lt(String),
    Le(String),
    Gt(String),
    Ge(String),
}

impl SkRange {
    pub fn contains(&self, sk: &str) -> bool {
        let b = sk.as_bytes();
        match self {
            SkRange::All => true,
            SkRange::BeginsWith(p) => b.starts_with(p.as_bytes()),
            SkRange::Between(lo, hi) => b >= lo.as_bytes() && b <= hi.as_bytes(),
            SkRange::Lt(v) => b < v.as_bytes(),
            SkRange::Le(v) => b <= v.as_bytes(),
            SkRange::Gt(v) => b > v.as_bytes(),
            SkRange::Ge(v) => b >= v.as_bytes(),
        }
    }
}

/// Where the previous page stopped: the last item's table key and index key. Opaque to
/// callers; the HTTP layer signs it before it leaves the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub key: Key,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_key: Option<Key>,
}

impl Cursor {
    pub fn after(item: &Item, index: Index) -> Cursor {
        Cursor {
            key: item.key.clone(),
            index_key: match index {
                Index::Table => None,
                other => item.index_key(other).cloned(),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub index: Index,
    pub pk: String,
    pub sk: SkRange,
    /// Ascending sort key when true.
    pub forward: bool,
    pub limit: usize,
    pub after: Option<Cursor>,
}

impl Query {
    pub fn table(pk: impl Into<String>) -> Query {
        Query { index: Index::Table, pk: pk.into(), sk: SkRange::All, forward: true, limit: 100, after: None }
    }
    pub fn gsi1(pk: impl Into<String>) -> Query {
        Query { index: Index::Gsi1, ..Query::table(pk) }
    }
    pub fn gsi2(pk: impl Into<String>) -> Query {
        Query { index: Index::Gsi2, ..Query::table(pk) }
    }
    pub fn sk(mut self, range: SkRange) -> Query {
        self.sk = range;
        self
    }
    pub fn prefix(self, prefix: impl Into<String>) -> Query {
        self.sk(SkRange::BeginsWith(prefix.into()))
    }
    pub fn backward(mut self) -> Query {
        self.forward = false;
        self
    }
    pub fn limit(mut self, limit: usize) -> Query {
        self.limit = limit;
        self
    }
    pub fn after(mut self, cursor: Option<Cursor>) -> Query {
        self.after = cursor;
        self
    }

    pub fn check(&self) -> Result<(), StoreError> {
        if self.limit == 0 || self.limit > MAX_PAGE {
            return Err(StoreError::Invalid(format!("a page holds 1 to {MAX_PAGE} items")));
        }
        if self.pk.is_empty() {
            return Err(StoreError::Invalid("a query needs a partition key".into()));
        }
        if let Some(c) = &self.after {
            if self.index != Index::Table && c.index_key.is_none() {
                return Err(StoreError::Invalid("cursor is not for this index".into()));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub items: Vec<Item>,
    /// Present when more items may follow; pass it as `Query::after` for the next page.
    pub next: Option<Cursor>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A condition did not hold. For `transact`, `index` names the failing write.
    #[error("condition failed{}", .index.map(|i| format!(" on write {i}")).unwrap_or_default())]
    ConditionFailed { index: Option<usize> },
    /// Another transaction touched the same items at the same moment; retrying may work.
    #[error("transaction conflict")]
    TransactionConflict,
    /// The request itself is malformed (a programming error, never user input).
    #[error("invalid store request: {0}")]
    Invalid(String),
    /// A stored item cannot be read back as the expected record.
    #[error("corrupt item {0}")]
    Corrupt(String),
    #[error("store unavailable: {0}")]
    Unavailable(String),
}

impl StoreError {
    pub fn is_condition_failed(&self) -> bool {
        matches!(self, StoreError::ConditionFailed { .. })
    }
}

/// The item store. Every repository is written once against this trait.
#[async_trait]
pub trait ItemStore: Send + Sync {
    /// The live item with this key.
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError>;

    /// Writes the whole item, replacing any item with its key, if `cond` holds.
    async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError>;

    /// Applies `update` if `cond` holds and returns the item as it is afterwards.
    async fn update(&self, key: &Key, update: Update, cond: Option<Cond>) -> Result<Item, StoreError>;

    /// Deletes the item if `cond` holds; deleting an absent item is not an error.
    async fn delete(&self, key: &Key, cond: Option<Cond>) -> Result<(), StoreError>;

    /// All writes or none. A failed condition answers `ConditionFailed { index }`.
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError>;

    /// One page of live items of a partition, in sort-key order.
    async fn query(&self, query: Query) -> Result<Page, StoreError>;
}
