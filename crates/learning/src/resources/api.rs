//! The resources' JSON API: the library and the monthly collections for readers (the
//! routes named in the issue are fixed), and the staff routes to write them.

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use kernel::http::{ApiQuery, Req, path_id};
use kernel::page::{self, Page};
use kernel::{AppError, AppResult, AppState, FieldErrors};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

use super::access::{api_staff, json};
use super::collections::{self, CleanCollection};
use super::drafting::{self, Draft, NewResource};
use super::filters::{self, RawFilter};
use super::library;
use super::model::Month;
use super::views::{self, CollectionView, FileView, ResourceView};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/resources", get(list))
        .route("/api/v1/resources/{id}", get(get_one))
        .route("/api/v1/resources/collections/{month}", get(collection))
        .route("/api/v1/admin/resources", post(create))
        .route("/api/v1/admin/resources/{id}", put(update))
        .route("/api/v1/admin/resources/collections/{month}", put(save_collection))
}

#[derive(OpenApi)]
#[openapi(
    paths(list, get_one, collection, create, update, save_collection),
    components(schemas(
        ResourceView,
        FileView,
        CollectionView,
        NewResource,
        CollectionInput,
        super::model::Kind,
        super::model::Audience,
        super::model::Status
    ))
)]
pub struct ResourcesApi;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// A topic code: storytelling, policy, media, social_media, research, community or self_care.
    #[serde(default)]
    pub topic: Option<String>,
    /// A condition id of the reference list (`GET /api/v1/conditions`).
    #[serde(default)]
    pub condition: Option<String>,
    /// patient, caregiver, healthcare_professional or advocate.
    #[serde(default)]
    pub member_type: Option<String>,
    /// guide, toolkit, template or checklist.
    #[serde(default)]
    pub kind: Option<String>,
    /// Words in the title, summary or text (at most 100 characters).
    #[serde(default)]
    pub q: Option<String>,
    /// A moment id (`GET /api/v1/moments`): only resources tagged with it.
    #[serde(default)]
    pub moment: Option<String>,
    #[serde(default)]
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (20 when absent).
    #[serde(default, deserialize_with = "kernel::page::limit_in_range")]
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
}

/// The library: published resources the caller may open (members-only ones need a
/// token), newest first. An unknown filter value is a 422 naming the parameter.
#[utoipa::path(get, path = "/api/v1/resources", tag = "resources", params(ListQuery),
    responses((status = 200, body = Page<ResourceView>), (status = 400, description = "invalid_query or invalid_cursor"),
        (status = 422, description = "an unknown topic, condition, member type, kind or moment")))]
async fn list(Req { state, ctx }: Req, ApiQuery(q): ApiQuery<ListQuery>) -> AppResult<Json<Page<ResourceView>>> {
    let raw = RawFilter {
        topic: q.topic.unwrap_or_default(),
        condition: q.condition.unwrap_or_default(),
        member_type: q.member_type.unwrap_or_default(),
        kind: q.kind.unwrap_or_default(),
        q: q.q.unwrap_or_default(),
        moment: q.moment.unwrap_or_default(),
    };
    let filter = filters::check(&state, &raw).await?.map_err(AppError::Validation)?;
    let rows = library::list(&state.db, &ctx.viewer, &filter, q.cursor.as_deref(), page::limit(q.limit)).await?;
    let items = views::views(&state.db, rows.items).await?;
    Ok(Json(Page { items, next_cursor: rows.next_cursor }))
}

/// One resource the caller may open; 404 for a draft, or a members-only one without a token.
#[utoipa::path(get, path = "/api/v1/resources/{id}", tag = "resources", params(("id" = Uuid, Path)),
    responses((status = 200, body = ResourceView), (status = 404)))]
async fn get_one(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Json<ResourceView>> {
    let row = library::open(&state.db, &ctx.viewer, path_id(&id)?).await?;
    Ok(Json(views::views(&state.db, vec![row]).await?.remove(0)))
}

/// A month's published collection with the resources in it the caller may open, in
/// order. 404 when that month has no collection out; 422 for a month not written `yyyy-mm`.
#[utoipa::path(get, path = "/api/v1/resources/collections/{month}", tag = "resources",
    params(("month" = String, Path, description = "yyyy-mm", example = "2026-11")),
    responses((status = 200, body = CollectionView), (status = 404), (status = 422, description = "invalid month")))]
async fn collection(Req { state, ctx }: Req, Path(month): Path<String>) -> AppResult<Json<CollectionView>> {
    let month = month_of(&month)?;
    let c = collections::out(&state.db, month).await?;
    let rows = collections::items_open(&state.db, &ctx.viewer, c.id).await?;
    Ok(Json(views::collection_view(c, views::views(&state.db, rows).await?)))
}

fn month_of(raw: &str) -> AppResult<Month> {
    Month::parse(raw).ok_or_else(|| AppError::field("month", "Write the month as yyyy-mm, like 2026-11."))
}

/// Add a resource to the library (staff). Its file, if any, is uploaded on the staff page.
#[utoipa::path(post, path = "/api/v1/admin/resources", tag = "resources (staff)", request_body = NewResource,
    security(("bearer" = [])), responses((status = 201, body = ResourceView), (status = 400), (status = 401),
        (status = 404), (status = 422)))]
async fn create(Req { state, ctx }: Req, body: Bytes) -> AppResult<Response> {
    let me = api_staff(&ctx.viewer)?;
    let n: NewResource = json(&body)?;
    let clean = drafting::validate(&Draft::from(n), false).map_err(AppError::Validation)?;
    let id = library::save(&state, me.id, None, &clean, &ctx.client_ip).await?;
    let row = library::load(state.db.reader(), id).await?;
    Ok((StatusCode::CREATED, Json(views::views(&state.db, vec![row]).await?.remove(0))).into_response())
}

/// Replace a resource's text, tags, audience and status (staff); its file stays.
#[utoipa::path(put, path = "/api/v1/admin/resources/{id}", tag = "resources (staff)", params(("id" = Uuid, Path)),
    request_body = NewResource, security(("bearer" = [])),
    responses((status = 200, body = ResourceView), (status = 400), (status = 401), (status = 404), (status = 422)))]
async fn update(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Json<ResourceView>> {
    let me = api_staff(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let old = library::load(state.db.reader(), id).await?;
    let n: NewResource = json(&body)?;
    let clean = drafting::validate(&Draft::from(n), old.file_name.is_some()).map_err(AppError::Validation)?;
    library::save(&state, me.id, Some(id), &clean, &ctx.client_ip).await?;
    let row = library::load(state.db.reader(), id).await?;
    Ok(Json(views::views(&state.db, vec![row]).await?.remove(0)))
}

/// A month's collection as staff set it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ResourceCollectionInput)]
pub struct CollectionInput {
    /// Markdown.
    #[serde(default)]
    pub intro: String,
    /// When it is out (RFC 3339); null or absent keeps it a draft.
    #[serde(default)]
    pub publish_at: Option<DateTime<Utc>>,
    /// Resource ids, in order (at most 50).
    #[serde(default)]
    pub resources: Vec<Uuid>,
}

/// Create or replace a month's collection (staff): intro, publication and items in order.
/// The answer lists every item, drafts included.
#[utoipa::path(put, path = "/api/v1/admin/resources/collections/{month}", tag = "resources (staff)",
    params(("month" = String, Path, description = "yyyy-mm", example = "2026-11")), request_body = CollectionInput,
    security(("bearer" = [])), responses((status = 200, body = CollectionView), (status = 400), (status = 401),
        (status = 404), (status = 422)))]
async fn save_collection(
    Req { state, ctx }: Req,
    Path(month): Path<String>,
    body: Bytes,
) -> AppResult<Json<CollectionView>> {
    let me = api_staff(&ctx.viewer)?;
    let month = month_of(&month)?;
    let input: CollectionInput = json(&body)?;
    let mut e = FieldErrors::new();
    let (intro, resources) = collections::check(&input.intro, input.resources, &mut e);
    e.into_result()?;
    let clean = CleanCollection { intro, publish_at: input.publish_at, resources };
    collections::save(&state, me.id, month, &clean, &ctx.client_ip).await?;
    let c = collections::of_month(state.db.reader(), month).await?.ok_or(AppError::NotFound)?;
    let rows = collections::items_all(state.db.reader(), c.id).await?;
    Ok(Json(views::collection_view(c, views::views(&state.db, rows).await?)))
}
