//! The surveys slice: insight surveys partners commission and members are paid to take.
//! Staff build a survey (sections, questions, skip logic), target it with the
//! opportunities' eligibility rules and fill it by quota per segment; members answer
//! once, after research consent, and earn an incentive; results are aggregates, and
//! partners see none that could point at a person.

mod access;
mod answers;
mod api;
mod building;
mod consent;
mod csv;
mod demo;
mod drafts;
mod import;
mod model;
mod offering;
mod partner;
pub mod policy;
mod privacy;
mod quotes;
mod results;
mod settings;
mod store;
mod suppression;
mod taking;
mod view;
mod web;

use std::sync::Arc;

use contracts::events::MemberDeleted;
use kernel::slice::Slice;

/// The surveys slice's manifest.
pub fn slice() -> Slice {
    Slice::new("surveys")
        .settings(settings::SETTINGS)
        .nav(37, "Surveys", "/surveys")
        .console(
            37,
            "Insight surveys",
            "/admin/surveys",
            "Build and publish surveys, import past research, read results, approve quotes.",
        )
        .demo(|state, people| Box::pin(demo::load(state, people)))
        .routes(web::router)
        .routes(api::router)
        .openapi(<api::SurveysApi as utoipa::OpenApi>::openapi)
        .wire(|w| {
            w.provide(settings::SurveySettings::parse(w.settings)?);
            w.consumer(kernel::outbox::on::<MemberDeleted>("surveys-erasure", |tx, _, e| {
                Box::pin(privacy::erase(tx, e.member_id))
            }));
            w.exporter(Arc::new(privacy::SurveysExport));
            Ok(())
        })
}
