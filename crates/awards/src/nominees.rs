//! Nominees as others see them: only accepted ones, by name (a member's display name,
//! or the name a nominator gave for someone not yet a member; never an e-mail), with
//! their category, endorsements and — once finalists are announced — whether they are
//! one. Pending and declined nominees are not found.

use std::collections::HashMap;

use contracts::members;
use kernel::db;
use kernel::ids::MemberId;
use kernel::{AppError, AppResult, AppState, params};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model::Phase;

#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct NomineeRow {
    pub id: Uuid,
    pub category_id: Uuid,
    pub category_name: String,
    pub member_id: Option<MemberId>,
    pub invite_name: Option<String>,
    pub finalist: bool,
    pub year: i64,
    pub programme_phase: String,
    pub endorsements: i64,
}

impl NomineeRow {
    pub fn phase(&self) -> Phase {
        Phase::parse(&self.programme_phase).unwrap_or(Phase::Closed)
    }

    /// Finalists are public from the finalists' announcement on.
    pub fn shown_as_finalist(&self) -> bool {
        self.finalist && self.phase() >= Phase::Finalists
    }
}

const SELECT: &str = "SELECT n.id, n.category_id, c.name AS category_name, n.member_id, n.invite_name, n.finalist, \
    p.year, p.phase AS programme_phase, \
    (SELECT CAST(COUNT(*) AS BIGINT) FROM award_endorsements e WHERE e.nominee_id = n.id) AS endorsements \
    FROM award_nominees n JOIN award_categories c ON c.id = n.category_id JOIN award_programmes p ON p.id = c.programme_id";

/// An accepted nominee, or 404.
pub async fn public<C: ConnectionTrait>(c: &C, id: Uuid) -> AppResult<NomineeRow> {
    db::one(c, &format!("{SELECT} WHERE n.id = $1 AND n.status = 'accepted'"), params![id])
        .await?
        .ok_or(AppError::NotFound)
}

/// The accepted nominees of a programme, by category then nomination order (at most 2000).
pub async fn of_programme<C: ConnectionTrait>(c: &C, programme: Uuid) -> AppResult<Vec<NomineeRow>> {
    Ok(db::all(
        c,
        &format!(
            "{SELECT} WHERE p.id = $1 AND n.status = 'accepted' ORDER BY c.position, n.created_at, n.id LIMIT 2000"
        ),
        params![programme],
    )
    .await?)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NomineeView {
    pub id: Uuid,
    pub year: i64,
    pub category_id: Uuid,
    pub category: String,
    pub name: String,
    /// Set when the nominee is a member.
    pub member_id: Option<MemberId>,
    pub endorsements: i64,
    /// True once finalists are announced and this nominee is one.
    pub finalist: bool,
}

/// Views of `rows`, with members' display names read in one query.
pub async fn views(state: &AppState, rows: Vec<NomineeRow>) -> AppResult<Vec<NomineeView>> {
    let ids: Vec<MemberId> = rows.iter().filter_map(|r| r.member_id).collect();
    let names: HashMap<MemberId, String> = if ids.is_empty() {
        HashMap::new()
    } else {
        members::directory(state)?.display_names(state.db.reader().into(), &ids).await?
    };
    Ok(rows
        .into_iter()
        .map(|r| NomineeView {
            name: match r.member_id {
                Some(m) => names.get(&m).cloned().unwrap_or_else(|| "A member".into()),
                None => r.invite_name.clone().unwrap_or_default(),
            },
            finalist: r.shown_as_finalist(),
            id: r.id,
            year: r.year,
            category_id: r.category_id,
            category: r.category_name,
            member_id: r.member_id,
            endorsements: r.endorsements,
        })
        .collect())
}
