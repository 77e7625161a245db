//! The community API, second part: what members do to posts (edit, delete, react),
//! what moderators and staff do (pin, lock, move, prompts, group membership, report
//! details, archiving a group, removing a member) and notification e-mail settings.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use kernel::http::{ApiJson, Req, RequestContext, path_id};
use kernel::{AppResult, AppState};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::curation::{self, NewPrompt, ThreadChanges};
use crate::edits::{self, Edit, Revision};
use crate::email::{self, EmailSettings};
use crate::thread_moments::{self, ThreadMoments};
use crate::threads::Thread;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/replies/{id}", axum::routing::patch(edit_reply).delete(delete_reply))
        .route("/api/v1/threads/{id}/history", get(thread_history))
        .route("/api/v1/replies/{id}/history", get(reply_history))
        .route("/api/v1/threads/{id}/reactions/{kind}", put(react_thread).delete(unreact_thread))
        .route("/api/v1/replies/{id}/reactions/{kind}", put(react_reply).delete(unreact_reply))
        .route("/api/v1/threads/{id}/moderate", post(moderate_thread))
        .route("/api/v1/groups/{id}/prompts", post(create_prompt))
        .route("/api/v1/threads/{id}/moments", get(get_thread_moments).put(put_thread_moments))
        .route("/api/v1/groups/{id}/leave", post(leave_group))
        .route("/api/v1/groups/{id}/members/{member_id}/{action}", post(manage_member))
        .route("/api/v1/moderation/reports/{id}", get(report_detail))
        .route("/api/v1/admin/groups/{id}/archive", post(archive_group))
        .route("/api/v1/admin/groups/{id}/unarchive", post(unarchive_group))
        .route("/api/v1/admin/groups/{id}/members/{member_id}", axum::routing::delete(remove_member))
        .route("/api/v1/me/notification-settings", get(get_settings).put(put_settings))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        edit_thread,
        edit_reply,
        delete_thread,
        delete_reply,
        thread_history,
        reply_history,
        react_thread,
        unreact_thread,
        react_reply,
        unreact_reply,
        moderate_thread,
        create_prompt,
        get_thread_moments,
        put_thread_moments,
        leave_group,
        manage_member,
        report_detail,
        archive_group,
        unarchive_group,
        remove_member,
        get_settings,
        put_settings,
        crate::live::stream,
        crate::settings_web::activity_api
    ),
    components(schemas(
        Edit,
        Revision,
        RevisionList,
        ThreadChanges,
        NewPrompt,
        ThreadMoments,
        EmailSettings,
        crate::moderation::ReportDetail,
        crate::settings_web::ActivityList,
        crate::feed::ActivityItem
    ))
)]
pub struct ActionsApi;

/// Edit my thread (title, body, content note). The earlier version is kept for moderators.
#[utoipa::path(patch, path = "/api/v1/threads/{id}", tag = "community", params(("id" = Uuid, Path)), request_body = Edit,
    security(("bearer" = [])), responses((status = 204), (status = 403), (status = 404), (status = 422), (status = 409, description = "group_archived: the group is archived")))]
pub(crate) async fn edit_thread(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<Edit>,
) -> AppResult<StatusCode> {
    edits::edit(&state, &ctx.viewer, "thread", path_id(&id)?, &b).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Edit my reply. The earlier version is kept for moderators.
#[utoipa::path(patch, path = "/api/v1/replies/{id}", tag = "community", params(("id" = Uuid, Path)), request_body = Edit,
    security(("bearer" = [])), responses((status = 204), (status = 403), (status = 404), (status = 422), (status = 409, description = "group_archived: the group is archived")))]
async fn edit_reply(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<Edit>,
) -> AppResult<StatusCode> {
    edits::edit(&state, &ctx.viewer, "reply", path_id(&id)?, &b).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Delete my thread (a tombstone stays when others replied).
#[utoipa::path(delete, path = "/api/v1/threads/{id}", tag = "community", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 403), (status = 404)))]
pub(crate) async fn delete_thread(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<StatusCode> {
    edits::delete(&state, &ctx.viewer, "thread", path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Delete my reply (a tombstone stays when someone quoted it).
#[utoipa::path(delete, path = "/api/v1/replies/{id}", tag = "community", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 403), (status = 404)))]
async fn delete_reply(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<StatusCode> {
    edits::delete(&state, &ctx.viewer, "reply", path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct RevisionList {
    pub items: Vec<Revision>,
}

/// Earlier versions of a thread (the group's moderators and staff).
#[utoipa::path(get, path = "/api/v1/threads/{id}/history", tag = "moderation", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses((status = 200, body = RevisionList), (status = 401), (status = 403), (status = 404)))]
async fn thread_history(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Json<RevisionList>> {
    // Signed in before anything else: a visitor is told to sign in, not that nothing is there.
    ctx.viewer.require_member()?;
    Ok(Json(RevisionList { items: edits::history(&state, &ctx.viewer, "thread", path_id(&id)?).await? }))
}

/// Earlier versions of a reply (the group's moderators and staff).
#[utoipa::path(get, path = "/api/v1/replies/{id}/history", tag = "moderation", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses((status = 200, body = RevisionList), (status = 401), (status = 403), (status = 404)))]
async fn reply_history(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Json<RevisionList>> {
    // Signed in before anything else: a visitor is told to sign in, not that nothing is there.
    ctx.viewer.require_member()?;
    Ok(Json(RevisionList { items: edits::history(&state, &ctx.viewer, "reply", path_id(&id)?).await? }))
}

async fn react(
    state: &AppState,
    ctx: &RequestContext,
    target: &str,
    id: &str,
    kind: &str,
    on: bool,
) -> AppResult<StatusCode> {
    crate::reactions::set(state, &ctx.viewer, target, path_id(id)?, kind, on).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// React to a thread: support, me_too or thank_you.
#[utoipa::path(put, path = "/api/v1/threads/{id}/reactions/{kind}", tag = "community", params(("id" = Uuid, Path), ("kind" = String, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 403), (status = 404), (status = 422), (status = 409, description = "group_archived: the group is archived")))]
async fn react_thread(Req { state, ctx }: Req, Path((id, kind)): Path<(String, String)>) -> AppResult<StatusCode> {
    react(&state, &ctx, "thread", &id, &kind, true).await
}

#[utoipa::path(delete, path = "/api/v1/threads/{id}/reactions/{kind}", tag = "community", params(("id" = Uuid, Path), ("kind" = String, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 404), (status = 409, description = "group_archived: the group is archived")))]
async fn unreact_thread(Req { state, ctx }: Req, Path((id, kind)): Path<(String, String)>) -> AppResult<StatusCode> {
    react(&state, &ctx, "thread", &id, &kind, false).await
}

/// React to a reply: support, me_too or thank_you.
#[utoipa::path(put, path = "/api/v1/replies/{id}/reactions/{kind}", tag = "community", params(("id" = Uuid, Path), ("kind" = String, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 403), (status = 404), (status = 422), (status = 409, description = "group_archived: the group is archived")))]
async fn react_reply(Req { state, ctx }: Req, Path((id, kind)): Path<(String, String)>) -> AppResult<StatusCode> {
    react(&state, &ctx, "reply", &id, &kind, true).await
}

#[utoipa::path(delete, path = "/api/v1/replies/{id}/reactions/{kind}", tag = "community", params(("id" = Uuid, Path), ("kind" = String, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 404), (status = 409, description = "group_archived: the group is archived")))]
async fn unreact_reply(Req { state, ctx }: Req, Path((id, kind)): Path<(String, String)>) -> AppResult<StatusCode> {
    react(&state, &ctx, "reply", &id, &kind, false).await
}

/// Pin, lock or move a thread (the group's moderators, or staff).
#[utoipa::path(post, path = "/api/v1/threads/{id}/moderate", tag = "moderation", params(("id" = Uuid, Path)), request_body = ThreadChanges,
    security(("bearer" = [])), responses((status = 200, body = Thread), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn moderate_thread(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ThreadChanges>,
) -> AppResult<Json<Thread>> {
    Ok(Json(curation::change(&state, &ctx.viewer, path_id(&id)?, &b, &ctx.client_ip).await?))
}

/// Schedule a Health Leader discussion: a prompt pinned from `opens_at` to `closes_at` (staff).
#[utoipa::path(post, path = "/api/v1/groups/{id}/prompts", tag = "community", params(("id" = Uuid, Path)), request_body = NewPrompt,
    security(("bearer" = [])), responses((status = 201, body = Thread), (status = 403), (status = 404), (status = 422), (status = 409, description = "group_archived: the group is archived")))]
async fn create_prompt(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NewPrompt>,
) -> AppResult<Response> {
    let t = curation::create_prompt(&state, &ctx.viewer, path_id(&id)?, &b).await?;
    Ok((StatusCode::CREATED, Json(t)).into_response())
}

/// The moments a thread carries (those who may read it).
#[utoipa::path(get, path = "/api/v1/threads/{id}/moments", tag = "community", params(("id" = Uuid, Path)),
    responses((status = 200, body = ThreadMoments), (status = 404)))]
async fn get_thread_moments(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Json<ThreadMoments>> {
    Ok(Json(thread_moments::of(&state, &ctx.viewer, path_id(&id)?).await?))
}

/// Replace the moments a thread carries (its author, or the group's moderators).
#[utoipa::path(put, path = "/api/v1/threads/{id}/moments", tag = "community", params(("id" = Uuid, Path)),
    request_body = ThreadMoments, security(("bearer" = [])),
    responses((status = 200, body = ThreadMoments), (status = 403), (status = 404), (status = 422)))]
async fn put_thread_moments(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ThreadMoments>,
) -> AppResult<Json<ThreadMoments>> {
    Ok(Json(thread_moments::set(&state, &ctx.viewer, path_id(&id)?, &b).await?))
}

/// Leave a group.
#[utoipa::path(post, path = "/api/v1/groups/{id}/leave", tag = "community", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 404), (status = 409)))]
async fn leave_group(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<StatusCode> {
    crate::groups::leave(&state, &ctx.viewer, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove, ban or unban a member; owners also make_moderator or make_member.
#[utoipa::path(post, path = "/api/v1/groups/{id}/members/{member_id}/{action}", tag = "moderation",
    params(("id" = Uuid, Path), ("member_id" = Uuid, Path), ("action" = String, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn manage_member(
    Req { state, ctx }: Req,
    Path((id, member, action)): Path<(String, String, String)>,
) -> AppResult<StatusCode> {
    crate::groups::manage(&state, &ctx.viewer, path_id(&id)?, path_id(&member)?, &action, &ctx.client_ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A report with the reported content, for those who handle it (reading a reported message is audited).
#[utoipa::path(get, path = "/api/v1/moderation/reports/{id}", tag = "moderation", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses((status = 200, body = crate::moderation::ReportDetail), (status = 403), (status = 404)))]
async fn report_detail(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
) -> AppResult<Json<crate::moderation::ReportDetail>> {
    Ok(Json(crate::moderation::detail(&state, &ctx.viewer, path_id(&id)?, &ctx.client_ip).await?))
}

/// How I hear of each kind of notification by e-mail.
#[utoipa::path(get, path = "/api/v1/me/notification-settings", tag = "community", security(("bearer" = [])),
    responses((status = 200, body = EmailSettings), (status = 401)))]
async fn get_settings(Req { state, ctx }: Req) -> AppResult<Json<EmailSettings>> {
    let me = ctx.viewer.require_member()?;
    Ok(Json(email::settings(&state.db, me.id).await?))
}

/// Change how I hear of some kinds of notification: immediate, daily or never.
#[utoipa::path(put, path = "/api/v1/me/notification-settings", tag = "community", request_body = EmailSettings, security(("bearer" = [])),
    responses((status = 200, body = EmailSettings), (status = 401), (status = 422)))]
async fn put_settings(Req { state, ctx }: Req, ApiJson(b): ApiJson<EmailSettings>) -> AppResult<Json<EmailSettings>> {
    let me = ctx.viewer.require_member()?;
    email::save(&state.db, me.id, &b).await?;
    Ok(Json(email::settings(&state.db, me.id).await?))
}

/// Archive a group (staff): it leaves the list of groups and takes no new posts, but
/// stays readable to those who could read it. Archiving it again changes nothing.
#[utoipa::path(post, path = "/api/v1/admin/groups/{id}/archive", tag = "community", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 404)))]
async fn archive_group(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<StatusCode> {
    set_archived(&state, &ctx, &id, true).await
}

/// Bring an archived group back (staff): listed again, and open to posts.
#[utoipa::path(post, path = "/api/v1/admin/groups/{id}/unarchive", tag = "community", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 404)))]
async fn unarchive_group(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<StatusCode> {
    set_archived(&state, &ctx, &id, false).await
}

/// Remove a member from a group (staff), as its moderators' `remove` does: their
/// membership ends as if they had left. The group's owner is never removed (409).
#[utoipa::path(delete, path = "/api/v1/admin/groups/{id}/members/{member_id}", tag = "community",
    params(("id" = Uuid, Path), ("member_id" = Uuid, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 404), (status = 409), (status = 422)))]
async fn remove_member(Req { state, ctx }: Req, Path((id, member)): Path<(String, String)>) -> AppResult<StatusCode> {
    ctx.viewer.require_role(kernel::viewer::Role::Staff)?;
    let (id, member) = (path_id(&id)?, path_id(&member)?);
    crate::groups::manage(&state, &ctx.viewer, id, member, "remove", &ctx.client_ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn set_archived(state: &AppState, ctx: &RequestContext, id: &str, archived: bool) -> AppResult<StatusCode> {
    ctx.viewer.require_role(kernel::viewer::Role::Staff)?;
    crate::group_admin::set_archived(state, &ctx.viewer, path_id(id)?, archived, &ctx.client_ip).await?;
    Ok(StatusCode::NO_CONTENT)
}
