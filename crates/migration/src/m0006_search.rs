//! Full-text search over discussions, where the backends differ in schema (here and in
//! m0010): SQLite gets an FTS5 table, PostgreSQL a table with a generated `tsvector`
//! and a GIN index. `community::search_index` holds the matching query code.

use sea_orm_migration::prelude::*;

const SQLITE: &str = "CREATE VIRTUAL TABLE search_docs USING fts5(title, body, doc_id UNINDEXED, kind UNINDEXED, thread_id UNINDEXED, group_id UNINDEXED, tokenize = 'porter unicode61')";

const POSTGRES: &str = r#"
CREATE TABLE search_docs (
    doc_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    group_id TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')) STORED
);
CREATE INDEX search_docs_tsv ON search_docs USING GIN (tsv);
CREATE INDEX search_docs_group ON search_docs (group_id)
"#;

crate::per_backend_migration!(sqlite: SQLITE, postgres: POSTGRES);
