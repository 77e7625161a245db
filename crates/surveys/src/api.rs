//! The surveys JSON API.

use axum::Router;
use kernel::AppState;
use utoipa::OpenApi;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
}

#[derive(OpenApi)]
#[openapi()]
pub(crate) struct SurveysApi;
