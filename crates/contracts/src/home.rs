//! What the home page shows a signed-in member from the areas they take part in.

use futures::future::BoxFuture;
use kernel::viewer::Viewer;
use kernel::{AppResult, AppState};

/// One line of the home feed: a link with a short note after it.
#[derive(Debug, Clone)]
pub struct FeedItem {
    pub href: String,
    pub title: String,
    pub note: String,
}

/// The member's home feed, provided by the community slice.
pub trait HomeFeed: Send + Sync {
    fn latest<'a>(
        &'a self,
        state: &'a AppState,
        viewer: &'a Viewer,
        limit: u64,
    ) -> BoxFuture<'a, AppResult<Vec<FeedItem>>>;
}

/// The home feed for `viewer`; empty when no slice provides one.
pub async fn latest(state: &AppState, viewer: &Viewer, limit: u64) -> AppResult<Vec<FeedItem>> {
    match state.port::<std::sync::Arc<dyn HomeFeed>>() {
        Ok(feed) => feed.latest(state, viewer, limit).await,
        Err(_) => Ok(vec![]),
    }
}

/// What a member must be told on their next visit (a newsletter that could not be
/// delivered), provided by the newsletter slice; each notice is shown once.
pub trait HomeNotices: Send + Sync {
    fn take<'a>(&'a self, state: &'a AppState, viewer: &'a Viewer) -> BoxFuture<'a, AppResult<Vec<String>>>;
}

/// The notices for `viewer` (plain text), taken: shown now, not again.
pub async fn take_notices(state: &AppState, viewer: &Viewer) -> AppResult<Vec<String>> {
    match state.port::<std::sync::Arc<dyn HomeNotices>>() {
        Ok(n) => n.take(state, viewer).await,
        Err(_) => Ok(vec![]),
    }
}
