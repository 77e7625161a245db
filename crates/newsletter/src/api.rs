//! The newsletter JSON API: the signed-in member's preferences.

use axum::body::Bytes;
use axum::routing::get;
use axum::{Json, Router};
use kernel::http::Req;
use kernel::{AppResult, AppState};
use utoipa::OpenApi;

use crate::preferences::{self, Preferences};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/api/v1/me/newsletter-preferences", get(get_preferences).put(put_preferences))
}

#[derive(OpenApi)]
#[openapi(paths(get_preferences, put_preferences), components(schemas(Preferences)))]
pub(crate) struct NewsletterApi;

/// What the signed-in member receives: the weekly issue, the monthly resources, topics.
#[utoipa::path(get, path = "/api/v1/me/newsletter-preferences", tag = "newsletter", security(("bearer" = [])),
    responses((status = 200, body = Preferences), (status = 401)))]
async fn get_preferences(Req { state, ctx }: Req) -> AppResult<Json<Preferences>> {
    let me = ctx.viewer.require_member()?;
    Ok(Json(preferences::load(&state.db, me.id).await?))
}

/// Replaces the signed-in member's preferences. Topics must be codes of the list shown
/// on the preferences page, each at most once.
#[utoipa::path(put, path = "/api/v1/me/newsletter-preferences", tag = "newsletter", security(("bearer" = [])),
    request_body = Preferences,
    responses((status = 200, body = Preferences), (status = 400), (status = 401), (status = 422)))]
async fn put_preferences(Req { state, ctx }: Req, body: Bytes) -> AppResult<Json<Preferences>> {
    let me = ctx.viewer.require_member()?;
    let p: Preferences = kernel::http::json(&body)?;
    preferences::save(&state.db, me.id, &p).await?;
    Ok(Json(p))
}
