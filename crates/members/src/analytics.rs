//! The members section of the programme analytics: how many, how many new, how many
//! active, and who they are by member type, country and condition. Conditions are
//! counted only over members who share their conditions with members (or everyone):
//! a condition its owner keeps private is not counted anywhere.

use kernel::analytics::current::{self, Current};
use kernel::analytics::{self, Number, Range, Table};
use kernel::db::Db;
use kernel::params;

/// This slice's section of the programme analytics.
pub(crate) fn section() -> analytics::Reader {
    analytics::Reader {
        key: "members",
        title: "Members",
        numbers: |db, range| Box::pin(numbers(db, range)),
        tables: |db, range| Box::pin(tables(db, range)),
        rollups: &[],
        current: &[NOW, BY_TYPE, BY_COUNTRY, BY_CONDITION],
    }
}

/// Accounts that still exist (an erased account keeps a tombstone row).
const CURRENT: &str = "status NOT IN ('deleted', 'guest_judge')";

/// How many members there are, how many verified their address, and how many were
/// active in the last 7 and 30 days: signed in with a session seen since then (each
/// request of a session moves its `last_seen_at`).
const NOW: Current = Current {
    metric: "members-now",
    sql: |_| {
        format!(
            "SELECT 'total' AS label, COUNT(*) AS value FROM members WHERE {CURRENT} \
             UNION ALL SELECT 'verified', COUNT(*) FROM members WHERE email_verified_at IS NOT NULL AND {CURRENT} \
             UNION ALL SELECT 'active_7d', COUNT(DISTINCT member_id) FROM sessions WHERE last_seen_at >= $1 \
             UNION ALL SELECT 'active_30d', COUNT(DISTINCT member_id) FROM sessions WHERE last_seen_at >= $2"
        )
    },
    params: |now| params![now - chrono::Duration::days(7), now - chrono::Duration::days(30)],
};
const BY_TYPE: Current = Current {
    metric: "members-by-type",
    sql: |_| {
        format!("SELECT member_type AS label, COUNT(*) AS value FROM members WHERE {CURRENT} GROUP BY member_type")
    },
    params: |_| params![],
};
const BY_COUNTRY: Current = Current {
    metric: "members-by-country",
    sql: |_| {
        format!(
            "SELECT CASE WHEN country = '' THEN 'Not given' ELSE country END AS label, COUNT(*) AS value \
             FROM members WHERE {CURRENT} GROUP BY country"
        )
    },
    params: |_| params![],
};
/// Conditions are counted only over members who share them with members (or everyone).
const BY_CONDITION: Current = Current {
    metric: "members-by-condition",
    sql: |_| {
        "SELECT c.name AS label, COUNT(*) AS value FROM member_conditions mc \
         JOIN conditions c ON c.id = mc.condition_id JOIN members m ON m.id = mc.member_id \
         WHERE m.status <> 'deleted' AND m.vis_conditions IN ('members', 'public') GROUP BY c.name"
            .into()
    },
    params: |_| params![],
};

async fn numbers(db: &Db, range: &Range) -> Result<Vec<Number>, sea_orm::DbErr> {
    let now = current::rows(db, &NOW).await?;
    let value = |label: &str| now.iter().find(|r| r.label == label).map_or(0, |r| r.value);
    let new = analytics::number(
        db,
        &format!("SELECT COUNT(*) FROM members WHERE created_at >= $1 AND created_at < $2 AND {CURRENT}"),
        params![range.start(), range.end()],
    )
    .await?;
    Ok(vec![
        Number { key: "total", label: "Members", value: value("total") },
        Number { key: "new", label: "New members in the range", value: new },
        Number { key: "verified", label: "With a verified e-mail address", value: value("verified") },
        Number { key: "active_7d", label: "Active in the last 7 days", value: value("active_7d") },
        Number { key: "active_30d", label: "Active in the last 30 days", value: value("active_30d") },
    ])
}

/// `c`'s largest `n` rows.
async fn top(db: &Db, c: &Current, n: usize) -> Result<Vec<analytics::Row>, sea_orm::DbErr> {
    Ok(analytics::largest(current::rows(db, c).await?, n))
}

async fn tables(db: &Db, range: &Range) -> Result<Vec<Table>, sea_orm::DbErr> {
    let signups = analytics::weekly(
        db,
        range,
        &format!("SELECT COUNT(*) FROM members WHERE created_at >= {{from}} AND created_at < {{to}} AND {CURRENT}"),
        params![],
    )
    .await?;
    Ok(vec![
        member_table(
            "members-signups",
            "Sign-ups per week",
            "New members each week of the range.",
            "Week starting",
            signups,
        ),
        member_table(
            "members-by-type",
            "Members by member type",
            "Every current member, by the member type they chose.",
            "Member type",
            top(db, &BY_TYPE, 20).await?,
        ),
        member_table(
            "members-by-country",
            "Members by country",
            "Every current member, by country (the 50 largest).",
            "Country",
            top(db, &BY_COUNTRY, 50).await?,
        ),
        member_table(
            "members-by-condition",
            "Members by condition",
            "Members who share their conditions with members, by condition (the 50 largest); conditions kept private are not counted.",
            "Condition",
            top(db, &BY_CONDITION, 50).await?,
        ),
    ])
}

fn member_table(
    report: &str,
    title: &'static str,
    description: &'static str,
    label_heading: &'static str,
    rows: Vec<analytics::Row>,
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
