//! The monthly collections as stored: one per month, with an intro and its resources in
//! order, out from its publication moment. Readers see only the items they may open.

use chrono::{DateTime, NaiveDate, Utc};
use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState, FieldErrors, audit, params};
use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;

use super::library::{COLUMNS, ResourceRow};
use super::model::Month;
use super::policy;

pub const MAX_INTRO: usize = 5_000;
pub const MAX_ITEMS: usize = 50;

#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct CollectionRow {
    pub id: Uuid,
    pub month: String,
    pub intro: String,
    pub publish_at: Option<DateTime<Utc>>,
}

impl CollectionRow {
    pub fn month(&self) -> Option<Month> {
        Month::parse(&self.month)
    }
}

const COLLECTION: &str = "c.id, c.month, c.intro, c.publish_at";

/// The collection of `month`, out or not.
pub async fn of_month<C: ConnectionTrait>(c: &C, month: Month) -> AppResult<Option<CollectionRow>> {
    Ok(db::one(
        c,
        &format!("SELECT {COLLECTION} FROM resource_collections c WHERE c.month = $1"),
        params![month.to_string()],
    )
    .await?)
}

/// The collection of `month` if it is out, or 404.
pub async fn out(db: &Db, month: Month) -> AppResult<CollectionRow> {
    let sql = format!(
        "SELECT {COLLECTION} FROM resource_collections c WHERE c.month = $1 AND {}",
        policy::collection_is_out_sql("c", "$2")
    );
    db.one(&sql, params![month.to_string(), now()]).await?.ok_or(AppError::NotFound)
}

/// The collections that are out, latest month first.
pub async fn archive(db: &Db, limit: u64) -> AppResult<Vec<CollectionRow>> {
    let sql = format!(
        "SELECT {COLLECTION} FROM resource_collections c WHERE {} ORDER BY c.month DESC LIMIT $2",
        policy::collection_is_out_sql("c", "$1")
    );
    Ok(db.all(&sql, params![now(), limit as i64]).await?)
}

/// Every collection, latest month first (staff).
pub async fn all_for_staff(db: &Db, limit: u64) -> AppResult<Vec<CollectionRow>> {
    let sql = format!("SELECT {COLLECTION} FROM resource_collections c ORDER BY c.month DESC LIMIT $1");
    Ok(db.all(&sql, params![limit as i64]).await?)
}

/// The items of a collection `viewer` may open, in order.
pub async fn items_open(db: &Db, viewer: &Viewer, collection: Uuid) -> AppResult<Vec<ResourceRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM resource_collection_items i JOIN resources r ON r.id = i.resource_id \
         WHERE i.collection_id = $1 AND {} ORDER BY i.position, r.id",
        policy::may_open_sql(viewer, "r")
    );
    Ok(db.all(&sql, params![collection]).await?)
}

/// Every item of a collection, drafts included, in order (staff).
pub async fn items_all<C: ConnectionTrait>(c: &C, collection: Uuid) -> AppResult<Vec<ResourceRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM resource_collection_items i JOIN resources r ON r.id = i.resource_id \
         WHERE i.collection_id = $1 ORDER BY i.position, r.id"
    );
    Ok(db::all(c, &sql, params![collection]).await?)
}

/// The items of this month's collection that `viewer` may open, if it is out: one
/// statement, the collection found by its month first (a scalar subquery, evaluated once)
/// and its items then by their index. (As a join, SQLite's plan started from a scan of
/// the collections.)
pub async fn this_month_open(db: &Db, viewer: &Viewer) -> AppResult<Vec<ResourceRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM resource_collection_items i JOIN resources r ON r.id = i.resource_id \
         WHERE i.collection_id = (SELECT c.id FROM resource_collections c WHERE c.month = $1 AND {}) \
         AND {} ORDER BY i.position, r.id",
        policy::collection_is_out_sql("c", "$2"),
        policy::may_open_sql(viewer, "r")
    );
    Ok(db.all(&sql, params![Month::of(now()).to_string(), now()]).await?)
}

/// A collection as staff set it.
#[derive(Debug, Clone, Default)]
pub struct CleanCollection {
    pub intro: String,
    /// None: not out (a draft).
    pub publish_at: Option<DateTime<Utc>>,
    pub resources: Vec<Uuid>,
}

/// Checks the intro and the items (`field` names the items' field in messages).
pub fn check(intro: &str, resources: Vec<Uuid>, e: &mut FieldErrors) -> (String, Vec<Uuid>) {
    let intro = intro.trim().to_string();
    e.check_length("intro", &intro, 0..=MAX_INTRO, format!("Keep the intro to {MAX_INTRO} characters."));
    let mut unique: Vec<Uuid> = Vec::new();
    for r in resources {
        if !unique.contains(&r) {
            unique.push(r);
        }
    }
    if unique.len() > MAX_ITEMS {
        e.add("resources", format!("A collection holds at most {MAX_ITEMS} resources."));
    }
    (intro, unique)
}

/// A publication date typed as `yyyy-mm-dd` (from midnight UTC); empty for a draft.
pub fn publish_date(raw: &str, e: &mut FieldErrors) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) if raw.len() == 10 => d.and_hms_opt(0, 0, 0).map(|t| t.and_utc()),
        _ => {
            e.add("publish_on", "Give a date like 2026-12-01, or leave it empty to keep the month a draft.");
            None
        }
    }
}

/// Creates or replaces the collection of `month` (staff): its intro, publication and
/// items in the order given. Every item must be a resource of the library. Audited.
pub async fn save(state: &AppState, actor: MemberId, month: Month, c: &CleanCollection, ip: &str) -> AppResult<Uuid> {
    let t = now();
    let tx = state.db.begin().await?;
    if !c.resources.is_empty() {
        let sql = format!("SELECT COUNT(*) FROM resources WHERE id IN ({})", db::placeholders(1, c.resources.len()));
        let found = db::scalar::<i64, _>(&tx, &sql, c.resources.iter().map(|r| Value::from(*r)).collect()).await?;
        if found.unwrap_or(0) != c.resources.len() as i64 {
            return Err(AppError::field("resources", "Choose resources from the library."));
        }
    }
    db::exec(
        &tx,
        "INSERT INTO resource_collections (id, month, intro, publish_at, created_by, created_at, updated_at) \
         VALUES ($1, $2, '', NULL, $3, $4, $4) ON CONFLICT (month) DO NOTHING",
        params![Uuid::now_v7(), month.to_string(), actor, t],
    )
    .await?;
    let id = of_month(&tx, month).await?.ok_or(AppError::NotFound)?.id;
    db::exec(
        &tx,
        "UPDATE resource_collections SET intro = $1, publish_at = $2, updated_at = $3 WHERE id = $4",
        params![c.intro.clone(), c.publish_at, t, id],
    )
    .await?;
    db::exec(&tx, "DELETE FROM resource_collection_items WHERE collection_id = $1", params![id]).await?;
    for (i, r) in c.resources.iter().enumerate() {
        db::exec(
            &tx,
            "INSERT INTO resource_collection_items (collection_id, resource_id, position) VALUES ($1, $2, $3)",
            params![id, *r, (i + 1) as i64],
        )
        .await?;
    }
    let detail = serde_json::json!({ "collection": id, "month": month.to_string() });
    audit::record(&tx, Some(actor), "resource_collection_saved", None, Some(ip), detail).await?;
    tx.commit().await?;
    Ok(id)
}
