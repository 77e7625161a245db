//! Where a test that runs the `shn` binary keeps its data: a fresh SQLite file in a
//! temporary directory, or a fresh PostgreSQL database (a server that cannot be reached
//! fails the test), dropped afterwards.

use std::future::Future;
use std::path::PathBuf;

use sea_orm::{ConnectionTrait, Database};

/// Runs `test` with a fresh directory and a SQLite database URL inside it.
pub async fn on_sqlite<F, Fut>(tag: &str, test: F)
where
    F: FnOnce(PathBuf, String) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = temp_dir(tag);
    let url = format!("sqlite://{}?mode=rwc", dir.join("shn.db").display());
    test(dir.clone(), url).await;
    let _ = std::fs::remove_dir_all(dir);
}

/// Runs `test` with a fresh directory and a new PostgreSQL database's URL.
pub async fn on_postgres<F, Fut>(tag: &str, test: F)
where
    F: FnOnce(PathBuf, String) -> Fut,
    Fut: Future<Output = ()>,
{
    let admin_url =
        std::env::var("SHN_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("shn_t_{tag}_{}", uuid::Uuid::now_v7().simple());
    let admin = Database::connect(&admin_url).await.expect("PostgreSQL must be reachable for tests");
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
    let root = admin_url.rsplit_once('/').map(|(r, _)| r.to_string()).unwrap_or(admin_url.clone());
    let dir = temp_dir(tag);
    test(dir.clone(), format!("{root}/{name}")).await;
    let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
    let _ = std::fs::remove_dir_all(dir);
}

/// A fresh temporary directory, named by `tag`.
pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("shn-{tag}-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
