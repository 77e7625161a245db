//! The events slice: webinars, panels, training calls, networking events, live
//! discussions and conference sessions; registration with a waitlist; calendar files;
//! attendance, which earns points through the outbox.

mod analytics;
mod api;
mod calendar;
mod conference;
mod conference_admin;
mod console;
mod demo;
mod feed;
mod finalist_tickets;
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
        .console(
            25,
            "Events",
            "/admin/events",
            "Schedule, change, cancel and delete events of every kind; networking rounds.",
        )
        .console(
            26,
            "Conferences",
            "/admin/conferences",
            "Connexion: days, tracks, tickets and sessions, the awards ceremony among them.",
        )
        .routes(web::router)
        .routes(console::router)
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
            w.consumer(kernel::outbox::on::<contracts::events::AwardFinalist>(
                "events-finalist-tickets",
                |tx, ev, e| Box::pin(finalist_tickets::issue(tx, ev, e)),
            ));
            w.exporter(Arc::new(privacy::EventsExport));
            w.figures(Arc::new(analytics::section()));
            w.provide::<Arc<dyn contracts::calendar::EventTimes>>(Arc::new(calendar::Times));
            w.provide::<Arc<dyn contracts::home::MyEvents>>(Arc::new(calendar::Upcoming));
            w.provide(contracts::moments::EventContent(Arc::new(calendar::MomentEvents)));
            w.provide(contracts::digest::Events(Arc::new(calendar::ForNewsletter)));
            Ok(())
        })
}
