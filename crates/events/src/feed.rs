//! A personal calendar feed at a secret URL: every event a member is registered for and
//! may still see, for their calendar app to subscribe to. Only a hash of the secret is
//! stored; the member can reset it, which makes the old URL stop working at once.

use kernel::ids::MemberId;
use kernel::secret::{random_token, token_hash};
use kernel::time::now;
use kernel::viewer::Viewer;
use kernel::{AppResult, AppState, params};

use crate::service::{COLUMNS, EventRow};

/// Makes (or replaces) the member's feed secret; returns the feed path.
pub async fn reset(state: &AppState, member: MemberId) -> AppResult<String> {
    let raw = random_token(24);
    let tx = state.db.begin().await?;
    kernel::db::exec(&tx, "DELETE FROM calendar_feeds WHERE member_id = $1", params![member]).await?;
    kernel::db::exec(
        &tx,
        "INSERT INTO calendar_feeds (member_id, token_hash, created_at) VALUES ($1, $2, $3)",
        params![member, token_hash(&raw), now()],
    )
    .await?;
    kernel::audit::record(&tx, Some(member), "calendar_feed_reset", Some(member), None, serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(format!("/calendar/{raw}.ics"))
}

pub async fn exists(state: &AppState, member: MemberId) -> AppResult<bool> {
    Ok(state
        .db
        .scalar::<i64>("SELECT COUNT(*) FROM calendar_feeds WHERE member_id = $1", params![member])
        .await?
        .unwrap_or(0)
        > 0)
}

/// The events behind a feed secret, if it is live and its owner's account is active:
/// those they are registered for and may still see. Each event's audience is asked again
/// at every read, as the owner now stands (a group left, an audience narrowed), since a
/// registration grants no sight of an event.
pub async fn events_for(state: &AppState, raw: &str) -> AppResult<Option<Vec<EventRow>>> {
    let member: Option<MemberId> =
        state.db.scalar("SELECT member_id FROM calendar_feeds WHERE token_hash = $1", params![token_hash(raw)]).await?;
    let Some(member) = member else { return Ok(None) };
    let Some(owner) = state.viewers.load(&state.db, member).await? else { return Ok(None) };
    let reader = crate::service::reader(state, &Viewer::Member(owner)).await?;
    let cols = COLUMNS.split(", ").map(|c| format!("e.{c}")).collect::<Vec<_>>().join(", ");
    let rows: Vec<EventRow> = state
        .db
        .all(
            &format!(
                "SELECT {cols} FROM events e JOIN registrations r ON r.event_id = e.id \
                 WHERE r.member_id = $1 AND r.status = 'registered' ORDER BY e.starts_at, e.id LIMIT 500"
            ),
            params![member],
        )
        .await?;
    Ok(Some(rows.into_iter().filter(|e| crate::service::can_view(&reader, e)).collect()))
}
