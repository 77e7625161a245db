//! Time at the edges: events are scheduled as a local date-time in an IANA zone and
//! stored as UTC instants; people see them in their own zone, with the zone named.

use chrono::{DateTime, Utc};
use jiff::civil::DateTime as CivilDateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};

/// Why a local time could not be placed.
#[derive(Debug, PartialEq, Eq)]
pub enum LocalTimeError {
    BadFormat,
    UnknownZone,
    /// The local time falls in the hour skipped when clocks go forward.
    DoesNotExist,
}

impl LocalTimeError {
    pub fn message(&self) -> &'static str {
        match self {
            LocalTimeError::BadFormat => "Use a local date and time like 2027-03-28T09:30:00.",
            LocalTimeError::UnknownZone => "Use a time zone name like Europe/London or America/Chicago.",
            LocalTimeError::DoesNotExist => {
                "That local time does not exist in this time zone (the clocks go forward then). Choose another time."
            }
        }
    }
}

pub fn zone(name: &str) -> Result<TimeZone, LocalTimeError> {
    TimeZone::get(name.trim()).map_err(|_| LocalTimeError::UnknownZone)
}

/// The instant of a local date-time in `zone_name`. A time that happens twice (clocks
/// go back) is taken as the first; a time that never happens is refused.
pub fn to_instant(local: &str, zone_name: &str) -> Result<DateTime<Utc>, LocalTimeError> {
    let tz = zone(zone_name)?;
    let civil: CivilDateTime = local.trim().parse().map_err(|_| LocalTimeError::BadFormat)?;
    let ambiguous = tz.to_ambiguous_zoned_datetime(civil);
    if matches!(ambiguous.offset(), AmbiguousOffset::Gap { .. }) {
        return Err(LocalTimeError::DoesNotExist);
    }
    let zoned = ambiguous.earlier().map_err(|_| LocalTimeError::DoesNotExist)?;
    let micros = zoned.timestamp().as_microsecond();
    DateTime::from_timestamp_micros(micros).ok_or(LocalTimeError::BadFormat)
}

fn zoned(at: DateTime<Utc>, zone_name: &str) -> Option<jiff::ZonedDateTime> {
    let ts = jiff::Timestamp::from_microsecond(at.timestamp_micros()).ok()?;
    Some(ts.to_zoned_datetime(zone(zone_name).ok()?))
}

/// The instant a local day begins in a zone: its midnight, or its first moment where the
/// zone's clocks skip midnight. `None` for a zone it does not know.
pub fn day_start(day: jiff::civil::Date, zone_name: &str) -> Option<DateTime<Utc>> {
    let zoned = day.to_zoned_datetime(zone(zone_name).ok()?).ok()?;
    DateTime::from_timestamp_micros(zoned.timestamp().as_microsecond())
}

/// The local date-time of an instant in a zone, as `YYYY-MM-DDTHH:MM:SS`.
pub fn local_string(at: DateTime<Utc>, zone_name: &str) -> String {
    zoned(at, zone_name).map(|z| z.datetime().to_string()).unwrap_or_else(|| at.to_rfc3339())
}

/// "Sunday 28 March 2027, 09:30 BST (Europe/London)".
pub fn display(at: DateTime<Utc>, zone_name: &str) -> String {
    match zoned(at, zone_name) {
        Some(z) => format!("{} ({zone_name})", z.strftime("%A %-d %B %Y, %H:%M %Z")),
        None => at.format("%A %-d %B %Y, %H:%M UTC").to_string(),
    }
}

/// "09:30 BST" — the time alone, for an end time on the same day.
pub fn display_time(at: DateTime<Utc>, zone_name: &str) -> String {
    zoned(at, zone_name)
        .map(|z| z.strftime("%H:%M %Z").to_string())
        .unwrap_or_else(|| at.format("%H:%M UTC").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_become_the_right_instant_across_daylight_saving_changes() {
        let cases = [
            // London goes to BST at 01:00 on 28 March 2027: 09:30 that day is 08:30 UTC.
            ("2027-03-28T09:30:00", "Europe/London", "2027-03-28T08:30:00+00:00"),
            ("2027-03-27T09:30:00", "Europe/London", "2027-03-27T09:30:00+00:00"),
            // 01:30 on 31 October 2027 happens twice; the first (BST) is taken.
            ("2027-10-31T01:30:00", "Europe/London", "2027-10-31T00:30:00+00:00"),
            // New York changes on another date (14 March 2027).
            ("2027-03-14T12:00:00", "America/New_York", "2027-03-14T16:00:00+00:00"),
        ];
        for (local, zone, utc) in cases {
            assert_eq!(to_instant(local, zone).unwrap().to_rfc3339(), utc, "{local} in {zone}");
        }
        // 01:30 on 28 March 2027 never happens in London.
        assert_eq!(to_instant("2027-03-28T01:30:00", "Europe/London"), Err(LocalTimeError::DoesNotExist));
        assert_eq!(to_instant("tomorrow", "Europe/London"), Err(LocalTimeError::BadFormat));
        assert_eq!(to_instant("2027-03-28T09:30:00", "Mars/Olympus"), Err(LocalTimeError::UnknownZone));
    }

    #[test]
    fn a_day_begins_at_its_first_moment_even_where_midnight_is_skipped() {
        let day = |s: &str| s.parse::<jiff::civil::Date>().unwrap();
        assert_eq!(day_start(day("2027-06-14"), "Europe/London").unwrap().to_rfc3339(), "2027-06-13T23:00:00+00:00");
        // Havana's clocks went from 00:00 straight to 01:00 (UTC-4) on 10 March 2024.
        assert_eq!(day_start(day("2024-03-10"), "America/Havana").unwrap().to_rfc3339(), "2024-03-10T05:00:00+00:00");
        assert_eq!(day_start(day("2027-06-14"), "Mars/Olympus"), None);
    }

    #[test]
    fn instants_are_shown_in_the_viewers_zone_with_the_zone_named() {
        let at = to_instant("2027-03-28T09:30:00", "Europe/London").unwrap();
        assert_eq!(display(at, "Europe/London"), "Sunday 28 March 2027, 09:30 BST (Europe/London)");
        assert_eq!(display(at, "America/Chicago"), "Sunday 28 March 2027, 03:30 CDT (America/Chicago)");
        assert_eq!(local_string(at, "Asia/Kolkata"), "2027-03-28T14:00:00");
    }
}
