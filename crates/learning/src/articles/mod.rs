//! The articles of the learning slice: Health Leaders write articles (Markdown with
//! images), editors take them through draft → submitted → in review → changes requested
//! → scheduled → published → featured with comments on the whole or on a paragraph, and
//! published ones have a public page and Atom feeds. Points for publishing and featuring
//! go through the outbox (`editorial.rs`); who may read what is `policy.rs`.

mod access;
mod api;
mod demo;
mod drafting;
mod editorial;
mod feed;
mod images;
mod model;
pub mod policy;
mod privacy;
mod store;
mod text;
mod views;
mod web;

use std::sync::Arc;

use axum::Router;
use kernel::slice::{DemoPeople, Wiring};
use kernel::viewer::Viewer;
use kernel::{AppResult, AppState};

pub(crate) use editorial::PublishScheduled;

/// HTML pages.
pub(crate) fn web_router() -> Router<AppState> {
    web::router()
}

/// JSON API.
pub(crate) fn api_router() -> Router<AppState> {
    api::router()
}

pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    <api::ArticlesApi as utoipa::OpenApi>::openapi()
}

/// Consumers, exporters and settings of this area.
pub(crate) fn wire(w: &mut Wiring) -> anyhow::Result<()> {
    w.consumer(Arc::new(privacy::Eraser { folder: images::dir(w.config) }));
    w.exporter(Arc::new(privacy::ArticlesExport));
    Ok(())
}

/// Demo content.
pub(crate) async fn demo(state: &AppState, people: &mut DemoPeople) -> anyhow::Result<()> {
    demo::load(state, people).await
}

/// What a search for `q` finds here that `viewer` may open: published articles only,
/// for everyone alike (drafts are found on "my articles" and the editorial queue).
pub(crate) async fn search(
    state: &AppState,
    _viewer: &Viewer,
    q: &str,
    limit: u64,
) -> AppResult<Vec<contracts::learning::LearningHit>> {
    let q = kernel::search::search_text(q)?;
    if q.is_empty() {
        return Ok(vec![]);
    }
    let rows = store::search(&state.db, q, limit).await?;
    Ok(rows
        .into_iter()
        .map(|r| contracts::learning::LearningHit {
            kind: "article".into(),
            summary: text::summary(&r.body),
            url: format!("/articles/{}", r.slug),
            title: r.title,
        })
        .collect())
}

/// Featured articles, for the home page's "New this month", with their authors' names
/// (one statement).
pub(crate) async fn featured(state: &AppState, _viewer: &Viewer) -> AppResult<Vec<contracts::learning::NewItem>> {
    #[derive(sea_orm::FromQueryResult)]
    struct Featured {
        slug: String,
        title: String,
        author: Option<String>,
    }
    let author = contracts::members::directory(state)?.display_name_sql("a.author_id");
    let sql = format!(
        "SELECT a.slug, a.title, {author} AS author FROM articles a WHERE a.status = 'featured' AND {} \
         ORDER BY a.featured_at DESC, a.id DESC LIMIT 3",
        policy::public_sql("a")
    );
    let rows: Vec<Featured> = state.db.all(&sql, kernel::params![]).await?;
    Ok(rows
        .into_iter()
        .map(|r| contracts::learning::NewItem {
            href: format!("/articles/{}", r.slug),
            note: format!("Featured article by {}", r.author.as_deref().unwrap_or("a member")),
            title: r.title,
        })
        .collect())
}
