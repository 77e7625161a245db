//! Threads and replies. What a viewer may read follows [`crate::policy::group_read`]:
//! a private group's threads never reach anyone outside it; when a thread shows, is
//! pinned and takes replies follows [`crate::policy::live_threads`].

use crate::settings::CommunitySettings;
use chrono::{DateTime, Utc};
use contracts::events::{ReplyPosted, ThreadStarted};
use contracts::ids::GroupId;
use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::page::{Keyset, Order, Page};
use kernel::time::now;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState, FieldErrors, outbox, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::groups::{self, Access, Group};
use crate::policy::live_threads;
use crate::posting;

#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct Thread {
    pub id: Uuid,
    pub group_id: Uuid,
    pub author_id: MemberId,
    pub title: String,
    /// Markdown (absent in a teaser).
    pub body: String,
    /// A content note (e.g. "pregnancy loss"): readers see it first and open the body on purpose.
    pub content_note: String,
    pub pinned: bool,
    pub locked: bool,
    pub reply_count: i64,
    pub created_at: DateTime<Utc>,
    pub last_activity_at: DateTime<Utc>,
    /// A staff prompt appears at `opens_at`, stays pinned until `closes_at`, then takes no more replies.
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    /// Set when the author last edited it (moderators can read the earlier versions).
    pub edited_at: Option<DateTime<Utc>>,
}

impl Thread {
    /// The columns the timing rule reads.
    pub fn timing(&self) -> live_threads::Timing {
        live_threads::Timing {
            pinned: self.pinned,
            locked: self.locked,
            opens_at: self.opens_at,
            closes_at: self.closes_at,
        }
    }
    /// Pinned by a moderator, or a staff prompt within its window.
    pub fn is_pinned(&self, at: DateTime<Utc>) -> bool {
        live_threads::is_pinned(&self.timing(), at)
    }
    /// Takes no more replies: locked by a moderator, or a prompt past its end.
    pub fn is_closed(&self, at: DateTime<Utc>) -> bool {
        live_threads::is_closed(&self.timing(), at)
    }
}

/// A thread as a group's list gives it: whole to those who read the group, and to a
/// visitor shown a teaser only what the group page shows them — never who wrote it, its
/// content note or its text.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ListedThread {
    Whole(Thread),
    Teaser(ThreadTeaser),
}

/// What a visitor's teaser shows of a thread. (No other field: the schema says so, which
/// tells it apart from a whole [`Thread`].)
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThreadTeaser {
    pub id: Uuid,
    pub group_id: Uuid,
    pub title: String,
    /// Always empty: a teaser shows no text (the field stays for clients that read it).
    pub body: String,
    pub pinned: bool,
    pub reply_count: i64,
    pub last_activity_at: DateTime<Utc>,
}

impl ListedThread {
    /// `t` whole, or as a teaser.
    pub fn of(t: Thread, teaser: bool) -> ListedThread {
        if !teaser {
            return ListedThread::Whole(t);
        }
        let pinned = t.is_pinned(now());
        ListedThread::Teaser(ThreadTeaser {
            id: t.id,
            group_id: t.group_id,
            title: t.title,
            body: String::new(),
            pinned,
            reply_count: t.reply_count,
            last_activity_at: t.last_activity_at,
        })
    }
}

pub const THREAD_COLUMNS: &str = "id, group_id, author_id, title, body, content_note, pinned, locked, reply_count, \
     created_at, last_activity_at, opens_at, closes_at, edited_at";

#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct Reply {
    pub id: Uuid,
    pub author_id: MemberId,
    /// Markdown.
    pub body: String,
    pub content_note: String,
    /// The reply this one quotes, if any.
    pub quote_post_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
}

pub const REPLY_COLUMNS: &str = "id, author_id, body, content_note, quote_post_id, created_at, edited_at";

/// What a member gets back after posting: the post, and crisis resources when it
/// matched a crisis phrase (shown at once; moderators have been told).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Posted<T> {
    #[serde(flatten)]
    pub item: T,
    pub crisis_resources: Option<String>,
    /// False when the group holds posts that need a moderator's look first.
    pub published: bool,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewThread {
    pub title: String,
    /// Markdown.
    pub body: String,
    /// Optional content note shown before the body, e.g. "suicide" or "pregnancy loss".
    #[serde(default)]
    pub content_note: String,
    /// The moments it fits (ids from `GET /api/v1/moments`). Left out: the moments of
    /// the group's open staff prompts; a list (even empty) is the author's own choice.
    #[serde(default)]
    #[schema(max_items = 7)]
    pub moments: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReply {
    /// Markdown.
    pub body: String,
    /// Optional content note shown before the body.
    #[serde(default)]
    pub content_note: String,
    /// A reply in the same thread to quote.
    #[serde(default)]
    pub quote_id: Option<Uuid>,
}

pub(crate) fn check_note(note: &str, e: &mut FieldErrors) {
    e.check_length("content_note", note.trim(), 0..=80, "Keep a content note under 80 characters.");
}

pub(crate) fn check_body(body: &str, e: &mut FieldErrors) {
    let n = body.trim().chars().count();
    if n == 0 {
        e.add("body", "Write something first.");
    } else if n > 20_000 {
        e.add("body", "Keep a post under 20,000 characters.");
    }
}

/// Starts a thread in a group the viewer belongs to.
pub async fn start(state: &AppState, viewer: &Viewer, group: Uuid, t: &NewThread) -> AppResult<Posted<Thread>> {
    let me = viewer.require_member()?;
    let (_, _, a) = groups::visible(&state.db, viewer, group).await?;
    a.require_post()?;
    let mut e = FieldErrors::new();
    let title = t.title.trim();
    check_title(title, &mut e);
    check_body(&t.body, &mut e);
    check_note(&t.content_note, &mut e);
    let moments = crate::thread_moments::check(state, t.moments.as_deref(), &mut e);
    e.into_result()?;
    posting::check_may_post(state, viewer, group, &t.body).await?;
    let settings = CommunitySettings::of(state)?;
    let crisis = posting::crisis_phrase(&settings.crisis_phrases, &format!("{title}\n{}", t.body));
    let held = crisis.is_some() && posting::holds_crisis_posts(state.db.reader(), group).await?;
    let id = Uuid::now_v7();
    let at = now();
    let html = crate::post_html::of(t.body.trim());
    let tx = state.db.begin().await?;
    db::exec(
        &tx,
        "INSERT INTO threads (id, group_id, author_id, title, body, content_note, status, flagged, created_at, updated_at, last_activity_at, body_html, body_html_v) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $9, $10, $11)",
        params![id, group, me.id, title, t.body.trim(), t.content_note.trim(), if held { "held" } else { "visible" }, crisis.is_some(), at, html.html, html.v],
    )
    .await?;
    crate::thread_moments::tag_new((&tx).into(), state, group, id, moments, me.id).await?;
    if !held {
        crate::search_index::index(
            &tx,
            &crate::search_index::Doc {
                id,
                kind: "thread",
                thread_id: id,
                group_id: group,
                title,
                body: t.body.trim(),
            },
        )
        .await?;
        outbox::publish(&tx, Some(me.id), &ThreadStarted { member_id: me.id, thread_id: id, group_id: GroupId(group) })
            .await?;
    }
    if let Some(phrase) = crisis {
        crate::moderation::flag_crisis(&tx, "thread", id, group, me.id, phrase).await?;
    }
    tx.commit().await?;
    let item: Thread = state
        .db
        .one(&format!("SELECT {THREAD_COLUMNS} FROM threads WHERE id = $1"), params![id])
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Posted { item, crisis_resources: crisis.map(|_| settings.crisis_message.clone()), published: !held })
}

pub(crate) fn check_title(title: &str, e: &mut FieldErrors) {
    e.check_length("title", title, 1..=200, "Give the thread a title of 1 to 200 characters.");
}

/// A thread with its group and what the viewer may do there (404 when they may not read
/// it, and for a staff prompt that has not opened yet, to all but moderators), read in
/// one statement ([`crate::thread_read::open`]).
pub async fn readable(db: &Db, viewer: &Viewer, id: Uuid) -> AppResult<(Thread, Group, Access)> {
    let o = crate::thread_read::open(db, viewer, id, None).await?;
    Ok((o.t, o.g, o.a))
}

/// Replies to a thread, oldest first, a page at a time.
pub async fn replies(db: &Db, thread: Uuid, cursor: Option<&str>, limit: u64) -> AppResult<Page<Reply>> {
    let list = Keyset {
        select: &format!("SELECT {REPLY_COLUMNS} FROM posts WHERE thread_id = $1 AND status = 'visible'"),
        params: params![thread],
        key: ("created_at", "id"),
        order: Order::OldestFirst,
    };
    list.page(db, cursor.filter(|c| !c.is_empty()), limit, |r: &Reply| (r.created_at, r.id)).await
}

/// Replies in a thread the viewer belongs to (not when it is locked).
pub async fn reply(state: &AppState, viewer: &Viewer, thread: Uuid, r: &NewReply) -> AppResult<Posted<Reply>> {
    let me = viewer.require_member()?;
    let (t, _, a) = readable(&state.db, viewer, thread).await?;
    a.require_post()?;
    if t.is_closed(now()) {
        return Err(AppError::conflict("thread_locked", "This discussion is closed to new replies."));
    }
    let mut e = FieldErrors::new();
    check_body(&r.body, &mut e);
    check_note(&r.content_note, &mut e);
    if let Some(q) = r.quote_id {
        let same_thread: Option<Uuid> =
            state.db.scalar("SELECT thread_id FROM posts WHERE id = $1 AND status = 'visible'", params![q]).await?;
        if same_thread != Some(thread) {
            e.add("quote_id", "You can only quote a reply in this discussion.");
        }
    }
    e.into_result()?;
    posting::check_may_post(state, viewer, t.group_id, &r.body).await?;
    let settings = CommunitySettings::of(state)?;
    let crisis = posting::crisis_phrase(&settings.crisis_phrases, &r.body);
    let held = crisis.is_some() && posting::holds_crisis_posts(state.db.reader(), t.group_id).await?;
    let id = Uuid::now_v7();
    let at = now();
    let html = crate::post_html::of(r.body.trim());
    let tx = state.db.begin().await?;
    db::exec(
        &tx,
        "INSERT INTO posts (id, thread_id, author_id, body, content_note, quote_post_id, status, flagged, created_at, updated_at, body_html, body_html_v) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11)",
        params![id, thread, me.id, r.body.trim(), r.content_note.trim(), r.quote_id, if held { "held" } else { "visible" }, crisis.is_some(), at, html.html, html.v],
    )
    .await?;
    if !held {
        publish_reply(&tx, &t, id, me.id, r.body.trim(), at).await?;
    }
    if let Some(phrase) = crisis {
        crate::moderation::flag_crisis(&tx, "reply", id, t.group_id, me.id, phrase).await?;
    }
    tx.commit().await?;
    let item = Reply {
        id,
        author_id: me.id,
        body: r.body.trim().to_string(),
        content_note: r.content_note.trim().to_string(),
        quote_post_id: r.quote_id,
        created_at: at,
        edited_at: None,
    };
    Ok(Posted { item, crisis_resources: crisis.map(|_| settings.crisis_message.clone()), published: !held })
}

/// What makes a reply part of its thread: the count and activity time, the search
/// index and the event others hear of it by. Also used when a moderator releases a
/// held reply.
pub(crate) async fn publish_reply(
    tx: &kernel::db::Tx,
    t: &Thread,
    id: Uuid,
    author: MemberId,
    body: &str,
    at: DateTime<Utc>,
) -> AppResult<()> {
    db::exec(
        tx,
        "UPDATE threads SET reply_count = reply_count + 1, last_activity_at = $1 WHERE id = $2",
        params![at, t.id],
    )
    .await?;
    crate::search_index::index(
        tx,
        &crate::search_index::Doc { id, kind: "reply", thread_id: t.id, group_id: t.group_id, title: &t.title, body },
    )
    .await?;
    outbox::publish(tx, Some(author), &ReplyPosted { member_id: author, thread_id: t.id, post_id: id }).await?;
    Ok(())
}

/// A group's threads: the first page starts with what is pinned (by a moderator, or a
/// staff prompt within its window); then everything else by latest activity, a page at
/// a time. Prompts that have not opened yet are left out. Only for viewers who may read
/// the group (a teaser shows titles alone). With `only` (the threads tagged with a
/// moment), just those of them, by latest activity, nothing pinned first.
pub async fn feed(
    db: &Db,
    group: Uuid,
    teaser: bool,
    only: Option<&[Uuid]>,
    cursor: Option<&str>,
    limit: u64,
) -> AppResult<Page<Thread>> {
    let body = if teaser { "'' AS body" } else { "body" };
    let cols = THREAD_COLUMNS.replace("body", body);
    let t = now();
    let opened = live_threads::has_opened_sql("", "$2");
    let live = format!("group_id = $1 AND status = 'visible' AND {opened}");
    let mut values = params![group, t];
    let restrict = match only {
        Some(ids) => contracts::moments::restrict_sql(db.reader(), "id", ids, &mut |v| {
            values.push(v);
            format!("${}", values.len())
        }),
        None => live_threads::unpinned_sql("", "$2"),
    };
    let cursor = cursor.filter(|c| !c.is_empty());
    let first = cursor.is_none() && only.is_none();
    let mut pinned = if first { pinned(db, group, &cols, &opened, t).await? } else { vec![] };
    let list = Keyset {
        select: &format!("SELECT {cols} FROM threads WHERE {live} AND {restrict}"),
        params: values,
        key: ("last_activity_at", "id"),
        order: Order::NewestFirst,
    };
    let mut page = list.page(db, cursor, limit, |t: &Thread| (t.last_activity_at, t.id)).await?;
    pinned.append(&mut page.items);
    page.items = pinned;
    Ok(page)
}

/// The top of a group's first page: pinned threads, and prompts still open.
async fn pinned(db: &Db, group: Uuid, cols: &str, opened: &str, t: DateTime<Utc>) -> AppResult<Vec<Thread>> {
    // Two seeks on `threads_pinned`. As one `NOT (unpinned)` condition it would read
    // every thread of the group. `status || ''` keeps the planner off
    // `threads_group_feed`, which matches only the group.
    let featured = live_threads::pinned_sql_parts("", "$2").map(|which| {
        format!("SELECT {cols} FROM threads WHERE group_id = $1 AND {which} AND status || '' = 'visible' AND {opened}")
    });
    Ok(db
        .all(
            &format!(
                "SELECT {THREAD_COLUMNS} FROM ({} UNION ALL {}) AS featured ORDER BY last_activity_at DESC LIMIT 20",
                featured[0], featured[1]
            ),
            params![group, t],
        )
        .await?)
}

/// Which of these threads are staff prompts that have not opened yet (kept out of search).
pub async fn not_yet_open(db: &Db, ids: impl Iterator<Item = Uuid>) -> AppResult<Vec<String>> {
    let ids: Vec<Uuid> = ids.collect();
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut values: Vec<sea_orm::Value> = vec![now().into()];
    values.extend(ids.iter().map(|i| sea_orm::Value::from(*i)));
    let placeholders = kernel::db::placeholders(2, ids.len());
    let rows: Vec<Uuid> = db
        .column(
            &format!(
                "SELECT id FROM threads WHERE NOT {} AND id IN ({placeholders})",
                live_threads::has_opened_sql("", "$1")
            ),
            values,
        )
        .await?;
    Ok(rows.into_iter().map(|id| id.to_string()).collect())
}
