//! The rules of events: scheduling, who may see them, registration with a waitlist
//! that never lets registrations pass capacity, cancellation with promotion, and
//! attendance (which other slices hear about through the outbox).

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use contracts::events::EventAttended;
use contracts::ids::{EventId, GroupId};
use contracts::members::directory as people;
use kernel::db::{self, Db, Tx};
use kernel::ids::MemberId;
use kernel::mail::{self, Attachment, Email};
use kernel::time::now;
use kernel::viewer::{Role, Viewer};
use kernel::{AppError, AppResult, AppState, FieldErrors, audit, outbox, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::{AUDIENCES, KINDS, RegistrationStatus};
use crate::time::{self, LocalTimeError};

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

/// What decides which events someone may see: who they are and which groups they are in.
#[derive(Debug, Clone)]
pub struct Reader {
    signed_in: bool,
    health_leader: bool,
    staff: bool,
    groups: Vec<Uuid>,
}

pub async fn reader(state: &AppState, viewer: &Viewer) -> AppResult<Reader> {
    let groups = match viewer.id() {
        Some(me) => contracts::groups::member_groups(state, me).await?.into_iter().map(|g| g.0).collect(),
        None => vec![],
    };
    Ok(Reader {
        signed_in: viewer.is_signed_in(),
        health_leader: viewer.member().is_some_and(|m| m.health_leader),
        staff: viewer.is_staff(),
        groups,
    })
}

/// Whether `r` may see (and register for) an event. Staff see every event they run.
pub fn can_view(r: &Reader, e: &EventRow) -> bool {
    r.staff
        || match e.audience.as_str() {
            "public" => true,
            "members" => r.signed_in,
            "health_leaders" => r.health_leader,
            "group" => e.group_id.is_some_and(|g| r.groups.contains(&g)),
            _ => false,
        }
}

pub async fn load<C: sea_orm::ConnectionTrait>(c: &C, id: Uuid) -> AppResult<EventRow> {
    db::one(c, &format!("SELECT {COLUMNS} FROM events WHERE id = $1"), params![id]).await?.ok_or(AppError::NotFound)
}

/// An event `viewer` may see (else 404: an event one may not see does not exist for them).
pub async fn visible(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<EventRow> {
    let e = load(state.db.reader(), id).await?;
    if can_view(&reader(state, viewer).await?, &e) { Ok(e) } else { Err(AppError::NotFound) }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    /// webinar, panel, training_call, networking, live_discussion or conference_session
    pub kind: Option<String>,
    pub title: Option<String>,
    /// Markdown.
    pub description: Option<String>,
    /// Local date-time in `time_zone`, e.g. 2027-03-28T09:30:00.
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    /// IANA time zone, e.g. Europe/London.
    pub time_zone: Option<String>,
    /// Seats; null for unlimited.
    pub capacity: Option<i64>,
    pub join_url: Option<String>,
    /// public, members or health_leaders
    pub audience: Option<String>,
    pub recording_url: Option<String>,
    /// Set to "cancelled" to cancel the event.
    pub status: Option<String>,
    /// Local date-times in `time_zone` between which registration is open (optional).
    pub registration_opens_at: Option<String>,
    pub registration_closes_at: Option<String>,
    /// Makes the event a session of a conference.
    pub conference_id: Option<Uuid>,
    /// The conference track's name (created if new).
    pub track: Option<String>,
    pub room: Option<String>,
    /// Marks the session where the Social Health Awards are announced.
    pub awards_ceremony: Option<bool>,
    /// Hosts, speakers, panelists and the moderator, in order (replaces the list).
    pub speakers: Option<Vec<SpeakerInput>>,
    /// Conditions the event is about (ids from `GET /api/v1/conditions`), for filtering.
    pub conditions: Option<Vec<Uuid>>,
    /// Questions asked at registration, e.g. "Do you need captions?" (at most 5).
    pub questions: Option<Vec<String>>,
    /// The group an event belongs to (required for the `group` audience).
    pub group_id: Option<Uuid>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpeakerInput {
    /// host, speaker, panelist or moderator
    pub role: String,
    /// A member, whose profile the speaker page links to…
    pub member_id: Option<MemberId>,
    /// …or a guest's name (a member's display name is used when empty).
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub bio: String,
}

struct Checked {
    opens: Option<DateTime<Utc>>,
    closes: Option<DateTime<Utc>>,
    room: String,
    kind: String,
    title: String,
    description: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    time_zone: String,
    capacity: Option<i64>,
    join_url: String,
    audience: String,
    recording_url: String,
    status: String,
}

fn url_ok(u: &str) -> bool {
    u.is_empty()
        || (u.starts_with("https://") || u.starts_with("http://")) && u.len() <= 500 && !u.contains(char::is_whitespace)
}

/// Validates a whole event: `base` holds the current values for a change (PATCH).
fn check(input: &EventInput, base: Option<&EventRow>) -> AppResult<Checked> {
    let mut e = FieldErrors::new();
    let pick = |new: &Option<String>, old: Option<String>| new.clone().or(old).unwrap_or_default();
    let kind = pick(&input.kind, base.map(|b| b.kind.clone()));
    if !KINDS.iter().any(|(k, _)| *k == kind) {
        e.add("kind", "Choose webinar, panel, training_call, networking, live_discussion or conference_session.");
    }
    let title = pick(&input.title, base.map(|b| b.title.clone())).trim().to_string();
    if title.is_empty() || title.chars().count() > 200 {
        e.add("title", "Give the event a title of 1 to 200 characters.");
    }
    let description = pick(&input.description, base.map(|b| b.description.clone()));
    if description.chars().count() > 20_000 {
        e.add("description", "Keep the description under 20,000 characters.");
    }
    let time_zone = pick(&input.time_zone, base.map(|b| b.time_zone.clone())).trim().to_string();
    if time::zone(&time_zone).is_err() {
        e.add("time_zone", LocalTimeError::UnknownZone.message());
    }
    let place =
        |field: &str, new: &Option<String>, old: Option<DateTime<Utc>>, e: &mut FieldErrors| -> Option<DateTime<Utc>> {
            match new {
                Some(local) => match time::to_instant(local, &time_zone) {
                    Ok(t) => Some(t),
                    Err(LocalTimeError::UnknownZone) => None,
                    Err(err) => {
                        e.add(field, err.message());
                        None
                    }
                },
                // Same wall-clock time in a changed zone.
                None => old.map(|o| {
                    let old_zone = base.map(|b| b.time_zone.as_str()).unwrap_or("UTC");
                    time::to_instant(&time::local_string(o, old_zone), &time_zone).unwrap_or(o)
                }),
            }
        };
    let starts_at = place("starts_at", &input.starts_at, base.map(|b| b.starts_at), &mut e);
    let ends_at = place("ends_at", &input.ends_at, base.map(|b| b.ends_at), &mut e);
    if input.starts_at.is_none() && base.is_none() {
        e.add("starts_at", "Say when the event starts, like 2027-03-28T09:30:00.");
    }
    if input.ends_at.is_none() && base.is_none() {
        e.add("ends_at", "Say when the event ends, like 2027-03-28T10:30:00.");
    }
    if let (Some(s), Some(en)) = (starts_at, ends_at) {
        if en <= s {
            e.add("ends_at", "The end must come after the start.");
        } else if en - s > ChronoDuration::days(14) {
            e.add("ends_at", "An event can last at most 14 days.");
        }
    }
    let opens = match &input.registration_opens_at {
        Some(l) if !l.trim().is_empty() => place("registration_opens_at", &Some(l.clone()), None, &mut e),
        Some(_) => None,
        None => base.and_then(|b| b.registration_opens_at),
    };
    let closes = match &input.registration_closes_at {
        Some(l) if !l.trim().is_empty() => place("registration_closes_at", &Some(l.clone()), None, &mut e),
        Some(_) => None,
        None => base.and_then(|b| b.registration_closes_at),
    };
    if let (Some(o), Some(c)) = (opens, closes)
        && c <= o
    {
        e.add("registration_closes_at", "Registration must close after it opens.");
    }
    let room = input.room.clone().or(base.map(|b| b.room.clone())).unwrap_or_default().trim().to_string();
    if room.chars().count() > 100 {
        e.add("room", "Use at most 100 characters for the room.");
    }
    if let Some(speakers) = &input.speakers {
        if speakers.len() > 30 {
            e.add("speakers", "List at most 30 speakers.");
        }
        for sp in speakers {
            if !["host", "speaker", "panelist", "moderator"].contains(&sp.role.as_str()) {
                e.add("speakers", "Each speaker's role must be host, speaker, panelist or moderator.");
            }
            if sp.member_id.is_none() && sp.name.trim().is_empty() {
                e.add("speakers", "A guest speaker needs a name.");
            }
            if sp.name.chars().count() > 120 || sp.bio.chars().count() > 3000 {
                e.add("speakers", "Keep names under 120 and bios under 3,000 characters.");
            }
        }
    }
    if let Some(qs) = &input.questions
        && (qs.len() > 5 || qs.iter().any(|q| q.trim().is_empty() || q.chars().count() > 200))
    {
        e.add("questions", "Ask at most 5 questions, each of 1 to 200 characters.");
    }
    if input.conditions.as_ref().is_some_and(|c| c.len() > 10) {
        e.add("conditions", "Tag at most 10 conditions.");
    }
    let capacity = match (input.capacity, base) {
        (Some(c), _) => Some(c),
        (None, Some(b)) => b.capacity,
        (None, None) => None,
    };
    if capacity.is_some_and(|c| !(1..=1_000_000).contains(&c)) {
        e.add("capacity", "Capacity must be from 1 to 1,000,000, or null for unlimited.");
    }
    let join_url = pick(&input.join_url, base.map(|b| b.join_url.clone())).trim().to_string();
    if !url_ok(&join_url) {
        e.add("join_url", "The join link must be an https:// address.");
    }
    let recording_url = pick(&input.recording_url, base.map(|b| b.recording_url.clone())).trim().to_string();
    if !url_ok(&recording_url) {
        e.add("recording_url", "The recording link must be an https:// address.");
    }
    let audience = pick(&input.audience, base.map(|b| b.audience.clone()).or(Some("members".into())));
    if !AUDIENCES.iter().any(|(a, _)| *a == audience) {
        e.add("audience", "Choose public, members, health_leaders or group.");
    }
    if audience == "group" && input.group_id.or(base.and_then(|b| b.group_id)).is_none() {
        e.add("group_id", "A group event needs the group's id.");
    }
    let status = pick(&input.status, base.map(|b| b.status.clone()).or(Some("scheduled".into())));
    if !["scheduled", "cancelled"].contains(&status.as_str())
        || (status == "scheduled" && base.is_some_and(|b| b.status == "cancelled"))
    {
        e.add("status", "An event can be cancelled, but a cancelled event cannot be brought back; create a new one.");
    }
    e.into_result()?;
    Ok(Checked {
        opens,
        closes,
        room,
        kind,
        title,
        description,
        starts_at: starts_at.unwrap_or_else(now),
        ends_at: ends_at.unwrap_or_else(now),
        time_zone,
        capacity,
        join_url,
        audience,
        recording_url,
        status,
    })
}

/// Schedules an event (staff).
pub async fn create(state: &AppState, viewer: &Viewer, input: &EventInput, ip: &str) -> AppResult<EventRow> {
    let staff = viewer.require_role(Role::Staff)?;
    let c = check(input, None)?;
    check_refs(state, input).await?;
    let id = Uuid::now_v7();
    let t = now();
    let tx = state.db.begin().await?;
    let (conference, track) =
        crate::conference::place_session(&tx, input.conference_id, input.track.as_deref()).await?;
    db::exec(
        &tx,
        "INSERT INTO events (id, kind, title, description, starts_at, ends_at, time_zone, audience, capacity, join_url, recording_url, status, sequence, created_by, created_at, updated_at, \
         registration_opens_at, registration_closes_at, conference_id, track_id, room, awards_ceremony) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'scheduled', 0, $12, $13, $13, $14, $15, $16, $17, $18, $19)",
        params![
            id, c.kind, c.title, c.description, c.starts_at, c.ends_at, c.time_zone, c.audience, c.capacity, c.join_url, c.recording_url, staff.id, t,
            c.opens, c.closes, conference, track, c.room, input.awards_ceremony.unwrap_or(false)
        ],
    )
    .await?;
    if let Some(speakers) = &input.speakers {
        crate::speakers::replace(&tx, people(state)?, id, speakers).await?;
    }
    set_tags(&tx, id, input).await?;
    audit::record(&tx, Some(staff.id), "event_created", None, Some(ip), serde_json::json!({ "event": id })).await?;
    tx.commit().await?;
    load(state.db.writer(), id).await
}

/// Changes an event (staff). A change of time bumps the calendar SEQUENCE and tells
/// everyone registered; so does a cancellation.
pub async fn update(state: &AppState, viewer: &Viewer, id: Uuid, input: &EventInput, ip: &str) -> AppResult<EventRow> {
    let staff = viewer.require_role(Role::Staff)?;
    check_refs(state, input).await?;
    let tx = state.db.begin().await?;
    let old: EventRow =
        db::one(&tx, &format!("SELECT {COLUMNS} FROM events WHERE id = $1{}", db::for_update(&tx)), params![id])
            .await?
            .ok_or(AppError::NotFound)?;
    let c = check(input, Some(&old))?;
    let moved = c.starts_at != old.starts_at || c.ends_at != old.ends_at;
    let cancelled = c.status == "cancelled" && old.status != "cancelled";
    if let Some(cap) = c.capacity {
        let registered = count(&tx, id, "registered").await?;
        if cap < registered {
            return Err(AppError::field(
                "capacity",
                format!("{registered} people are registered; capacity cannot go below that."),
            ));
        }
    }
    let sequence = old.sequence + i64::from(moved || cancelled || c.title != old.title);
    db::exec(
        &tx,
        "UPDATE events SET kind = $1, title = $2, description = $3, starts_at = $4, ends_at = $5, time_zone = $6, audience = $7, \
         capacity = $8, join_url = $9, recording_url = $10, status = $11, sequence = $12, updated_at = $13, \
         registration_opens_at = $14, registration_closes_at = $15, room = $16, awards_ceremony = $17 WHERE id = $18",
        params![
            c.kind, c.title, c.description, c.starts_at, c.ends_at, c.time_zone, c.audience, c.capacity, c.join_url, c.recording_url, c.status, sequence, now(),
            c.opens, c.closes, c.room, input.awards_ceremony.unwrap_or(old.awards_ceremony), id
        ],
    )
    .await?;
    if input.conference_id.is_some() || input.track.is_some() {
        let (conference, track) =
            crate::conference::place_session(&tx, input.conference_id.or(old.conference_id), input.track.as_deref())
                .await?;
        db::exec(
            &tx,
            "UPDATE events SET conference_id = $1, track_id = $2 WHERE id = $3",
            params![conference, track, id],
        )
        .await?;
    }
    if let Some(speakers) = &input.speakers {
        crate::speakers::replace(&tx, people(state)?, id, speakers).await?;
    }
    set_tags(&tx, id, input).await?;
    // More seats may let people off the waitlist.
    promote(state, &tx, id).await?;
    let updated = load(&tx, id).await?;
    if moved || cancelled {
        let what = if cancelled { "cancelled" } else { "moved" };
        for member in registered_members(&tx, id).await? {
            let text = if cancelled {
                format!("Hello,\n\n{} has been cancelled. We are sorry for the change of plans.\n", updated.title)
            } else {
                format!(
                    "Hello,\n\n{} has a new time: {}.\n\nThe attached calendar file updates your calendar.\n",
                    updated.title,
                    time::display(updated.starts_at, &updated.time_zone)
                )
            };
            notify(
                state,
                &tx,
                member,
                &updated,
                &format!("event-{what}:{}:{}", id, updated.sequence),
                &format!("{} has been {what}", updated.title),
                text,
            )
            .await?;
        }
    }
    audit::record(
        &tx,
        Some(staff.id),
        "event_updated",
        None,
        Some(ip),
        serde_json::json!({ "event": id, "moved": moved, "cancelled": cancelled }),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

async fn count(tx: &Tx, event: Uuid, status: &str) -> AppResult<i64> {
    Ok(db::scalar(
        tx,
        "SELECT COUNT(*) FROM registrations WHERE event_id = $1 AND status = $2",
        params![event, status.to_string()],
    )
    .await?
    .unwrap_or(0))
}

#[derive(sea_orm::FromQueryResult)]
struct MemberRow {
    member_id: MemberId,
}

async fn registered_members(tx: &Tx, event: Uuid) -> AppResult<Vec<MemberId>> {
    let rows: Vec<MemberRow> = db::all(
        tx,
        "SELECT member_id FROM registrations WHERE event_id = $1 AND status = 'registered'",
        params![event],
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.member_id).collect())
}

/// Registers `viewer`, or puts them on the waitlist when the event is full. Asking
/// again answers with the place they already have.
pub async fn register(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    answers: &[String],
) -> AppResult<RegistrationStatus> {
    let me = viewer.require_member()?;
    if answers.len() > 5 || answers.iter().any(|a| a.chars().count() > 1000) {
        return Err(AppError::field("answers", "Give at most 5 answers of up to 1,000 characters."));
    }
    let answers_json =
        serde_json::to_string(&answers.iter().map(|a| a.trim()).collect::<Vec<_>>()).unwrap_or_else(|_| "[]".into());
    // Everything read outside the transaction is read before it starts: a transaction
    // that waits for a second pooled connection while holding a row lock can starve the
    // pool under load.
    let r = reader(state, viewer).await?;
    let tx = state.db.begin().await?;
    // The event row lock serialises registrations for one event on PostgreSQL; on
    // SQLite the single writer already does.
    let event: EventRow =
        db::one(&tx, &format!("SELECT {COLUMNS} FROM events WHERE id = $1{}", db::for_update(&tx)), params![id])
            .await?
            .ok_or(AppError::NotFound)?;
    if !can_view(&r, &event) {
        return Err(AppError::NotFound);
    }
    let existing: Option<String> =
        db::scalar(&tx, "SELECT status FROM registrations WHERE event_id = $1 AND member_id = $2", params![id, me.id])
            .await?;
    match existing.as_deref() {
        Some("registered") => return Ok(RegistrationStatus::Registered),
        Some("waitlisted") => return Ok(RegistrationStatus::Waitlisted),
        _ => {}
    }
    if !event.registration_open(now()) {
        return Err(AppError::conflict("registration_closed", "Registration for this event is closed."));
    }
    let registered = count(&tx, id, "registered").await?;
    let status = if event.capacity.is_none_or(|c| registered < c) {
        RegistrationStatus::Registered
    } else {
        RegistrationStatus::Waitlisted
    };
    let status_text = if status == RegistrationStatus::Registered { "registered" } else { "waitlisted" };
    let position: i64 = db::scalar(
        &tx,
        "SELECT CAST(COALESCE(MAX(position), 0) + 1 AS BIGINT) FROM registrations WHERE event_id = $1",
        params![id],
    )
    .await?
    .unwrap_or(1);
    let t = now();
    if existing.is_some() {
        db::exec(
            &tx,
            "UPDATE registrations SET status = $1, position = $2, updated_at = $3, answers = $4 WHERE event_id = $5 AND member_id = $6",
            params![status_text, position, t, answers_json.clone(), id, me.id],
        )
        .await?;
    } else {
        db::exec(
            &tx,
            "INSERT INTO registrations (event_id, member_id, status, position, created_at, updated_at, answers) VALUES ($1, $2, $3, $4, $5, $5, $6)",
            params![id, me.id, status_text, position, t, answers_json.clone()],
        )
        .await?;
    }
    let (subject, text) = match status {
        RegistrationStatus::Registered => (
            format!("You're registered: {}", event.title),
            format!(
                "Hello,\n\nYou are registered for {}, {}.\n\nThe attached calendar file adds it to your calendar. The join link appears on the event page {} minutes before the start.\n",
                event.title,
                time::display(event.starts_at, &event.time_zone),
                crate::settings::EventSettings::join_minutes(state)?
            ),
        ),
        RegistrationStatus::Waitlisted => (
            format!("You're on the waitlist: {}", event.title),
            format!(
                "Hello,\n\n{} is full, so you are on the waitlist. If a seat frees up, you get it at once and we will tell you.\n",
                event.title
            ),
        ),
    };
    notify(state, &tx, me.id, &event, &format!("event-{status_text}:{id}:{position}"), &subject, text).await?;
    tx.commit().await?;
    Ok(status)
}

/// Cancels `viewer`'s registration; a freed seat goes to the first on the waitlist.
pub async fn cancel(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<()> {
    let me = viewer.require_member()?;
    let tx = state.db.begin().await?;
    let _event: EventRow =
        db::one(&tx, &format!("SELECT {COLUMNS} FROM events WHERE id = $1{}", db::for_update(&tx)), params![id])
            .await?
            .ok_or(AppError::NotFound)?;
    let changed = db::exec(
        &tx,
        "UPDATE registrations SET status = 'cancelled', updated_at = $1 WHERE event_id = $2 AND member_id = $3 AND status IN ('registered', 'waitlisted')",
        params![now(), id, me.id],
    )
    .await?;
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    promote(state, &tx, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Moves people from the waitlist into free seats, first come first served.
async fn promote(state: &AppState, tx: &Tx, id: Uuid) -> AppResult<()> {
    let event = load(tx, id).await?;
    if event.status != "scheduled" {
        return Ok(());
    }
    loop {
        let registered = count(tx, id, "registered").await?;
        if event.capacity.is_some_and(|c| registered >= c) {
            return Ok(());
        }
        let next: Option<MemberId> = db::scalar(
            tx,
            "SELECT member_id FROM registrations WHERE event_id = $1 AND status = 'waitlisted' ORDER BY position LIMIT 1",
            params![id],
        )
        .await?;
        let Some(member) = next else { return Ok(()) };
        db::exec(
            tx,
            "UPDATE registrations SET status = 'registered', updated_at = $1 WHERE event_id = $2 AND member_id = $3",
            params![now(), id, member],
        )
        .await?;
        let text = format!(
            "Good news: a seat opened up and you are now registered for {}, {}.\n\nThe attached calendar file adds it to your calendar.\n",
            event.title,
            time::display(event.starts_at, &event.time_zone)
        );
        notify(
            state,
            tx,
            member,
            &event,
            &format!("event-promoted:{id}"),
            &format!("A seat is yours: {}", event.title),
            text,
        )
        .await?;
    }
}

/// The viewer's registration status, if any.
pub async fn my_status(db: &Db, viewer: &Viewer, id: Uuid) -> AppResult<Option<RegistrationStatus>> {
    let Some(me) = viewer.id() else { return Ok(None) };
    let s: Option<String> =
        db.scalar("SELECT status FROM registrations WHERE event_id = $1 AND member_id = $2", params![id, me]).await?;
    Ok(registration_status(s.as_deref()))
}

/// The viewer's registration status for each of `ids` (a list page), in one query.
pub async fn my_statuses(
    db: &Db,
    viewer: &Viewer,
    ids: &[Uuid],
) -> AppResult<std::collections::HashMap<Uuid, RegistrationStatus>> {
    let Some(me) = viewer.id() else { return Ok(Default::default()) };
    if ids.is_empty() {
        return Ok(Default::default());
    }
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        event_id: Uuid,
        status: String,
    }
    let mut values = params![me];
    values.extend(ids.iter().map(|i| sea_orm::Value::from(*i)));
    let sql = format!(
        "SELECT event_id, status FROM registrations WHERE member_id = $1 AND event_id IN ({})",
        db::placeholders(2, ids.len())
    );
    let rows: Vec<Row> = db.all(&sql, values).await?;
    Ok(rows.into_iter().filter_map(|r| registration_status(Some(&r.status)).map(|s| (r.event_id, s))).collect())
}

fn registration_status(s: Option<&str>) -> Option<RegistrationStatus> {
    match s {
        Some("registered") => Some(RegistrationStatus::Registered),
        Some("waitlisted") => Some(RegistrationStatus::Waitlisted),
        _ => None,
    }
}

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
    // The same rule as `can_view`, in SQL.
    let mut sql = if r.staff {
        format!("SELECT {COLUMNS} FROM events e WHERE 1 = 1")
    } else {
        let mut open = vec!["'public'"];
        if r.signed_in {
            open.push("'members'");
        }
        if r.health_leader {
            open.push("'health_leaders'");
        }
        let mut cond = format!("e.audience IN ({})", open.join(", "));
        if !r.groups.is_empty() {
            let ids = r.groups.iter().map(|g| bind((*g).into(), &mut values)).collect::<Vec<_>>().join(", ");
            cond = format!("({cond} OR (e.audience = 'group' AND e.group_id IN ({ids})))");
        }
        format!("SELECT {COLUMNS} FROM events e WHERE {cond}")
    };
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
        // By end time (`events_by_end`): the events not over yet are few, while walking
        // `events_upcoming` in start order would pass every past event first. `status || ''`
        // keeps the planner off that index (portable; PostgreSQL has no unary `+` on text).
        format!(" AND e.ends_at >= {t} AND e.status || '' = 'scheduled'")
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
    pub cursor: Option<String>,
    pub limit: Option<u64>,
}

/// E-mails a member about an event, with its calendar file attached; at most once per
/// (member, purpose).
async fn notify(
    state: &AppState,
    tx: &Tx,
    member: MemberId,
    event: &EventRow,
    purpose: &str,
    subject: &str,
    text: String,
) -> AppResult<()> {
    let Some(to) = people(state)?.contact_email(tx.into(), member).await? else { return Ok(()) };
    let link = state.config.url(&format!("/events/{}", event.id));
    mail::queue(
        tx,
        purpose,
        Email {
            to,
            subject: subject.to_string(),
            text: format!("{text}\nEvent page: {link}\n"),
            html: None,
            unsubscribe_url: None,
            attachments: vec![Attachment {
                filename: "event.ics".into(),
                content_type: "text/calendar; charset=utf-8; method=PUBLISH".into(),
                body: crate::ics::calendar(state, std::slice::from_ref(event)),
            }],
        },
    )
    .await?;
    Ok(())
}

/// Checks that the groups and conditions an event refers to exist (before any
/// transaction starts).
async fn check_refs(state: &AppState, input: &EventInput) -> AppResult<()> {
    if let Some(g) = input.group_id
        && !contracts::groups::directory(state)?.exists((&state.db).into(), GroupId(g)).await?
    {
        return Err(AppError::field("group_id", "There is no such group."));
    }
    if let Some(ids) = &input.conditions {
        let found = people(state)?.existing_conditions(&state.db, ids).await?;
        if found.len() != ids.iter().collect::<std::collections::HashSet<_>>().len() {
            return Err(AppError::field("conditions", "One of the conditions does not exist."));
        }
    }
    Ok(())
}

/// Stores an event's group, condition tags and registration questions, when given.
async fn set_tags(tx: &Tx, id: Uuid, input: &EventInput) -> AppResult<()> {
    if let Some(g) = input.group_id {
        db::exec(tx, "UPDATE events SET group_id = $1 WHERE id = $2", params![g, id]).await?;
    }
    if let Some(ids) = &input.conditions {
        let unique: std::collections::HashSet<&Uuid> = ids.iter().collect();
        db::exec(tx, "DELETE FROM event_conditions WHERE event_id = $1", params![id]).await?;
        for c in unique {
            db::exec(tx, "INSERT INTO event_conditions (event_id, condition_id) VALUES ($1, $2)", params![id, *c])
                .await?;
        }
    }
    if let Some(qs) = &input.questions {
        let qs: Vec<String> = qs.iter().map(|q| q.trim().to_string()).collect();
        db::exec(
            tx,
            "UPDATE events SET questions = $1 WHERE id = $2",
            params![serde_json::to_string(&qs).unwrap_or_default(), id],
        )
        .await?;
    }
    Ok(())
}

/// One person's registration, for staff.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Registrant {
    pub member_id: MemberId,
    pub display_name: String,
    pub status: String,
    /// Answers to the registration questions, in order. Health information: shown to staff only, and audited.
    pub answers: Vec<String>,
    pub attended: bool,
}

/// Everyone registered or waiting (staff). Answers can be health information (access
/// needs), so each read is audited.
pub async fn registrants(state: &AppState, viewer: &Viewer, id: Uuid, ip: &str) -> AppResult<Vec<Registrant>> {
    let staff = viewer.require_role(Role::Staff)?;
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        member_id: MemberId,
        status: String,
        answers: String,
        attended_at: Option<DateTime<Utc>>,
    }
    let rows: Vec<Row> = state
        .db
        .all(
            "SELECT member_id, status, answers, attended_at FROM registrations WHERE event_id = $1 AND status IN ('registered', 'waitlisted') ORDER BY position",
            params![id],
        )
        .await?;
    let ids: Vec<MemberId> = rows.iter().map(|r| r.member_id).collect();
    let names = people(state)?.display_names((&state.db).into(), &ids).await?;
    audit::record(
        state.db.writer(),
        Some(staff.id),
        "staff_viewed_registrants",
        None,
        Some(ip),
        serde_json::json!({ "event": id }),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Registrant {
            display_name: names.get(&r.member_id).cloned().unwrap_or_default(),
            member_id: r.member_id,
            status: r.status,
            answers: serde_json::from_str(&r.answers).unwrap_or_default(),
            attended: r.attended_at.is_some(),
        })
        .collect())
}
