//! The surveys slice: insight surveys partners commission and members are paid to take.
//! Staff build a survey (sections, questions, skip logic), target it with the
//! opportunities' eligibility rules and fill it by quota per segment; members answer
//! once, after research consent, and earn an incentive; results are aggregates, and
//! partners see none that could point at a person.

mod api;
mod web;

use kernel::slice::Slice;

/// The surveys slice's manifest.
pub fn slice() -> Slice {
    Slice::new("surveys").routes(web::router).routes(api::router).openapi(<api::SurveysApi as utoipa::OpenApi>::openapi)
}
