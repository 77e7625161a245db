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
    pub nav: Vec<NavItem>,
}

#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
