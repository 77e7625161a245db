//! The community slice: groups (open, private, hidden), memberships and join
//! requests, threads and replies. What is said in a private group never leaves it.

pub mod api;
pub mod demo;
pub mod feed;
pub mod groups;
pub mod messages;
pub mod moderation;
pub mod notifications;
pub mod privacy;
pub mod search;
pub mod threads;
pub mod web;

use kernel::AppState;

pub fn router() -> axum::Router<AppState> {
    web::router().merge(api::router())
}
