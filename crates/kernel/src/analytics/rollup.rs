//! Daily rollups: what a figure over a long range reads instead of every row.
//!
//! A [`Rollup`] counts (or sums) append-only facts made in a time range, grouped by a
//! label. Once a UTC day is over, the hourly job ([`RollUp`], queued by the worker)
//! stores that day's counts in `analytics_daily` and moves the metric's `through` (the
//! first day not rolled up) past it. A figure over a range adds the stored days before
//! `through` to a live count of the rest (today, and any day the job has not reached
//! yet), so it equals a live count of every row as long as the facts are only ever
//! added, stamped when they are made. A metric never rolled up is counted live.
//!
//! Facts that change after their day (a registration cancelled, attendance taken later)
//! are instead recounted: each run stores every past day again from one statement
//! grouped by day ([`Rollup::recount`]), so the past is as of the last run.
//!
//! Beside the days, each whole week (Monday to Sunday) before `through` is stored once
//! more as one row a label (metric `…/week`), so a figure by label over a year of 300
//! groups sums about 52 weeks of rows, not 365 days of them.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use sea_orm::{DbErr, FromQueryResult};

use super::{Range, Row, midnight};
use crate::db::{self, Db, SqlValue};
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
    /// `None` for facts only ever added: each day is rolled up once. `Some` for facts
    /// that change after the day they were made: each run recounts every past day with
    /// this statement, which selects `day` (as [`day_text`] writes it), `label` and
    /// `value` of the facts made before `$1`, by day and label.
    pub recount: Option<fn(db::Backend) -> String>,
}

/// The stored weeks of `metric`.
fn weeks_of(metric: &str) -> String {
    format!("{metric}/week")
}

/// The Monday of `day`'s week.
fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
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
async fn stored(db: &Db, metric: &str, by: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<Labelled>, DbErr> {
    if from >= to {
        return Ok(vec![]);
    }
    db.all(
        &format!(
            "SELECT {by} AS label, CAST(SUM(value) AS BIGINT) AS value FROM analytics_daily \
             WHERE metric = $1 AND day >= $2 AND day < $3 GROUP BY {by}"
        ),
        params![metric, from.to_string(), to.to_string()],
    )
    .await
}

/// The stored days of `metric` from `from` (included) to `to` (excluded), by label: the
/// whole weeks among them from the weekly rows, the days around those from the daily.
async fn stored_by_label(db: &Db, metric: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<Labelled>, DbErr> {
    let weekly = weeks_of(metric);
    let first = monday_of(from + Days::new(6));
    let end = match through(db, &weekly).await? {
        Some(weeks_through) => monday_of(to).min(weeks_through),
        None => first,
    };
    if first >= end {
        return stored(db, metric, "label", from, to).await;
    }
    let mut rows = stored(db, &weekly, "label", first, end).await?;
    rows.extend(stored(db, metric, "label", from, first).await?);
    rows.extend(stored(db, metric, "label", end, to).await?);
    Ok(rows)
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
    for l in stored_by_label(db, r.metric, range.from, rolled_to)
        .await?
        .into_iter()
        .chain(live(db, r, through, range).await?)
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
    let days: BTreeMap<String, i64> = stored(db, r.metric, "day", range.from, through.min(range.to + Days::new(1)))
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
        set_through(&tx, r.metric, next).await?;
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
    let weekly = weeks_of(metric);
    db::exec(c, "DELETE FROM analytics_rollups WHERE metric IN ($1, $2)", params![metric, weekly.clone()]).await?;
    db::exec(c, "DELETE FROM analytics_daily WHERE metric IN ($1, $2)", params![metric, weekly]).await?;
    Ok(())
}

/// Moves the first day not rolled up of `metric` to `day`.
async fn set_through<C: sea_orm::ConnectionTrait>(c: &C, metric: &str, day: NaiveDate) -> Result<(), DbErr> {
    db::exec(
        c,
        "INSERT INTO analytics_rollups (metric, through) VALUES ($1, $2) \
         ON CONFLICT (metric) DO UPDATE SET through = excluded.through",
        params![metric, day.to_string()],
    )
    .await?;
    Ok(())
}

#[derive(FromQueryResult)]
struct DayCount {
    day: String,
    label: String,
    value: i64,
}

/// Recounts every day of `r` before `today` with `by_day`: counted outside any
/// transaction (the count may take seconds; the writers are not held up meanwhile),
/// then stored in one short one, which also drops its weeks (built again after).
async fn recount(db: &Db, r: &Rollup, by_day: fn(db::Backend) -> String, today: NaiveDate) -> Result<u64, DbErr> {
    let days: Vec<DayCount> = db.all(&by_day(db.backend()), params![midnight(today)]).await?;
    let rows: Vec<[SqlValue; 4]> = days
        .iter()
        .filter(|d| d.value != 0)
        .map(|d| [r.metric.into(), d.day.clone().into(), d.label.clone().into(), d.value.into()])
        .collect();
    let tx = db.begin().await?;
    forget(&tx, r.metric).await?;
    super::current::insert_rows(&tx, "analytics_daily (metric, day, label, value)", rows).await?;
    set_through(&tx, r.metric, today).await?;
    super::current::mark_counted(&tx, r.metric).await?;
    tx.commit().await?;
    Ok(days.len() as u64)
}

/// Stores each whole week of `r` before its `through` not stored yet, a week at a time.
async fn roll_up_weeks(db: &Db, r: &Rollup) -> Result<(), DbErr> {
    let Some(days_through) = through(db, r.metric).await? else { return Ok(()) };
    let weekly = weeks_of(r.metric);
    let mut week = match through(db, &weekly).await? {
        Some(week) => week,
        None => {
            let first: Option<String> =
                db.scalar("SELECT MIN(day) FROM analytics_daily WHERE metric = $1", params![r.metric]).await?.flatten();
            match first.and_then(|d| d.parse().ok()) {
                Some(day) => monday_of(day),
                None => monday_of(days_through),
            }
        }
    };
    while week + Days::new(7) <= days_through {
        let next = week + Days::new(7);
        let tx = db.begin().await?;
        db::exec(
            &tx,
            "INSERT INTO analytics_daily (metric, day, label, value) \
             SELECT $1, $2, label, CAST(SUM(value) AS BIGINT) FROM analytics_daily \
             WHERE metric = $3 AND day >= $2 AND day < $4 GROUP BY label",
            params![weekly.clone(), week.to_string(), r.metric, next.to_string()],
        )
        .await?;
        set_through(&tx, &weekly, next).await?;
        tx.commit().await?;
        week = next;
    }
    Ok(())
}

/// An id as 32 lower-case hex digits, the same on both backends (a label of a rollup).
pub fn id_text(backend: db::Backend, column: &str) -> String {
    match backend {
        db::Backend::Sqlite => format!("lower(hex({column}))"),
        db::Backend::Postgres => format!("replace(CAST({column} AS TEXT), '-', '')"),
    }
}

/// A timestamp column's UTC day as `YYYY-MM-DD`, the same on both backends (the `day`
/// of a [`Rollup::recount`]).
pub fn day_text(backend: db::Backend, column: &str) -> String {
    match backend {
        db::Backend::Sqlite => format!("substr({column}, 1, 10)"),
        db::Backend::Postgres => format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"),
    }
}

/// The hourly job: rolls every section's rollups up to today (UTC), and recounts its
/// figures about now.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct RollUp {}

impl crate::jobs::Job for RollUp {
    const KIND: &'static str = "kernel.analytics_rollup";

    async fn run(self, state: AppState) -> anyhow::Result<()> {
        let today = crate::time::now().date_naive();
        let db = &state.db;
        for f in &state.figures {
            for r in f.rollups() {
                let days = match r.recount {
                    None => roll_up(db, r, today).await?,
                    Some(by_day) => recount(db, r, by_day, today).await?,
                };
                roll_up_weeks(db, r).await?;
                if days > 0 {
                    tracing::info!(metric = r.metric, days, "analytics rolled up");
                }
            }
            for c in f.current() {
                super::current::recount(db, c).await?;
            }
        }
        Ok(())
    }
}
