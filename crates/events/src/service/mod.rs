//! The rules of events: scheduling, who may see them, registration with a waitlist
//! that never lets registrations pass capacity, cancellation with promotion, and
//! attendance (which other slices hear about through the outbox). This module holds the
//! event row, who may see it and the event list; the rest is in its submodules.

mod attendance;
mod input;
mod notices;
mod registration;
mod removal;
mod schedule;

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use kernel::db::{self, Db};
use kernel::time::now;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::KINDS;

pub use attendance::mark_attended;
pub use input::{EventInput, SpeakerInput};
pub use registration::{Registrant, cancel, my_status, my_statuses, register, registrants};
pub use removal::delete;
pub use schedule::{create, update};

#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct EventRow {
    pub id: Uuid,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: String,
    pub audience: String,
    pub capacity: Option<i64>,
    pub join_url: String,
    pub recording_url: String,
    pub registration_opens_at: Option<DateTime<Utc>>,
    pub registration_closes_at: Option<DateTime<Utc>>,
    pub status: String,
    pub sequence: i64,
    pub conference_id: Option<Uuid>,
    pub track_id: Option<Uuid>,
    pub room: String,
    pub awards_ceremony: bool,
    /// JSON list of registration questions.
    pub questions: String,
    /// For the `group` audience: the group whose members may come.
    pub group_id: Option<Uuid>,
}

impl EventRow {
    pub fn question_list(&self) -> Vec<String> {
        serde_json::from_str(&self.questions).unwrap_or_default()
    }
}

pub const COLUMNS: &str = "id, kind, title, description, starts_at, ends_at, time_zone, audience, capacity, join_url, \
    recording_url, registration_opens_at, registration_closes_at, status, sequence, conference_id, track_id, room, awards_ceremony, questions, group_id";

impl EventRow {
    /// Whether the join link may be shown now (to a registered member), from
    /// `minutes_before` the start until the end.
    pub fn join_open(&self, at: DateTime<Utc>, minutes_before: i64) -> bool {
        self.status == "scheduled"
            && at >= self.starts_at - ChronoDuration::minutes(minutes_before)
            && at < self.ends_at
    }

    pub fn registration_open(&self, at: DateTime<Utc>) -> bool {
        self.status == "scheduled"
            && at < self.ends_at
            && self.registration_opens_at.is_none_or(|o| o <= at)
            && self.registration_closes_at.is_none_or(|c| at < c)
    }
}

pub use crate::policy::Reader;

pub async fn reader(state: &AppState, viewer: &Viewer) -> AppResult<Reader> {
    let groups = match viewer.id() {
        Some(me) => contracts::groups::member_groups(state, me).await?,
        None => vec![],
    };
    Ok(reader_with(viewer, groups))
}

/// The reader `viewer` is when they are an active member of `groups`.
pub fn reader_with(viewer: &Viewer, groups: Vec<contracts::ids::GroupId>) -> Reader {
    Reader {
        signed_in: viewer.is_signed_in(),
        health_leader: viewer.member().is_some_and(|m| m.health_leader),
        staff: viewer.is_staff(),
        groups: groups.into_iter().map(|g| g.0).collect(),
    }
}

/// Whether `r` may see (and register for) an event: the rule in [`crate::policy`].
pub fn can_view(r: &Reader, e: &EventRow) -> bool {
    crate::policy::can_view(r, &e.audience, e.group_id)
}

pub async fn load<C: sea_orm::ConnectionTrait>(c: &C, id: Uuid) -> AppResult<EventRow> {
    db::one(c, &format!("SELECT {COLUMNS} FROM events WHERE id = $1"), params![id]).await?.ok_or(AppError::NotFound)
}

/// An event `viewer` may see (else 404: an event one may not see does not exist for them).
pub async fn visible(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<EventRow> {
    let e = load(state.db.reader(), id).await?;
    if can_view(&reader(state, viewer).await?, &e) { Ok(e) } else { Err(AppError::NotFound) }
}

#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult)]
pub struct Counts {
    pub registered: i64,
    pub waitlisted: i64,
}

pub async fn counts(db: &Db, id: Uuid) -> AppResult<Counts> {
    Ok(db
        .one(
            "SELECT CAST(COALESCE(SUM(CASE WHEN status = 'registered' THEN 1 ELSE 0 END), 0) AS BIGINT) AS registered, \
             CAST(COALESCE(SUM(CASE WHEN status = 'waitlisted' THEN 1 ELSE 0 END), 0) AS BIGINT) AS waitlisted \
             FROM registrations WHERE event_id = $1",
            params![id],
        )
        .await?
        .unwrap_or(Counts { registered: 0, waitlisted: 0 }))
}

/// A page of events `viewer` may see: upcoming (soonest first) or past (latest first),
/// optionally of one kind, or only the viewer's own.
pub async fn list(state: &AppState, viewer: &Viewer, q: &ListQuery) -> AppResult<kernel::page::Page<EventRow>> {
    let db = &state.db;
    let limit = kernel::page::limit(q.limit);
    let r = reader(state, viewer).await?;
    let mut values: Vec<sea_orm::Value> = Vec::new();
    let bind = |v: sea_orm::Value, values: &mut Vec<sea_orm::Value>| {
        values.push(v);
        format!("${}", values.len())
    };
    let cond = crate::policy::can_view_sql(&r, "e", &mut |v| bind(v, &mut values));
    let mut sql = format!("SELECT {COLUMNS} FROM events e WHERE {cond}");
    if let Some(g) = q.group.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
        let g: Uuid = g.parse().map_err(|_| AppError::field("group", "That is not a group id."))?;
        let p = bind(g.into(), &mut values);
        sql.push_str(&format!(" AND e.group_id = {p}"));
    }
    let past = q.when.as_deref() == Some("past");
    let t = bind(now().into(), &mut values);
    sql.push_str(&if past {
        format!(" AND e.ends_at < {t}")
    } else {
        // Not over yet. No event lasts longer than `MAX_EVENT_DAYS`, so none of them
        // started before that many days ago: the list walks `events_upcoming` in start
        // order from there and stops at the page's end, passing only the few events of
        // those days that are over (it read every event not over yet, and sorted them).
        let since = bind((now() - ChronoDuration::days(input::MAX_EVENT_DAYS)).into(), &mut values);
        format!(" AND e.ends_at >= {t} AND e.starts_at >= {since} AND e.status = 'scheduled'")
    });
    if let Some(kind) = q.kind.as_deref().filter(|k| !k.is_empty()) {
        if !KINDS.iter().any(|(k, _)| *k == kind) {
            return Err(AppError::field(
                "kind",
                "Choose webinar, panel, training_call, networking, live_discussion or conference_session.",
            ));
        }
        let k = bind(kind.into(), &mut values);
        sql.push_str(&format!(" AND e.kind = {k}"));
    }
    if let Some(c) = q.condition.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        let c: Uuid = c.parse().map_err(|_| AppError::field("condition", "That is not a condition id."))?;
        let p = bind(c.into(), &mut values);
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM event_conditions ec WHERE ec.event_id = e.id AND ec.condition_id = {p})"
        ));
    }
    let only = contracts::moments::moment_filter(state, "event", q.moment.as_deref().unwrap_or_default())
        .await?
        .map_err(|m| AppError::field("moment", m))?;
    if let Some(ids) = only {
        let restrict = contracts::moments::restrict_sql(db.reader(), "e.id", &ids, &mut |v| bind(v, &mut values));
        sql.push_str(&format!(" AND {restrict}"));
    }
    if q.mine.unwrap_or(false) {
        let me = viewer.require_member()?;
        let m = bind(me.id.into(), &mut values);
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM registrations r WHERE r.event_id = e.id AND r.member_id = {m} AND r.status IN ('registered', 'waitlisted'))"
        ));
    }
    if let Some(c) = q.cursor.as_deref().filter(|c| !c.is_empty()) {
        let (at, id): (DateTime<Utc>, Uuid) = kernel::page::decode(c)?;
        let (a, i) = (bind(at.into(), &mut values), bind(id.into(), &mut values));
        let cmp = if past { "<" } else { ">" };
        sql.push_str(&format!(" AND (e.starts_at, e.id) {cmp} ({a}, {i})"));
    }
    let order = if past { "e.starts_at DESC, e.id DESC" } else { "e.starts_at, e.id" };
    let l = bind(((limit + 1) as i64).into(), &mut values);
    sql.push_str(&format!(" ORDER BY {order} LIMIT {l}"));
    let rows: Vec<EventRow> = db.all(&sql, values).await?;
    Ok(kernel::page::finish(rows, limit, |e| (e.starts_at, e.id)))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// upcoming (default) or past
    pub when: Option<String>,
    pub kind: Option<String>,
    /// Only events I registered for (or am waitlisted for).
    pub mine: Option<bool>,
    /// Only events about this condition (an id; empty means any).
    pub condition: Option<String>,
    /// Only events of this group (an id).
    pub group: Option<String>,
    /// Only events tagged with this moment (`GET /api/v1/moments`).
    pub moment: Option<String>,
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (20 when absent).
    #[serde(default, deserialize_with = "kernel::page::limit_in_range")]
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
}
