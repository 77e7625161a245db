//! The schema, as one ordered set of migrations written once and rendered per
//! backend. Each migration is portable DDL with a handful of type names that
//! [`render`] maps to each backend's native type; everything else (constraints,
//! partial indexes, `ON DELETE`) means the same on SQLite and PostgreSQL.
//!
//! Never edit a migration that has shipped: add a new one.

pub use sea_orm_migration::prelude::*;

#[cfg(feature = "testing")]
pub mod testing;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_kernel::Migration),
            Box::new(m0002_members::Migration),
            Box::new(m0003_rewards::Migration),
            Box::new(m0004_events::Migration),
            Box::new(m0005_community::Migration),
            Box::new(m0006_search::Migration),
            Box::new(m0007_conversation::Migration),
            Box::new(m0008_performance::Migration),
            Box::new(m0009_directory_by_condition::Migration),
            Box::new(m0010_hot_writes::Migration),
            Box::new(m0011_member_text::Migration),
            Box::new(m0012_opportunities::Migration),
            Box::new(m0013_credentials::Migration),
            Box::new(m0014_learning_courses::Migration),
            Box::new(m0015_learning_articles::Migration),
            Box::new(m0016_learning_resources::Migration),
            Box::new(m0017_surveys::Migration),
            Box::new(m0018_analytics::Migration),
            Box::new(m0019_awards::Migration),
            Box::new(m0020_newsletter::Migration),
            Box::new(m0021_moments::Migration),
            Box::new(m0022_newsletter_delivery::Migration),
            Box::new(m0023_newsletter_schedule::Migration),
            Box::new(m0024_awards_more::Migration),
            Box::new(m0026_analytics_rollups::Migration),
            Box::new(m0027_group_conversations::Migration),
            Box::new(m0028_group_archive::Migration),
            Box::new(m0029_analytics_current::Migration),
            Box::new(m0030_post_html::Migration),
            Box::new(m0031_open_prompts::Migration),
            Box::new(m0032_feed_index_only::Migration),
            Box::new(m0033_activity_by_kind::Migration),
        ]
    }
}

/// Renders portable DDL for the connection's backend. On PostgreSQL the type names are
/// native. On SQLite: `UUID` becomes `BLOB` (the driver stores UUIDs as 16 bytes) and
/// `TIMESTAMPTZ` becomes `TEXT` (RFC 3339 UTC text, which sorts in time order).
pub fn render(backend: sea_orm::DbBackend, ddl: &str) -> String {
    match backend {
        sea_orm::DbBackend::Sqlite => ddl.replace(" UUID", " BLOB").replace(" TIMESTAMPTZ", " TEXT"),
        _ => ddl.to_string(),
    }
}

/// Declares a migration that runs portable DDL (see [`render`]) in one transaction.
macro_rules! portable_migration {
    ($ddl:expr) => {
        #[derive(DeriveMigrationName)]
        pub struct Migration;

        #[async_trait::async_trait]
        impl MigrationTrait for Migration {
            async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                crate::run_ddl(manager, $ddl).await
            }

            fn use_transaction(&self) -> Option<bool> {
                Some(true)
            }
        }
    };
}
pub(crate) use portable_migration;

/// Declares a migration whose DDL differs by backend (the search index), each run as-is
/// in one transaction.
macro_rules! per_backend_migration {
    (sqlite: $sqlite:expr, postgres: $postgres:expr) => {
        #[derive(DeriveMigrationName)]
        pub struct Migration;

        #[async_trait::async_trait]
        impl MigrationTrait for Migration {
            async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                let ddl = match manager.get_database_backend() {
                    sea_orm::DbBackend::Postgres => $postgres,
                    _ => $sqlite,
                };
                crate::run_ddl(manager, ddl).await
            }

            fn use_transaction(&self) -> Option<bool> {
                Some(true)
            }
        }
    };
}
pub(crate) use per_backend_migration;

mod m0001_kernel;
mod m0002_members;
mod m0003_rewards;
mod m0004_events;
mod m0005_community;
mod m0006_search;
mod m0007_conversation;
mod m0008_performance;
mod m0009_directory_by_condition;
mod m0010_hot_writes;
mod m0011_member_text;
mod m0012_opportunities;
mod m0013_credentials;
mod m0014_learning_courses;
mod m0015_learning_articles;
mod m0016_learning_resources;
mod m0017_surveys;
mod m0018_analytics;
mod m0019_awards;
mod m0020_newsletter;
mod m0021_moments;
mod m0022_newsletter_delivery;
mod m0023_newsletter_schedule;
mod m0024_awards_more;
mod m0026_analytics_rollups;
mod m0027_group_conversations;
mod m0028_group_archive;
mod m0029_analytics_current;
mod m0030_post_html;
mod m0031_open_prompts;
mod m0032_feed_index_only;
mod m0033_activity_by_kind;

/// Runs each `;`-separated statement of portable DDL.
pub(crate) async fn run_ddl(manager: &SchemaManager<'_>, ddl: &str) -> Result<(), DbErr> {
    let conn = manager.get_connection();
    let sql = render(manager.get_database_backend(), ddl);
    for stmt in statements(&sql) {
        conn.execute_unprepared(&stmt).await?;
    }
    Ok(())
}

/// The `;`-separated statements of `sql`, where a trigger (`CREATE TRIGGER … BEGIN …;`
/// and `END` on a line of its own) is one statement with its own semicolons inside. (A
/// `CASE … END` inside a trigger's body does not end it: it is not alone on its line.)
fn statements(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for piece in sql.split(';') {
        current.push_str(piece);
        let stmt = current.trim();
        let in_trigger = stmt.get(..14).is_some_and(|start| start.eq_ignore_ascii_case("CREATE TRIGGER"));
        let ended = stmt.lines().last().is_some_and(|line| line.trim().eq_ignore_ascii_case("END"));
        if in_trigger && !ended {
            current.push(';');
            continue;
        }
        if !stmt.is_empty() {
            out.push(stmt.to_string());
        }
        current.clear();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_rendering_maps_only_type_names() {
        let ddl = "CREATE TABLE t (id UUID PRIMARY KEY, at TIMESTAMPTZ NOT NULL, uuid_note TEXT)";
        assert_eq!(
            render(sea_orm::DbBackend::Sqlite, ddl),
            "CREATE TABLE t (id BLOB PRIMARY KEY, at TEXT NOT NULL, uuid_note TEXT)"
        );
        assert_eq!(render(sea_orm::DbBackend::Postgres, ddl), ddl);
    }

    #[test]
    fn a_trigger_is_one_statement_with_its_semicolons() {
        let sql = "CREATE TABLE a (x INT);\nCREATE TRIGGER t AFTER INSERT ON a BEGIN\n  DELETE FROM b;\n  \
                   UPDATE c SET y = CASE WHEN new.x > 0 THEN 1 ELSE 0 END;\nEND;\nDROP TABLE d;\n";
        assert_eq!(
            statements(sql),
            vec![
                "CREATE TABLE a (x INT)",
                "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  DELETE FROM b;\n  \
                 UPDATE c SET y = CASE WHEN new.x > 0 THEN 1 ELSE 0 END;\nEND",
                "DROP TABLE d"
            ]
        );
    }

    /// m0010 keys the search documents an existing SQLite database already holds, with
    /// the FTS5 row ids the search orders by.
    #[tokio::test]
    async fn upgrading_keys_the_search_documents_already_indexed() {
        let db = sea_orm::Database::connect("sqlite::memory:").await.unwrap();
        let before_m0010 = 9;
        Migrator::up(&db, Some(before_m0010)).await.unwrap();
        for (rowid, doc) in [(7, "a"), (9, "b")] {
            db.execute_unprepared(&format!(
                "INSERT INTO search_docs (rowid, doc_id, kind, thread_id, group_id, title, body) \
                 VALUES ({rowid}, '{doc}', 'reply', 't', 'g', 'Title', 'Body')"
            ))
            .await
            .unwrap();
        }
        Migrator::up(&db, None).await.unwrap();
        let rows = db
            .query_all_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Sqlite,
                "SELECT id, doc_id, thread_id FROM search_keys ORDER BY id",
            ))
            .await
            .unwrap();
        let keys: Vec<(i64, String, String)> = rows
            .iter()
            .map(|r| {
                (r.try_get("", "id").unwrap(), r.try_get("", "doc_id").unwrap(), r.try_get("", "thread_id").unwrap())
            })
            .collect();
        assert_eq!(keys, vec![(7, "a".into(), "t".into()), (9, "b".into(), "t".into())]);
    }
}
