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

/// The home page's "Your upcoming events".
pub struct Upcoming;

impl contracts::home::MyEvents for Upcoming {
    fn upcoming<'a>(
        &'a self,
        state: &'a kernel::AppState,
        viewer: &'a kernel::viewer::Viewer,
        limit: u64,
    ) -> BoxFuture<'a, AppResult<Vec<contracts::home::FeedItem>>> {
        Box::pin(async move {
            let Some(me) = viewer.id() else { return Ok(vec![]) };
            let reader = crate::service::reader(state, viewer).await?;
            let cols = crate::service::COLUMNS.split(", ").map(|c| format!("e.{c}")).collect::<Vec<_>>().join(", ");
            // A few more than asked for: some may be hidden from the member by now.
            let rows: Vec<crate::service::EventRow> = state
                .db
                .all(
                    &format!(
                        "SELECT {cols} FROM events e JOIN registrations r ON r.event_id = e.id \
                         WHERE r.member_id = $1 AND r.status = 'registered' AND e.status = 'scheduled' AND e.ends_at > $2 \
                         ORDER BY e.starts_at, e.id LIMIT $3"
                    ),
                    params![me, kernel::time::now(), (limit * 2 + 5) as i64],
                )
                .await?;
            Ok(rows
                .into_iter()
                .filter(|e| crate::service::can_view(&reader, e))
                .take(limit as usize)
                .map(|e| contracts::home::FeedItem {
                    href: format!("/events/{}", e.id),
                    note: crate::time::display(e.starts_at, &e.time_zone),
                    title: e.title,
                })
                .collect())
        })
    }
}

/// Which of the events tagged with a moment a viewer may see, upcoming only, soonest
/// first (`contracts::moments::TaggedContent`), by the events' audience rule.
pub struct MomentEvents;

#[derive(sea_orm::FromQueryResult)]
struct Tagged {
    id: uuid::Uuid,
    title: String,
    starts_at: DateTime<Utc>,
}

impl contracts::moments::TaggedContent for MomentEvents {
    fn kinds(&self) -> &'static [&'static str] {
        &["event"]
    }

    fn visible<'a>(
        &'a self,
        state: &'a kernel::AppState,
        viewer: &'a kernel::viewer::Viewer,
        kind: &'a str,
        ids: &'a [uuid::Uuid],
        limit: u64,
    ) -> BoxFuture<'a, AppResult<Vec<contracts::moments::ContentItem>>> {
        Box::pin(async move {
            let ids = &ids[..ids.len().min(200)];
            if kind != "event" || ids.is_empty() {
                return Ok(vec![]);
            }
            let reader = crate::service::reader(state, viewer).await?;
            let mut values = params![limit as i64, kernel::time::now()];
            let mut bind = |v: sea_orm::Value| {
                values.push(v);
                format!("${}", values.len())
            };
            let audience = crate::policy::can_view_sql(&reader, "e", &mut bind);
            let list: Vec<String> = ids.iter().map(|i| bind((*i).into())).collect();
            let sql = format!(
                "SELECT e.id, e.title, e.starts_at FROM events e WHERE e.status = 'scheduled' AND e.starts_at > $2 \
                 AND {audience} AND e.id IN ({}) ORDER BY e.starts_at, e.id LIMIT $1",
                list.join(", ")
            );
            let rows: Vec<Tagged> = state.db.all(&sql, values).await?;
            Ok(rows
                .into_iter()
                .map(|e| contracts::moments::ContentItem {
                    id: e.id,
                    href: format!("/events/{}", e.id),
                    title: e.title,
                    note: e.starts_at.format("%-d %b %Y, %H:%M UTC").to_string(),
                })
                .collect())
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
