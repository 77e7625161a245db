//! The home feed: recent discussions in my groups, and those started by people I
//! follow in groups I may read — never anything from a group I cannot read.

use chrono::{DateTime, Utc};
use kernel::ids::MemberId;
use kernel::page::{self, Page};
use kernel::time::now;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState};
use uuid::Uuid;

use crate::groups;
use crate::policy::live_threads;
use crate::threads::Thread;

pub async fn follow(state: &AppState, viewer: &Viewer, who: MemberId, on: bool) -> AppResult<()> {
    let me = viewer.require_member()?;
    if me.id == who {
        return Err(AppError::field("member_id", "You cannot follow yourself."));
    }
    if on {
        contracts::members::visible_profile(state, viewer, who).await?;
    }
    state.db.set_pair("follows", ("follower_id", "followed_id"), me.id, who, on).await?;
    Ok(())
}

/// A page of the viewer's home feed, latest activity first.
pub async fn home(state: &AppState, viewer: &Viewer, cursor: Option<&str>, limit: u64) -> AppResult<Page<Thread>> {
    feed(state, viewer, cursor, limit, true).await
}

/// The latest discussions in the groups each of `viewers` (members, in their order)
/// belongs to and may read — the newsletter's highlights: the home feed without the
/// threads of people they follow. Each group's newest threads are read once for the
/// whole batch, then each viewer's groups merged, so a batch costs a fixed few
/// statements however many members it holds.
pub async fn my_groups_for_each(state: &AppState, viewers: &[Viewer], limit: u64) -> AppResult<Vec<Vec<Thread>>> {
    let theirs = crate::group_batches::readable_memberships_for_each(&state.db, viewers).await?;
    let mut wanted: Vec<Uuid> = theirs.iter().flatten().copied().collect();
    wanted.sort();
    wanted.dedup();
    let newest = newest_of_each(state, &wanted, limit).await?;
    Ok(theirs
        .iter()
        .map(|groups| {
            let mut threads: Vec<Thread> = groups.iter().filter_map(|g| newest.get(g)).flatten().cloned().collect();
            threads.sort_by_key(|t| std::cmp::Reverse((t.last_activity_at, t.id)));
            threads.truncate(limit as usize);
            threads
        })
        .collect())
}

/// Groups a statement of [`newest_of_each`] reads on SQLite.
const NEWEST_CHUNK: usize = 100;

/// The newest `limit` visible threads of each of `groups`, an index seek a group (as
/// [`feed`] reads a member's groups). PostgreSQL takes every group in one statement, a
/// lateral join over them as one JSON array (a hundred-part union spent 15 ms planning
/// for every 4 ms running). SQLite has no lateral join: a statement is a union of a
/// hundred seeks, always the same text, a short chunk padded with a group that does not
/// exist, so each connection prepares it once (preparing it cost more than running it).
async fn newest_of_each(
    state: &AppState,
    groups: &[Uuid],
    limit: u64,
) -> AppResult<std::collections::HashMap<Uuid, Vec<Thread>>> {
    let cols = crate::threads::THREAD_COLUMNS;
    // A batch's highlights are lines (title and replies): its bodies are not read.
    let t_cols = cols
        .split(", ")
        .map(|c| match c.trim() {
            "body" => "'' AS body".to_string(),
            c => format!("t.{c}"),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let visible = format!("t.status = 'visible' AND {}", live_threads::has_opened_sql("t", "$1"));
    let newest_of = |group: &str| {
        format!(
            "SELECT {t_cols} FROM threads t WHERE t.group_id = {group} AND {visible} \
             ORDER BY t.last_activity_at DESC, t.id DESC LIMIT $2"
        )
    };
    let statements: Vec<(String, Vec<sea_orm::Value>)> = match kernel::db::backend_of(state.db.reader()) {
        kernel::db::Backend::Postgres => {
            let ids = serde_json::to_string(groups).map_err(|e| AppError::Internal(e.into()))?;
            let sql = format!(
                "SELECT {cols} FROM json_array_elements_text($3::json) AS g(gid) \
                 CROSS JOIN LATERAL ({}) AS t",
                newest_of("g.gid::uuid")
            );
            vec![(sql, vec![now().into(), (limit as i64).into(), ids.into()])]
        }
        kernel::db::Backend::Sqlite => {
            let union = (0..NEWEST_CHUNK)
                .map(|i| format!("SELECT {cols} FROM ({}) AS part{i}", newest_of(&format!("${}", i + 3))))
                .collect::<Vec<_>>()
                .join(" UNION ALL ");
            groups
                .chunks(NEWEST_CHUNK)
                .map(|chunk| {
                    let padding = std::iter::repeat_n(Uuid::nil(), NEWEST_CHUNK - chunk.len());
                    let mut values: Vec<sea_orm::Value> = vec![now().into(), (limit as i64).into()];
                    values.extend(chunk.iter().copied().chain(padding).map(sea_orm::Value::from));
                    (union.clone(), values)
                })
                .collect()
        }
    };
    let mut newest: std::collections::HashMap<Uuid, Vec<Thread>> = Default::default();
    for (sql, values) in statements {
        for t in state.db.all::<Thread>(&sql, values).await? {
            newest.entry(t.group_id).or_default().push(t);
        }
    }
    Ok(newest)
}

async fn feed(
    state: &AppState,
    viewer: &Viewer,
    cursor: Option<&str>,
    limit: u64,
    followed: bool,
) -> AppResult<Page<Thread>> {
    let me = viewer.require_member()?;
    let known = groups::list(&state.db, viewer).await?;
    let readable: Vec<Uuid> =
        known.iter().filter(|(g, s)| groups::access(viewer, g, *s).read).map(|(g, _)| g.id).collect();
    let mine: Vec<Uuid> = known.iter().filter(|(_, s)| s.is_member()).map(|(g, _)| g.id).collect();
    if readable.is_empty() {
        return Ok(Page { items: vec![], next_cursor: None });
    }
    let mut values: Vec<sea_orm::Value> = vec![me.id.into()];
    let mut bind = |v: sea_orm::Value| {
        values.push(v);
        format!("${}", values.len())
    };
    let t_cols =
        crate::threads::THREAD_COLUMNS.split(", ").map(|c| format!("t.{}", c.trim())).collect::<Vec<_>>().join(", ");
    let opened = bind(now().into());
    let after = match cursor.filter(|c| !c.is_empty()) {
        Some(c) => {
            let (at, id): (DateTime<Utc>, Uuid) = page::decode(c)?;
            let (a, i) = (bind(at.into()), bind(id.into()));
            format!(" AND (t.last_activity_at, t.id) < ({a}, {i})")
        }
        None => String::new(),
    };
    let l = bind(((limit + 1) as i64).into());
    let visible = format!("t.status = 'visible' AND {}{after}", live_threads::has_opened_sql("t", &opened));
    let newest = format!("ORDER BY t.last_activity_at DESC, t.id DESC LIMIT {l}");
    // The newest page of each of my groups (an index seek each, answered from
    // `threads_group_feed` alone), plus threads by people I follow in other groups I may
    // read; the newest of those are chosen by id and time, and only they are read from
    // the table. Reading one merged range of all my groups instead would sort every
    // thread they hold.
    let groups: Vec<Uuid> = mine.iter().filter(|g| readable.contains(g)).copied().collect();
    let others: Vec<Uuid> = readable.iter().filter(|g| followed && !mine.contains(g)).copied().collect();
    if groups.is_empty() && others.is_empty() {
        return Ok(Page { items: vec![], next_cursor: None });
    }
    let parts = newest_parts(&state.db, &groups, &others, &format!("{visible} {newest}"), &mut bind)?;
    let union = parts
        .iter()
        .enumerate()
        .map(|(i, p)| format!("SELECT id, last_activity_at FROM ({p}) AS part{i}"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let sql = format!(
        "SELECT {t_cols} FROM threads t WHERE t.id IN \
         (SELECT id FROM ({union}) AS feed ORDER BY last_activity_at DESC, id DESC LIMIT {l}) \
         ORDER BY t.last_activity_at DESC, t.id DESC"
    );
    let rows: Vec<Thread> = state.db.all(&sql, values).await?;
    Ok(page::finish(rows, limit, |t| (t.last_activity_at, t.id)))
}

/// The parts of the home feed's statement, each of them ids and times of threads, best
/// first, `visible_newest` their condition and order: the newest page of each of
/// `groups`, and threads of people the member follows in `others`. On PostgreSQL the
/// groups go as one JSON array through a lateral join, and `others` as another, so the
/// statement has the same text and a handful of parameters for every member: a part per
/// group and a parameter per other group took 2.4 ms to plan for 0.6 ms of running at
/// scale 1, planned again on each request. SQLite has no lateral join: a part per group.
fn newest_parts(
    db: &kernel::db::Db,
    groups: &[Uuid],
    others: &[Uuid],
    visible_newest: &str,
    bind: &mut dyn FnMut(sea_orm::Value) -> String,
) -> AppResult<Vec<String>> {
    let page_of = |group: &str| {
        format!("SELECT t.id, t.last_activity_at FROM threads t WHERE t.group_id = {group} AND {visible_newest}")
    };
    let json = |ids: &[Uuid]| serde_json::to_string(ids).map_err(|e| AppError::Internal(e.into()));
    let postgres = kernel::db::backend_of(db.reader()) == kernel::db::Backend::Postgres;
    let mut parts = Vec::new();
    if postgres && !groups.is_empty() {
        let each = bind(json(groups)?.into());
        parts.push(format!(
            "SELECT x.id, x.last_activity_at FROM json_array_elements_text({each}::json) AS g(gid) \
             CROSS JOIN LATERAL ({}) AS x",
            page_of("g.gid::uuid")
        ));
    } else {
        parts.extend(groups.iter().map(|g| {
            let g = bind((*g).into());
            page_of(&g)
        }));
    }
    if !others.is_empty() {
        let others_in = if postgres {
            format!(
                "t.group_id IN (SELECT value::uuid FROM json_array_elements_text({}::json))",
                bind(json(others)?.into())
            )
        } else {
            kernel::db::uuid_in(db.reader(), "t.group_id", kernel::db::UuidColumn::Native, others, bind)
        };
        parts.push(format!(
            "SELECT t.id, t.last_activity_at FROM threads t \
             WHERE t.author_id IN (SELECT followed_id FROM follows WHERE follower_id = $1) \
             AND {others_in} AND {visible_newest}"
        ));
    }
    Ok(parts)
}

/// One thing a member wrote, as their profile shows it.
#[derive(Debug, Clone, serde::Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct ActivityItem {
    /// thread or reply
    pub kind: String,
    pub id: Uuid,
    pub thread_id: Uuid,
    pub title: String,
    pub created_at: DateTime<Utc>,
}

/// What a member wrote recently — only in groups the viewer may read, so a private
/// group's discussions never show on a profile to anyone outside it.
pub async fn member_activity(state: &AppState, viewer: &Viewer, member: MemberId) -> AppResult<Vec<ActivityItem>> {
    contracts::members::visible_profile(state, viewer, member).await?;
    let known = groups::list(&state.db, viewer).await?;
    let readable: Vec<Uuid> =
        known.iter().filter(|(g, s)| groups::access(viewer, g, *s).read).map(|(g, _)| g.id).collect();
    if readable.is_empty() {
        return Ok(vec![]);
    }
    let mut values: Vec<sea_orm::Value> = vec![member.into(), now().into()];
    let first = values.len();
    values.extend(readable.iter().map(|g| sea_orm::Value::from(*g)));
    let groups_in = kernel::db::placeholders(first + 1, readable.len());
    let opened = live_threads::has_opened_sql("t", "$2");
    let sql = format!(
        "SELECT * FROM (\
           SELECT 'thread' AS kind, t.id, t.id AS thread_id, t.title, t.created_at FROM threads t \
           WHERE t.author_id = $1 AND t.status = 'visible' AND {opened} AND t.group_id IN ({groups_in}) \
           UNION ALL \
           SELECT 'reply' AS kind, p.id, t.id AS thread_id, t.title, p.created_at FROM posts p JOIN threads t ON t.id = p.thread_id \
           WHERE p.author_id = $1 AND p.status = 'visible' AND t.status = 'visible' AND t.group_id IN ({groups_in})\
         ) a ORDER BY created_at DESC LIMIT 30"
    );
    Ok(state.db.all(&sql, values).await?)
}
