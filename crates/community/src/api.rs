//! The community JSON API (fixed routes: see the README).

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kernel::http::{ApiJson, ApiQuery, Req, optional_json, path_id};
use kernel::page::Page;
use kernel::{AppResult, AppState};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::groups::{self, Group, JoinOutcome, NewGroup, Standing};
use crate::threads::{self, ListedThread, NewReply, NewThread, Reply, Thread, ThreadTeaser};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/groups", get(list_groups).post(create_group))
        .route("/api/v1/groups/{id}", get(get_group))
        .route("/api/v1/groups/{id}/join", post(join))
        .route("/api/v1/groups/{id}/requests", get(list_requests))
        .route("/api/v1/groups/{id}/requests/{member_id}/approve", post(approve))
        .route("/api/v1/groups/{id}/threads", get(list_threads).post(start_thread))
        .route(
            "/api/v1/threads/{id}",
            get(get_thread).patch(crate::actions_api::edit_thread).delete(crate::actions_api::delete_thread),
        )
        .route("/api/v1/threads/{id}/replies", post(post_reply))
        .route("/api/v1/search", get(search))
        .route("/api/v1/feed", get(home_feed))
        .route("/api/v1/members/{id}/follow", post(follow).delete(unfollow))
        .route("/api/v1/conversations", get(list_conversations).post(start_conversation))
        .route("/api/v1/conversations/{id}/messages", get(list_messages).post(send_message))
        .route("/api/v1/me/messaging", axum::routing::put(put_messaging))
        .route("/api/v1/members/{id}/block", post(block_member).delete(unblock_member))
        .route("/api/v1/reports", post(file_report))
        .route("/api/v1/moderation/reports", get(moderation_queue))
        .route("/api/v1/moderation/reports/{id}/decision", post(decide_report))
        .route("/api/v1/me/moderation", get(my_moderation))
        .route("/api/v1/notifications", get(list_notifications))
        .route("/api/v1/notifications/read", post(read_notifications))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        list_groups,
        create_group,
        get_group,
        join,
        list_requests,
        approve,
        list_threads,
        start_thread,
        get_thread,
        post_reply,
        list_notifications,
        read_notifications,
        file_report,
        moderation_queue,
        decide_report,
        my_moderation,
        search,
        list_conversations,
        start_conversation,
        list_messages,
        send_message,
        put_messaging,
        block_member,
        unblock_member,
        home_feed,
        follow,
        unfollow
    ),
    components(schemas(
        Group,
        GroupView,
        GroupList,
        NewGroup,
        JoinBody,
        Joined,
        JoinOutcome,
        Standing,
        groups::Request,
        RequestList,
        Thread,
        ListedThread,
        ThreadTeaser,
        NewThread,
        Reply,
        NewReply,
        ThreadView,
        crate::reactions::Tally,
        crate::notifications::Notification,
        NotificationList,
        crate::moderation::NewReport,
        crate::moderation::Report,
        crate::moderation::Decision,
        crate::moderation::ActionRecord,
        ReportList,
        ActionList,
        crate::search::Results,
        crate::search::PostHit,
        crate::messages::Conversation,
        crate::messages::Message,
        crate::messages::NewConversation,
        crate::messages::NewMessage,
        crate::messages::MessagingSettings,
        ConversationList,
        MessageList,
        Started
    ))
)]
pub struct CommunityApi;

#[derive(Serialize, ToSchema)]
pub struct GroupView {
    #[serde(flatten)]
    pub group: Group,
    /// The viewer's standing: none, pending, banned, member, moderator or owner.
    pub standing: Standing,
    pub screening_questions: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct GroupList {
    pub items: Vec<GroupView>,
}

/// Groups the viewer may know about (hidden groups only to their members and to staff),
/// archived ones left out.
#[utoipa::path(get, path = "/api/v1/groups", tag = "community", responses((status = 200, body = GroupList)))]
async fn list_groups(Req { state, ctx }: Req) -> AppResult<Json<GroupList>> {
    let items = groups::listed(&state.db, &ctx.viewer)
        .await?
        .into_iter()
        .map(|(g, standing)| GroupView { screening_questions: g.screening_questions(), group: g, standing })
        .collect();
    Ok(Json(GroupList { items }))
}

/// Create a group (staff).
#[utoipa::path(post, path = "/api/v1/groups", tag = "community", request_body = NewGroup, security(("bearer" = [])),
    responses((status = 201, body = Group), (status = 404), (status = 422)))]
async fn create_group(Req { state, ctx }: Req, body: axum::body::Bytes) -> AppResult<Response> {
    // Staff only: decided before the body is read, so others learn nothing of its shape.
    ctx.viewer.require_role(kernel::viewer::Role::Staff)?;
    let b: NewGroup = kernel::http::json(&body)?;
    let g = groups::create(&state, &ctx.viewer, &b, &ctx.client_ip).await?;
    Ok((StatusCode::CREATED, Json(g)).into_response())
}

#[utoipa::path(get, path = "/api/v1/groups/{id}", tag = "community", params(("id" = Uuid, Path)),
    responses((status = 200, body = GroupView), (status = 404)))]
async fn get_group(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Json<GroupView>> {
    let (g, standing, _) = groups::visible(&state.db, &ctx.viewer, path_id(&id)?).await?;
    Ok(Json(GroupView { screening_questions: g.screening_questions(), group: g, standing }))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinBody {
    /// Answers to the screening questions, in order (private groups).
    #[serde(default)]
    pub answers: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Joined {
    pub outcome: JoinOutcome,
}

/// Join: 201 joined (open group), 202 request pending (private group).
#[utoipa::path(post, path = "/api/v1/groups/{id}/join", tag = "community", params(("id" = Uuid, Path)), request_body = Option<JoinBody>,
    security(("bearer" = [])), responses((status = 201, body = Joined), (status = 202, body = Joined), (status = 403), (status = 404), (status = 409, description = "group_archived: the group takes no new members"), (status = 422)))]
async fn join(Req { state, ctx }: Req, Path(id): Path<String>, body: axum::body::Bytes) -> AppResult<Response> {
    let b: JoinBody = optional_json(&body)?;
    let outcome = groups::join(&state, &ctx.viewer, path_id(&id)?, &b.answers).await?;
    let status = if outcome == JoinOutcome::Joined { StatusCode::CREATED } else { StatusCode::ACCEPTED };
    Ok((status, Json(Joined { outcome })).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct RequestList {
    pub items: Vec<groups::Request>,
}

/// Pending join requests with screening answers (the group's moderators; staff reads are audited).
#[utoipa::path(get, path = "/api/v1/groups/{id}/requests", tag = "community", params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = RequestList), (status = 403), (status = 404)))]
async fn list_requests(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Json<RequestList>> {
    Ok(Json(RequestList { items: groups::requests(&state, &ctx.viewer, path_id(&id)?, &ctx.client_ip).await? }))
}

/// Approve a join request (the group's moderators, or staff; never one's own).
#[utoipa::path(post, path = "/api/v1/groups/{id}/requests/{member_id}/approve", tag = "community",
    params(("id" = Uuid, Path), ("member_id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403), (status = 404), (status = 409, description = "Your own request")))]
async fn approve(Req { state, ctx }: Req, Path((id, member)): Path<(String, String)>) -> AppResult<StatusCode> {
    groups::approve(&state, &ctx.viewer, path_id(&id)?, path_id(&member)?, &ctx.client_ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CursorQuery {
    pub cursor: Option<String>,
    /// Only threads tagged with this moment (`GET /api/v1/moments`; group thread lists).
    #[serde(default)]
    pub moment: Option<String>,
    /// Items per page, 1 to 100 (20 when absent).
    #[serde(default, deserialize_with = "kernel::page::limit_in_range")]
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
}

/// A group's threads by latest activity (a visitor's teaser: titles and counts, no author or note).
#[utoipa::path(get, path = "/api/v1/groups/{id}/threads", tag = "community", params(("id" = Uuid, Path), CursorQuery),
    responses((status = 200, body = Page<ListedThread>), (status = 404), (status = 422, description = "an unknown moment")))]
async fn list_threads(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<CursorQuery>,
) -> AppResult<Json<Page<ListedThread>>> {
    let (g, _, a) = groups::visible(&state.db, &ctx.viewer, path_id(&id)?).await?;
    if !a.read && !a.teaser {
        return Err(kernel::AppError::NotFound);
    }
    let only = contracts::moments::moment_filter(&state, "thread", q.moment.as_deref().unwrap_or_default())
        .await?
        .map_err(|m| kernel::AppError::field("moment", m))?;
    let limit = kernel::page::limit(q.limit);
    let page = threads::feed(&state.db, g.id, !a.read, only.as_deref(), q.cursor.as_deref(), limit).await?;
    let items = page.items.into_iter().map(|t| ListedThread::of(t, !a.read)).collect();
    Ok(Json(Page { items, next_cursor: page.next_cursor }))
}

/// Start a thread (group members).
#[utoipa::path(post, path = "/api/v1/groups/{id}/threads", tag = "community", params(("id" = Uuid, Path)), request_body = NewThread,
    security(("bearer" = [])), responses((status = 201, body = Thread, description = "The thread, with `crisis_resources` and `published`"), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn start_thread(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NewThread>,
) -> AppResult<Response> {
    let t = threads::start(&state, &ctx.viewer, path_id(&id)?, &b).await?;
    Ok((StatusCode::CREATED, Json(t)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct ThreadView {
    #[serde(flatten)]
    pub thread: Thread,
    pub replies: Vec<Reply>,
    pub next_cursor: Option<String>,
    /// Reactions on the thread and on this page's replies.
    pub reactions: crate::reactions::Tally,
}

/// A thread and a page of its replies.
#[utoipa::path(get, path = "/api/v1/threads/{id}", tag = "community", params(("id" = Uuid, Path), CursorQuery),
    responses((status = 200, body = ThreadView), (status = 404)))]
async fn get_thread(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<CursorQuery>,
) -> AppResult<Json<ThreadView>> {
    let (t, _, _) = threads::readable(&state.db, &ctx.viewer, path_id(&id)?).await?;
    let page = threads::replies(&state.db, t.id, q.cursor.as_deref(), kernel::page::limit(q.limit)).await?;
    let ids: Vec<uuid::Uuid> = std::iter::once(t.id).chain(page.items.iter().map(|r| r.id)).collect();
    let reactions = crate::reactions::tally(&state.db, &ids, ctx.viewer.id()).await?;
    Ok(Json(ThreadView { thread: t, replies: page.items, next_cursor: page.next_cursor, reactions }))
}

/// Reply (group members; not in a locked thread).
#[utoipa::path(post, path = "/api/v1/threads/{id}/replies", tag = "community", params(("id" = Uuid, Path)), request_body = NewReply,
    security(("bearer" = [])), responses((status = 201, body = Reply, description = "The reply, with `crisis_resources` and `published`"), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn post_reply(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NewReply>,
) -> AppResult<Response> {
    let r = threads::reply(&state, &ctx.viewer, path_id(&id)?, &b).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct NotificationList {
    pub items: Vec<crate::notifications::Notification>,
    pub unread: i64,
    pub next_cursor: Option<String>,
}

/// My notifications, newest first, with the unread count.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "community", params(CursorQuery), security(("bearer" = [])),
    responses((status = 200, body = NotificationList), (status = 401)))]
async fn list_notifications(
    Req { state, ctx }: Req,
    ApiQuery(q): ApiQuery<CursorQuery>,
) -> AppResult<Json<NotificationList>> {
    let me = ctx.viewer.require_member()?;
    let (page, unread) =
        crate::notifications::list(&state.db, me.id, q.cursor.as_deref(), kernel::page::limit(q.limit)).await?;
    Ok(Json(NotificationList { items: page.items, unread, next_cursor: page.next_cursor }))
}

/// Mark all my notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "community", security(("bearer" = [])), responses((status = 204), (status = 401)))]
async fn read_notifications(Req { state, ctx }: Req) -> AppResult<StatusCode> {
    let me = ctx.viewer.require_member()?;
    crate::notifications::mark_all_read(&state.db, me.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Report a thread, reply or member you can see.
#[utoipa::path(post, path = "/api/v1/reports", tag = "moderation", request_body = crate::moderation::NewReport, security(("bearer" = [])),
    responses((status = 201, body = crate::moderation::Report), (status = 404), (status = 422)))]
async fn file_report(
    Req { state, ctx }: Req,
    ApiJson(b): ApiJson<crate::moderation::NewReport>,
) -> AppResult<Response> {
    let r = crate::moderation::report(&state, &ctx.viewer, &b).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct ReportList {
    pub items: Vec<crate::moderation::Report>,
}

/// Open reports I may handle (staff: all; group moderators: their groups').
#[utoipa::path(get, path = "/api/v1/moderation/reports", tag = "moderation", security(("bearer" = [])), responses((status = 200, body = ReportList)))]
async fn moderation_queue(Req { state, ctx }: Req) -> AppResult<Json<ReportList>> {
    Ok(Json(ReportList { items: crate::moderation::queue(&state, &ctx.viewer).await? }))
}

/// Act on a report: dismiss, hide or remove, with a reason the author sees.
#[utoipa::path(post, path = "/api/v1/moderation/reports/{id}/decision", tag = "moderation", params(("id" = Uuid, Path)),
    request_body = crate::moderation::Decision, security(("bearer" = [])), responses((status = 204), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn decide_report(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<crate::moderation::Decision>,
) -> AppResult<StatusCode> {
    crate::moderation::decide(&state, &ctx.viewer, path_id(&id)?, &b, &ctx.client_ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct ActionList {
    pub items: Vec<crate::moderation::ActionRecord>,
}

/// What moderators did to my content, and why.
#[utoipa::path(get, path = "/api/v1/me/moderation", tag = "moderation", security(("bearer" = [])), responses((status = 200, body = ActionList)))]
async fn my_moderation(Req { state, ctx }: Req) -> AppResult<Json<ActionList>> {
    let me = ctx.viewer.require_member()?;
    Ok(Json(ActionList { items: crate::moderation::about_me(&state.db, me.id).await? }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    pub q: Option<String>,
    /// Only content tagged with this moment (`GET /api/v1/moments`): no people or groups.
    pub moment: Option<String>,
}

/// One search over members, groups and discussions, showing only what the viewer may see.
#[utoipa::path(get, path = "/api/v1/search", tag = "community", params(SearchQuery), responses((status = 200, body = crate::search::Results), (status = 422)))]
async fn search(
    Req { state, ctx }: Req,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> AppResult<Json<crate::search::Results>> {
    Ok(Json(
        crate::search::search(&state, &ctx.viewer, q.q.as_deref().unwrap_or(""), q.moment.as_deref().unwrap_or(""))
            .await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ConversationList {
    pub items: Vec<crate::messages::Conversation>,
}

#[derive(Serialize, ToSchema)]
pub struct MessageList {
    pub conversation: crate::messages::Conversation,
    pub items: Vec<crate::messages::Message>,
}

#[derive(Serialize, ToSchema)]
pub struct Started {
    pub id: uuid::Uuid,
}

/// My conversations, latest first.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "messages", security(("bearer" = [])), responses((status = 200, body = ConversationList), (status = 401)))]
async fn list_conversations(Req { state, ctx }: Req) -> AppResult<Json<ConversationList>> {
    Ok(Json(ConversationList { items: crate::messages::list(&state, &ctx.viewer).await? }))
}

/// Message a member (continuing the conversation if there is one).
#[utoipa::path(post, path = "/api/v1/conversations", tag = "messages", request_body = crate::messages::NewConversation, security(("bearer" = [])),
    responses((status = 201, body = Started), (status = 404), (status = 409, description = "not_accepting"), (status = 422)))]
async fn start_conversation(
    Req { state, ctx }: Req,
    ApiJson(b): ApiJson<crate::messages::NewConversation>,
) -> AppResult<Response> {
    let id = crate::messages::start(&state, &ctx.viewer, b.member_id, &b.body).await?;
    Ok((StatusCode::CREATED, Json(Started { id })).into_response())
}

/// A conversation's messages (its two participants only).
#[utoipa::path(get, path = "/api/v1/conversations/{id}/messages", tag = "messages", params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = MessageList), (status = 404)))]
async fn list_messages(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Json<MessageList>> {
    let (conversation, items) = crate::messages::messages(&state, &ctx.viewer, path_id(&id)?).await?;
    Ok(Json(MessageList { conversation, items: items.into_iter().map(|m| m.0).collect() }))
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/messages", tag = "messages", params(("id" = Uuid, Path)), request_body = crate::messages::NewMessage,
    security(("bearer" = [])), responses((status = 201, body = crate::messages::Message), (status = 404), (status = 409), (status = 422)))]
async fn send_message(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<crate::messages::NewMessage>,
) -> AppResult<Response> {
    let m = crate::messages::send(&state, &ctx.viewer, path_id(&id)?, &b.body).await?;
    Ok((StatusCode::CREATED, Json(m)).into_response())
}

/// Who may message me: everyone, shared_group (default) or nobody.
#[utoipa::path(put, path = "/api/v1/me/messaging", tag = "messages", request_body = crate::messages::MessagingSettings, security(("bearer" = [])),
    responses((status = 204), (status = 422)))]
async fn put_messaging(
    Req { state, ctx }: Req,
    ApiJson(b): ApiJson<crate::messages::MessagingSettings>,
) -> AppResult<StatusCode> {
    let me = ctx.viewer.require_member()?;
    crate::messages::set_allow(&state.db, me.id, &b.allow).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Block a member: neither of you can message the other.
#[utoipa::path(post, path = "/api/v1/members/{id}/block", tag = "messages", params(("id" = Uuid, Path)), security(("bearer" = [])), responses((status = 204)))]
async fn block_member(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<StatusCode> {
    let me = ctx.viewer.require_member()?;
    crate::messages::block(&state.db, me.id, path_id(&id)?, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/members/{id}/block", tag = "messages", params(("id" = Uuid, Path)), security(("bearer" = [])), responses((status = 204)))]
async fn unblock_member(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<StatusCode> {
    let me = ctx.viewer.require_member()?;
    crate::messages::block(&state.db, me.id, path_id(&id)?, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// My home feed: discussions in my groups and by people I follow, latest first.
#[utoipa::path(get, path = "/api/v1/feed", tag = "community", params(CursorQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<Thread>), (status = 401)))]
async fn home_feed(Req { state, ctx }: Req, ApiQuery(q): ApiQuery<CursorQuery>) -> AppResult<Json<Page<Thread>>> {
    Ok(Json(crate::feed::home(&state, &ctx.viewer, q.cursor.as_deref(), kernel::page::limit(q.limit)).await?))
}

/// Follow a member to see the discussions they start in the home feed.
#[utoipa::path(post, path = "/api/v1/members/{id}/follow", tag = "community", params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404), (status = 422)))]
async fn follow(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<StatusCode> {
    crate::feed::follow(&state, &ctx.viewer, path_id(&id)?, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/members/{id}/follow", tag = "community", params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 204)))]
async fn unfollow(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<StatusCode> {
    crate::feed::follow(&state, &ctx.viewer, path_id(&id)?, false).await?;
    Ok(StatusCode::NO_CONTENT)
}
