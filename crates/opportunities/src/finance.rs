//! What finance needs: every payout with who, what for and its tax-form status (as CSV,
//! safe to open in a spreadsheet), and what was paid per partner and per month.

use kernel::csv;
use kernel::ids::MemberId;
use kernel::{AppResult, AppState, params};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model::{TaxForm, money};
use crate::payouts;

/// One payout, for finance.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FinanceRow {
    pub payout_id: Uuid,
    pub status: String,
    pub paid_on: Option<String>,
    pub member_id: MemberId,
    pub member_name: String,
    pub partner: String,
    pub opportunity: String,
    pub amount_cents: i64,
    pub currency: String,
    pub points: i64,
    pub reference: String,
    pub tax_form: TaxForm,
}

#[derive(sea_orm::FromQueryResult)]
struct Row {
    id: Uuid,
    status: String,
    paid_on: Option<String>,
    member_id: MemberId,
    partner: String,
    opportunity: String,
    amount_cents: i64,
    currency: String,
    points: i64,
    reference: String,
}

/// Payouts that are pending or paid, the latest paid first, then pending by age.
pub async fn rows(state: &AppState, limit: u64) -> AppResult<Vec<FinanceRow>> {
    let found: Vec<Row> = state
        .db
        .all(
            "SELECT y.id, y.status, y.paid_on, y.member_id, p.name AS partner, o.title AS opportunity, y.amount_cents, \
             y.currency, y.points, y.reference FROM payouts y JOIN opportunities o ON o.id = y.opportunity_id \
             JOIN partners p ON p.id = o.partner_id WHERE y.status IN ('pending', 'paid') \
             ORDER BY CASE WHEN y.status = 'paid' THEN 0 ELSE 1 END, y.paid_on DESC, y.created_at, y.id LIMIT $1",
            params![limit as i64],
        )
        .await?;
    let members: Vec<MemberId> = found.iter().map(|r| r.member_id).collect();
    let names = contracts::members::directory(state)?.display_names((&state.db).into(), &members).await?;
    let forms = payouts::tax_forms(&state.db, &members).await?;
    Ok(found
        .into_iter()
        .map(|r| FinanceRow {
            payout_id: r.id,
            member_name: names.get(&r.member_id).cloned().unwrap_or_default(),
            tax_form: forms.get(&r.member_id).copied().unwrap_or(TaxForm::Missing),
            status: r.status,
            paid_on: r.paid_on,
            member_id: r.member_id,
            partner: r.partner,
            opportunity: r.opportunity,
            amount_cents: r.amount_cents,
            currency: r.currency,
            points: r.points,
            reference: r.reference,
        })
        .collect())
}

/// Every pending and paid payout as CSV, one line each; text cells are quoted and
/// defused against spreadsheet formulas.
pub async fn csv(state: &AppState) -> AppResult<String> {
    let mut out = csv::line(
        &[
            "payout_id",
            "status",
            "paid_on",
            "member_id",
            "member",
            "partner",
            "opportunity",
            "amount",
            "currency",
            "points",
            "reference",
            "tax_form",
        ]
        .map(String::from),
    );
    for r in rows(state, 100_000).await? {
        let amount = if r.currency.is_empty() { String::new() } else { money(r.amount_cents).replace(',', "") };
        out.push_str(&csv::line(&[
            r.payout_id.to_string(),
            r.status,
            r.paid_on.unwrap_or_default(),
            r.member_id.to_string(),
            csv::field(&r.member_name),
            csv::field(&r.partner),
            csv::field(&r.opportunity),
            amount,
            r.currency,
            r.points.to_string(),
            csv::field(&r.reference),
            r.tax_form.as_str().to_string(),
        ]));
    }
    Ok(out)
}

/// What was paid to members for one partner's work in one month, in one currency.
#[derive(Debug, Clone, Serialize, ToSchema, sea_orm::FromQueryResult)]
pub struct Total {
    pub partner: String,
    /// 2027-04
    pub month: String,
    /// Empty for points.
    pub currency: String,
    pub amount_cents: i64,
    pub points: i64,
    pub payouts: i64,
}

/// Paid totals per partner, month and currency, the latest month first.
pub async fn totals(state: &AppState) -> AppResult<Vec<Total>> {
    Ok(state
        .db
        .all(
            "SELECT p.name AS partner, SUBSTR(y.paid_on, 1, 7) AS month, y.currency, \
             CAST(SUM(y.amount_cents) AS BIGINT) AS amount_cents, CAST(SUM(y.points) AS BIGINT) AS points, \
             CAST(COUNT(*) AS BIGINT) AS payouts \
             FROM payouts y JOIN opportunities o ON o.id = y.opportunity_id JOIN partners p ON p.id = o.partner_id \
             WHERE y.status = 'paid' GROUP BY p.name, SUBSTR(y.paid_on, 1, 7), y.currency \
             ORDER BY month DESC, partner, y.currency",
            params![],
        )
        .await?)
}
