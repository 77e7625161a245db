//! The load benchmark's bare ceiling (issue 19): the least work that can serve "a thread
//! with its 50 newest replies and their authors" as HTML from the benchmark's own dataset
//! and backend. One statement, one template, no session, no middleware: axum, the sqlx
//! that sea-orm uses, and askama. `bench/bench.py` serves it beside `shn serve` and
//! reports every page's throughput as a share of this one's, so the share says how much
//! of the machine the application's own work (sessions, policy, more statements, a
//! heavier page) takes, whatever the machine's day.

use std::str::FromStr;
use std::time::Duration;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{ColumnIndex, Decode, Row, Type};
use uuid::Uuid;

/// How many replies the page shows, as the thread page does.
pub const REPLIES: i64 = 50;

/// The one statement: the thread, its newest visible replies and their authors' names.
/// Left joins, so a thread without replies still has its one row. `posts_by_thread`
/// (thread, created_at, id) serves the order, read backwards. `$1` is the thread, `$2`
/// the number of replies.
const SQL: &str = "SELECT t.title, t.body_html, p.id, p.body_html, p.created_at, m.display_name \
     FROM threads t \
     LEFT JOIN posts p ON p.thread_id = t.id AND p.status = 'visible' \
     LEFT JOIN members m ON m.id = p.author_id \
     WHERE t.id = $1 AND t.status = 'visible' \
     ORDER BY p.created_at DESC, p.id DESC LIMIT $2";

/// The dataset's database: the benchmark runs on either backend.
#[derive(Clone)]
pub enum Db {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// Opens `url` (`sqlite://…` or `postgres://…`, as `SHN_DATABASE_URL` names it) with up
/// to `connections` connections; SQLite read-only, since the ceiling never writes and
/// `shn serve` holds the same file.
pub async fn connect(url: &str, connections: u32) -> Result<Db, sqlx::Error> {
    if url.starts_with("sqlite:") {
        let options = SqliteConnectOptions::from_str(url)?.read_only(true).busy_timeout(Duration::from_secs(30));
        let pool = SqlitePoolOptions::new().max_connections(connections).connect_with(options).await?;
        Ok(Db::Sqlite(pool))
    } else {
        Ok(Db::Postgres(PgPoolOptions::new().max_connections(connections).connect(url).await?))
    }
}

impl Db {
    /// The page for thread `id`; `None` when there is no such visible thread.
    pub async fn thread(&self, id: Uuid) -> Result<Option<ThreadPage>, sqlx::Error> {
        match self {
            Db::Sqlite(pool) => page(&sqlx::query(SQL).bind(id).bind(REPLIES).fetch_all(pool).await?),
            Db::Postgres(pool) => page(&sqlx::query(SQL).bind(id).bind(REPLIES).fetch_all(pool).await?),
        }
    }
}

/// A thread with its newest replies, as HTML.
#[derive(Template)]
#[template(path = "thread.html")]
pub struct ThreadPage {
    pub title: String,
    /// The thread's stored HTML (empty for a row from before stored HTML, m0030).
    pub body_html: String,
    /// Newest first.
    pub replies: Vec<Reply>,
}

pub struct Reply {
    pub id: Uuid,
    pub author: String,
    pub at: DateTime<Utc>,
    pub html: String,
}

/// The page from the statement's rows, whichever backend they came from.
fn page<R>(rows: &[R]) -> Result<Option<ThreadPage>, sqlx::Error>
where
    R: Row,
    usize: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Uuid: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    let Some(first) = rows.first() else { return Ok(None) };
    let mut replies = Vec::with_capacity(rows.len());
    for row in rows {
        // A thread without replies has one row, with no reply in it.
        let Some(id) = row.try_get::<Option<Uuid>, _>(2)? else { continue };
        replies.push(Reply {
            id,
            html: row.try_get::<Option<String>, _>(3)?.unwrap_or_default(),
            at: row.try_get(4)?,
            author: row.try_get::<Option<String>, _>(5)?.unwrap_or_default(),
        });
    }
    Ok(Some(ThreadPage {
        title: first.try_get(0)?,
        body_html: first.try_get::<Option<String>, _>(1)?.unwrap_or_default(),
        replies,
    }))
}

/// `GET /threads/{id}`, and nothing else.
pub fn router(db: Db) -> Router {
    Router::new().route("/threads/{id}", get(thread_page)).with_state(db)
}

async fn thread_page(State(db): State<Db>, Path(id): Path<Uuid>) -> Response {
    match db.thread(id).await {
        Ok(Some(page)) => match page.render() {
            Ok(html) => Html(html).into_response(),
            Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
        },
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}
