//! Scheduling an issue: the editor picks when it goes out. The time must be in the
//! future (and within a year); a draft or an already scheduled issue may be (re)scheduled,
//! one being sent or sent may not. The send job reads `status = 'scheduled'` and
//! `send_at`.

use chrono::{DateTime, Duration, Utc};
use kernel::{AppError, AppResult, AppState, params};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::issues::{self, IssueView};

/// When to send an issue: `{send_at}`, an RFC 3339 time in the future.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewsletterSchedule {
    /// RFC 3339, e.g. `2026-12-07T08:00:00Z`; in the future and within a year.
    pub send_at: String,
}

/// Reads `send_at` as a time after `now` and within a year of it.
pub fn parse_send_at(text: &str, now: DateTime<Utc>) -> AppResult<DateTime<Utc>> {
    let at = DateTime::parse_from_rfc3339(text.trim())
        .map_err(|_| AppError::field("send_at", "Give the time as RFC 3339, for example 2026-12-07T08:00:00Z."))?
        .with_timezone(&Utc);
    if at <= now {
        return Err(AppError::field("send_at", "Choose a time in the future."));
    }
    if at > now + Duration::days(366) {
        return Err(AppError::field("send_at", "Choose a time within the next year."));
    }
    Ok(at)
}

/// Schedules issue `id` for `at`: 404 for no such issue, 409 once it is being sent.
pub async fn schedule(state: &AppState, id: Uuid, at: DateTime<Utc>) -> AppResult<IssueView> {
    issues::get(state, id).await?;
    let changed = state
        .db
        .exec(
            "UPDATE newsletter_issues SET status = 'scheduled', send_at = $1, updated_at = $2 \
             WHERE id = $3 AND status IN ('draft', 'scheduled')",
            params![at, kernel::time::now(), id],
        )
        .await?;
    if changed == 0 {
        return Err(AppError::conflict("not_schedulable", "This issue is being sent or was sent already."));
    }
    issues::get(state, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_future_rfc3339_time_within_a_year_is_accepted() {
        let now = "2026-12-01T12:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert!(parse_send_at("2026-12-07T08:00:00Z", now).is_ok());
        assert!(parse_send_at("2026-12-07T09:00:00+01:00", now).is_ok());
        for bad in ["2026-12-01T12:00:00Z", "2026-11-30T08:00:00Z", "2028-01-01T00:00:00Z", "next monday", ""] {
            assert!(parse_send_at(bad, now).is_err(), "{bad}");
        }
    }
}
