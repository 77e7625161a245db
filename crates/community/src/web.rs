//! Community pages: groups, a group with its discussions, a thread.

use crate::people;
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kernel::http::{ApiQuery, HtmlForm, Req, RequestContext, path_id};
use kernel::ids::MemberId;
use kernel::{AppError, AppResult, AppState, ui};
use serde::Deserialize;
use uuid::Uuid;

use crate::groups::{self, Group, Standing};
use crate::threads::{self, NewThread, Thread};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/groups", get(groups_page))
        .route("/groups/{id}", get(group_page))
        .route("/groups/{id}/join", post(join_submit))
        .route("/groups/{id}/threads", post(thread_submit))
        .route("/groups/{id}/requests/{member_id}/approve", post(approve_submit))
        .route("/search", get(search_page))
        .route("/messages", get(conversations_page).post(start_submit))
        .route("/messages/{id}", get(conversation_page).post(message_submit))
        .route("/notifications", get(notifications_page))
        .route("/notifications/read", post(notifications_read))
}

#[derive(Template)]
#[template(path = "groups.html")]
struct GroupsPage {
    items: Vec<(Group, Standing)>,
}

async fn groups_page(Req { state, ctx }: Req) -> AppResult<Response> {
    let body = ui::render(&GroupsPage { items: groups::listed(&state.db, &ctx.viewer).await? });
    Ok(ui::page(&state, &ctx, "Groups", "/groups", &body).into_response())
}

#[derive(Template)]
#[template(path = "group.html")]
struct GroupPage<'a> {
    g: Group,
    csrf: &'a str,
    signed_in: bool,
    is_member: bool,
    pending: bool,
    banned: bool,
    can_moderate: bool,
    readable: bool,
    teaser: bool,
    questions: Vec<String>,
    requests: Vec<(MemberId, String, Vec<String>)>,
    threads: Vec<(Thread, String)>,
    next_href: Option<String>,
    moment_filter: String,
    notice: Option<&'a str>,
    error: Option<String>,
    draft_title: String,
    draft_body: String,
    /// The moment checkboxes of the new-thread form (empty without the moments area).
    moments_field: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct CursorQuery {
    #[serde(default)]
    pub(crate) cursor: String,
    /// Only threads tagged with this moment.
    #[serde(default)]
    pub(crate) moment: String,
}

struct Draft {
    title: String,
    body: String,
    /// The moments ticked; `None` before the author chose: then those the group's open
    /// prompts carry, which a new thread would inherit.
    moments: Option<Vec<String>>,
    moments_error: Option<String>,
}

/// The moment checkboxes of the new-thread form, ticked as the author left them or, on
/// a fresh form, as the group's open prompts would tag the thread.
async fn moments_field(state: &AppState, group: Uuid, draft: &Draft) -> AppResult<String> {
    let chosen = match &draft.moments {
        Some(m) => m.clone(),
        None => crate::thread_moments::inherited((&state.db).into(), state, group).await?,
    };
    let hint = "Optional. Tick the moments your discussion fits, so members at those moments find it. \
                Moments this group's current discussion prompt is about are ticked for you.";
    Ok(contracts::moments::moment_checkboxes(
        state,
        "moments",
        "Moments it fits",
        hint,
        &chosen,
        draft.moments_error.as_deref(),
    ))
}

async fn render_group(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    list: &CursorQuery,
    notice: Option<&str>,
    error: Option<String>,
    draft: Draft,
) -> AppResult<Response> {
    let (g, s, a) = groups::visible(&state.db, &ctx.viewer, id).await?;
    let moment_filter = contracts::moments::filter_form(state, &format!("/groups/{}", g.id), &list.moment, None);
    let (threads, next_href) = if a.read || a.teaser {
        let only = contracts::moments::moment_filter(state, "thread", &list.moment)
            .await?
            .map_err(|m| AppError::field("moment", m))?;
        let page = threads::feed(&state.db, g.id, !a.read, only.as_deref(), Some(&list.cursor), 20).await?;
        let ids: Vec<MemberId> = page.items.iter().map(|t| t.author_id).collect();
        let names = people(state)?.display_names((&state.db).into(), &ids).await?;
        let rows = page.items.into_iter().map(|t| {
            let n = names.get(&t.author_id).cloned().unwrap_or_default();
            (t, n)
        });
        let moment: String = url::form_urlencoded::byte_serialize(list.moment.as_bytes()).collect();
        (rows.collect(), page.next_cursor.map(|c| format!("/groups/{}?moment={moment}&cursor={c}", g.id)))
    } else {
        (vec![], None)
    };
    let requests = if a.moderate {
        let reqs = groups::requests(state, &ctx.viewer, id, &ctx.client_ip).await?;
        let ids: Vec<MemberId> = reqs.iter().map(|r| r.member_id).collect();
        let names = people(state)?.display_names((&state.db).into(), &ids).await?;
        reqs.into_iter()
            .map(|r| {
                (
                    r.member_id,
                    names.get(&r.member_id).cloned().unwrap_or_default(),
                    serde_json::from_str(&r.answers).unwrap_or_default(),
                )
            })
            .collect()
    } else {
        vec![]
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let moments_field = if s.is_member() { moments_field(state, g.id, &draft).await? } else { String::new() };
    let title = g.name.clone();
    let body = ui::render(&GroupPage {
        questions: g.screening_questions(),
        csrf: &ctx.csrf,
        signed_in: ctx.viewer.is_signed_in(),
        is_member: s.is_member(),
        pending: s == Standing::Pending,
        banned: s == Standing::Banned,
        can_moderate: a.moderate,
        readable: a.read,
        teaser: a.teaser,
        requests,
        threads,
        next_href,
        moment_filter,
        notice,
        error,
        draft_title: draft.title,
        draft_body: draft.body,
        moments_field,
        g,
    });
    Ok((status, ui::page(state, ctx, &title, "/groups", &body)).into_response())
}

fn no_draft() -> Draft {
    Draft { title: String::new(), body: String::new(), moments: None, moments_error: None }
}

async fn group_page(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<CursorQuery>,
) -> AppResult<Response> {
    render_group(&state, &ctx, path_id(&id)?, &q, None, None, no_draft()).await
}

async fn join_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: axum::body::Bytes) -> AppResult<Response> {
    let id: Uuid = path_id(&id)?;
    let answers: Vec<String> = serde_urlencoded_answers(&body);
    match groups::join(&state, &ctx.viewer, id, &answers).await {
        Ok(groups::JoinOutcome::Joined) => {
            render_group(
                &state,
                &ctx,
                id,
                &CursorQuery::default(),
                Some("Welcome! You are now a member."),
                None,
                no_draft(),
            )
            .await
        }
        Ok(groups::JoinOutcome::Pending) => {
            render_group(
                &state,
                &ctx,
                id,
                &CursorQuery::default(),
                Some("Your request has been sent to the group's moderators."),
                None,
                no_draft(),
            )
            .await
        }
        Err(AppError::Validation(e)) => {
            render_group(&state, &ctx, id, &CursorQuery::default(), None, e.0.values().next().cloned(), no_draft())
                .await
        }
        Err(e) => Err(e),
    }
}

/// Repeated `answer` fields of a urlencoded form, in order.
fn serde_urlencoded_answers(body: &[u8]) -> Vec<String> {
    url::form_urlencoded::parse(body).filter(|(k, _)| k == "answer").map(|(_, v)| v.into_owned()).collect()
}

/// The new-thread form as sent: title, body, content note and the ticked moments (the
/// form's ticks are always the author's own choice, even none).
fn thread_form(body: &[u8]) -> NewThread {
    let pairs = kernel::http::form_pairs(body);
    let value = |name| kernel::http::form_value(&pairs, name);
    let moments = kernel::http::form_values(&pairs, "moments").into_iter().take(20).collect();
    NewThread {
        title: value("title"),
        body: value("body"),
        content_note: value("content_note"),
        moments: Some(moments),
    }
}

async fn thread_submit(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let id: Uuid = path_id(&id)?;
    let new = thread_form(&body);
    // A refused thread comes back on the group page with its message and the draft kept.
    let (message, moments_error) = match threads::start(&state, &ctx.viewer, id, &new).await {
        Ok(posted) => {
            let (crisis, published) = (posted.crisis_resources, posted.published);
            return crate::thread_web::after_posting(&state, &ctx, posted.item.id, None, crisis, published).await;
        }
        Err(AppError::Validation(e)) => (e.sentence(), e.get("moments").map(str::to_string)),
        Err(AppError::Conflict { message, .. }) => (message, None),
        Err(e) => return Err(e),
    };
    let draft = Draft { title: new.title, body: new.body, moments: new.moments, moments_error };
    render_group(&state, &ctx, id, &CursorQuery::default(), None, Some(message), draft).await
}

async fn approve_submit(Req { state, ctx }: Req, Path((id, member)): Path<(String, String)>) -> AppResult<Response> {
    let id: Uuid = path_id(&id)?;
    groups::approve(&state, &ctx.viewer, id, path_id(&member)?, &ctx.client_ip).await?;
    render_group(&state, &ctx, id, &CursorQuery::default(), Some("Approved."), None, no_draft()).await
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage<'a> {
    items: Vec<crate::notifications::Notification>,
    unread: i64,
    next_href: Option<String>,
    csrf: &'a str,
}

async fn notifications_page(Req { state, ctx }: Req, ApiQuery(q): ApiQuery<CursorQuery>) -> AppResult<Response> {
    let Some(me) = ctx.viewer.member() else {
        return Ok(kernel::http::login_redirect("/notifications").into_response());
    };
    let (page, unread) = crate::notifications::list(&state.db, me.id, Some(&q.cursor), 30).await?;
    let body = ui::render(&NotificationsPage {
        items: page.items,
        unread,
        next_href: page.next_cursor.map(|c| format!("/notifications?cursor={c}")),
        csrf: &ctx.csrf,
    });
    Ok(ui::page(&state, &ctx, "Notifications", "/notifications", &body).into_response())
}

async fn notifications_read(Req { state, ctx }: Req) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    crate::notifications::mark_all_read(&state.db, me.id).await?;
    Ok(kernel::http::redirect("/notifications").into_response())
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    q: String,
    results: Option<crate::search::Results>,
    error: Option<String>,
    moment_field: String,
}

#[derive(Deserialize, Default)]
struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    moment: String,
}

async fn search_page(Req { state, ctx }: Req, ApiQuery(q): ApiQuery<SearchQuery>) -> AppResult<Response> {
    let (results, error) = if q.q.trim().is_empty() {
        (None, None)
    } else {
        match crate::search::search(&state, &ctx.viewer, &q.q, &q.moment).await {
            Ok(r) => (Some(r), None),
            Err(AppError::Validation(e)) => (None, e.0.values().next().cloned()),
            Err(e) => return Err(e),
        }
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let moment_field = contracts::moments::moment_field(&state, &q.moment, None);
    let body = ui::render(&SearchPage { q: q.q.clone(), results, error, moment_field });
    Ok((status, ui::page(&state, &ctx, "Search", "/search", &body)).into_response())
}

#[derive(Template)]
#[template(path = "conversations.html")]
struct ConversationsPage {
    items: Vec<crate::messages::Conversation>,
}

async fn conversations_page(Req { state, ctx }: Req) -> AppResult<Response> {
    if !ctx.viewer.is_signed_in() {
        return Ok(kernel::http::login_redirect("/messages").into_response());
    }
    let body = ui::render(&ConversationsPage { items: crate::messages::list(&state, &ctx.viewer).await? });
    Ok(ui::page(&state, &ctx, "Messages", "/messages", &body).into_response())
}

#[derive(Template)]
#[template(path = "conversation.html")]
struct ConversationPage<'a> {
    c: crate::messages::Conversation,
    items: Vec<(crate::messages::Message, bool, String)>,
    csrf: &'a str,
    error: Option<String>,
}

async fn render_conversation(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    error: Option<String>,
) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    let (c, msgs) = crate::messages::messages(state, &ctx.viewer, id).await?;
    let items = msgs
        .into_iter()
        .map(|crate::messages::Stored(m, stored)| {
            let mine = m.sender_id == me.id;
            let html = crate::post_html::or_render(stored, &m.body);
            (m, mine, html)
        })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = ui::render(&ConversationPage { c, items, csrf: &ctx.csrf, error });
    Ok((status, ui::page(state, ctx, "Conversation", "/messages", &body)).into_response())
}

async fn conversation_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    render_conversation(&state, &ctx, path_id(&id)?, None).await
}

async fn message_submit(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    HtmlForm(f): HtmlForm<MessageForm>,
) -> AppResult<Response> {
    let id: Uuid = path_id(&id)?;
    match crate::messages::send(&state, &ctx.viewer, id, &f.body).await {
        Ok(_) => Ok(kernel::http::redirect(&format!("/messages/{id}")).into_response()),
        Err(AppError::Validation(e)) => render_conversation(&state, &ctx, id, e.0.values().next().cloned()).await,
        Err(AppError::Conflict { message, .. }) => render_conversation(&state, &ctx, id, Some(message)).await,
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
struct MessageForm {
    #[serde(default)]
    body: String,
}

#[derive(Deserialize, Default)]
struct StartForm {
    #[serde(default)]
    member_id: String,
    #[serde(default)]
    body: String,
}

/// Starts a conversation from a profile page.
async fn start_submit(Req { state, ctx }: Req, HtmlForm(f): HtmlForm<StartForm>) -> AppResult<Response> {
    let to: MemberId = path_id(&f.member_id)?;
    match crate::messages::start(&state, &ctx.viewer, to, &f.body).await {
        Ok(id) => Ok(kernel::http::redirect(&format!("/messages/{id}")).into_response()),
        Err(AppError::Conflict { message, .. }) | Err(AppError::BadRequest { message, .. }) => {
            let body = format!(
                "<h1>Message not sent</h1><p>{}</p><p><a href=\"/members/{to}\">Back to the profile</a></p>",
                ui::escape(&message)
            );
            Ok((StatusCode::CONFLICT, ui::page(&state, &ctx, "Message not sent", "/messages", &body)).into_response())
        }
        Err(AppError::Validation(e)) => {
            let msg = e.0.values().next().cloned().unwrap_or_default();
            let body = format!(
                "<h1>Message not sent</h1><p>{}</p><p><a href=\"/members/{to}\">Back to the profile</a></p>",
                ui::escape(&msg)
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, ui::page(&state, &ctx, "Message not sent", "/messages", &body))
                .into_response())
        }
        Err(e) => Err(e),
    }
}
