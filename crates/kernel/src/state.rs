//! The state every handler sees: configuration, database, mailer and the registries
//! that slices fill at start-up.

use std::ops::Deref;
use std::sync::Arc;

use crate::config::Config;
use crate::db::Db;
use crate::jobs;
use crate::mail::Mailer;
use crate::outbox::Consumer;
use crate::secret::SecretKey;
use crate::ui::NavItem;
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
    pub nav: Vec<NavItem>,
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
            nav: self.nav.clone(),
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
