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
