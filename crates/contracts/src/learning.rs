//! What the learning area (courses, advocacy resources, articles) offers other slices:
//! the credentials a member chose to show on their profile, learning content a search
//! finds, and what is new this month for the home page. The learning slice provides
//! [`Learning`]; without it every answer is empty.

use futures::future::BoxFuture;
use kernel::ids::MemberId;
use kernel::viewer::Viewer;
use kernel::{AppResult, AppState};
use serde::Serialize;

/// A credential as a profile shows it: the course it came from and the public page
/// that verifies it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ShownCredential {
    /// The course's title.
    pub title: String,
    /// The certificate's public verification page (`/certificates/{code}`).
    pub url: String,
    /// When the course was completed (RFC 3339).
    pub awarded_at: chrono::DateTime<chrono::Utc>,
}

/// One learning item a search found: a course, a resource or a published article.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LearningHit {
    /// `course`, `resource` or `article`.
    pub kind: String,
    pub title: String,
    /// A short plain-text summary.
    pub summary: String,
    pub url: String,
}

/// A link the home page lists under "New this month" (the home page's kind of line).
pub type NewItem = crate::home::FeedItem;

/// The learning slice's read port.
pub trait Learning: Send + Sync {
    /// The credentials `member` chose to show on their profile.
    fn shown_credentials<'a>(
        &'a self,
        state: &'a AppState,
        member: MemberId,
    ) -> BoxFuture<'a, AppResult<Vec<ShownCredential>>>;

    /// Courses, resources and published articles matching `q` that `viewer` may open.
    fn search<'a>(
        &'a self,
        state: &'a AppState,
        viewer: &'a Viewer,
        q: &'a str,
        limit: u64,
    ) -> BoxFuture<'a, AppResult<Vec<LearningHit>>>;

    /// This month's resources and featured articles, for the home page.
    fn new_this_month<'a>(&'a self, state: &'a AppState, viewer: &'a Viewer) -> BoxFuture<'a, AppResult<Vec<NewItem>>>;

    /// [`Learning::new_this_month`] for each of `viewers`, in their order (a newsletter
    /// batch): the month's items read once, each viewer's share chosen by the access rule.
    fn new_this_month_for_each<'a>(
        &'a self,
        state: &'a AppState,
        viewers: &'a [Viewer],
    ) -> BoxFuture<'a, AppResult<Vec<Vec<NewItem>>>>;
}

fn port(state: &AppState) -> Option<std::sync::Arc<dyn Learning>> {
    state.port::<std::sync::Arc<dyn Learning>>().ok().cloned()
}

/// The credentials `member` shows on their profile; none without the learning slice.
pub async fn shown_credentials(state: &AppState, member: MemberId) -> AppResult<Vec<ShownCredential>> {
    match port(state) {
        Some(p) => p.shown_credentials(state, member).await,
        None => Ok(vec![]),
    }
}

/// Learning content matching `q` for `viewer`; none without the learning slice.
pub async fn search(state: &AppState, viewer: &Viewer, q: &str, limit: u64) -> AppResult<Vec<LearningHit>> {
    match port(state) {
        Some(p) => p.search(state, viewer, q, limit).await,
        None => Ok(vec![]),
    }
}

/// What is new this month; nothing without the learning slice.
pub async fn new_this_month(state: &AppState, viewer: &Viewer) -> AppResult<Vec<NewItem>> {
    match port(state) {
        Some(p) => p.new_this_month(state, viewer).await,
        None => Ok(vec![]),
    }
}

/// What is new this month for each of `viewers`; nothing without the learning slice.
pub async fn new_this_month_for_each(state: &AppState, viewers: &[Viewer]) -> AppResult<Vec<Vec<NewItem>>> {
    match port(state) {
        Some(p) => p.new_this_month_for_each(state, viewers).await,
        None => Ok(vec![vec![]; viewers.len()]),
    }
}
