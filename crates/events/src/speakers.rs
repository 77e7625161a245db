//! Hosts, speakers, panelists and moderators of an event: members (linked to their
//! profile) or guests with a bio.

use kernel::db::{self, Db, Tx};
use kernel::ids::MemberId;
use kernel::{AppError, AppResult, params};
use serde::Serialize;
use uuid::Uuid;

use crate::service::SpeakerInput;

#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct Speaker {
    pub id: Uuid,
    pub event_id: Uuid,
    pub role: String,
    pub member_id: Option<MemberId>,
    pub name: String,
    pub bio: String,
}

/// Replaces an event's speakers. A member speaker takes their display name.
pub async fn replace(
    tx: &Tx,
    people: &dyn contracts::members::MemberDirectory,
    event: Uuid,
    speakers: &[SpeakerInput],
) -> AppResult<()> {
    db::exec(tx, "DELETE FROM event_speakers WHERE event_id = $1", params![event]).await?;
    for (i, sp) in speakers.iter().enumerate() {
        let name = match sp.member_id {
            Some(m) => people.active_display_name(tx.into(), m).await?.ok_or_else(|| {
                AppError::field("speakers", "A speaker's member_id does not belong to an active member.")
            })?,
            None => sp.name.trim().to_string(),
        };
        db::exec(
            tx,
            "INSERT INTO event_speakers (id, event_id, position, role, member_id, name, bio) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            params![Uuid::now_v7(), event, i as i64, sp.role.clone(), sp.member_id, name, sp.bio.trim().to_string()],
        )
        .await?;
    }
    Ok(())
}

pub async fn of_event(db: &Db, event: Uuid) -> AppResult<Vec<Speaker>> {
    Ok(db
        .all(
            "SELECT id, event_id, role, member_id, name, bio FROM event_speakers WHERE event_id = $1 ORDER BY position",
            params![event],
        )
        .await?)
}

pub async fn get(db: &Db, id: Uuid) -> AppResult<Speaker> {
    db.one("SELECT id, event_id, role, member_id, name, bio FROM event_speakers WHERE id = $1", params![id])
        .await?
        .ok_or(AppError::NotFound)
}

/// Events a member speaks at (id, title).
pub async fn events_of_member(db: &Db, member: MemberId) -> AppResult<Vec<(Uuid, String)>> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        event_id: Uuid,
        name: String,
    }
    let rows: Vec<Row> = db
        .all(
            "SELECT event_id, name FROM event_speakers WHERE member_id = $1 ORDER BY event_id LIMIT 100",
            params![member],
        )
        .await?;
    Ok(rows.into_iter().map(|r| (r.event_id, r.name)).collect())
}
