//! A thread's, reply's or message's HTML, rendered once: when it is written, edited or made a
//! tombstone, its Markdown is rendered and sanitised ([`kernel::markdown::render`]) and
//! stored beside it in `body_html`, with the renderer's version in `body_html_v`. Pages
//! read the stored HTML and never render it again.
//!
//! A row without current HTML — written before the column existed (m0030), or by an
//! older renderer ([`RENDERER_VERSION`] was bumped since) — reads as no stored HTML
//! ([`stored_sql`] gives NULL for it), and the page renders it then ([`or_render`]), so
//! nothing ever fails or shows stale HTML. `shn check` reports such rows, and
//! `shn check --repair` ([`repair`]) stores their HTML, a batch at a time.
//!
//! Why not in the migration: a Rust renderer cannot run inside SQL, and the migrations
//! are portable DDL run on both backends; a repair run from Rust over the same rows, in
//! key order and in batches, serves both the schema change and every later renderer
//! change with one piece of code.

use kernel::db::{self, Db};
use kernel::markdown::RENDERER_VERSION;
use kernel::params;
use sea_orm::DbErr;
use uuid::Uuid;

/// A body's HTML, as stored: the sanitised HTML and the renderer version that made it.
pub(crate) struct Html {
    pub(crate) html: String,
    pub(crate) v: i32,
}

/// Renders `markdown` for storing.
pub(crate) fn of(markdown: &str) -> Html {
    Html { html: kernel::markdown::render(markdown), v: RENDERER_VERSION }
}

/// A SELECT expression named `body_html`: the stored HTML of the row aliased `alias` when
/// the current renderer made it, else NULL.
pub(crate) fn stored_sql(alias: &str) -> String {
    let (html, v) = (crate::policy::col(alias, "body_html"), crate::policy::col(alias, "body_html_v"));
    format!("CASE WHEN {v} = {RENDERER_VERSION} THEN {html} END AS body_html")
}

/// The stored HTML, or (for a row written before it was stored) `markdown` rendered now.
pub(crate) fn or_render(stored: Option<String>, markdown: &str) -> String {
    stored.unwrap_or_else(|| kernel::markdown::render(markdown))
}

/// The tables whose rows carry stored HTML.
const TABLES: [&str; 3] = ["threads", "posts", "messages"];

/// Rows whose HTML is missing or was made by an older renderer.
fn stale_sql() -> String {
    format!("(body_html IS NULL OR body_html_v IS NULL OR body_html_v <> {RENDERER_VERSION})")
}

/// `shn check`: one line per table with rows lacking current HTML.
pub(crate) async fn check(db: &Db) -> Result<Vec<String>, DbErr> {
    let mut problems = Vec::new();
    for table in TABLES {
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE {}", stale_sql());
        let n: i64 = db.scalar(&sql, params![]).await?.unwrap_or(0);
        if n > 0 {
            problems.push(format!(
                "{n} row(s) of {table} have no HTML from the current Markdown renderer (run `shn check --repair`)"
            ));
        }
    }
    Ok(problems)
}

/// How many rows one repair step renders and writes, in one transaction.
const BATCH: u64 = 500;

/// `shn check --repair`: renders and stores the HTML of every row lacking current HTML,
/// in primary-key order, a batch per transaction (so a large database is repaired
/// without holding the writer long, and an interrupted repair resumes where it was).
pub(crate) async fn repair(db: &Db) -> Result<Vec<String>, DbErr> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        id: Uuid,
        body: String,
    }
    let mut done = Vec::new();
    for table in TABLES {
        let (mut after, mut n) = (None::<Uuid>, 0usize);
        loop {
            let (from, values) = match after {
                Some(id) => ("AND id > $1", params![id]),
                None => ("", params![]),
            };
            let sql = format!("SELECT id, body FROM {table} WHERE {} {from} ORDER BY id LIMIT {BATCH}", stale_sql());
            let rows: Vec<Row> = db.all(&sql, values).await?;
            let Some(last) = rows.last() else { break };
            after = Some(last.id);
            let tx = db.begin().await?;
            let update = format!("UPDATE {table} SET body_html = $1, body_html_v = $2 WHERE id = $3");
            for r in &rows {
                let h = of(&r.body);
                db::exec(&tx, &update, params![h.html, h.v, r.id]).await?;
            }
            tx.commit().await?;
            n += rows.len();
        }
        if n > 0 {
            done.push(format!("stored the HTML of {n} row(s) of {table}"));
        }
    }
    Ok(done)
}
