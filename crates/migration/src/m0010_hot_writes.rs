//! Hot writes at scale that read a whole table, found by the query-plan test's writes
//! (crates/web/tests/it/queries.rs).
//!
//! Search documents are found by their own key without reading the whole index.
//! On SQLite the search index is an FTS5 table, whose `doc_id` and `thread_id` columns
//! are stored but not indexed: removing or replacing one document (which every new post,
//! edit and removal does) read every document in the forum. Each document's key now sits
//! in an ordinary table beside it, holding the FTS5 row's id, so a document or a thread's
//! documents are found through a B-tree index. On PostgreSQL `search_docs` is an ordinary
//! table keyed by `doc_id`; removing a thread's documents gets an index on `thread_id`.
//!
//! On SQLite the index also gets FTS5's `secure-delete`: the words of a removed or erased
//! post leave the index's own pages at once, not only what searches see (health details
//! should not linger in the database file).
//!
//! Deleting a reply counts the visible replies quoting it, which read every post: quotes
//! get an index (partial, as few posts quote).

use sea_orm_migration::prelude::*;

const SQLITE: &str = r#"
CREATE TABLE search_keys (id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL UNIQUE, thread_id TEXT NOT NULL);
CREATE INDEX search_keys_thread ON search_keys (thread_id);
INSERT INTO search_keys (id, doc_id, thread_id) SELECT rowid, doc_id, thread_id FROM search_docs;
INSERT INTO search_docs (search_docs, rank) VALUES ('secure-delete', 1);
CREATE INDEX posts_quoting ON posts (quote_post_id) WHERE quote_post_id IS NOT NULL
"#;

const POSTGRES: &str = r#"
CREATE INDEX search_docs_thread ON search_docs (thread_id);
CREATE INDEX posts_quoting ON posts (quote_post_id) WHERE quote_post_id IS NOT NULL
"#;

crate::per_backend_migration!(sqlite: SQLITE, postgres: POSTGRES);
