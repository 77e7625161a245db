//! The rewards slice's side of `contracts::home`: a member's points and the next reward
//! within reach, for the home page.

use contracts::home::{MyPoints, Points};
use futures::future::BoxFuture;
use kernel::viewer::Viewer;
use kernel::{AppResult, AppState};

pub(crate) struct HomePoints;

/// The balance beside each reward on offer now and in stock, cheapest first: one
/// statement, a row with no reward when none is on offer.
#[derive(sea_orm::FromQueryResult)]
struct WithinReach {
    balance: i64,
    name: Option<String>,
    cost: Option<i64>,
}

impl Points for HomePoints {
    fn mine<'a>(&'a self, state: &'a AppState, viewer: &'a Viewer) -> BoxFuture<'a, AppResult<Option<MyPoints>>> {
        Box::pin(async move {
            let Some(me) = viewer.id() else { return Ok(None) };
            let rows: Vec<WithinReach> = state
                .db
                .all(
                    &format!(
                        "SELECT b.balance, r.name, r.cost FROM \
                         (SELECT COALESCE((SELECT balance FROM points_accounts WHERE member_id = $1), 0) AS balance) b \
                         LEFT JOIN rewards r ON {} AND (r.stock IS NULL OR r.stock > 0) ORDER BY r.cost, r.id",
                        crate::catalogue::available_sql("r", "$2")
                    ),
                    kernel::params![me, kernel::time::now()],
                )
                .await?;
            let balance = rows.first().map_or(0, |r| r.balance);
            let on_offer: Vec<(String, i64)> = rows.into_iter().filter_map(|r| Some((r.name?, r.cost?))).collect();
            let affordable = on_offer.iter().filter(|(_, cost)| *cost <= balance).count() as i64;
            // Cheapest first: the first one the balance does not reach is the next.
            let next_reward = on_offer
                .into_iter()
                .find(|(_, cost)| *cost > balance)
                .map(|(name, cost)| (name, "/rewards".into(), cost - balance));
            Ok(Some(MyPoints { balance, next_reward, affordable }))
        })
    }
}
