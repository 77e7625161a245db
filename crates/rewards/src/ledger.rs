//! The ledger: append-only entries and a balance kept in the same transaction.
//!
//! Every change of a balance goes through [`post`], which writes the entry (refusing a
//! second entry with the same idempotency key) and moves the balance by the same
//! amount. Entries are never edited or deleted: a correction is a new entry.

use kernel::db::{self, Tx};
use kernel::ids::MemberId;
use kernel::page::{Keyset, Order};
use kernel::params;
use kernel::time::now;
use sea_orm::DbErr;
use serde::Serialize;
use uuid::Uuid;

/// Why points moved. Stored as text; the list is open for slices to add rule codes.
pub mod reasons {
    pub const REDEMPTION: &str = "redemption";
    pub const REFUND: &str = "redemption_refund";
    pub const ADJUSTMENT: &str = "adjustment";
    pub const EXPIRY: &str = "expiry";
    /// Points paid as compensation for work on a paid opportunity.
    pub const COMPENSATION: &str = "compensation";
    /// Points a survey pays for completing it (its incentive).
    pub const SURVEY_INCENTIVE: &str = "survey_incentive";
}

/// A new entry to post.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub member: MemberId,
    pub amount: i64,
    pub reason: &'a str,
    pub source_type: Option<&'a str>,
    pub source_id: Option<String>,
    pub idempotency_key: String,
    pub note: &'a str,
    pub actor: Option<MemberId>,
    /// When the action behind the entry happened (caps count by it); now if `None`.
    pub occurred_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct Entry {
    pub id: Uuid,
    pub amount: i64,
    pub reason: String,
    pub source_type: Option<String>,
    pub source_id: Option<String>,
    pub note: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// An [`Entry`]'s columns as its member sees them: a hand adjustment says it came from
/// the team (`source_type` staff), never which staff member made it.
pub const MEMBER_ENTRY_COLUMNS: &str = "id, amount, reason, source_type, CASE WHEN source_type = 'staff' THEN NULL ELSE source_id END AS source_id, note, created_at";

/// Creates the member's account if needed and locks it for the rest of the transaction
/// (row lock on PostgreSQL; SQLite's single writer already serialises). Returns the
/// balance. Every balance change takes this lock first, so checks against the balance
/// and the change that follows cannot interleave with another transaction's.
pub async fn lock_account(tx: &Tx, member: MemberId) -> Result<i64, DbErr> {
    db::exec(
        tx,
        "INSERT INTO points_accounts (member_id, balance, updated_at) VALUES ($1, 0, $2) ON CONFLICT (member_id) DO NOTHING",
        params![member, now()],
    )
    .await?;
    let balance: Option<i64> = db::scalar(
        tx,
        &format!("SELECT balance FROM points_accounts WHERE member_id = $1{}", db::for_update(tx)),
        params![member],
    )
    .await?;
    Ok(balance.unwrap_or(0))
}

/// Posts an entry and moves the balance. Returns the entry id, or `None` when an entry
/// with the same idempotency key exists (nothing changes then). The caller must hold
/// the account lock ([`lock_account`]).
pub async fn post(tx: &Tx, e: &NewEntry<'_>) -> Result<Option<Uuid>, DbErr> {
    let id = Uuid::now_v7();
    let inserted = db::exec(
        tx,
        "INSERT INTO ledger_entries (id, member_id, amount, reason, source_type, source_id, idempotency_key, note, actor_id, occurred_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (idempotency_key) DO NOTHING",
        params![
            id,
            e.member,
            e.amount,
            e.reason,
            e.source_type.map(str::to_string),
            e.source_id.clone(),
            e.idempotency_key.clone(),
            e.note,
            e.actor,
            e.occurred_at.unwrap_or_else(now),
            now()
        ],
    )
    .await?;
    if inserted == 0 {
        return Ok(None);
    }
    db::exec(
        tx,
        "UPDATE points_accounts SET balance = balance + $1, updated_at = $2 WHERE member_id = $3",
        params![e.amount, now(), e.member],
    )
    .await?;
    Ok(Some(id))
}

/// A member's balance (0 without an account).
pub async fn balance(db: &kernel::db::Db, member: MemberId) -> Result<i64, DbErr> {
    Ok(db
        .scalar::<i64>("SELECT balance FROM points_accounts WHERE member_id = $1", params![member])
        .await?
        .unwrap_or(0))
}

/// The balances of `members` in one statement a few hundred at a time (0 for a member
/// without an account yet).
pub async fn balances(
    db: &kernel::db::Db,
    members: &[MemberId],
) -> Result<std::collections::HashMap<MemberId, i64>, DbErr> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        member_id: MemberId,
        balance: i64,
    }
    let mut found = std::collections::HashMap::new();
    for chunk in members.chunks(500) {
        let sql = format!(
            "SELECT member_id, balance FROM points_accounts WHERE member_id IN ({})",
            kernel::db::placeholders(1, chunk.len())
        );
        let rows: Vec<Row> = db.all(&sql, chunk.iter().map(|m| (*m).into()).collect()).await?;
        found.extend(rows.into_iter().map(|r| (r.member_id, r.balance)));
    }
    Ok(found)
}

/// A page of a member's history, newest first, as they see it ([`MEMBER_ENTRY_COLUMNS`]).
pub async fn history(
    db: &kernel::db::Db,
    member: MemberId,
    cursor: Option<&str>,
    limit: u64,
) -> kernel::AppResult<kernel::page::Page<Entry>> {
    let list = Keyset {
        select: &format!("SELECT {MEMBER_ENTRY_COLUMNS} FROM ledger_entries WHERE member_id = $1"),
        params: params![member],
        key: ("created_at", "id"),
        order: Order::NewestFirst,
    };
    list.page(db, cursor, limit, |e: &Entry| (e.created_at, e.id)).await
}
