//! The articles of the learning slice.

use axum::Router;
use kernel::slice::{DemoPeople, Wiring};
use kernel::viewer::Viewer;
use kernel::{AppResult, AppState};
use utoipa::OpenApi;

/// HTML pages.
pub(crate) fn web_router() -> Router<AppState> {
    Router::new()
}

/// JSON API.
pub(crate) fn api_router() -> Router<AppState> {
    Router::new()
}

#[derive(OpenApi)]
#[openapi()]
struct Api;

pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    Api::openapi()
}

/// Consumers, exporters and settings of this area.
pub(crate) fn wire(_w: &mut Wiring) -> anyhow::Result<()> {
    Ok(())
}

/// Demo content.
pub(crate) async fn demo(_state: &AppState, _people: &mut DemoPeople) -> anyhow::Result<()> {
    Ok(())
}

/// What a search for `q` finds here that `viewer` may open.
pub(crate) async fn search(
    _state: &AppState,
    _viewer: &Viewer,
    _q: &str,
    _limit: u64,
) -> AppResult<Vec<contracts::learning::LearningHit>> {
    Ok(vec![])
}

/// Featured articles, for the home page's "New this month".
pub(crate) async fn featured(_state: &AppState, _viewer: &Viewer) -> AppResult<Vec<contracts::learning::NewItem>> {
    Ok(vec![])
}
