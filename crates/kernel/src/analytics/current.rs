//! Figures about now (how many members there are, by country, by condition …): counted
//! over a whole table, which at 100 000 members takes longer than a page may. The
//! hourly job ([`super::rollup::RollUp`]) recounts each [`Current`] and stores the
//! result in `analytics_current`, with the time in `analytics_counted`; a page reads
//! the stored rows and says when they were counted. A figure never counted yet is
//! counted live, as before the job first runs.

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use super::Row;
use crate::db::{self, Db, SqlValue};
use crate::params;
use crate::time::Instant;

/// A figure about now, by label.
#[derive(Clone, Copy)]
pub struct Current {
    /// Its name in `analytics_current`; never rename a live one.
    pub metric: &'static str,
    /// Selects `label` (text) and `value` (a BIGINT count), by label, with
    /// [`Current::params`] bound to `$1…`.
    pub sql: fn(db::Backend) -> String,
    /// The statement's parameters at the time `now` it is counted.
    pub params: fn(Instant) -> Vec<SqlValue>,
}

#[derive(FromQueryResult)]
struct Labelled {
    label: String,
    value: i64,
}

/// `c`'s rows, largest first (then by label): as last counted, or live if never.
pub async fn rows(db: &Db, c: &Current) -> Result<Vec<Row>, DbErr> {
    let stored: Vec<Labelled> = if counted_at(db, &[c.metric]).await?.is_some() {
        db.all(
            "SELECT label, value FROM analytics_current WHERE metric = $1 ORDER BY value DESC, label",
            params![c.metric],
        )
        .await?
    } else {
        db.all(
            &format!("SELECT label, value FROM ({}) x ORDER BY value DESC, label", (c.sql)(db.backend())),
            (c.params)(crate::time::now()),
        )
        .await?
    };
    Ok(stored.into_iter().map(|l| Row { label: l.label, value: l.value }).collect())
}

/// When the oldest of `metrics` was last counted by the job; `None` when none of them
/// ever was (they are counted live).
pub async fn counted_at(db: &Db, metrics: &[&str]) -> Result<Option<Instant>, DbErr> {
    if metrics.is_empty() {
        return Ok(None);
    }
    let list = db::placeholders(1, metrics.len());
    let values = metrics.iter().map(|m| SqlValue::from(*m)).collect();
    Ok(db
        .scalar::<Option<Instant>>(
            &format!("SELECT MIN(counted_at) FROM analytics_counted WHERE metric IN ({list})"),
            values,
        )
        .await?
        .flatten())
}

/// Counts `c` now and stores it: the count outside any transaction (it may read the
/// whole members table; writers are not held up meanwhile), the rows in one short one.
pub async fn recount(db: &Db, c: &Current) -> Result<(), DbErr> {
    let counted: Vec<Labelled> = db.all(&(c.sql)(db.backend()), (c.params)(crate::time::now())).await?;
    let rows = counted.into_iter().map(|l| [c.metric.into(), l.label.into(), l.value.into()]).collect();
    let tx = db.begin().await?;
    db::exec(&tx, "DELETE FROM analytics_current WHERE metric = $1", params![c.metric]).await?;
    insert_rows(&tx, "analytics_current (metric, label, value)", rows).await?;
    mark_counted(&tx, c.metric).await?;
    tx.commit().await
}

/// Notes that `metric` was counted now.
pub(crate) async fn mark_counted<C: ConnectionTrait>(c: &C, metric: &str) -> Result<(), DbErr> {
    db::exec(
        c,
        "INSERT INTO analytics_counted (metric, counted_at) VALUES ($1, $2) \
         ON CONFLICT (metric) DO UPDATE SET counted_at = excluded.counted_at",
        params![metric, crate::time::now()],
    )
    .await?;
    Ok(())
}

/// Inserts `rows` into `into` (`table (columns…)`), a few hundred rows a statement.
pub(crate) async fn insert_rows<C: ConnectionTrait, const N: usize>(
    c: &C,
    into: &str,
    rows: Vec<[SqlValue; N]>,
) -> Result<(), DbErr> {
    for chunk in rows.chunks(500) {
        let tuples: Vec<String> = (0..chunk.len()).map(|i| format!("({})", db::placeholders(i * N + 1, N))).collect();
        let values = chunk.iter().flat_map(|row| row.iter().cloned()).collect();
        db::exec(c, &format!("INSERT INTO {into} VALUES {}", tuples.join(", ")), values).await?;
    }
    Ok(())
}
