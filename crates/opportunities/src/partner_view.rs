//! What a partner's contact people see: their own opportunities' figures, as counts and
//! totals only — never a member's name, profile or answer — and a figure that covers
//! fewer members than the smallest cell (a setting, 5 by default) shown only as "fewer
//! than 5", so no one member can be singled out.

use kernel::ids::MemberId;
use kernel::{AppError, AppResult, AppState, params};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model::{Pay, kind_label, money, thousands};
use crate::partners::{self, Partner};
use crate::settings::OpportunitySettings;

/// A count a partner may see: the number, or `None` when it is below the smallest cell
/// (and above zero).
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Cell {
    pub value: Option<i64>,
}

impl Cell {
    fn of(n: i64, k: i64) -> Cell {
        Cell { value: (n == 0 || n >= k).then_some(n) }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpportunityFigures {
    pub id: Uuid,
    pub title: String,
    pub kind_label: String,
    pub seats: i64,
    pub applications: Cell,
    pub selected: Cell,
    pub approved_work: Cell,
    pub paid: Cell,
    /// What was paid, in words; absent when fewer members than the smallest cell were paid.
    pub paid_total: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartnerFigures {
    pub partner: Partner,
    /// The smallest group a figure may describe.
    pub min_cell: i64,
    pub opportunities: Vec<OpportunityFigures>,
}

#[derive(sea_orm::FromQueryResult)]
struct Row {
    id: Uuid,
    title: String,
    kind: String,
    seats: i64,
    compensation: String,
    currency: String,
    applications: i64,
    selected: i64,
    approved_work: i64,
    paid: i64,
    paid_cents: i64,
    paid_points: i64,
}

/// The figures of every partner `member` is a contact person of (404 when none).
pub async fn figures(state: &AppState, member: MemberId) -> AppResult<Vec<PartnerFigures>> {
    let mine = partners::of_contact(&state.db, member).await?;
    if mine.is_empty() {
        return Err(AppError::NotFound);
    }
    let k = OpportunitySettings::of(state)?.partner_min_cell;
    let mut out = Vec::with_capacity(mine.len());
    for partner in mine {
        let rows: Vec<Row> = state
            .db
            .all(
                "SELECT o.id, o.title, o.kind, o.seats, o.compensation, o.currency, \
                 (SELECT CAST(COUNT(*) AS BIGINT) FROM applications a WHERE a.opportunity_id = o.id) AS applications, \
                 (SELECT CAST(COUNT(*) AS BIGINT) FROM applications a WHERE a.opportunity_id = o.id \
                    AND a.status IN ('selected', 'in_progress', 'submitted', 'approved', 'paid')) AS selected, \
                 (SELECT CAST(COUNT(*) AS BIGINT) FROM applications a WHERE a.opportunity_id = o.id AND a.status IN ('approved', 'paid')) AS approved_work, \
                 (SELECT CAST(COUNT(*) AS BIGINT) FROM payouts y WHERE y.opportunity_id = o.id AND y.status = 'paid') AS paid, \
                 (SELECT CAST(COALESCE(SUM(y.amount_cents), 0) AS BIGINT) FROM payouts y WHERE y.opportunity_id = o.id AND y.status = 'paid') AS paid_cents, \
                 (SELECT CAST(COALESCE(SUM(y.points), 0) AS BIGINT) FROM payouts y WHERE y.opportunity_id = o.id AND y.status = 'paid') AS paid_points \
                 FROM opportunities o WHERE o.partner_id = $1 ORDER BY o.apply_by DESC, o.id DESC",
                params![partner.id],
            )
            .await?;
        let opportunities = rows.into_iter().map(|r| figures_of(r, k)).collect();
        out.push(PartnerFigures { partner, min_cell: k, opportunities });
    }
    Ok(out)
}

fn figures_of(r: Row, k: i64) -> OpportunityFigures {
    let paid_total = (r.paid >= k).then(|| match Pay::from_columns(&r.compensation, 0, &r.currency, 0) {
        Pay::Money { currency, .. } => format!("{currency} {}", money(r.paid_cents)),
        Pay::Points { .. } => format!("{} points", thousands(r.paid_points)),
        Pay::Unpaid => "Unpaid".to_string(),
    });
    OpportunityFigures {
        id: r.id,
        kind_label: kind_label(&r.kind).to_string(),
        title: r.title,
        seats: r.seats,
        applications: Cell::of(r.applications, k),
        selected: Cell::of(r.selected, k),
        approved_work: Cell::of(r.approved_work, k),
        paid: Cell::of(r.paid, k),
        paid_total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_cells_are_suppressed_but_none_and_enough_are_shown() {
        assert_eq!(Cell::of(0, 5).value, Some(0));
        assert_eq!(Cell::of(1, 5).value, None);
        assert_eq!(Cell::of(4, 5).value, None);
        assert_eq!(Cell::of(5, 5).value, Some(5));
    }
}
