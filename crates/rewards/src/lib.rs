//! The rewards slice: points earned for taking part, kept in an exact append-only
//! ledger, and redeemed for rewards.

mod adjust;
mod analytics;
mod api;
mod catalogue;
mod check;
mod demo;
mod digest;
mod earning;
mod leaderboard;
mod ledger;
mod ports;
mod redeem;
mod rules;
mod scale;
mod settings;
mod web;

use std::sync::Arc;
use std::time::Duration;

use kernel::slice::Slice;

use earning::PointsConsumer;

/// The rewards slice's manifest.
pub fn slice() -> Slice {
    Slice::new("rewards")
        .settings(settings::SETTINGS)
        .nav(40, "Rewards", "/rewards")
        .console(40, "Rewards", "/admin/rewards", "Earning rules, the catalogue, redemptions and adjustments.")
        .routes(web::router)
        .routes(api::router)
        .openapi(<api::RewardsApi as utoipa::OpenApi>::openapi)
        .scheduled::<adjust::ExpirePoints>(Duration::from_secs(24 * 3600))
        .check(|db| Box::pin(check::run(db)))
        .prepare(|state| {
            Box::pin(async move {
                rules::seed(&state.db).await?;
                Ok(())
            })
        })
        .demo(|state, people| Box::pin(demo::load(state, people)))
        .scale(|state, run| Box::pin(scale::run(state, run)))
        .wire(|w| {
            w.provide(settings::RewardSettings::parse(w.settings)?);
            w.consumer(Arc::new(PointsConsumer));
            w.exporter(Arc::new(RewardsExport));
            w.figures(Arc::new(analytics::section()));
            w.provide::<Arc<dyn contracts::home::Points>>(Arc::new(ports::HomePoints));
            w.provide::<Arc<dyn contracts::digest::Points>>(Arc::new(digest::ForNewsletter));
            Ok(())
        })
}

/// The rewards part of a member's data export.
struct RewardsExport;

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
                    &format!(
                        "SELECT {} FROM ledger_entries WHERE member_id = $1 ORDER BY created_at",
                        ledger::MEMBER_ENTRY_COLUMNS
                    ),
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
