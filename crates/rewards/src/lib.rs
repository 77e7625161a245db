//! The rewards slice: points earned for taking part, kept in an exact append-only
//! ledger, and redeemed for rewards.

pub mod adjust;
pub mod api;
pub mod catalogue;
pub mod check;
pub mod demo;
pub mod earning;
pub mod leaderboard;
pub mod ledger;
pub mod redeem;
pub mod rules;
pub mod scale;
pub mod web;

use kernel::AppState;
use kernel::jobs::Registry;

pub use earning::PointsConsumer;

pub const EXPIRE_JOB: &str = "rewards.expire";

/// Reference data every install needs: the default earning rules.
pub async fn prepare(state: &AppState) -> anyhow::Result<()> {
    rules::seed(&state.db).await?;
    Ok(())
}

/// Job handlers of this slice.
pub fn register(registry: &mut Registry) {
    registry.register(EXPIRE_JOB, |state, _| async move {
        if let Some(months) = state.config.points_expire_months {
            let n = adjust::expire(&state, months).await?;
            tracing::info!(members = n, months, "expired old points");
        }
        Ok(())
    });
}

pub fn router() -> axum::Router<AppState> {
    web::router().merge(api::router())
}

/// The rewards part of a member's data export.
pub struct RewardsExport;

impl kernel::state::Exporter for RewardsExport {
    fn section(&self) -> &'static str {
        "rewards"
    }

    fn export<'a>(
        &'a self,
        db: &'a kernel::db::Db,
        member: kernel::ids::MemberId,
    ) -> futures::future::BoxFuture<'a, anyhow::Result<serde_json::Value>> {
        Box::pin(async move {
            let entries: Vec<ledger::Entry> = db
                .all(
                    "SELECT id, amount, reason, source_type, source_id, note, created_at FROM ledger_entries WHERE member_id = $1 ORDER BY created_at",
                    kernel::params![member],
                )
                .await?;
            Ok(serde_json::json!({
                "balance": ledger::balance(db, member).await?,
                "leaderboard_opt_in": leaderboard::opted_in(db, member).await.map_err(|e| anyhow::anyhow!("{e}"))?,
                "ledger": entries,
                "redemptions": redeem::mine(db, member).await?,
            }))
        })
    }
}
