//! Attendance: marking a registered member as having come, which other slices hear
//! about through the outbox.

use contracts::events::EventAttended;
use contracts::ids::EventId;
use kernel::db;
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppError, AppResult, AppState, audit, outbox, params};
use uuid::Uuid;

/// Marks a registered member as having attended (once) and tells other slices.
pub async fn mark_attended(
    state: &AppState,
    actor: Option<MemberId>,
    id: Uuid,
    member: MemberId,
    ip: &str,
) -> AppResult<bool> {
    let tx = state.db.begin().await?;
    let n = db::exec(
        &tx,
        "UPDATE registrations SET attended_at = $1 WHERE event_id = $2 AND member_id = $3 AND status = 'registered' AND attended_at IS NULL",
        params![now(), id, member],
    )
    .await?;
    if n == 1 {
        outbox::publish(&tx, actor.or(Some(member)), &EventAttended { member_id: member, event_id: EventId(id) })
            .await?;
        audit::record(&tx, actor, "event_attendance", Some(member), Some(ip), serde_json::json!({ "event": id }))
            .await?;
    } else {
        let registered: Option<String> = db::scalar(
            &tx,
            "SELECT status FROM registrations WHERE event_id = $1 AND member_id = $2",
            params![id, member],
        )
        .await?;
        if registered.as_deref() != Some("registered") {
            return Err(AppError::conflict("not_registered", "Only registered members can be marked as attending."));
        }
    }
    tx.commit().await?;
    Ok(n == 1)
}
