//! Reading a thread for its page (and for every action taken from it) in as few
//! statements as it allows: the thread with its group and the viewer's membership in
//! one, and a page of replies with their authors' names and the replies they quote in
//! another. Who may read is still decided by [`crate::policy::group_read`] in Rust, from
//! the membership row this statement brings along, exactly as [`crate::groups::visible`]
//! decides it from its own.

use contracts::members::MemberDirectory;
use kernel::db::Db;
use kernel::page::{Keyset, Order, Page};
use kernel::time::now;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, params};
use sea_orm::{DbErr, FromQueryResult, QueryResult};
use uuid::Uuid;

use crate::groups::{self, Access, Group, Standing};
use crate::policy::live_threads;
use crate::post_html;
use crate::threads::{REPLY_COLUMNS, Reply, THREAD_COLUMNS, Thread};

/// A thread the viewer may read, with its group and what they may do there.
pub(crate) struct Opened {
    pub(crate) t: Thread,
    pub(crate) g: Group,
    pub(crate) a: Access,
    /// The body's stored HTML (none for a row older than it: see [`post_html::or_render`]).
    pub(crate) body_html: Option<String>,
    /// The author's display name (when asked for).
    pub(crate) author: Option<String>,
}

/// One row of the statement: the thread (unprefixed), its group (`g_`), the viewer's
/// membership (`m_`), its stored HTML and its author's name.
struct Row {
    t: Thread,
    g: Group,
    membership: Option<(String, String)>,
    body_html: Option<String>,
    author: Option<String>,
}

impl FromQueryResult for Row {
    fn from_query_result(res: &QueryResult, _: &str) -> Result<Self, DbErr> {
        let role: Option<String> = res.try_get("", "m_role")?;
        let status: Option<String> = res.try_get("", "m_status")?;
        Ok(Row {
            t: Thread::from_query_result(res, "")?,
            g: Group::from_query_result(res, "g_")?,
            membership: role.zip(status),
            body_html: res.try_get("", "body_html")?,
            author: res.try_get("", "author_name")?,
        })
    }
}

/// `alias.c` for each of `columns` (a `, `-separated list), named `prefix` + `c`.
fn columns(columns: &str, alias: &str, prefix: &str) -> String {
    columns.split(',').map(str::trim).map(|c| format!("{alias}.{c} AS {prefix}{c}")).collect::<Vec<_>>().join(", ")
}

/// The thread `id` as `viewer` may read it (404 when they may not, and for a staff
/// prompt that has not opened yet, to all but moderators), in one statement; with
/// `people`, its author's name too.
pub(crate) async fn open(
    db: &Db,
    viewer: &Viewer,
    id: Uuid,
    people: Option<&dyn MemberDirectory>,
) -> AppResult<Opened> {
    let author = people.map_or("CAST(NULL AS TEXT)".to_string(), |p| p.display_name_sql("t.author_id"));
    let sql = format!(
        "SELECT {}, {}, {author} AS author_name, {}, m.role AS m_role, m.status AS m_status \
         FROM threads t JOIN groups g ON g.id = t.group_id \
         LEFT JOIN group_members m ON m.group_id = t.group_id AND m.member_id = $2 \
         WHERE t.id = $1 AND t.status = 'visible'",
        columns(THREAD_COLUMNS, "t", ""),
        post_html::stored_sql("t"),
        columns(groups::COLUMNS, "g", "g_"),
    );
    let me: Option<Uuid> = viewer.id().map(|m| m.0);
    let row: Row = db.one(&sql, params![id, me]).await?.ok_or(AppError::NotFound)?;
    let s = Standing::of(row.membership.as_ref().map(|(r, s)| (r.as_str(), s.as_str())));
    let a = groups::access(viewer, &row.g, s);
    if !a.see_group || !a.read || !live_threads::may_open(&row.t.timing(), now(), a.moderate) {
        return Err(AppError::NotFound);
    }
    Ok(Opened { t: row.t, g: row.g, a, body_html: row.body_html, author: row.author })
}

/// A reply as the page shows it.
pub(crate) struct PageReply {
    pub(crate) r: Reply,
    pub(crate) html: String,
    pub(crate) author: Option<String>,
    /// The reply it quotes, when that is a visible reply of the same thread: its id,
    /// author's name and Markdown.
    pub(crate) quote: Option<(Uuid, Option<String>, String)>,
}

impl FromQueryResult for PageReply {
    fn from_query_result(res: &QueryResult, _: &str) -> Result<Self, DbErr> {
        let r = Reply::from_query_result(res, "")?;
        let html = post_html::or_render(res.try_get("", "body_html")?, &r.body);
        let quoted: Option<Uuid> = res.try_get("", "q_id")?;
        let quote = match quoted {
            Some(q) => Some((
                q,
                res.try_get("", "q_author")?,
                res.try_get::<Option<String>>("", "q_body")?.unwrap_or_default(),
            )),
            None => None,
        };
        Ok(PageReply { html, author: res.try_get("", "author_name")?, quote, r })
    }
}

/// Replies to a thread, oldest first, a page at a time, each with its HTML, its author's
/// name and what it quotes: one statement.
pub(crate) async fn replies(
    db: &Db,
    people: &dyn MemberDirectory,
    thread: Uuid,
    cursor: Option<&str>,
    limit: u64,
) -> AppResult<Page<PageReply>> {
    let select = format!(
        "SELECT {}, {}, {} AS author_name, q.id AS q_id, q.body AS q_body, {} AS q_author \
         FROM posts p LEFT JOIN posts q ON q.id = p.quote_post_id AND q.thread_id = p.thread_id AND q.status = 'visible' \
         WHERE p.thread_id = $1 AND p.status = 'visible'",
        columns(REPLY_COLUMNS, "p", ""),
        post_html::stored_sql("p"),
        people.display_name_sql("p.author_id"),
        people.display_name_sql("q.author_id"),
    );
    let list =
        Keyset { select: &select, params: params![thread], key: ("p.created_at", "p.id"), order: Order::OldestFirst };
    list.page(db, cursor.filter(|c| !c.is_empty()), limit, |r: &PageReply| (r.r.created_at, r.r.id)).await
}
