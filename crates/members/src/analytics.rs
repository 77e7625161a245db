//! The members section of the programme analytics: how many, how many new, how many
//! active, and who they are by member type, country and condition. Conditions are
//! counted only over members who share their conditions with members (or everyone):
//! a condition its owner keeps private is not counted anywhere.

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
    }
}

/// Accounts that still exist (an erased account keeps a tombstone row).
const CURRENT: &str = "status NOT IN ('deleted', 'guest_judge')";

/// Members active in the last `days` days: signed in to the site with a session seen
/// since then (each request of a session moves its `last_seen_at`).
async fn active_since(db: &Db, days: i64) -> Result<i64, sea_orm::DbErr> {
    let since = kernel::time::now() - chrono::Duration::days(days);
    analytics::number(db, "SELECT COUNT(DISTINCT member_id) FROM sessions WHERE last_seen_at >= $1", params![since])
        .await
}

async fn numbers(db: &Db, range: &Range) -> Result<Vec<Number>, sea_orm::DbErr> {
    let total = analytics::number(db, &format!("SELECT COUNT(*) FROM members WHERE {CURRENT}"), params![]).await?;
    let new = analytics::number(
        db,
        &format!("SELECT COUNT(*) FROM members WHERE created_at >= $1 AND created_at < $2 AND {CURRENT}"),
        params![range.start(), range.end()],
    )
    .await?;
    let verified = analytics::number(
        db,
        &format!("SELECT COUNT(*) FROM members WHERE email_verified_at IS NOT NULL AND {CURRENT}"),
        params![],
    )
    .await?;
    Ok(vec![
        Number { key: "total", label: "Members", value: total },
        Number { key: "new", label: "New members in the range", value: new },
        Number { key: "verified", label: "With a verified e-mail address", value: verified },
        Number { key: "active_7d", label: "Active in the last 7 days", value: active_since(db, 7).await? },
        Number { key: "active_30d", label: "Active in the last 30 days", value: active_since(db, 30).await? },
    ])
}

async fn tables(db: &Db, range: &Range) -> Result<Vec<Table>, sea_orm::DbErr> {
    let signups = analytics::weekly(
        db,
        range,
        &format!("SELECT COUNT(*) FROM members WHERE created_at >= {{from}} AND created_at < {{to}} AND {CURRENT}"),
        params![],
    )
    .await?;
    let by_type = analytics::breakdown(
        db,
        &format!(
            "SELECT member_type AS label, COUNT(*) AS value FROM members WHERE {CURRENT} \
             GROUP BY member_type ORDER BY value DESC, label LIMIT 20"
        ),
        params![],
    )
    .await?;
    let by_country = analytics::breakdown(
        db,
        &format!(
            "SELECT CASE WHEN country = '' THEN 'Not given' ELSE country END AS label, COUNT(*) AS value \
             FROM members WHERE {CURRENT} GROUP BY country ORDER BY value DESC, label LIMIT 50"
        ),
        params![],
    )
    .await?;
    let by_condition = analytics::breakdown(
        db,
        "SELECT c.name AS label, COUNT(*) AS value FROM member_conditions mc \
         JOIN conditions c ON c.id = mc.condition_id JOIN members m ON m.id = mc.member_id \
         WHERE m.status <> 'deleted' AND m.vis_conditions IN ('members', 'public') \
         GROUP BY c.name ORDER BY value DESC, label LIMIT 50",
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
            by_type,
        ),
        member_table(
            "members-by-country",
            "Members by country",
            "Every current member, by country (the 50 largest).",
            "Country",
            by_country,
        ),
        member_table(
            "members-by-condition",
            "Members by condition",
            "Members who share their conditions with members, by condition (the 50 largest); conditions kept private are not counted.",
            "Condition",
            by_condition,
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
