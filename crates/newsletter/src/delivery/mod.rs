//! Sending an issue: one job per issue, through the kernel's job queue, that sends
//! every recipient's own edition exactly once, across crashes and restarts.
//!
//! **The rows.** When the send begins, every member who should receive the issue (a
//! verified address, the weekly issue on, no bounce or complaint on record) gets a
//! row: `pending`. A run claims rows (`sending`, with its fencing id), and for each
//! recipient opens an SMTP transaction and writes the whole content but its end
//! (`CRLF . CRLF`); then the row becomes `handed` (one commit for all lanes waiting),
//! right after which the committing task writes the end of each handed message; the
//! server's 250 makes it `sent`.
//!
//! **After a crash** the next run (the job's lease is short, so it comes soon) first
//! puts `sending` rows back to `pending`: their final dot was never written, and a
//! server keeps nothing of a transaction cut off before it. A `handed` row is told by
//! the dead run's hand-over journal (`kernel::bulkmail::journal`), a local file in which
//! the run noted each message in the instant before writing its end: not noted, the end
//! was never written and the row goes back to `pending`; noted, it becomes
//! `unconfirmed` (the server had the whole message): counted as delivered, never sent
//! again. A run still alive (overtaken while stalled) or on another node has no journal
//! here to read: its `handed` rows all become `unconfirmed`.
//!
//! **What is guaranteed.** No member receives an issue twice: a message is ended at a
//! server only after its row is durably `handed` and noted, and a noted row is never
//! sent again. Every recipient is accepted by the server (`sent`, or `unconfirmed` after
//! a crash once its end was written) or has a definite answer (`bounced`, `failed`,
//! `skipped`). The only loss a crash on the sending node can cause is a message killed
//! in the instant between its note and the five-byte write of its end (two adjacent
//! system calls), or whose server refuses at the final dot while the worker is dead;
//! both show as `unconfirmed`. True exactly-once delivery over SMTP is impossible in
//! general (RFC 1047: two systems, no common commit); this design never sends twice and
//! narrows "possibly never" to that instant. The Message-ID is stable per issue and
//! member, so a receiver that keeps Message-IDs would drop a repeat in any case.

mod figures;
mod pipeline;
pub(crate) mod render;
mod rows;

use std::sync::Arc;
use std::time::Duration;

use kernel::bulkmail::journal::Journal;
use kernel::db::Db;
use kernel::jobs::{self, Job};
use kernel::time::Instant;
use kernel::{AppError, AppResult, AppState, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use figures::{DeliveryFigures, IssueWithDelivery, figures};
pub(crate) use rows::skip_member;

use crate::settings::DeliverySettings;
use crate::{bounces, issues, preferences};

/// How long one step of a send runs before it hands over to the next job.
const STEP: Duration = Duration::from_secs(5);

/// Sends an issue, a step at a time; each step queues the next until all are sent.
#[derive(Debug, Serialize, Deserialize)]
pub struct SendIssue {
    pub issue_id: Uuid,
    #[serde(default)]
    pub step: u32,
}

impl Job for SendIssue {
    const KIND: &'static str = "newsletter.send";
    /// A step runs about [`STEP`]; a crashed worker's step is taken over soon after.
    const LEASE_SECS: i64 = 20;

    async fn run(self, state: AppState) -> anyhow::Result<()> {
        let done = run_step(&state, self.issue_id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        if !done {
            let next = SendIssue { issue_id: self.issue_id, step: self.step + 1 };
            jobs::queue(state.db.writer(), &next, Some(&step_key(self.issue_id, next.step)), None).await?;
        }
        Ok(())
    }
}

fn step_key(issue: Uuid, step: u32) -> String {
    format!("newsletter.send:{issue}:{step}")
}

/// Starts sending an issue now, or at `at`. A second start of the same issue is a
/// conflict (`already_sent`): an issue is sent once.
pub async fn start(state: &AppState, issue: Uuid, at: Option<Instant>) -> AppResult<()> {
    issues::get(state, issue).await?;
    let tx = state.db.begin().await?;
    let now = kernel::time::now();
    let began = kernel::db::exec(
        &tx,
        "INSERT INTO newsletter_sends (issue_id, state, recipients, started_at) VALUES ($1, 'listing', 0, $2) \
         ON CONFLICT (issue_id) DO NOTHING",
        params![issue, at.unwrap_or(now)],
    )
    .await?;
    if began == 0 {
        return Err(AppError::conflict("already_sent", "This issue is being sent or was sent already."));
    }
    let status = if at.is_some_and(|t| t > now) { "scheduled" } else { "sending" };
    kernel::db::exec(
        &tx,
        "UPDATE newsletter_issues SET status = $1, updated_at = $2 WHERE id = $3",
        params![status, now, issue],
    )
    .await?;
    jobs::queue(&tx, &SendIssue { issue_id: issue, step: 0 }, Some(&step_key(issue, 0)), at).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(sea_orm::FromQueryResult)]
struct SendRow {
    state: String,
}

/// One step: lists the recipients the first time, recovers what a dead run left,
/// sends for a while; answers whether the issue is completely sent.
pub(crate) async fn run_step(state: &AppState, issue: Uuid) -> AppResult<bool> {
    let Some(send) =
        state.db.one::<SendRow>("SELECT state FROM newsletter_sends WHERE issue_id = $1", params![issue]).await?
    else {
        return Ok(true);
    };
    if send.state == "done" {
        return Ok(true);
    }
    if send.state == "listing" {
        list_recipients(state, issue).await?;
    }
    // Named after its issue, so its journal is found among the issue's (`rows::recover`).
    let run_id = format!("{issue}-{}", kernel::secret::random_token(9));
    let journals = state.config.data_dir.join("newsletter-handovers");
    let (retried, presumed) = rows::recover(&state.db, &journals, issue, &run_id).await?;
    if retried + presumed > 0 {
        tracing::warn!(%issue, retried, presumed, "newsletter send resumed after an interrupted run");
    }
    let settings = state.port::<DeliverySettings>()?.clone();
    let target = kernel::bulkmail::Target::from_config(&state.config).map_err(AppError::Internal)?;
    let list = render::list_headers(&target.domain());
    let run = Arc::new(pipeline::Run {
        state: state.clone(),
        issue: issues::get(state, issue).await?,
        id: run_id,
        target,
        list,
        rate: settings.rate,
        connections: settings.connections,
    });
    let journal = Journal::open(&journals, &run.id).map_err(|e| AppError::Internal(e.into()))?;
    let tally = pipeline::step(run, STEP, journal).await?;
    tracing::info!(
        %issue,
        claimed = tally.claimed,
        sent = tally.sent,
        claiming_ms = tally.claiming.as_millis() as u64,
        assembling_ms = tally.assembling.as_millis() as u64,
        waiting_for_lanes_ms = tally.waiting_for_lanes.as_millis() as u64,
        "newsletter send step"
    );
    let left = rows::unfinished(&state.db, issue).await?;
    figures::publish(state, issue).await;
    if left > 0 {
        return Ok(false);
    }
    finish(&state.db, issue).await?;
    Ok(true)
}

/// Writes a row for every member who should receive the issue, then starts sending.
/// Listing twice adds nobody twice (a crash while listing lists again).
async fn list_recipients(state: &AppState, issue: Uuid) -> AppResult<()> {
    let now = kernel::time::now();
    state
        .db
        .exec("UPDATE newsletter_issues SET status = 'sending', updated_at = $1 WHERE id = $2", params![now, issue])
        .await?;
    let suppressed = bounces::suppressed_emails(&state.db).await?;
    let everyone = preferences::weekly_recipients(state).await?;
    let (stopped, to): (Vec<_>, Vec<_>) =
        everyone.into_iter().partition(|(_, email)| suppressed.contains(&email.to_lowercase()));
    // A report may have come before we ever wrote to the address: now we know whose it is.
    for (member, email) in stopped {
        bounces::attach_member(&state.db, &email, member).await?;
    }
    for batch in to.chunks(200) {
        rows::add(&state.db, issue, batch).await?;
    }
    let total = state
        .db
        .scalar::<i64>("SELECT CAST(COUNT(*) AS BIGINT) FROM newsletter_deliveries WHERE issue_id = $1", params![issue])
        .await?
        .unwrap_or_default();
    state
        .db
        .exec(
            "UPDATE newsletter_sends SET state = 'sending', recipients = $1 WHERE issue_id = $2",
            params![total, issue],
        )
        .await?;
    Ok(())
}

async fn finish(db: &Db, issue: Uuid) -> AppResult<()> {
    let now = kernel::time::now();
    db.exec(
        "UPDATE newsletter_sends SET state = 'done', finished_at = $1 WHERE issue_id = $2 AND state <> 'done'",
        params![now, issue],
    )
    .await?;
    db.exec("UPDATE newsletter_issues SET status = 'sent', updated_at = $1 WHERE id = $2", params![now, issue]).await?;
    Ok(())
}
