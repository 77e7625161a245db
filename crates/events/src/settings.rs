//! The events slice's own settings.

use kernel::AppState;
use kernel::config::ConfigError;
use kernel::slice::{MissingPort, Setting, SliceSettings};

pub(crate) const SETTINGS: &[Setting] = &[Setting {
    var: "SHN_EVENT_JOIN_MINUTES",
    help: "Minutes before an event starts when its join link appears to registered members [default: 15]",
}];

#[derive(Clone, Debug)]
pub(crate) struct EventSettings {
    /// Minutes before an event's start when its join link appears.
    pub join_minutes: i64,
}

impl EventSettings {
    pub fn parse(s: &SliceSettings) -> Result<Self, ConfigError> {
        Ok(EventSettings { join_minutes: s.whole_number("SHN_EVENT_JOIN_MINUTES", 0..=240, "minutes")?.unwrap_or(15) })
    }

    /// Minutes before an event's start when its join link appears.
    pub fn join_minutes(state: &AppState) -> Result<i64, MissingPort> {
        Ok(state.port::<EventSettings>()?.join_minutes)
    }
}
