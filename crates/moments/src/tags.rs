//! Moments on content: staff tag resources, courses, discussion threads and events with
//! the moments they fit (a table this slice owns, keyed by the content's kind and id);
//! lists filter by moment, and what a viewer is shown of the tagged content is decided
//! by the area that owns it (`contracts::moments::TaggedContent`), so a thread in a
//! private group never reaches someone outside it.

use contracts::moments::{ContentItem, content_sources};
use kernel::db;
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model;

/// The kinds of content that can carry moments.
pub const KINDS: &[(&str, &str)] =
    &[("resource", "Resources"), ("course", "Courses"), ("thread", "Discussions"), ("event", "Upcoming events")];

/// The moments a piece of content carries.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MomentTags {
    /// Moment ids, each at most once.
    #[schema(max_items = 7)]
    pub moments: Vec<String>,
}

fn check_kind(kind: &str) -> AppResult<()> {
    if KINDS.iter().any(|(k, _)| *k == kind) {
        Ok(())
    } else {
        Err(AppError::field("kind", "Choose resource, course, thread or event."))
    }
}

/// The moments content `kind`/`id` carries.
pub async fn of(state: &AppState, kind: &str, id: Uuid) -> AppResult<MomentTags> {
    check_kind(kind)?;
    let moments: Vec<String> = state
        .db
        .column(
            "SELECT moment FROM moment_tags WHERE content_kind = $1 AND content_id = $2 ORDER BY moment",
            params![kind.to_string(), id],
        )
        .await?;
    Ok(MomentTags { moments })
}

/// Replaces the moments content carries (staff; the caller has checked). The content
/// must be something the tagging staff member can open.
pub async fn set(
    state: &AppState,
    viewer: &Viewer,
    by: MemberId,
    kind: &str,
    id: Uuid,
    tags: &MomentTags,
) -> AppResult<()> {
    check_kind(kind)?;
    let mut moments = tags.moments.clone();
    moments.sort();
    moments.dedup();
    if let Some(bad) = moments.iter().find(|m| !model::is_moment(m)) {
        let shown: String = bad.chars().take(40).collect();
        return Err(AppError::field("moments", format!("“{shown}” is not one of the moments.")));
    }
    if !exists(state, viewer, kind, id).await? {
        return Err(AppError::field("content_id", format!("There is no {kind} with this id.")));
    }
    let tx = state.db.begin().await?;
    replace(&tx, kind, id, &moments, Some(by)).await?;
    tx.commit().await?;
    Ok(())
}

/// Replaces the moments content `kind`/`id` carries (known keys, each once) in the
/// caller's transaction: the one write of tags, for staff and authors alike.
pub(crate) async fn replace<C: sea_orm::ConnectionTrait>(
    c: &C,
    kind: &str,
    id: Uuid,
    moments: &[String],
    by: Option<MemberId>,
) -> Result<(), sea_orm::DbErr> {
    db::exec(c, "DELETE FROM moment_tags WHERE content_kind = $1 AND content_id = $2", params![kind.to_string(), id])
        .await?;
    let at = now();
    for m in moments {
        db::exec(
            c,
            "INSERT INTO moment_tags (content_kind, content_id, moment, tagged_by, tagged_at) VALUES ($1, $2, $3, $4, $5)",
            params![kind.to_string(), id, m.clone(), by, at],
        )
        .await?;
    }
    Ok(())
}

/// The moments carried by any of `ids` of `kind`, each once (one statement).
pub(crate) async fn of_any<C: sea_orm::ConnectionTrait>(
    c: &C,
    kind: &str,
    ids: &[Uuid],
) -> Result<Vec<String>, sea_orm::DbErr> {
    let mut values = params![kind.to_string()];
    let restrict = kernel::db::uuid_in(c, "content_id", kernel::db::UuidColumn::Native, ids, &mut |v| {
        values.push(v);
        format!("${}", values.len())
    });
    db::column(
        c,
        &format!("SELECT DISTINCT moment FROM moment_tags WHERE content_kind = $1 AND {restrict} ORDER BY moment"),
        values,
    )
    .await
}

async fn exists(state: &AppState, viewer: &Viewer, kind: &str, id: Uuid) -> AppResult<bool> {
    for source in content_sources(state) {
        if source.kinds().contains(&kind) {
            return Ok(!source.visible(state, viewer, kind, &[id], 1).await?.is_empty());
        }
    }
    Ok(false)
}

/// The ids of content of `kind` tagged with `moment`, newest tag first (one statement).
pub async fn ids(state: &AppState, kind: &str, moment: &str) -> AppResult<Vec<Uuid>> {
    Ok(state
        .db
        .column(
            "SELECT content_id FROM moment_tags WHERE moment = $1 AND content_kind = $2 ORDER BY tagged_at DESC LIMIT $3",
            params![moment.to_string(), kind.to_string(), contracts::moments::MAX_TAGGED as i64],
        )
        .await?)
}

/// Content of `kind` tagged with `moment` that `viewer` may open, at most `limit`.
pub async fn content(
    state: &AppState,
    viewer: &Viewer,
    moment: &str,
    kind: &str,
    limit: u64,
) -> AppResult<Vec<ContentItem>> {
    let ids: Vec<Uuid> = state
        .db
        .column(
            "SELECT content_id FROM moment_tags WHERE moment = $1 AND content_kind = $2 ORDER BY tagged_at DESC LIMIT 200",
            params![moment.to_string(), kind.to_string()],
        )
        .await?;
    if ids.is_empty() {
        return Ok(vec![]);
    }
    for source in content_sources(state) {
        if source.kinds().contains(&kind) {
            return source.visible(state, viewer, kind, &ids, limit).await;
        }
    }
    Ok(vec![])
}

/// What fits a moment, by kind of content, for `viewer`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MomentsContentGroup {
    /// `resource`, `course`, `thread` or `event`.
    pub kind: String,
    pub items: Vec<MomentsContentItem>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MomentsContentItem {
    pub id: Uuid,
    pub title: String,
    pub url: String,
    pub note: String,
}

/// Everything tagged with `moment` that `viewer` may open, by kind (at most `per_kind` each).
pub async fn all_content(
    state: &AppState,
    viewer: &Viewer,
    moment: &str,
    per_kind: u64,
) -> AppResult<Vec<MomentsContentGroup>> {
    if !model::is_moment(moment) {
        return Err(AppError::field("moment_id", "Choose one of the moments."));
    }
    let mut out = Vec::new();
    for (kind, _) in KINDS {
        let items = content(state, viewer, moment, kind, per_kind).await?;
        out.push(MomentsContentGroup {
            kind: kind.to_string(),
            items: items
                .into_iter()
                .map(|i| MomentsContentItem { id: i.id, title: i.title, url: i.href, note: i.note })
                .collect(),
        });
    }
    Ok(out)
}

/// The most recent tags, for the staff page.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct TagRow {
    pub content_kind: String,
    pub content_id: Uuid,
    pub moment: String,
}

pub async fn recent(state: &AppState) -> AppResult<Vec<TagRow>> {
    Ok(state
        .db
        .all("SELECT content_kind, content_id, moment FROM moment_tags ORDER BY tagged_at DESC LIMIT 100", params![])
        .await?)
}
