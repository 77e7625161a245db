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

/// Job kind → handler. Slices register theirs at start-up.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: HashMap<&'static str, Handler>,
}

/// A kind of background work: a type whose value is the job's payload. Queue it with
/// [`queue`]; a slice declares the types it runs in its manifest.
pub trait Job: Serialize + DeserializeOwned + Send + 'static {
    /// The job's kind as stored in the queue (`slice.what`); never rename a live one.
    const KIND: &'static str;
    fn run(self, state: AppState) -> impl std::future::Future<Output = anyhow::Result<()>> + Send;
}

impl Registry {
    /// Runs jobs of type `J`.
    pub fn add<J: Job>(&mut self) {
        self.register(J::KIND, |state, payload| async move {
            let job: J = serde_json::from_value(payload)
                .map_err(|e| anyhow::anyhow!("job {} has a payload it cannot read: {e}", J::KIND))?;
            job.run(state).await
        });
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
    let tx = db.writer().begin().await?;
    let t = now();
    let ids: Vec<JobId> = db::all::<IdRow, _>(
        &tx,
        &format!(
            "SELECT id FROM jobs WHERE (status = 'queued' AND run_at <= $1) OR (status = 'running' AND locked_until < $1) \
             ORDER BY run_at LIMIT $2{}",
            db::skip_locked(&tx)
        ),
        params![t, n as i64],
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

/// Marks a job done.
pub async fn complete(db: &Db, id: JobId) -> Result<(), DbErr> {
    db.exec("UPDATE jobs SET status = 'done', locked_until = NULL, finished_at = $1 WHERE id = $2", params![now(), id])
        .await?;
    Ok(())
}

/// Records a failure: retried later with exponential backoff, or given up after
/// `max_attempts`.
pub async fn fail(db: &Db, job: &Claimed, error: &str) -> Result<(), DbErr> {
    let give_up = job.attempts >= job.max_attempts;
    let delay = backoff_secs(job.attempts);
    db.exec(
        "UPDATE jobs SET status = $1, run_at = $2, locked_until = NULL, last_error = $3 WHERE id = $4",
        params![
            if give_up { "failed" } else { "queued" },
            now() + ChronoDuration::seconds(delay),
            error.chars().take(2000).collect::<String>(),
            job.id
        ],
    )
    .await?;
    Ok(())
}

/// Seconds to wait before attempt `attempts + 1`: 2, 4, 8 … capped at an hour.
pub fn backoff_secs(attempts: i32) -> i64 {
    2i64.saturating_pow(attempts.clamp(1, 12) as u32).min(3600)
}

/// Runs claimed jobs one by one; returns how many ran.
pub async fn run_due(state: &AppState, worker: &str, n: u64) -> anyhow::Result<usize> {
    let jobs = claim(&state.db, worker, n).await?;
    let count = jobs.len();
    for job in jobs {
        let Some(handler) = state.jobs.get(&job.kind).cloned() else {
            fail(&state.db, &job, &format!("no handler for job kind {:?}", job.kind)).await?;
            continue;
        };
        let payload = serde_json::from_str(&job.payload).unwrap_or(serde_json::Value::Null);
        match handler(state.clone(), payload).await {
            Ok(()) => complete(&state.db, job.id).await?,
            Err(e) => {
                tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, error = %e, "job failed");
                fail(&state.db, &job, &e.to_string()).await?;
            }
        }
    }
    Ok(count)
}

/// Counts of jobs by status, for the staff dashboard and `/metrics`.
pub async fn counts(db: &Db) -> Result<Vec<(String, i64)>, DbErr> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        status: String,
        n: i64,
    }
    let rows: Vec<Row> = db
        .all("SELECT status, CAST(COUNT(*) AS BIGINT) AS n FROM jobs GROUP BY status ORDER BY status", params![])
        .await?;
    Ok(rows.into_iter().map(|r| (r.status, r.n)).collect())
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
