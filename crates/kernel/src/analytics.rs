//! Programme analytics: a date range, and the `Figures` each slice gives for its own
//! section (named numbers and tables), registered while wiring. The kernel knows no
//! slice's tables: it only knows ranges, tables, small-cell suppression and how to count
//! a series week by week in one statement.

use chrono::{Days, NaiveDate, NaiveTime};
use futures::future::BoxFuture;
use sea_orm::{DbErr, FromQueryResult};

use crate::FieldErrors;
use crate::db::{Db, SqlValue};
use crate::time::Instant;

pub mod current;
pub mod rollup;

/// Cells that count members and hold fewer than this many are never shown as numbers.
pub const SMALL_CELL: i64 = 5;
/// What a suppressed cell says, on pages, in CSV and in the API.
pub const FEWER_THAN_5: &str = "fewer than 5";
/// The range when none is given: the last twelve weeks, today included.
pub const DEFAULT_WEEKS: u64 = 12;
/// The longest range: two years (of which one may be a leap year).
pub const MAX_DAYS: i64 = 731;

/// Whole UTC days from `from` to `to`, both included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// One bucket of a weekly series: seven days from `start` (the last may be shorter).
#[derive(Clone, Debug)]
pub struct Week {
    pub first_day: NaiveDate,
    pub start: Instant,
    pub end: Instant,
}

impl Range {
    /// The last `weeks` weeks, ending with `today`.
    pub fn last_weeks(today: NaiveDate, weeks: u64) -> Range {
        Range { from: today - Days::new(weeks * 7 - 1), to: today }
    }

    /// The range asked for (`from`, `to` as `YYYY-MM-DD`; blank or missing means the
    /// default's end), or what is wrong with each field.
    pub fn parse(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> Result<Range, FieldErrors> {
        let default = Range::last_weeks(today, DEFAULT_WEEKS);
        let mut errors = FieldErrors::new();
        let from = day(from, "from", default.from, &mut errors);
        let to = day(to, "to", default.to, &mut errors);
        if errors.is_empty() {
            if from > to {
                errors.add("to", "The end date must be on or after the start date.");
            } else if (to - from).num_days() >= MAX_DAYS {
                errors.add("from", "A range can cover at most two years; choose a later start date.");
            }
        }
        if errors.is_empty() { Ok(Range { from, to }) } else { Err(errors) }
    }

    /// The first instant of the range.
    pub fn start(&self) -> Instant {
        midnight(self.from)
    }

    /// The first instant after the range.
    pub fn end(&self) -> Instant {
        midnight(self.to + Days::new(1))
    }

    /// Seven-day buckets from the first day (at most 105 in a two-year range).
    pub fn weeks(&self) -> Vec<Week> {
        let mut weeks = vec![];
        let mut first_day = self.from;
        while first_day <= self.to {
            let next = first_day + Days::new(7);
            let end = if next > self.to { self.end() } else { midnight(next) };
            weeks.push(Week { first_day, start: midnight(first_day), end });
            first_day = next;
        }
        weeks
    }

    /// `from=…&to=…`, for links that keep the range.
    pub fn query(&self) -> String {
        format!("from={}&to={}", self.from, self.to)
    }
}

/// The first instant of `day` (UTC).
pub fn midnight(day: NaiveDate) -> Instant {
    day.and_time(NaiveTime::MIN).and_utc()
}

/// A date field: blank means `default`; anything else must be a real `YYYY-MM-DD` day.
fn day(raw: Option<&str>, field: &str, default: NaiveDate, errors: &mut FieldErrors) -> NaiveDate {
    optional_day(raw, field, errors).unwrap_or(default)
}

/// A day typed as `YYYY-MM-DD`: `None` when blank; when it is not such a date, `None`
/// and a message for `field` in `errors`.
pub fn optional_day(raw: Option<&str>, field: &str, errors: &mut FieldErrors) -> Option<NaiveDate> {
    let raw = raw.unwrap_or("").trim();
    if raw.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) if raw.len() == 10 => Some(d),
        _ => {
            errors.add(field, "Enter a date like 2026-11-30.");
            None
        }
    }
}

/// A named number of a section (a total, a rate, a median).
#[derive(Clone, Debug)]
pub struct Number {
    /// Its key in the API and CSV (`total`, `active_7d` …).
    pub key: &'static str,
    pub label: &'static str,
    pub value: i64,
}

/// One row of a table: a label (a week, a country, a rule) and its number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub label: String,
    pub value: i64,
}

/// A table of figures: a series or a breakdown.
#[derive(Clone, Debug)]
pub struct Table {
    /// Its name in `/admin/analytics/{report}.csv`: the section's key, a dash, a slug.
    pub report: String,
    pub title: &'static str,
    /// One sentence saying what is counted, for the chart's description.
    pub description: &'static str,
    /// The heading of the label column ("Week", "Country" …) and of the value column.
    pub label_heading: &'static str,
    pub value_heading: &'static str,
    /// Whether its numbers count members: then cells below [`SMALL_CELL`] are hidden.
    pub counts_members: bool,
    pub rows: Vec<Row>,
}

/// A cell as shown to anyone: the number, or that it is too small to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    Exact(i64),
    FewerThan5,
}

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Shown::Exact(n) => write!(f, "{n}"),
            Shown::FewerThan5 => f.write_str(FEWER_THAN_5),
        }
    }
}

impl Table {
    /// How `value` may be shown: a count of members below five never is, zero included
    /// (a zero beside a "fewer than 5" would narrow the hidden ones down).
    pub fn shown(&self, value: i64) -> Shown {
        if self.counts_members && value < SMALL_CELL { Shown::FewerThan5 } else { Shown::Exact(value) }
    }

    /// The table as CSV (header and one line a row), cells as [`Table::shown`] says.
    pub fn csv(&self) -> String {
        let mut out = crate::csv::line(&[crate::csv::field(self.label_heading), crate::csv::field(self.value_heading)]);
        for row in &self.rows {
            out.push_str(&crate::csv::line(&[
                crate::csv::field(&row.label),
                crate::csv::field(&self.shown(row.value).to_string()),
            ]));
        }
        out
    }
}

/// A section of the analytics: its key, title, numbers and tables.
#[derive(Clone, Debug)]
pub struct Section {
    pub key: &'static str,
    pub title: &'static str,
    pub numbers: Vec<Number>,
    pub tables: Vec<Table>,
    /// When the section's recounted figures were last counted (`None`: all are live).
    pub as_of: Option<Instant>,
}

/// A slice's figures for its own section, computed over its own tables. Each query must
/// read a bounded range of an index, not a whole table of posts or ledger entries.
pub trait Figures: Send + Sync {
    /// The section's key (`members`), the prefix of its tables' report names.
    fn key(&self) -> &'static str;
    fn title(&self) -> &'static str;
    /// The section's headline numbers over `range` (what the summary API and the
    /// console show).
    fn numbers<'a>(&'a self, db: &'a Db, range: &'a Range) -> BoxFuture<'a, anyhow::Result<Vec<Number>>>;
    /// Every table of the section over `range`.
    fn tables<'a>(&'a self, db: &'a Db, range: &'a Range) -> BoxFuture<'a, anyhow::Result<Vec<Table>>>;
    /// The daily rollups its queries read (kept by [`rollup::RollUp`]).
    fn rollups(&self) -> &'static [rollup::Rollup] {
        &[]
    }
    /// The figures about now its queries read (recounted by [`rollup::RollUp`]).
    fn current(&self) -> &'static [current::Current] {
        &[]
    }
}

/// A slice's figures as a value: its key, title and the two functions that read its
/// numbers and tables, so a slice states what it counts without writing out the trait.
pub struct Reader {
    pub key: &'static str,
    pub title: &'static str,
    pub numbers: Read<Number>,
    pub tables: Read<Table>,
    /// The daily rollups its queries read (none: every figure is counted live).
    pub rollups: &'static [rollup::Rollup],
    /// The figures about now its queries read (none: counted live).
    pub current: &'static [current::Current],
}

/// A query of a section over a range: its numbers, or its tables.
pub type Read<T> = for<'a> fn(&'a Db, &'a Range) -> BoxFuture<'a, Result<Vec<T>, DbErr>>;

impl Figures for Reader {
    fn key(&self) -> &'static str {
        self.key
    }

    fn title(&self) -> &'static str {
        self.title
    }

    fn numbers<'a>(&'a self, db: &'a Db, range: &'a Range) -> BoxFuture<'a, anyhow::Result<Vec<Number>>> {
        Box::pin(async move { Ok((self.numbers)(db, range).await?) })
    }

    fn tables<'a>(&'a self, db: &'a Db, range: &'a Range) -> BoxFuture<'a, anyhow::Result<Vec<Table>>> {
        Box::pin(async move { Ok((self.tables)(db, range).await?) })
    }

    fn rollups(&self) -> &'static [rollup::Rollup] {
        self.rollups
    }

    fn current(&self) -> &'static [current::Current] {
        self.current
    }
}

/// When `f`'s recounted figures (its figures about now, and its rollups recounted every
/// run) were last counted: the oldest of them; `None` when none is stored yet.
pub async fn as_of(db: &Db, f: &dyn Figures) -> Result<Option<Instant>, DbErr> {
    let metrics: Vec<&str> = f
        .current()
        .iter()
        .map(|c| c.metric)
        .chain(f.rollups().iter().filter(|r| r.recount.is_some()).map(|r| r.metric))
        .collect();
    current::counted_at(db, &metrics).await
}

#[derive(FromQueryResult)]
struct Bucket {
    w: i64,
    n: i64,
}

/// A weekly series in one statement: `count` is a query giving one number (a `COUNT(*)`
/// or a `CAST(COALESCE(SUM(…), 0) AS BIGINT)`) between the markers `{from}` and `{to}`,
/// which each week fills with its bounds; `params` are `count`'s own `$1…$k`. Each
/// week's count reads only that week's part of an index on the time column.
pub async fn weekly(db: &Db, range: &Range, count: &str, params: Vec<SqlValue>) -> Result<Vec<Row>, DbErr> {
    let weeks = range.weeks();
    let own = params.len();
    let mut values = params;
    let selects: Vec<String> = weeks
        .iter()
        .enumerate()
        .map(|(i, week)| {
            let (from, to) = (own + 2 * i + 1, own + 2 * i + 2);
            values.push(week.start.into());
            values.push(week.end.into());
            let sql = count.replace("{from}", &format!("${from}")).replace("{to}", &format!("${to}"));
            format!("SELECT CAST({i} AS BIGINT) AS w, ({sql}) AS n")
        })
        .collect();
    let buckets: Vec<Bucket> = db.all(&selects.join(" UNION ALL "), values).await?;
    let mut counts = vec![0; weeks.len()];
    for b in buckets {
        if let Some(slot) = usize::try_from(b.w).ok().and_then(|w| counts.get_mut(w)) {
            *slot = b.n;
        }
    }
    Ok(weeks.iter().zip(counts).map(|(w, value)| Row { label: w.first_day.to_string(), value }).collect())
}

#[derive(FromQueryResult)]
struct Labelled {
    label: String,
    value: i64,
}

/// A breakdown: `sql` selects `label` (text) and `value` (a BIGINT count or sum), in
/// the order to show, with a `LIMIT`.
pub async fn breakdown(db: &Db, sql: &str, params: Vec<SqlValue>) -> Result<Vec<Row>, DbErr> {
    let rows: Vec<Labelled> = db.all(sql, params).await?;
    Ok(rows.into_iter().map(|r| Row { label: r.label, value: r.value }).collect())
}

/// The `n` largest of `rows`, largest first (then by label).
pub fn largest(mut rows: Vec<Row>, n: usize) -> Vec<Row> {
    rows.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.label.cmp(&b.label)));
    rows.truncate(n);
    rows
}

/// One number: `sql` selects a single BIGINT (nothing counts as zero).
pub async fn number(db: &Db, sql: &str, params: Vec<SqlValue>) -> Result<i64, DbErr> {
    Ok(db.scalar::<i64>(sql, params).await?.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_default_range_is_the_last_twelve_weeks() {
        let r = Range::parse(None, Some(""), d("2026-11-30")).unwrap();
        assert_eq!(r, Range { from: d("2026-09-08"), to: d("2026-11-30") });
        assert_eq!(r.weeks().len(), 12);
    }

    #[test]
    fn a_range_must_run_forwards_for_at_most_two_years() {
        let today = d("2026-11-30");
        let e = Range::parse(Some("2026-11-02"), Some("2026-11-01"), today).unwrap_err();
        assert!(e.get("to").unwrap().contains("on or after"));
        let e = Range::parse(Some("2023-01-01"), Some("2026-01-01"), today).unwrap_err();
        assert!(e.get("from").unwrap().contains("two years"));
        let e = Range::parse(Some("2026-13-01"), Some("yesterday"), today).unwrap_err();
        assert!(e.get("from").is_some() && e.get("to").is_some());
        assert!(Range::parse(Some("2024-12-01"), Some("2026-11-30"), today).is_ok());
    }

    #[test]
    fn weeks_cover_the_range_exactly() {
        let r = Range { from: d("2026-11-01"), to: d("2026-11-10") };
        let weeks = r.weeks();
        assert_eq!(weeks.len(), 2);
        assert_eq!(weeks[0].start, r.start());
        assert_eq!(weeks[0].end, weeks[1].start);
        assert_eq!(weeks[1].end, r.end());
    }

    #[test]
    fn member_counts_below_five_are_hidden_everywhere() {
        let mut t = Table {
            report: "members-by-country".into(),
            title: "Members by country",
            description: "",
            label_heading: "Country",
            value_heading: "Members",
            counts_members: true,
            rows: vec![Row { label: "=FR".into(), value: 4 }, Row { label: "NL".into(), value: 5 }],
        };
        assert_eq!(t.csv(), "\"Country\",\"Members\"\r\n\"'=FR\",\"fewer than 5\"\r\n\"NL\",\"5\"\r\n");
        t.counts_members = false;
        assert_eq!(t.shown(4), Shown::Exact(4));
    }
}
