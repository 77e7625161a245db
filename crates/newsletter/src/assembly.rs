//! One member's edition of an issue, assembled only through other slices' ports and as
//! that member: each port answers for the member as viewer, so the edition holds nothing
//! they could not read on the site (a private group's thread never reaches a non-member).

use kernel::ids::MemberId;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use contracts::digest::{self, DigestItem};

use crate::issues::{self, Featured, IssueView};

/// A link in a member's edition, with a short note.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Item {
    pub title: String,
    pub href: String,
    pub note: String,
}

/// What one member receives for an issue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Edition {
    pub issue_id: Uuid,
    pub week: String,
    pub intro: String,
    pub featured: Vec<Featured>,
    /// Latest discussions from the groups the member may read.
    pub highlights: Vec<Item>,
    /// This month's resources and featured articles the member may read.
    pub new_this_month: Vec<Item>,
    /// Open opportunities the member is eligible for and has not applied to.
    pub opportunities: Vec<Item>,
    /// Upcoming events for the member's audience, times in their time zone.
    pub events: Vec<Item>,
    /// The member's points and the rewards they can now afford (absent without rewards).
    pub points: Option<NewsletterPoints>,
}

/// A member's points in their edition.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NewsletterPoints {
    pub balance: i64,
    /// Rewards available now that the balance pays for, cheapest first.
    pub affordable: Vec<Item>,
}

fn items(from: Vec<DigestItem>) -> Vec<Item> {
    from.into_iter().map(|d| Item { title: d.title, href: d.href, note: d.note }).collect()
}

/// The member as a viewer, or 404 when the account cannot act (suspended, deleted, unknown).
async fn viewer_of(state: &AppState, member: MemberId) -> AppResult<Viewer> {
    let loaded = state.viewers.load(&state.db, member).await.map_err(AppError::Internal)?;
    loaded.map(Viewer::Member).ok_or(AppError::NotFound)
}

/// The edition of issue `id` that `member` would receive.
pub async fn edition(state: &AppState, id: Uuid, member: MemberId) -> AppResult<Edition> {
    assemble(state, &issues::get(state, id).await?, member).await
}

/// The edition of an issue already loaded (the send loads it once for every member).
pub async fn assemble(state: &AppState, issue: &IssueView, member: MemberId) -> AppResult<Edition> {
    let issue = issue.clone();
    let viewer = viewer_of(state, member).await?;
    let highlights = digest::items::<digest::Highlights>(state, &viewer, 5).await?;
    let new_this_month = contracts::learning::new_this_month(state, &viewer).await?;
    let opportunities = digest::items::<digest::Opportunities>(state, &viewer, 5).await?;
    let events = digest::items::<digest::Events>(state, &viewer, 5).await?;
    let points = digest::standing(state, member, 3).await?;
    Ok(Edition {
        issue_id: issue.id,
        week: issue.week,
        intro: issue.intro,
        featured: issue.featured,
        highlights: items(highlights),
        new_this_month: new_this_month
            .into_iter()
            .take(10)
            .map(|n| Item { title: n.title, href: n.href, note: n.note })
            .collect(),
        opportunities: items(opportunities),
        events: items(events),
        points: points.map(|p| NewsletterPoints { balance: p.balance, affordable: items(p.affordable) }),
    })
}
