//! The learning slice's implementation of `contracts::learning::Learning`: each method
//! asks the area that owns the answer.

use contracts::learning::{Learning, LearningHit, NewItem, ShownCredential};
use futures::future::BoxFuture;
use kernel::ids::MemberId;
use kernel::viewer::Viewer;
use kernel::{AppResult, AppState};

pub(crate) struct LearningPort;

impl Learning for LearningPort {
    fn shown_credentials<'a>(
        &'a self,
        state: &'a AppState,
        member: MemberId,
    ) -> BoxFuture<'a, AppResult<Vec<ShownCredential>>> {
        Box::pin(crate::courses::shown_credentials(state, member))
    }

    fn search<'a>(
        &'a self,
        state: &'a AppState,
        viewer: &'a Viewer,
        q: &'a str,
        limit: u64,
    ) -> BoxFuture<'a, AppResult<Vec<LearningHit>>> {
        Box::pin(async move {
            let mut hits = crate::courses::search(state, viewer, q, limit).await?;
            hits.extend(crate::resources::search(state, viewer, q, limit).await?);
            hits.extend(crate::articles::search(state, viewer, q, limit).await?);
            hits.truncate(limit as usize);
            Ok(hits)
        })
    }

    fn new_this_month<'a>(&'a self, state: &'a AppState, viewer: &'a Viewer) -> BoxFuture<'a, AppResult<Vec<NewItem>>> {
        Box::pin(async move {
            let mut items = crate::resources::new_this_month(state, viewer).await?;
            items.extend(crate::articles::featured(state, viewer).await?);
            Ok(items)
        })
    }
}
