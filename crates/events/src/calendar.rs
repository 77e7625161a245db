//! The events slice's side of `contracts::calendar`: when an event starts.

use chrono::{DateTime, Utc};
use contracts::calendar::EventTimes;
use contracts::ids::EventId;
use futures::future::BoxFuture;
use kernel::db::Db;
use kernel::{AppResult, params};

pub struct Times;

impl EventTimes for Times {
    fn starts_at<'a>(&'a self, db: &'a Db, id: EventId) -> BoxFuture<'a, AppResult<Option<DateTime<Utc>>>> {
        Box::pin(async move {
            let sql = "SELECT starts_at FROM events WHERE id = $1 AND status = 'scheduled'";
            Ok(db.scalar::<DateTime<Utc>>(sql, params![id]).await?)
        })
    }
}

/// The newsletter's part (`contracts::digest::Events`): the member's next few weeks of
/// events they may see (the list's own audience rule), soonest first, each time shown in
/// the member's time zone (the event's own when they chose none).
pub struct ForNewsletter;

/// How far ahead the newsletter looks.
const AHEAD_DAYS: i64 = 28;

impl contracts::digest::Part for ForNewsletter {
    fn items<'a>(
        &'a self,
        state: &'a kernel::AppState,
        viewer: &'a kernel::viewer::Viewer,
        limit: u64,
    ) -> BoxFuture<'a, AppResult<Vec<contracts::digest::DigestItem>>> {
        Box::pin(async move {
            let me = viewer.require_member()?;
            let zone = contracts::members::directory(state)?.time_zone_of((&state.db).into(), me.id).await?;
            let q = crate::service::ListQuery { limit: Some(limit.clamp(1, 100)), ..Default::default() };
            let horizon = kernel::time::now() + chrono::Duration::days(AHEAD_DAYS);
            let page = crate::service::list(state, viewer, &q).await?;
            Ok(page
                .items
                .into_iter()
                .filter(|e| e.starts_at <= horizon)
                .map(|e| contracts::digest::DigestItem {
                    href: format!("/events/{}", e.id),
                    note: crate::time::display(e.starts_at, zone.as_deref().unwrap_or(&e.time_zone)),
                    title: e.title,
                })
                .collect())
        })
    }
}
