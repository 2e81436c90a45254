//! `EmbeddedStore`: the item-store port on one SQLite file, for the local server and tests.
//!
//! Same semantics as DynamoDB (see `ports::item_store`), proven by the conformance suite.
//! Every write runs in one `BEGIN IMMEDIATE` transaction with its conditions checked inside
//! it, so a transaction is all-or-nothing; WAL with `synchronous = FULL` makes a committed
//! write survive a crash of the process or the machine. Not for more than one machine.
use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use serde_json::{Map, Value};

use store::ports::clock::Clock;
use store::ports::item_store::{
    Cond, Cursor, Index, Item, ItemStore, Key, Page, Query, SkRange, StoreError, Update, Write, check_transaction,
};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS items (
    pk TEXT NOT NULL,
    sk TEXT NOT NULL,
    gsi1pk TEXT, gsi1sk TEXT,
    gsi2pk TEXT, gsi2sk TEXT,
    ttl INTEGER,
    attrs TEXT NOT NULL,
    PRIMARY KEY (pk, sk)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_gsi1 ON items (gsi1pk, gsi1sk, pk, sk) WHERE gsi1pk IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_gsi2 ON items (gsi2pk, gsi2sk, pk, sk) WHERE gsi2pk IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_ttl ON items (ttl) WHERE ttl IS NOT NULL;
";

#[derive(Clone)]
pub struct EmbeddedStore {
    conn: Arc<Mutex<Connection>>,
    clock: Arc<dyn Clock>,
}

fn db_err(e: rusqlite::Error) -> StoreError {
    StoreError::Unavailable(format!("sqlite: {e}"))
}

impl EmbeddedStore {
    /// Opens (or creates) the store file at `path`.
    pub fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Unavailable(format!("{}: {e}", dir.display())))?;
        }
        let conn = Connection::open(path).map_err(db_err)?;
        // WAL keeps readers off the writer's lock; FULL syncs the WAL on every commit, so a
        // committed write is on disk before the caller hears "ok".
        conn.pragma_update(None, "journal_mode", "WAL").map_err(db_err)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(db_err)?;
        Self::init(conn, clock)
    }

    /// A store that lives in memory only: for unit tests.
    pub fn in_memory(clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory().map_err(db_err)?, clock)
    }

    fn init(conn: Connection, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(db_err)?;
        conn.execute_batch(SCHEMA).map_err(db_err)?;
        Ok(EmbeddedStore { conn: Arc::new(Mutex::new(conn)), clock })
    }

    /// Runs `f` on the connection off the async runtime's threads.
    async fn with_conn<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection, i64) -> Result<T, StoreError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        let now = self.clock.now().unix();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().map_err(|_| StoreError::Unavailable("store lock poisoned".into()))?;
            f(&mut guard, now)
        })
        .await
        .map_err(|e| StoreError::Unavailable(format!("store task failed: {e}")))?
    }

    /// Physically removes items whose TTL has passed (DynamoDB's background deletion);
    /// reads already ignore them. Answers how many were removed.
    pub async fn sweep_expired(&self) -> Result<usize, StoreError> {
        self.with_conn(|conn, now| {
            conn.execute("DELETE FROM items WHERE ttl IS NOT NULL AND ttl <= ?1", params![now]).map_err(db_err)
        })
        .await
    }

    /// Runs writes in one SQLite transaction. `single` marks a lone put/update/delete, where
    /// an update of an expired item starts afresh; inside `transact` it fails instead (as the
    /// DynamoDB adapter's guard makes it).
    fn write_all(conn: &mut Connection, now: i64, writes: &[Write], single: bool) -> Result<Option<Item>, StoreError> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_err)?;
        let mut updated = None;
        for (i, write) in writes.iter().enumerate() {
            let failed = || StoreError::ConditionFailed { index: if single { None } else { Some(i) } };
            let stored = read_raw(&tx, write.key())?;
            let expired = stored.as_ref().is_some_and(|s| !s.is_live(now));
            let live = stored.filter(|s| s.is_live(now));
            if let Some(cond) = write.cond() {
                if !cond.holds(live.as_ref()) {
                    return Err(failed());
                }
            }
            match write {
                Write::Put { item, .. } => upsert(&tx, item)?,
                Write::Delete { key, .. } => {
                    tx.execute("DELETE FROM items WHERE pk = ?1 AND sk = ?2", params![key.pk, key.sk])
                        .map_err(db_err)?;
                }
                Write::Update { key, update, .. } => {
                    if expired && !single {
                        return Err(failed());
                    }
                    let mut item = live.unwrap_or_else(|| Item::new(key.clone()));
                    update.apply(&mut item)?;
                    upsert(&tx, &item)?;
                    updated = Some(item);
                }
                Write::Check { .. } => {}
            }
        }
        tx.commit().map_err(db_err)?;
        Ok(updated)
    }
}

fn read_raw(tx: &Transaction<'_>, key: &Key) -> Result<Option<Item>, StoreError> {
    tx.query_row(
        "SELECT pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk, ttl, attrs FROM items WHERE pk = ?1 AND sk = ?2",
        params![key.pk, key.sk],
        row_to_parts,
    )
    .optional()
    .map_err(db_err)?
    .map(parts_to_item)
    .transpose()
}

type Parts = (String, String, Option<String>, Option<String>, Option<String>, Option<String>, Option<i64>, String);

fn row_to_parts(row: &rusqlite::Row<'_>) -> rusqlite::Result<Parts> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?, row.get(7)?))
}

fn parts_to_item((pk, sk, g1p, g1s, g2p, g2s, ttl, attrs): Parts) -> Result<Item, StoreError> {
    let attrs: Map<String, Value> =
        serde_json::from_str(&attrs).map_err(|e| StoreError::Corrupt(format!("{pk}/{sk}: {e}")))?;
    Ok(Item {
        key: Key { pk, sk },
        gsi1: g1p.zip(g1s).map(|(pk, sk)| Key { pk, sk }),
        gsi2: g2p.zip(g2s).map(|(pk, sk)| Key { pk, sk }),
        ttl,
        attrs,
    })
}

fn upsert(tx: &Transaction<'_>, item: &Item) -> Result<(), StoreError> {
    let attrs = serde_json::to_string(&item.attrs).map_err(|e| StoreError::Invalid(e.to_string()))?;
    tx.execute(
        "INSERT OR REPLACE INTO items (pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk, ttl, attrs)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            item.key.pk,
            item.key.sk,
            item.gsi1.as_ref().map(|k| &k.pk),
            item.gsi1.as_ref().map(|k| &k.sk),
            item.gsi2.as_ref().map(|k| &k.pk),
            item.gsi2.as_ref().map(|k| &k.sk),
            item.ttl,
            attrs
        ],
    )
    .map_err(db_err)?;
    Ok(())
}

/// The SQL of one query page: the partition, the sort-key range, the cursor, live items only.
fn query_sql(q: &Query, now: i64) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value as V;
    let (pk_col, sk_col) = match q.index {
        Index::Table => ("pk", "sk"),
        Index::Gsi1 => ("gsi1pk", "gsi1sk"),
        Index::Gsi2 => ("gsi2pk", "gsi2sk"),
    };
    let mut sql = format!(
        "SELECT pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk, ttl, attrs FROM items \
         WHERE {pk_col} = ?1 AND (ttl IS NULL OR ttl > ?2)"
    );
    let mut args: Vec<V> = vec![V::Text(q.pk.clone()), V::Integer(now)];
    let arg = |v: &str, args: &mut Vec<V>| {
        args.push(V::Text(v.to_string()));
        format!("?{}", args.len())
    };
    match &q.sk {
        SkRange::All => {}
        SkRange::BeginsWith(p) => {
            let a = arg(p, &mut args);
            sql += &format!(" AND substr({sk_col}, 1, length({a})) = {a}");
        }
        SkRange::Between(lo, hi) => {
            let (a, b) = (arg(lo, &mut args), arg(hi, &mut args));
            sql += &format!(" AND {sk_col} >= {a} AND {sk_col} <= {b}");
        }
        SkRange::Lt(v) => sql += &format!(" AND {sk_col} < {}", arg(v, &mut args)),
        SkRange::Le(v) => sql += &format!(" AND {sk_col} <= {}", arg(v, &mut args)),
        SkRange::Gt(v) => sql += &format!(" AND {sk_col} > {}", arg(v, &mut args)),
        SkRange::Ge(v) => sql += &format!(" AND {sk_col} >= {}", arg(v, &mut args)),
    }
    let cmp = if q.forward { ">" } else { "<" };
    let dir = if q.forward { "ASC" } else { "DESC" };
    if let Some(c) = &q.after {
        match (q.index, &c.index_key) {
            (Index::Table, _) => sql += &format!(" AND sk {cmp} {}", arg(&c.key.sk, &mut args)),
            (_, Some(ik)) => {
                let (a, b, d) = (arg(&ik.sk, &mut args), arg(&c.key.pk, &mut args), arg(&c.key.sk, &mut args));
                sql += &format!(" AND ({sk_col}, pk, sk) {cmp} ({a}, {b}, {d})");
            }
            // `Query::check` refuses a GSI cursor without an index key.
            (_, None) => {}
        }
    }
    sql += &match q.index {
        Index::Table => format!(" ORDER BY sk {dir}"),
        _ => format!(" ORDER BY {sk_col} {dir}, pk {dir}, sk {dir}"),
    };
    args.push(V::Integer(q.limit as i64 + 1));
    sql += &format!(" LIMIT ?{}", args.len());
    (sql, args)
}

#[async_trait]
impl ItemStore for EmbeddedStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let key = key.clone();
        self.with_conn(move |conn, now| {
            let tx = conn.transaction().map_err(db_err)?;
            Ok(read_raw(&tx, &key)?.filter(|i| i.is_live(now)))
        })
        .await
    }

    async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError> {
        item.check_attrs()?;
        self.with_conn(move |conn, now| Self::write_all(conn, now, &[Write::Put { item, cond }], true).map(|_| ()))
            .await
    }

    async fn update(&self, key: &Key, update: Update, cond: Option<Cond>) -> Result<Item, StoreError> {
        update.check()?;
        let key = key.clone();
        self.with_conn(move |conn, now| {
            Self::write_all(conn, now, &[Write::Update { key, update, cond }], true)?
                .ok_or_else(|| StoreError::Unavailable("update wrote no item".into()))
        })
        .await
    }

    async fn delete(&self, key: &Key, cond: Option<Cond>) -> Result<(), StoreError> {
        let key = key.clone();
        self.with_conn(move |conn, now| Self::write_all(conn, now, &[Write::Delete { key, cond }], true).map(|_| ()))
            .await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        check_transaction(&writes)?;
        self.with_conn(move |conn, now| Self::write_all(conn, now, &writes, false).map(|_| ())).await
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        query.check()?;
        self.with_conn(move |conn, now| {
            let (sql, args) = query_sql(&query, now);
            let mut stmt = conn.prepare_cached(&sql).map_err(db_err)?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(args), row_to_parts)
                .map_err(db_err)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(db_err)?;
            let mut items = rows.into_iter().map(parts_to_item).collect::<Result<Vec<_>, _>>()?;
            let next = if items.len() > query.limit {
                items.truncate(query.limit);
                items.last().map(|last| Cursor::after(last, query.index))
            } else {
                None
            };
            Ok(Page { items, next })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use store::testing::clock::ManualClock;

    async fn factory() -> (Arc<dyn ItemStore>, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::starting_now());
        let store = EmbeddedStore::in_memory(clock.clone()).expect("in-memory store opens");
        (Arc::new(store), clock)
    }

    store::item_store_conformance!(factory);

    #[tokio::test]
    async fn data_survives_reopening_the_file() {
        // GIVEN a store file with one item
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        let clock: Arc<dyn Clock> = Arc::new(ManualClock::starting_now());
        let store = EmbeddedStore::open(&path, clock.clone()).unwrap();
        store.put(Item::new(Key::new("T#1", "A")).with("name", "Acme"), None).await.unwrap();
        drop(store);
        // WHEN it is opened again
        let reopened = EmbeddedStore::open(&path, clock).unwrap();
        // THEN the item is there
        let item = reopened.get(&Key::new("T#1", "A")).await.unwrap().unwrap();
        assert_eq!(item.get_str("name"), Some("Acme"));
    }

    #[tokio::test]
    async fn sweeping_removes_only_expired_items() {
        let clock = Arc::new(ManualClock::starting_now());
        let store = EmbeddedStore::in_memory(clock.clone()).unwrap();
        let now = clock.now().unix();
        store.put(Item::new(Key::new("P", "old")).with_ttl(now + 10), None).await.unwrap();
        store.put(Item::new(Key::new("P", "new")).with_ttl(now + 100), None).await.unwrap();
        store.put(Item::new(Key::new("P", "forever")), None).await.unwrap();
        clock.advance(50);
        assert_eq!(store.sweep_expired().await.unwrap(), 1);
        let page = store.query(Query::table("P")).await.unwrap();
        assert_eq!(page.items.len(), 2);
    }

    /// Run by `a_crash_mid_write_loses_no_committed_transaction` in a child process: writes
    /// pairs of items in transactions until it is killed.
    #[test]
    #[ignore = "a helper process for the crash test, not a test"]
    fn crash_writer_child() {
        let Ok(path) = std::env::var("DOTMAC_CRASH_STORE") else { return };
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let store = EmbeddedStore::open(Path::new(&path), Arc::new(ManualClock::starting_now())).unwrap();
            for n in 0.. {
                let big = "x".repeat(4096);
                store
                    .transact(vec![
                        Write::put(Item::new(Key::new("CRASH", format!("A#{n:08}"))).with("pad", big.clone())),
                        Write::put(Item::new(Key::new("CRASH", format!("B#{n:08}"))).with("pad", big)),
                        Write::update(Key::new("CRASH", "COUNT"), Update::new().add("n", 1)),
                    ])
                    .await
                    .unwrap();
                println!("committed {n}");
            }
        });
    }

    #[test]
    fn a_crash_mid_write_loses_no_committed_transaction() {
        // GIVEN a child process writing transactions as fast as it can
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        let exe = std::env::current_exe().unwrap();
        let mut child = std::process::Command::new(exe)
            .args(["--exact", "embedded::store::tests::crash_writer_child", "--ignored", "--nocapture"])
            .env("DOTMAC_CRASH_STORE", &path)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // WHEN it is killed (SIGKILL) after it reported some commits
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut last_reported = None;
        let mut line = String::new();
        while std::io::BufRead::read_line(&mut stdout, &mut line).unwrap() > 0 {
            if let Some(n) = line.trim().strip_prefix("committed ") {
                last_reported = n.parse::<i64>().ok();
                if last_reported >= Some(200) {
                    break;
                }
            }
            line.clear();
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let last_reported = last_reported.expect("the child committed something");
        // THEN every committed transaction is whole: both halves and the counter agree
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let store = EmbeddedStore::open(&path, Arc::new(ManualClock::starting_now())).unwrap();
            let count = store.get(&Key::new("CRASH", "COUNT")).await.unwrap().unwrap().get_i64("n").unwrap();
            assert!(count > last_reported, "commit {last_reported} was reported but the counter says {count}");
            let mut a = 0;
            let mut b = 0;
            let mut after = None;
            loop {
                let page = store.query(Query::table("CRASH").limit(1000).after(after)).await.unwrap();
                for item in &page.items {
                    if item.key.sk.starts_with("A#") { a += 1 } else if item.key.sk.starts_with("B#") { b += 1 }
                }
                after = page.next;
                if after.is_none() { break; }
            }
            assert_eq!((a, b), (count, count));
        });
    }
}
