//! Staff adjustments and point expiry.

use chrono::{Duration as ChronoDuration, Months};
use kernel::db;
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppError, AppResult, AppState, audit, params};
use serde::Deserialize;
use uuid::Uuid;

use crate::ledger::{self, NewEntry, reasons};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Adjustment {
    pub member_id: MemberId,
    /// Positive to credit, negative to debit.
    pub amount: i64,
    /// Why; shown to the member in their history.
    pub reason: String,
}

/// Credits or debits a member by hand (staff). Needs a reason; a debit cannot take the
/// balance below zero. Audited.
pub async fn adjust(state: &AppState, actor: MemberId, a: &Adjustment, ip: &str) -> AppResult<ledger::Entry> {
    let mut e = kernel::FieldErrors::new();
    if a.amount == 0 || a.amount.unsigned_abs() > 1_000_000 {
        e.add("amount", "The amount must be a non-zero number of points up to 1,000,000 either way.");
    }
    let reason = a.reason.trim();
    e.check_length("reason", reason, 3..=500, "Say why, in 3 to 500 characters.");
    e.into_result()?;
    if !contracts::members::directory(state)?.exists((&state.db).into(), a.member_id).await? {
        return Err(AppError::field("member_id", "There is no such member."));
    }
    let tx = state.db.begin().await?;
    let balance = ledger::lock_account(&tx, a.member_id).await?;
    if balance + a.amount < 0 {
        return Err(AppError::conflict(
            "insufficient_points",
            format!("The member has {balance} points; a debit of {} would take them below zero.", -a.amount),
        ));
    }
    let id = ledger::post(
        &tx,
        &NewEntry {
            member: a.member_id,
            amount: a.amount,
            reason: reasons::ADJUSTMENT,
            source_type: Some("staff"),
            source_id: Some(actor.to_string()),
            idempotency_key: format!("adjust:{}", Uuid::now_v7()),
            note: reason,
            actor: Some(actor),
            occurred_at: None,
        },
    )
    .await?
    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("fresh adjustment key collided")))?;
    audit::record(
        &tx,
        Some(actor),
        "points_adjusted",
        Some(a.member_id),
        Some(ip),
        serde_json::json!({ "amount": a.amount, "reason": reason }),
    )
    .await?;
    let entry: ledger::Entry = db::one(
        &tx,
        "SELECT id, amount, reason, source_type, source_id, note, created_at FROM ledger_entries WHERE id = $1",
        params![id],
    )
    .await?
    .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(entry)
}

/// Expires old points when `SHN_POINTS_EXPIRE_MONTHS` is set (scheduled once a day).
#[derive(Debug, Default, serde::Serialize, Deserialize)]
pub(crate) struct ExpirePoints {}

impl kernel::jobs::Job for ExpirePoints {
    const KIND: &'static str = "rewards.expire";

    async fn run(self, state: AppState) -> anyhow::Result<()> {
        if let Some(months) = state.port::<crate::settings::RewardSettings>()?.points_expire_months {
            let n = expire(&state, months).await?;
            tracing::info!(members = n, months, "expired old points");
        }
        Ok(())
    }
}

/// Expires points earned more than `months` months ago, oldest first: whatever of
/// those old credits has not been spent since goes, by one expiry entry per member.
///
/// Spending is first-in-first-out, so what is left of the old credits is
/// `old credits − everything spent or expired so far (net of refunds)`, never more
/// than the balance. Running it twice on the same day changes nothing.
pub async fn expire(state: &AppState, months: u32) -> anyhow::Result<usize> {
    let cutoff = now()
        .checked_sub_months(Months::new(months))
        .unwrap_or_else(|| now() - ChronoDuration::days(30 * months as i64));
    let candidates: Vec<MemberId> = state
        .db
        .column(
            "SELECT DISTINCT member_id FROM ledger_entries WHERE amount > 0 AND reason <> $1 AND occurred_at < $2",
            params![reasons::REFUND, cutoff],
        )
        .await?;
    let day = now().format("%Y-%m-%d").to_string();
    let mut expired = 0;
    for member in candidates {
        let tx = state.db.begin().await?;
        let balance = ledger::lock_account(&tx, member).await?;
        let old_credits =
            sum(&tx, "amount > 0 AND reason <> $2 AND occurred_at < $3", params![member, reasons::REFUND, cutoff])
                .await?;
        // Every debit ever (expiries included) consumes the oldest credits first; a
        // refund undoes the debit it answers.
        let debits = -sum(&tx, "amount < 0", params![member]).await?;
        let refunds = sum(&tx, "reason = $2", params![member, reasons::REFUND]).await?;
        let due = (old_credits - (debits - refunds)).min(balance);
        if due > 0 {
            ledger::post(
                &tx,
                &NewEntry {
                    member,
                    amount: -due,
                    reason: reasons::EXPIRY,
                    source_type: None,
                    source_id: None,
                    idempotency_key: format!("expiry:{member}:{day}"),
                    note: "",
                    actor: None,
                    occurred_at: None,
                },
            )
            .await?;
            expired += 1;
        }
        tx.commit().await?;
    }
    Ok(expired)
}

/// Sum of a member's entries matching `condition` (`$1` is the member).
async fn sum(tx: &db::Tx, condition: &str, values: Vec<sea_orm::Value>) -> Result<i64, sea_orm::DbErr> {
    Ok(db::scalar::<i64, _>(
        tx,
        &format!(
            "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger_entries WHERE member_id = $1 AND ({condition})"
        ),
        values,
    )
    .await?
    .unwrap_or(0))
}
