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

/// Featured articles, for the home page's "New this month".
pub(crate) async fn featured(state: &AppState, _viewer: &Viewer) -> AppResult<Vec<contracts::learning::NewItem>> {
    let rows = store::featured(&state.db, 3).await?;
    let ids: Vec<_> = rows.iter().map(|r| r.author_id).collect();
    let names = contracts::members::directory(state)?.display_names((&state.db).into(), &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| contracts::learning::NewItem {
            href: format!("/articles/{}", r.slug),
            note: format!("Featured article by {}", names.get(&r.author_id).map(String::as_str).unwrap_or("a member")),
            title: r.title,
        })
        .collect())
}
