//! A member's own moments: the ones they are in now and the ones they have been
//! through, each optionally tied to one of their conditions; the visibility of each
//! stage; whether they offer support; and the history of their marks, which only they
//! ever see (and which goes with their account).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use contracts::members::Condition;
use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::viewer::{Viewer, Visibility};
use kernel::{AppError, AppResult, AppState, params};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model::{self, Stage};
use crate::policy::Visibilities;

/// The most moments a member may mark in one stage (each moment once per condition).
pub const MAX_PER_STAGE: usize = 20;

/// One marked moment, optionally tied to one of the member's conditions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MomentMark {
    /// A moment's id (`GET /api/v1/moments`).
    pub moment_id: String,
    /// One of the member's own conditions, or null.
    pub condition_id: Option<Uuid>,
}

/// Who sees each stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MomentVisibility {
    pub now: Visibility,
    pub been_through: Visibility,
}

/// A member's moments, as they set them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MyMoments {
    #[schema(max_items = 20)]
    pub now: Vec<MomentMark>,
    #[schema(max_items = 20)]
    pub been_through: Vec<MomentMark>,
    pub visibility: MomentVisibility,
    /// Whether they may be contacted about the moments they have been through (listed in
    /// "been there" and offered support requests).
    pub available_to_support: bool,
}

#[derive(sea_orm::FromQueryResult)]
struct MarkRow {
    stage: String,
    moment: String,
    condition_id: Option<Uuid>,
}

#[derive(sea_orm::FromQueryResult)]
struct SettingsRow {
    now_visibility: String,
    been_through_visibility: String,
    available_to_support: bool,
}

fn vis(s: &str) -> Visibility {
    Visibility::parse(s).unwrap_or(Visibility::Members)
}

/// A member's visibilities and whether they offer support (defaults when never set).
pub async fn settings_of<C: ConnectionTrait>(c: &C, member: MemberId) -> AppResult<(Visibilities, bool)> {
    let row: Option<SettingsRow> = db::one(
        c,
        "SELECT now_visibility, been_through_visibility, available_to_support FROM moment_settings WHERE member_id = $1",
        params![member],
    )
    .await?;
    Ok(row
        .map(|r| {
            (
                Visibilities { now: vis(&r.now_visibility), been_through: vis(&r.been_through_visibility) },
                r.available_to_support,
            )
        })
        .unwrap_or_default())
}

/// A member's moments.
pub async fn load(db: &Db, member: MemberId) -> AppResult<MyMoments> {
    let rows: Vec<MarkRow> = db
        .all(
            "SELECT stage, moment, condition_id FROM moment_marks WHERE member_id = $1 ORDER BY marked_at, moment",
            params![member],
        )
        .await?;
    let (v, available) = settings_of(db.reader(), member).await?;
    let pick = |stage: Stage| {
        rows.iter()
            .filter(|r| r.stage == stage.as_str())
            .map(|r| MomentMark { moment_id: r.moment.clone(), condition_id: r.condition_id })
            .collect()
    };
    Ok(MyMoments {
        now: pick(Stage::Now),
        been_through: pick(Stage::BeenThrough),
        visibility: MomentVisibility { now: v.now, been_through: v.been_through },
        available_to_support: available,
    })
}

/// The moments `member` is in now, in the order marked (one statement: what the home
/// page needs, without the settings [`load`] reads too).
pub async fn now_of(db: &Db, member: MemberId) -> AppResult<Vec<MomentMark>> {
    let rows: Vec<MarkRow> = db
        .all(
            "SELECT stage, moment, condition_id FROM moment_marks WHERE member_id = $1 AND stage = $2 \
             ORDER BY marked_at, moment",
            params![member, Stage::Now.as_str()],
        )
        .await?;
    Ok(rows.into_iter().map(|r| MomentMark { moment_id: r.moment, condition_id: r.condition_id }).collect())
}

/// The conditions on the member's own profile (any visibility: it is their own).
pub async fn own_conditions(state: &AppState, viewer: &Viewer) -> AppResult<Vec<Condition>> {
    let me = viewer.require_member()?;
    let profile = contracts::members::directory(state)?.profile(&state.db, viewer, me.id).await?;
    Ok(profile.and_then(|p| p.conditions).unwrap_or_default())
}

/// Checks every mark names a moment of the list and one of `conditions` (or none), at
/// most [`MAX_PER_STAGE`] a stage; repeats are dropped.
pub fn validate(m: &MyMoments, conditions: &[Uuid]) -> AppResult<MyMoments> {
    let mut out = m.clone();
    for (field, marks) in [("now", &mut out.now), ("been_through", &mut out.been_through)] {
        if marks.len() > MAX_PER_STAGE {
            return Err(AppError::field(field, format!("Mark at most {MAX_PER_STAGE} moments.")));
        }
        let mut seen = HashSet::new();
        for mark in marks.iter() {
            if !model::is_moment(&mark.moment_id) {
                let shown: String = mark.moment_id.chars().take(40).collect();
                return Err(AppError::field(field, format!("“{shown}” is not one of the moments.")));
            }
            if mark.condition_id.is_some_and(|c| !conditions.contains(&c)) {
                return Err(AppError::field(field, "Choose one of the conditions on your profile, or none."));
            }
        }
        marks.retain(|mark| seen.insert(mark.clone()));
    }
    Ok(out)
}

/// Replaces a member's moments and settings, keeping a history of what was marked and
/// cleared (for them only).
pub async fn save(state: &AppState, viewer: &Viewer, m: &MyMoments) -> AppResult<MyMoments> {
    let me = viewer.require_member()?.id;
    let conditions: Vec<Uuid> = own_conditions(state, viewer).await?.into_iter().map(|c| c.id).collect();
    let m = validate(m, &conditions)?;
    let before = load(&state.db, me).await?;
    let t = now();
    let tx = state.db.begin().await?;
    db::exec(&tx, "DELETE FROM moment_marks WHERE member_id = $1", params![me]).await?;
    for (stage, marks, old) in
        [(Stage::Now, &m.now, &before.now), (Stage::BeenThrough, &m.been_through, &before.been_through)]
    {
        for mark in marks {
            db::exec(
                &tx,
                "INSERT INTO moment_marks (member_id, stage, moment, condition_id, marked_at) VALUES ($1, $2, $3, $4, $5)",
                params![me, stage.as_str(), mark.moment_id.clone(), mark.condition_id, t],
            )
            .await?;
        }
        let added = marks.iter().filter(|x| !old.contains(x)).map(|x| (x, "marked"));
        let cleared = old.iter().filter(|x| !marks.contains(x)).map(|x| (x, "cleared"));
        for (mark, action) in added.chain(cleared) {
            db::exec(
                &tx,
                "INSERT INTO moment_history (id, member_id, stage, moment, condition_id, action, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                params![Uuid::now_v7(), me, stage.as_str(), mark.moment_id.clone(), mark.condition_id, action, t],
            )
            .await?;
        }
    }
    db::exec(
        &tx,
        "INSERT INTO moment_settings (member_id, now_visibility, been_through_visibility, available_to_support, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (member_id) DO UPDATE SET now_visibility = excluded.now_visibility, \
         been_through_visibility = excluded.been_through_visibility, available_to_support = excluded.available_to_support, \
         updated_at = excluded.updated_at",
        params![me, m.visibility.now.as_str(), m.visibility.been_through.as_str(), m.available_to_support, t],
    )
    .await?;
    tx.commit().await?;
    Ok(m)
}

/// One line of a member's history of marks.
#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, ToSchema)]
#[schema(as = MomentsHistoryEntry)]
pub struct HistoryEntry {
    pub stage: String,
    pub moment: String,
    pub condition_id: Option<Uuid>,
    /// `marked` or `cleared`.
    pub action: String,
    pub at: DateTime<Utc>,
}

/// A member's history of marks, newest first (at most 500).
pub async fn history(db: &Db, member: MemberId) -> AppResult<Vec<HistoryEntry>> {
    Ok(db
        .all(
            "SELECT stage, moment, condition_id, action, at FROM moment_history WHERE member_id = $1 ORDER BY at DESC, id DESC LIMIT 500",
            params![member],
        )
        .await?)
}

/// A moment as the list gives it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MomentInfo {
    /// The moment's stable id (translate by it).
    pub id: &'static str,
    pub label: &'static str,
    pub description: &'static str,
}

/// The fixed list of moments.
pub fn list() -> Vec<MomentInfo> {
    model::MOMENTS.iter().map(|(id, label, description)| MomentInfo { id, label, description }).collect()
}
