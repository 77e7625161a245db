//! The opportunities' invariants, verified by `shn check`.

use kernel::db::Db;
use kernel::params;

const RULES: &[(&str, &str)] = &[
    (
        "SELECT COUNT(*) FROM opportunities o WHERE o.seats < (SELECT COUNT(*) FROM applications a WHERE a.opportunity_id = o.id \
         AND a.status IN ('selected', 'in_progress', 'submitted', 'approved', 'paid'))",
        "opportunities with more members selected than seats",
    ),
    (
        "SELECT COUNT(*) FROM payouts y JOIN applications a ON a.id = y.application_id WHERE y.status = 'paid' AND a.status <> 'paid'",
        "paid payouts whose application is not paid",
    ),
    (
        "SELECT COUNT(*) FROM applications a JOIN opportunities o ON o.id = a.opportunity_id WHERE o.compensation <> 'unpaid' \
         AND a.status IN ('selected', 'in_progress', 'submitted', 'approved', 'paid') \
         AND NOT EXISTS (SELECT 1 FROM payouts y WHERE y.application_id = a.id)",
        "selected members of paid work without a payout",
    ),
    (
        "SELECT COUNT(*) FROM applications a WHERE a.status NOT IN \
         ('applied', 'shortlisted', 'selected', 'in_progress', 'submitted', 'approved', 'paid', 'declined', 'withdrawn')",
        "applications with an unknown status",
    ),
];

pub async fn run(db: &Db) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    for (sql, what) in RULES {
        let n: i64 = db.scalar(sql, params![]).await?.unwrap_or(0);
        if n > 0 {
            problems.push(format!("opportunities: {n} {what}"));
        }
    }
    Ok(problems)
}
