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
