//! Reading articles and their comments from the database: one row type, the lookups by
//! id and slug, and the lists (published, mine, the editorial queue), each filtered by
//! the policy's SQL form.

use chrono::{DateTime, Utc};
use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::page::{Keyset, Order, Page};
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, params};
use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;

use super::model::Status;
use super::policy::{self, Access};

/// The columns of an article, as [`ArticleRow`] reads them.
pub(crate) const COLUMNS: &str = "a.id, a.author_id, a.title, a.slug, a.body, a.status, a.publish_at, a.published_at, \
     a.featured_at, a.created_at, a.updated_at";

#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub(crate) struct ArticleRow {
    pub id: Uuid,
    pub author_id: MemberId,
    pub title: String,
    pub slug: String,
    pub body: String,
    pub status: String,
    pub publish_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub featured_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ArticleRow {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Draft)
    }

    pub fn access(&self) -> Access {
        Access { author_id: self.author_id, status: self.status() }
    }
}

/// An article by id, whoever may read it (the caller checks).
pub(crate) async fn by_id<C: ConnectionTrait>(c: &C, id: Uuid) -> AppResult<ArticleRow> {
    db::one(c, &format!("SELECT {COLUMNS} FROM articles a WHERE a.id = $1"), params![id])
        .await?
        .ok_or(AppError::NotFound)
}

/// An article `viewer` may read, by id; 404 for one they may not, as for one that
/// does not exist.
pub(crate) async fn readable(db: &Db, viewer: &Viewer, id: Uuid) -> AppResult<ArticleRow> {
    let row = by_id(db.reader(), id).await?;
    if policy::may_read(viewer, &row.access()) { Ok(row) } else { Err(AppError::NotFound) }
}

/// An article `viewer` may read, by slug (404 otherwise).
pub(crate) async fn readable_by_slug(db: &Db, viewer: &Viewer, slug: &str) -> AppResult<ArticleRow> {
    let row: ArticleRow = db
        .one(&format!("SELECT {COLUMNS} FROM articles a WHERE a.slug = $1"), params![slug.to_string()])
        .await?
        .ok_or(AppError::NotFound)?;
    if policy::may_read(viewer, &row.access()) { Ok(row) } else { Err(AppError::NotFound) }
}

/// The article `viewer` wrote, by id, for its author's own actions (404 for anyone else).
pub(crate) async fn authored<C: ConnectionTrait>(c: &C, viewer: &Viewer, id: Uuid) -> AppResult<ArticleRow> {
    let row = by_id(c, id).await?;
    if policy::is_author(viewer, &row.access()) { Ok(row) } else { Err(AppError::NotFound) }
}

/// Published and featured articles, newest first; of one author when given.
pub(crate) async fn published(
    db: &Db,
    author: Option<MemberId>,
    cursor: Option<&str>,
    limit: u64,
) -> AppResult<Page<ArticleRow>> {
    let mut params: Vec<Value> = Vec::new();
    let mut select = format!("SELECT {COLUMNS} FROM articles a WHERE {}", policy::public_sql("a"));
    if let Some(a) = author {
        params.push(a.into());
        select.push_str(" AND a.author_id = $1");
    }
    Keyset { select: &select, params, key: ("a.published_at", "a.id"), order: Order::NewestFirst }
        .page(db, cursor, limit, |r: &ArticleRow| (r.published_at.unwrap_or(r.created_at), r.id))
        .await
}

/// Every article `me` wrote, most recently changed first (a member writes a handful).
pub(crate) async fn mine(db: &Db, me: MemberId) -> AppResult<Vec<ArticleRow>> {
    let sql = format!("SELECT {COLUMNS} FROM articles a WHERE a.author_id = $1 ORDER BY a.updated_at DESC LIMIT 200");
    Ok(db.all(&sql, params![me]).await?)
}

/// The editorial queue: articles in `statuses`, oldest change first (who waited longest).
pub(crate) async fn queue(db: &Db, viewer: &Viewer, statuses: &[Status]) -> AppResult<Vec<ArticleRow>> {
    let mut values: Vec<Value> = statuses.iter().map(|s| s.as_str().into()).collect();
    let list = db::placeholders(1, values.len());
    let cond = policy::readable_sql(viewer, "a", &mut |v| {
        values.push(v);
        format!("${}", values.len())
    });
    let sql = format!(
        "SELECT {COLUMNS} FROM articles a WHERE a.status IN ({list}) AND {cond} ORDER BY a.updated_at, a.id LIMIT 200"
    );
    Ok(db.all(&sql, values).await?)
}

/// Published articles whose title or text holds `q` (case-insensitive), newest first.
pub(crate) async fn search(db: &Db, q: &str, limit: u64) -> AppResult<Vec<ArticleRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM articles a WHERE {} AND (LOWER(a.title) LIKE $1 ESCAPE '\\' OR LOWER(a.body) LIKE $1 ESCAPE '\\') \
         ORDER BY a.published_at DESC, a.id DESC LIMIT $2",
        policy::public_sql("a")
    );
    Ok(db.all(&sql, params![db::like_contains(q), limit as i64]).await?)
}

/// One comment of the editorial conversation.
#[derive(Debug, Clone, serde::Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
#[schema(as = ArticleComment)]
pub(crate) struct CommentRow {
    pub id: Uuid,
    pub author_id: MemberId,
    /// The paragraph (numbered from 1) the comment is anchored to; null for the whole article.
    pub paragraph: Option<i64>,
    /// The status the article moved to with this comment, if it came with a move.
    pub status_change: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// The conversation on an article, oldest first.
pub(crate) async fn comments(db: &Db, article: Uuid) -> AppResult<Vec<CommentRow>> {
    Ok(db
        .all(
            "SELECT id, author_id, paragraph, status_change, body, created_at FROM article_comments \
             WHERE article_id = $1 ORDER BY created_at, id LIMIT 500",
            params![article],
        )
        .await?)
}
