//! What the events slice holds about a member: their part of the data export, and
//! erasure when the account is deleted.

use futures::future::BoxFuture;
use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::params;
use sea_orm::DatabaseTransaction;
use serde::Serialize;
use uuid::Uuid;

pub struct EventsExport;

#[derive(Serialize, sea_orm::FromQueryResult)]
struct Registration {
    event_id: Uuid,
    title: String,
    status: String,
    answers: String,
    attended_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Serialize, sea_orm::FromQueryResult)]
struct Asked {
    event_id: Uuid,
    body: String,
    created_at: chrono::DateTime<chrono::Utc>,
}

impl kernel::state::Exporter for EventsExport {
    fn section(&self) -> &'static str {
        "events"
    }

    fn export<'a>(&'a self, db: &'a Db, member: MemberId) -> BoxFuture<'a, anyhow::Result<serde_json::Value>> {
        Box::pin(async move {
            let registrations: Vec<Registration> = db
                .all(
                    "SELECT r.event_id, e.title, r.status, r.answers, r.attended_at FROM registrations r JOIN events e ON e.id = r.event_id \
                     WHERE r.member_id = $1 ORDER BY e.starts_at",
                    params![member],
                )
                .await?;
            let questions: Vec<Asked> = db
                .all(
                    "SELECT event_id, body, created_at FROM panel_questions WHERE member_id = $1 ORDER BY created_at",
                    params![member],
                )
                .await?;
            #[derive(Serialize, sea_orm::FromQueryResult)]
            struct Pick {
                event_id: Uuid,
            }
            let agenda: Vec<Pick> =
                db.all("SELECT event_id FROM agenda_picks WHERE member_id = $1", params![member]).await?;
            let feed: i64 = db
                .scalar("SELECT COUNT(*) FROM calendar_feeds WHERE member_id = $1", params![member])
                .await?
                .unwrap_or(0);
            Ok(serde_json::json!({
                "registrations": registrations,
                "panel_questions": questions,
                "agenda": agenda,
                "calendar_feed": feed > 0,
            }))
        })
    }
}

/// Erases a deleted member's personal data from events: answers, questions, agenda
/// picks and calendar feed go; registrations stay as nameless counts.
/// Erases a deleted member from this slice (`MemberDeleted`, consumed as
/// "events-erasure").
pub(crate) async fn erase(tx: &DatabaseTransaction, member: MemberId) -> anyhow::Result<()> {
    db::exec(tx, "UPDATE registrations SET answers = '[]' WHERE member_id = $1", params![member]).await?;
    for sql in [
        "DELETE FROM panel_questions WHERE member_id = $1",
        "DELETE FROM agenda_picks WHERE member_id = $1",
        "DELETE FROM calendar_feeds WHERE member_id = $1",
        "DELETE FROM conference_tickets WHERE member_id = $1",
    ] {
        db::exec(tx, sql, params![member]).await?;
    }
    Ok(())
}
