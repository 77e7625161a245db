//! The monthly leaderboard: only members who opted in ever appear.

use chrono::{Datelike, TimeZone, Utc};
use kernel::db::Db;
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppResult, AppState, params};
use serde::Serialize;

use crate::ledger;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Place {
    pub rank: usize,
    pub member_id: MemberId,
    pub display_name: String,
    pub points: i64,
}

#[derive(sea_orm::FromQueryResult)]
struct Row {
    member_id: MemberId,
    points: i64,
}

/// Points earned this calendar month (UTC) by members who opted in, highest first.
pub async fn this_month(state: &AppState, limit: u64) -> AppResult<Vec<Place>> {
    let db = &state.db;
    let t = now();
    let start = Utc.with_ymd_and_hms(t.year(), t.month(), 1, 0, 0, 0).single().unwrap_or(t);
    let rows: Vec<Row> = db
        .all(
            "SELECT l.member_id, CAST(SUM(l.amount) AS BIGINT) AS points FROM ledger_entries l \
             JOIN points_accounts a ON a.member_id = l.member_id AND a.leaderboard_opt_in = TRUE \
             WHERE l.amount > 0 AND l.occurred_at >= $1 AND l.reason NOT IN ($2, $3) \
             GROUP BY l.member_id ORDER BY points DESC, l.member_id LIMIT $4",
            params![start, ledger::reasons::REFUND, ledger::reasons::ADJUSTMENT, limit as i64],
        )
        .await?;
    let ids: Vec<MemberId> = rows.iter().map(|r| r.member_id).collect();
    let names = contracts::members::directory(state)?.display_names(db.into(), &ids).await?;
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| Place {
            rank: i + 1,
            display_name: names.get(&r.member_id).cloned().unwrap_or_else(|| "Member".into()),
            member_id: r.member_id,
            points: r.points,
        })
        .collect())
}

pub async fn opted_in(db: &Db, member: MemberId) -> AppResult<bool> {
    Ok(db
        .scalar::<bool>("SELECT leaderboard_opt_in FROM points_accounts WHERE member_id = $1", params![member])
        .await?
        .unwrap_or(false))
}

pub async fn set_opt_in(db: &Db, member: MemberId, on: bool) -> AppResult<()> {
    let tx = db.begin().await?;
    ledger::lock_account(&tx, member).await?;
    kernel::db::exec(
        &tx,
        "UPDATE points_accounts SET leaderboard_opt_in = $1 WHERE member_id = $2",
        params![on, member],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
