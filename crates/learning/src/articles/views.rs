//! How an article is shown through the API: the article, its author's name, and the
//! editorial conversation for those who may see it (its author and the editors).

use chrono::{DateTime, Utc};
use contracts::members::directory;
use kernel::ids::MemberId;
use kernel::viewer::Viewer;
use kernel::{AppResult, AppState};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::model::Status;
use super::policy;
use super::store::{self, ArticleRow, CommentRow};
use super::text;

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ArticleAuthor)]
pub(crate) struct AuthorRef {
    pub id: MemberId,
    pub display_name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct ArticleView {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    /// Markdown.
    pub body: String,
    pub status: Status,
    pub author: AuthorRef,
    /// The public page (it answers 404 until the article is published).
    pub url: String,
    pub reading_minutes: usize,
    /// When a scheduled article goes out.
    pub publish_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub featured_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The editorial conversation, oldest first: only for the author and the editors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comments: Option<Vec<CommentRow>>,
}

/// An article as `viewer` (who may read it) sees it through the API.
pub(crate) async fn view(state: &AppState, viewer: &Viewer, row: ArticleRow) -> AppResult<ArticleView> {
    let comments = if policy::may_see_comments(viewer, &row.access()) {
        Some(store::comments(&state.db, row.id).await?)
    } else {
        None
    };
    let names = directory(state)?.display_names((&state.db).into(), &[row.author_id]).await?;
    Ok(ArticleView {
        author: AuthorRef {
            id: row.author_id,
            display_name: names.get(&row.author_id).cloned().unwrap_or_else(|| "A member".into()),
        },
        url: state.config.url(&format!("/articles/{}", row.slug)),
        reading_minutes: text::reading_minutes(&row.body),
        status: row.status(),
        id: row.id,
        slug: row.slug,
        title: row.title,
        body: row.body,
        publish_at: row.publish_at,
        published_at: row.published_at,
        featured_at: row.featured_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
        comments,
    })
}

/// A line of a list: an article without its text.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct ArticleSummary {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub status: Status,
    pub author: AuthorRef,
    pub url: String,
    pub reading_minutes: usize,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// List lines for `rows`, with their authors' names in one query.
pub(crate) async fn summaries(state: &AppState, rows: Vec<ArticleRow>) -> AppResult<Vec<ArticleSummary>> {
    let ids: Vec<MemberId> = rows.iter().map(|r| r.author_id).collect();
    let names = directory(state)?.display_names((&state.db).into(), &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| ArticleSummary {
            author: AuthorRef {
                id: r.author_id,
                display_name: names.get(&r.author_id).cloned().unwrap_or_else(|| "A member".into()),
            },
            url: state.config.url(&format!("/articles/{}", r.slug)),
            summary: text::summary(&r.body),
            reading_minutes: text::reading_minutes(&r.body),
            status: r.status(),
            id: r.id,
            slug: r.slug,
            title: r.title,
            published_at: r.published_at,
            updated_at: r.updated_at,
        })
        .collect())
}
