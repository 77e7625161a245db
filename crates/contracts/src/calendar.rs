//! What the events area tells others about its events' times: the awards read the
//! ceremony's start through this port. The events slice provides [`EventTimes`];
//! without it no event is known (`None`).

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use kernel::db::Db;
use kernel::{AppResult, AppState};

use crate::ids::EventId;

/// The events slice's read port for event times.
pub trait EventTimes: Send + Sync {
    /// When a scheduled (not cancelled) event starts, or `None` when there is no such event.
    fn starts_at<'a>(&'a self, db: &'a Db, id: EventId) -> BoxFuture<'a, AppResult<Option<DateTime<Utc>>>>;
}

/// When event `id` starts; `None` without such an event or without the events slice.
pub async fn starts_at(state: &AppState, id: EventId) -> AppResult<Option<DateTime<Utc>>> {
    match state.port::<std::sync::Arc<dyn EventTimes>>().ok().cloned() {
        Some(p) => p.starts_at(&state.db, id).await,
        None => Ok(None),
    }
}
