//! The newsletter slice (issue 18): the weekly Health Leader newsletter. Members choose
//! what they receive (the weekly issue, the monthly resources, topics of interest) on a
//! preferences page or through the API, and leave with one click from any issue
//! (RFC 8058, a signed link, no sign-in). Members who never verified their address
//! receive nothing.

mod api;
pub mod archive;
pub mod assembly;
pub mod bounces;
pub mod delivery;
mod demo;
mod desk;
mod editor;
pub mod issues;
pub mod preferences;
mod privacy;
pub mod render;
pub mod schedule;
mod settings;
mod web;

use std::sync::Arc;

use contracts::events::MemberDeleted;
use kernel::slice::Slice;

/// The newsletter slice's manifest.
pub fn slice() -> Slice {
    Slice::new("newsletter")
        .settings(settings::SETTINGS)
        .job::<delivery::SendIssue>()
        .console(70, "Newsletter", "/admin/newsletter", "Who receives the weekly newsletter, and who left it.")
        .routes(web::router)
        .routes(api::router)
        .routes(editor::router)
        .routes(archive::router)
        .openapi(<api::NewsletterApi as utoipa::OpenApi>::openapi)
        .demo(|state, people| Box::pin(demo::load(state, people)))
        .wire(|w| {
            w.consumer(kernel::outbox::on::<MemberDeleted>("newsletter-erasure", |tx, _, e| {
                Box::pin(privacy::erase(tx, e.member_id))
            }));
            w.exporter(Arc::new(privacy::NewsletterExport));
            w.provide(settings::DeliverySettings::parse(w.settings)?);
            w.provide::<Arc<dyn contracts::newsletter::NewsletterDesk>>(Arc::new(desk::Desk));
            w.provide::<Arc<dyn contracts::home::HomeNotices>>(Arc::new(desk::Notices));
            Ok(())
        })
}
