//! The thread page and what members and moderators do from it: reply (quoting),
//! react, report, edit and delete their own posts, read earlier versions (moderators),
//! pin, lock and move.

use crate::people;
use contracts::members::MemberDirectory;

use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kernel::http::{ApiQuery, HtmlForm, Req, RequestContext, path_id};
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppError, AppResult, AppState, params, ui};
use serde::Deserialize;
use uuid::Uuid;

use crate::groups::Group;
use crate::reactions::{self, Tally};
use crate::threads::{self, NewReply, Reply, Thread};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/threads/{id}", get(thread_page))
        .route("/threads/{id}/replies", post(reply_submit))
        .route("/threads/{id}/react", post(react_submit))
        .route("/threads/{id}/moderate", post(moderate_submit))
        .route("/posts/{kind}/{id}/edit", get(edit_page).post(edit_submit))
        .route("/posts/{kind}/{id}/delete", post(delete_submit))
        .route("/posts/{kind}/{id}/history", get(history_page))
}

/// One reply as the page shows it.
pub(crate) struct ReplyView {
    r: Reply,
    author: String,
    html: String,
    /// The quoted reply: its id, author and the start of its text.
    quote: Option<(Uuid, String, String)>,
    mine: bool,
}

#[derive(Template)]
#[template(path = "thread.html")]
struct ThreadPage<'a> {
    t: Thread,
    g: Group,
    author: String,
    body_html: String,
    replies: Vec<ReplyView>,
    next_href: Option<String>,
    can_post: bool,
    can_moderate: bool,
    closed: bool,
    pinned: bool,
    mine: bool,
    signed_in: bool,
    tally: Tally,
    kinds: &'static [(&'static str, &'static str)],
    move_targets: Vec<Group>,
    csrf: &'a str,
    error: Option<String>,
    notice: Option<String>,
    crisis: Option<String>,
    draft: String,
    quoting: Option<(Uuid, String, String)>,
}

#[derive(Deserialize, Default)]
struct ThreadQuery {
    #[serde(default)]
    cursor: String,
    #[serde(default)]
    quote: String,
}

/// The start of a post's text, as plain text, for quotes.
pub(crate) fn excerpt(body: &str) -> String {
    let plain: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if plain.chars().count() > 200 { format!("{}…", plain.chars().take(200).collect::<String>()) } else { plain }
}

/// The reply being quoted in the form (`?quote=`, or a refused form's), with its
/// author's name and the start of its text. Only a visible reply of this thread, which
/// whoever reads the thread may read: an id from anywhere else (another thread, a private
/// group, a held reply) is left out, so `?quote=` and a refused form never show what it
/// points to. (The replies a page's replies quote come with them: see
/// [`crate::thread_read::replies`].)
pub(crate) async fn quoted(
    state: &AppState,
    people: &dyn MemberDirectory,
    thread: Uuid,
    id: Uuid,
) -> AppResult<Option<(Uuid, String, String)>> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        author: Option<String>,
        body: String,
    }
    let sql = format!(
        "SELECT {} AS author, p.body FROM posts p WHERE p.id = $1 AND p.thread_id = $2 AND p.status = 'visible'",
        people.display_name_sql("p.author_id")
    );
    let row: Option<Row> = state.db.one(&sql, params![id, thread]).await?;
    Ok(row.map(|r| (id, member_name(r.author), excerpt(&r.body))))
}

/// A display name, or "Member" for an account that is gone.
fn member_name(name: Option<String>) -> String {
    name.unwrap_or_else(|| "Member".into())
}

pub(crate) struct Extras {
    error: Option<String>,
    notice: Option<String>,
    crisis: Option<String>,
    draft: String,
    quote: Option<Uuid>,
}

impl Extras {
    fn none() -> Self {
        Extras { error: None, notice: None, crisis: None, draft: String::new(), quote: None }
    }
}

async fn render(state: &AppState, ctx: &RequestContext, id: Uuid, cursor: &str, x: Extras) -> AppResult<Response> {
    let people = people(state)?;
    let o = crate::thread_read::open(&state.db, &ctx.viewer, id, Some(people)).await?;
    let (t, g, a) = (o.t, o.g, o.a);
    let page = crate::thread_read::replies(&state.db, people, t.id, Some(cursor), 50).await?;
    let quoting = match x.quote {
        Some(q) => quoted(state, people, t.id, q).await?,
        None => None,
    };
    let post_ids: Vec<Uuid> = std::iter::once(t.id).chain(page.items.iter().map(|p| p.r.id)).collect();
    let tally = reactions::tally(&state.db, &post_ids, ctx.viewer.id()).await?;
    let me = ctx.viewer.id();
    let replies = page
        .items
        .into_iter()
        .map(|p| ReplyView {
            author: member_name(p.author),
            html: p.html,
            quote: p.quote.map(|(q, name, body)| (q, member_name(name), excerpt(&body))),
            mine: Some(p.r.author_id) == me,
            r: p.r,
        })
        .collect();
    let move_targets = if a.moderate && g.visibility == "open" {
        crate::groups::listed(&state.db, &ctx.viewer)
            .await?
            .into_iter()
            .filter(|(other, s)| other.id != g.id && (s.can_moderate() || ctx.viewer.is_staff()))
            .map(|(other, _)| other)
            .collect()
    } else {
        vec![]
    };
    let status = if x.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let title = t.title.clone();
    let at = now();
    let body = ui::render(&ThreadPage {
        author: member_name(o.author),
        body_html: crate::post_html::or_render(o.body_html, &t.body),
        next_href: page.next_cursor.map(|c| format!("/threads/{}?cursor={c}", t.id)),
        can_post: a.post,
        can_moderate: a.moderate,
        closed: t.is_closed(at),
        pinned: t.is_pinned(at),
        mine: Some(t.author_id) == me,
        signed_in: ctx.viewer.is_signed_in(),
        tally,
        kinds: reactions::KINDS,
        move_targets,
        csrf: &ctx.csrf,
        replies,
        error: x.error,
        notice: x.notice,
        crisis: x.crisis,
        draft: x.draft,
        quoting,
        t,
        g,
    });
    Ok((status, ui::page(state, ctx, &title, "/groups", &body)).into_response())
}

async fn thread_page(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ThreadQuery>,
) -> AppResult<Response> {
    let quote = q.quote.parse::<Uuid>().ok();
    render(&state, &ctx, path_id(&id)?, &q.cursor, Extras { quote, ..Extras::none() }).await
}

/// After a member posts: straight to the post — or, when it matched a crisis phrase,
/// the thread page with crisis resources first.
pub(crate) async fn after_posting(
    state: &AppState,
    ctx: &RequestContext,
    thread: Uuid,
    post: Option<Uuid>,
    crisis: Option<String>,
    published: bool,
) -> AppResult<Response> {
    if crisis.is_none() {
        let anchor = post.map(|p| format!("#post-{p}")).unwrap_or_default();
        return Ok(kernel::http::redirect(&format!("/threads/{thread}{anchor}")).into_response());
    }
    let notice = (!published).then(|| "Your post will appear once a moderator has looked at it.".to_string());
    if !published && post.is_none() {
        // A held thread cannot be shown yet: show the resources on their own.
        let body = ui::render(&CrisisPage { message: crisis.unwrap_or_default(), notice });
        return Ok(ui::page(state, ctx, "You are not alone", "/groups", &body).into_response());
    }
    render(state, ctx, thread, "", Extras { crisis, notice, ..Extras::none() }).await
}

#[derive(Template)]
#[template(path = "crisis.html")]
struct CrisisPage {
    message: String,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
struct ReplyForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    content_note: String,
    #[serde(default)]
    quote_id: String,
}

async fn reply_submit(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    HtmlForm(f): HtmlForm<ReplyForm>,
) -> AppResult<Response> {
    let id: Uuid = path_id(&id)?;
    let quote = f.quote_id.parse::<Uuid>().ok();
    let new = NewReply { body: f.body.clone(), content_note: f.content_note.clone(), quote_id: quote };
    let failed = |error: String| Extras { error: Some(error), draft: f.body.clone(), quote, ..Extras::none() };
    match threads::reply(&state, &ctx.viewer, id, &new).await {
        Ok(p) => after_posting(&state, &ctx, id, Some(p.item.id), p.crisis_resources, p.published).await,
        Err(AppError::Validation(e)) => render(&state, &ctx, id, "", failed(e.sentence())).await,
        Err(AppError::Conflict { message, .. }) => render(&state, &ctx, id, "", failed(message)).await,
        Err(e) => Err(e),
    }
}

/// A reaction, from a post's one reaction form: the button pressed says which kind and
/// whether to add or take it back (`react=support:1`). `kind` and `on` as separate fields
/// are read too.
#[derive(Deserialize)]
struct ReactForm {
    target_type: String,
    target_id: String,
    #[serde(default)]
    react: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    on: String,
}

impl ReactForm {
    /// The kind of reaction and whether to add it.
    fn choice(&self) -> (&str, bool) {
        match self.react.split_once(':') {
            Some((kind, on)) => (kind, on == "1"),
            None => (self.kind.as_str(), self.on == "1"),
        }
    }
}

async fn react_submit(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    HtmlForm(f): HtmlForm<ReactForm>,
) -> AppResult<Response> {
    let id: Uuid = path_id(&id)?;
    let target: Uuid = path_id(&f.target_id)?;
    let (kind, on) = f.choice();
    reactions::set(&state, &ctx.viewer, &f.target_type, target, kind, on).await?;
    let anchor = if f.target_type == "reply" { format!("#post-{target}") } else { String::new() };
    Ok(kernel::http::redirect(&format!("/threads/{id}{anchor}")).into_response())
}

#[derive(Deserialize)]
struct ModerateForm {
    /// pin, unpin, lock, unlock or move
    op: String,
    #[serde(default)]
    group_id: String,
    #[serde(default)]
    reason: String,
}

async fn moderate_submit(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    HtmlForm(f): HtmlForm<ModerateForm>,
) -> AppResult<Response> {
    let id: Uuid = path_id(&id)?;
    let mut c = crate::curation::ThreadChanges { reason: f.reason, ..Default::default() };
    match f.op.as_str() {
        "pin" | "unpin" => c.pinned = Some(f.op == "pin"),
        "lock" | "unlock" => c.locked = Some(f.op == "lock"),
        "move" => c.group_id = Some(path_id(&f.group_id).map_err(|_| AppError::field("group_id", "Choose a group."))?),
        _ => return Err(AppError::field("op", "Choose pin, unpin, lock, unlock or move.")),
    }
    let x = match crate::curation::change(&state, &ctx.viewer, id, &c, &ctx.client_ip).await {
        Ok(_) => Extras { notice: Some("Done.".into()), ..Extras::none() },
        Err(AppError::Validation(e)) => Extras { error: Some(e.sentence()), ..Extras::none() },
        Err(AppError::Conflict { message, .. }) => Extras { error: Some(message), ..Extras::none() },
        Err(e) => return Err(e),
    };
    render(&state, &ctx, id, "", x).await
}

fn post_kind(kind: &str) -> AppResult<&'static str> {
    match kind {
        "thread" => Ok("thread"),
        "reply" => Ok("reply"),
        _ => Err(AppError::NotFound),
    }
}

#[derive(Template)]
#[template(path = "edit_post.html")]
struct EditPage<'a> {
    kind: &'static str,
    id: Uuid,
    thread_id: Uuid,
    title: String,
    body: String,
    content_note: String,
    csrf: &'a str,
    error: Option<String>,
}

#[derive(sea_orm::FromQueryResult)]
struct Own {
    thread_id: Uuid,
    author_id: MemberId,
    title: String,
    body: String,
    content_note: String,
}

async fn own_post(state: &AppState, ctx: &RequestContext, kind: &str, id: Uuid) -> AppResult<Own> {
    let me = ctx.viewer.require_member()?;
    let sql = if kind == "thread" {
        "SELECT id AS thread_id, author_id, title, body, content_note FROM threads WHERE id = $1 AND status = 'visible'"
    } else {
        "SELECT thread_id, author_id, '' AS title, body, content_note FROM posts WHERE id = $1 AND status = 'visible'"
    };
    let own: Own = state.db.one(sql, params![id]).await?.ok_or(AppError::NotFound)?;
    threads::readable(&state.db, &ctx.viewer, own.thread_id).await?;
    if own.author_id != me.id {
        return Err(AppError::Forbidden);
    }
    Ok(own)
}

async fn edit_page(Req { state, ctx }: Req, Path((kind, id)): Path<(String, String)>) -> AppResult<Response> {
    let (kind, id) = (post_kind(&kind)?, path_id(&id)?);
    let own = own_post(&state, &ctx, kind, id).await?;
    let page = EditPage {
        kind,
        id,
        thread_id: own.thread_id,
        title: own.title,
        body: own.body,
        content_note: own.content_note,
        csrf: &ctx.csrf,
        error: None,
    };
    Ok(ui::page(&state, &ctx, "Edit your post", "/groups", &ui::render(&page)).into_response())
}

#[derive(Deserialize, Default)]
struct EditForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    content_note: String,
}

async fn edit_submit(
    Req { state, ctx }: Req,
    Path((kind, id)): Path<(String, String)>,
    HtmlForm(f): HtmlForm<EditForm>,
) -> AppResult<Response> {
    let (kind, id) = (post_kind(&kind)?, path_id(&id)?);
    let own = own_post(&state, &ctx, kind, id).await?;
    let edit = crate::edits::Edit {
        title: (kind == "thread").then(|| f.title.clone()),
        body: f.body.clone(),
        content_note: Some(f.content_note.clone()),
    };
    let error = match crate::edits::edit(&state, &ctx.viewer, kind, id, &edit).await {
        Ok(()) => {
            let anchor = if kind == "reply" { format!("#post-{id}") } else { String::new() };
            return Ok(kernel::http::redirect(&format!("/threads/{}{anchor}", own.thread_id)).into_response());
        }
        Err(AppError::Validation(e)) => e.sentence(),
        Err(AppError::Conflict { message, .. }) => message,
        Err(e) => return Err(e),
    };
    let page = EditPage {
        kind,
        id,
        thread_id: own.thread_id,
        title: f.title,
        body: f.body,
        content_note: f.content_note,
        csrf: &ctx.csrf,
        error: Some(error),
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, ui::page(&state, &ctx, "Edit your post", "/groups", &ui::render(&page)))
        .into_response())
}

async fn delete_submit(Req { state, ctx }: Req, Path((kind, id)): Path<(String, String)>) -> AppResult<Response> {
    let (kind, id) = (post_kind(&kind)?, path_id(&id)?);
    let own = own_post(&state, &ctx, kind, id).await?;
    crate::edits::delete(&state, &ctx.viewer, kind, id).await?;
    let to = if kind == "thread" && threads::readable(&state.db, &ctx.viewer, own.thread_id).await.is_err() {
        "/groups".to_string()
    } else {
        format!("/threads/{}", own.thread_id)
    };
    Ok(kernel::http::redirect(&to).into_response())
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    thread_id: Uuid,
    items: Vec<(crate::edits::Revision, String)>,
}

async fn history_page(Req { state, ctx }: Req, Path((kind, id)): Path<(String, String)>) -> AppResult<Response> {
    let (kind, id) = (post_kind(&kind)?, path_id(&id)?);
    let items = crate::edits::history(&state, &ctx.viewer, kind, id).await?;
    let thread_id: Uuid = if kind == "thread" {
        id
    } else {
        state.db.scalar("SELECT thread_id FROM posts WHERE id = $1", params![id]).await?.ok_or(AppError::NotFound)?
    };
    let ids: Vec<MemberId> = items.iter().map(|r| r.editor_id).collect();
    let names = people(&state)?.display_names((&state.db).into(), &ids).await?;
    let items = items
        .into_iter()
        .map(|r| {
            let n = names.get(&r.editor_id).cloned().unwrap_or_default();
            (r, n)
        })
        .collect();
    let body = ui::render(&HistoryPage { thread_id, items });
    Ok(ui::page(&state, &ctx, "Earlier versions", "/groups", &body).into_response())
}
