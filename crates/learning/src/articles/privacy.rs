//! What the articles hold about a member: their part of "download my data" (the articles
//! they wrote, whatever their status, and the comments they wrote), and erasure when the
//! account is deleted: their articles go with their comments and images (rows in the
//! delivery's transaction, then the files), and so do the comments they wrote on others'
//! articles as an editor.

use std::path::PathBuf;

use contracts::events::MemberDeleted;
use futures::future::BoxFuture;
use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::outbox::{Consumer, DomainEvent, Event};
use kernel::params;
use sea_orm::DatabaseTransaction;
use serde::Serialize;
use uuid::Uuid;

use super::images;

pub(crate) struct ArticlesExport;

#[derive(Serialize, sea_orm::FromQueryResult)]
struct Written {
    id: Uuid,
    title: String,
    slug: String,
    status: String,
    body: String,
    published_at: Option<chrono::DateTime<chrono::Utc>>,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Serialize, sea_orm::FromQueryResult)]
struct Commented {
    article_id: Uuid,
    paragraph: Option<i64>,
    status_change: Option<String>,
    body: String,
    created_at: chrono::DateTime<chrono::Utc>,
}

impl kernel::state::Exporter for ArticlesExport {
    fn section(&self) -> &'static str {
        "articles"
    }

    fn export<'a>(&'a self, db: &'a Db, member: MemberId) -> BoxFuture<'a, anyhow::Result<serde_json::Value>> {
        Box::pin(async move {
            let articles: Vec<Written> = db
                .all(
                    "SELECT id, title, slug, status, body, published_at, created_at, updated_at FROM articles \
                     WHERE author_id = $1 ORDER BY created_at",
                    params![member],
                )
                .await?;
            let comments: Vec<Commented> = db
                .all(
                    "SELECT article_id, paragraph, status_change, body, created_at FROM article_comments \
                     WHERE author_id = $1 ORDER BY created_at",
                    params![member],
                )
                .await?;
            let images: Vec<String> = db
                .column(
                    "SELECT i.file FROM article_images i JOIN articles a ON a.id = i.article_id WHERE a.author_id = $1 ORDER BY i.created_at",
                    params![member],
                )
                .await?;
            Ok(serde_json::json!({ "articles": articles, "comments": comments, "images": images }))
        })
    }
}

/// Erases a deleted member's articles, images and comments (`MemberDeleted`, consumed as
/// "articles-erasure").
pub(crate) struct Eraser {
    pub folder: PathBuf,
}

impl Consumer for Eraser {
    fn name(&self) -> &'static str {
        "articles-erasure"
    }

    fn handles(&self) -> &[&'static str] {
        &[MemberDeleted::KIND]
    }

    fn handle<'a>(&'a self, tx: &'a DatabaseTransaction, event: &'a Event) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let Some(e) = event.decode::<MemberDeleted>() else { return Ok(()) };
            let files = erase(tx, e.member_id).await?;
            // The files go with the rows; were the delivery to roll back, the retry
            // deletes the rows again and finds the files already gone.
            images::remove_files(&self.folder, &files).await;
            Ok(())
        })
    }
}

/// Deletes the rows; the image files to remove.
pub(crate) async fn erase(tx: &DatabaseTransaction, member: MemberId) -> anyhow::Result<Vec<String>> {
    let files = images::files_of_author(tx, member).await?;
    db::exec(
        tx,
        "DELETE FROM article_comments WHERE author_id = $1 OR article_id IN (SELECT id FROM articles WHERE author_id = $1)",
        params![member],
    )
    .await?;
    db::exec(
        tx,
        "DELETE FROM article_images WHERE article_id IN (SELECT id FROM articles WHERE author_id = $1)",
        params![member],
    )
    .await?;
    db::exec(tx, "DELETE FROM articles WHERE author_id = $1", params![member]).await?;
    Ok(files)
}
