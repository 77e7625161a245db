//! The ledger's invariants, verified by `shn check`.

use kernel::db::Db;
use kernel::params;

const RULES: &[(&str, &str)] = &[
    (
        "SELECT COUNT(*) FROM points_accounts a WHERE a.balance <> \
         (SELECT CAST(COALESCE(SUM(l.amount), 0) AS BIGINT) FROM ledger_entries l WHERE l.member_id = a.member_id)",
        "balances that differ from the sum of their entries",
    ),
    ("SELECT COUNT(*) FROM points_accounts WHERE balance < 0", "negative balances"),
    ("SELECT COUNT(*) FROM rewards WHERE stock < 0", "rewards with stock below zero"),
    (
        "SELECT COUNT(*) FROM redemptions r LEFT JOIN ledger_entries l ON l.id = r.debit_entry_id \
         WHERE l.id IS NULL OR l.amount <> -r.cost OR l.member_id <> r.member_id",
        "redemptions without their matching debit",
    ),
    (
        "SELECT COUNT(*) FROM redemptions r LEFT JOIN ledger_entries l ON l.id = r.refund_entry_id \
         WHERE r.status = 'rejected' AND (l.id IS NULL OR l.amount <> r.cost)",
        "rejected redemptions without their refund",
    ),
    (
        "SELECT COUNT(*) FROM redemptions WHERE status <> 'rejected' AND refund_entry_id IS NOT NULL",
        "refunds of redemptions that were not rejected",
    ),
    (
        "SELECT COUNT(*) FROM redemptions WHERE status NOT IN ('pending', 'fulfilled', 'rejected')",
        "redemptions with an unknown status",
    ),
    (
        "SELECT COUNT(*) FROM (SELECT idempotency_key FROM ledger_entries GROUP BY idempotency_key HAVING COUNT(*) > 1) dup",
        "idempotency keys used twice",
    ),
];

pub async fn run(db: &Db) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    for (sql, what) in RULES {
        let n: i64 = db.scalar(sql, params![]).await?.unwrap_or(0);
        if n > 0 {
            problems.push(format!("rewards: {n} {what}"));
        }
    }
    Ok(problems)
}
