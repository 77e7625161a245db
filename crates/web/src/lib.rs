//! The web shell: assembles the slices' routers, the layout, middleware (sessions,
//! CSRF, security headers, error pages, metrics) and static assets. Slices never
//! import the shell.

mod analytics;
mod api_errors;
pub mod app;
mod audit;
pub mod demo;
mod home;
mod middleware;
mod ops;

pub use app::{App, StartOptions, router, start};
