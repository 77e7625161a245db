//! The surveys' pages, plain HTML forms that work without JavaScript: members' surveys,
//! research consent and taking a survey page by page (`member.rs`); the staff builder,
//! preview, publish, copy and import (`staff.rs`, `builder.rs`); results with charts
//! for staff and, suppressed, for partners (`results.rs`).

mod builder;
mod member;
mod results;
mod staff;

use axum::Router;
use axum::routing::{get, post};
use kernel::AppState;

/// The form helpers every slice shares (fields in order, repeated names included).
pub(crate) use kernel::http::{form_pairs, form_value, form_values};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/surveys", get(member::list_page))
        .route("/surveys/consent", get(member::consent_page).post(member::consent_submit))
        .route("/surveys/{id}", get(member::survey_page).post(member::survey_submit))
        .route("/surveys/{id}/consent", post(member::survey_consent_submit))
        .route("/admin/surveys", get(staff::desk_page))
        .route("/admin/surveys/new", get(staff::new_page).post(staff::new_submit))
        .route("/admin/surveys/{id}", get(staff::survey_page))
        .route("/admin/surveys/{id}/edit", get(staff::edit_page).post(staff::edit_submit))
        .route("/admin/surveys/{id}/publish", post(staff::publish_submit))
        .route("/admin/surveys/{id}/copy", post(staff::copy_submit))
        .route("/admin/surveys/{id}/import", post(staff::import_submit))
        .route("/admin/surveys/{id}/results", get(results::staff_page))
        .route("/admin/surveys/{id}/quotes", get(results::quotes_page).post(results::quote_submit))
        .route("/partner/surveys", get(results::partner_list_page))
        .route("/partner/surveys/{id}", get(results::partner_page))
}
