//! The hall of fame: every winner of every programme whose ceremony has started, by
//! year (newest first) and category — filtered in SQL by the embargo rule
//! (`policy::winners_public_sql`), so a locked winner is absent until the ceremony.

use kernel::db;
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppResult, AppState, params};
use uuid::Uuid;

use crate::policy;

#[derive(Debug, sea_orm::FromQueryResult)]
struct Row {
    year: i64,
    category: String,
    nominee_id: Uuid,
    member_id: Option<MemberId>,
    invite_name: Option<String>,
}

pub struct Entry {
    pub year: i64,
    pub category: String,
    pub nominee_id: Uuid,
    pub name: String,
}

/// Public winners, newest year first (at most 500).
pub async fn entries(state: &AppState) -> AppResult<Vec<Entry>> {
    let rows: Vec<Row> = db::all(
        state.db.reader(),
        &format!(
            "SELECT p.year, c.name AS category, w.nominee_id, n.member_id, n.invite_name FROM award_winners w \
             JOIN award_categories c ON c.id = w.category_id JOIN award_programmes p ON p.id = c.programme_id \
             JOIN award_nominees n ON n.id = w.nominee_id WHERE {} ORDER BY p.year DESC, c.position LIMIT 500",
            policy::winners_public_sql(1)
        ),
        params![now()],
    )
    .await?;
    let ids: Vec<MemberId> = rows.iter().filter_map(|r| r.member_id).collect();
    let names = if ids.is_empty() {
        Default::default()
    } else {
        contracts::members::directory(state)?.display_names(state.db.reader().into(), &ids).await?
    };
    Ok(rows
        .into_iter()
        .map(|r| Entry {
            name: match r.member_id {
                Some(m) => names.get(&m).cloned().unwrap_or_else(|| "A member".into()),
                None => r.invite_name.unwrap_or_default(),
            },
            year: r.year,
            category: r.category,
            nominee_id: r.nominee_id,
        })
        .collect())
}
