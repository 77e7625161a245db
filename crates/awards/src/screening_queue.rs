//! The staff screening queue: every nominee of a year with every statement made about
//! them, pending first. Staff reading it is audited (it holds invitees' e-mail addresses).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kernel::db;
use kernel::ids::MemberId;
use kernel::{AppResult, AppState, audit, params};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::programmes;

#[derive(Debug, Clone, Serialize, ToSchema, sea_orm::FromQueryResult)]
pub struct Statement {
    #[serde(skip)]
    pub nominee_id: Uuid,
    pub nominator_id: Option<MemberId>,
    pub statement: String,
    /// The links given with the statement.
    #[serde(serialize_with = "links_as_list")]
    #[schema(value_type = Vec<String>)]
    pub links: String,
    pub created_at: DateTime<Utc>,
}

fn links_as_list<S: serde::Serializer>(links: &str, s: S) -> Result<S::Ok, S::Error> {
    let list: Vec<String> = serde_json::from_str(links).unwrap_or_default();
    list.serialize(s)
}

#[derive(Debug, Serialize, ToSchema, sea_orm::FromQueryResult)]
pub struct QueuedNominee {
    pub id: Uuid,
    pub category_id: Uuid,
    pub member_id: Option<MemberId>,
    pub invite_name: Option<String>,
    pub invite_email: Option<String>,
    /// pending, accepted or declined.
    pub status: String,
    pub screening_reason: String,
    pub finalist: bool,
    #[sea_orm(skip)]
    pub statements: Vec<Statement>,
}

/// The year's nominees with their statements (at most 2000 nominees).
pub async fn list(state: &AppState, actor: MemberId, year: i64, ip: &str) -> AppResult<Vec<QueuedNominee>> {
    let c = state.db.reader();
    let p = programmes::by_year(c, year).await?;
    let mut nominees: Vec<QueuedNominee> = db::all(
        c,
        "SELECT n.id, n.category_id, n.member_id, n.invite_name, n.invite_email, n.status, n.screening_reason, n.finalist \
         FROM award_nominees n JOIN award_categories c ON c.id = n.category_id WHERE c.programme_id = $1 \
         ORDER BY CASE n.status WHEN 'pending' THEN 0 ELSE 1 END, c.position, n.created_at, n.id LIMIT 2000",
        params![p.id],
    )
    .await?;
    let statements: Vec<Statement> = db::all(
        c,
        "SELECT s.nominee_id, s.nominator_id, s.statement, s.links, s.created_at FROM award_nominations s \
         JOIN award_nominees n ON n.id = s.nominee_id JOIN award_categories c ON c.id = n.category_id \
         WHERE c.programme_id = $1 ORDER BY s.created_at, s.id",
        params![p.id],
    )
    .await?;
    let mut by_nominee: HashMap<Uuid, Vec<Statement>> = HashMap::new();
    for s in statements {
        by_nominee.entry(s.nominee_id).or_default().push(s);
    }
    for n in &mut nominees {
        n.statements = by_nominee.remove(&n.id).unwrap_or_default();
    }
    audit::record(
        state.db.writer(),
        Some(actor),
        "award_nominees_read",
        None,
        Some(ip),
        serde_json::json!({"year": year}),
    )
    .await?;
    Ok(nominees)
}
