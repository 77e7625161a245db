//! The library as stored: saving a resource with its tags (staff), reading one, and the
//! lists readers see, filtered in the database by the policy's SQL form.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use contracts::members::MemberType;
use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::page::{self, Page};
use kernel::time::now;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState, audit, params};
use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;

use super::drafting::Clean;
use super::model::{Audience, Kind, Status};
use super::policy;

/// The columns of [`ResourceRow`], on the resource aliased `r`.
pub const COLUMNS: &str = "r.id, r.kind, r.title, r.summary, r.body, r.audience, r.status, r.file_name, r.file_label, \
    r.file_type, r.file_size, r.published_at, r.updated_at";

#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct ResourceRow {
    pub id: Uuid,
    pub kind: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub audience: String,
    pub status: String,
    pub file_name: Option<String>,
    pub file_label: Option<String>,
    pub file_type: Option<String>,
    pub file_size: Option<i64>,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl ResourceRow {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Draft)
    }

    pub fn audience(&self) -> Audience {
        Audience::parse(&self.audience).unwrap_or(Audience::Members)
    }

    /// The policy's answer for this resource.
    pub fn may_open(&self, viewer: &Viewer) -> bool {
        policy::may_open(viewer, self.status(), self.audience())
    }
}

/// A resource's tags.
#[derive(Debug, Clone, Default)]
pub struct Tags {
    pub topics: Vec<String>,
    pub conditions: Vec<Uuid>,
    pub member_types: Vec<MemberType>,
}

/// The tags of each of `ids`, in one query.
pub async fn tags_of<C: ConnectionTrait>(c: &C, ids: &[Uuid]) -> AppResult<HashMap<Uuid, Tags>> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        resource_id: Uuid,
        facet: String,
        value: String,
    }
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT resource_id, facet, value FROM resource_tags WHERE resource_id IN ({}) ORDER BY facet, value",
        db::placeholders(1, ids.len())
    );
    let rows: Vec<Row> = db::all(c, &sql, ids.iter().map(|i| Value::from(*i)).collect()).await?;
    let mut out: HashMap<Uuid, Tags> = HashMap::new();
    for r in rows {
        let t = out.entry(r.resource_id).or_default();
        match r.facet.as_str() {
            "topic" => t.topics.push(r.value),
            "condition" => t.conditions.extend(r.value.parse::<Uuid>().ok()),
            _ => t.member_types.extend(MemberType::parse(&r.value)),
        }
    }
    Ok(out)
}

/// Creates a resource (`id` none) or replaces one (staff); its conditions must be in the
/// reference list. Audited. Returns its id.
pub async fn save(state: &AppState, actor: MemberId, id: Option<Uuid>, c: &Clean, ip: &str) -> AppResult<Uuid> {
    if !c.conditions.is_empty() {
        let known = contracts::members::directory(state)?.existing_conditions(&state.db, &c.conditions).await?;
        if known.len() != c.conditions.len() {
            return Err(AppError::field("conditions", "Choose conditions from the list."));
        }
    }
    let t = now();
    let search = format!("{} {} {}", c.title, c.summary, c.body).to_lowercase();
    let tx = state.db.begin().await?;
    let id = match id {
        Some(id) => {
            let old = load(&tx, id).await?;
            let published_at = match c.status {
                Status::Published => Some(old.published_at.unwrap_or(t)),
                Status::Draft => old.published_at,
            };
            db::exec(
                &tx,
                "UPDATE resources SET kind = $1, title = $2, summary = $3, body = $4, audience = $5, status = $6, \
                 search_text = $7, published_at = $8, updated_at = $9 WHERE id = $10",
                params![
                    c.kind.as_str(),
                    c.title.clone(),
                    c.summary.clone(),
                    c.body.clone(),
                    c.audience.as_str(),
                    c.status.as_str(),
                    search,
                    published_at,
                    t,
                    id
                ],
            )
            .await?;
            db::exec(&tx, "DELETE FROM resource_tags WHERE resource_id = $1", params![id]).await?;
            id
        }
        None => {
            let id = Uuid::now_v7();
            let published_at = (c.status == Status::Published).then_some(t);
            db::exec(
                &tx,
                "INSERT INTO resources (id, kind, title, summary, body, audience, status, search_text, created_by, \
                 created_at, updated_at, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11)",
                params![
                    id,
                    c.kind.as_str(),
                    c.title.clone(),
                    c.summary.clone(),
                    c.body.clone(),
                    c.audience.as_str(),
                    c.status.as_str(),
                    search,
                    actor,
                    t,
                    published_at
                ],
            )
            .await?;
            id
        }
    };
    write_tags(&tx, id, c).await?;
    audit::record(&tx, Some(actor), "resource_saved", None, Some(ip), serde_json::json!({ "resource": id })).await?;
    tx.commit().await?;
    Ok(id)
}

async fn write_tags<C: ConnectionTrait>(c: &C, id: Uuid, clean: &Clean) -> AppResult<()> {
    let topics = clean.topics.iter().map(|t| ("topic", t.clone()));
    let conditions = clean.conditions.iter().map(|x| ("condition", x.to_string()));
    let types = clean.member_types.iter().map(|t| ("member_type", t.as_str().to_string()));
    for (facet, value) in topics.chain(conditions).chain(types) {
        db::exec(
            c,
            "INSERT INTO resource_tags (resource_id, facet, value) VALUES ($1, $2, $3)",
            params![id, facet, value],
        )
        .await?;
    }
    Ok(())
}

/// One resource whatever its state, or 404.
pub async fn load<C: ConnectionTrait>(c: &C, id: Uuid) -> AppResult<ResourceRow> {
    db::one(c, &format!("SELECT {COLUMNS} FROM resources r WHERE r.id = $1"), params![id])
        .await?
        .ok_or(AppError::NotFound)
}

/// The resources among `ids` that exist, whatever their state, in one query (staff).
pub async fn load_many(db: &Db, ids: &[Uuid]) -> AppResult<HashMap<Uuid, ResourceRow>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!("SELECT {COLUMNS} FROM resources r WHERE r.id IN ({})", db::placeholders(1, ids.len()));
    let rows: Vec<ResourceRow> = db.all(&sql, ids.iter().map(|i| Value::from(*i)).collect()).await?;
    Ok(rows.into_iter().map(|r| (r.id, r)).collect())
}

/// One resource `viewer` may open, or 404 (a draft or a members-only one for a visitor
/// is not found, so its existence does not show).
pub async fn open(db: &Db, viewer: &Viewer, id: Uuid) -> AppResult<ResourceRow> {
    let row = load(db.reader(), id).await?;
    if row.may_open(viewer) { Ok(row) } else { Err(AppError::NotFound) }
}

/// What a list of the library is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: Option<Kind>,
    pub topic: Option<String>,
    pub condition: Option<Uuid>,
    pub member_type: Option<MemberType>,
    /// Words the title, summary or text contain (already checked at the edge).
    pub text: Option<String>,
    /// Only these resources (those tagged with a moment), when set.
    pub ids: Option<Vec<Uuid>>,
}

/// A page of the resources `viewer` may open, newest first.
pub async fn list(
    db: &Db,
    viewer: &Viewer,
    f: &Filter,
    cursor: Option<&str>,
    limit: u64,
) -> AppResult<Page<ResourceRow>> {
    let mut values: Vec<Value> = Vec::new();
    let mut bind = |v: Value| {
        values.push(v);
        format!("${}", values.len())
    };
    let mut filter = policy::may_open_sql(viewer, "r");
    if let Some(k) = f.kind {
        filter.push_str(&format!(" AND r.kind = {}", bind(k.as_str().into())));
    }
    let tagged = [
        ("topic", f.topic.clone()),
        ("condition", f.condition.map(|c| c.to_string())),
        ("member_type", f.member_type.map(|t| t.as_str().to_string())),
    ];
    for (facet, value) in tagged {
        if let Some(v) = value {
            filter.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM resource_tags t WHERE t.resource_id = r.id AND t.facet = '{facet}' AND t.value = {})",
                bind(v.into())
            ));
        }
    }
    if let Some(ids) = &f.ids {
        filter.push_str(&format!(" AND {}", contracts::moments::restrict_sql(db.reader(), "r.id", ids, &mut bind)));
    }
    if let Some(q) = f.text.as_deref().filter(|q| !q.is_empty()) {
        filter.push_str(&format!(" AND r.search_text LIKE {} ESCAPE '\\'", bind(db::like_contains(q).into())));
    }
    if let Some(c) = cursor.filter(|c| !c.is_empty()) {
        let (at, id): (DateTime<Utc>, Uuid) = page::decode(c)?;
        filter.push_str(&format!(" AND (r.published_at, r.id) < ({}, {})", bind(at.into()), bind(id.into())));
    }
    let lim = bind(((limit + 1) as i64).into());
    let sql =
        format!("SELECT {COLUMNS} FROM resources r WHERE {filter} ORDER BY r.published_at DESC, r.id DESC LIMIT {lim}");
    let rows: Vec<ResourceRow> = db.all(&sql, values).await?;
    Ok(page::finish(rows, limit, |r| (r.published_at.unwrap_or(r.updated_at), r.id)))
}

/// Every resource, drafts included, last changed first (staff).
pub async fn all_for_staff(db: &Db, limit: u64) -> AppResult<Vec<ResourceRow>> {
    Ok(db
        .all(
            &format!("SELECT {COLUMNS} FROM resources r ORDER BY r.updated_at DESC, r.id DESC LIMIT $1"),
            params![limit as i64],
        )
        .await?)
}

/// The file a resource now has (stored name, name shown, type, size); the old stored
/// name, to remove once this is committed.
pub struct StoredFile {
    pub name: String,
    pub label: String,
    pub content_type: String,
    pub size: i64,
}

pub async fn set_file(
    state: &AppState,
    actor: MemberId,
    id: Uuid,
    f: &StoredFile,
    ip: &str,
) -> AppResult<Option<String>> {
    let tx = state.db.begin().await?;
    let old = load(&tx, id).await?.file_name;
    db::exec(
        &tx,
        "UPDATE resources SET file_name = $1, file_label = $2, file_type = $3, file_size = $4, updated_at = $5 WHERE id = $6",
        params![f.name.clone(), f.label.clone(), f.content_type.clone(), f.size, now(), id],
    )
    .await?;
    audit::record(&tx, Some(actor), "resource_file_uploaded", None, Some(ip), serde_json::json!({ "resource": id }))
        .await?;
    tx.commit().await?;
    Ok(old)
}
