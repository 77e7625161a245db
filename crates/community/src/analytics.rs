//! The community section of the programme analytics: threads and replies, the busiest
//! groups, how long a new thread waits for its first reply, reports and moderation.

use kernel::analytics::rollup::{self, Rollup, id_text};
use kernel::analytics::{self, Number, Range, Row, Table};
use kernel::db::Db;
use kernel::params;
use sea_orm::DbErr;

/// This slice's section of the programme analytics.
pub(crate) fn section() -> analytics::Reader {
    analytics::Reader {
        key: "community",
        title: "Community",
        numbers: |db, range| Box::pin(numbers(db, range)),
        tables: |db, range| Box::pin(tables(db, range)),
        rollups: ROLLUPS,
        current: &[],
    }
}

/// Threads and replies are only ever added, stamped when made, so their days are
/// rolled up once over; by group too, except that moving a thread to another group
/// rewrites the past of the by-group ones (see [`forget_groups`]).
const THREADS: Rollup = Rollup {
    metric: "community-threads",
    sql: |_| "SELECT '' AS label, COUNT(*) AS value FROM threads WHERE created_at >= $1 AND created_at < $2".into(),
    first: "SELECT MIN(created_at) FROM threads",
    recount: None,
};
const REPLIES: Rollup = Rollup {
    metric: "community-replies",
    sql: |_| "SELECT '' AS label, COUNT(*) AS value FROM posts WHERE created_at >= $1 AND created_at < $2".into(),
    first: "SELECT MIN(created_at) FROM posts",
    recount: None,
};
const THREADS_BY_GROUP: Rollup = Rollup {
    metric: "community-threads-by-group",
    sql: |b| {
        format!(
            "SELECT {} AS label, COUNT(*) AS value FROM threads \
             WHERE created_at >= $1 AND created_at < $2 GROUP BY group_id",
            id_text(b, "group_id")
        )
    },
    first: "SELECT MIN(created_at) FROM threads",
    recount: None,
};
const REPLIES_BY_GROUP: Rollup = Rollup {
    metric: "community-replies-by-group",
    sql: |b| {
        format!(
            "SELECT {} AS label, COUNT(*) AS value FROM posts p JOIN threads t ON t.id = p.thread_id \
             WHERE p.created_at >= $1 AND p.created_at < $2 GROUP BY t.group_id",
            id_text(b, "t.group_id")
        )
    },
    first: "SELECT MIN(created_at) FROM posts",
    recount: None,
};
const ROLLUPS: &[Rollup] = &[THREADS, REPLIES, THREADS_BY_GROUP, REPLIES_BY_GROUP];

/// Drops the by-group rollups, in the transaction that moves a thread to another group:
/// its threads and replies now count for the new group, on every day.
pub(crate) async fn forget_groups<C: sea_orm::ConnectionTrait>(c: &C) -> Result<(), DbErr> {
    rollup::forget(c, THREADS_BY_GROUP.metric).await?;
    rollup::forget(c, REPLIES_BY_GROUP.metric).await
}

/// The first-reply median is taken over at most this many of the range's latest
/// threads, so its cost does not grow with the forum.
const FIRST_REPLY_SAMPLE: i64 = 1000;

/// How many rows of `table` were made in the range.
async fn made_in(db: &Db, table: &str, range: &Range) -> Result<i64, DbErr> {
    analytics::number(
        db,
        &format!("SELECT COUNT(*) FROM {table} WHERE created_at >= $1 AND created_at < $2"),
        params![range.start(), range.end()],
    )
    .await
}

async fn numbers(db: &Db, range: &Range) -> Result<Vec<Number>, DbErr> {
    Ok(vec![
        Number { key: "threads", label: "Threads started", value: rollup::total(db, &THREADS, range).await? },
        Number { key: "replies", label: "Replies", value: rollup::total(db, &REPLIES, range).await? },
        Number {
            key: "median_first_reply_minutes",
            label: "Median time to a first reply (minutes)",
            value: median_first_reply_minutes(db, range).await?,
        },
        Number { key: "reports", label: "Reports", value: made_in(db, "reports", range).await? },
        Number {
            key: "moderation_actions",
            label: "Moderation actions",
            value: made_in(db, "moderation_actions", range).await?,
        },
    ])
}

#[derive(sea_orm::FromQueryResult)]
struct Waited {
    started: kernel::time::Instant,
    first_reply: Option<kernel::time::Instant>,
}

/// The median wait, in whole minutes, from a thread's start to its first reply, over
/// the range's latest threads that got one (0 when none did).
async fn median_first_reply_minutes(db: &Db, range: &Range) -> Result<i64, DbErr> {
    let rows: Vec<Waited> = db
        .all(
            "SELECT t.created_at AS started, \
             (SELECT MIN(p.created_at) FROM posts p WHERE p.thread_id = t.id) AS first_reply \
             FROM threads t WHERE t.created_at >= $1 AND t.created_at < $2 ORDER BY t.created_at DESC LIMIT $3",
            params![range.start(), range.end(), FIRST_REPLY_SAMPLE],
        )
        .await?;
    let mut waits: Vec<i64> =
        rows.iter().filter_map(|r| r.first_reply.map(|f| (f - r.started).num_minutes().max(0))).collect();
    waits.sort_unstable();
    Ok(median(&waits))
}

/// The middle value (the lower of the two middles for an even count), or 0.
fn median(sorted: &[i64]) -> i64 {
    if sorted.is_empty() { 0 } else { sorted[(sorted.len() - 1) / 2] }
}

async fn tables(db: &Db, range: &Range) -> Result<Vec<Table>, DbErr> {
    let threads = rollup::weekly(db, &THREADS, range).await?;
    let replies = rollup::weekly(db, &REPLIES, range).await?;
    let actions = analytics::breakdown(
        db,
        "SELECT action AS label, COUNT(*) AS value FROM moderation_actions \
         WHERE created_at >= $1 AND created_at < $2 GROUP BY action ORDER BY value DESC, label LIMIT 20",
        params![range.start(), range.end()],
    )
    .await?;
    Ok(vec![
        table(
            "community-threads",
            "Threads per week",
            "Threads started each week of the range.",
            "Week starting",
            "Threads",
            threads,
        ),
        table(
            "community-replies",
            "Replies per week",
            "Replies posted each week of the range.",
            "Week starting",
            "Replies",
            replies,
        ),
        table(
            "community-groups",
            "Busiest groups",
            "The ten groups with the most threads and replies in the range.",
            "Group",
            "Threads and replies",
            busiest_groups(db, range).await?,
        ),
        table(
            "community-moderation",
            "Moderation actions by kind",
            "What moderators did in the range.",
            "Action",
            "Actions",
            actions,
        ),
    ])
}

#[derive(sea_orm::FromQueryResult)]
struct GroupName {
    id: String,
    name: String,
}

/// The ten groups with the most threads and replies made in the range.
async fn busiest_groups(db: &Db, range: &Range) -> Result<Vec<Row>, DbErr> {
    let mut counts = std::collections::HashMap::<String, i64>::new();
    for r in rollup::by_label(db, &THREADS_BY_GROUP, range)
        .await?
        .into_iter()
        .chain(rollup::by_label(db, &REPLIES_BY_GROUP, range).await?)
    {
        *counts.entry(r.label).or_insert(0) += r.value;
    }
    let groups: Vec<GroupName> =
        db.all(&format!("SELECT {} AS id, name FROM groups", id_text(db.backend(), "id")), params![]).await?;
    let rows = groups.into_iter().filter_map(|g| counts.get(&g.id).map(|&value| Row { label: g.name, value }));
    Ok(analytics::largest(rows.collect(), 10))
}

fn table(
    report: &str,
    title: &'static str,
    description: &'static str,
    label_heading: &'static str,
    value_heading: &'static str,
    rows: Vec<Row>,
) -> Table {
    // Posts and actions are not people: their counts are shown as they are.
    Table { report: report.to_string(), title, description, label_heading, value_heading, counts_members: false, rows }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_median_is_the_middle_wait() {
        assert_eq!(super::median(&[]), 0);
        assert_eq!(super::median(&[3]), 3);
        assert_eq!(super::median(&[1, 2, 10]), 2);
        assert_eq!(super::median(&[1, 2, 10, 20]), 2);
    }
}
