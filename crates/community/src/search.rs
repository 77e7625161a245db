//! One search box: members (only fields the viewer may see), groups (those the viewer
//! may know of: never a hidden group's name to outsiders, though staff find every group)
//! and discussions (only in groups the viewer may read), ranked, with highlighted
//! snippets; and, through the learning port, courses, resources and published articles. Both follow [`crate::policy::group_read`].

use std::collections::HashSet;

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

/// Content tagged with the moment a search is narrowed to.
struct Tagged {
    threads: HashSet<String>,
    learning: HashSet<Uuid>,
}

/// The content tagged with `moment` (three statements), or `None` when no moment was chosen.
async fn tagged(state: &AppState, moment: &str) -> AppResult<Option<Tagged>> {
    let mut sets = Vec::new();
    for kind in ["thread", "resource", "course"] {
        match contracts::moments::moment_filter(state, kind, moment).await? {
            Ok(Some(ids)) => sets.push(ids),
            Ok(None) => return Ok(None),
            Err(m) => return Err(kernel::AppError::field("moment", m)),
        }
    }
    let threads = sets[0].iter().map(Uuid::to_string).collect();
    Ok(Some(Tagged { threads, learning: sets[1..].iter().flatten().copied().collect() }))
}

/// With a moment, only content tagged with it: no people or groups (a moment is never
/// searched on a person), discussions and courses and resources that carry it.
pub async fn search(state: &AppState, viewer: &Viewer, q: &str, moment: &str) -> AppResult<Results> {
    let q = kernel::search::search_text(q)?;
    let only = tagged(state, moment).await?;
    if q.is_empty() {
        return Ok(Results { members: vec![], groups: vec![], posts: vec![], learning: vec![] });
    }
    let mut found = everything(state, viewer, q).await?;
    if let Some(t) = only {
        found.members.clear();
        found.groups.clear();
        found.posts.retain(|p| t.threads.contains(&p.thread_id));
        let id_of = |url: &str| url.rsplit('/').next().and_then(|s| s.parse::<Uuid>().ok());
        found.learning.retain(|h| id_of(&h.url).is_some_and(|id| t.learning.contains(&id)));
    }
    Ok(found)
}

async fn everything(state: &AppState, viewer: &Viewer, q: &str) -> AppResult<Results> {
    let known = groups::list(&state.db, viewer).await?;
    let readable: Vec<Uuid> =
        known.iter().filter(|(g, s)| groups::access(viewer, g, *s).read).map(|(g, _)| g.id).collect();
    let needle = q.to_lowercase();
    let matching_groups = known
        .into_iter()
        .map(|(g, _)| g)
        // An archived group is out of the directory; its discussions stay findable.
        .filter(|g| !g.is_archived())
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
