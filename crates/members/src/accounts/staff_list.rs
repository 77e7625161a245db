//! The accounts list staff search and each account's console page (the only places
//! e-mail addresses are shown), and the latest entries of the audit log shown beside it.

use kernel::AppResult;
use kernel::db::Db;
use kernel::ids::MemberId;
use kernel::page::Page;

#[derive(Debug, Clone, sea_orm::FromQueryResult)]
/// One account as staff see it in the accounts list (with its e-mail address).
pub(crate) struct StaffAccountRow {
    pub(crate) id: MemberId,
    pub(crate) display_name: String,
    pub(crate) name_key: String,
    pub(crate) email: Option<String>,
    pub(crate) email_verified_at: Option<kernel::time::Instant>,
    pub(crate) member_type: String,
    pub(crate) role: String,
    pub(crate) status: String,
    pub(crate) health_leader_since: Option<kernel::time::Instant>,
}

/// A page of 50 accounts in name order: of one status (or "all"), matching `q` in the
/// name or the e-mail address, after `cursor`.
pub(crate) async fn staff_accounts(db: &Db, status: &str, q: &str, cursor: &str) -> AppResult<Page<StaffAccountRow>> {
    let mut sql = String::from(
        "SELECT id, display_name, name_key, email, email_verified_at, member_type, role, status, health_leader_since FROM members WHERE 1 = 1",
    );
    let mut values: Vec<sea_orm::Value> = Vec::new();
    if status != "all" {
        values.push(status.to_string().into());
        sql.push_str(&format!(" AND status = ${}", values.len()));
    }
    let text = kernel::search::search_text(q)?;
    if !text.is_empty() {
        values.push(kernel::db::like_contains(text).into());
        let n = values.len();
        sql.push_str(&format!(" AND (name_key LIKE ${n} ESCAPE '\\' OR email LIKE ${n} ESCAPE '\\')"));
    }
    if !cursor.is_empty() {
        let (key, id): (String, uuid::Uuid) = kernel::page::decode(cursor)?;
        values.push(key.into());
        values.push(id.into());
        let (k, i) = (values.len() - 1, values.len());
        sql.push_str(&format!(" AND (name_key, id) > (${k}, ${i})"));
    }
    values.push(51i64.into());
    sql.push_str(&format!(" ORDER BY name_key, id LIMIT ${}", values.len()));
    let rows: Vec<StaffAccountRow> = db.all(&sql, values).await?;
    Ok(kernel::page::finish(rows, 50, |r| (r.name_key.clone(), r.id.0)))
}

/// One account as the accounts list shows it (erased ones too), by id.
pub(crate) async fn staff_account(db: &Db, id: MemberId) -> AppResult<Option<StaffAccountRow>> {
    Ok(db
        .one(
            "SELECT id, display_name, name_key, email, email_verified_at, member_type, role, status, health_leader_since \
             FROM members WHERE id = $1",
            kernel::params![id],
        )
        .await?)
}

/// The latest 50 entries of the audit log.
pub(crate) async fn recent_audit(db: &Db) -> AppResult<Vec<kernel::audit::AuditRow>> {
    Ok(db
        .all(
            "SELECT at, actor_id, action, subject_id, ip, detail FROM audit_log ORDER BY at DESC LIMIT 50",
            kernel::params![],
        )
        .await?)
}
