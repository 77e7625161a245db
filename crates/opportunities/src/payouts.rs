//! Compensation: a payout per selected member of a paid opportunity, pending until
//! staff mark it paid (with the payment's reference and date) once the work is
//! approved. A payout in points is credited by the rewards slice from the `PayoutPaid`
//! event, once per payout. Finance gets every payout as CSV, and totals per partner
//! and month; each member's tax-form status is kept (the form itself never is).

use std::collections::HashMap;

use chrono::NaiveDate;
use contracts::opportunities::PayoutPaid;
use kernel::db::{self, Db, Tx};
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppError, AppResult, AppState, audit, outbox, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::history::{self, ApplicationRow};
use crate::model::{Pay, PayoutStatus, Status, TaxForm, money};

/// Opens the pending payout of a member just selected (none for unpaid work).
pub async fn open(tx: &Tx, app: &ApplicationRow, pay: &Pay) -> AppResult<()> {
    let (amount_cents, currency, points) = match pay {
        Pay::Money { amount_cents, currency } => (*amount_cents, currency.clone(), 0),
        Pay::Points { points } => (0, String::new(), *points),
        Pay::Unpaid => return Ok(()),
    };
    let t = now();
    db::exec(
        tx,
        "INSERT INTO payouts (id, application_id, opportunity_id, member_id, status, amount_cents, currency, points, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $8) ON CONFLICT (application_id) DO NOTHING",
        params![Uuid::now_v7(), app.id, app.opportunity_id, app.member_id, amount_cents, currency, points, t],
    )
    .await?;
    Ok(())
}

/// Cancels an application's pending payout (the member left or was declined).
pub async fn cancel_pending(tx: &Tx, application: Uuid) -> AppResult<()> {
    db::exec(
        tx,
        "UPDATE payouts SET status = 'cancelled', updated_at = $1 WHERE application_id = $2 AND status = 'pending'",
        params![now(), application],
    )
    .await?;
    Ok(())
}

const COLUMNS: &str = "y.id, y.application_id, y.opportunity_id, y.member_id, y.status, y.amount_cents, y.currency, \
    y.points, y.reference, y.paid_on";

#[derive(Debug, Clone, sea_orm::FromQueryResult)]
struct PayoutRow {
    id: Uuid,
    application_id: Uuid,
    opportunity_id: Uuid,
    member_id: MemberId,
    status: String,
    amount_cents: i64,
    currency: String,
    points: i64,
    reference: String,
    paid_on: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PayoutView {
    pub id: Uuid,
    pub application_id: Uuid,
    pub opportunity_id: Uuid,
    pub member_id: MemberId,
    pub status: PayoutStatus,
    /// "USD 250.00" or "500 points".
    pub amount: String,
    pub amount_cents: i64,
    pub currency: String,
    pub points: i64,
    pub reference: String,
    pub paid_on: Option<String>,
}

impl From<PayoutRow> for PayoutView {
    fn from(r: PayoutRow) -> Self {
        let amount = if r.points > 0 {
            Pay::Points { points: r.points }.describe()
        } else {
            format!("{} {}", r.currency, money(r.amount_cents))
        };
        PayoutView {
            id: r.id,
            application_id: r.application_id,
            opportunity_id: r.opportunity_id,
            member_id: r.member_id,
            status: PayoutStatus::parse(&r.status).unwrap_or(PayoutStatus::Cancelled),
            amount,
            amount_cents: r.amount_cents,
            currency: r.currency,
            points: r.points,
            reference: r.reference,
            paid_on: r.paid_on,
        }
    }
}

/// A payment made: its reference (a bank or payroll reference) and its date.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    pub reference: String,
    /// The day it was paid (2027-04-30); today when left out.
    #[serde(default)]
    pub paid_on: Option<String>,
}

/// Marks a payout paid (staff) once the work is approved; the application becomes
/// paid, the member is told, and points are credited through the outbox.
pub async fn mark_paid(state: &AppState, staff: MemberId, id: Uuid, p: &Payment, ip: &str) -> AppResult<PayoutView> {
    let reference = p.reference.trim().to_string();
    if !(1..=200).contains(&reference.chars().count()) {
        return Err(AppError::field("reference", "Give the payment's reference (up to 200 characters)."));
    }
    let paid_on = match p.paid_on.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => now().date_naive(),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| AppError::field("paid_on", "Give the day it was paid, like 2027-04-30."))?,
    };
    let found: Option<Uuid> = state.db.scalar("SELECT application_id FROM payouts WHERE id = $1", params![id]).await?;
    let tx = state.db.begin().await?;
    // The application first, as every other move takes it first: no two moves wait on each other.
    let app = history::lock(&tx, found.ok_or(AppError::NotFound)?).await?;
    let payout = load(&tx, id).await?;
    if payout.status != PayoutStatus::Pending.as_str() {
        return Err(AppError::conflict("not_pending", format!("This payout is {}.", payout.status)));
    }
    if app.status() != Status::Approved {
        return Err(AppError::conflict("not_approved", "Approve the work before marking it paid."));
    }
    let day = paid_on.format("%Y-%m-%d").to_string();
    db::exec(
        &tx,
        "UPDATE payouts SET status = 'paid', reference = $1, paid_on = $2, paid_by = $3, updated_at = $4 WHERE id = $5",
        params![reference.clone(), day.clone(), staff, now(), id],
    )
    .await?;
    history::record(&tx, &app, Status::Paid, "", Some(staff)).await?;
    let event = PayoutPaid {
        member_id: app.member_id,
        opportunity_id: app.opportunity_id,
        payout_id: id,
        opportunity_title: app.title.clone(),
        points: payout.points,
        amount_cents: payout.amount_cents,
        currency: payout.currency.clone(),
    };
    outbox::publish(&tx, Some(staff), &event).await?;
    let detail = serde_json::json!({ "payout": id, "reference": reference, "paid_on": day });
    audit::record(&tx, Some(staff), "payout_paid", Some(app.member_id), Some(ip), detail).await?;
    let done = load(&tx, id).await?;
    tx.commit().await?;
    Ok(done.into())
}

async fn load(tx: &Tx, id: Uuid) -> AppResult<PayoutRow> {
    db::one(tx, &format!("SELECT {COLUMNS} FROM payouts y WHERE y.id = $1"), params![id])
        .await?
        .ok_or(AppError::NotFound)
}

/// The payout of each application that has one, in one query.
pub async fn of_applications(db: &Db, ids: &[Uuid]) -> AppResult<HashMap<Uuid, PayoutView>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!("SELECT {COLUMNS} FROM payouts y WHERE y.application_id IN ({})", db::placeholders(1, ids.len()));
    let rows: Vec<PayoutRow> = db.all(&sql, ids.iter().map(|i| sea_orm::Value::from(*i)).collect()).await?;
    Ok(rows.into_iter().map(|r| (r.application_id, r.into())).collect())
}

/// Records whether the team holds a member's tax form (staff). Audited.
pub async fn set_tax_form(
    state: &AppState,
    staff: MemberId,
    member: MemberId,
    status: TaxForm,
    ip: &str,
) -> AppResult<()> {
    if !contracts::members::directory(state)?.exists((&state.db).into(), member).await? {
        return Err(AppError::NotFound);
    }
    let tx = state.db.begin().await?;
    db::exec(
        &tx,
        "INSERT INTO tax_forms (member_id, status, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (member_id) DO UPDATE SET status = excluded.status, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        params![member, status.as_str(), staff, now()],
    )
    .await?;
    let detail = serde_json::json!({ "status": status.as_str() });
    audit::record(&tx, Some(staff), "tax_form_status", Some(member), Some(ip), detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Each member's tax-form status (missing when never recorded), in one query.
pub async fn tax_forms(db: &Db, members: &[MemberId]) -> AppResult<HashMap<MemberId, TaxForm>> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        member_id: MemberId,
        status: String,
    }
    if members.is_empty() {
        return Ok(HashMap::new());
    }
    let sql =
        format!("SELECT member_id, status FROM tax_forms WHERE member_id IN ({})", db::placeholders(1, members.len()));
    let rows: Vec<Row> = db.all(&sql, members.iter().map(|m| sea_orm::Value::from(*m)).collect()).await?;
    Ok(rows.into_iter().filter_map(|r| TaxForm::parse(&r.status).map(|s| (r.member_id, s))).collect())
}
