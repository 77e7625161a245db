//! The state every handler sees: configuration, database, mailer and the registries
//! that slices fill at start-up.

use std::ops::Deref;
use std::sync::Arc;

use futures::future::BoxFuture;

use crate::analytics::Figures;
use crate::config::Config;
use crate::db::Db;
use crate::ids::MemberId;
use crate::jobs;
use crate::mail::Mailer;
use crate::outbox::Consumer;
use crate::secret::SecretKey;
use crate::ui::{ConsoleItem, NavItem};
use crate::viewer::ViewerDirectory;

pub struct Inner {
    pub config: Config,
    pub db: Db,
    pub secret: SecretKey,
    pub mailer: Mailer,
    pub viewers: Arc<dyn ViewerDirectory>,
    pub jobs: jobs::Registry,
    pub consumers: Vec<Arc<dyn Consumer>>,
    /// Recurring jobs: each is queued once per period, however many workers run.
    pub schedules: Vec<Schedule>,
    /// Slices' parts of a member's "download my data" file.
    pub exporters: Vec<Arc<dyn Exporter>>,
    /// Slices' sections of the programme analytics, in the slices' order.
    pub figures: Vec<Arc<dyn Figures>>,
    pub nav: Vec<NavItem>,
    /// The staff console's entries, in order.
    pub console: Vec<ConsoleItem>,
    /// What slices provide to each other (ports) and their own parsed settings; see
    /// [`crate::slice::Wiring::provide`] and [`AppState::port`].
    pub ports: axum::http::Extensions,
}

/// A slice's section of a member's data export: everything it holds about them.
pub trait Exporter: Send + Sync {
    /// The section's name in the export file.
    fn section(&self) -> &'static str;
    fn export<'a>(&'a self, db: &'a Db, member: MemberId) -> BoxFuture<'a, anyhow::Result<serde_json::Value>>;
}

/// A job to queue every `every` (at most once per period across all workers).
#[derive(Clone, Debug)]
pub struct Schedule {
    pub job: &'static str,
    pub every: std::time::Duration,
}

impl Inner {
    /// A copy to adjust (tests, tools) before wrapping it in a new [`AppState`].
    pub fn clone_inner(&self) -> Inner {
        Inner {
            config: self.config.clone(),
            db: self.db.clone(),
            secret: self.secret.clone(),
            mailer: self.mailer.clone(),
            viewers: self.viewers.clone(),
            jobs: self.jobs.clone(),
            consumers: self.consumers.clone(),
            schedules: self.schedules.clone(),
            exporters: self.exporters.clone(),
            figures: self.figures.clone(),
            nav: self.nav.clone(),
            console: self.console.clone(),
            ports: self.ports.clone(),
        }
    }
}

#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
