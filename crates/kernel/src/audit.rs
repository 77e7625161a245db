//! The audit log: security events and every staff read of private data.

use sea_orm::ConnectionTrait;
use serde_json::Value as Json;

use crate::db;
use crate::ids::MemberId;
use crate::params;
use crate::time::now;

/// Records one audit row in the caller's transaction (or connection).
pub async fn record<C: ConnectionTrait>(
    c: &C,
    actor: Option<MemberId>,
    action: &str,
    subject: Option<MemberId>,
    ip: Option<&str>,
    detail: Json,
) -> Result<(), sea_orm::DbErr> {
    db::exec(
        c,
        "INSERT INTO audit_log (id, at, actor_id, action, subject_id, ip, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        params![uuid::Uuid::now_v7(), now(), actor, action, subject, ip.map(str::to_string), detail.to_string()],
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, serde::Serialize, sea_orm::FromQueryResult)]
pub struct AuditRow {
    pub at: crate::time::Instant,
    pub actor_id: Option<MemberId>,
    pub action: String,
    pub subject_id: Option<MemberId>,
    pub ip: Option<String>,
    pub detail: String,
}

/// Audit rows about `member` (as actor or subject), newest first.
pub async fn about<C: ConnectionTrait>(c: &C, member: MemberId, limit: u64) -> Result<Vec<AuditRow>, sea_orm::DbErr> {
    db::all(
        c,
        "SELECT at, actor_id, action, subject_id, ip, detail FROM audit_log \
         WHERE actor_id = $1 OR subject_id = $1 ORDER BY at DESC LIMIT $2",
        params![member, limit as i64],
    )
    .await
}

/// What the staff audit page narrows the log to; every part is optional.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub actor: Option<MemberId>,
    pub action: Option<String>,
    pub subject: Option<MemberId>,
    /// From this instant, included.
    pub since: Option<crate::time::Instant>,
    /// Before this instant.
    pub before: Option<crate::time::Instant>,
}

/// One audit row with its id, for keyset paging.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct Entry {
    pub id: uuid::Uuid,
    pub at: crate::time::Instant,
    pub actor_id: Option<MemberId>,
    pub action: String,
    pub subject_id: Option<MemberId>,
    pub ip: Option<String>,
    pub detail: String,
}

/// The audit rows that pass `filter`, newest first, a page at a time (keyset on
/// `(at, id)`; each filter column leads one of the log's indexes).
pub async fn search(
    db: &crate::db::Db,
    filter: &Filter,
    cursor: Option<&str>,
    limit: u64,
) -> crate::AppResult<crate::page::Page<Entry>> {
    let mut sql = "SELECT id, at, actor_id, action, subject_id, ip, detail FROM audit_log WHERE 1 = 1".to_string();
    let mut params: Vec<sea_orm::Value> = vec![];
    let mut and = |column_op: &str, value: sea_orm::Value| {
        params.push(value);
        sql.push_str(&format!(" AND {column_op} ${}", params.len()));
    };
    if let Some(a) = filter.actor {
        and("actor_id =", a.into());
    }
    if let Some(a) = &filter.action {
        and("action =", a.clone().into());
    }
    if let Some(s) = filter.subject {
        and("subject_id =", s.into());
    }
    if let Some(t) = filter.since {
        and("at >=", t.into());
    }
    if let Some(t) = filter.before {
        and("at <", t.into());
    }
    let keyset =
        crate::page::Keyset { select: &sql, params, key: ("at", "id"), order: crate::page::Order::NewestFirst };
    keyset.page(db, cursor, limit, |e: &Entry| (e.at, e.id)).await
}
