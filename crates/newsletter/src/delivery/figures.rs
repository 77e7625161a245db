//! The delivery figures of an issue: how many it goes to, how many were sent, failed,
//! bounced or were presumed delivered, how many have left the newsletter since, the
//! rate so far and the latest errors. Shown to the editor with the issue and published
//! to `/metrics` after every step of a send.

use kernel::time::Instant;
use kernel::{AppResult, AppState, params};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::issues::IssueView;

/// Where an issue's send stands.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct DeliveryFigures {
    /// `not_started`, `scheduled` (waiting for its time), `listing`, `sending` or `done`.
    pub state: String,
    /// Members the issue goes to (fixed when sending begins).
    pub recipients: i64,
    /// Still to send (including those in flight).
    pub pending: i64,
    /// Accepted by the mail server.
    pub sent: i64,
    /// Handed over when the worker stopped, with no answer seen: presumed delivered, never resent.
    pub unconfirmed: i64,
    /// Refused for good, or given up after repeated failures.
    pub failed: i64,
    /// Hard bounces (the server refused the address).
    pub bounced: i64,
    /// Not sent: the member left, or the address bounced or complained meanwhile.
    pub skipped: i64,
    /// Recipients who turned the weekly issue off since it was sent.
    pub unsubscribed: i64,
    /// Messages finished per second, from the start of sending to the last one.
    pub rate_per_second: f64,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub started_at: Option<Instant>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<Instant>,
    /// The latest distinct errors, newest first (at most 5).
    pub recent_errors: Vec<String>,
}

/// An issue with its delivery figures (`GET /api/v1/admin/newsletters/{id}`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IssueWithDelivery {
    #[serde(flatten)]
    pub issue: IssueView,
    pub delivery: DeliveryFigures,
}

#[derive(sea_orm::FromQueryResult)]
struct SendRow {
    state: String,
    recipients: i64,
    started_at: Instant,
    finished_at: Option<Instant>,
}

#[derive(sea_orm::FromQueryResult)]
struct Count {
    state: String,
    n: i64,
}

#[derive(sea_orm::FromQueryResult)]
struct Last {
    last: Option<Instant>,
}

/// The figures of issue `id` (all zero before it is sent).
pub async fn figures(state: &AppState, id: Uuid) -> AppResult<DeliveryFigures> {
    let db = &state.db;
    let send: Option<SendRow> = db
        .one("SELECT state, recipients, started_at, finished_at FROM newsletter_sends WHERE issue_id = $1", params![id])
        .await?;
    let Some(send) = send else { return Ok(DeliveryFigures { state: "not_started".into(), ..Default::default() }) };
    let counts: Vec<Count> = db
        .all(
            "SELECT state, CAST(COUNT(*) AS BIGINT) AS n FROM newsletter_deliveries WHERE issue_id = $1 GROUP BY state",
            params![id],
        )
        .await?;
    let of = |names: &[&str]| counts.iter().filter(|c| names.contains(&c.state.as_str())).map(|c| c.n).sum::<i64>();
    let unsubscribed = db
        .scalar::<i64>(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM newsletter_deliveries d JOIN newsletter_preferences p \
             ON p.member_id = d.member_id WHERE d.issue_id = $1 AND p.weekly = FALSE AND p.updated_at >= $2",
            params![id, send.started_at],
        )
        .await?
        .unwrap_or_default();
    let recent_errors: Vec<String> = db
        .column(
            "SELECT error FROM newsletter_deliveries WHERE issue_id = $1 AND error IS NOT NULL \
             AND state IN ('failed', 'bounced', 'unconfirmed', 'pending') ORDER BY updated_at DESC LIMIT 50",
            params![id],
        )
        .await?;
    let mut distinct: Vec<String> = vec![];
    for e in recent_errors {
        if !distinct.contains(&e) && distinct.len() < 5 {
            distinct.push(e);
        }
    }
    let last: Option<Last> = db
        .one(
            "SELECT MAX(updated_at) AS last FROM newsletter_deliveries WHERE issue_id = $1 \
             AND state IN ('sent', 'unconfirmed', 'failed', 'bounced')",
            params![id],
        )
        .await?;
    let finished = of(&["sent", "unconfirmed", "failed", "bounced"]);
    let elapsed = last.and_then(|l| l.last).map(|l| (l - send.started_at).num_milliseconds() as f64 / 1000.0);
    let rate = elapsed.filter(|s| *s > 0.0).map(|s| finished as f64 / s).unwrap_or(0.0);
    let scheduled = send.state == "listing" && send.started_at > kernel::time::now();
    Ok(DeliveryFigures {
        state: if scheduled { "scheduled".into() } else { send.state },
        recipients: send.recipients,
        pending: of(&["pending", "sending", "handed"]),
        sent: of(&["sent"]),
        unconfirmed: of(&["unconfirmed"]),
        failed: of(&["failed"]),
        bounced: of(&["bounced"]),
        skipped: of(&["skipped"]),
        unsubscribed,
        rate_per_second: (rate * 10.0).round() / 10.0,
        started_at: Some(send.started_at),
        finished_at: send.finished_at,
        recent_errors: distinct,
    })
}

/// Publishes an issue's figures to `/metrics` (gauges labelled with the issue's week).
pub(crate) async fn publish(state: &AppState, id: Uuid) {
    let (Ok(f), Ok(issue)) = (figures(state, id).await, crate::issues::get(state, id).await) else { return };
    let week = issue.week;
    for (what, n) in [
        ("recipients", f.recipients),
        ("pending", f.pending),
        ("sent", f.sent),
        ("unconfirmed", f.unconfirmed),
        ("failed", f.failed),
        ("bounced", f.bounced),
        ("skipped", f.skipped),
    ] {
        metrics::gauge!("shn_newsletter_delivery", "week" => week.clone(), "state" => what).set(n as f64);
    }
    metrics::gauge!("shn_newsletter_rate_per_second", "week" => week).set(f.rate_per_second);
}
