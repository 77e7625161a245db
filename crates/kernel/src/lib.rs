//! The kernel: the hallway between slices. It knows no slice; every slice knows it.
//!
//! Typed IDs, time, the database and its backend quirks, the outbox and job queue,
//! the mailer, sessions and the viewer/permission model, pagination, errors, rate
//! limits, audit, configuration and the shared UI layout.

pub mod analytics;
pub mod audit;
pub mod bulk;
pub mod bulkmail;
pub mod config;
pub mod csv;
pub mod db;
pub mod error;
pub mod form;
pub mod http;
pub mod ids;
pub mod image;
pub mod jobs;
pub mod live;
pub mod mail;
pub mod markdown;
pub mod net;
pub mod outbox;
pub mod page;
pub mod ratelimit;
pub mod search;
pub mod secret;
pub mod session;
pub mod slice;
pub mod state;
pub mod time;
pub mod ui;
pub mod viewer;
pub mod worker;

pub use error::{AppError, AppResult, FieldErrors};
pub use state::AppState;
