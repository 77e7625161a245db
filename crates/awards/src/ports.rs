//! The awards' implementation of `contracts::awards::Honours`: a member's wins, each
//! from its ceremony's start (the embargo rule in SQL, `policy::winners_public_sql`).

use contracts::awards::{Honour, Honours};
use futures::future::BoxFuture;
use kernel::db;
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppResult, AppState, params};
use uuid::Uuid;

use crate::policy;

pub(crate) struct HonoursPort;

#[derive(Debug, sea_orm::FromQueryResult)]
struct Row {
    year: i64,
    category: String,
    nominee_id: Uuid,
}

/// `member`'s wins that everyone may see now, newest year first.
pub(crate) async fn public_honours(state: &AppState, member: MemberId) -> AppResult<Vec<Honour>> {
    let rows: Vec<Row> = db::all(
        state.db.reader(),
        &format!(
            // From the member's nominations to their wins, by the indexes of each: SQLite
            // keeps a CROSS JOIN's order, where it could otherwise start from a scan of the
            // winners (as it did once plans no longer looked at the values bound).
            "SELECT p.year, c.name AS category, w.nominee_id FROM award_nominees n CROSS JOIN award_winners w \
             JOIN award_categories c ON c.id = w.category_id JOIN award_programmes p ON p.id = c.programme_id \
             WHERE n.member_id = $1 AND w.nominee_id = n.id AND {} \
             ORDER BY p.year DESC, c.position LIMIT 50",
            policy::winners_public_sql(2)
        ),
        params![member, now()],
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Honour {
            title: format!("Winner — Social Health Awards {}", r.year),
            category: r.category,
            url: format!("/nominees/{}", r.nominee_id),
        })
        .collect())
}

impl Honours for HonoursPort {
    fn public_honours<'a>(&'a self, state: &'a AppState, member: MemberId) -> BoxFuture<'a, AppResult<Vec<Honour>>> {
        Box::pin(public_honours(state, member))
    }
}
