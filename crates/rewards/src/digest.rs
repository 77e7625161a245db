//! The newsletter's points part (`contracts::digest::Points`): a member's balance and
//! the rewards it now pays for (available now, in stock, cost within the balance).

use contracts::digest::{DigestItem, Points, Standing};
use futures::future::BoxFuture;
use kernel::ids::MemberId;
use kernel::{AppResult, AppState};

pub(crate) struct ForNewsletter;

impl Points for ForNewsletter {
    fn standing<'a>(&'a self, state: &'a AppState, member: MemberId, limit: u64) -> BoxFuture<'a, AppResult<Standing>> {
        Box::pin(async move {
            let balance = crate::ledger::balance(&state.db, member).await?;
            let affordable = crate::catalogue::available(&state.db)
                .await?
                .into_iter()
                .filter(|r| r.cost <= balance && r.stock.is_none_or(|s| s > 0))
                .take(limit as usize)
                .map(|r| DigestItem { href: "/rewards".into(), note: format!("{} points", r.cost), title: r.name })
                .collect();
            Ok(Standing { balance, affordable })
        })
    }
}
