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
/// events they may see (the list's own audience rule, `crate::policy`), soonest first,
/// each time shown in the member's time zone (the event's own when they chose none).
pub struct ForNewsletter;

/// How far ahead the newsletter looks.
const AHEAD_DAYS: i64 = 28;
/// The most upcoming events a batch reads at once; with more ahead, each member's own
/// list is read instead.
const AHEAD_AT_ONCE: i64 = 500;

impl contracts::digest::Part for ForNewsletter {
    fn items_for_each<'a>(
        &'a self,
        state: &'a kernel::AppState,
        viewers: &'a [kernel::viewer::Viewer],
        limit: u64,
    ) -> BoxFuture<'a, AppResult<Vec<Vec<contracts::digest::DigestItem>>>> {
        Box::pin(async move {
            let members: Vec<_> = viewers.iter().map(|v| v.require_member().map(|m| m.id)).collect::<Result<_, _>>()?;
            let zones = contracts::members::directory(state)?.time_zones_of((&state.db).into(), &members).await?;
            let horizon = kernel::time::now() + chrono::Duration::days(AHEAD_DAYS);
            let lists = match upcoming_until(&state.db, horizon).await? {
                Some(ahead) => {
                    let mut groups = contracts::groups::member_groups_of_each(state, &members).await?;
                    viewers
                        .iter()
                        .zip(&members)
                        .map(|(v, m)| {
                            let reader = crate::service::reader_with(v, groups.remove(m).unwrap_or_default());
                            let seen = ahead.iter().filter(|e| crate::service::can_view(&reader, e));
                            seen.take(limit as usize).cloned().collect()
                        })
                        .collect()
                }
                None => {
                    let mut lists = Vec::with_capacity(viewers.len());
                    for v in viewers {
                        let q = crate::service::ListQuery { limit: Some(limit.clamp(1, 100)), ..Default::default() };
                        let page = crate::service::list(state, v, &q).await?;
                        lists.push(page.items.into_iter().filter(|e| e.starts_at <= horizon).collect());
                    }
                    lists
                }
            };
            Ok(lists
                .into_iter()
                .zip(&members)
                .map(|(events, m): (Vec<crate::service::EventRow>, _)| {
                    let zone = zones.get(m);
                    events
                        .into_iter()
                        .map(|e| contracts::digest::DigestItem {
                            href: format!("/events/{}", e.id),
                            note: crate::time::display(e.starts_at, zone.unwrap_or(&e.time_zone)),
                            title: e.title,
                        })
                        .collect()
                })
                .collect())
        })
    }
}

/// Every scheduled event not over yet that starts by `horizon`, soonest first, whatever
/// its audience (each reader's share is chosen after); `None` when there are more than
/// [`AHEAD_AT_ONCE`].
async fn upcoming_until(db: &Db, horizon: DateTime<Utc>) -> AppResult<Option<Vec<crate::service::EventRow>>> {
    let sql = format!(
        "SELECT {} FROM events e WHERE e.ends_at >= $1 AND e.status || '' = 'scheduled' AND e.starts_at <= $2 \
         ORDER BY e.starts_at, e.id LIMIT $3",
        crate::service::COLUMNS
    );
    let rows: Vec<crate::service::EventRow> =
        db.all(&sql, params![kernel::time::now(), horizon, AHEAD_AT_ONCE + 1]).await?;
    Ok((rows.len() as i64 <= AHEAD_AT_ONCE).then_some(rows))
}
