//! The ceiling serves what the benchmark says it serves, from the real schema (migrated
//! by the project's own migrations) on both backends: a thread's 50 newest visible
//! replies, newest first, with their authors; nothing of other threads or held replies.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use bench_ceiling::Db;
use chrono::{Duration, TimeZone, Utc};
use migration::testing::{BOTH, Backend, TempDatabase};
use migration::{Migrator, MigratorTrait};
use tower::ServiceExt;
use uuid::Uuid;

/// Runs one statement with its values on whichever backend `db` is.
macro_rules! exec {
    ($db:expr, $sql:expr $(, $v:expr)* $(,)?) => {
        match $db {
            Db::Sqlite(p) => sqlx::query($sql)$(.bind($v))*.execute(p).await.map(|_| ()),
            Db::Postgres(p) => sqlx::query($sql)$(.bind($v))*.execute(p).await.map(|_| ()),
        }
        .unwrap_or_else(|e| panic!("{}: {e}", $sql))
    };
}

/// A writable connection to the test database (the ceiling's own is read-only on SQLite).
async fn writer(backend: Backend, url: &str) -> Db {
    match backend {
        Backend::Sqlite => Db::Sqlite(sqlx::SqlitePool::connect(url).await.expect("open SQLite")),
        Backend::Postgres => Db::Postgres(sqlx::PgPool::connect(url).await.expect("open PostgreSQL")),
    }
}

struct Threads {
    busy: Uuid,
    other: Uuid,
    empty: Uuid,
}

/// Two members, a group, a thread with 60 visible replies and a newer held one, a thread
/// with one reply and a thread with none.
async fn seed(db: &Db) -> Threads {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).single().expect("a time");
    let (ada, ben, group) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    for (id, name) in [(ada, "Ada Example"), (ben, "Ben Example")] {
        exec!(
            db,
            "INSERT INTO members (id, display_name, name_key, member_type, created_at, updated_at) \
             VALUES ($1, $2, $3, 'patient', $4, $4)",
            id,
            name,
            name.to_lowercase(),
            t0,
        );
    }
    exec!(
        db,
        "INSERT INTO groups (id, slug, name, visibility, created_at) VALUES ($1, 'g', 'Sleep', 'open', $2)",
        group,
        t0
    );
    let threads = Threads { busy: Uuid::now_v7(), other: Uuid::now_v7(), empty: Uuid::now_v7() };
    for (id, title) in [(threads.busy, "Sleep after surgery"), (threads.other, "Other"), (threads.empty, "Quiet")] {
        exec!(
            db,
            "INSERT INTO threads (id, group_id, author_id, title, body, created_at, updated_at, last_activity_at, body_html) \
             VALUES ($1, $2, $3, $4, 'Opening post', $5, $5, $5, '<p>Opening post</p>')",
            id,
            group,
            ada,
            title,
            t0,
        );
    }
    let reply = |thread: Uuid, author: Uuid, n: i64, status: &'static str| {
        (Uuid::now_v7(), thread, author, format!("<p>reply {n}</p>"), status, t0 + Duration::minutes(n))
    };
    let mut replies: Vec<_> =
        (0..60).map(|n| reply(threads.busy, if n % 2 == 0 { ada } else { ben }, n, "visible")).collect();
    replies.push(reply(threads.busy, ada, 60, "held"));
    replies.push(reply(threads.other, ben, 61, "visible"));
    for (id, thread, author, html, status, at) in replies {
        exec!(
            db,
            "INSERT INTO posts (id, thread_id, author_id, body, status, created_at, updated_at, body_html) \
             VALUES ($1, $2, $3, 'text', $4, $5, $5, $6)",
            id,
            thread,
            author,
            status,
            at,
            html,
        );
    }
    threads
}

async fn get(db: &Db, path: &str) -> (StatusCode, String) {
    let req = Request::get(path).body(Body::empty()).expect("a request");
    let res = bench_ceiling::router(db.clone()).oneshot(req).await.expect("an answer");
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 10 << 20).await.expect("a body");
    (status, String::from_utf8(body.to_vec()).expect("UTF-8"))
}

#[tokio::test]
async fn the_ceiling_serves_a_threads_newest_replies_with_their_authors_on_both_backends() {
    for backend in BOTH {
        let temp = TempDatabase::create(backend).await;
        let conn = migration::sea_orm::Database::connect(&temp.url).await.expect("connect");
        Migrator::up(&conn, None).await.expect("migrate");
        conn.close().await.expect("close");
        let w = writer(backend, &temp.url).await;
        let threads = seed(&w).await;
        let db = bench_ceiling::connect(&temp.url, 2).await.expect("the ceiling connects");

        let (status, html) = get(&db, &format!("/threads/{}", threads.busy)).await;
        assert_eq!(status, StatusCode::OK, "{backend:?}: {html}");
        assert!(html.contains("<h1>Sleep after surgery</h1>") && html.contains("<p>Opening post</p>"), "{html}");
        assert_eq!(html.matches("<li class=\"card\"").count(), 50, "{backend:?}: fifty replies");
        let at = |n: i64| html.find(&format!("<p>reply {n}</p>"));
        assert!(at(60).is_none(), "{backend:?}: a held reply is not shown");
        assert!(at(61).is_none(), "{backend:?}: nor another thread's");
        assert!(at(9).is_none(), "{backend:?}: the oldest ten are past the page");
        assert!(at(59) < at(58) && at(11) < at(10) && at(10).is_some(), "{backend:?}: newest first");
        assert!(html.contains("Ada Example · 2026-11-01 09:58 UTC"), "{backend:?}: authors and times");
        assert!(html.contains("Ben Example · 2026-11-01 09:59 UTC"), "{backend:?}: {html}");

        let (status, html) = get(&db, &format!("/threads/{}", threads.empty)).await;
        assert_eq!((status, html.matches("<li class=\"card\"").count()), (StatusCode::OK, 0), "{backend:?}");
        assert_eq!(get(&db, &format!("/threads/{}", threads.other)).await.1.matches("<li class=\"card\"").count(), 1);
        assert_eq!(get(&db, &format!("/threads/{}", Uuid::now_v7())).await.0, StatusCode::NOT_FOUND);
        assert_eq!(get(&db, "/threads/not-an-id").await.0, StatusCode::BAD_REQUEST);

        for pool in [db, w] {
            match pool {
                Db::Sqlite(p) => p.close().await,
                Db::Postgres(p) => p.close().await,
            }
        }
        temp.remove().await;
    }
}
