//! The events slice: webinars, panels, training calls, networking events, live
//! discussions and conference sessions; registration with a waitlist; calendar files;
//! attendance, which earns points through the outbox.

pub mod api;
pub mod ics;
pub mod model;
pub mod service;
pub mod time;
pub mod web;

use kernel::AppState;

pub fn router() -> axum::Router<AppState> {
    web::router().merge(api::router())
}
