//! Complimentary Connexion tickets for award finalists: when a member becomes a finalist
//! of a programme whose ceremony is a conference session, they get a ticket to that
//! conference, of the conference's "Complimentary (awards finalist)" type (made on the
//! first one, without a capacity). Exactly once: the outbox delivers the event once, and
//! a member keeps the one ticket per conference they have (bought or given).

use contracts::events::AwardFinalist;
use kernel::db;
use kernel::outbox::Event;
use kernel::params;
use kernel::time::now;
use sea_orm::DatabaseTransaction;
use uuid::Uuid;

/// The name of the ticket type finalists are given.
pub(crate) const COMPLIMENTARY: &str = "Complimentary (Social Health Awards finalist)";

pub(crate) async fn issue(tx: &DatabaseTransaction, _: &Event, e: AwardFinalist) -> anyhow::Result<()> {
    let Some(event) = e.ceremony_event_id else { return Ok(()) };
    let conference: Option<Option<Uuid>> =
        db::scalar(tx, "SELECT conference_id FROM events WHERE id = $1", params![event]).await?;
    let Some(conference) = conference.flatten() else { return Ok(()) };
    let found: Option<Uuid> = db::scalar(
        tx,
        "SELECT id FROM ticket_types WHERE conference_id = $1 AND name = $2",
        params![conference, COMPLIMENTARY],
    )
    .await?;
    let ticket_type = match found {
        Some(t) => t,
        None => {
            let id = Uuid::now_v7();
            let position: i64 = db::scalar(
                tx,
                "SELECT CAST(COUNT(*) AS BIGINT) FROM ticket_types WHERE conference_id = $1",
                params![conference],
            )
            .await?
            .unwrap_or(0);
            db::exec(
                tx,
                "INSERT INTO ticket_types (id, conference_id, name, capacity, position) VALUES ($1, $2, $3, NULL, $4)",
                params![id, conference, COMPLIMENTARY, position],
            )
            .await?;
            id
        }
    };
    db::exec(
        tx,
        "INSERT INTO conference_tickets (conference_id, member_id, ticket_type_id, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (conference_id, member_id) DO NOTHING",
        params![conference, e.member_id, ticket_type, now()],
    )
    .await?;
    Ok(())
}
