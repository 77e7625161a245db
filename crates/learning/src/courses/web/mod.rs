//! The courses' pages, all plain HTML forms that work without JavaScript: members'
//! pages (`member.rs`) and the staff course builder (`staff.rs`).

mod member;
mod staff;

use axum::Router;
use axum::routing::{get, post};
use kernel::AppState;

/// The form helpers every slice shares (fields in order, repeated names included).
pub(crate) use kernel::http::{form_pairs, form_value};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/courses", get(member::list_page))
        .route("/courses/credentials", get(member::credentials_page))
        .route("/courses/credentials/{code}", post(member::credential_submit))
        .route("/courses/{id}", get(member::course_page))
        .route("/courses/{id}/enrol", post(member::enrol_submit))
        .route("/courses/{id}/withdraw", post(member::withdraw_submit))
        .route("/lessons/{id}", get(member::lesson_page))
        .route("/lessons/{id}/complete", post(member::lesson_complete_submit))
        .route("/quizzes/{id}", get(member::quiz_page).post(member::quiz_submit))
        .route("/certificates/{code}", get(member::certificate_page))
        .route("/admin/courses", get(staff::admin_page).post(staff::create_submit))
        .route("/admin/courses/{id}", get(staff::edit_page).post(staff::details_submit))
        .route("/admin/courses/{id}/status", post(staff::status_submit))
        .route("/admin/courses/{id}/modules", post(staff::module_submit))
        .route("/admin/courses/{id}/lessons", post(staff::lesson_submit))
        .route("/admin/courses/{id}/quiz", post(staff::quiz_submit))
        .route("/admin/courses/{id}/questions", post(staff::question_submit))
        .route("/admin/questions/{id}/delete", post(staff::question_delete))
        .route("/admin/lessons/{id}", get(staff::lesson_edit_page).post(staff::lesson_edit_submit))
        .route("/admin/lessons/{id}/move", post(staff::lesson_move))
}
