//! The background worker: runs due jobs and feeds outbox consumers, and now and then
//! sweeps expired sessions and rate-limit windows. Several may run at once.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::slice::Slice;
use crate::state::AppState;
use crate::{jobs, mail, outbox, ratelimit, session};

const BATCH: u64 = 50;
const SWEEP_EVERY: Duration = Duration::from_secs(600);

/// The kernel's own background work, declared as a slice declares its own: sending mail,
/// every hour purging finished jobs (so sent mail is not kept for ever) and rolling the
/// analytics up to the last whole day.
pub fn housekeeping() -> Slice {
    Slice::new("kernel")
        .job::<mail::SendMail>()
        .scheduled::<jobs::PurgeFinished>(Duration::from_secs(3600))
        .scheduled::<crate::analytics::rollup::RollUp>(Duration::from_secs(3600))
}

/// Queues each scheduled job whose period has turned since this worker last looked;
/// the unique key makes every other worker's attempt for the same period a no-op.
pub async fn queue_scheduled(state: &AppState, seen: &mut HashMap<&'static str, i64>) -> anyhow::Result<()> {
    let t = crate::time::now().timestamp();
    for s in &state.schedules {
        let period = s.every.as_secs().max(1) as i64;
        let slot = t.div_euclid(period);
        if seen.get(s.job) == Some(&slot) {
            continue;
        }
        let key = format!("schedule:{}:{slot}", s.job);
        jobs::enqueue(state.db.writer(), s.job, &serde_json::json!({}), Some(&key), None).await?;
        seen.insert(s.job, slot);
    }
    Ok(())
}

/// One pass over jobs and consumers; returns how much work it found.
pub async fn tick(state: &AppState, worker_id: &str) -> anyhow::Result<usize> {
    let mut done = jobs::run_due(state, worker_id, BATCH).await?;
    for consumer in &state.consumers {
        done += outbox::run_once(&state.db, consumer, BATCH).await?;
    }
    // Consumers often queue jobs (e-mails); run those in the same pass.
    if done > 0 {
        done += jobs::run_due(state, worker_id, BATCH).await?;
    }
    Ok(done)
}

/// Runs passes until there is nothing left to do (tests, demo loading, `shn worker --once`).
pub async fn drain(state: &AppState) -> anyhow::Result<()> {
    let id = worker_name();
    for _ in 0..1000 {
        if tick(state, &id).await? == 0 {
            return Ok(());
        }
    }
    anyhow::bail!("the worker still had work after 1000 passes")
}

/// Runs until `shutdown` resolves.
pub async fn run(state: AppState, shutdown: impl std::future::Future<Output = ()>) {
    let id = worker_name();
    tracing::info!(worker = %id, "worker started");
    tokio::pin!(shutdown);
    let mut last_sweep = Instant::now() - SWEEP_EVERY;
    let mut scheduled = HashMap::new();
    loop {
        if let Err(e) = queue_scheduled(&state, &mut scheduled).await {
            tracing::warn!(error = %e, "could not queue scheduled jobs");
        }
        let found = match tick(&state, &id).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "worker pass failed");
                0
            }
        };
        if last_sweep.elapsed() >= SWEEP_EVERY {
            last_sweep = Instant::now();
            let _ = session::sweep(&state.db, &state.config).await;
            let _ = ratelimit::sweep(&state.db).await;
        }
        if found > 0 {
            continue;
        }
        tokio::select! {
            _ = &mut shutdown => break,
            _ = tokio::time::sleep(state.config.worker_poll) => {}
        }
    }
    tracing::info!(worker = %id, "worker stopped");
}

fn worker_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "local".into());
    format!("{host}:{}:{}", std::process::id(), crate::secret::random_token(4))
}
