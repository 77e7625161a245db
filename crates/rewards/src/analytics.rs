//! The rewards section of the programme analytics: points issued (by earning rule),
//! points redeemed (by reward), and the points members hold and could still redeem.

use kernel::analytics::{self, Number, Range, Row, Table};
use kernel::db::Db;
use kernel::params;
use sea_orm::DbErr;

use crate::ledger::reasons;

/// This slice's section of the programme analytics.
pub(crate) fn section() -> analytics::Reader {
    analytics::Reader {
        key: "rewards",
        title: "Rewards",
        numbers: |db, range| Box::pin(numbers(db, range)),
        tables: |db, range| Box::pin(tables(db, range)),
    }
}

/// Issued points: every credit in the range except a refund of a redemption (which
/// gives back points issued before, not new ones).
fn issued_where() -> String {
    format!("created_at >= $1 AND created_at < $2 AND amount > 0 AND reason <> '{}'", reasons::REFUND)
}

/// Redeemed points: redemptions asked for in the range and not rejected (a rejected
/// one was refunded).
const REDEEMED_WHERE: &str = "r.created_at >= $1 AND r.created_at < $2 AND r.status <> 'rejected'";

async fn numbers(db: &Db, range: &Range) -> Result<Vec<Number>, DbErr> {
    let p = || params![range.start(), range.end()];
    let issued = analytics::number(
        db,
        &format!("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger_entries WHERE {}", issued_where()),
        p(),
    )
    .await?;
    let redeemed = analytics::number(
        db,
        &format!("SELECT CAST(COALESCE(SUM(r.cost), 0) AS BIGINT) FROM redemptions r WHERE {REDEEMED_WHERE}"),
        p(),
    )
    .await?;
    // The liability is today's, whatever the range: every balance members hold.
    let outstanding =
        analytics::number(db, "SELECT CAST(COALESCE(SUM(balance), 0) AS BIGINT) FROM points_accounts", params![])
            .await?;
    Ok(vec![
        Number { key: "issued", label: "Points issued", value: issued },
        Number { key: "redeemed", label: "Points redeemed", value: redeemed },
        Number { key: "outstanding", label: "Points outstanding (held by members today)", value: outstanding },
    ])
}

async fn tables(db: &Db, range: &Range) -> Result<Vec<Table>, DbErr> {
    let p = || params![range.start(), range.end()];
    let by_rule = analytics::breakdown(
        db,
        &format!(
            "SELECT COALESCE(MAX(er.label), l.reason) AS label, CAST(SUM(l.amount) AS BIGINT) AS value \
             FROM ledger_entries l LEFT JOIN earning_rules er ON er.code = l.reason \
             WHERE l.{} GROUP BY l.reason ORDER BY value DESC, label LIMIT 50",
            issued_where().replace(" AND ", " AND l.")
        ),
        p(),
    )
    .await?;
    let by_reward = analytics::breakdown(
        db,
        &format!(
            "SELECT MAX(w.name) AS label, CAST(SUM(r.cost) AS BIGINT) AS value FROM redemptions r \
             JOIN rewards w ON w.id = r.reward_id WHERE {REDEEMED_WHERE} \
             GROUP BY r.reward_id ORDER BY value DESC, label LIMIT 50"
        ),
        p(),
    )
    .await?;
    Ok(vec![
        table(
            "rewards-issued-by-rule",
            "Points issued by rule",
            "Points credited in the range, by earning rule or reason.",
            "Rule",
            by_rule,
        ),
        table(
            "rewards-redeemed-by-reward",
            "Points redeemed by reward",
            "Points spent in the range, by reward.",
            "Reward",
            by_reward,
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
    // Points are not people: sums are shown as they are.
    Table {
        report: report.to_string(),
        title,
        description,
        label_heading,
        value_heading: "Points",
        counts_members: false,
        rows,
    }
}
