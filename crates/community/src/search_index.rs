//! The full-text index of discussions, the one module that speaks each backend's
//! dialect: SQLite FTS5 (`MATCH`, `bm25`, `snippet`) and PostgreSQL
//! (`websearch_to_tsquery`, `ts_rank`, `ts_headline`). Discussions are indexed in the
//! transaction that changes them and queried with the set of groups the viewer may
//! read, so the filter is in SQL.

use kernel::db::{self, Backend, Db, backend_of};
use kernel::params;
use sea_orm::{ConnectionTrait, DbErr};
use serde::Serialize;
use uuid::Uuid;

/// Marks around matched words in snippets, chosen so no member can type them.
const START: &str = "\u{2}";
const STOP: &str = "\u{3}";

pub struct Doc<'a> {
    pub id: Uuid,
    /// thread or reply
    pub kind: &'a str,
    pub thread_id: Uuid,
    pub group_id: Uuid,
    pub title: &'a str,
    pub body: &'a str,
}

// On SQLite, `doc_id` and `thread_id` are unindexed columns of the FTS5 table: a
// condition on them reads every document. Each document's key is kept in `search_keys`
// (m0010), whose `id` is the FTS5 row's id, and documents are found through it. On
// PostgreSQL `search_docs` is an ordinary table with indexes on both.

/// Adds (or replaces) a document in the caller's transaction.
pub async fn index<C: ConnectionTrait>(c: &C, d: &Doc<'_>) -> Result<(), DbErr> {
    remove(c, d.id).await?;
    let (doc_id, thread_id) = (d.id.to_string(), d.thread_id.to_string());
    let values = params![doc_id.clone(), d.kind, thread_id.clone(), d.group_id.to_string(), d.title, d.body];
    match backend_of(c) {
        Backend::Sqlite => {
            db::exec(c, "INSERT INTO search_keys (doc_id, thread_id) VALUES ($1, $2)", params![doc_id, thread_id])
                .await?;
            db::exec(
                c,
                "INSERT INTO search_docs (rowid, doc_id, kind, thread_id, group_id, title, body) \
                 VALUES ((SELECT id FROM search_keys WHERE doc_id = $1), $1, $2, $3, $4, $5, $6)",
                values,
            )
            .await?;
        }
        Backend::Postgres => {
            db::exec(
                c,
                "INSERT INTO search_docs (doc_id, kind, thread_id, group_id, title, body) VALUES ($1, $2, $3, $4, $5, $6)",
                values,
            )
            .await?;
        }
    }
    Ok(())
}

/// Removes a document (content hidden, removed or erased).
pub async fn remove<C: ConnectionTrait>(c: &C, id: Uuid) -> Result<(), DbErr> {
    remove_where(c, "doc_id", id).await
}

/// Removes a thread and all its replies.
pub async fn remove_thread<C: ConnectionTrait>(c: &C, thread: Uuid) -> Result<(), DbErr> {
    remove_where(c, "thread_id", thread).await
}

/// Removes the documents whose `column` (`doc_id` or `thread_id`) is `value`.
async fn remove_where<C: ConnectionTrait>(c: &C, column: &str, value: Uuid) -> Result<(), DbErr> {
    let value = value.to_string();
    if backend_of(c) == Backend::Sqlite {
        db::exec(
            c,
            &format!("DELETE FROM search_docs WHERE rowid IN (SELECT id FROM search_keys WHERE {column} = $1)"),
            params![value.clone()],
        )
        .await?;
        db::exec(c, &format!("DELETE FROM search_keys WHERE {column} = $1"), params![value]).await?;
    } else {
        db::exec(c, &format!("DELETE FROM search_docs WHERE {column} = $1"), params![value]).await?;
    }
    Ok(())
}

/// Keys the documents a bulk load wrote straight into `search_docs` (SQLite only; see
/// above). Documents already keyed are left alone.
pub async fn key_loaded_docs(db: &Db) -> Result<(), DbErr> {
    if db.backend() == Backend::Sqlite {
        db.exec(
            "INSERT INTO search_keys (id, doc_id, thread_id) SELECT rowid, doc_id, thread_id FROM search_docs \
             WHERE rowid > (SELECT COALESCE(MAX(id), 0) FROM search_keys)",
            vec![],
        )
        .await?;
    }
    Ok(())
}

/// The search index's invariants, for `shn check`: on SQLite, every document has its key
/// and every key its document (see above). PostgreSQL has nothing to keep in step.
pub async fn check(db: &Db) -> Result<Vec<String>, DbErr> {
    const RULES: &[(&str, &str)] = &[
        (
            "SELECT COUNT(*) FROM search_docs d WHERE NOT EXISTS \
             (SELECT 1 FROM search_keys k WHERE k.id = d.rowid AND k.doc_id = d.doc_id AND k.thread_id = d.thread_id)",
            "search documents without their key",
        ),
        (
            "SELECT COUNT(*) FROM search_keys k WHERE NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.rowid = k.id)",
            "search keys without their document",
        ),
    ];
    let mut problems = Vec::new();
    if db.backend() == Backend::Sqlite {
        for (sql, what) in RULES {
            let n: i64 = db.scalar(sql, vec![]).await?.unwrap_or(0);
            if n > 0 {
                problems.push(format!("{n} {what}"));
            }
        }
    }
    Ok(problems)
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub doc_id: String,
    pub kind: String,
    pub thread_id: String,
    pub group_id: String,
    pub title: String,
    /// HTML: escaped text with matches in `<mark>`.
    pub snippet: String,
}

#[derive(sea_orm::FromQueryResult)]
struct Row {
    doc_id: String,
    kind: String,
    thread_id: String,
    group_id: String,
    title: String,
    snippet: String,
}

/// FTS5 query syntax from free text: each word quoted (so no operator or column filter
/// can be smuggled in), all required.
fn fts5_query(q: &str) -> String {
    q.split_whitespace().take(12).map(|w| format!("\"{}\"", w.replace('"', "\"\""))).collect::<Vec<_>>().join(" ")
}

/// How many of the newest matching documents are ranked. A common word matches a large
/// share of a big forum; ranking every match would cost time in proportion to the whole
/// forum, so the search ranks the newest matches only (which are also what people are
/// usually looking for) and its cost stays flat as the forum grows. At 1000 the ranking
/// was most of the search page's time (bench/RESULTS.md).
const RANKED: i64 = 200;

/// The best matches for `q` among the newest [`RANKED`] matching documents of `groups`,
/// best first, newest first among equals. "Best" is PostgreSQL's `ts_rank` with its
/// default weights on both backends: each matching word counts 1.0 in the title and 0.4
/// in the body. (SQLite's `bm25` also weighs how rare each word is across the whole
/// index, which it learns by reading every match of the word: for a common word, more
/// time than all the rest of the search page.)
pub async fn query(db: &Db, q: &str, groups: &[Uuid], limit: u64) -> Result<Vec<Hit>, DbErr> {
    if q.trim().is_empty() || groups.is_empty() {
        return Ok(vec![]);
    }
    let mut values = params![match backend_of(db.reader()) {
        Backend::Sqlite => fts5_query(q),
        Backend::Postgres => q.to_string(),
    }];
    // The groups a member may read run to hundreds (see `db::uuid_in`).
    let groups_in = db::uuid_in(db.reader(), "group_id", db::UuidColumn::Text, groups, &mut |v| {
        values.push(v);
        format!("${}", values.len())
    });
    let (ranked, limit_at) = (values.len() + 1, values.len() + 2);
    values.push(RANKED.into());
    values.push((limit as i64).into());
    let rows: Vec<Row> = match backend_of(db.reader()) {
        // FTS5 walks matches newest first (by rowid) and stops at the cut. Matches are
        // marked with the index's own stemming (`highlight`); the marks are counted for
        // the score, and the marked body of the final few is cut to a snippet here.
        // (FTS5's `snippet` needs each of them found again through the index, which cost
        // more than all the rest.)
        Backend::Sqlite => {
            let marks = |text: &str| format!("(length({text}) - length(replace({text}, '{START}', '')))");
            let (in_title, in_body) = (marks("marked_title"), marks("marked_body"));
            let sql = format!(
                "SELECT doc_id, kind, thread_id, group_id, title, marked_body AS snippet FROM (\
                   SELECT rowid AS r, doc_id, kind, thread_id, group_id, title, \
                   highlight(search_docs, 0, '{START}', '{STOP}') AS marked_title, \
                   highlight(search_docs, 1, '{START}', '{STOP}') AS marked_body \
                   FROM search_docs WHERE search_docs MATCH $1 AND {groups_in} ORDER BY rowid DESC LIMIT ${ranked}\
                 ) AS newest ORDER BY {in_title} * 1.0 + {in_body} * 0.4 DESC, r DESC LIMIT ${limit_at}"
            );
            let mut rows: Vec<Row> = db.all(&sql, values).await?;
            for row in &mut rows {
                row.snippet = fragment(&row.snippet, SNIPPET_WORDS);
            }
            rows
        }
        // Document IDs are time-ordered UUIDs, so the primary key walks newest first.
        Backend::Postgres => {
            let sql = format!(
                "SELECT doc_id, kind, thread_id, group_id, title, \
                 ts_headline('english', body, websearch_to_tsquery('english', $1), 'StartSel={START}, StopSel={STOP}, MaxFragments=1, MaxWords=24, MinWords=8') AS snippet \
                 FROM (\
                   SELECT * FROM (\
                     SELECT doc_id, kind, thread_id, group_id, title, body, ts_rank(tsv, websearch_to_tsquery('english', $1)) AS score \
                     FROM search_docs WHERE tsv @@ websearch_to_tsquery('english', $1) AND {groups_in} \
                     ORDER BY doc_id DESC LIMIT ${ranked}\
                   ) AS newest ORDER BY score DESC, doc_id DESC LIMIT ${limit_at}\
                 ) AS best ORDER BY score DESC, doc_id DESC"
            );
            db.all(&sql, values).await?
        }
    };
    Ok(rows
        .into_iter()
        .map(|r| Hit {
            snippet: kernel::ui::escape(&r.snippet).replace(START, "<mark>").replace(STOP, "</mark>"),
            doc_id: r.doc_id,
            kind: r.kind,
            thread_id: r.thread_id,
            group_id: r.group_id,
            title: r.title,
        })
        .collect())
}

/// About as many words as PostgreSQL's headline gives.
const SNIPPET_WORDS: usize = 16;

/// About `words` words of `marked` (text with matches between [`START`] and [`STOP`]),
/// starting a little before its first match, with "…" where it was cut. A mark cut in two
/// is closed (or reopened) so no highlight runs past the snippet or loses its start.
fn fragment(marked: &str, words: usize) -> String {
    let tokens: Vec<&str> = marked.split_whitespace().collect();
    let first = tokens.iter().position(|t| t.contains(START)).unwrap_or(0);
    let start = first.saturating_sub(words / 4).min(tokens.len().saturating_sub(words));
    let end = (start + words).min(tokens.len());
    let mut text = tokens[start..end].join(" ");
    let (mut open, mut opened_before) = (false, false);
    for ch in text.chars() {
        if START.starts_with(ch) {
            open = true;
        } else if STOP.starts_with(ch) {
            opened_before |= !open;
            open = false;
        }
    }
    if opened_before {
        text.insert_str(0, START);
    }
    if open {
        text.push_str(STOP);
    }
    let mut out = String::with_capacity(text.len() + 6);
    if start > 0 {
        out.push('…');
    }
    out.push_str(&text);
    if end < tokens.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{START, STOP, fragment, fts5_query};

    #[test]
    fn snippets_start_a_little_before_the_first_match_and_keep_marks_whole() {
        let words: Vec<String> = (0..40).map(|i| format!("w{i}")).collect();
        let mut marked = words.clone();
        marked[20] = format!("{START}pain{STOP}");
        let snippet = fragment(&marked.join(" "), 16);
        assert_eq!(snippet, format!("…w16 w17 w18 w19 {START}pain{STOP} w21 w22 w23 w24 w25 w26 w27 w28 w29 w30 w31…"));
        // Short texts come whole, without ellipses.
        assert_eq!(fragment(&format!("a {START}b{STOP} c"), 16), format!("a {START}b{STOP} c"));
        // A mark spanning the cut is closed.
        let mut long = words.clone();
        long[2] = format!("{START}x");
        long[30] = format!("y{STOP}");
        let cut = fragment(&long.join(" "), 16);
        assert_eq!(cut.matches(START).count(), cut.matches(STOP).count(), "{cut}");
        assert!(cut.starts_with(&format!("w0 w1 {START}x")), "{cut}");
    }

    #[test]
    fn free_text_cannot_inject_fts5_syntax() {
        assert_eq!(fts5_query("pain relief"), "\"pain\" \"relief\"");
        assert_eq!(fts5_query("title:secret OR \"x"), "\"title:secret\" \"OR\" \"\"\"x\"");
    }
}
