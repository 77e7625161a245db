//! The rewards section of the programme analytics: points issued (by earning rule),
//! points redeemed (by reward), and the points members hold and could still redeem.

use kernel::analytics::rollup::{self, Rollup};
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
        rollups: ROLLUPS,
        current: &[],
    }
}

/// Issued points by reason: every credit except a refund of a redemption (which gives
/// back points issued before, not new ones). The ledger is append-only, each entry
/// stamped when written, so its days are rolled up once over.
const ISSUED: Rollup = Rollup {
    metric: "rewards-issued-by-reason",
    sql: |_| {
        format!(
            "SELECT reason AS label, CAST(SUM(amount) AS BIGINT) AS value FROM ledger_entries \
             WHERE created_at >= $1 AND created_at < $2 AND amount > 0 AND reason <> '{}' GROUP BY reason",
            reasons::REFUND
        )
    },
    first: "SELECT MIN(created_at) FROM ledger_entries",
    recount: None,
};

const ROLLUPS: &[Rollup] = &[ISSUED];

/// Redeemed points: redemptions asked for in the range and not rejected (a rejected
/// one was refunded).
const REDEEMED_WHERE: &str = "r.created_at >= $1 AND r.created_at < $2 AND r.status <> 'rejected'";

async fn numbers(db: &Db, range: &Range) -> Result<Vec<Number>, DbErr> {
    let p = || params![range.start(), range.end()];
    let issued = rollup::total(db, &ISSUED, range).await?;
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
    let by_rule = issued_by_rule(db, range).await?;
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

#[derive(sea_orm::FromQueryResult)]
struct RuleLabel {
    code: String,
    label: String,
}

/// Points issued in the range by reason, each named by its earning rule where one has
/// that code: the 50 largest, largest first.
async fn issued_by_rule(db: &Db, range: &Range) -> Result<Vec<Row>, DbErr> {
    let rules: Vec<RuleLabel> = db.all("SELECT code, label FROM earning_rules", params![]).await?;
    let names: std::collections::HashMap<String, String> = rules.into_iter().map(|r| (r.code, r.label)).collect();
    let rows = rollup::by_label(db, &ISSUED, range)
        .await?
        .into_iter()
        .map(|r| Row { label: names.get(&r.label).cloned().unwrap_or(r.label), value: r.value });
    Ok(analytics::largest(rows.collect(), 50))
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
