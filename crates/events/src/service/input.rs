//! The event input (what staff send to create or change an event) and its checks: each
//! field is checked in a small function, and every problem is reported at once, by field.

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppResult, FieldErrors};
use serde::Deserialize;
use uuid::Uuid;

use super::EventRow;
use crate::model::{AUDIENCES, KINDS};
use crate::time::{self, LocalTimeError};

/// The longest an event may last, in days. The upcoming list relies on it: an event not
/// over yet started at most this long ago.
pub(crate) const MAX_EVENT_DAYS: i64 = 14;

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

pub(super) struct Checked {
    pub(super) opens: Option<DateTime<Utc>>,
    pub(super) closes: Option<DateTime<Utc>>,
    pub(super) room: String,
    pub(super) kind: String,
    pub(super) title: String,
    pub(super) description: String,
    pub(super) starts_at: DateTime<Utc>,
    pub(super) ends_at: DateTime<Utc>,
    pub(super) time_zone: String,
    pub(super) capacity: Option<i64>,
    pub(super) join_url: String,
    pub(super) audience: String,
    pub(super) recording_url: String,
    pub(super) status: String,
}

fn url_ok(u: &str) -> bool {
    u.is_empty()
        || (u.starts_with("https://") || u.starts_with("http://")) && u.len() <= 500 && !u.contains(char::is_whitespace)
}

/// The new value if given, else the current one (for a change), else empty.
fn pick(new: &Option<String>, old: Option<String>) -> String {
    new.clone().or(old).unwrap_or_default()
}

/// Validates a whole event: `base` holds the current values for a change (PATCH).
pub(super) fn check(input: &EventInput, base: Option<&EventRow>) -> AppResult<Checked> {
    let mut e = FieldErrors::new();
    let (kind, title, description) = check_wording(input, base, &mut e);
    let time_zone = pick(&input.time_zone, base.map(|b| b.time_zone.clone())).trim().to_string();
    if time::zone(&time_zone).is_err() {
        e.add("time_zone", LocalTimeError::UnknownZone.message());
    }
    let times = check_times(input, base, &time_zone, &mut e);
    let room = input.room.clone().or(base.map(|b| b.room.clone())).unwrap_or_default().trim().to_string();
    e.check_length("room", &room, 0..=100, "Use at most 100 characters for the room.");
    check_speakers(input, &mut e);
    check_questions_and_conditions(input, &mut e);
    let capacity = check_capacity(input, base, &mut e);
    let (join_url, recording_url) = check_links(input, base, &mut e);
    let audience = check_audience(input, base, &mut e);
    let status = check_status(input, base, &mut e);
    e.into_result()?;
    Ok(Checked {
        opens: times.opens,
        closes: times.closes,
        room,
        kind,
        title,
        description,
        starts_at: times.starts_at.unwrap_or_else(now),
        ends_at: times.ends_at.unwrap_or_else(now),
        time_zone,
        capacity,
        join_url,
        audience,
        recording_url,
        status,
    })
}

/// The kind, title and description.
fn check_wording(input: &EventInput, base: Option<&EventRow>, e: &mut FieldErrors) -> (String, String, String) {
    let kind = pick(&input.kind, base.map(|b| b.kind.clone()));
    if !KINDS.iter().any(|(k, _)| *k == kind) {
        e.add("kind", "Choose webinar, panel, training_call, networking, live_discussion or conference_session.");
    }
    let title = pick(&input.title, base.map(|b| b.title.clone())).trim().to_string();
    e.check_length("title", &title, 1..=200, "Give the event a title of 1 to 200 characters.");
    let description = pick(&input.description, base.map(|b| b.description.clone()));
    e.check_length("description", &description, 0..=20_000, "Keep the description under 20,000 characters.");
    (kind, title, description)
}

/// The instants of an event: its start and end, and when registration opens and closes.
struct Times {
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    opens: Option<DateTime<Utc>>,
    closes: Option<DateTime<Utc>>,
}

/// A local date-time in `time_zone` as an instant; without a new value, the old instant
/// at the same wall-clock time in a changed zone.
fn place(
    field: &str,
    new: &Option<String>,
    old: Option<DateTime<Utc>>,
    time_zone: &str,
    base: Option<&EventRow>,
    e: &mut FieldErrors,
) -> Option<DateTime<Utc>> {
    match new {
        Some(local) => match time::to_instant(local, time_zone) {
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
            time::to_instant(&time::local_string(o, old_zone), time_zone).unwrap_or(o)
        }),
    }
}

/// The start and end (required for a new event, in order, at most 14 days apart) and the
/// registration window (optional; an empty value clears it).
fn check_times(input: &EventInput, base: Option<&EventRow>, time_zone: &str, e: &mut FieldErrors) -> Times {
    let starts_at = place("starts_at", &input.starts_at, base.map(|b| b.starts_at), time_zone, base, e);
    let ends_at = place("ends_at", &input.ends_at, base.map(|b| b.ends_at), time_zone, base, e);
    if input.starts_at.is_none() && base.is_none() {
        e.add("starts_at", "Say when the event starts, like 2027-03-28T09:30:00.");
    }
    if input.ends_at.is_none() && base.is_none() {
        e.add("ends_at", "Say when the event ends, like 2027-03-28T10:30:00.");
    }
    if let (Some(s), Some(en)) = (starts_at, ends_at) {
        if en <= s {
            e.add("ends_at", "The end must come after the start.");
        } else if en - s > ChronoDuration::days(MAX_EVENT_DAYS) {
            e.add("ends_at", "An event can last at most 14 days.");
        }
    }
    let mut window = |field: &str, new: &Option<String>, old: Option<DateTime<Utc>>| match new {
        Some(l) if !l.trim().is_empty() => place(field, &Some(l.clone()), None, time_zone, base, e),
        Some(_) => None,
        None => old,
    };
    let opens =
        window("registration_opens_at", &input.registration_opens_at, base.and_then(|b| b.registration_opens_at));
    let closes =
        window("registration_closes_at", &input.registration_closes_at, base.and_then(|b| b.registration_closes_at));
    if let (Some(o), Some(c)) = (opens, closes)
        && c <= o
    {
        e.add("registration_closes_at", "Registration must close after it opens.");
    }
    Times { starts_at, ends_at, opens, closes }
}

/// At most 30 speakers, each with a known role and a name or a member.
fn check_speakers(input: &EventInput, e: &mut FieldErrors) {
    let Some(speakers) = &input.speakers else { return };
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

/// At most 5 registration questions and 10 condition tags.
fn check_questions_and_conditions(input: &EventInput, e: &mut FieldErrors) {
    if let Some(qs) = &input.questions
        && (qs.len() > 5 || qs.iter().any(|q| q.trim().is_empty() || q.chars().count() > 200))
    {
        e.add("questions", "Ask at most 5 questions, each of 1 to 200 characters.");
    }
    if input.conditions.as_ref().is_some_and(|c| c.len() > 10) {
        e.add("conditions", "Tag at most 10 conditions.");
    }
}

/// Seats: from 1 to 1,000,000, or none for unlimited.
fn check_capacity(input: &EventInput, base: Option<&EventRow>, e: &mut FieldErrors) -> Option<i64> {
    let capacity = match (input.capacity, base) {
        (Some(c), _) => Some(c),
        (None, Some(b)) => b.capacity,
        (None, None) => None,
    };
    if capacity.is_some_and(|c| !(1..=1_000_000).contains(&c)) {
        e.add("capacity", "Capacity must be from 1 to 1,000,000, or null for unlimited.");
    }
    capacity
}

/// The join and recording links: empty, or web addresses.
fn check_links(input: &EventInput, base: Option<&EventRow>, e: &mut FieldErrors) -> (String, String) {
    let join_url = pick(&input.join_url, base.map(|b| b.join_url.clone())).trim().to_string();
    if !url_ok(&join_url) {
        e.add("join_url", "The join link must be an https:// address.");
    }
    let recording_url = pick(&input.recording_url, base.map(|b| b.recording_url.clone())).trim().to_string();
    if !url_ok(&recording_url) {
        e.add("recording_url", "The recording link must be an https:// address.");
    }
    (join_url, recording_url)
}

/// Who may come (members by default); a group event names its group.
fn check_audience(input: &EventInput, base: Option<&EventRow>, e: &mut FieldErrors) -> String {
    let audience = pick(&input.audience, base.map(|b| b.audience.clone()).or(Some("members".into())));
    if !AUDIENCES.iter().any(|(a, _)| *a == audience) {
        e.add("audience", "Choose public, members, health_leaders or group.");
    }
    if audience == "group" && input.group_id.or(base.and_then(|b| b.group_id)).is_none() {
        e.add("group_id", "A group event needs the group's id.");
    }
    audience
}

/// Scheduled or cancelled; a cancelled event stays cancelled.
fn check_status(input: &EventInput, base: Option<&EventRow>, e: &mut FieldErrors) -> String {
    let status = pick(&input.status, base.map(|b| b.status.clone()).or(Some("scheduled".into())));
    if !["scheduled", "cancelled"].contains(&status.as_str())
        || (status == "scheduled" && base.is_some_and(|b| b.status == "cancelled"))
    {
        e.add("status", "An event can be cancelled, but a cancelled event cannot be brought back; create a new one.");
    }
    status
}
