//! Calendar files (RFC 5545). Times are written in UTC, which every calendar reads
//! correctly across daylight-saving changes; the event's own zone rides along as
//! X-WR-TIMEZONE. The UID is stable and SEQUENCE grows with each change.

use icalendar::{Calendar, Component, EventLike, EventStatus};
use kernel::AppState;

use crate::service::EventRow;

pub fn calendar(state: &AppState, events: &[EventRow]) -> String {
    let host = state.config.base_url.host_str().unwrap_or("localhost").to_string();
    let mut cal = Calendar::new();
    cal.name("Social Health Network");
    if let Some(first) = events.first() {
        cal.timezone(first.time_zone.as_str());
    }
    for e in events {
        let mut ev = icalendar::Event::new();
        ev.uid(&format!("{}@{host}", e.id))
            .summary(&e.title)
            .description(&kernel::markdown::excerpt(&e.description, 2000))
            .starts(e.starts_at)
            .ends(e.ends_at)
            .sequence(e.sequence.clamp(0, u32::MAX as i64) as u32)
            .url(&state.config.url(&format!("/events/{}", e.id)))
            .status(if e.status == "cancelled" { EventStatus::Cancelled } else { EventStatus::Confirmed });
        cal.push(ev.done());
    }
    cal.done().to_string()
}
