//! The events section of the programme analytics: registrations, attendance, the
//! attendance rate, promotions from the waitlist, and each by kind of event.

use kernel::analytics::rollup::{self, Rollup, day_text};
use kernel::analytics::{self, Number, Range, Row, Table};
use kernel::db::Db;
use kernel::params;
use sea_orm::DbErr;

/// This slice's section of the programme analytics.
pub(crate) fn section() -> analytics::Reader {
    analytics::Reader {
        key: "events",
        title: "Events",
        numbers: |db, range| Box::pin(numbers(db, range)),
        tables: |db, range| Box::pin(tables(db, range)),
        rollups: ROLLUPS,
        current: &[],
    }
}

/// Seats taken, by the day the registration was made and kind of event. A seat can be
/// given up (or taken from the waitlist) long after, so every past day is recounted by
/// each run of the job.
const REGISTERED: Rollup = Rollup {
    metric: "events-registered-by-kind",
    sql: |_| {
        format!(
            "SELECT e.kind AS label, COUNT(*) AS value {SEATS} AND r.created_at >= $1 AND r.created_at < $2 GROUP BY e.kind"
        )
    },
    first: "SELECT MIN(created_at) FROM registrations",
    recount: Some(|b| {
        let day = day_text(b, "r.created_at");
        format!(
            "SELECT {day} AS day, e.kind AS label, COUNT(*) AS value {SEATS} AND r.created_at < $1 GROUP BY {day}, e.kind"
        )
    }),
};
/// Attendance taken, by day and kind of event (recounted: attendance can be corrected).
const ATTENDED: Rollup = Rollup {
    metric: "events-attended-by-kind",
    sql: |_| {
        format!(
            "SELECT e.kind AS label, COUNT(*) AS value {BY_KIND} WHERE r.attended_at >= $1 AND r.attended_at < $2 GROUP BY e.kind"
        )
    },
    first: "SELECT MIN(attended_at) FROM registrations",
    recount: Some(|b| {
        let day = day_text(b, "r.attended_at");
        format!(
            "SELECT {day} AS day, e.kind AS label, COUNT(*) AS value {BY_KIND} WHERE r.attended_at < $1 GROUP BY {day}, e.kind"
        )
    }),
};
/// Seats of events held (started and ended), by the day the event started, labelled
/// `attended` or `absent`: the attendance rate reads these days instead of joining every
/// registration to its event (at 500 000 registrations, a scan of them all). Recounted
/// whole each run: attendance is taken after the event. Read only up to yesterday, so the
/// live part (days the job has not reached) ends at a midnight already past.
const HELD: Rollup = Rollup {
    metric: "events-held-seats",
    sql: |_| {
        format!(
            "SELECT {CAME} AS label, COUNT(*) AS value {SEATS} \
             AND e.starts_at >= $1 AND e.starts_at < $2 AND e.ends_at < $2 GROUP BY {CAME}"
        )
    },
    first: "SELECT MIN(starts_at) FROM events",
    recount: Some(|b| {
        let day = day_text(b, "e.starts_at");
        format!(
            "SELECT {day} AS day, {CAME} AS label, COUNT(*) AS value {SEATS} \
             AND e.starts_at < $1 AND e.ends_at < $1 GROUP BY {day}, {CAME}"
        )
    }),
};
const ROLLUPS: &[Rollup] = &[REGISTERED, ATTENDED, HELD];
/// Whether a seat's holder came, as the label of [`HELD`].
const CAME: &str = "CASE WHEN r.attended_at IS NULL THEN 'absent' ELSE 'attended' END";
const BY_KIND: &str = "FROM registrations r JOIN events e ON e.id = r.event_id";
/// Registrations that hold a seat now.
const SEATS: &str = "FROM registrations r JOIN events e ON e.id = r.event_id WHERE r.status = 'registered'";

async fn count_where(db: &Db, condition: &str, range: &Range) -> Result<i64, DbErr> {
    analytics::number(
        db,
        &format!("SELECT COUNT(*) FROM registrations r WHERE {condition}"),
        params![range.start(), range.end()],
    )
    .await
}

async fn numbers(db: &Db, range: &Range) -> Result<Vec<Number>, DbErr> {
    Ok(vec![
        Number { key: "registrations", label: "Registrations", value: rollup::total(db, &REGISTERED, range).await? },
        Number { key: "attended", label: "Attended", value: rollup::total(db, &ATTENDED, range).await? },
        Number {
            key: "attendance_rate_percent",
            label: "Attendance rate of events held in the range before today (%)",
            value: attendance_rate_percent(db, range).await?,
        },
        Number {
            key: "waitlist_promotions",
            label: "Promoted from a waitlist",
            value: count_where(db, "r.promoted_at >= $1 AND r.promoted_at < $2", range).await?,
        },
    ])
}

/// Of the seats of events that started in the range before today and have ended, the
/// share (in whole percent, rounded down) whose holder attended; 0 when there were none.
async fn attendance_rate_percent(db: &Db, range: &Range) -> Result<i64, DbErr> {
    let yesterday = kernel::time::now().date_naive() - chrono::Days::new(1);
    let before_today = Range { from: range.from, to: range.to.min(yesterday) };
    if before_today.to < before_today.from {
        return Ok(0);
    }
    let held = rollup::by_label(db, &HELD, &before_today).await?;
    let count = |label: &str| held.iter().filter(|r| r.label == label).map(|r| r.value).sum::<i64>();
    let (came, seats) = (count("attended"), count("attended") + count("absent"));
    Ok(if seats == 0 { 0 } else { came * 100 / seats })
}

/// `r` over the range by kind of event, the largest first.
async fn by_kind(db: &Db, r: &Rollup, range: &Range) -> Result<Vec<Row>, DbErr> {
    Ok(analytics::largest(rollup::by_label(db, r, range).await?, 20))
}

async fn tables(db: &Db, range: &Range) -> Result<Vec<Table>, DbErr> {
    let weekly = rollup::weekly(db, &REGISTERED, range).await?;
    Ok(vec![
        table(
            "events-registrations",
            "Registrations per week",
            "Seats taken each week of the range.",
            "Week starting",
            weekly,
        ),
        table(
            "events-registrations-by-kind",
            "Registrations by kind of event",
            "Seats taken in the range, by kind of event.",
            "Kind",
            by_kind(db, &REGISTERED, range).await?,
        ),
        table(
            "events-attended-by-kind",
            "Attendance by kind of event",
            "Members who attended in the range, by kind of event.",
            "Kind",
            by_kind(db, &ATTENDED, range).await?,
        ),
    ])
}

fn table(
    report: &str,
    title: &'static str,
    description: &'static str,
    label_heading: &'static str,
    rows: Vec<Row>,
) -> Table {
    Table {
        report: report.to_string(),
        title,
        description,
        label_heading,
        value_heading: "Members",
        counts_members: true,
        rows,
    }
}
