//! The events slice: webinars, panels, training calls, networking events, live
//! discussions and conference sessions; registration with a waitlist; calendar files;
//! attendance, which earns points through the outbox.

pub mod api;
pub mod conference;
pub mod demo;
pub mod feed;
pub mod ics;
pub mod matching;
pub mod model;
pub mod networking;
pub mod policy;
pub mod privacy;
pub mod questions;
pub mod reminders;
pub mod scale;
pub mod service;
pub mod speakers;
pub mod time;
pub mod web;

use kernel::AppState;

pub fn router() -> axum::Router<AppState> {
    web::router().merge(api::router())
}

/// Job handlers of this slice.
pub fn register(registry: &mut kernel::jobs::Registry) {
    registry.register(reminders::JOB, |state, _| async move {
        let n = reminders::queue_due(&state).await?;
        if n > 0 {
            tracing::info!(reminders = n, "queued event reminders");
        }
        Ok(())
    });
}
