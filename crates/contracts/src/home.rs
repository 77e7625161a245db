//! What the home page shows a signed-in member from the areas they take part in.

use futures::future::BoxFuture;
use kernel::viewer::Viewer;
use kernel::{AppResult, AppState};

/// One line of a list of links on the home page or in the newsletter: a link with a
/// short note after it (the feed, upcoming events, new this month, a newsletter part).
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// The events a member is registered for and may still see that have not ended,
/// soonest first (each a link, its note saying when), provided by the events slice.
pub trait MyEvents: Send + Sync {
    fn upcoming<'a>(
        &'a self,
        state: &'a AppState,
        viewer: &'a Viewer,
        limit: u64,
    ) -> BoxFuture<'a, AppResult<Vec<FeedItem>>>;
}

/// A member's points and the cheapest reward on offer they cannot yet afford (the
/// next one within reach), provided by the rewards slice.
#[derive(Debug, Clone, Default)]
pub struct MyPoints {
    pub balance: i64,
    /// The next reward: its name, its page and the points still missing.
    pub next_reward: Option<(String, String, i64)>,
    /// How many rewards on offer the balance already pays for.
    pub affordable: i64,
}

pub trait Points: Send + Sync {
    fn mine<'a>(&'a self, state: &'a AppState, viewer: &'a Viewer) -> BoxFuture<'a, AppResult<Option<MyPoints>>>;
}

/// `viewer`'s upcoming registered events; none without the events slice.
pub async fn upcoming_events(state: &AppState, viewer: &Viewer, limit: u64) -> AppResult<Vec<FeedItem>> {
    match state.port::<std::sync::Arc<dyn MyEvents>>() {
        Ok(p) => p.upcoming(state, viewer, limit).await,
        Err(_) => Ok(vec![]),
    }
}

/// `viewer`'s points; none without the rewards slice or for a visitor.
pub async fn my_points(state: &AppState, viewer: &Viewer) -> AppResult<Option<MyPoints>> {
    match state.port::<std::sync::Arc<dyn Points>>() {
        Ok(p) => p.mine(state, viewer).await,
        Err(_) => Ok(None),
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
