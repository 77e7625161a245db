//! The opportunities slice: paid work for Health Leaders — social media campaigns,
//! speaking engagements, article features, panel seats, advisory boards. Partners
//! sponsor opportunities; members see those they are eligible for (and why not, for the
//! others), apply, are screened and selected within the seats, hand in their posts
//! (checked for the FTC disclosure), and are paid — in money recorded for finance, or
//! in points credited through the rewards ledger by the outbox.

mod access;
mod api;
mod applying;
mod board;
mod catalogue;
mod check;
mod credentials;
mod deliverables;
mod demo;
mod disclosure;
mod drafting;
mod finance;
mod history;
mod model;
mod partner_view;
mod partners;
mod payouts;
pub mod policy;
mod ports;
mod privacy;
mod screening;
mod settings;
mod web;

use std::sync::Arc;

use contracts::events::{CourseCompleted, MemberDeleted};
use kernel::slice::Slice;

/// The opportunities slice's manifest.
pub fn slice() -> Slice {
    Slice::new("opportunities")
        .settings(settings::SETTINGS)
        .nav(35, "Opportunities", "/opportunities")
        .console(
            35,
            "Opportunities",
            "/admin/opportunities",
            "Post paid work, screen applicants, review deliverables and pay.",
        )
        .routes(web::router)
        .routes(api::router)
        .openapi(<api::OpportunitiesApi as utoipa::OpenApi>::openapi)
        .check(|db| Box::pin(check::run(db)))
        .demo(|state, people| Box::pin(demo::load(state, people)))
        .wire(|w| {
            w.provide(settings::OpportunitySettings::parse(w.settings)?);
            w.consumer(kernel::outbox::on::<MemberDeleted>("opportunities-erasure", |tx, _, e| {
                Box::pin(privacy::erase(tx, e.member_id))
            }));
            w.consumer(kernel::outbox::on::<CourseCompleted>("opportunities-credentials", |tx, event, e| {
                Box::pin(credentials::learn(tx, event, e))
            }));
            w.exporter(Arc::new(privacy::OpportunitiesExport));
            w.provide::<Arc<dyn contracts::surveys::PartnerContacts>>(Arc::new(ports::Partners));
            w.provide(contracts::digest::Opportunities(Arc::new(ports::ForNewsletter)));
            Ok(())
        })
}
