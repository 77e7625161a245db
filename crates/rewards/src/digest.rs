//! The newsletter's points part (`contracts::digest::Points`): each member's balance and
//! the rewards it now pays for (available now, in stock, cost within the balance).

use contracts::digest::{DigestItem, Points, Standing};
use futures::future::BoxFuture;
use kernel::ids::MemberId;
use kernel::{AppResult, AppState};

pub(crate) struct ForNewsletter;

impl Points for ForNewsletter {
    fn standings<'a>(
        &'a self,
        state: &'a AppState,
        members: &'a [MemberId],
        limit: u64,
    ) -> BoxFuture<'a, AppResult<Vec<Standing>>> {
        Box::pin(async move {
            let balances = crate::ledger::balances(&state.db, members).await?;
            let in_stock: Vec<_> = crate::catalogue::available(&state.db)
                .await?
                .into_iter()
                .filter(|r| r.stock.is_none_or(|s| s > 0))
                .collect();
            Ok(members
                .iter()
                .map(|m| {
                    let balance = balances.get(m).copied().unwrap_or(0);
                    let affordable = in_stock
                        .iter()
                        .filter(|r| r.cost <= balance)
                        .take(limit as usize)
                        .map(|r| DigestItem {
                            href: "/rewards".into(),
                            note: format!("{} points", r.cost),
                            title: r.name.clone(),
                        })
                        .collect();
                    Standing { balance, affordable }
                })
                .collect())
        })
    }
}
