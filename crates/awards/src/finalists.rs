//! Finalists: when the endorsements close, the top N accepted nominees of each category
//! by endorsements become finalists (ties: the earlier nominee first); staff may add
//! more. Each new finalist who is a member hears of it through `AwardFinalist`.

use contracts::events::AwardFinalist;
use contracts::ids::EventId;
use kernel::db;
use kernel::ids::MemberId;
use kernel::{AppError, AppResult, AppState, audit, outbox, params};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::programmes::{self, ProgrammeRow};

#[derive(Debug, sea_orm::FromQueryResult)]
struct Drawn {
    id: Uuid,
    member_id: Option<MemberId>,
}

/// Marks the top nominees of every category of `p` as finalists, in the caller's transaction.
pub async fn draw<C: ConnectionTrait>(c: &C, p: &ProgrammeRow) -> AppResult<()> {
    for category in programmes::categories(c, p.id).await? {
        let top: Vec<Drawn> = db::all(
            c,
            "SELECT n.id, n.member_id FROM award_nominees n LEFT JOIN award_endorsements e ON e.nominee_id = n.id \
             WHERE n.category_id = $1 AND n.status = 'accepted' \
             GROUP BY n.id, n.member_id, n.created_at ORDER BY COUNT(e.member_id) DESC, n.created_at, n.id LIMIT $2",
            params![category.id, p.finalists_per_category],
        )
        .await?;
        for n in top {
            make_finalist(c, n.id, n.member_id, p.ceremony_event_id).await?;
        }
    }
    Ok(())
}

async fn make_finalist<C: ConnectionTrait>(
    c: &C,
    id: Uuid,
    member: Option<MemberId>,
    ceremony_event_id: Option<EventId>,
) -> AppResult<bool> {
    let changed =
        db::exec(c, "UPDATE award_nominees SET finalist = TRUE WHERE id = $1 AND finalist = FALSE", params![id])
            .await?;
    if let (1, Some(member_id)) = (changed, member) {
        outbox::publish(c, None, &AwardFinalist { member_id, ceremony_event_id }).await?;
    }
    Ok(changed == 1)
}

/// Staff add an accepted nominee of `year` as a finalist (audited); 404 for any other.
pub async fn add(state: &AppState, actor: MemberId, year: i64, nominee: Uuid, ip: &str) -> AppResult<()> {
    let p = programmes::by_year(state.db.reader(), year).await?;
    let tx = state.db.begin().await?;
    let member: Option<Option<MemberId>> = db::scalar(
        &tx,
        "SELECT n.member_id FROM award_nominees n JOIN award_categories c ON c.id = n.category_id \
         WHERE n.id = $1 AND c.programme_id = $2 AND n.status = 'accepted'",
        params![nominee, p.id],
    )
    .await?;
    let Some(member) = member else { return Err(AppError::NotFound) };
    if make_finalist(&tx, nominee, member, p.ceremony_event_id).await? {
        let detail = serde_json::json!({"nominee": nominee, "year": year});
        audit::record(&tx, Some(actor), "award_finalist_added", member, Some(ip), detail).await?;
    }
    tx.commit().await?;
    Ok(())
}
