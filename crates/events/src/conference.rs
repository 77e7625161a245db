//! Connexion, the annual conference: days, tracks, ticket types with capacity, and an
//! agenda of sessions (each session is an event). Members pick sessions into their own
//! agenda, where clashes are flagged.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kernel::db::{self, Db, Tx};
use kernel::time::now;
use kernel::viewer::{Role, Viewer};
use kernel::{AppError, AppResult, AppState, FieldErrors, audit, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::service::{self, COLUMNS, EventRow, can_view, reader};
use crate::speakers::{self, Speaker};
use crate::time;

#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct Conference {
    pub id: Uuid,
    pub name: String,
    pub year: i64,
    pub description: String,
    /// First day, YYYY-MM-DD, in `time_zone`.
    pub starts_on: String,
    pub ends_on: String,
    pub time_zone: String,
    pub venue: String,
    /// Shown only through [`ConferenceView::online_url`], which follows the join rule.
    #[serde(skip)]
    pub online_url: String,
}

impl Conference {
    /// Whether its online link may be shown now (to a ticket holder): from
    /// `minutes_before` its first day begins, in its own zone, until its last day ends —
    /// the rule of an event's join link ([`EventRow::join_open`]) for a conference.
    fn online_open(&self, at: DateTime<Utc>, minutes_before: i64) -> bool {
        let day = |s: &str| s.parse::<jiff::civil::Date>().ok();
        let opens = day(&self.starts_on).and_then(|d| time::day_start(d, &self.time_zone));
        let after_last = day(&self.ends_on).and_then(|d| d.tomorrow().ok());
        match (opens, after_last.and_then(|d| time::day_start(d, &self.time_zone))) {
            (Some(opens), Some(closes)) => at >= opens - chrono::Duration::minutes(minutes_before) && at < closes,
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct Track {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct TicketType {
    pub id: Uuid,
    pub name: String,
    pub capacity: Option<i64>,
    pub taken: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConferenceView {
    #[serde(flatten)]
    pub conference: Conference,
    pub tracks: Vec<Track>,
    pub ticket_types: Vec<TicketType>,
    /// The viewer's ticket type, if they have one.
    pub my_ticket: Option<Uuid>,
    /// The online link: only for ticket holders, from shortly before the first day begins
    /// until the last day ends (like an event's join link).
    pub online_url: Option<String>,
}

pub(crate) const CONF_COLUMNS: &str = "id, name, year, description, starts_on, ends_on, time_zone, venue, online_url";

pub async fn get(db: &Db, id: Uuid) -> AppResult<Conference> {
    db.one(&format!("SELECT {CONF_COLUMNS} FROM conferences WHERE id = $1"), params![id])
        .await?
        .ok_or(AppError::NotFound)
}

/// Conferences whose last day has not passed, soonest first.
pub async fn upcoming(db: &Db) -> AppResult<Vec<Conference>> {
    let today = now().format("%Y-%m-%d").to_string();
    Ok(db
        .all(
            &format!("SELECT {CONF_COLUMNS} FROM conferences WHERE ends_on >= $1 ORDER BY starts_on LIMIT 5"),
            params![today],
        )
        .await?)
}

pub async fn view(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<ConferenceView> {
    let db = &state.db;
    let conference = get(db, id).await?;
    let tracks = db
        .all("SELECT id, name FROM conference_tracks WHERE conference_id = $1 ORDER BY position", params![id])
        .await?;
    let ticket_types = db
        .all(
            "SELECT t.id, t.name, t.capacity, CAST((SELECT COUNT(*) FROM conference_tickets c WHERE c.ticket_type_id = t.id) AS BIGINT) AS taken \
             FROM ticket_types t WHERE t.conference_id = $1 ORDER BY t.position",
            params![id],
        )
        .await?;
    let my_ticket = match viewer.id() {
        Some(me) => {
            db.scalar(
                "SELECT ticket_type_id FROM conference_tickets WHERE conference_id = $1 AND member_id = $2",
                params![id, me],
            )
            .await?
        }
        None => None,
    };
    let minutes = crate::settings::EventSettings::join_minutes(state)?;
    let online_url =
        (my_ticket.is_some() && !conference.online_url.is_empty() && conference.online_open(now(), minutes))
            .then(|| conference.online_url.clone());
    Ok(ConferenceView { conference, tracks, ticket_types, my_ticket, online_url })
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTicketType {
    pub name: String,
    /// Null for unlimited.
    pub capacity: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConference {
    pub name: String,
    pub year: i64,
    #[serde(default)]
    pub description: String,
    /// YYYY-MM-DD
    pub starts_on: String,
    pub ends_on: String,
    pub time_zone: String,
    #[serde(default)]
    pub venue: String,
    #[serde(default)]
    pub online_url: String,
    #[serde(default)]
    pub tracks: Vec<String>,
    #[serde(default)]
    pub ticket_types: Vec<NewTicketType>,
}

/// Checks a conference's settings, creating or changing it: every problem at once, by field.
pub(crate) fn check(c: &NewConference) -> AppResult<()> {
    let mut e = FieldErrors::new();
    if c.name.trim().is_empty() || c.name.chars().count() > 120 {
        e.add("name", "Give the conference a name of 1 to 120 characters.");
    }
    if !(2000..=2200).contains(&c.year) {
        e.add("year", "Use a year like 2027.");
    }
    let day = |s: &str| s.parse::<jiff::civil::Date>().ok();
    match (day(&c.starts_on), day(&c.ends_on)) {
        (Some(a), Some(b)) if b < a => e.add("ends_on", "The last day must not come before the first."),
        (Some(_), Some(_)) => {}
        (None, _) => e.add("starts_on", "Use a date like 2027-06-14."),
        (_, None) => e.add("ends_on", "Use a date like 2027-06-15."),
    }
    if time::zone(&c.time_zone).is_err() {
        e.add("time_zone", "Use a time zone name like Europe/London.");
    }
    if c.tracks.len() > 20 || c.tracks.iter().any(|t| t.trim().is_empty() || t.chars().count() > 80) {
        e.add("tracks", "Name up to 20 tracks, each 1 to 80 characters.");
    }
    if c.ticket_types.len() > 10
        || c.ticket_types.iter().any(|t| t.name.trim().is_empty() || t.capacity.is_some_and(|n| n < 1))
    {
        e.add("ticket_types", "Each ticket type needs a name and a capacity of at least 1 (or null for unlimited).");
    }
    e.check_length("description", &c.description, 0..=5000, "Keep the description under 5,000 characters.");
    e.check_length("venue", &c.venue, 0..=200, "Keep the venue under 200 characters.");
    if !c.online_url.is_empty() && !c.online_url.starts_with("https://") {
        e.add("online_url", "The online link must be an https:// address.");
    }
    e.into_result()
}

/// Creates a conference with its tracks and ticket types (staff).
pub async fn create(state: &AppState, viewer: &Viewer, c: &NewConference, ip: &str) -> AppResult<ConferenceView> {
    let staff = viewer.require_role(Role::Staff)?;
    check(c)?;
    let id = Uuid::now_v7();
    let tx = state.db.begin().await?;
    db::exec(
        &tx,
        "INSERT INTO conferences (id, name, year, description, starts_on, ends_on, time_zone, venue, online_url, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        params![id, c.name.trim(), c.year, c.description.trim(), c.starts_on.clone(), c.ends_on.clone(), c.time_zone.trim(), c.venue.trim(), c.online_url.clone(), now()],
    )
    .await?;
    for (i, t) in c.tracks.iter().enumerate() {
        db::exec(
            &tx,
            "INSERT INTO conference_tracks (id, conference_id, name, position) VALUES ($1, $2, $3, $4)",
            params![Uuid::now_v7(), id, t.trim(), i as i64],
        )
        .await?;
    }
    for (i, t) in c.ticket_types.iter().enumerate() {
        db::exec(
            &tx,
            "INSERT INTO ticket_types (id, conference_id, name, capacity, position) VALUES ($1, $2, $3, $4, $5)",
            params![Uuid::now_v7(), id, t.name.trim(), t.capacity, i as i64],
        )
        .await?;
    }
    audit::record(&tx, Some(staff.id), "conference_created", None, Some(ip), serde_json::json!({ "conference": id }))
        .await?;
    tx.commit().await?;
    view(state, viewer, id).await
}

/// Resolves a session's conference and track (creating the track if it is new).
pub async fn place_session(
    tx: &Tx,
    conference: Option<Uuid>,
    track: Option<&str>,
) -> AppResult<(Option<Uuid>, Option<Uuid>)> {
    let Some(conference) = conference else {
        if track.is_some_and(|t| !t.trim().is_empty()) {
            return Err(AppError::field("track", "A track belongs to a conference: give conference_id too."));
        }
        return Ok((None, None));
    };
    let exists: i64 =
        db::scalar(tx, "SELECT COUNT(*) FROM conferences WHERE id = $1", params![conference]).await?.unwrap_or(0);
    if exists == 0 {
        return Err(AppError::field("conference_id", "There is no such conference."));
    }
    let Some(name) = track.map(str::trim).filter(|t| !t.is_empty()) else { return Ok((Some(conference), None)) };
    let found: Option<Uuid> = db::scalar(
        tx,
        "SELECT id FROM conference_tracks WHERE conference_id = $1 AND name = $2",
        params![conference, name],
    )
    .await?;
    if let Some(t) = found {
        return Ok((Some(conference), Some(t)));
    }
    let position: i64 = db::scalar(
        tx,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM conference_tracks WHERE conference_id = $1",
        params![conference],
    )
    .await?
    .unwrap_or(0);
    let id = Uuid::now_v7();
    db::exec(
        tx,
        "INSERT INTO conference_tracks (id, conference_id, name, position) VALUES ($1, $2, $3, $4)",
        params![id, conference, name, position],
    )
    .await?;
    Ok((Some(conference), Some(id)))
}

/// Takes a ticket of a type (one per member per conference; never past capacity).
pub async fn take_ticket(state: &AppState, viewer: &Viewer, conference: Uuid, ticket_type: Uuid) -> AppResult<()> {
    let me = viewer.require_member()?;
    let tx = state.db.begin().await?;
    let capacity: Option<Option<i64>> = db::one::<CapRow, _>(
        &tx,
        &format!("SELECT capacity FROM ticket_types WHERE id = $1 AND conference_id = $2{}", db::for_update(&tx)),
        params![ticket_type, conference],
    )
    .await?
    .map(|r| r.capacity);
    let Some(capacity) = capacity else { return Err(AppError::NotFound) };
    let mine: Option<Uuid> = db::scalar(
        &tx,
        "SELECT ticket_type_id FROM conference_tickets WHERE conference_id = $1 AND member_id = $2",
        params![conference, me.id],
    )
    .await?;
    if mine == Some(ticket_type) {
        return Ok(());
    }
    if mine.is_some() {
        return Err(AppError::conflict("already_ticketed", "You already have a ticket for this conference."));
    }
    let taken: i64 =
        db::scalar(&tx, "SELECT COUNT(*) FROM conference_tickets WHERE ticket_type_id = $1", params![ticket_type])
            .await?
            .unwrap_or(0);
    if capacity.is_some_and(|c| taken >= c) {
        return Err(AppError::conflict("sold_out", "No tickets of this type are left."));
    }
    db::exec(
        &tx,
        "INSERT INTO conference_tickets (conference_id, member_id, ticket_type_id, created_at) VALUES ($1, $2, $3, $4)",
        params![conference, me.id, ticket_type, now()],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(sea_orm::FromQueryResult)]
struct CapRow {
    capacity: Option<i64>,
}

/// One session on the agenda.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Session {
    pub id: Uuid,
    pub title: String,
    pub kind: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Start and end in the zone the agenda is shown in.
    pub local_start: String,
    pub local_end: String,
    pub track: Option<String>,
    pub room: String,
    pub awards_ceremony: bool,
    pub speakers: Vec<Speaker>,
    /// In the viewer's own agenda.
    pub picked: bool,
    /// Overlaps another session in the viewer's agenda.
    pub clashes: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Day {
    /// YYYY-MM-DD in the agenda's zone.
    pub date: String,
    pub sessions: Vec<Session>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Agenda {
    pub conference_id: Uuid,
    /// The zone the local times are in: the viewer's own, else the conference's.
    pub time_zone: String,
    pub days: Vec<Day>,
}

pub async fn sessions(db: &Db, conference: Uuid) -> AppResult<Vec<EventRow>> {
    Ok(db
        .all(
            &format!(
                "SELECT {COLUMNS} FROM events WHERE conference_id = $1 AND status = 'scheduled' ORDER BY starts_at, id"
            ),
            params![conference],
        )
        .await?)
}

/// The agenda by day, as `viewer` may see it, with their picks and clashes.
pub async fn agenda(state: &AppState, viewer: &Viewer, conference: Uuid, zone: Option<String>) -> AppResult<Agenda> {
    let c = get(&state.db, conference).await?;
    let zone = zone.unwrap_or(c.time_zone.clone());
    let tracks: Vec<Track> =
        state.db.all("SELECT id, name FROM conference_tracks WHERE conference_id = $1", params![conference]).await?;
    let rows: Vec<EventRow> = {
        let r = reader(state, viewer).await?;
        sessions(&state.db, conference).await?.into_iter().filter(|e| can_view(&r, e)).collect()
    };
    let picks = my_picks(&state.db, viewer, conference).await?;
    let picked_rows: Vec<&EventRow> = rows.iter().filter(|e| picks.contains(&e.id)).collect();
    let mut days: BTreeMap<String, Vec<Session>> = BTreeMap::new();
    for e in &rows {
        let picked = picks.contains(&e.id);
        let clashes =
            picked && picked_rows.iter().any(|o| o.id != e.id && o.starts_at < e.ends_at && e.starts_at < o.ends_at);
        let local_start = time::local_string(e.starts_at, &zone);
        days.entry(local_start[..10].to_string()).or_default().push(Session {
            id: e.id,
            title: e.title.clone(),
            kind: e.kind.clone(),
            starts_at: e.starts_at,
            ends_at: e.ends_at,
            local_end: time::local_string(e.ends_at, &zone)[11..16].to_string(),
            local_start: local_start[11..16].to_string(),
            track: e.track_id.and_then(|t| tracks.iter().find(|x| x.id == t)).map(|t| t.name.clone()),
            room: e.room.clone(),
            awards_ceremony: e.awards_ceremony,
            speakers: speakers::of_event(&state.db, e.id).await?,
            picked,
            clashes,
        });
    }
    Ok(Agenda {
        conference_id: conference,
        time_zone: zone,
        days: days.into_iter().map(|(date, sessions)| Day { date, sessions }).collect(),
    })
}

async fn my_picks(db: &Db, viewer: &Viewer, conference: Uuid) -> AppResult<Vec<Uuid>> {
    let Some(me) = viewer.id() else { return Ok(vec![]) };
    Ok(db
        .column(
            "SELECT p.event_id FROM agenda_picks p JOIN events e ON e.id = p.event_id WHERE p.member_id = $1 AND e.conference_id = $2",
            params![me, conference],
        )
        .await?)
}

/// Adds a session to (or removes it from) the viewer's agenda.
pub async fn pick(state: &AppState, viewer: &Viewer, session: Uuid, on: bool) -> AppResult<()> {
    let me = viewer.require_member()?;
    let e = service::visible(state, viewer, session).await?;
    if e.conference_id.is_none() {
        return Err(AppError::conflict("not_a_session", "Only conference sessions go in an agenda."));
    }
    state.db.set_pair("agenda_picks", ("member_id", "event_id"), me.id, session, on).await?;
    Ok(())
}
