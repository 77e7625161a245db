//! Time: UTC instants in storage, time zones only at the edges.

use chrono::{DateTime, Utc};

pub type Instant = DateTime<Utc>;

/// Now, truncated to whole microseconds so that what we write is exactly what we read
/// back on both backends (PostgreSQL keeps microseconds; SQLite keeps our text).
pub fn now() -> Instant {
    let now = Utc::now();
    let micros = now.timestamp_micros();
    DateTime::from_timestamp_micros(micros).unwrap_or(now)
}
