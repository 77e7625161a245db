//! Redeeming points for rewards: balance, stock and per-member limit are checked and
//! the points debited and the stock reserved in one transaction; staff then fulfil or
//! reject (a rejection returns points and stock with new entries).

use kernel::db::{self, Tx};
use kernel::ids::MemberId;
use kernel::mail::{self, Email};
use kernel::time::now;
use kernel::{AppError, AppResult, AppState, audit, params};
use serde::Serialize;
use uuid::Uuid;

use crate::catalogue;
use crate::ledger::{self, NewEntry, reasons};

#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct Redemption {
    pub id: Uuid,
    pub member_id: MemberId,
    pub reward_id: Uuid,
    pub reward_name: String,
    pub cost: i64,
    /// pending, fulfilled or rejected
    pub status: String,
    /// The code or note the member sees once decided.
    pub outcome_note: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
}

const SELECT: &str = "SELECT r.id, r.member_id, r.reward_id, w.name AS reward_name, r.cost, r.status, r.outcome_note, \
                      r.created_at, r.decided_at FROM redemptions r JOIN rewards w ON w.id = r.reward_id";

pub async fn get<C: sea_orm::ConnectionTrait>(c: &C, id: Uuid) -> AppResult<Redemption> {
    db::one(c, &format!("{SELECT} WHERE r.id = $1"), params![id]).await?.ok_or(AppError::NotFound)
}

pub async fn mine(db: &kernel::db::Db, member: MemberId) -> Result<Vec<Redemption>, sea_orm::DbErr> {
    db.all(&format!("{SELECT} WHERE r.member_id = $1 ORDER BY r.created_at DESC, r.id DESC LIMIT 200"), params![member])
        .await
}

pub async fn queue(db: &kernel::db::Db, status: &str) -> Result<Vec<Redemption>, sea_orm::DbErr> {
    db.all(&format!("{SELECT} WHERE r.status = $1 ORDER BY r.created_at, r.id LIMIT 200"), params![status.to_string()])
        .await
}

/// The outcome of a redemption request: a new one, or the first answer to a replay.
pub enum Outcome {
    Created(Redemption),
    Replayed(Redemption),
}

/// Redeems `reward` for `member`. With an idempotency key, a replay returns the first
/// result and debits nothing.
pub async fn redeem(state: &AppState, member: MemberId, reward: Uuid, key: Option<&str>) -> AppResult<Outcome> {
    check_idempotency_key(key)?;
    let tx = state.db.begin().await?;
    if let Some(existing) = replay(&tx, member, key).await? {
        tx.rollback().await?;
        return Ok(Outcome::Replayed(existing));
    }
    // Lock order everywhere: the member's account, then the reward.
    let balance = ledger::lock_account(&tx, member).await?;
    let item = locked_reward(&tx, reward).await?;
    check_redeemable(&tx, member, &item, balance).await?;
    let id = Uuid::now_v7();
    let debit = debit_and_reserve(&tx, member, &item, id).await?;
    let inserted = db::exec(
        &tx,
        "INSERT INTO redemptions (id, member_id, reward_id, cost, status, idempotency_key, debit_entry_id, created_at) \
         VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7)",
        params![id, member, reward, item.cost, key.map(str::to_string), debit, now()],
    )
    .await;
    if let Err(e) = inserted {
        if db::is_unique_violation(&e) {
            // The same key raced in from another request: answer with its result.
            drop(tx);
            return Ok(Outcome::Replayed(replay_after_race(state, member, key).await?));
        }
        return Err(e.into());
    }
    notify(
        state,
        &tx,
        member,
        id,
        "requested",
        &format!("We have your request for {}. We will e-mail you when it is on its way.", item.name),
    )
    .await?;
    let created = get(&tx, id).await?;
    tx.commit().await?;
    Ok(Outcome::Created(created))
}

fn check_idempotency_key(key: Option<&str>) -> AppResult<()> {
    if let Some(k) = key
        && (k.is_empty() || k.len() > 200)
    {
        return Err(AppError::bad_request("invalid_idempotency_key", "Idempotency-Key must be 1 to 200 characters."));
    }
    Ok(())
}

/// The reward, locked for the rest of the transaction (its stock may change).
async fn locked_reward(tx: &Tx, reward: Uuid) -> AppResult<catalogue::Reward> {
    db::one(tx, &format!("SELECT id, name, description, image_url, cost, stock, per_member_limit, fulfilment, charity, active_from, active_until, active FROM rewards WHERE id = $1{}", db::for_update(tx)), params![reward])
        .await?
        .ok_or(AppError::NotFound)
}

/// Refuses a reward that is unavailable, out of stock, at the member's limit or beyond
/// their balance, in that order.
async fn check_redeemable(tx: &Tx, member: MemberId, item: &catalogue::Reward, balance: i64) -> AppResult<()> {
    if !item.available_at(now()) {
        return Err(AppError::conflict("not_available", "This reward is not available right now."));
    }
    if item.stock.is_some_and(|s| s <= 0) {
        return Err(AppError::conflict("out_of_stock", "This reward is out of stock."));
    }
    if let Some(limit) = item.per_member_limit {
        let taken: i64 = db::scalar(
            tx,
            "SELECT COUNT(*) FROM redemptions WHERE member_id = $1 AND reward_id = $2 AND status <> 'rejected'",
            params![member, item.id],
        )
        .await?
        .unwrap_or(0);
        if taken >= limit {
            return Err(AppError::conflict(
                "limit_reached",
                format!("You can redeem this reward at most {limit} time(s)."),
            ));
        }
    }
    if balance < item.cost {
        return Err(AppError::conflict(
            "insufficient_points",
            format!("This reward costs {} points and you have {balance}.", item.cost),
        ));
    }
    Ok(())
}

/// Debits the reward's cost for redemption `id` and takes one from its stock (if it
/// counts stock); the debit's ledger entry id.
async fn debit_and_reserve(tx: &Tx, member: MemberId, item: &catalogue::Reward, id: Uuid) -> AppResult<Uuid> {
    let debit =
        ledger::post(tx, &entry_about(id, member, -item.cost, reasons::REDEMPTION, "redeem", &item.name, member))
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("fresh redemption id collided")))?;
    if item.stock.is_some() {
        db::exec(tx, "UPDATE rewards SET stock = stock - 1 WHERE id = $1", params![item.id]).await?;
    }
    Ok(debit)
}

/// A ledger entry about redemption `id`: its debit, or its refund when rejected.
fn entry_about<'a>(
    id: Uuid,
    member: MemberId,
    amount: i64,
    reason: &'a str,
    key: &str,
    note: &'a str,
    actor: MemberId,
) -> NewEntry<'a> {
    NewEntry {
        member,
        amount,
        reason,
        source_type: Some("redemption"),
        source_id: Some(id.to_string()),
        idempotency_key: format!("{key}:{id}"),
        note,
        actor: Some(actor),
        occurred_at: None,
    }
}

/// The first request's redemption, when the same key raced in from another request.
async fn replay_after_race(state: &AppState, member: MemberId, key: Option<&str>) -> AppResult<Redemption> {
    let tx = state.db.begin().await?;
    let first =
        replay(&tx, member, key).await?.ok_or(AppError::conflict("idempotency_conflict", "Retry the request."))?;
    tx.rollback().await?;
    Ok(first)
}

async fn replay(tx: &Tx, member: MemberId, key: Option<&str>) -> AppResult<Option<Redemption>> {
    let Some(key) = key else { return Ok(None) };
    Ok(db::one(
        tx,
        &format!("{SELECT} WHERE r.member_id = $1 AND r.idempotency_key = $2"),
        params![member, key.to_string()],
    )
    .await?)
}

/// Marks a pending redemption fulfilled, with the code or note the member will see.
pub async fn fulfil(state: &AppState, actor: MemberId, id: Uuid, note: &str, ip: &str) -> AppResult<Redemption> {
    if note.chars().count() > 1000 {
        return Err(AppError::field("note", "Keep the note under 1,000 characters."));
    }
    let tx = state.db.begin().await?;
    let r = decide(&tx, id).await?;
    db::exec(
        &tx,
        "UPDATE redemptions SET status = 'fulfilled', outcome_note = $1, decided_by = $2, decided_at = $3 WHERE id = $4",
        params![note.trim(), actor, now(), id],
    )
    .await?;
    let message = if note.trim().is_empty() {
        format!("Your {} is on its way.", r.reward_name)
    } else {
        format!("Your {} is on its way.\n\n{}", r.reward_name, note.trim())
    };
    decided(state, tx, actor, &r, ip, "fulfilled", &message).await
}

/// Rejects a pending redemption: the points come back and the stock is released, each
/// by a new entry or update — nothing is erased.
pub async fn reject(state: &AppState, actor: MemberId, id: Uuid, note: &str, ip: &str) -> AppResult<Redemption> {
    if note.trim().is_empty() || note.chars().count() > 1000 {
        return Err(AppError::field("note", "Tell the member why, in under 1,000 characters."));
    }
    let tx = state.db.begin().await?;
    let r = decide(&tx, id).await?;
    ledger::lock_account(&tx, r.member_id).await?;
    let refund =
        ledger::post(&tx, &entry_about(id, r.member_id, r.cost, reasons::REFUND, "refund", &r.reward_name, actor))
            .await?;
    db::exec(&tx, "UPDATE rewards SET stock = stock + 1 WHERE id = $1 AND stock IS NOT NULL", params![r.reward_id])
        .await?;
    db::exec(
        &tx,
        "UPDATE redemptions SET status = 'rejected', outcome_note = $1, refund_entry_id = $2, decided_by = $3, decided_at = $4 WHERE id = $5",
        params![note.trim(), refund, actor, now(), id],
    )
    .await?;
    let message = format!(
        "We could not fulfil your {}: {}\n\nYour {} points have been returned.",
        r.reward_name,
        note.trim(),
        r.cost
    );
    decided(state, tx, actor, &r, ip, "rejected", &message).await
}

/// The end of a staff decision on redemption `r` (`step` is what became of it): it is
/// audited, the member is told, and the redemption is read back as it now stands.
async fn decided(
    state: &AppState,
    tx: Tx,
    actor: MemberId,
    r: &Redemption,
    ip: &str,
    step: &str,
    message: &str,
) -> AppResult<Redemption> {
    let action = format!("redemption_{step}");
    audit::record(&tx, Some(actor), &action, Some(r.member_id), Some(ip), serde_json::json!({ "redemption": r.id }))
        .await?;
    notify(state, &tx, r.member_id, r.id, step, message).await?;
    let out = get(&tx, r.id).await?;
    tx.commit().await?;
    Ok(out)
}

/// Locks a redemption that is still pending.
async fn decide(tx: &Tx, id: Uuid) -> AppResult<Redemption> {
    let locked: Option<String> =
        db::scalar(tx, &format!("SELECT status FROM redemptions WHERE id = $1{}", db::for_update(tx)), params![id])
            .await?;
    match locked.as_deref() {
        None => Err(AppError::NotFound),
        Some("pending") => get(tx, id).await,
        Some(_) => {
            Err(AppError::conflict("already_decided", "This redemption has already been fulfilled or rejected."))
        }
    }
}

async fn notify(state: &AppState, tx: &Tx, member: MemberId, id: Uuid, step: &str, message: &str) -> AppResult<()> {
    let Some(to) = contracts::members::directory(state)?.contact_email(tx.into(), member).await? else { return Ok(()) };
    let subject = match step {
        "requested" => "We received your reward request",
        "fulfilled" => "Your reward is on its way",
        _ => "About your reward request",
    };
    mail::queue(
        tx,
        &format!("redemption-{step}:{id}"),
        Email {
            to,
            subject: subject.into(),
            text: format!("Hello,\n\n{message}\n\nYour rewards: {}\n", state.config.url("/rewards/redemptions")),
            html: None,
            unsubscribe_url: None,
            attachments: vec![],
        },
    )
    .await?;
    Ok(())
}
