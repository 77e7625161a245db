//! Staff screening: moving applications along (shortlist, select, start, approve,
//! decline), one at a time or many with one message, and the list of applicants with
//! why each is or is not eligible. Selections never pass the opportunity's seats, however
//! many staff select at once.

use contracts::opportunities::{DeliverableApproved, MemberSelected};
use kernel::db::{self, Tx};
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppError, AppResult, AppState, audit, outbox, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::board::condition_names;
use crate::catalogue::{self, OpportunityRow};
use crate::history::{self, ApplicationRow, Change};
use crate::model::Status;
use crate::policy::Candidate;
use crate::{credentials, deliverables, payouts, policy};

/// A move staff make: the new status and a message for the member (optional).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// shortlisted, selected, in_progress, approved or declined.
    pub status: String,
    #[serde(default)]
    pub message: String,
}

fn checked(change: &StatusChange) -> AppResult<(Status, String)> {
    let to = Status::parse(change.status.trim())
        .ok_or_else(|| AppError::field("status", "Choose shortlisted, selected, in_progress, approved or declined."))?;
    let message = change.message.trim().to_string();
    if message.chars().count() > 2000 {
        return Err(AppError::field("message", "Keep the message under 2,000 characters."));
    }
    Ok((to, message))
}

/// Moves one application (staff). Selecting takes a seat (409 `no_seats` when none is
/// left) and opens a pending payout; approving needs the latest deliverable to pass the
/// disclosure check or carry an override; declining cancels a pending payout.
pub async fn set_status(
    state: &AppState,
    staff: MemberId,
    id: Uuid,
    change: &StatusChange,
    ip: &str,
) -> AppResult<ApplicationRow> {
    let (to, message) = checked(change)?;
    let tx = state.db.begin().await?;
    let app = history::lock(&tx, id).await?;
    let from = app.status();
    if !from.staff_may_move_to(to) {
        return Err(AppError::conflict(
            "invalid_transition",
            format!(
                "An application that is {} cannot become {}.",
                from.label().to_lowercase(),
                to.label().to_lowercase()
            ),
        ));
    }
    match to {
        Status::Selected => select(&tx, &app, staff).await?,
        Status::Approved => approve(&tx, &app, staff).await?,
        Status::Declined => payouts::cancel_pending(&tx, app.id).await?,
        _ => {}
    }
    history::record(&tx, &app, to, &message, Some(staff)).await?;
    let detail = serde_json::json!({ "application": id, "from": from.as_str(), "to": to.as_str() });
    audit::record(&tx, Some(staff), "application_status_changed", Some(app.member_id), Some(ip), detail).await?;
    tx.commit().await?;
    history::load(state.db.writer(), id).await
}

/// Takes a seat: the opportunity's row lock makes counting and taking one step.
async fn select(tx: &Tx, app: &ApplicationRow, staff: MemberId) -> AppResult<()> {
    let seats: Option<i64> = db::scalar(
        tx,
        &format!("SELECT seats FROM opportunities WHERE id = $1{}", db::for_update(tx)),
        params![app.opportunity_id],
    )
    .await?;
    let seats = seats.ok_or(AppError::NotFound)?;
    let taken = catalogue::seats_taken(tx, &[app.opportunity_id]).await?.get(&app.opportunity_id).copied().unwrap_or(0);
    if taken >= seats {
        return Err(AppError::conflict("no_seats", format!("All {seats} seats are taken.")));
    }
    let row = catalogue::load(tx, app.opportunity_id).await?;
    payouts::open(tx, app, &row.pay()).await?;
    let event = MemberSelected { member_id: app.member_id, opportunity_id: app.opportunity_id, application_id: app.id };
    outbox::publish(tx, Some(staff), &event).await?;
    Ok(())
}

/// Approves the latest deliverable, which must pass the disclosure check or carry an override.
async fn approve(tx: &Tx, app: &ApplicationRow, staff: MemberId) -> AppResult<()> {
    let latest = deliverables::latest(tx, app.id)
        .await?
        .ok_or_else(|| AppError::conflict("no_deliverable", "Nothing has been handed in for this application yet."))?;
    if !latest.passes() {
        return Err(AppError::conflict(
            "disclosure_missing",
            "The latest deliverable fails the disclosure check; ask for a fix or record an override first.",
        ));
    }
    db::exec(
        tx,
        "UPDATE deliverables SET approved_by = $1, approved_at = $2 WHERE id = $3",
        params![staff, now(), latest.id],
    )
    .await?;
    let event = DeliverableApproved {
        member_id: app.member_id,
        opportunity_id: app.opportunity_id,
        application_id: app.id,
        deliverable_id: latest.id,
    };
    outbox::publish(tx, Some(staff), &event).await?;
    Ok(())
}

/// What happened to each application of a bulk move.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct BulkResult {
    pub changed: Vec<Uuid>,
    pub skipped: Vec<Skipped>,
}

/// An application a bulk move left as it was, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Skipped {
    pub id: Uuid,
    pub reason: String,
}

/// Moves many applications of one opportunity with one message (staff), each in its
/// own transaction: one that cannot move is skipped with the reason, the rest move.
pub async fn bulk(
    state: &AppState,
    staff: MemberId,
    opportunity: Uuid,
    ids: &[Uuid],
    change: &StatusChange,
    ip: &str,
) -> AppResult<BulkResult> {
    checked(change)?;
    if ids.is_empty() {
        return Err(AppError::field("applications", "Choose one or more applications."));
    }
    let mut out = BulkResult::default();
    for id in ids {
        let belongs = history::load(state.db.reader(), *id).await.is_ok_and(|a| a.opportunity_id == opportunity);
        if !belongs {
            out.skipped.push(Skipped { id: *id, reason: "not an application to this opportunity".into() });
            continue;
        }
        match set_status(state, staff, *id, change, ip).await {
            Ok(_) => out.changed.push(*id),
            Err(AppError::Conflict { message, .. }) => out.skipped.push(Skipped { id: *id, reason: message }),
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// One applicant as staff see them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Applicant {
    pub id: Uuid,
    pub member_id: MemberId,
    pub display_name: String,
    pub status: Status,
    pub status_label: String,
    pub answers: Vec<String>,
    pub channels: Vec<String>,
    /// Whether the member meets the opportunity's requirements now, and why not.
    pub eligible: bool,
    pub reasons: Vec<String>,
    pub history: Vec<Change>,
    pub deliverables: Vec<deliverables::DeliverableView>,
    pub payout: Option<payouts::PayoutView>,
    pub applied_at: chrono::DateTime<chrono::Utc>,
}

/// Everyone who applied to `opportunity`, with answers (which may be health
/// information: staff only, and each read audited) and eligibility.
pub async fn applicants(
    state: &AppState,
    staff: MemberId,
    opportunity: &OpportunityRow,
    ip: &str,
) -> AppResult<Vec<Applicant>> {
    let rows = history::of_opportunity(&state.db, opportunity.id).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let members: Vec<MemberId> = rows.iter().map(|r| r.member_id).collect();
    let people = contracts::members::directory(state)?;
    let names = people.display_names((&state.db).into(), &members).await?;
    let mut profiles = people.match_profiles((&state.db).into(), &members).await?;
    let mut held = credentials::held(state.db.reader(), &members).await?;
    let rules = catalogue::rules_of(state.db.reader(), opportunity).await?;
    let condition_names = condition_names(state).await?;
    let mut changes = history::of(state, &ids, None).await?;
    let mut delivered = deliverables::of_applications(&state.db, &ids).await?;
    let mut payouts = payouts::of_applications(&state.db, &ids).await?;
    let detail = serde_json::json!({ "opportunity": opportunity.id });
    audit::record(state.db.writer(), Some(staff), "staff_viewed_applications", None, Some(ip), detail).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let profile = profiles.remove(&r.member_id).unwrap_or_default();
            let candidate = Candidate { profile, credentials: held.remove(&r.member_id).unwrap_or_default() };
            let reasons = policy::reasons(&rules, &candidate, &condition_names);
            let status = r.status();
            Applicant {
                display_name: names.get(&r.member_id).cloned().unwrap_or_default(),
                status_label: status.label().to_string(),
                status,
                answers: r.answer_list(),
                channels: r.channel_list(),
                eligible: reasons.is_empty(),
                reasons,
                history: changes.remove(&r.id).unwrap_or_default(),
                deliverables: delivered.remove(&r.id).unwrap_or_default(),
                payout: payouts.remove(&r.id),
                applied_at: r.created_at,
                id: r.id,
                member_id: r.member_id,
            }
        })
        .collect())
}

/// Why `member` is or is not eligible for `opportunity`, for staff: each requirement,
/// and the reasons for those not met.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Eligibility {
    pub member_id: MemberId,
    pub eligible: bool,
    pub requirements: Vec<String>,
    pub reasons: Vec<String>,
}

pub async fn eligibility(state: &AppState, opportunity: &OpportunityRow, member: MemberId) -> AppResult<Eligibility> {
    let people = contracts::members::directory(state)?;
    let profile =
        people.match_profiles((&state.db).into(), &[member]).await?.remove(&member).ok_or(AppError::NotFound)?;
    let credentials = credentials::held(state.db.reader(), &[member]).await?.remove(&member).unwrap_or_default();
    let candidate = Candidate { profile, credentials };
    let rules = catalogue::rules_of(state.db.reader(), opportunity).await?;
    let names = condition_names(state).await?;
    let reasons = policy::reasons(&rules, &candidate, &names);
    Ok(Eligibility {
        member_id: member,
        eligible: reasons.is_empty(),
        requirements: policy::requirements(&rules, &names),
        reasons,
    })
}
