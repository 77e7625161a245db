//! Start-up: connect, migrate, seed reference data, wire the slices into one state and
//! one router.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use kernel::config::Config;
use kernel::db::Db;
use kernel::mail::Mailer;
use kernel::secret::SecretKey;
use kernel::state::{Inner, Schedule};
use kernel::ui::NavItem;
use kernel::{AppState, jobs};
use migration::{Migrator, MigratorTrait};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;

use crate::{home, middleware, ops};

#[derive(Clone, Debug, Default)]
pub struct StartOptions {
    /// Run pending migrations (serve and migrate do; tests do).
    pub migrate: bool,
}

/// A started application: its state, ready to serve or to work.
pub struct App {
    pub state: AppState,
}

/// The main navigation. Areas appear here as their slices land.
fn nav() -> Vec<NavItem> {
    vec![
        NavItem { label: "Home", href: "/" },
        NavItem { label: "Find Health Leaders", href: "/members" },
        NavItem { label: "Groups", href: "/groups" },
        NavItem { label: "Events", href: "/events" },
        NavItem { label: "Rewards", href: "/rewards" },
        NavItem { label: "Messages", href: "/messages" },
        NavItem { label: "Search", href: "/search" },
        NavItem { label: "Notifications", href: "/notifications" },
    ]
}

/// Connects to the database, migrates if asked, and assembles the state.
pub async fn start(config: Config, opts: StartOptions) -> anyhow::Result<App> {
    std::fs::create_dir_all(&config.data_dir)
        .map_err(|e| anyhow::anyhow!("SHN_DATA_DIR: cannot create {}: {e}", config.data_dir.display()))?;
    let db = Db::connect(&config.database_url, config.db_max_connections).await?;
    if opts.migrate {
        Migrator::up(db.writer(), None).await?;
    }
    let secret = SecretKey::load_or_create(config.secret_key.as_deref(), &config.data_dir)?;
    let mailer = Mailer::from_config(&config)?;
    let mut registry = jobs::Registry::default();
    kernel::mail::register(&mut registry);
    rewards::register(&mut registry);
    events::register(&mut registry);
    community::register(&mut registry);
    let notifier = community::notifications::Notifier::new(community::email::Mailing::new(&config, &secret));
    let state = AppState(Arc::new(Inner {
        config,
        db,
        secret,
        mailer,
        viewers: Arc::new(members::Viewers),
        jobs: registry,
        consumers: vec![
            Arc::new(rewards::PointsConsumer),
            Arc::new(events::privacy::Eraser),
            Arc::new(notifier),
            Arc::new(community::privacy::Eraser),
        ],
        exporters: vec![
            Arc::new(rewards::RewardsExport),
            Arc::new(events::privacy::EventsExport),
            Arc::new(community::privacy::CommunityExport),
        ],
        schedules: vec![
            Schedule { job: rewards::EXPIRE_JOB, every: Duration::from_secs(24 * 3600) },
            Schedule { job: events::reminders::JOB, every: Duration::from_secs(300) },
            Schedule { job: community::email::DIGEST_JOB, every: Duration::from_secs(24 * 3600) },
        ],
        nav: nav(),
    }));
    if opts.migrate {
        members::prepare(&state).await?;
        rewards::prepare(&state).await?;
    }
    Ok(App { state })
}

/// Whether the schema is up to date (for `/readyz` and `shn check`).
pub async fn migrations_current(db: &Db) -> anyhow::Result<bool> {
    Ok(Migrator::get_pending_migrations(db.writer()).await?.is_empty())
}

/// The whole HTTP surface.
pub fn router(state: AppState) -> Router {
    // Install the metrics recorder before the first request is counted.
    ops::prometheus();
    let max_body = state.config.max_body_bytes;
    Router::new()
        .merge(home::router())
        .merge(members::router())
        .merge(rewards::router())
        .merge(events::router())
        .merge(community::router())
        .merge(ops::router())
        .fallback(middleware::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::context))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::error_pages))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::security_headers))
        .layer(axum::middleware::from_fn(middleware::metrics))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::capture_statements))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(CompressionLayer::new())
        .layer(CatchPanicLayer::custom(middleware::panic_page))
        .with_state(state)
}

impl App {
    /// Serves HTTP on `listener` until `shutdown` resolves.
    pub async fn serve(
        &self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let app = router(self.state.clone());
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await?;
        Ok(())
    }
}
