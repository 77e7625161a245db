//! A fresh, migrated database on either backend, for the slices' tests that check their
//! SQL against their Rust (the policy agreement tests). Enabled by the `testing` feature;
//! never part of the binary.

use kernel::db::Db;
use sea_orm_migration::sea_orm::{ConnectionTrait, Database};

use crate::{Migrator, MigratorTrait};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const BOTH: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

/// The PostgreSQL server tests use (`SHN_TEST_POSTGRES`); a test that cannot reach it fails.
pub fn pg_admin_url() -> String {
    std::env::var("SHN_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A unique suffix for a test's database and folder names.
fn unique() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{}x{nanos}x{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// A migrated database; dropped (PostgreSQL) or deleted (SQLite) by [`Fresh::finish`].
/// PostgreSQL databases are named `shn_t_…`, which the test script sweeps up after an
/// interrupted run.
pub struct Fresh {
    pub db: Db,
    pg_name: Option<String>,
    dir: std::path::PathBuf,
}

impl Fresh {
    pub async fn start(backend: Backend) -> Fresh {
        let suffix = unique();
        let dir = std::env::temp_dir().join(format!("shn-fresh-{suffix}"));
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        let (url, pg_name) = match backend {
            Backend::Sqlite => (format!("sqlite://{}?mode=rwc", dir.join("shn.db").display()), None),
            Backend::Postgres => {
                let name = format!("shn_t_{suffix}");
                let admin = Database::connect(pg_admin_url())
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL must be reachable at {} for tests: {e}", pg_admin_url()));
                admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
                let _ = admin.close().await;
                let base = pg_admin_url();
                let root = base.rsplit_once('/').map(|(r, _)| r.to_string()).unwrap_or(base);
                (format!("{root}/{name}"), Some(name))
            }
        };
        let db = Db::connect(&url, 4).await.expect("connect");
        Migrator::up(db.writer(), None).await.expect("migrate");
        Fresh { db, pg_name, dir }
    }

    pub async fn finish(self) {
        self.db.close().await;
        if let Some(name) = &self.pg_name
            && let Ok(admin) = Database::connect(pg_admin_url()).await
        {
            let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
            let _ = admin.close().await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
