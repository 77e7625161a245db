//! The kernel's shared parts against real databases: the outbox and its consumers,
//! the job queue, concurrent writers, rate limits and keyset pagination.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::future::BoxFuture;
use kernel::db::{self, Tx};
use kernel::state::AppState;
use kernel::{jobs, outbox, params};
use sea_orm::DatabaseTransaction;

use crate::both_backends;
use crate::support::*;

/// Records each event it handles in `handled`, whose primary key would reject a second
/// handling of the same event; fails on events whose payload says so.
struct Recorder {
    calls: Arc<AtomicUsize>,
}

impl outbox::Consumer for Recorder {
    fn name(&self) -> &'static str {
        "test-recorder"
    }
    fn wants(&self, kind: &str) -> bool {
        kind.starts_with("Test")
    }
    fn handle<'a>(
        &'a self,
        tx: &'a DatabaseTransaction,
        event: &'a outbox::Event,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            self.calls.fetch_add(1, Ordering::SeqCst);
            db::exec(tx, "INSERT INTO handled (event_id) VALUES ($1)", params![event.id.to_string()]).await?;
            if event.payload_json()["fail"] == true {
                anyhow::bail!("this event always fails");
            }
            Ok(())
        })
    }
}

fn with_consumer(app: &TestApp, calls: Arc<AtomicUsize>) -> AppState {
    let mut inner = app.state.clone_inner();
    inner.consumers = vec![Arc::new(Recorder { calls })];
    inner.schedules = vec![];
    AppState(Arc::new(inner))
}

async fn emit_many(app: &TestApp, n: usize, payload: serde_json::Value) {
    let tx: Tx = app.state.db.begin().await.unwrap();
    for _ in 0..n {
        outbox::emit(&tx, "TestHappened", None, &payload).await.unwrap();
    }
    tx.commit().await.unwrap();
}

both_backends!(
    async fn two_workers_handle_every_outbox_event_exactly_once(app) {
        app.state.db.exec("CREATE TABLE handled (event_id TEXT PRIMARY KEY)", vec![]).await.unwrap();
        emit_many(app, 200, serde_json::json!({})).await;
        let calls = Arc::new(AtomicUsize::new(0));
        let a = with_consumer(app, calls.clone());
        let b = with_consumer(app, calls.clone());
        let run = |state: AppState| async move {
            let consumer = state.consumers[0].clone();
            while outbox::run_once(&state.db, &consumer, 17).await.unwrap() > 0 {}
        };
        tokio::join!(run(a.clone()), run(b.clone()), run(a.clone()));
        assert_eq!(app.count("SELECT COUNT(*) FROM handled").await, 200);
        assert_eq!(app.count("SELECT COUNT(*) FROM outbox_deliveries WHERE consumer = 'test-recorder'").await, 200);
        // A later pass finds nothing new, and its cursor has moved on.
        assert_eq!(outbox::run_once(&a.db, &a.consumers[0], 100).await.unwrap(), 0);
        assert_eq!(app.count("SELECT COUNT(*) FROM outbox_cursors WHERE consumer = 'test-recorder'").await, 1);
        // Events of kinds it does not want are passed over without a call.
        let before = calls.load(Ordering::SeqCst);
        let tx = app.state.db.begin().await.unwrap();
        outbox::emit(&tx, "SomethingElse", None, &serde_json::json!({})).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(outbox::run_once(&a.db, &a.consumers[0], 100).await.unwrap(), 1);
        assert_eq!(calls.load(Ordering::SeqCst), before);
    }
);

both_backends!(
    async fn a_failing_event_is_rolled_back_and_retried_later(app) {
        app.state.db.exec("CREATE TABLE handled (event_id TEXT PRIMARY KEY)", vec![]).await.unwrap();
        emit_many(app, 1, serde_json::json!({"fail": true})).await;
        let calls = Arc::new(AtomicUsize::new(0));
        let state = with_consumer(app, calls.clone());
        let consumer = state.consumers[0].clone();
        assert!(outbox::run_once(&state.db, &consumer, 10).await.is_ok(), "a bad event does not stop the worker");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(app.count("SELECT COUNT(*) FROM handled").await, 0, "its write was rolled back");
        assert_eq!(app.count("SELECT COUNT(*) FROM outbox_deliveries").await, 0, "and it is not marked delivered");
        outbox::run_once(&state.db, &consumer, 10).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2, "it is tried again on the next pass");
        // Once the cause is fixed it goes through.
        app.state.db.exec("UPDATE activity SET payload = '{}'", vec![]).await.unwrap();
        assert_eq!(outbox::run_once(&state.db, &consumer, 10).await.unwrap(), 1);
        assert_eq!(app.count("SELECT COUNT(*) FROM handled").await, 1);
    }
);

both_backends!(
    async fn an_event_committed_late_is_still_delivered(app) {
        app.state.db.exec("CREATE TABLE handled (event_id TEXT PRIMARY KEY)", vec![]).await.unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let state = with_consumer(app, calls.clone());
        let consumer = state.consumers[0].clone();
        emit_many(app, 1, serde_json::json!({})).await;
        // An event stamped earlier than the cursor, as a slow transaction would leave it.
        let tx = app.state.db.begin().await.unwrap();
        outbox::emit(&tx, "TestLate", None, &serde_json::json!({})).await.unwrap();
        tx.commit().await.unwrap();
        let earlier = chrono::Utc::now() - chrono::Duration::seconds(30);
        app.state.db.exec("UPDATE activity SET created_at = $1 WHERE kind = 'TestLate'", vec![earlier.into()]).await.unwrap();
        app.state.db.exec("DELETE FROM outbox_deliveries", vec![]).await.unwrap();
        let first = outbox::run_once(&state.db, &consumer, 100).await.unwrap();
        assert_eq!(first, 2);
        assert_eq!(app.count("SELECT COUNT(*) FROM handled").await, 2);
    }
);

both_backends!(
    async fn a_job_with_a_unique_key_is_queued_once(app) {
        let db = app.state.db.writer();
        assert!(jobs::enqueue(db, "test.noop", &1, Some("only-once"), None).await.unwrap());
        assert!(!jobs::enqueue(db, "test.noop", &2, Some("only-once"), None).await.unwrap());
        assert!(jobs::enqueue(db, "test.noop", &3, None, None).await.unwrap());
        assert!(jobs::enqueue(db, "test.noop", &4, None, None).await.unwrap(), "keyless jobs never collide");
        assert_eq!(app.count("SELECT COUNT(*) FROM jobs WHERE kind = 'test.noop'").await, 3);
    }
);

both_backends!(
    async fn a_failing_job_backs_off_and_gives_up_after_its_attempts(app) {
        let db = &app.state.db;
        jobs::enqueue(db.writer(), "test.kind-without-handler", &serde_json::json!({}), None, None).await.unwrap();
        app.state.db.exec("UPDATE jobs SET max_attempts = 2", vec![]).await.unwrap();
        assert_eq!(jobs::run_due(&app.state, "w1", 10).await.unwrap(), 1);
        #[derive(sea_orm::FromQueryResult)]
        struct Row {
            status: String,
            attempts: i32,
            run_at: chrono::DateTime<chrono::Utc>,
            last_error: Option<String>,
        }
        let row: Row = db.one("SELECT status, attempts, run_at, last_error FROM jobs", vec![]).await.unwrap().unwrap();
        assert_eq!(row.status, "queued");
        assert_eq!(row.attempts, 1);
        assert!(row.run_at > chrono::Utc::now(), "retried later, not at once");
        assert!(row.last_error.unwrap().contains("no handler"));
        assert_eq!(jobs::run_due(&app.state, "w1", 10).await.unwrap(), 0, "not due yet");
        app.state.db.exec("UPDATE jobs SET run_at = $1", vec![(chrono::Utc::now() - chrono::Duration::seconds(1)).into()]).await.unwrap();
        assert_eq!(jobs::run_due(&app.state, "w1", 10).await.unwrap(), 1);
        let row: Row = db.one("SELECT status, attempts, run_at, last_error FROM jobs", vec![]).await.unwrap().unwrap();
        assert_eq!((row.status.as_str(), row.attempts), ("failed", 2));
    }
);

both_backends!(
    async fn concurrent_claimers_never_take_the_same_job_and_dead_leases_are_retaken(app) {
        let db = &app.state.db;
        for i in 0..100 {
            jobs::enqueue(db.writer(), "test.noop", &i, None, None).await.unwrap();
        }
        let claim_all = |name: &'static str| {
            let db = db.clone();
            async move {
                let mut mine = Vec::new();
                loop {
                    let batch = jobs::claim(&db, name, 7).await.unwrap();
                    if batch.is_empty() {
                        break mine;
                    }
                    mine.extend(batch.into_iter().map(|j| j.id));
                }
            }
        };
        let (a, b) = tokio::join!(claim_all("a"), claim_all("b"));
        let mut all: Vec<_> = a.iter().chain(b.iter()).copied().collect();
        assert_eq!(all.len(), 100);
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 100, "no job claimed twice");
        // A worker that died leaves its lease to run out; then another takes the job.
        app.state.db.exec("UPDATE jobs SET locked_until = $1", vec![(chrono::Utc::now() - chrono::Duration::seconds(1)).into()]).await.unwrap();
        assert_eq!(jobs::claim(db, "c", 1000).await.unwrap().len(), 100);
    }
);

both_backends!(
    async fn fifty_concurrent_write_transactions_all_succeed_without_lost_updates(app) {
        app.state.db.exec("CREATE TABLE counter (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)", vec![]).await.unwrap();
        app.state.db.exec("INSERT INTO counter (id, n) VALUES (1, 0)", vec![]).await.unwrap();
        let tasks = (0..50).map(|_| {
            let db = app.state.db.clone();
            tokio::spawn(async move {
                let tx = db.begin().await?;
                let n: i64 = db::scalar(&tx, &format!("SELECT n FROM counter WHERE id = 1{}", db::for_update(&tx)), vec![]).await?.unwrap();
                tokio::task::yield_now().await;
                db::exec(&tx, "UPDATE counter SET n = $1 WHERE id = 1", params![n + 1]).await?;
                tx.commit().await
            })
        });
        for result in futures::future::join_all(tasks).await {
            result.unwrap().expect("no 'database is locked' or other error");
        }
        assert_eq!(app.count("SELECT n FROM counter WHERE id = 1").await, 50);
    }
);

both_backends!(
    async fn a_rate_limit_allows_its_quota_then_says_when_to_retry(app) {
        use kernel::ratelimit::{Limit, hit};
        let limit = Limit::per(3, 60);
        for _ in 0..3 {
            hit(&app.state.db, "test:bucket", limit).await.unwrap();
        }
        match hit(&app.state.db, "test:bucket", limit).await {
            Err(kernel::AppError::RateLimited { retry_after_secs }) => assert!((1..=60).contains(&retry_after_secs)),
            other => panic!("expected a rate limit, got {other:?}"),
        }
        hit(&app.state.db, "test:other-bucket", limit).await.unwrap();
    }
);

both_backends!(
    async fn keyset_pages_visit_every_row_once_in_order(app) {
        app.state.db.exec("CREATE TABLE items (k TEXT NOT NULL, id TEXT PRIMARY KEY)", vec![]).await.unwrap();
        for i in 0..57 {
            let key = format!("item-{:02}", i % 20);
            app.state.db.exec("INSERT INTO items (k, id) VALUES ($1, $2)", params![key, format!("{i:03}")]).await.unwrap();
        }
        #[derive(sea_orm::FromQueryResult, Clone)]
        struct Item {
            k: String,
            id: String,
        }
        let mut seen: Vec<(String, String)> = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let rows: Vec<Item> = match &cursor {
                None => app.state.db.all("SELECT k, id FROM items ORDER BY k, id LIMIT 11", vec![]).await.unwrap(),
                Some(c) => {
                    let (k, id): (String, String) = kernel::page::decode(c).unwrap();
                    app.state
                        .db
                        .all("SELECT k, id FROM items WHERE k > $1 OR (k = $1 AND id > $2) ORDER BY k, id LIMIT 11", params![k, id])
                        .await
                        .unwrap()
                }
            };
            let page = kernel::page::finish(rows, 10, |r| (r.k.clone(), r.id.clone()));
            seen.extend(page.items.iter().map(|r| (r.k.clone(), r.id.clone())));
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen.len(), 57);
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(seen, sorted);
    }
);

both_backends!(
    async fn a_scheduled_job_is_queued_once_per_period_however_many_workers_run(app) {
        let calls = Arc::new(AtomicUsize::new(0));
        let mut state = with_consumer(app, calls).clone_inner();
        state.schedules = vec![kernel::state::Schedule { job: "test.tick", every: std::time::Duration::from_secs(3600) }];
        let state = AppState(Arc::new(state));
        let (mut seen_a, mut seen_b) = (Default::default(), Default::default());
        let (a, b) =
            tokio::join!(kernel::worker::queue_scheduled(&state, &mut seen_a), kernel::worker::queue_scheduled(&state, &mut seen_b));
        a.unwrap();
        b.unwrap();
        kernel::worker::queue_scheduled(&state, &mut seen_a).await.unwrap();
        assert_eq!(app.count("SELECT COUNT(*) FROM jobs WHERE kind = 'test.tick'").await, 1);
    }
);
