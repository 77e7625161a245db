//! The rewards slice's side of `contracts::home`: a member's points and the next reward
//! within reach, for the home page.

use contracts::home::{MyPoints, Points};
use futures::future::BoxFuture;
use kernel::viewer::Viewer;
use kernel::{AppResult, AppState};

pub(crate) struct HomePoints;

impl Points for HomePoints {
    fn mine<'a>(&'a self, state: &'a AppState, viewer: &'a Viewer) -> BoxFuture<'a, AppResult<Option<MyPoints>>> {
        Box::pin(async move {
            let Some(me) = viewer.id() else { return Ok(None) };
            let balance = crate::ledger::balance(&state.db, me).await?;
            let on_offer: Vec<_> = crate::catalogue::available(&state.db)
                .await?
                .into_iter()
                .filter(|r| r.stock.is_none_or(|s| s > 0))
                .collect();
            let affordable = on_offer.iter().filter(|r| r.cost <= balance).count() as i64;
            // Cheapest first: the first one the balance does not reach is the next.
            let next_reward = on_offer
                .iter()
                .find(|r| r.cost > balance)
                .map(|r| (r.name.clone(), "/rewards".to_string(), r.cost - balance));
            Ok(Some(MyPoints { balance, next_reward, affordable }))
        })
    }
}
