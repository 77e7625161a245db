//! The opportunities' pages, all plain HTML forms that work without JavaScript: the
//! members' board, an opportunity with its apply form and "my applications"
//! (`member.rs`); the staff desk to post, screen, review and pay (`staff.rs`,
//! `screening.rs`); and a partner's figures (`partner.rs`).

mod member;
mod partner;
mod screening;
mod staff;

use axum::Router;
use axum::routing::{get, post};
use kernel::AppState;

/// The form helpers every slice shares (fields in order, repeated names included).
pub(crate) use kernel::http::{form_pairs, form_value, form_values};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/opportunities", get(member::board_page))
        .route("/opportunities/mine", get(member::mine_page))
        .route("/opportunities/{id}", get(member::opportunity_page))
        .route("/opportunities/{id}/apply", post(member::apply_submit))
        .route("/applications/{id}/withdraw", post(member::withdraw_submit))
        .route("/applications/{id}/deliverables", post(member::deliver_submit))
        .route("/admin/opportunities", get(staff::desk_page))
        .route("/admin/opportunities/new", get(staff::new_page).post(staff::new_submit))
        .route("/admin/opportunities/partners", post(staff::partner_submit))
        .route("/admin/opportunities/payouts", get(screening::payouts_page))
        .route("/admin/opportunities/payouts.csv", get(screening::payouts_csv))
        .route("/admin/opportunities/{id}", get(screening::screen_page))
        .route("/admin/opportunities/{id}/bulk", post(screening::bulk_submit))
        .route("/admin/opportunities/{id}/close", post(screening::close_submit))
        .route("/admin/applications/{id}/status", post(screening::status_submit))
        .route("/admin/deliverables/{id}/override", post(screening::override_submit))
        .route("/admin/payouts/{id}/paid", post(screening::paid_submit))
        .route("/admin/tax-forms/{member}", post(screening::tax_form_submit))
        .route("/partner", get(partner::partner_page))
}

/// A moment as people read it on these pages (UTC).
pub(crate) fn when(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%-d %B %Y, %H:%M UTC").to_string()
}
