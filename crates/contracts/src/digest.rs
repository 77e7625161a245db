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

/// A part of a member's newsletter, read as that member.
pub trait Part: Send + Sync {
    fn items<'a>(
        &'a self,
        state: &'a AppState,
        viewer: &'a Viewer,
        limit: u64,
    ) -> BoxFuture<'a, AppResult<Vec<DigestItem>>>;
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

/// The part `S` for `viewer`; empty when no slice provides it.
pub async fn items<S: Source>(state: &AppState, viewer: &Viewer, limit: u64) -> AppResult<Vec<DigestItem>> {
    match state.port::<S>() {
        Ok(s) => s.part().items(state, viewer, limit).await,
        Err(_) => Ok(vec![]),
    }
}

/// A member's points: their balance and the rewards it now pays for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Standing {
    pub balance: i64,
    /// Rewards available now whose cost is within the balance, cheapest first.
    pub affordable: Vec<DigestItem>,
}

/// The rewards slice's side: a member's standing.
pub trait Points: Send + Sync {
    fn standing<'a>(&'a self, state: &'a AppState, member: MemberId, limit: u64) -> BoxFuture<'a, AppResult<Standing>>;
}

/// `member`'s points standing; `None` without the rewards slice.
pub async fn standing(state: &AppState, member: MemberId, limit: u64) -> AppResult<Option<Standing>> {
    match state.port::<Arc<dyn Points>>().ok().cloned() {
        Some(p) => Ok(Some(p.standing(state, member, limit).await?)),
        None => Ok(None),
    }
}
