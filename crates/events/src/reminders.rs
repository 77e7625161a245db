//! Reminders a day and an hour before each event. A scheduled job looks for
//! registrations entering each window and queues one e-mail per (member, event,
//! window, version of the event's time): the mail queue's unique key makes it exactly
//! once however many workers run, and people who cancelled are not reminded.

use chrono::Duration as ChronoDuration;
use contracts::members::directory as people;
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppState, params};
use uuid::Uuid;

use crate::service::{COLUMNS, EventRow};
use crate::time;

/// Queues the reminders that are due (scheduled every five minutes).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct QueueReminders {}

impl kernel::jobs::Job for QueueReminders {
    const KIND: &'static str = "events.reminders";

    async fn run(self, state: AppState) -> anyhow::Result<()> {
        let n = queue_due(&state).await?;
        if n > 0 {
            tracing::info!(reminders = n, "queued event reminders");
        }
        Ok(())
    }
}

/// (name in the key, hours before, words for the subject)
const WINDOWS: &[(&str, i64, &str)] = &[("24h", 24, "within a day"), ("1h", 1, "within the hour")];

#[derive(sea_orm::FromQueryResult)]
struct Due {
    event_id: Uuid,
    member_id: MemberId,
}

/// Queues every reminder that is due now; returns how many were queued.
pub async fn queue_due(state: &AppState) -> anyhow::Result<usize> {
    let t = now();
    let mut queued = 0;
    for (name, hours, words) in WINDOWS {
        // The later window's start bounds the earlier one, so a registration made 30
        // minutes before the start gets the hour reminder, not a late day reminder.
        let lower = WINDOWS.iter().map(|(_, h, _)| *h).filter(|h| h < hours).max().unwrap_or(0);
        let due: Vec<Due> = state
            .db
            .all(
                "SELECT r.event_id, r.member_id FROM registrations r JOIN events e ON e.id = r.event_id \
                 WHERE r.status = 'registered' AND e.status = 'scheduled' AND e.starts_at > $1 AND e.starts_at <= $2",
                params![t + ChronoDuration::hours(lower), t + ChronoDuration::hours(*hours)],
            )
            .await?;
        for d in due {
            let event: Option<EventRow> =
                state.db.one(&format!("SELECT {COLUMNS} FROM events WHERE id = $1"), params![d.event_id]).await?;
            let Some(event) = event else { continue };
            let zone = people(state)?
                .time_zone_of((&state.db).into(), d.member_id)
                .await?
                .unwrap_or_else(|| event.time_zone.clone());
            let tx = state.db.begin().await?;
            // Still registered at the moment of queueing (a cancellation may have raced).
            let still: Option<String> = kernel::db::scalar(
                &tx,
                "SELECT status FROM registrations WHERE event_id = $1 AND member_id = $2",
                params![d.event_id, d.member_id],
            )
            .await?;
            if still.as_deref() == Some("registered")
                && let Some(to) = people(state)?.contact_email((&tx).into(), d.member_id).await?
            {
                let text = format!(
                    "Hello,\n\nA reminder: {} starts {words}, {}.\n\nThe join link appears on the event page shortly before the start: {}\n\nCan't make it? Cancel there so someone on the waitlist can have your seat.\n",
                    event.title,
                    time::display(event.starts_at, &zone),
                    state.config.url(&format!("/events/{}", event.id)),
                );
                let purpose = format!("event-reminder-{name}:{}:{}", event.id, event.sequence);
                let email = kernel::mail::Email {
                    to,
                    subject: format!("Reminder: {} starts {words}", event.title),
                    text,
                    html: None,
                    unsubscribe_url: None,
                    attachments: vec![],
                };
                if kernel::mail::queue(&tx, &purpose, email).await? {
                    queued += 1;
                }
            }
            tx.commit().await?;
        }
    }
    Ok(queued)
}
