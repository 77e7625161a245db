//! The kernel's shared parts against real databases: the outbox and its consumers,
//! the job queue, concurrent writers, rate limits and keyset pagination.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::future::BoxFuture;
use kernel::db::{self, Tx};
use kernel::ids::ActivityId;
use kernel::state::AppState;
use kernel::{jobs, outbox, params};
use sea_orm::DatabaseTransaction;

use crate::both_backends;
use crate::support::*;

both_backends![
    two_workers_handle_every_outbox_event_exactly_once,
    a_failing_event_is_rolled_back_and_retried_later,
    an_event_committed_behind_the_cursor_is_still_delivered,
    a_consumer_reaches_its_own_events_past_any_number_of_others,
    a_job_with_a_unique_key_is_queued_once,
    a_failing_job_backs_off_and_gives_up_after_its_attempts,
    concurrent_claimers_never_take_the_same_job_and_dead_leases_are_retaken,
    fifty_concurrent_write_transactions_all_succeed_without_lost_updates,
    a_rate_limit_allows_its_quota_then_says_when_to_retry,
    keyset_pages_visit_every_row_once_in_order,
    a_scheduled_job_is_queued_once_per_period_however_many_workers_run,
];

const CONSUMER: &str = "test-recorder";

/// What the test consumer handles; `fail` makes its handling fail after writing.
#[derive(serde::Serialize, serde::Deserialize)]
struct TestHappened {
    #[serde(default)]
    fail: bool,
}

impl outbox::DomainEvent for TestHappened {
    const KIND: &'static str = "TestHappened";
}

/// Handled too, and stamped in the past by the test.
#[derive(serde::Serialize, serde::Deserialize)]
struct TestLate {}

impl outbox::DomainEvent for TestLate {
    const KIND: &'static str = "TestLate";
}

/// Not handled by the test consumer.
#[derive(serde::Serialize, serde::Deserialize)]
struct SomethingElse {}

impl outbox::DomainEvent for SomethingElse {
    const KIND: &'static str = "SomethingElse";
}

/// Records each event it handles as a row in its own test table, written through the
/// transaction it is given, and counts every call; fails (after writing) on events whose
/// payload says so.
struct Recorder {
    table: &'static str,
    calls: Arc<AtomicUsize>,
}

impl outbox::Consumer for Recorder {
    fn name(&self) -> &'static str {
        CONSUMER
    }
    fn handles(&self) -> &'static [&'static str] {
        use outbox::DomainEvent;
        &[TestHappened::KIND, TestLate::KIND]
    }
    fn handle<'a>(
        &'a self,
        tx: &'a DatabaseTransaction,
        event: &'a outbox::Event,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            self.calls.fetch_add(1, Ordering::SeqCst);
            let sql = format!("INSERT INTO {} (event_id) VALUES ($1)", self.table);
            db::exec(tx, &sql, params![event.id.to_string()]).await?;
            if event.decode::<TestHappened>().is_some_and(|e| e.fail) {
                anyhow::bail!("this event always fails");
            }
            Ok(())
        })
    }
}

/// A second app state over the same database whose only consumer is a [`Recorder`].
fn with_consumer(app: &TestApp, table: &'static str, calls: Arc<AtomicUsize>) -> AppState {
    let mut inner = app.state.clone_inner();
    inner.consumers = vec![Arc::new(Recorder { table, calls })];
    inner.schedules = vec![];
    AppState(Arc::new(inner))
}

async fn emit_many(app: &TestApp, n: usize, fail: bool) -> Vec<ActivityId> {
    let tx: Tx = app.state.db.begin().await.unwrap();
    let mut ids = Vec::with_capacity(n);
    for _ in 0..n {
        ids.push(outbox::publish(&tx, None, &TestHappened { fail }).await.unwrap());
    }
    tx.commit().await.unwrap();
    ids
}

/// Events the test consumer has not yet had delivered.
async fn undelivered(state: &AppState) -> i64 {
    db::scalar::<i64, _>(
        state.db.writer(),
        "SELECT COUNT(*) FROM activity a WHERE NOT EXISTS \
         (SELECT 1 FROM outbox_deliveries d WHERE d.consumer = $1 AND d.activity_id = a.id)",
        params![CONSUMER],
    )
    .await
    .unwrap()
    .unwrap_or(0)
}

async fn two_workers_handle_every_outbox_event_exactly_once(app: &TestApp) {
    // No unique key on purpose: an event handled twice would show up as a second row.
    app.exec("CREATE TABLE handled_by_two_workers (event_id TEXT NOT NULL)", vec![]).await;
    let emitted = emit_many(app, 200, false).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let state = with_consumer(app, "handled_by_two_workers", calls.clone());
            tokio::spawn(async move {
                let consumer = state.consumers[0].clone();
                let mut delivered = 0;
                for _ in 0..1000 {
                    let n = outbox::run_once(&state.db, &consumer, 17).await.unwrap();
                    delivered += n;
                    if n == 0 && undelivered(&state).await == 0 {
                        return delivered;
                    }
                }
                panic!("the outbox still had events after 1000 passes");
            })
        })
        .collect();
    let mut delivered = 0;
    for w in futures::future::join_all(workers).await {
        delivered += w.unwrap();
    }
    assert_eq!(delivered, 200, "between them the workers delivered each event once");
    assert_eq!(calls.load(Ordering::SeqCst), 200, "the handler ran once per event");
    #[derive(sea_orm::FromQueryResult)]
    struct Handled {
        event_id: String,
    }
    let handled = app.rows::<Handled>("SELECT event_id FROM handled_by_two_workers").await;
    let mut rows: Vec<String> = handled.into_iter().map(|r| r.event_id).collect();
    rows.sort();
    let mut expected: Vec<String> = emitted.iter().map(ToString::to_string).collect();
    expected.sort();
    assert_eq!(rows, expected, "every event's effect is there exactly once");
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox_deliveries WHERE consumer = 'test-recorder'").await, 200);
    // A later pass finds nothing new, and the consumer's cursor has moved on.
    let state = with_consumer(app, "handled_by_two_workers", calls.clone());
    assert_eq!(outbox::run_once(&state.db, &state.consumers[0], 100).await.unwrap(), 0);
    assert_eq!(calls.load(Ordering::SeqCst), 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox_cursors WHERE consumer = 'test-recorder'").await, 1);
    // Events of kinds it does not want are never read: no call, and no delivery to record.
    let tx = app.state.db.begin().await.unwrap();
    outbox::publish(&tx, None, &SomethingElse {}).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(outbox::run_once(&state.db, &state.consumers[0], 100).await.unwrap(), 0);
    assert_eq!(calls.load(Ordering::SeqCst), 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM handled_by_two_workers").await, 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox_deliveries WHERE consumer = 'test-recorder'").await, 200);
}

async fn a_consumer_reaches_its_own_events_past_any_number_of_others(app: &TestApp) {
    app.exec("CREATE TABLE handled_past_others (event_id TEXT PRIMARY KEY)", vec![]).await;
    let tx = app.state.db.begin().await.unwrap();
    for _ in 0..300 {
        outbox::publish(&tx, None, &SomethingElse {}).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mine = emit_many(app, 1, false).await[0];
    let calls = Arc::new(AtomicUsize::new(0));
    let state = with_consumer(app, "handled_past_others", calls.clone());
    // A pass of ten: it must not spend itself on the three hundred events before its own.
    assert_eq!(outbox::run_once(&state.db, &state.consumers[0], 10).await.unwrap(), 1);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox_deliveries").await, 1, "only its own event is recorded");
    let handled: i64 = app
        .state
        .db
        .scalar("SELECT COUNT(*) FROM handled_past_others WHERE event_id = $1", params![mine.to_string()])
        .await
        .unwrap()
        .unwrap_or(0);
    assert_eq!(handled, 1);
}

async fn a_failing_event_is_rolled_back_and_retried_later(app: &TestApp) {
    app.exec("CREATE TABLE handled_after_failure (event_id TEXT PRIMARY KEY)", vec![]).await;
    let bad = emit_many(app, 1, true).await[0];
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    emit_many(app, 1, false).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let state = with_consumer(app, "handled_after_failure", calls.clone());
    let consumer = state.consumers[0].clone();
    let first = outbox::run_once(&state.db, &consumer, 10).await;
    assert_eq!(first.expect("a bad event does not make the pass an error"), 0);
    assert_eq!(calls.load(Ordering::SeqCst), 1, "the later event waits behind the failing one");
    assert_eq!(app.count("SELECT COUNT(*) FROM handled_after_failure").await, 0, "its write was rolled back");
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox_deliveries").await, 0, "and it is not marked delivered");
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox_cursors").await, 0, "nor does the cursor move past it");
    assert_eq!(outbox::run_once(&state.db, &consumer, 10).await.unwrap(), 0);
    assert_eq!(calls.load(Ordering::SeqCst), 2, "it is tried again on the next pass");
    assert_eq!(app.count("SELECT COUNT(*) FROM handled_after_failure").await, 0);
    // Once the cause is fixed, it and the event behind it go through.
    app.exec("UPDATE activity SET payload = '{}' WHERE id = $1", params![bad]).await;
    assert_eq!(outbox::run_once(&state.db, &consumer, 10).await.unwrap(), 2);
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    assert_eq!(app.count("SELECT COUNT(*) FROM handled_after_failure").await, 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox_deliveries").await, 2);
}

async fn an_event_committed_behind_the_cursor_is_still_delivered(app: &TestApp) {
    app.exec("CREATE TABLE handled_late (event_id TEXT PRIMARY KEY)", vec![]).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let state = with_consumer(app, "handled_late", calls.clone());
    let consumer = state.consumers[0].clone();
    emit_many(app, 1, false).await;
    assert_eq!(outbox::run_once(&state.db, &consumer, 100).await.unwrap(), 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox_cursors WHERE consumer = 'test-recorder'").await, 1);
    // An event stamped before the cursor, as a slow transaction that commits late leaves it.
    let tx = app.state.db.begin().await.unwrap();
    let late = outbox::publish(&tx, None, &TestLate {}).await.unwrap();
    tx.commit().await.unwrap();
    let earlier = chrono::Utc::now() - chrono::Duration::seconds(30);
    app.exec("UPDATE activity SET created_at = $1 WHERE id = $2", params![earlier, late]).await;
    assert_eq!(outbox::run_once(&state.db, &consumer, 100).await.unwrap(), 1);
    assert_eq!(calls.load(Ordering::SeqCst), 2, "the first event is not handled again");
    assert_eq!(app.count("SELECT COUNT(*) FROM handled_late").await, 2);
    // While new events keep coming, a consumer that has just looked behind its cursor
    // takes the new ones without reading the whole window again; the late one waits for
    // the next pass that finds nothing new (or a few seconds).
    let tx = app.state.db.begin().await.unwrap();
    let late = outbox::publish(&tx, None, &TestLate {}).await.unwrap();
    tx.commit().await.unwrap();
    app.exec("UPDATE activity SET created_at = $1 WHERE id = $2", params![earlier, late]).await;
    emit_many(app, 2, false).await;
    assert_eq!(outbox::run_once(&state.db, &consumer, 100).await.unwrap(), 2);
    assert_eq!(outbox::run_once(&state.db, &consumer, 100).await.unwrap(), 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM handled_late").await, 5);
}

async fn a_job_with_a_unique_key_is_queued_once(app: &TestApp) {
    let db = app.state.db.writer();
    assert!(jobs::enqueue(db, "test.noop", &1, Some("only-once"), None).await.unwrap());
    assert!(!jobs::enqueue(db, "test.noop", &2, Some("only-once"), None).await.unwrap());
    assert!(jobs::enqueue(db, "test.noop", &3, None, None).await.unwrap());
    assert!(jobs::enqueue(db, "test.noop", &4, None, None).await.unwrap(), "keyless jobs never collide");
    assert_eq!(app.count("SELECT COUNT(*) FROM jobs WHERE kind = 'test.noop'").await, 3);
    assert_eq!(app.count("SELECT COUNT(*) FROM jobs WHERE unique_key = 'only-once' AND payload = '1'").await, 1);
}

async fn a_failing_job_backs_off_and_gives_up_after_its_attempts(app: &TestApp) {
    let db = &app.state.db;
    jobs::enqueue(db.writer(), "test.kind-without-handler", &serde_json::json!({}), None, None).await.unwrap();
    app.exec("UPDATE jobs SET max_attempts = 2", vec![]).await;
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        status: String,
        attempts: i32,
        run_at: chrono::DateTime<chrono::Utc>,
        last_error: Option<String>,
    }
    let before = kernel::time::now();
    assert_eq!(jobs::run_due(&app.state, "w1", 10).await.unwrap(), 1);
    let after = kernel::time::now();
    let row: Row = db.one("SELECT status, attempts, run_at, last_error FROM jobs", vec![]).await.unwrap().unwrap();
    assert_eq!(row.status, "queued");
    assert_eq!(row.attempts, 1);
    let backoff = chrono::Duration::seconds(jobs::backoff_secs(1));
    assert!(
        row.run_at >= before + backoff && row.run_at <= after + backoff,
        "retried after the first backoff, not at once: {} not within {before}..{after} + {backoff}",
        row.run_at
    );
    assert!(row.last_error.unwrap().contains("no handler"));
    assert_eq!(jobs::run_due(&app.state, "w1", 10).await.unwrap(), 0, "not due yet");
    let past = chrono::Utc::now() - chrono::Duration::seconds(1);
    app.exec("UPDATE jobs SET run_at = $1", params![past]).await;
    assert_eq!(jobs::run_due(&app.state, "w1", 10).await.unwrap(), 1);
    let row: Row = db.one("SELECT status, attempts, run_at, last_error FROM jobs", vec![]).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("failed", 2));
    // A job that has given up is never picked up again, however long one waits.
    app.exec("UPDATE jobs SET run_at = $1", params![past]).await;
    assert_eq!(jobs::run_due(&app.state, "w1", 10).await.unwrap(), 0);
    let row: Row = db.one("SELECT status, attempts, run_at, last_error FROM jobs", vec![]).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("failed", 2));
}

async fn concurrent_claimers_never_take_the_same_job_and_dead_leases_are_retaken(app: &TestApp) {
    let db = &app.state.db;
    for i in 0..100 {
        jobs::enqueue(db.writer(), "test.noop", &i, None, None).await.unwrap();
    }
    let claimers: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|name| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let batch = jobs::claim(&db, name, 7).await.unwrap();
                    if batch.is_empty() {
                        break mine;
                    }
                    mine.extend(batch.into_iter().map(|j| j.id));
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for c in futures::future::join_all(claimers).await {
        all.extend(c.unwrap());
    }
    assert_eq!(all.len(), 100, "every job claimed, none twice");
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 100, "no job claimed twice");
    assert_eq!(app.count("SELECT COUNT(*) FROM jobs WHERE status = 'running' AND attempts = 1").await, 100);
    assert!(jobs::claim(db, "c", 1000).await.unwrap().is_empty(), "a live lease keeps its job");
    // A worker that died leaves its lease to run out; then another takes the job.
    let past = chrono::Utc::now() - chrono::Duration::seconds(1);
    app.exec("UPDATE jobs SET locked_until = $1", params![past]).await;
    assert_eq!(jobs::claim(db, "c", 1000).await.unwrap().len(), 100);
    assert_eq!(app.count("SELECT COUNT(*) FROM jobs WHERE locked_by = 'c' AND attempts = 2").await, 100);
}

async fn fifty_concurrent_write_transactions_all_succeed_without_lost_updates(app: &TestApp) {
    app.exec("CREATE TABLE counter (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)", vec![]).await;
    app.exec("INSERT INTO counter (id, n) VALUES (1, 0)", vec![]).await;
    let tasks = (0..50).map(|_| {
        let db = app.state.db.clone();
        tokio::spawn(async move {
            let tx = db.begin().await?;
            let sql = format!("SELECT n FROM counter WHERE id = 1{}", db::for_update(&tx));
            let n: i64 = db::scalar(&tx, &sql, vec![]).await?.unwrap();
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

async fn a_rate_limit_allows_its_quota_then_says_when_to_retry(app: &TestApp) {
    use kernel::ratelimit::{Limit, hit};
    // Windows are fixed minutes: keep clear of a minute's turn so all hits share one.
    if chrono::Utc::now().timestamp().rem_euclid(60) >= 57 {
        tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    }
    let limit = Limit::per(3, 60);
    for i in 0..3 {
        hit(&app.state.db, "test:bucket", limit).await.unwrap_or_else(|e| panic!("hit {i} is allowed: {e:?}"));
    }
    for _ in 0..2 {
        match hit(&app.state.db, "test:bucket", limit).await {
            Err(kernel::AppError::RateLimited { retry_after_secs }) => {
                assert!((1..=60).contains(&retry_after_secs), "retry after {retry_after_secs}s")
            }
            other => panic!("expected a rate limit, got {other:?}"),
        }
    }
    hit(&app.state.db, "test:other-bucket", limit).await.expect("other buckets are unaffected");
}

async fn keyset_pages_visit_every_row_once_in_order(app: &TestApp) {
    app.exec("CREATE TABLE paged_items (k TEXT NOT NULL, id TEXT PRIMARY KEY)", vec![]).await;
    for i in 0..57 {
        // Keys repeat, so the id must break ties for the cursor to be exact.
        let key = format!("item-{:02}", (i * 7) % 20);
        app.exec("INSERT INTO paged_items (k, id) VALUES ($1, $2)", params![key, format!("{i:03}")]).await;
    }
    #[derive(sea_orm::FromQueryResult, Clone)]
    struct Item {
        k: String,
        id: String,
    }
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut sizes = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let rows: Vec<Item> = match &cursor {
            None => app.state.db.all("SELECT k, id FROM paged_items ORDER BY k, id LIMIT 11", vec![]).await.unwrap(),
            Some(c) => {
                let (k, id): (String, String) = kernel::page::decode(c).unwrap();
                app.state
                    .db
                    .all(
                        "SELECT k, id FROM paged_items WHERE k > $1 OR (k = $1 AND id > $2) ORDER BY k, id LIMIT 11",
                        params![k, id],
                    )
                    .await
                    .unwrap()
            }
        };
        let page = kernel::page::finish(rows, 10, |r| (r.k.clone(), r.id.clone()));
        sizes.push(page.items.len());
        seen.extend(page.items.iter().map(|r| (r.k.clone(), r.id.clone())));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(sizes, vec![10, 10, 10, 10, 10, 7]);
    let mut all: Vec<(String, String)> =
        app.rows::<Item>("SELECT k, id FROM paged_items").await.into_iter().map(|r| (r.k, r.id)).collect();
    all.sort();
    assert_eq!(seen, all, "every row exactly once, in (key, id) order");
}

async fn a_scheduled_job_is_queued_once_per_period_however_many_workers_run(app: &TestApp) {
    let mut inner = app.state.clone_inner();
    inner.schedules = vec![kernel::state::Schedule { job: "test.tick", every: std::time::Duration::from_secs(3600) }];
    let state = AppState(Arc::new(inner));
    let (mut seen_a, mut seen_b) = (Default::default(), Default::default());
    let (a, b) = tokio::join!(
        kernel::worker::queue_scheduled(&state, &mut seen_a),
        kernel::worker::queue_scheduled(&state, &mut seen_b)
    );
    a.unwrap();
    b.unwrap();
    kernel::worker::queue_scheduled(&state, &mut seen_a).await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM jobs WHERE kind = 'test.tick'").await, 1);
}
