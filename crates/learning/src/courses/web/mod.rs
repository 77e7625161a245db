use axum::Router;
use kernel::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
}
