//! Erasure: when a member is deleted, what they wrote and chose here goes — their
//! nominations (the statements), endorsements, votes and conflict declarations — and a
//! nominee who was them keeps its place in the history (a winner stays a winner) under
//! a placeholder name, with no link to the account.

use kernel::db;
use kernel::ids::MemberId;
use kernel::params;
use sea_orm::DatabaseTransaction;
use uuid::Uuid;

pub async fn erase(tx: &DatabaseTransaction, member: MemberId) -> anyhow::Result<()> {
    for sql in [
        "DELETE FROM award_nominations WHERE nominator_id = $1",
        "DELETE FROM award_endorsements WHERE member_id = $1",
        "DELETE FROM award_votes WHERE member_id = $1",
        "DELETE FROM award_scores WHERE assignment_id IN (SELECT id FROM award_assignments WHERE judge_id = $1)",
        "DELETE FROM award_assignments WHERE judge_id = $1",
        "DELETE FROM award_conflicts WHERE judge_id = $1",
    ] {
        db::exec(tx, sql, params![member]).await?;
    }
    let nominees: Vec<Uuid> =
        db::column(tx, "SELECT id FROM award_nominees WHERE member_id = $1", params![member]).await?;
    for id in nominees {
        db::exec(
            tx,
            "UPDATE award_nominees SET member_id = NULL, person_key = $1, invite_name = 'A former member', invite_email = NULL \
             WHERE id = $2",
            params![format!("erased:{id}"), id],
        )
        .await?;
    }
    Ok(())
}

/// The member's part of "download my data": the nominations they made, their
/// endorsements and votes, and the nominations of them (status only: what others wrote
/// about them is the nominators' own).
pub struct AwardsExport;

#[derive(serde::Serialize, sea_orm::FromQueryResult)]
struct Made {
    nominee_id: Uuid,
    statement: String,
    links: String,
    created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(serde::Serialize, sea_orm::FromQueryResult)]
struct Endorsed {
    nominee_id: Uuid,
    created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(serde::Serialize, sea_orm::FromQueryResult)]
struct Voted {
    category_id: Uuid,
    nominee_id: Uuid,
    created_at: chrono::DateTime<chrono::Utc>,
    voided_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(serde::Serialize, sea_orm::FromQueryResult)]
struct Nominee {
    id: Uuid,
    category_id: Uuid,
    status: String,
    finalist: bool,
}

impl kernel::state::Exporter for AwardsExport {
    fn section(&self) -> &'static str {
        "awards"
    }

    fn export<'a>(
        &'a self,
        db: &'a kernel::db::Db,
        member: MemberId,
    ) -> futures::future::BoxFuture<'a, anyhow::Result<serde_json::Value>> {
        Box::pin(async move {
            let nominations: Vec<Made> = db
                .all(
                    "SELECT nominee_id, statement, links, created_at FROM award_nominations WHERE nominator_id = $1 ORDER BY created_at",
                    params![member],
                )
                .await?;
            let endorsements: Vec<Endorsed> = db
                .all(
                    "SELECT nominee_id, created_at FROM award_endorsements WHERE member_id = $1 ORDER BY created_at",
                    params![member],
                )
                .await?;
            let votes: Vec<Voted> = db
                .all(
                    "SELECT category_id, nominee_id, created_at, voided_at FROM award_votes WHERE member_id = $1 ORDER BY created_at",
                    params![member],
                )
                .await?;
            let nominated: Vec<Nominee> = db
                .all(
                    "SELECT id, category_id, status, finalist FROM award_nominees WHERE member_id = $1 ORDER BY created_at",
                    params![member],
                )
                .await?;
            Ok(serde_json::json!({
                "nominations": nominations, "endorsements": endorsements, "votes": votes, "nominated": nominated,
            }))
        })
    }
}
