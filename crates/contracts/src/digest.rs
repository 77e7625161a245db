//! What the weekly newsletter gathers from the other areas for one member: each part
//! answers for the member as viewer, with only what they may see on the site. The
//! opportunities slice provides [`Opportunities`] (open ones they are eligible for and
//! have not applied to), the events slice [`Events`] (upcoming ones for their audience,
//! in their time zone), the community slice [`Highlights`] (recent discussions in the
//! groups they belong to and may read) and the rewards slice [`Points`]. Without a
//! provider a part is empty.

use std::sync::Arc;

use futures::future::BoxFuture;
use kernel::ids::MemberId;
use kernel::viewer::Viewer;
use kernel::{AppResult, AppState};

/// One line of a part: a link on the site and a short note (the home page's kind of line).
pub type DigestItem = crate::home::FeedItem;

/// A part of the newsletter, read for a batch of members, each as viewer.
pub trait Part: Send + Sync {
    /// The part for each of `viewers`, in their order. A send asks for a batch of
    /// recipients at once, so what they share (the open opportunities, the upcoming
    /// events, each group's newest threads) is read once for the batch, not once each,
    /// and each member's share is then chosen by the slice's own access rule.
    fn items_for_each<'a>(
        &'a self,
        state: &'a AppState,
        viewers: &'a [Viewer],
        limit: u64,
    ) -> BoxFuture<'a, AppResult<Vec<Vec<DigestItem>>>>;
}

/// A port holding one [`Part`]: each kind of part is its own type, so each slice provides its own.
pub trait Source: Clone + Send + Sync + 'static {
    fn part(&self) -> &dyn Part;
}

macro_rules! sources {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(pub Arc<dyn Part>);

        impl Source for $name {
            fn part(&self) -> &dyn Part {
                self.0.as_ref()
            }
        }
    )*};
}

sources! {
    /// Open opportunities the member is eligible for and has not applied to.
    Opportunities,
    /// Upcoming events the member may see, their times in the member's time zone.
    Events,
    /// Recent discussions in the groups the member belongs to and may read.
    Highlights,
}

/// The part `S` for each of `viewers`; empty when no slice provides it.
pub async fn items_for_each<S: Source>(
    state: &AppState,
    viewers: &[Viewer],
    limit: u64,
) -> AppResult<Vec<Vec<DigestItem>>> {
    match state.port::<S>() {
        Ok(s) => s.part().items_for_each(state, viewers, limit).await,
        Err(_) => Ok(vec![vec![]; viewers.len()]),
    }
}

/// A member's points: their balance and the rewards it now pays for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Standing {
    pub balance: i64,
    /// Rewards available now whose cost is within the balance, cheapest first.
    pub affordable: Vec<DigestItem>,
}

/// The rewards slice's side: members' standings.
pub trait Points: Send + Sync {
    /// The standing of each of `members`, in their order (the balances in one statement).
    fn standings<'a>(
        &'a self,
        state: &'a AppState,
        members: &'a [MemberId],
        limit: u64,
    ) -> BoxFuture<'a, AppResult<Vec<Standing>>>;
}

/// The points standing of each of `members`; `None` without the rewards slice.
pub async fn standings(state: &AppState, members: &[MemberId], limit: u64) -> AppResult<Option<Vec<Standing>>> {
    match state.port::<Arc<dyn Points>>().ok().cloned() {
        Some(p) => Ok(Some(p.standings(state, members, limit).await?)),
        None => Ok(None),
    }
}
