//! One member's edition of an issue, assembled only through other slices' ports and as
//! that member: each port answers for the member as viewer, so the edition holds nothing
//! they could not read on the site (a private group's thread never reaches a non-member).

use std::collections::HashMap;

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

/// The edition of issue `id` that `member` would receive (404 when the account cannot
/// act: suspended, deleted, unknown).
pub async fn edition(state: &AppState, id: Uuid, member: MemberId) -> AppResult<Edition> {
    let issue = issues::get(state, id).await?;
    assemble_each(state, &issue, &[member]).await?.pop().flatten().ok_or(AppError::NotFound)
}

/// The editions of an issue already loaded (the send loads it once) for each of
/// `members`, in their order; `None` for one whose account cannot act now. Each part is
/// read for the whole batch at once, each member's share by the owning slice's rule.
pub async fn assemble_each(
    state: &AppState,
    issue: &IssueView,
    members: &[MemberId],
) -> AppResult<Vec<Option<Edition>>> {
    let mut found = state.viewers.load_many(&state.db, members).await.map_err(AppError::Internal)?;
    let (ids, viewers): (Vec<MemberId>, Vec<Viewer>) =
        members.iter().filter_map(|m| found.remove(m).map(|v| (*m, Viewer::Member(v)))).unzip();
    // The parts are independent reads: asked side by side, a batch waits for the
    // slowest rather than for their sum.
    let (highlights, new_this_month, opportunities, events, standings) = tokio::try_join!(
        digest::items_for_each::<digest::Highlights>(state, &viewers, 5),
        contracts::learning::new_this_month_for_each(state, &viewers),
        digest::items_for_each::<digest::Opportunities>(state, &viewers, 5),
        digest::items_for_each::<digest::Events>(state, &viewers, 5),
        digest::standings(state, &ids, 3),
    )?;
    let points: Vec<Option<digest::Standing>> = match standings {
        Some(each) => each.into_iter().map(Some).collect(),
        None => vec![None; ids.len()],
    };
    let parts = highlights.into_iter().zip(new_this_month).zip(opportunities).zip(events).zip(points);
    let mut editions: HashMap<MemberId, Edition> = ids
        .into_iter()
        .zip(parts)
        .map(|(m, ((((highlights, new), opportunities), events), points))| {
            let edition = Edition {
                issue_id: issue.id,
                week: issue.week.clone(),
                intro: issue.intro.clone(),
                featured: issue.featured.clone(),
                highlights: items(highlights),
                new_this_month: items(new.into_iter().take(10).collect()),
                opportunities: items(opportunities),
                events: items(events),
                points: points.map(|p| NewsletterPoints { balance: p.balance, affordable: items(p.affordable) }),
            };
            (m, edition)
        })
        .collect();
    Ok(members.iter().map(|m| editions.remove(m)).collect())
}
