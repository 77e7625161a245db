//! The event form of the staff console: what staff type (kept as typed), its fields,
//! and reading it into the API's [`EventInput`], so the one copy of the rules
//! ([`crate::service::create`], [`crate::service::update`]) checks it.

use kernel::FieldErrors;
use kernel::form::{self, checkbox, radios};
use kernel::http::form_value;
use kernel::ui::{Field, Input};
use uuid::Uuid;

use crate::conference::Conference;
use crate::model::{AUDIENCES, KINDS};
use crate::service::{EventInput, EventRow, SpeakerInput};
use crate::speakers::Speaker;
use crate::time;

/// The event form as typed.
#[derive(Default, Clone)]
pub(super) struct Typed {
    pub(super) kind: String,
    pub(super) title: String,
    pub(super) description: String,
    pub(super) time_zone: String,
    pub(super) starts_at: String,
    pub(super) ends_at: String,
    pub(super) capacity: String,
    pub(super) audience: String,
    pub(super) group_id: String,
    pub(super) join_url: String,
    pub(super) recording_url: String,
    pub(super) opens: String,
    pub(super) closes: String,
    pub(super) speakers: String,
    pub(super) questions: String,
    pub(super) conference_id: String,
    pub(super) track: String,
    pub(super) room: String,
    pub(super) ceremony: bool,
}

const TEXT: &[&str] = &[
    "kind",
    "title",
    "description",
    "time_zone",
    "starts_at",
    "ends_at",
    "capacity",
    "audience",
    "group_id",
    "join_url",
    "recording_url",
    "registration_opens_at",
    "registration_closes_at",
    "speakers",
    "questions",
    "conference_id",
    "track",
    "room",
];

pub(super) fn typed(pairs: &[(String, String)]) -> Typed {
    let v: Vec<String> = TEXT.iter().map(|n| form_value(pairs, n)).collect();
    let mut it = v.into_iter();
    let mut next = || it.next().unwrap_or_default();
    Typed {
        kind: next(),
        title: next(),
        description: next(),
        time_zone: next(),
        starts_at: next(),
        ends_at: next(),
        capacity: next(),
        audience: next(),
        group_id: next(),
        join_url: next(),
        recording_url: next(),
        opens: next(),
        closes: next(),
        speakers: next(),
        questions: next(),
        conference_id: next(),
        track: next(),
        room: next(),
        ceremony: form_value(pairs, "awards_ceremony") == "yes",
    }
}

/// A new event's form: a webinar for members, or a session of `conference`.
pub(super) fn blank(conference: Option<&Conference>, ceremony: bool) -> Typed {
    Typed {
        kind: if conference.is_some() { "conference_session" } else { "webinar" }.into(),
        audience: "members".into(),
        time_zone: conference.map(|c| c.time_zone.clone()).unwrap_or_else(|| "Europe/London".into()),
        conference_id: conference.map(|c| c.id.to_string()).unwrap_or_default(),
        ceremony,
        ..Default::default()
    }
}

/// A stored event as its form shows it (times in its own zone).
pub(super) fn of_event(e: &EventRow, speakers: &[Speaker], track: Option<String>) -> Typed {
    let local = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| time::local_string(t, &e.time_zone));
    Typed {
        kind: e.kind.clone(),
        title: e.title.clone(),
        description: e.description.clone(),
        time_zone: e.time_zone.clone(),
        starts_at: local(Some(e.starts_at)).unwrap_or_default(),
        ends_at: local(Some(e.ends_at)).unwrap_or_default(),
        capacity: e.capacity.map(|c| c.to_string()).unwrap_or_default(),
        audience: e.audience.clone(),
        group_id: e.group_id.map(|g| g.to_string()).unwrap_or_default(),
        join_url: e.join_url.clone(),
        recording_url: e.recording_url.clone(),
        opens: local(e.registration_opens_at).unwrap_or_default(),
        closes: local(e.registration_closes_at).unwrap_or_default(),
        speakers: speakers
            .iter()
            .map(|s| {
                if s.bio.is_empty() {
                    format!("{} | {}", s.role, s.name)
                } else {
                    format!("{} | {} | {}", s.role, s.name, s.bio)
                }
            })
            .collect::<Vec<_>>()
            .join("\n"),
        questions: e.question_list().join("\n"),
        conference_id: e.conference_id.map(|c| c.to_string()).unwrap_or_default(),
        track: track.unwrap_or_default(),
        room: e.room.clone(),
        ceremony: e.awards_ceremony,
    }
}

/// Speakers typed one a line as `role | name | bio` (the bio may be left out). A name
/// that was a member speaker's stays linked to that member.
fn speakers(text: &str, current: &[Speaker], e: &mut FieldErrors) -> Vec<SpeakerInput> {
    form::lines(text)
        .iter()
        .map(|line| {
            let mut parts = line.splitn(3, '|').map(str::trim);
            let role = parts.next().unwrap_or_default().to_lowercase();
            let name = parts.next().unwrap_or_default().to_string();
            if name.is_empty() {
                e.add("speakers", "Write each speaker as: role | name | bio, for example: host | Ana Silva.");
            }
            let member_id = current.iter().find(|s| s.name == name).and_then(|s| s.member_id);
            SpeakerInput { role, member_id, name, bio: parts.next().unwrap_or_default().to_string() }
        })
        .collect()
}

/// The typed form as the API's input; what cannot even be read (a capacity that is not a
/// number, an id that is not one) is reported beside its field.
pub(super) fn input(t: &Typed, current: &[Speaker]) -> Result<EventInput, FieldErrors> {
    let mut e = FieldErrors::new();
    let capacity = form::number(&t.capacity).unwrap_or_else(|_| {
        e.add("capacity", "Give the number of seats as a whole number, or leave it empty for no limit.");
        None
    });
    let id = |field: &str, text: &str, e: &mut FieldErrors| -> Option<Uuid> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        text.parse().map_err(|_| e.add(field, "That is not an id; copy it from the group's console page.")).ok()
    };
    let group_id = id("group_id", &t.group_id, &mut e);
    let conference_id = id("conference_id", &t.conference_id, &mut e);
    let speakers = speakers(&t.speakers, current, &mut e);
    let some = |s: &String| Some(s.clone());
    let input = EventInput {
        kind: some(&t.kind),
        title: some(&t.title),
        description: some(&t.description),
        starts_at: some(&t.starts_at),
        ends_at: some(&t.ends_at),
        time_zone: some(&t.time_zone),
        capacity,
        join_url: some(&t.join_url),
        audience: some(&t.audience),
        recording_url: some(&t.recording_url),
        status: None,
        registration_opens_at: some(&t.opens),
        registration_closes_at: some(&t.closes),
        conference_id,
        track: conference_id.map(|_| t.track.clone()),
        room: some(&t.room),
        awards_ceremony: Some(t.ceremony),
        speakers: Some(speakers),
        conditions: None,
        questions: Some(form::lines(&t.questions)),
        group_id,
    };
    if e.is_empty() { Ok(input) } else { Err(e) }
}

/// The event form's fields with `t` in them and each error beside its field.
pub(super) fn fields(t: &Typed, e: &FieldErrors, conferences: &[(String, String)]) -> String {
    let when = "In the event's own time zone, like 2027-03-28T09:30.";
    let mut out = vec![
        radios("kind", "Kind of event", KINDS, &t.kind, e),
        Field::new("title", "Title", &t.title, Input::Text).required().errors(e).html(),
        Field::new("description", "Description", &t.description, Input::TextArea).hint("Markdown.").errors(e).html(),
        Field::new("time_zone", "Time zone", &t.time_zone, Input::Text)
            .hint("The zone the times below are in, like Europe/London or America/New_York.")
            .required()
            .errors(e)
            .html(),
        Field::new("starts_at", "Starts at", &t.starts_at, Input::Text).hint(when).required().errors(e).html(),
        Field::new("ends_at", "Ends at", &t.ends_at, Input::Text).hint(when).required().errors(e).html(),
        Field::new("capacity", "Seats", &t.capacity, Input::Text)
            .hint("Leave empty for no limit; once full, people join the waitlist.")
            .errors(e)
            .html(),
        radios("audience", "Who may come", AUDIENCES, &t.audience, e),
        Field::new("group_id", "Group id (for a group's event)", &t.group_id, Input::Text).errors(e).html(),
        Field::new("speakers", "Hosts, speakers, panelists and moderator", &t.speakers, Input::TextArea)
            .hint("One a line, as: role | name | bio, where the role is host, speaker, panelist or moderator.")
            .errors(e)
            .html(),
        Field::new("questions", "Questions asked at registration", &t.questions, Input::TextArea)
            .hint("One a line, at most 5, like: Do you need captions?")
            .errors(e)
            .html(),
        Field::new("join_url", "Join link", &t.join_url, Input::Url).errors(e).html(),
        Field::new("recording_url", "Recording link", &t.recording_url, Input::Url).errors(e).html(),
        Field::new("registration_opens_at", "Registration opens at", &t.opens, Input::Text)
            .hint("Optional. In the event's time zone.")
            .errors(e)
            .html(),
        Field::new("registration_closes_at", "Registration closes at", &t.closes, Input::Text)
            .hint("Optional. In the event's time zone.")
            .errors(e)
            .html(),
    ];
    let mut options: Vec<(&str, &str)> = vec![("", "Not part of a conference")];
    options.extend(conferences.iter().map(|(id, name)| (id.as_str(), name.as_str())));
    out.push(radios("conference_id", "Conference", &options, &t.conference_id, e));
    out.push(Field::new("track", "Track (a new name adds a track)", &t.track, Input::Text).errors(e).html());
    out.push(Field::new("room", "Room", &t.room, Input::Text).errors(e).html());
    out.push(checkbox(
        "awards_ceremony",
        "This is the awards ceremony session",
        t.ceremony,
        Some("The session where the Social Health Awards are announced."),
    ));
    out.concat()
}
