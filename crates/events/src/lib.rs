//! The events slice: webinars, panels, training calls, networking events, live
//! discussions and conference sessions; registration with a waitlist; calendar files;
//! attendance, which earns points through the outbox.

mod analytics;
mod api;
mod calendar;
mod conference;
mod demo;
mod feed;
mod ics;
mod matching;
mod model;
mod networking;
pub mod policy;
mod privacy;
mod questions;
mod reminders;
mod scale;
mod service;
mod settings;
mod speakers;
mod time;
mod web;

use std::sync::Arc;
use std::time::Duration;

use contracts::events::MemberDeleted;

use kernel::slice::Slice;

/// The events slice's manifest.
pub fn slice() -> Slice {
    Slice::new("events")
        .settings(settings::SETTINGS)
        .nav(30, "Events", "/events")
        .routes(web::router)
        .routes(api::router)
        .openapi(<api::EventsApi as utoipa::OpenApi>::openapi)
        .scheduled::<reminders::QueueReminders>(Duration::from_secs(300))
        .demo(|state, people| Box::pin(demo::load(state, people)))
        .scale(|state, run| Box::pin(scale::run(state, run)))
        .wire(|w| {
            w.provide(settings::EventSettings::parse(w.settings)?);
            w.consumer(kernel::outbox::on::<MemberDeleted>("events-erasure", |tx, _, e| {
                Box::pin(privacy::erase(tx, e.member_id))
            }));
            w.exporter(Arc::new(privacy::EventsExport));
            w.figures(Arc::new(analytics::section()));
            w.provide::<Arc<dyn contracts::calendar::EventTimes>>(Arc::new(calendar::Times));
            w.provide(contracts::digest::Events(Arc::new(calendar::ForNewsletter)));
            Ok(())
        })
}
