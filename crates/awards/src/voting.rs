//! Public voting: one vote per signed-in member per category (the primary key decides,
//! so racing requests count one), for a finalist, while the programme is in its voting
//! phase, in categories whose result counts the vote. Signed-in members are e-mail
//! verified by construction (an unverified account has no session or token), so no
//! separate check is needed here. Counts are shown to staff only. Staff see fraud
//! signals and void votes with a reason (audited); a voided vote counts for nothing
//! and its member may not vote again in that category.

use chrono::Duration;
use kernel::db;
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppError, AppResult, AppState, audit, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model::Phase;
use crate::nominees;

#[derive(Debug, Serialize, ToSchema)]
pub struct Voted {
    pub nominee_id: Uuid,
    pub category_id: Uuid,
}

/// `member` votes for finalist `id`: 404 unless a finalist; 409 `phase_closed`,
/// `no_public_vote` or `already_voted`.
pub async fn vote(state: &AppState, member: MemberId, id: Uuid, ip: &str) -> AppResult<Voted> {
    let n = nominees::public(state.db.reader(), id).await?;
    if !n.finalist {
        return Err(AppError::NotFound);
    }
    if n.phase() != Phase::Voting {
        return Err(AppError::conflict("phase_closed", "Voting is not open."));
    }
    let weight: Option<i64> = db::scalar(
        state.db.reader(),
        "SELECT vote_weight_percent FROM award_categories WHERE id = $1",
        params![n.category_id],
    )
    .await?;
    if weight.unwrap_or(0) == 0 {
        return Err(AppError::conflict("no_public_vote", "This category has no public vote."));
    }
    let tx = state.db.begin().await?;
    let added = db::exec(
        &tx,
        "INSERT INTO award_votes (category_id, member_id, nominee_id, ip, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (category_id, member_id) DO NOTHING",
        params![n.category_id, member, id, ip.chars().take(64).collect::<String>(), now()],
    )
    .await?;
    if added == 0 {
        return Err(AppError::conflict("already_voted", "You have already voted in this category."));
    }
    tx.commit().await?;
    Ok(Voted { nominee_id: id, category_id: n.category_id })
}

#[derive(Debug, Serialize, ToSchema, sea_orm::FromQueryResult)]
pub struct AddressSignal {
    /// The address many votes came from.
    pub ip: String,
    pub category_id: Uuid,
    pub votes: i64,
}

#[derive(Debug, Serialize, ToSchema, sea_orm::FromQueryResult)]
pub struct NewAccountVote {
    pub member_id: MemberId,
    pub category_id: Uuid,
    pub nominee_id: Uuid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Signals {
    /// Categories where five or more counted votes came from one address.
    pub shared_addresses: Vec<AddressSignal>,
    /// Counted votes from accounts that joined less than a day before voting.
    pub new_accounts: Vec<NewAccountVote>,
}

/// Fraud signals over the counted votes of programme `year` (staff).
pub async fn signals(state: &AppState, year: i64) -> AppResult<Signals> {
    let p = crate::programmes::by_year(state.db.reader(), year).await?;
    let c = state.db.reader();
    let shared_addresses = db::all(
        c,
        "SELECT v.ip, v.category_id, CAST(COUNT(*) AS BIGINT) AS votes FROM award_votes v \
         JOIN award_categories c ON c.id = v.category_id WHERE c.programme_id = $1 AND v.voided_at IS NULL AND v.ip <> '' \
         GROUP BY v.ip, v.category_id HAVING COUNT(*) >= 5 ORDER BY votes DESC LIMIT 200",
        params![p.id],
    )
    .await?;
    let votes: Vec<(NewAccountVote, chrono::DateTime<chrono::Utc>)> = db::all::<VoteRow, _>(
        c,
        "SELECT v.member_id, v.category_id, v.nominee_id, v.created_at FROM award_votes v \
         JOIN award_categories c ON c.id = v.category_id WHERE c.programme_id = $1 AND v.voided_at IS NULL \
         ORDER BY v.created_at DESC LIMIT 5000",
        params![p.id],
    )
    .await?
    .into_iter()
    .map(|r| {
        (NewAccountVote { member_id: r.member_id, category_id: r.category_id, nominee_id: r.nominee_id }, r.created_at)
    })
    .collect();
    let dir = contracts::members::directory(state)?;
    let mut new_accounts = Vec::new();
    for (v, at) in votes {
        let joined = dir.joined_at(c.into(), v.member_id).await?;
        if joined.is_some_and(|j| at - j < Duration::days(1)) {
            new_accounts.push(v);
        }
    }
    Ok(Signals { shared_addresses, new_accounts })
}

#[derive(Debug, sea_orm::FromQueryResult)]
struct VoteRow {
    member_id: MemberId,
    category_id: Uuid,
    nominee_id: Uuid,
    created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidVote {
    pub member_id: MemberId,
    pub category_id: Uuid,
    /// Why, 1 to 500 characters.
    pub reason: String,
}

/// Voids a counted vote of programme `year` (staff, audited); 404 without one.
pub async fn void(state: &AppState, actor: MemberId, year: i64, v: &VoidVote, ip: &str) -> AppResult<()> {
    let reason = v.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::field("reason", "Give a reason, at most 500 characters."));
    }
    let p = crate::programmes::by_year(state.db.reader(), year).await?;
    let tx = state.db.begin().await?;
    let voided = db::exec(
        &tx,
        "UPDATE award_votes SET voided_at = $1, void_reason = $2 WHERE category_id = $3 AND member_id = $4 \
         AND voided_at IS NULL AND category_id IN (SELECT id FROM award_categories WHERE programme_id = $5)",
        params![now(), reason.to_string(), v.category_id, v.member_id, p.id],
    )
    .await?;
    if voided == 0 {
        return Err(AppError::NotFound);
    }
    let detail = serde_json::json!({"year": year, "category": v.category_id, "reason": reason});
    audit::record(&tx, Some(actor), "award_vote_voided", Some(v.member_id), Some(ip), detail).await?;
    tx.commit().await?;
    Ok(())
}
