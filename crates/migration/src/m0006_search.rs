//! Full-text search over discussions. The one place where the backends differ in
//! schema: SQLite gets an FTS5 table, PostgreSQL a table with a generated `tsvector`
//! and a GIN index. `kernel::search` holds the matching query code.

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

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let ddl = match manager.get_database_backend() {
            sea_orm::DbBackend::Postgres => POSTGRES,
            _ => SQLITE,
        };
        for stmt in ddl.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            conn.execute_unprepared(stmt).await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
