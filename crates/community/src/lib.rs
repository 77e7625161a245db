//! The community slice: groups (open, private, hidden), memberships and join
//! requests, threads and replies, reactions, mentions, moderation, notifications (in
//! the app, live, and by e-mail), direct messages, follows and search. What is said in
//! a private group never leaves it.

pub mod actions_api;
pub mod api;
pub mod curation;
pub mod demo;
pub mod edits;
pub mod email;
pub mod feed;
pub mod groups;
pub mod live;
pub mod messages;
pub mod moderation;
pub mod notifications;
pub mod policy;
pub mod posting;
pub mod privacy;
pub mod reactions;
pub mod scale;
pub mod search;
pub mod settings_web;
pub mod thread_web;
pub mod threads;
pub mod web;

use kernel::AppState;

pub fn router() -> axum::Router<AppState> {
    web::router()
        .merge(api::router())
        .merge(actions_api::router())
        .merge(live::router())
        .merge(thread_web::router())
        .merge(settings_web::router())
}

/// The slice's background jobs.
pub fn register(registry: &mut kernel::jobs::Registry) {
    email::register(registry);
}
