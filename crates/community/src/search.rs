//! One search box: members (only fields the viewer may see), groups (those the viewer
//! may know of: never a hidden group's name to outsiders, though staff find every group)
//! and discussions (only in groups the viewer may read), ranked, with highlighted
//! snippets; and, through the learning port, courses, resources and published articles. Both follow [`crate::policy::group_read`].

use kernel::viewer::Viewer;
use kernel::{AppResult, AppState};
use serde::Serialize;
use uuid::Uuid;

use crate::groups::{self, Group};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Results {
    pub members: Vec<contracts::members::MemberCard>,
    pub groups: Vec<Group>,
    pub posts: Vec<PostHit>,
    /// Courses, advocacy resources and published articles (from the learning area).
    pub learning: Vec<contracts::learning::LearningHit>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PostHit {
    /// thread or reply
    pub kind: String,
    pub thread_id: String,
    pub title: String,
    /// Escaped HTML with the matches in `<mark>`.
    pub snippet: String,
    pub url: String,
}

pub async fn search(state: &AppState, viewer: &Viewer, q: &str) -> AppResult<Results> {
    let q = kernel::search::search_text(q)?;
    if q.is_empty() {
        return Ok(Results { members: vec![], groups: vec![], posts: vec![], learning: vec![] });
    }
    let known = groups::list(&state.db, viewer).await?;
    let readable: Vec<Uuid> =
        known.iter().filter(|(g, s)| groups::access(viewer, g, *s).read).map(|(g, _)| g.id).collect();
    let needle = q.to_lowercase();
    let matching_groups = known
        .into_iter()
        .map(|(g, _)| g)
        .filter(|g| g.name.to_lowercase().contains(&needle) || g.description.to_lowercase().contains(&needle))
        .take(10)
        .collect();
    let people = crate::people(state)?.search(&state.db, viewer, q, 10).await?;
    let hits = crate::search_index::query(&state.db, q, &readable, 20).await?;
    let unopened =
        crate::threads::not_yet_open(&state.db, hits.iter().filter_map(|h| h.thread_id.parse().ok())).await?;
    let posts = hits
        .into_iter()
        .filter(|h| !unopened.contains(&h.thread_id))
        .map(|h| PostHit {
            url: if h.kind == "reply" {
                format!("/threads/{}#post-{}", h.thread_id, h.doc_id)
            } else {
                format!("/threads/{}", h.thread_id)
            },
            kind: h.kind,
            thread_id: h.thread_id,
            title: h.title,
            snippet: h.snippet,
        })
        .collect();
    let learning = contracts::learning::search(state, viewer, q, 10).await?;
    Ok(Results { members: people, groups: matching_groups, posts, learning })
}
