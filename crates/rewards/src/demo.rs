//! Demo rewards: a small catalogue, and points for demo members earned the way real
//! members earn them (through the ledger), with a few redemptions in the queue.

use chrono::Duration as ChronoDuration;
use kernel::slice::DemoPeople;
use kernel::time::now;
use kernel::{AppState, params};

use crate::catalogue::{self, NewReward};
use crate::ledger::{self, NewEntry};

/// name, description, cost, stock, per-member limit, fulfilment, charity
type DemoReward = (&'static str, &'static str, i64, Option<i64>, Option<i64>, &'static str, Option<&'static str>);

const CATALOGUE: &[DemoReward] = &[
    (
        "Thank-you card pack",
        "Ten illustrated cards to thank the people who help you.",
        60,
        Some(200),
        Some(2),
        "shipped_item",
        None,
    ),
    ("Coffee voucher", "A digital voucher for a coffee break on us.", 120, Some(150), None, "digital_code", None),
    (
        "Donate to a patient charity",
        "We give $10 to a patient support charity in your name.",
        200,
        None,
        None,
        "donation",
        Some("Patient Voices Fund"),
    ),
    (
        "Connexion virtual ticket",
        "A virtual pass to the annual Connexion conference.",
        400,
        Some(40),
        Some(1),
        "event_ticket",
        None,
    ),
    (
        "Storytelling workshop seat",
        "A seat in a small-group workshop on telling your health story.",
        300,
        Some(12),
        Some(1),
        "event_ticket",
        None,
    ),
];

/// Adds the demo catalogue and points for up to `members` demo members (idempotent:
/// nothing is added twice).
pub(crate) async fn load(state: &AppState, people: &mut DemoPeople) -> anyhow::Result<()> {
    let (members, admin) = (&people.member_ids[..], people.admin()?);
    let have: i64 = state.db.scalar("SELECT COUNT(*) FROM rewards", params![]).await?.unwrap_or(0);
    if have == 0 {
        for (name, description, cost, stock, limit, fulfilment, charity) in CATALOGUE {
            let r = NewReward {
                name: name.to_string(),
                description: description.to_string(),
                cost: *cost,
                stock: *stock,
                per_member_limit: *limit,
                fulfilment: Some(fulfilment.to_string()),
                charity: charity.map(str::to_string),
                ..Default::default()
            };
            catalogue::create(state, admin, &r, "demo").await.map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    let earn = [
        ("profile_completed", 50),
        ("event_attended", 30),
        ("reply_posted", 2),
        ("thread_started", 10),
        ("course_completed", 100),
    ];
    let t = now();
    let tx = state.db.begin().await?;
    for (i, member) in members.iter().enumerate() {
        ledger::lock_account(&tx, *member).await?;
        for (j, (reason, points)) in earn.iter().enumerate().take(2 + i % (earn.len() - 1)) {
            ledger::post(
                &tx,
                &NewEntry {
                    member: *member,
                    amount: *points * (1 + (i % 3) as i64),
                    reason,
                    source_type: Some("demo"),
                    source_id: None,
                    idempotency_key: format!("demo:{member}:{j}"),
                    note: "",
                    actor: None,
                    occurred_at: Some(t - ChronoDuration::days((i * 3 + j) as i64 % 60)),
                },
            )
            .await?;
        }
        if i % 4 == 0 {
            kernel::db::exec(
                &tx,
                "UPDATE points_accounts SET leaderboard_opt_in = TRUE WHERE member_id = $1",
                params![*member],
            )
            .await?;
        }
    }
    tx.commit().await?;
    // A few requests waiting in the staff queue.
    let cheapest = catalogue::available(&state.db).await?.into_iter().min_by_key(|r| r.cost);
    if let Some(reward) = cheapest {
        for (i, member) in members.iter().enumerate().filter(|(i, _)| i % 9 == 1).take(4) {
            let _ = crate::redeem::redeem(state, *member, reward.id, Some(&format!("demo-{i}"))).await;
        }
    }
    Ok(())
}
