//! Points at scale, for the benchmark dataset (`shn demo --scale N`): at scale 1,
//! 2 000 000 ledger entries, about twenty per member, and a long history (1 000 entries)
//! for the demo member, whose "my points history" the benchmark reads. Balances are the
//! sums of the entries, so `shn check` holds.

use chrono::Duration as ChronoDuration;
use kernel::bulk::{Loader, Table, uuid_at};
use kernel::ids::MemberId;
use kernel::slice::ScaleRun;
use kernel::time::now;
use kernel::{AppState, params};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

const EARNINGS: &[(&str, i64)] = &[
    ("profile_completed", 50),
    ("event_attended", 30),
    ("reply_posted", 2),
    ("thread_started", 10),
    ("course_completed", 100),
];
const DEMO_MEMBER_ENTRIES: usize = 1_000;

/// Adds `round(2 000 000 × scale)` entries spread over `members` (who have no points
/// account yet), plus [`DEMO_MEMBER_ENTRIES`] for the demo member.
async fn load(
    state: &AppState,
    scale: f64,
    members: &[MemberId],
    demo_member: MemberId,
    rng: &mut StdRng,
) -> anyhow::Result<()> {
    anyhow::ensure!(!members.is_empty(), "no members to credit");
    let total = kernel::bulk::scaled(2_000_000.0, scale, members.len());
    let t0 = now();
    let mut load = Loader::new(&state.db).defer_indexes(&["ledger_entries"]).await?;
    let mut accounts = Table::new("points_accounts", &["member_id", "balance", "leaderboard_opt_in", "updated_at"]);
    let mut ledger = Table::new(
        "ledger_entries",
        &["id", "member_id", "amount", "reason", "source_type", "idempotency_key", "occurred_at", "created_at"],
    );
    let per_member = total / members.len();
    let everyone = members.iter().enumerate().map(|(mi, m)| {
        // The remainder goes to the first members, so the total is exact.
        (*m, per_member + usize::from(mi < total % members.len()), true)
    });
    for (member, n, new_account) in everyone.chain(std::iter::once((demo_member, DEMO_MEMBER_ENTRIES, false))) {
        // Amounts first: the account row carries the balance and goes in before its entries.
        let earned: Vec<(&str, i64)> = (0..n).map(|_| *EARNINGS.choose(rng).unwrap_or(&EARNINGS[0])).collect();
        let balance: i64 = earned.iter().map(|(_, p)| p).sum();
        if new_account {
            load.row(&mut accounts, params![member, balance, rng.random_bool(0.25), t0]).await?;
        }
        for (j, (reason, points)) in earned.into_iter().enumerate() {
            let at = t0 - ChronoDuration::minutes(rng.random_range(1..2 * 365 * 24 * 60));
            load.child_row(
                &mut ledger,
                &mut [&mut accounts],
                params![uuid_at(rng, at), member, points, reason, "scale", format!("scale:{member}:{j}"), at, at],
            )
            .await?;
        }
        if !new_account {
            // The demo member's account exists (ordinary demo data): add to its balance in
            // the same transaction as the entries.
            load.exec(
                "UPDATE points_accounts SET balance = balance + $1, updated_at = $2 WHERE member_id = $3",
                params![balance, t0, member],
                &mut [&mut accounts, &mut ledger],
            )
            .await?;
        }
    }
    load.finish(&mut [&mut accounts, &mut ledger]).await?;
    Ok(())
}

/// This slice's part of the benchmark dataset, for the people the members slice made.
pub(crate) async fn run(state: &AppState, run: &mut ScaleRun) -> anyhow::Result<()> {
    use rand::SeedableRng;
    let people = run.people.clone();
    let demo_member = run.demo_member.ok_or_else(|| anyhow::anyhow!("the demo member is missing"))?;
    load(state, run.scale, &people, demo_member, &mut StdRng::seed_from_u64(run.seed + 4)).await
}
