//! The delivery rows of an issue, one per recipient, and every change of their state.
//! Each change is one statement over a batch of rows, fenced by the run that owns them
//! (`run_id`): a run that lost its rows to another (its job's lease ran out while it
//! stalled) can no longer hand any of them over.

use std::path::Path;

use kernel::bulkmail::journal;
use kernel::db::{self, Db, UuidColumn};
use kernel::ids::MemberId;
use kernel::{AppError, AppResult, params};
use sea_orm::Value;
use uuid::Uuid;

/// A recipient claimed by a run.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub(crate) struct Claimed {
    pub member_id: MemberId,
    pub email: String,
    pub attempts: i32,
}

/// `member_id IN (…)` for a batch, with its values after `first` bound values.
fn members_in(db: &Db, members: &[MemberId], mut values: Vec<Value>) -> (String, Vec<Value>) {
    let ids: Vec<Uuid> = members.iter().map(|m| m.0).collect();
    let clause = db::uuid_in(db.writer(), "member_id", UuidColumn::Native, &ids, &mut |v| {
        values.push(v);
        format!("${}", values.len())
    });
    (clause, values)
}

/// Adds recipients as `pending` (a second listing of the same member does nothing).
pub(crate) async fn add(db: &Db, issue: Uuid, batch: &[(MemberId, String)]) -> AppResult<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let now = kernel::time::now();
    let mut values: Vec<Value> = vec![issue.into(), now.into()];
    let rows: Vec<String> = batch
        .iter()
        .map(|(id, email)| {
            values.push((*id).into());
            values.push(email.clone().into());
            format!("($1, ${}, ${}, 'pending', 0, $2)", values.len() - 1, values.len())
        })
        .collect();
    let sql = format!(
        "INSERT INTO newsletter_deliveries (issue_id, member_id, email, state, attempts, updated_at) VALUES {} \
         ON CONFLICT (issue_id, member_id) DO NOTHING",
        rows.join(", ")
    );
    db.exec(&sql, values).await?;
    Ok(())
}

/// Rows left by runs that are gone: `sending` goes back to `pending` (its content was
/// never handed over, so the server has nothing). A `handed` row of a run whose journal
/// is here and unlocked (the run is certainly over) goes back to `pending` when the
/// journal has no note of it (its end of data was never written) and becomes
/// `unconfirmed` when it has (the server had it all: never sent again). Without such a
/// journal (the run is alive, or ran on another node) every `handed` row becomes
/// `unconfirmed`. Answers how many rows go again and how many are presumed delivered.
pub(crate) async fn recover(db: &Db, journals: &Path, issue: Uuid, run: &str) -> AppResult<(u64, u64)> {
    let now = kernel::time::now();
    let mut again = db
        .exec(
            "UPDATE newsletter_deliveries SET state = 'pending', run_id = NULL, updated_at = $1 \
             WHERE issue_id = $2 AND state = 'sending' AND run_id <> $3",
            params![now, issue, run.to_string()],
        )
        .await?;
    let mut presumed = 0;
    let runs: Vec<String> = db
        .column(
            "SELECT DISTINCT run_id FROM newsletter_deliveries WHERE issue_id = $1 AND state = 'handed' AND run_id <> $2",
            params![issue, run.to_string()],
        )
        .await?;
    for gone in runs {
        let handed: Vec<MemberId> = db
            .column(
                "SELECT member_id FROM newsletter_deliveries WHERE issue_id = $1 AND state = 'handed' AND run_id = $2",
                params![issue, gone.clone()],
            )
            .await?;
        let journal = journal::finished(journals, &gone).map_err(|e| AppError::Internal(e.into()))?;
        let (ended, unended): (Vec<MemberId>, Vec<MemberId>) =
            handed.into_iter().partition(|m| journal.as_ref().is_none_or(|j| j.noted(&m.to_string())));
        mark(db, issue, Mark::Retry, &unended, "the worker stopped before the end of the data was written").await?;
        mark(db, issue, Mark::Unconfirmed, &ended, "the worker stopped after the end of the data was written").await?;
        (again, presumed) = (again + unended.len() as u64, presumed + ended.len() as u64);
        if let Some(j) = journal {
            j.discard();
        }
    }
    // Runs of this issue that died with nothing handed over leave a journal with nothing
    // left to tell (a run's id begins with its issue's, `delivery::run_id`).
    for gone in journal::finished_runs(journals, &issue.to_string()).map_err(|e| AppError::Internal(e.into()))? {
        if gone != run
            && let Some(j) = journal::finished(journals, &gone).map_err(|e| AppError::Internal(e.into()))?
        {
            j.discard();
        }
    }
    Ok((again, presumed))
}

/// Claims up to `n` pending recipients for `run`, in member order (in an explicit
/// transaction, committed before they are sent: see [`hand_over`]).
pub(crate) async fn claim(db: &Db, issue: Uuid, run: &str, n: i64) -> AppResult<Vec<Claimed>> {
    let sql = format!(
        "UPDATE newsletter_deliveries SET state = 'sending', run_id = $1, updated_at = $2 \
         WHERE issue_id = $3 AND member_id IN (SELECT member_id FROM newsletter_deliveries \
         WHERE issue_id = $3 AND state = 'pending' ORDER BY member_id LIMIT $4{}) \
         RETURNING member_id, email, attempts",
        db::skip_locked(db.writer())
    );
    let tx = db.begin().await?;
    let claimed = db::all(&tx, &sql, params![run.to_string(), kernel::time::now(), issue, n]).await?;
    tx.commit().await?;
    Ok(claimed)
}

/// Records that these members' messages are being handed over; answers which of them
/// this run still owns (only those may be sent).
pub(crate) async fn hand_over(db: &Db, issue: Uuid, run: &str, members: &[MemberId]) -> AppResult<Vec<MemberId>> {
    let (clause, values) = members_in(db, members, params![kernel::time::now(), issue, run.to_string()]);
    let sql = format!(
        "UPDATE newsletter_deliveries SET state = 'handed', updated_at = $1 \
         WHERE issue_id = $2 AND run_id = $3 AND state = 'sending' AND {clause} RETURNING member_id"
    );
    // In an explicit transaction: on SQLite a write that returns rows (`RETURNING`) is
    // committed only when its statement is reset, which the driver may leave for later
    // (launchbadge/sqlx#3430), so without one a hand-over could still be uncommitted
    // when its end of data is written, and a crash would send that message again.
    let tx = db.begin().await?;
    let owned = db::column(&tx, &sql, values).await?;
    tx.commit().await?;
    Ok(owned)
}

/// What a batch of messages came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    /// The server accepted it.
    Sent,
    /// The answer never came after the hand-over: presumed delivered, never resent.
    Unconfirmed,
    /// Hard bounce: the address is refused.
    Bounced,
    /// Given up (a permanent refusal, or too many attempts).
    Failed,
    /// Not sent and may be tried again.
    Retry,
    /// No longer to be sent (the member left, or the address is suppressed).
    Skipped,
}

impl Mark {
    fn sql(self) -> &'static str {
        match self {
            Mark::Sent => {
                "SET state = 'sent', error = NULL, updated_at = $1 WHERE issue_id = $2 AND state IN ('handed', 'unconfirmed')"
            }
            Mark::Unconfirmed => {
                "SET state = 'unconfirmed', error = $3, updated_at = $1 WHERE issue_id = $2 AND state = 'handed'"
            }
            Mark::Bounced => "SET state = 'bounced', error = $3, updated_at = $1 WHERE issue_id = $2",
            Mark::Failed => "SET state = 'failed', error = $3, updated_at = $1 WHERE issue_id = $2",
            Mark::Retry => {
                "SET state = 'pending', run_id = NULL, attempts = attempts + 1, error = $3, updated_at = $1 \
                 WHERE issue_id = $2 AND state IN ('sending', 'handed')"
            }
            Mark::Skipped => "SET state = 'skipped', error = $3, updated_at = $1 WHERE issue_id = $2",
        }
    }
}

/// Marks a batch of an issue's rows (`error` is kept for all but `Sent`).
pub(crate) async fn mark(db: &Db, issue: Uuid, mark: Mark, members: &[MemberId], error: &str) -> AppResult<()> {
    if members.is_empty() {
        return Ok(());
    }
    let error: String = error.chars().take(500).collect();
    let first = if mark == Mark::Sent {
        params![kernel::time::now(), issue]
    } else {
        params![kernel::time::now(), issue, error]
    };
    let (clause, values) = members_in(db, members, first);
    db.exec(&format!("UPDATE newsletter_deliveries {} AND {clause}", mark.sql()), values).await?;
    Ok(())
}

/// Rows of an issue still to be sent or in flight.
pub(crate) async fn unfinished(db: &Db, issue: Uuid) -> AppResult<i64> {
    Ok(db
        .scalar::<i64>(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM newsletter_deliveries \
             WHERE issue_id = $1 AND state IN ('pending', 'sending', 'handed')",
            params![issue],
        )
        .await?
        .unwrap_or_default())
}

/// Skips a member's rows that are not yet handed over (their address bounced or
/// complained while an issue was being sent).
pub(crate) async fn skip_member(db: &Db, member: MemberId, why: &str) -> AppResult<()> {
    db.exec(
        "UPDATE newsletter_deliveries SET state = 'skipped', error = $1, updated_at = $2 \
         WHERE member_id = $3 AND state = 'pending'",
        params![why.to_string(), kernel::time::now(), member],
    )
    .await?;
    Ok(())
}
