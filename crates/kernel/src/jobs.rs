//! A small database-backed job queue: retries with exponential backoff, leases so a
//! dead worker's job is picked up again, row claiming (`SKIP LOCKED`) so several
//! workers on PostgreSQL never run the same job at once, and unique keys so a job
//! (an e-mail, say) is queued at most once per purpose.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Duration as ChronoDuration;
use futures::future::BoxFuture;
use sea_orm::{ConnectionTrait, DbErr, TransactionTrait};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::db::{self, Db};
use crate::ids::JobId;
use crate::params;
use crate::state::AppState;
use crate::time::{Instant, now};

/// How long a claimed job may run before another worker may take it over.
const LEASE_SECS: i64 = 300;

pub type Handler = Arc<dyn Fn(AppState, serde_json::Value) -> BoxFuture<'static, anyhow::Result<()>> + Send + Sync>;

/// What to keep of a finished job's payload (see [`Job::finished_record`]).
type Recorder = fn(&str) -> Option<String>;

/// Job kind → handler. Slices register theirs at start-up.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: HashMap<&'static str, Handler>,
    recorders: HashMap<&'static str, Recorder>,
    /// Kinds whose lease is not [`LEASE_SECS`] (see [`Job::LEASE_SECS`]).
    leases: HashMap<&'static str, i64>,
}

/// A kind of background work: a type whose value is the job's payload. Queue it with
/// [`queue`]; a slice declares the types it runs in its manifest.
pub trait Job: Serialize + DeserializeOwned + Send + 'static {
    /// The job's kind as stored in the queue (`slice.what`); never rename a live one.
    const KIND: &'static str;
    /// How long a claimed job of this kind may run before another worker may take it
    /// over. A long job that works in short steps (a newsletter's send) keeps it short,
    /// so that a crashed worker's job is taken over soon.
    const LEASE_SECS: i64 = LEASE_SECS;
    fn run(self, state: AppState) -> impl std::future::Future<Output = anyhow::Result<()>> + Send;

    /// What the queue keeps once the job is done or has given up, in place of its
    /// payload; `None` keeps the payload. A job that carries a secret (an e-mail with a
    /// one-time link) keeps a record without it: the queue is no archive of secrets.
    fn finished_record(&self) -> Option<serde_json::Value> {
        None
    }
}

fn record_of<J: Job>(payload: &str) -> Option<String> {
    let job: J = serde_json::from_str(payload).ok()?;
    job.finished_record().map(|record| record.to_string())
}

impl Registry {
    /// Runs jobs of type `J`.
    pub fn add<J: Job>(&mut self) {
        self.register(J::KIND, |state, payload| async move {
            let job: J = serde_json::from_value(payload)
                .map_err(|e| anyhow::anyhow!("job {} has a payload it cannot read: {e}", J::KIND))?;
            job.run(state).await
        });
        self.recorders.insert(J::KIND, record_of::<J>);
        if J::LEASE_SECS != LEASE_SECS {
            self.leases.insert(J::KIND, J::LEASE_SECS);
        }
    }

    fn register<F, Fut>(&mut self, kind: &'static str, f: F)
    where
        F: Fn(AppState, serde_json::Value) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        self.handlers.insert(kind, Arc::new(move |s, p| Box::pin(f(s, p))));
    }

    pub fn get(&self, kind: &str) -> Option<&Handler> {
        self.handlers.get(kind)
    }

    /// The payload to keep for a finished job of `kind`, when it differs from `payload`.
    pub fn finished_payload(&self, kind: &str, payload: &str) -> Option<String> {
        self.recorders.get(kind).and_then(|record| record(payload))
    }
}

/// Queues `job` in the caller's transaction; see [`enqueue`] for `unique_key`.
pub async fn queue<C: ConnectionTrait, J: Job>(
    c: &C,
    job: &J,
    unique_key: Option<&str>,
    run_at: Option<Instant>,
) -> Result<bool, DbErr> {
    enqueue(c, J::KIND, job, unique_key, run_at).await
}

/// Queues a job in the caller's transaction. With a `unique_key`, a second job with the
/// same key is silently not queued; returns whether this call queued it.
pub async fn enqueue<C: ConnectionTrait, P: Serialize>(
    c: &C,
    kind: &str,
    payload: &P,
    unique_key: Option<&str>,
    run_at: Option<Instant>,
) -> Result<bool, DbErr> {
    let payload = serde_json::to_string(payload).map_err(|e| DbErr::Custom(e.to_string()))?;
    let t = now();
    let n = db::exec(
        c,
        "INSERT INTO jobs (id, kind, payload, unique_key, status, run_at, attempts, max_attempts, created_at) \
         VALUES ($1, $2, $3, $4, 'queued', $5, 0, 8, $6) ON CONFLICT (unique_key) DO NOTHING",
        params![JobId::new(), kind.to_string(), payload, unique_key.map(str::to_string), run_at.unwrap_or(t), t],
    )
    .await?;
    Ok(n == 1)
}

/// A claimed row of the queue.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct Claimed {
    pub id: JobId,
    pub kind: String,
    pub payload: String,
    pub attempts: i32,
    pub max_attempts: i32,
}

/// Claims up to `n` due jobs for `worker`: queued ones whose time has come, and
/// running ones whose lease ran out (their worker died).
pub async fn claim(db: &Db, worker: &str, n: u64) -> Result<Vec<Claimed>, DbErr> {
    claim_of(db, worker, n, &[]).await
}

/// [`claim`], of the given kinds only (none given: any kind).
pub async fn claim_of(db: &Db, worker: &str, n: u64, kinds: &[&str]) -> Result<Vec<Claimed>, DbErr> {
    let tx = db.writer().begin().await?;
    let t = now();
    let mut values = params![t, n as i64];
    let only = if kinds.is_empty() {
        String::new()
    } else {
        values.extend(kinds.iter().map(|k| sea_orm::Value::from(*k)));
        format!(" AND kind IN ({})", db::placeholders(3, kinds.len()))
    };
    let ids: Vec<JobId> = db::all::<IdRow, _>(
        &tx,
        &format!(
            "SELECT id FROM jobs WHERE ((status = 'queued' AND run_at <= $1) OR (status = 'running' AND locked_until < $1)){only} \
             ORDER BY run_at LIMIT $2{}",
            db::skip_locked(&tx)
        ),
        values,
    )
    .await?
    .into_iter()
    .map(|r| r.id)
    .collect();
    let mut jobs = Vec::with_capacity(ids.len());
    for id in ids {
        let job: Option<Claimed> = db::one(
            &tx,
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $1, locked_until = $2 \
             WHERE id = $3 RETURNING id, kind, payload, attempts, max_attempts",
            params![worker.to_string(), t + ChronoDuration::seconds(LEASE_SECS), id],
        )
        .await?;
        jobs.extend(job);
    }
    tx.commit().await?;
    Ok(jobs)
}

#[derive(sea_orm::FromQueryResult)]
struct IdRow {
    id: JobId,
}

/// Marks a job done, keeping `record` in place of its payload when given.
pub async fn complete(db: &Db, id: JobId, record: Option<String>) -> Result<(), DbErr> {
    db.exec(
        "UPDATE jobs SET status = 'done', locked_until = NULL, finished_at = $1, payload = COALESCE($2, payload) \
         WHERE id = $3",
        params![now(), record, id],
    )
    .await?;
    metrics::counter!("shn_job_runs_total", "outcome" => "done").increment(1);
    Ok(())
}

/// Records a failure: retried later with exponential backoff, or given up after
/// `max_attempts` (then `record` replaces the payload, as for a job done).
pub async fn fail(db: &Db, job: &Claimed, error: &str, record: Option<String>) -> Result<(), DbErr> {
    let give_up = job.attempts >= job.max_attempts;
    let t = now();
    db.exec(
        "UPDATE jobs SET status = $1, run_at = $2, locked_until = NULL, last_error = $3, finished_at = $4, \
         payload = COALESCE($5, payload) WHERE id = $6",
        params![
            if give_up { "failed" } else { "queued" },
            t + ChronoDuration::seconds(backoff_secs(job.attempts)),
            error.chars().take(2000).collect::<String>(),
            give_up.then_some(t),
            record.filter(|_| give_up),
            job.id
        ],
    )
    .await?;
    let outcome = if give_up { "failed" } else { "retried" };
    metrics::counter!("shn_job_runs_total", "outcome" => outcome).increment(1);
    Ok(())
}

/// Seconds to wait before attempt `attempts + 1`: 2, 4, 8 … capped at an hour.
pub fn backoff_secs(attempts: i32) -> i64 {
    2i64.saturating_pow(attempts.clamp(1, 12) as u32).min(3600)
}

/// Runs claimed jobs one by one; returns how many ran.
pub async fn run_due(state: &AppState, worker: &str, n: u64) -> anyhow::Result<usize> {
    run_due_of(state, worker, n, &[]).await
}

/// [`run_due`], of the given kinds only (none given: any kind): a command that does one
/// thing (`shn newsletter send`) runs its own jobs and leaves the rest to the workers.
pub async fn run_due_of(state: &AppState, worker: &str, n: u64, kinds: &[&str]) -> anyhow::Result<usize> {
    let jobs = claim_of(&state.db, worker, n, kinds).await?;
    let count = jobs.len();
    for job in jobs {
        if let Some(secs) = state.jobs.leases.get(job.kind.as_str()) {
            let until = now() + ChronoDuration::seconds(*secs);
            state.db.exec("UPDATE jobs SET locked_until = $1 WHERE id = $2", params![until, job.id]).await?;
        }
        let Some(handler) = state.jobs.get(&job.kind).cloned() else {
            fail(&state.db, &job, &format!("no handler for job kind {:?}", job.kind), None).await?;
            continue;
        };
        let record = state.jobs.finished_payload(&job.kind, &job.payload);
        let payload = serde_json::from_str(&job.payload).unwrap_or(serde_json::Value::Null);
        match handler(state.clone(), payload).await {
            Ok(()) => complete(&state.db, job.id, record).await?,
            Err(e) => {
                tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, error = %e, "job failed");
                fail(&state.db, &job, &e.to_string(), record).await?;
            }
        }
    }
    Ok(count)
}

/// The most rows one reading of the queue counts (see [`reading`]).
pub const READING_CAP: i64 = 1000;

/// What `/metrics` shows of the queue, read in bounded time however long the queue's
/// history: counts stop at [`READING_CAP`] and every read walks the `jobs_due` index.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct QueueReading {
    /// Queued jobs whose time has come (at most the cap).
    pub due: i64,
    /// Jobs that gave up and are not yet purged (at most the cap).
    pub failed: i64,
    /// How long the oldest due job has waited, in seconds (0 when none is due).
    pub oldest_due_secs: f64,
}

/// Reads the queue for `/metrics` (see [`QueueReading`]).
pub async fn reading(db: &Db) -> Result<QueueReading, DbErr> {
    let t = now();
    let due = db
        .scalar::<i64>(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM \
             (SELECT id FROM jobs WHERE status = 'queued' AND run_at <= $1 LIMIT $2) AS capped",
            params![t, READING_CAP],
        )
        .await?
        .unwrap_or_default();
    let failed = db
        .scalar::<i64>(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT id FROM jobs WHERE status = 'failed' LIMIT $1) AS capped",
            params![READING_CAP],
        )
        .await?
        .unwrap_or_default();
    let oldest: Option<Instant> = db
        .scalar("SELECT run_at FROM jobs WHERE status = 'queued' AND run_at <= $1 ORDER BY run_at LIMIT 1", params![t])
        .await?;
    let oldest_due_secs = oldest.map(|o| (t - o).num_milliseconds().max(0) as f64 / 1000.0).unwrap_or(0.0);
    Ok(QueueReading { due, failed, oldest_due_secs })
}

/// How long finished jobs are kept: long enough to look into a problem, and longer than
/// any unique key must stop a repeat (a reminder's or a digest's is for one day).
pub const KEEP_DONE_DAYS: i64 = 7;
/// Jobs that gave up are kept longer, for whoever looks into why.
pub const KEEP_FAILED_DAYS: i64 = 30;
/// Rows deleted per statement, so a purge never holds SQLite's writer for long.
const PURGE_BATCH: i64 = 500;

/// Deletes finished jobs past their keeping time; returns how many.
pub async fn purge_finished(db: &Db) -> Result<u64, DbErr> {
    let t = now();
    let mut removed = 0;
    for (status, days) in [("done", KEEP_DONE_DAYS), ("failed", KEEP_FAILED_DAYS)] {
        let cutoff = t - ChronoDuration::days(days);
        loop {
            let n = db
                .exec(
                    "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE status = $1 AND run_at < $2 \
                     AND (finished_at IS NULL OR finished_at < $2) LIMIT $3)",
                    params![status, cutoff, PURGE_BATCH],
                )
                .await?;
            removed += n;
            if n < PURGE_BATCH as u64 {
                break;
            }
        }
    }
    Ok(removed)
}

/// Purges finished jobs (the kernel schedules it hourly: see `worker::housekeeping`).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct PurgeFinished {}

impl Job for PurgeFinished {
    const KIND: &'static str = "kernel.purge_jobs";

    async fn run(self, state: AppState) -> anyhow::Result<()> {
        let removed = purge_finished(&state.db).await?;
        if removed > 0 {
            tracing::info!(removed, "purged finished jobs");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::backoff_secs;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff_secs(1), 2);
        assert_eq!(backoff_secs(2), 4);
        assert_eq!(backoff_secs(5), 32);
        assert_eq!(backoff_secs(40), 3600);
    }
}
