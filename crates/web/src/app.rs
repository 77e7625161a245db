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
use kernel::slice::{Slice, Wiring};
use kernel::state::Inner;
use kernel::ui::{ConsoleItem, NavItem};
use kernel::viewer::ViewerDirectory;
use kernel::{AppState, jobs};
use migration::{Migrator, MigratorTrait};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;

use crate::{analytics, audit, home, middleware, ops};

/// Every area of the platform, in the order their navigation, demo data and benchmark
/// data come (members first: the others' demo content is about its people). Adding an
/// area is its crate plus one line here.
pub const SLICES: &[fn() -> Slice] = &[
    members::slice,
    community::slice,
    events::slice,
    rewards::slice,
    opportunities::slice,
    learning::slice,
    surveys::slice,
    awards::slice,
    newsletter::slice,
    moments::slice,
];

#[derive(Clone)]
pub struct StartOptions {
    /// Run pending migrations (serve and migrate do; tests do).
    pub migrate: bool,
    /// The areas to assemble (normally [`SLICES`]).
    pub slices: Vec<Slice>,
}

impl Default for StartOptions {
    fn default() -> Self {
        StartOptions { migrate: false, slices: slices() }
    }
}

impl StartOptions {
    pub fn migrating() -> Self {
        StartOptions { migrate: true, ..Default::default() }
    }
}

/// Every slice's manifest.
pub fn slices() -> Vec<Slice> {
    SLICES.iter().map(|slice| slice()).collect()
}

/// A started application: its state, ready to serve or to work, and the slices it was
/// assembled from.
pub struct App {
    pub state: AppState,
    pub slices: Vec<Slice>,
}

/// The main navigation: Home, then each slice's entries in their order.
fn nav(slices: &[Slice]) -> Vec<NavItem> {
    let mut entries: Vec<(u16, NavItem)> = slices.iter().flat_map(|s| s.nav.iter().cloned()).collect();
    entries.sort_by_key(|(order, _)| *order);
    std::iter::once(NavItem { label: "Home", href: "/" }).chain(entries.into_iter().map(|(_, item)| item)).collect()
}

/// The staff console's entries, from every slice, in their order.
fn console(slices: &[Slice]) -> Vec<ConsoleItem> {
    // The analytics page is the shell's own: it lays out every slice's figures; so is
    // the audit log, which every slice writes to through the kernel.
    let shell = [(5, analytics::CONSOLE), (95, audit::CONSOLE)].into_iter();
    let mut entries: Vec<(u16, ConsoleItem)> =
        shell.chain(slices.iter().flat_map(|s| s.console.iter().cloned())).collect();
    entries.sort_by_key(|(order, _)| *order);
    entries.into_iter().map(|(_, item)| item).collect()
}

/// Connects to the database, migrates if asked, and assembles the state from the slices.
pub async fn start(config: Config, opts: StartOptions) -> anyhow::Result<App> {
    std::fs::create_dir_all(&config.data_dir)
        .map_err(|e| anyhow::anyhow!("SHN_DATA_DIR: cannot create {}: {e}", config.data_dir.display()))?;
    let db = Db::connect(&config.database_url, config.db_max_connections).await?;
    if opts.migrate {
        Migrator::up(db.writer(), None).await?;
    }
    let secret = SecretKey::load_or_create(config.secret_key.as_deref(), &config.data_dir)?;
    let mailer = Mailer::from_config(&config)?;
    let slices = opts.slices;
    let housekeeping = kernel::worker::housekeeping();
    let mut registry = jobs::Registry::default();
    let (mut ports, mut consumers, mut exporters, mut figures) =
        (Default::default(), Vec::new(), Vec::new(), Vec::new());
    for slice in std::iter::once(&housekeeping).chain(&slices) {
        slice.jobs.iter().for_each(|add| add(&mut registry));
        if let Some(wire) = slice.wire {
            let mut w =
                Wiring::new(&config, &secret, &config.slices, &mut ports, &mut consumers, &mut exporters, &mut figures);
            wire(&mut w)?;
        }
    }
    let viewers = ports.get::<Arc<dyn ViewerDirectory>>().cloned().unwrap_or_else(|| Arc::new(NoViewers));
    let state = AppState(Arc::new(Inner {
        config,
        db,
        secret,
        mailer,
        viewers,
        jobs: registry,
        consumers,
        exporters,
        figures,
        schedules: std::iter::once(&housekeeping).chain(&slices).flat_map(|s| s.schedules.iter().cloned()).collect(),
        nav: nav(&slices),
        console: console(&slices),
        ports,
    }));
    if opts.migrate {
        for prepare in slices.iter().filter_map(|s| s.prepare) {
            prepare(&state).await?;
        }
    }
    Ok(App { state, slices })
}

/// Without the members slice nobody can sign in.
struct NoViewers;

impl ViewerDirectory for NoViewers {
    fn load<'a>(
        &'a self,
        _: &'a Db,
        _: kernel::ids::MemberId,
    ) -> futures::future::BoxFuture<'a, anyhow::Result<Option<kernel::viewer::Member>>> {
        Box::pin(async { Ok(None) })
    }
}

/// Every breach of every slice's data invariants, and pending migrations (`shn check`).
pub async fn check(app: &App) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    if !migrations_current(&app.state.db).await? {
        problems.push("the schema has pending migrations (run `shn migrate`)".to_string());
    }
    for check in app.slices.iter().flat_map(|s| s.checks.iter()) {
        problems.extend(check(&app.state.db).await?);
    }
    Ok(problems)
}

/// `shn check --repair`: every slice's repairs, one line per kind of thing repaired.
pub async fn repair(app: &App) -> anyhow::Result<Vec<String>> {
    let mut done = Vec::new();
    for repair in app.slices.iter().flat_map(|s| s.repairs.iter()) {
        done.extend(repair(&app.state.db).await?);
    }
    Ok(done)
}

/// Whether the schema is up to date (for `/readyz` and `shn check`).
pub async fn migrations_current(db: &Db) -> anyhow::Result<bool> {
    Ok(Migrator::get_pending_migrations(db.writer()).await?.is_empty())
}

/// The whole HTTP surface.
pub fn router(state: AppState, slices: &[Slice]) -> Router {
    // Install the metrics recorder before the first request is counted.
    ops::prometheus();
    let max_body = state.config.max_body_bytes;
    let areas = slices.iter().flat_map(|s| s.routes.iter()).fold(Router::new(), |r, routes| r.merge(routes()));
    Router::new()
        .merge(home::router())
        .merge(analytics::router())
        .merge(audit::router())
        .merge(areas)
        .merge(ops::router(ops::openapi_json(slices)))
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
        let app = router(self.state.clone(), &self.slices);
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await?;
        Ok(())
    }
}
