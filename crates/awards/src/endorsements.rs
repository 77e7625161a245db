//! Endorsements: a signed-in member endorses an accepted nominee once (the primary key
//! decides, so fifty racing requests count one), while the programme is in its
//! endorsements phase.

use kernel::db;
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppError, AppResult, AppState, params};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model::Phase;
use crate::nominees;

#[derive(Debug, Serialize, ToSchema)]
pub struct Endorsed {
    pub nominee_id: Uuid,
    /// The nominee's endorsements, this one included.
    pub endorsements: i64,
}

/// `member` endorses nominee `id`: 404 unless accepted, 409 `phase_closed` outside the
/// endorsements phase, 409 `already_endorsed` the second time.
pub async fn endorse(state: &AppState, member: MemberId, id: Uuid) -> AppResult<Endorsed> {
    let nominee = nominees::public(state.db.reader(), id).await?;
    if nominee.phase() != Phase::Endorsements {
        return Err(AppError::conflict("phase_closed", "Endorsements are not open."));
    }
    let tx = state.db.begin().await?;
    let added = db::exec(
        &tx,
        "INSERT INTO award_endorsements (nominee_id, member_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (nominee_id, member_id) DO NOTHING",
        params![id, member, now()],
    )
    .await?;
    if added == 0 {
        return Err(AppError::conflict("already_endorsed", "You have already endorsed this nominee."));
    }
    let endorsements = count(&tx, id).await?;
    tx.commit().await?;
    Ok(Endorsed { nominee_id: id, endorsements })
}

pub async fn count<C: sea_orm::ConnectionTrait>(c: &C, nominee: Uuid) -> AppResult<i64> {
    let sql = "SELECT CAST(COUNT(*) AS BIGINT) FROM award_endorsements WHERE nominee_id = $1";
    Ok(db::scalar::<i64, _>(c, sql, params![nominee]).await?.unwrap_or(0))
}
