//! The newsletter's own settings: how fast and how wide the weekly issue is sent.

use kernel::config::ConfigError;
use kernel::slice::{Setting, SliceSettings};

pub(crate) const SETTINGS: &[Setting] = &[
    Setting {
        var: "SHN_NEWSLETTER_RATE",
        help: "Most newsletter messages sent per second, 0 for no limit [default: 2000]",
    },
    Setting {
        var: "SHN_NEWSLETTER_CONNECTIONS",
        help: "SMTP connections the newsletter sends over at once (1 to 64) [default: 8]",
    },
];

#[derive(Clone, Debug)]
pub(crate) struct DeliverySettings {
    /// Messages per second; 0 for no limit.
    pub rate: u32,
    /// Concurrent SMTP connections (lanes).
    pub connections: usize,
}

impl DeliverySettings {
    pub fn parse(s: &SliceSettings) -> Result<Self, ConfigError> {
        Ok(DeliverySettings {
            rate: s.whole_number("SHN_NEWSLETTER_RATE", 0..=100_000, "messages per second")?.unwrap_or(2000) as u32,
            connections: s.whole_number("SHN_NEWSLETTER_CONNECTIONS", 1..=64, "connections")?.unwrap_or(8) as usize,
        })
    }
}
