//! The advocacy resources: a library of guides, toolkits, templates and checklists
//! (Markdown and/or a file), tagged by topic, condition and member type, public or for
//! members, draft or published; and a collection per month, with an intro and its
//! resources in order, out from a date. Readers meet them on the library's pages, the
//! API, search and the home page's "New this month", all filtered by one policy.

mod access;
mod api;
mod collections;
mod demo;
mod drafting;
mod files;
mod filters;
mod library;
mod model;
pub mod policy;
mod privacy;
mod views;
mod web;

use axum::Router;
use contracts::events::MemberDeleted;
use kernel::slice::{DemoPeople, Wiring};
use kernel::viewer::Viewer;
use kernel::{AppResult, AppState};
use utoipa::OpenApi;

use library::Filter;
use model::kind_label;

/// HTML pages.
pub(crate) fn web_router() -> Router<AppState> {
    web::router()
}

/// JSON API.
pub(crate) fn api_router() -> Router<AppState> {
    api::router()
}

pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    api::ResourcesApi::openapi()
}

/// Consumers, exporters and settings of this area.
pub(crate) fn wire(w: &mut Wiring) -> anyhow::Result<()> {
    w.consumer(kernel::outbox::on::<MemberDeleted>("learning-resources-erasure", |tx, _, e| {
        Box::pin(privacy::erase(tx, e.member_id))
    }));
    Ok(())
}

/// Demo content.
pub(crate) async fn demo(state: &AppState, people: &mut DemoPeople) -> anyhow::Result<()> {
    demo::load(state, people).await
}

/// What a search for `q` finds here that `viewer` may open.
pub(crate) async fn search(
    state: &AppState,
    viewer: &Viewer,
    q: &str,
    limit: u64,
) -> AppResult<Vec<contracts::learning::LearningHit>> {
    let q = kernel::search::search_text(q)?;
    if q.is_empty() {
        return Ok(vec![]);
    }
    let filter = Filter { text: Some(q.to_string()), ..Default::default() };
    let rows = library::list(&state.db, viewer, &filter, None, limit.clamp(1, 100)).await?;
    Ok(rows
        .items
        .into_iter()
        .map(|r| contracts::learning::LearningHit {
            kind: "resource".into(),
            summary: if r.summary.is_empty() { kernel::markdown::excerpt(&r.body, 200) } else { r.summary.clone() },
            url: format!("/resources/{}", r.id),
            title: r.title,
        })
        .collect())
}

/// The most of this month's resources the home page lists (the collection's page has all).
const NEW_THIS_MONTH_MAX: usize = 12;

/// This month's collection, for the home page's "New this month": the items of the
/// current month's collection, if it is out, that `viewer` may open.
pub(crate) async fn new_this_month(state: &AppState, viewer: &Viewer) -> AppResult<Vec<contracts::learning::NewItem>> {
    let rows = collections::this_month_open(&state.db, viewer).await?;
    Ok(rows.iter().take(NEW_THIS_MONTH_MAX).map(new_item).collect())
}

/// [`new_this_month`] for each of `viewers`: the month's items read once (drafts
/// included), each viewer's share chosen by the policy's Rust form.
pub(crate) async fn new_this_month_for_each(
    state: &AppState,
    viewers: &[Viewer],
) -> AppResult<Vec<Vec<contracts::learning::NewItem>>> {
    let rows = match collections::out(&state.db, model::Month::of(kernel::time::now())).await {
        Ok(c) => collections::items_all(state.db.reader(), c.id).await?,
        Err(kernel::AppError::NotFound) => vec![],
        Err(e) => return Err(e),
    };
    Ok(viewers
        .iter()
        .map(|v| rows.iter().filter(|r| r.may_open(v)).take(NEW_THIS_MONTH_MAX).map(new_item).collect())
        .collect())
}

fn new_item(r: &library::ResourceRow) -> contracts::learning::NewItem {
    contracts::learning::NewItem {
        href: format!("/resources/{}", r.id),
        note: format!("{} in this month's resources", kind_label(&r.kind)),
        title: r.title.clone(),
    }
}
