//! A fresh, migrated database on each backend, for tests that check SQL against Rust.
//! (The same small helper sits in each slice's `tests/common`: slices share no test code.)

#![allow(dead_code)]

use kernel::db::Db;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const BOTH: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

/// The PostgreSQL server tests use (as in `crates/web/tests/it/support.rs`).
fn pg_admin_url() -> String {
    std::env::var("SHN_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A migrated database; dropped (PostgreSQL) or deleted (SQLite) by [`Fresh::finish`].
pub struct Fresh {
    pub db: Db,
    pg_name: Option<String>,
    dir: std::path::PathBuf,
}

impl Fresh {
    pub async fn start(backend: Backend) -> Fresh {
        let suffix = uuid::Uuid::now_v7().simple().to_string();
        let dir = std::env::temp_dir().join(format!("shn-policy-{suffix}"));
        std::fs::create_dir_all(&dir).unwrap();
        let (url, pg_name) = match backend {
            Backend::Sqlite => (format!("sqlite://{}?mode=rwc", dir.join("shn.db").display()), None),
            Backend::Postgres => {
                let name = format!("shn_p_{suffix}");
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
