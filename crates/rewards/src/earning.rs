//! Earning points from what members do: an outbox consumer that turns events from
//! other slices into ledger credits, each exactly once, within the rule's caps.

use chrono::{Duration as ChronoDuration, TimeZone, Utc};
use contracts::events::MemberDeleted;
use contracts::opportunities::PayoutPaid;
use contracts::surveys::SurveyIncentiveEarned;
use futures::future::BoxFuture;
use kernel::db::{self, Tx};
use kernel::ids::MemberId;
use kernel::outbox::DomainEvent;
use kernel::outbox::{Consumer, Event};
use kernel::params;
use sea_orm::DatabaseTransaction;

use crate::ledger::{self, NewEntry};
use crate::rules::{EVENT_RULES, terms_at};

pub const CONSUMER: &str = "rewards";

pub struct PointsConsumer;

/// Every earning event, payouts in points, survey incentives, and the erasure of a
/// member (who then leaves the leaderboard).
const HANDLED: [&str; EVENT_RULES.len() + 3] = {
    let mut kinds = [MemberDeleted::KIND; EVENT_RULES.len() + 3];
    kinds[EVENT_RULES.len() + 1] = PayoutPaid::KIND;
    kinds[EVENT_RULES.len() + 2] = SurveyIncentiveEarned::KIND;
    let mut i = 0;
    while i < EVENT_RULES.len() {
        kinds[i] = EVENT_RULES[i].0;
        i += 1;
    }
    kinds
};

impl Consumer for PointsConsumer {
    fn name(&self) -> &'static str {
        CONSUMER
    }

    fn handles(&self) -> &'static [&'static str] {
        &HANDLED
    }

    fn handle<'a>(&'a self, tx: &'a DatabaseTransaction, event: &'a Event) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if let Some(MemberDeleted { member_id: member }) = event.decode() {
                // The ledger stays (it names no one); the leaderboard forgets them.
                db::exec(
                    tx,
                    "UPDATE points_accounts SET leaderboard_opt_in = FALSE WHERE member_id = $1",
                    params![member],
                )
                .await?;
                return Ok(());
            }
            if let Some(payout) = event.decode::<PayoutPaid>() {
                credit_compensation(tx, &payout, event).await?;
                return Ok(());
            }
            if let Some(incentive) = event.decode::<SurveyIncentiveEarned>() {
                credit_survey_incentive(tx, &incentive, event).await?;
                return Ok(());
            }
            let Some(member) = contracts::events::earner(event) else {
                tracing::warn!(event = %event.id, kind = %event.kind, "event without a member_id; no points");
                return Ok(());
            };
            let Some((_, code)) = EVENT_RULES.iter().find(|(k, _)| *k == event.kind) else { return Ok(()) };
            credit_for_event(tx, member, code, event).await?;
            Ok(())
        })
    }
}

/// Credits `member` under rule `code` for `event`, as the rule stood when the event
/// happened, never past its daily or lifetime cap. Returns the points credited.
pub async fn credit_for_event(tx: &Tx, member: MemberId, code: &str, event: &Event) -> anyhow::Result<i64> {
    let Some(terms) = terms_at(tx, code, event.created_at).await? else { return Ok(0) };
    if !terms.enabled || terms.points <= 0 {
        return Ok(0);
    }
    // The account lock makes cap checks and the credit one step, even with many workers.
    ledger::lock_account(tx, member).await?;
    let mut grant = terms.points;
    if let Some(cap) = terms.lifetime_cap {
        let so_far = earned(tx, member, code, None).await?;
        grant = grant.min(cap - so_far);
    }
    if let Some(cap) = terms.daily_cap {
        let day = event.created_at.date_naive();
        let start = Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default());
        let today = earned(tx, member, code, Some((start, start + ChronoDuration::days(1)))).await?;
        grant = grant.min(cap - today);
    }
    if grant <= 0 {
        return Ok(0);
    }
    let posted = ledger::post(
        tx,
        &NewEntry {
            member,
            amount: grant,
            reason: code,
            source_type: Some("event"),
            source_id: Some(event.id.to_string()),
            idempotency_key: format!("{CONSUMER}:{}", event.id),
            note: "",
            actor: None,
            occurred_at: Some(event.created_at),
        },
    )
    .await?;
    Ok(if posted.is_some() { grant } else { 0 })
}

/// Credits the points of a paid payout, once per payout: the idempotency key is the
/// payout's, so neither a second delivery of the event nor a second event for the same
/// payout credits again. Returns whether it credited.
pub async fn credit_compensation(tx: &Tx, payout: &PayoutPaid, event: &Event) -> anyhow::Result<bool> {
    if payout.points <= 0 {
        return Ok(false);
    }
    ledger::lock_account(tx, payout.member_id).await?;
    let posted = ledger::post(
        tx,
        &NewEntry {
            member: payout.member_id,
            amount: payout.points,
            reason: ledger::reasons::COMPENSATION,
            source_type: Some("opportunity_payout"),
            source_id: Some(payout.payout_id.to_string()),
            idempotency_key: format!("opportunity_payout:{}", payout.payout_id),
            note: &payout.opportunity_title,
            actor: event.actor_id,
            occurred_at: Some(event.created_at),
        },
    )
    .await?;
    Ok(posted.is_some())
}

/// Credits a survey's incentive, once per response (the idempotency key is the
/// response's), like a payout. Returns whether it credited.
pub async fn credit_survey_incentive(tx: &Tx, e: &SurveyIncentiveEarned, event: &Event) -> anyhow::Result<bool> {
    if e.points <= 0 {
        return Ok(false);
    }
    ledger::lock_account(tx, e.member_id).await?;
    let posted = ledger::post(
        tx,
        &NewEntry {
            member: e.member_id,
            amount: e.points,
            reason: ledger::reasons::SURVEY_INCENTIVE,
            source_type: Some("survey_response"),
            source_id: Some(e.response_id.to_string()),
            idempotency_key: format!("survey_response:{}", e.response_id),
            note: &e.survey_title,
            actor: None,
            occurred_at: Some(event.created_at),
        },
    )
    .await?;
    Ok(posted.is_some())
}

/// Points `member` has earned under `code`, in a window of entry times if given.
async fn earned(
    tx: &Tx,
    member: MemberId,
    code: &str,
    window: Option<(kernel::time::Instant, kernel::time::Instant)>,
) -> Result<i64, sea_orm::DbErr> {
    let sum: Option<i64> = match window {
        None => db::scalar(
            tx,
            "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger_entries WHERE member_id = $1 AND reason = $2",
            params![member, code.to_string()],
        )
        .await?,
        Some((from, to)) => {
            // Counted by when the actions happened, not when the worker got to them.
            db::scalar(
                tx,
                "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger_entries \
                 WHERE member_id = $1 AND reason = $2 AND occurred_at >= $3 AND occurred_at < $4",
                params![member, code.to_string(), from, to],
            )
            .await?
        }
    };
    Ok(sum.unwrap_or(0))
}
