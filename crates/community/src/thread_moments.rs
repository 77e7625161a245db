//! The moments a discussion carries (issue 21), as far as this area decides them: its
//! author tags it when starting it (and may change that later, as may the group's
//! moderators), and a thread started while a staff prompt of its group is open inherits
//! the prompt's moments unless the author chose their own. The tags themselves are the
//! moments slice's (`contracts::moments::MomentTagging`); this module only says who may
//! set them and what a new thread starts with.
//!
//! **Inheritance.** `moments` left out (the API) means "as the group's open prompts":
//! the union of the moments of every prompt of the group within its window now. A list
//! given (even an empty one) is the author's own choice and replaces what would be
//! inherited. The group page's form ticks the prompts' moments for the author, who may
//! untick them: what they send is their choice.

use kernel::db::{self, Conn};
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState, FieldErrors, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::policy::live_threads;

/// The moments a thread carries.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThreadMoments {
    /// Moment ids (see `GET /api/v1/moments`), each at most once.
    #[schema(max_items = 7)]
    pub moments: Vec<String>,
}

/// An author's chosen moments, checked (`None` when they chose nothing explicitly, or
/// when one is not a moment: then `e` says so for the `moments` field).
pub(crate) fn check(state: &AppState, chosen: Option<&[String]>, e: &mut FieldErrors) -> Option<Vec<String>> {
    match contracts::moments::checked_moments(state, chosen?) {
        Ok(m) => Some(m),
        Err(message) => {
            e.add("moments", message);
            None
        }
    }
}

/// The staff prompts of `group` open now (within their window).
async fn open_prompts(c: Conn<'_>, group: Uuid) -> Result<Vec<Uuid>, sea_orm::DbErr> {
    let opened = live_threads::has_opened_sql("", "$2");
    db::column(
        &c,
        &format!(
            "SELECT id FROM threads WHERE group_id = $1 AND status = 'visible' AND opens_at IS NOT NULL \
             AND {opened} AND closes_at > $2 ORDER BY opens_at DESC LIMIT 20"
        ),
        params![group, now()],
    )
    .await
}

/// The moments a thread started in `group` now inherits: its open prompts' moments.
pub(crate) async fn inherited(c: Conn<'_>, state: &AppState, group: Uuid) -> Result<Vec<String>, sea_orm::DbErr> {
    let prompts = open_prompts(c, group).await?;
    contracts::moments::tags_of(c, state, "thread", &prompts).await
}

/// Tags a new thread in the caller's transaction: the author's choice, or what the
/// group's open prompts carry.
pub(crate) async fn tag_new(
    c: Conn<'_>,
    state: &AppState,
    group: Uuid,
    thread: Uuid,
    chosen: Option<Vec<String>>,
    author: MemberId,
) -> Result<(), sea_orm::DbErr> {
    let moments = match chosen {
        Some(m) => m,
        None => inherited(c, state, group).await?,
    };
    if moments.is_empty() {
        return Ok(());
    }
    contracts::moments::replace_tags(c, state, "thread", thread, &moments, author).await
}

/// The moments of a thread the viewer may read.
pub async fn of(state: &AppState, viewer: &Viewer, thread: Uuid) -> AppResult<ThreadMoments> {
    crate::threads::readable(&state.db, viewer, thread).await?;
    let moments = contracts::moments::tags_of((&state.db).into(), state, "thread", &[thread]).await?;
    Ok(ThreadMoments { moments })
}

/// Replaces the moments of a thread: its author, or those who moderate its group
/// (others who may read it get 403; anyone else 404).
pub async fn set(state: &AppState, viewer: &Viewer, thread: Uuid, m: &ThreadMoments) -> AppResult<ThreadMoments> {
    let me = viewer.require_member()?;
    let (t, _, a) = crate::threads::readable(&state.db, viewer, thread).await?;
    if t.author_id != me.id && !a.moderate {
        return Err(AppError::Forbidden);
    }
    let mut e = FieldErrors::new();
    let moments = check(state, Some(&m.moments), &mut e).unwrap_or_default();
    e.into_result()?;
    let tx = state.db.begin().await?;
    contracts::moments::replace_tags((&tx).into(), state, "thread", thread, &moments, me.id).await?;
    tx.commit().await?;
    of(state, viewer, thread).await
}
