//! The Social Health Awards slice: a programme per year with categories, a rubric and
//! phases (nominations → endorsements → judging → finalists → voting → closed);
//! nominations that merge per person and category; staff screening; endorsements, one
//! per member and nominee; finalists drawn by endorsements when that phase closes;
//! judges' scores normalised per judge (`normalise`); and winners kept from everyone but
//! staff until the ceremony starts (`policy`).

mod access;
mod api;
mod badge;
mod demo;
mod endorsements;
mod finalists;
mod guest_judges;
mod hall_of_fame;
mod invitations;
mod judging;
mod model;
mod nominations;
mod nominees;
pub mod normalise;
mod overview;
pub mod policy;
mod ports;
mod privacy;
mod programmes;
mod results;
mod screening_queue;
mod voting;
mod web;

use std::sync::Arc;
use std::time::Duration;

use contracts::events::{MemberDeleted, MemberJoined};
use kernel::slice::Slice;

/// The awards slice's manifest.
pub fn slice() -> Slice {
    Slice::new("awards")
        .nav(47, "Awards", "/awards")
        .console(
            60,
            "Awards",
            "/admin/awards",
            "Run the yearly Social Health Awards: categories, phases, screening, finalists.",
        )
        .routes(web::router)
        .routes(api::router)
        .openapi(<api::AwardsApi as utoipa::OpenApi>::openapi)
        .scheduled::<results::PublishWinners>(Duration::from_secs(30))
        .job::<invitations::ClaimNominations>()
        .demo(|state, people| Box::pin(demo::load(state, people)))
        .wire(|w| {
            w.consumer(kernel::outbox::on::<MemberDeleted>("awards-erasure", |tx, _, e| {
                Box::pin(privacy::erase(tx, e.member_id))
            }));
            w.consumer(kernel::outbox::on::<MemberJoined>("awards-claim", |tx, ev, e| {
                Box::pin(invitations::on_joined(tx, ev, e))
            }));
            w.provide::<Arc<dyn contracts::awards::Honours>>(Arc::new(ports::HonoursPort));
            w.exporter(Arc::new(privacy::AwardsExport));
            Ok(())
        })
}
