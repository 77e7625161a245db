//! Bulk loading, for the scale dataset (`shn demo --scale N`): rows go in as multi-row
//! `INSERT`s of a few hundred rows each, committed every [`ROWS_PER_TX`] rows, so millions
//! of rows load in minutes on either backend without one huge transaction (a bounded
//! SQLite WAL, bounded PostgreSQL lock lists).
//!
//! Also the deterministic pieces a seeded generator needs: time-ordered UUIDs whose
//! random bits come from the caller's seeded generator, and a long-tailed index picker.

use chrono::{DateTime, Utc};
use rand::Rng;
use sea_orm::{DatabaseTransaction, DbErr, Value};
use uuid::Uuid;

use crate::db::{self, Backend, Db};

/// Rows per transaction: large enough to amortise the commit, small enough that an
/// interrupted load loses little and the SQLite WAL stays small.
pub const ROWS_PER_TX: usize = 50_000;
/// Bound parameters per statement, by backend. On SQLite, small: sqlx binds SQLite
/// parameters at a cost that grows faster than their number (a scale-0.02 load took 8.3 s
/// at 16 000 per statement, 2.2 s at 800, 1.8 s at 400). On PostgreSQL, large: every
/// statement is a round trip, and with small ones the load stalled on the network.
fn params_per_statement(db: &Db) -> usize {
    match db.backend() {
        Backend::Sqlite => 400,
        Backend::Postgres => 16_000,
    }
}

/// Rows waiting for one table. Feed them through a [`Loader`].
pub struct Table {
    name: &'static str,
    columns: &'static [&'static str],
    rows_per_statement: usize,
    pending: Vec<Value>,
    pending_rows: usize,
}

impl Table {
    pub fn new(name: &'static str, columns: &'static [&'static str]) -> Self {
        Table { name, columns, rows_per_statement: 0, pending: Vec::new(), pending_rows: 0 }
    }
}

/// Writes rows for any number of tables in shared transactions (on SQLite there is one
/// writer connection, so two loaders at once would wait on each other).
pub struct Loader<'a> {
    db: &'a Db,
    tx: Option<DatabaseTransaction>,
    rows_in_tx: usize,
    /// `CREATE INDEX` statements to run again when the load is finished.
    deferred_indexes: Vec<String>,
}

#[derive(sea_orm::FromQueryResult)]
struct IndexDefinition {
    name: String,
    sql: String,
}

impl<'a> Loader<'a> {
    pub fn new(db: &'a Db) -> Self {
        Loader { db, tx: None, rows_in_tx: 0, deferred_indexes: Vec::new() }
    }

    /// Drops the secondary indexes of `tables` (not primary keys or constraints) until
    /// [`Loader::finish`], which builds them again: one sort per index at the end instead
    /// of a million inserts into each, most of them at random places (IDs and times are
    /// not loaded in order). Nothing may read these tables until the load is finished.
    pub async fn defer_indexes(mut self, tables: &[&str]) -> Result<Self, DbErr> {
        let sql = match self.db.backend() {
            Backend::Sqlite => {
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name = $1"
            }
            Backend::Postgres => {
                "SELECT i.indexname AS name, i.indexdef AS sql FROM pg_indexes i WHERE i.schemaname = current_schema() \
                 AND i.tablename = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
            }
        };
        for table in tables {
            let found: Vec<IndexDefinition> = self.db.all(sql, crate::params![*table]).await?;
            for index in found {
                self.db.exec(&format!("DROP INDEX \"{}\"", index.name), vec![]).await?;
                self.deferred_indexes.push(index.sql);
            }
        }
        Ok(self)
    }

    /// Adds one row to `table`; the values are in the order of its columns.
    pub async fn row(&mut self, table: &mut Table, values: Vec<Value>) -> Result<(), DbErr> {
        self.child_row(table, &mut [], values).await
    }

    /// Adds one row to a table whose rows refer to rows of `parents`: the parents' pending
    /// rows are written first, so foreign keys hold at every statement.
    pub async fn child_row(
        &mut self,
        table: &mut Table,
        parents: &mut [&mut Table],
        values: Vec<Value>,
    ) -> Result<(), DbErr> {
        debug_assert_eq!(values.len(), table.columns.len(), "{}: wrong number of values", table.name);
        if table.rows_per_statement == 0 {
            table.rows_per_statement = (params_per_statement(self.db) / table.columns.len()).clamp(1, 1000);
        }
        table.pending.extend(values);
        table.pending_rows += 1;
        if table.pending_rows >= table.rows_per_statement {
            for p in parents.iter_mut() {
                self.flush(p).await?;
            }
            self.flush(table).await?;
        }
        Ok(())
    }

    async fn flush(&mut self, table: &mut Table) -> Result<(), DbErr> {
        if table.pending_rows == 0 {
            return Ok(());
        }
        if self.tx.is_none() {
            self.tx = Some(self.db.begin().await?);
        }
        let width = table.columns.len();
        let tuples: Vec<String> =
            (0..table.pending_rows).map(|r| format!("({})", db::placeholders(r * width + 1, width))).collect();
        let sql = format!("INSERT INTO {} ({}) VALUES {}", table.name, table.columns.join(", "), tuples.join(", "));
        let values = std::mem::take(&mut table.pending);
        let tx = self.tx.as_ref().expect("transaction begun above");
        db::exec(tx, &sql, values).await?;
        self.rows_in_tx += table.pending_rows;
        table.pending_rows = 0;
        if self.rows_in_tx >= ROWS_PER_TX {
            self.commit().await?;
        }
        Ok(())
    }

    async fn commit(&mut self) -> Result<(), DbErr> {
        if let Some(tx) = self.tx.take() {
            tx.commit().await?;
        }
        self.rows_in_tx = 0;
        Ok(())
    }

    /// Runs one statement in the current transaction, after writing what `tables` hold.
    pub async fn exec(&mut self, sql: &str, values: Vec<Value>, tables: &mut [&mut Table]) -> Result<u64, DbErr> {
        for t in tables.iter_mut() {
            self.flush(t).await?;
        }
        if self.tx.is_none() {
            self.tx = Some(self.db.begin().await?);
        }
        db::exec(self.tx.as_ref().expect("transaction begun above"), sql, values).await
    }

    /// Writes what the tables still hold, in the order given (parents before children),
    /// and commits; then builds any deferred indexes.
    pub async fn finish(mut self, tables: &mut [&mut Table]) -> Result<(), DbErr> {
        for t in tables.iter_mut() {
            self.flush(t).await?;
        }
        self.commit().await?;
        for sql in std::mem::take(&mut self.deferred_indexes) {
            self.db.exec(&sql, vec![]).await?;
        }
        Ok(())
    }
}

/// A UUIDv7 for `at` whose random part comes from `rng`: the same seed gives the same IDs.
pub fn uuid_at(rng: &mut impl Rng, at: DateTime<Utc>) -> Uuid {
    let mut random = [0u8; 10];
    rng.fill(&mut random);
    uuid::Builder::from_unix_timestamp_millis(at.timestamp_millis().max(0) as u64, &random).into_uuid()
}

/// How many rows of something there are at `scale`, given how many at scale 1: rounded,
/// and never fewer than `min` (a small scale still needs some of everything).
pub fn scaled(at_scale_1: f64, scale: f64, min: usize) -> usize {
    ((at_scale_1 * scale).round() as usize).max(min)
}

/// An index in `0..n` from a long-tailed distribution: index 0 is the most likely, and
/// `P(index < k) = (k / n)^(1 / skew)`. A skew of 1 is uniform; 4 gives a handful of very
/// hot items and a long tail, the shape of real discussion traffic.
pub fn long_tail(rng: &mut impl Rng, n: usize, skew: i32) -> usize {
    let u: f64 = rng.random();
    ((u.powi(skew) * n as f64) as usize).min(n.saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn counts_scale_and_round_but_never_fall_below_the_minimum() {
        assert_eq!(scaled(100_000.0, 1.0, 1), 100_000);
        assert_eq!(scaled(5_000.0, 0.0101, 5), 51);
        assert_eq!(scaled(5_000.0, 0.0001, 5), 5);
    }

    #[test]
    fn the_same_seed_gives_the_same_ids_in_time_order() {
        let t = chrono::Utc::now();
        let a = uuid_at(&mut StdRng::seed_from_u64(1), t);
        let b = uuid_at(&mut StdRng::seed_from_u64(1), t);
        assert_eq!(a, b);
        assert_eq!(a.get_version_num(), 7);
        let later = uuid_at(&mut StdRng::seed_from_u64(1), t + chrono::Duration::seconds(1));
        assert!(later > a, "a later instant sorts after");
    }

    #[test]
    fn a_long_tail_puts_many_picks_on_few_items() {
        let mut rng = StdRng::seed_from_u64(3);
        let n = 10_000;
        let picks: Vec<usize> = (0..100_000).map(|_| long_tail(&mut rng, n, 4)).collect();
        assert!(picks.iter().all(|&i| i < n));
        let head = picks.iter().filter(|&&i| i < 10).count();
        // (10 / 10 000)^(1/4) ≈ 17.8 % of picks land on the first 0.1 % of items.
        assert!((15_000..21_000).contains(&head), "head got {head}");
        let uniform_head = (0..100_000).filter(|_| long_tail(&mut rng, n, 1) < 10).count();
        assert!(uniform_head < 300, "skew 1 is uniform, got {uniform_head}");
    }
}
