//! Fresh databases on either backend for tests: empty ones for the integration tests
//! (which start the whole application on them), and migrated ones for the slices' tests
//! that check their SQL against their Rust (the policy agreement tests). Enabled by the
//! `testing` feature; never part of the binary.

use std::path::PathBuf;

use kernel::db::Db;
use sea_orm_migration::sea_orm::{ConnectionTrait, Database, Value};

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

/// A temporary folder and an empty database for one test: an SQLite file in the folder,
/// or a new PostgreSQL database. PostgreSQL databases are named `shn_t_…`, which the test
/// script sweeps up after an interrupted run. Removed by [`TempDatabase::remove`].
pub struct TempDatabase {
    /// The database's URL, for `SHN_DATABASE_URL`.
    pub url: String,
    /// The folder, for the SQLite file and anything else the test writes (uploads).
    pub dir: PathBuf,
    pg_name: Option<String>,
}

impl TempDatabase {
    pub async fn create(backend: Backend) -> TempDatabase {
        let suffix = unique();
        let dir = std::env::temp_dir().join(format!("shn-test-{suffix}"));
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
        TempDatabase { url, dir, pg_name }
    }

    /// Drops the PostgreSQL database (ending what is still connected) and deletes the folder.
    pub async fn remove(self) {
        if let Some(name) = &self.pg_name
            && let Ok(admin) = Database::connect(pg_admin_url()).await
        {
            let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
            let _ = admin.close().await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A migrated database; removed by [`Fresh::finish`].
pub struct Fresh {
    pub db: Db,
    temp: TempDatabase,
}

impl Fresh {
    pub async fn start(backend: Backend) -> Fresh {
        let temp = TempDatabase::create(backend).await;
        let db = Db::connect(&temp.url, 4).await.expect("connect");
        Migrator::up(db.writer(), None).await.expect("migrate");
        Fresh { db, temp }
    }

    pub async fn finish(self) {
        self.db.close().await;
        self.temp.remove().await;
    }
}

/// Runs `check` on a fresh, migrated database of each backend in turn (an agreement
/// test sets up every case in it, asks the Rust and the SQL form, and compares).
pub async fn on_both_backends(check: impl AsyncFn(&Db)) {
    for backend in BOTH {
        let fresh = Fresh::start(backend).await;
        check(&fresh.db).await;
        fresh.finish().await;
    }
}

/// Whether `sql`, a `SELECT COUNT(*)` with a rule's SQL form in its `WHERE`, counts any
/// row: the SQL form's answer for the case set up. A query the database refuses fails the
/// test, naming the query.
pub async fn counts_any(db: &Db, sql: &str, values: Vec<Value>) -> bool {
    db.scalar::<i64>(sql, values).await.unwrap_or_else(|e| panic!("{sql}: {e}")).unwrap_or(0) > 0
}
