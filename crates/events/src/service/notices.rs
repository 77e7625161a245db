//! The e-mails an event sends (registration, waitlist, a seat freed, a change of time
//! or a cancellation), each with the event's calendar file attached.

use contracts::members::directory as people;
use kernel::db::Tx;
use kernel::ids::MemberId;
use kernel::mail::{self, Attachment, Email};
use kernel::{AppResult, AppState};

use super::EventRow;

/// E-mails a member about an event, with its calendar file attached; at most once per
/// (member, purpose).
pub(super) async fn notify(
    state: &AppState,
    tx: &Tx,
    member: MemberId,
    event: &EventRow,
    purpose: &str,
    subject: &str,
    text: String,
) -> AppResult<()> {
    let Some(to) = people(state)?.contact_email(tx.into(), member).await? else { return Ok(()) };
    let link = state.config.url(&format!("/events/{}", event.id));
    mail::queue(
        tx,
        purpose,
        Email {
            to,
            subject: subject.to_string(),
            text: format!("{text}\nEvent page: {link}\n"),
            html: None,
            unsubscribe_url: None,
            attachments: vec![Attachment {
                filename: "event.ics".into(),
                content_type: "text/calendar; charset=utf-8; method=PUBLISH".into(),
                body: crate::ics::calendar(state, std::slice::from_ref(event)),
            }],
        },
    )
    .await?;
    Ok(())
}
