//! The moments slice (issue 21): support at the right moment. Members say which moments
//! of a health journey they are in now and have been through (each optionally tied to
//! one of their conditions, each stage with its own visibility); a "been there"
//! directory finds people who have been through the same moment and offer support; a
//! member asks for support and the first of a few matching volunteers to accept opens a
//! conversation; content carries moments, and the home page shows what fits a member's.

mod analytics;
mod api;
mod been_there;
mod demo;
mod marks;
mod model;
pub mod policy;
mod ports;
mod privacy;
mod settings;
mod support;
mod tags;
mod web;

use std::sync::Arc;

use contracts::events::MemberDeleted;
use kernel::slice::Slice;

/// The moments slice's manifest.
pub fn slice() -> Slice {
    Slice::new("moments")
        .settings(settings::SETTINGS)
        .nav(25, "Moments", "/moments")
        .console(
            75,
            "Moments on content",
            "/admin/moments",
            "Tag resources, courses, discussions and events with moments.",
        )
        .routes(web::router)
        .routes(api::router)
        .openapi(<api::MomentsApi as utoipa::OpenApi>::openapi)
        .job::<support::CheckIn>()
        .demo(|state, people| Box::pin(demo::load(state, people)))
        .wire(|w| {
            w.provide(settings::MomentSettings::parse(w.settings)?);
            w.provide::<Arc<dyn contracts::moments::MomentHome>>(Arc::new(ports::Home));
            w.provide::<Arc<dyn contracts::moments::MomentTagging>>(Arc::new(ports::Tagging));
            w.consumer(kernel::outbox::on::<MemberDeleted>("moments-erasure", |tx, _, e| {
                Box::pin(privacy::erase(tx, e.member_id))
            }));
            w.exporter(Arc::new(privacy::MomentsExport));
            w.figures(Arc::new(analytics::section()));
            Ok(())
        })
}
