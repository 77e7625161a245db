//! Server-side sessions (browser cookies) and personal access tokens (API scripts).
//!
//! Only hashes of session ids and tokens are stored. A session ends after an idle
//! period and, in any case, after an absolute lifetime.

use chrono::Duration as ChronoDuration;
use sea_orm::{ConnectionTrait, DbErr};

use crate::config::Config;
use crate::db::{self, Db};
use crate::ids::MemberId;
use crate::params;
use crate::secret::{random_token, token_hash};
use crate::time::{Instant, now};
use crate::viewer::Viewer;

pub const SESSION_COOKIE: &str = "shn_session";

/// How often `last_seen_at` is written: touching the row on every request would turn
/// every page view into a write.
const TOUCH_EVERY_SECS: i64 = 60;

#[derive(Debug, Clone, sea_orm::FromQueryResult)]
struct SessionRow {
    id: String,
    member_id: MemberId,
    created_at: Instant,
    last_seen_at: Instant,
}

/// A live session found from a cookie.
#[derive(Debug, Clone)]
pub struct SessionRef {
    /// The stored (hashed) id: safe to keep in memory and log.
    pub id: String,
    pub member_id: MemberId,
}

/// Starts a session for `member` and returns the raw cookie value.
pub async fn start<C: ConnectionTrait>(c: &C, member: MemberId, user_agent: Option<&str>) -> Result<String, DbErr> {
    let raw = random_token(32);
    let t = now();
    db::exec(
        c,
        "INSERT INTO sessions (id, member_id, created_at, last_seen_at, user_agent) VALUES ($1, $2, $3, $3, $4)",
        params![token_hash(&raw), member, t, user_agent.map(|u| u.chars().take(200).collect::<String>())],
    )
    .await?;
    Ok(raw)
}

/// The live session behind a cookie value, if any. Expired sessions are deleted.
pub async fn find(db: &Db, cfg: &Config, raw: &str) -> Result<Option<SessionRef>, DbErr> {
    let id = token_hash(raw);
    let row: Option<SessionRow> =
        db.one("SELECT id, member_id, created_at, last_seen_at FROM sessions WHERE id = $1", params![id]).await?;
    match row {
        Some(row) => keep(db, cfg, row).await,
        None => Ok(None),
    }
}

/// [`find`], with the viewer that a directory's `columns` (see
/// [`crate::viewer::ViewerDirectory::columns_sql`]) bring along in the same statement,
/// read from the row by `read`. (Columns, not a join: a single-table lookup by primary
/// key keeps SQLite on the key's index whatever its statistics say of a small table.)
pub async fn find_with_viewer(
    db: &Db,
    cfg: &Config,
    raw: &str,
    columns: &str,
    read: impl Fn(&sea_orm::QueryResult, MemberId) -> anyhow::Result<Option<Viewer>>,
) -> anyhow::Result<Option<(SessionRef, Option<Viewer>)>> {
    let sql =
        format!("SELECT s.id, s.member_id, s.created_at, s.last_seen_at, {columns} FROM sessions s WHERE s.id = $1");
    let c = db.reader();
    let statement = sea_orm::Statement::from_sql_and_values(c.get_database_backend(), &sql, params![token_hash(raw)]);
    let Some(found) = c.query_one_raw(statement).await? else { return Ok(None) };
    let row = <SessionRow as sea_orm::FromQueryResult>::from_query_result(&found, "")?;
    let viewer = read(&found, row.member_id)?;
    Ok(keep(db, cfg, row).await?.map(|s| (s, viewer)))
}

/// A session just found: deleted when past its lifetimes, else touched now and then.
async fn keep(db: &Db, cfg: &Config, row: SessionRow) -> Result<Option<SessionRef>, DbErr> {
    let t = now();
    if !within_lifetimes(cfg, row.created_at, row.last_seen_at, t) {
        db.exec("DELETE FROM sessions WHERE id = $1", params![row.id]).await?;
        return Ok(None);
    }
    if (t - row.last_seen_at).num_seconds() >= TOUCH_EVERY_SECS {
        db.exec("UPDATE sessions SET last_seen_at = $1 WHERE id = $2", params![t, row.id.clone()]).await?;
    }
    Ok(Some(SessionRef { id: row.id, member_id: row.member_id }))
}

/// Whether a session created and last seen at these times is still live at `t`.
fn within_lifetimes(cfg: &Config, created_at: Instant, last_seen_at: Instant, t: Instant) -> bool {
    let idle = ChronoDuration::from_std(cfg.session_idle).unwrap_or(ChronoDuration::days(14));
    let absolute = ChronoDuration::from_std(cfg.session_absolute).unwrap_or(ChronoDuration::days(60));
    last_seen_at + idle >= t && created_at + absolute >= t
}

/// What signed a request in, by its stored hash: a browser session or a personal access
/// token. A live stream belongs to one (see `crate::live::open_stream`) and ends with it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Credential {
    Session(String),
    Token(String),
}

impl Credential {
    /// Whether it still signs requests in: not ended, revoked or expired.
    pub async fn is_live(&self, db: &Db, cfg: &Config) -> Result<bool, DbErr> {
        match self {
            Credential::Session(id) => {
                let row: Option<SessionRow> = db
                    .one(
                        "SELECT id, member_id, created_at, last_seen_at FROM sessions WHERE id = $1",
                        params![id.clone()],
                    )
                    .await?;
                Ok(row.is_some_and(|r| within_lifetimes(cfg, r.created_at, r.last_seen_at, now())))
            }
            Credential::Token(hash) => Ok(db
                .scalar::<MemberId>(
                    "SELECT member_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND created_at > $2",
                    params![hash.clone(), api_token_cutoff(cfg)],
                )
                .await?
                .is_some()),
        }
    }
}

/// Ends one session.
pub async fn end<C: ConnectionTrait>(c: &C, id: &str) -> Result<(), DbErr> {
    db::exec(c, "DELETE FROM sessions WHERE id = $1", params![id.to_string()]).await?;
    Ok(())
}

/// Ends every session of `member` except `keep` (the current one), returning how many ended.
pub async fn end_all_for<C: ConnectionTrait>(c: &C, member: MemberId, keep: Option<&str>) -> Result<u64, DbErr> {
    db::exec(
        c,
        "DELETE FROM sessions WHERE member_id = $1 AND id <> $2",
        params![member, keep.unwrap_or("").to_string()],
    )
    .await
}

/// Number of live sessions a member has (shown on the security page).
pub async fn count_for(db: &Db, member: MemberId) -> Result<i64, DbErr> {
    Ok(db.scalar::<i64>("SELECT COUNT(*) FROM sessions WHERE member_id = $1", params![member]).await?.unwrap_or(0))
}

/// Removes sessions past their lifetimes (run by the worker now and then).
pub async fn sweep(db: &Db, cfg: &Config) -> Result<u64, DbErr> {
    let t = now();
    let idle_cut = t - ChronoDuration::from_std(cfg.session_idle).unwrap_or(ChronoDuration::days(14));
    let abs_cut = t - ChronoDuration::from_std(cfg.session_absolute).unwrap_or(ChronoDuration::days(60));
    db.exec("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2", params![idle_cut, abs_cut]).await
}

pub const API_TOKEN_PREFIX: &str = "shn_";

/// Issues a personal access token; returns the raw token (shown once).
pub async fn issue_api_token<C: ConnectionTrait>(c: &C, member: MemberId, name: &str) -> Result<String, DbErr> {
    let raw = format!("{API_TOKEN_PREFIX}{}", random_token(32));
    db::exec(
        c,
        "INSERT INTO api_tokens (id, token_hash, member_id, name, created_at) VALUES ($1, $2, $3, $4, $5)",
        params![uuid::Uuid::now_v7(), token_hash(&raw), member, name.to_string(), now()],
    )
    .await?;
    Ok(raw)
}

/// The oldest issue time of a token that still works (tokens expire after
/// `Config::api_token_lifetime`).
fn api_token_cutoff(cfg: &Config) -> Instant {
    now() - ChronoDuration::from_std(cfg.api_token_lifetime).unwrap_or(ChronoDuration::days(90))
}

/// The member behind a live API token: not revoked, not expired.
pub async fn find_api_token(db: &Db, cfg: &Config, raw: &str) -> Result<Option<MemberId>, DbErr> {
    db.scalar::<MemberId>(
        "SELECT member_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND created_at > $2",
        params![token_hash(raw), api_token_cutoff(cfg)],
    )
    .await
}

/// A live personal access token as its owner sees it (never the token itself).
#[derive(Debug, Clone, serde::Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct ApiTokenInfo {
    pub id: uuid::Uuid,
    pub name: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Instant,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: Instant,
}

#[derive(sea_orm::FromQueryResult)]
struct TokenRow {
    id: uuid::Uuid,
    name: String,
    created_at: Instant,
}

/// A member's live tokens, newest first.
pub async fn list_api_tokens(db: &Db, cfg: &Config, member: MemberId) -> Result<Vec<ApiTokenInfo>, DbErr> {
    let rows: Vec<TokenRow> = db
        .all(
            "SELECT id, name, created_at FROM api_tokens WHERE member_id = $1 AND revoked_at IS NULL AND created_at > $2 \
             ORDER BY created_at DESC, id DESC LIMIT 200",
            params![member, api_token_cutoff(cfg)],
        )
        .await?;
    let lifetime = ChronoDuration::from_std(cfg.api_token_lifetime).unwrap_or(ChronoDuration::days(90));
    Ok(rows
        .into_iter()
        .map(|r| ApiTokenInfo { id: r.id, name: r.name, created_at: r.created_at, expires_at: r.created_at + lifetime })
        .collect())
}

/// Revokes one of a member's tokens by its id; true when it was live.
pub async fn revoke_api_token_by_id(db: &Db, member: MemberId, id: uuid::Uuid) -> Result<bool, DbErr> {
    Ok(db
        .exec(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND member_id = $3 AND revoked_at IS NULL",
            params![now(), id, member],
        )
        .await?
        > 0)
}

/// When the token was issued, if it is live (for re-authentication rules).
pub async fn api_token_issued_at(db: &Db, raw: &str) -> Result<Option<Instant>, DbErr> {
    db.scalar::<Instant>(
        "SELECT created_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        params![token_hash(raw)],
    )
    .await
}

/// Revokes a token; true when it was live.
pub async fn revoke_api_token(db: &Db, raw: &str) -> Result<bool, DbErr> {
    Ok(db
        .exec(
            "UPDATE api_tokens SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL",
            params![now(), token_hash(raw)],
        )
        .await?
        > 0)
}

/// Revokes every token of a member (password change, account deletion).
pub async fn revoke_all_api_tokens<C: ConnectionTrait>(c: &C, member: MemberId) -> Result<u64, DbErr> {
    db::exec(
        c,
        "UPDATE api_tokens SET revoked_at = $1 WHERE member_id = $2 AND revoked_at IS NULL",
        params![now(), member],
    )
    .await
}
