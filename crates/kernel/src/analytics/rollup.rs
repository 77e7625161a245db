//! Daily rollups: what a figure over a long range reads instead of every row.
//!
//! A [`Rollup`] counts (or sums) append-only facts made in a time range, grouped by a
//! label. Once a UTC day is over, the hourly job ([`RollUp`], queued by the worker)
//! stores that day's counts in `analytics_daily` and moves the metric's `through` (the
//! first day not rolled up) past it. A figure over a range adds the stored days before
//! `through` to a live count of the rest (today, and any day the job has not reached
//! yet), so it equals a live count of every row as long as the facts are only ever
//! added, stamped when they are made. A metric never rolled up is counted live.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use sea_orm::{DbErr, FromQueryResult};

use super::{Range, Row, midnight};
use crate::db::{self, Db};
use crate::params;
use crate::state::AppState;

/// An additive figure of append-only facts, by label.
#[derive(Clone, Copy)]
pub struct Rollup {
    /// Its name in `analytics_daily` (`rewards-issued`); never rename a live one.
    pub metric: &'static str,
    /// On the backend given: selects `label` (text) and `value` (a BIGINT `COUNT(*)` or
    /// `SUM`) over the facts made from `$1` (included) to `$2` (excluded), by label.
    pub sql: fn(db::Backend) -> String,
    /// Selects the time the earliest fact was made (where rolling up starts).
    pub first: &'static str,
}

#[derive(FromQueryResult)]
struct Labelled {
    label: String,
    value: i64,
}

/// The first day not rolled up yet (`None`: nothing is).
async fn through(db: &Db, metric: &str) -> Result<Option<NaiveDate>, DbErr> {
    let day: Option<String> =
        db.scalar("SELECT through FROM analytics_rollups WHERE metric = $1", params![metric]).await?;
    Ok(day.and_then(|d| d.parse().ok()))
}

/// The stored days of `r` from `from` (included) to `to` (excluded), grouped by `by`
/// (`label` or `day`).
async fn stored(db: &Db, r: &Rollup, by: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<Labelled>, DbErr> {
    if from >= to {
        return Ok(vec![]);
    }
    db.all(
        &format!(
            "SELECT {by} AS label, CAST(SUM(value) AS BIGINT) AS value FROM analytics_daily \
             WHERE metric = $1 AND day >= $2 AND day < $3 GROUP BY {by}"
        ),
        params![r.metric, from.to_string(), to.to_string()],
    )
    .await
}

/// The live counts of `r` from the start of day `from` to the end of `range`.
async fn live(db: &Db, r: &Rollup, from: NaiveDate, range: &Range) -> Result<Vec<Labelled>, DbErr> {
    if from > range.to {
        return Ok(vec![]);
    }
    db.all(&(r.sql)(db.backend()), params![midnight(from), range.end()]).await
}

/// `r` over `range`, by label (in label order): stored days plus a live count of the rest.
pub async fn by_label(db: &Db, r: &Rollup, range: &Range) -> Result<Vec<Row>, DbErr> {
    let through = through(db, r.metric).await?.unwrap_or(range.from).max(range.from);
    let rolled_to = through.min(range.to + Days::new(1));
    let mut sums = BTreeMap::new();
    for l in stored(db, r, "label", range.from, rolled_to).await?.into_iter().chain(live(db, r, through, range).await?)
    {
        *sums.entry(l.label).or_insert(0) += l.value;
    }
    Ok(sums.into_iter().map(|(label, value)| Row { label, value }).collect())
}

/// `r` over `range`, all labels together.
pub async fn total(db: &Db, r: &Rollup, range: &Range) -> Result<i64, DbErr> {
    Ok(by_label(db, r, range).await?.iter().map(|row| row.value).sum())
}

/// `r` over each week of `range` (as [`super::weekly`] gives it): the stored days in one
/// statement, and a live count for each week that reaches past them.
pub async fn weekly(db: &Db, r: &Rollup, range: &Range) -> Result<Vec<Row>, DbErr> {
    let through = through(db, r.metric).await?.unwrap_or(range.from).max(range.from);
    let days: BTreeMap<String, i64> = stored(db, r, "day", range.from, through.min(range.to + Days::new(1)))
        .await?
        .into_iter()
        .map(|l| (l.label, l.value))
        .collect();
    let mut rows = vec![];
    for week in range.weeks() {
        let last = (week.first_day + Days::new(6)).min(range.to);
        let (from, to) = (week.first_day.to_string(), (last + Days::new(1)).to_string());
        let mut value: i64 = days.range(from..to).map(|(_, v)| v).sum();
        if last >= through {
            let part = Range { from: through.max(week.first_day), to: last };
            value += live(db, r, part.from, &part).await?.iter().map(|l| l.value).sum::<i64>();
        }
        rows.push(Row { label: week.first_day.to_string(), value });
    }
    Ok(rows)
}

/// Rolls `r` up to (not including) `today`, a day at a time, each day with its move of
/// `through` in one transaction; returns how many days it rolled up.
pub async fn roll_up(db: &Db, r: &Rollup, today: NaiveDate) -> Result<u64, DbErr> {
    let start = match through(db, r.metric).await? {
        Some(day) => day,
        None => match db.scalar::<Option<crate::time::Instant>>(r.first, params![]).await?.flatten() {
            Some(at) => at.date_naive(),
            None => return Ok(0),
        },
    };
    let insert = format!(
        "INSERT INTO analytics_daily (metric, day, label, value) SELECT $3, $4, x.label, x.value \
         FROM ({}) x WHERE x.value <> 0 ON CONFLICT DO NOTHING",
        (r.sql)(db.backend())
    );
    let mut day = start;
    let mut days = 0;
    while day < today {
        let next = day + Days::new(1);
        let tx = db.begin().await?;
        db::exec(&tx, &insert, params![midnight(day), midnight(next), r.metric, day.to_string()]).await?;
        db::exec(
            &tx,
            "INSERT INTO analytics_rollups (metric, through) VALUES ($1, $2) \
             ON CONFLICT (metric) DO UPDATE SET through = excluded.through",
            params![r.metric, next.to_string()],
        )
        .await?;
        tx.commit().await?;
        day = next;
        days += 1;
    }
    Ok(days)
}

/// Drops what is stored of `metric`, in the transaction of a change that rewrites its
/// past (a thread moved to another group): it is counted live until the job rolls it
/// up again.
pub async fn forget<C: sea_orm::ConnectionTrait>(c: &C, metric: &str) -> Result<(), DbErr> {
    db::exec(c, "DELETE FROM analytics_rollups WHERE metric = $1", params![metric]).await?;
    db::exec(c, "DELETE FROM analytics_daily WHERE metric = $1", params![metric]).await?;
    Ok(())
}

/// An id as 32 lower-case hex digits, the same on both backends (a label of a rollup).
pub fn id_text(backend: db::Backend, column: &str) -> String {
    match backend {
        db::Backend::Sqlite => format!("lower(hex({column}))"),
        db::Backend::Postgres => format!("replace(CAST({column} AS TEXT), '-', '')"),
    }
}

/// The hourly job: rolls every section's rollups up to today (UTC).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct RollUp {}

impl crate::jobs::Job for RollUp {
    const KIND: &'static str = "kernel.analytics_rollup";

    async fn run(self, state: AppState) -> anyhow::Result<()> {
        let today = crate::time::now().date_naive();
        for f in &state.figures {
            for r in f.rollups() {
                let days = roll_up(&state.db, r, today).await?;
                if days > 0 {
                    tracing::info!(metric = r.metric, days, "analytics rolled up");
                }
            }
        }
        Ok(())
    }
}
