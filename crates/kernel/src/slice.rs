//! What a slice contributes to the platform, in one value: its manifest.
//!
//! Each slice crate exposes one function, `slice() -> Slice`. The shell assembles the
//! application from one list of those functions, and the binary takes its settings and
//! checks from the same list, so adding an area is its crate plus one line in that list,
//! and removing the line removes every route, job, consumer, check, export part, demo
//! and navigation entry the area brought.
//!
//! Slices never call each other. What one needs of another it reads through a port (a
//! trait in the contracts crate) that the owning slice provides while the application
//! is wired ([`Wiring::provide`]), or learns from a domain event in the outbox.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use futures::future::BoxFuture;

use crate::analytics::Figures;
use crate::config::Config;
use crate::db::Db;
use crate::ids::MemberId;
use crate::jobs::{self, Job};
use crate::outbox::Consumer;
use crate::secret::SecretKey;
use crate::state::{AppState, Exporter, Schedule};
use crate::ui::{ConsoleItem, NavItem};

/// A setting a slice reads from the environment (or the flag of the same name).
#[derive(Clone, Copy, Debug)]
pub struct Setting {
    /// The environment variable, e.g. `SHN_CRISIS_PHRASES`.
    pub var: &'static str,
    /// What it means and its default, for `shn --help`.
    pub help: &'static str,
}

impl Setting {
    /// The command-line flag: the variable without `SHN_`, lower case, dashes.
    pub fn flag(&self) -> String {
        self.var.trim_start_matches("SHN_").to_lowercase().replace('_', "-")
    }
}

/// The raw values of slice settings that were given, by variable name.
#[derive(Clone, Debug, Default)]
pub struct SliceSettings(pub BTreeMap<String, String>);

impl SliceSettings {
    /// The trimmed value of `var`, if it was given and is not blank.
    pub fn get(&self, var: &str) -> Option<&str> {
        self.0.get(var).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// A whole number in `range` (`unit` names what it counts, for the error), if given.
    pub fn whole_number(
        &self,
        var: &'static str,
        range: std::ops::RangeInclusive<i64>,
        unit: &str,
    ) -> Result<Option<i64>, crate::config::ConfigError> {
        let Some(text) = self.get(var) else { return Ok(None) };
        text.parse::<i64>().ok().filter(|n| range.contains(n)).map(Some).ok_or_else(|| {
            crate::config::bad(
                var,
                format!("{text:?} is not a whole number of {unit} from {} to {}", range.start(), range.end()),
            )
        })
    }
}

/// A data invariant that `shn check` verifies: returns one line per breach.
pub type Check = fn(&Db) -> BoxFuture<'_, anyhow::Result<Vec<String>>>;

/// Puts right what a slice can rebuild from its own data (`shn check --repair`), such as
/// stored HTML rendered by an older renderer: returns one line per kind of thing repaired.
pub type Repair = fn(&Db) -> BoxFuture<'_, anyhow::Result<Vec<String>>>;

/// Reference data every install needs (run after migrating).
pub type Prepare = fn(&AppState) -> BoxFuture<'_, anyhow::Result<()>>;

/// Demo content for the members the demo created (see [`DemoPeople`]).
pub type Demo = for<'a> fn(&'a AppState, &'a mut DemoPeople) -> BoxFuture<'a, anyhow::Result<()>>;

/// Benchmark content at a scale (1.0 = the full benchmark dataset).
pub type Scale = for<'a> fn(&'a AppState, &'a mut ScaleRun) -> BoxFuture<'a, anyhow::Result<()>>;

/// Who the demo data is about: the slice that creates members fills it first, and the
/// others add their content for those people.
#[derive(Clone, Debug, Default)]
pub struct DemoPeople {
    /// How many demo members to create.
    pub count: usize,
    pub member_ids: Vec<MemberId>,
    pub admin_id: Option<MemberId>,
    /// Sign-in lines to print (e-mail, role), and the shared demo password.
    pub logins: Vec<(String, &'static str)>,
    pub password: String,
}

impl DemoPeople {
    /// The demo admin, who runs the demo's groups, events and rewards.
    pub fn admin(&self) -> anyhow::Result<MemberId> {
        self.admin_id
            .ok_or_else(|| anyhow::anyhow!("the demo admin is missing (the members slice loads demo people first)"))
    }
}

/// The benchmark dataset under construction: each slice reads what earlier slices left
/// (`people`, the demo member and admin) and records the pages the benchmark should
/// visit in `targets`, which is written out as `scale.json`.
#[derive(Debug, Default)]
pub struct ScaleRun {
    pub scale: f64,
    /// Member ids created by the members slice, in creation order.
    pub people: Vec<MemberId>,
    pub demo_member: Option<MemberId>,
    pub admin: Option<MemberId>,
    /// Seed of the random generator: each slice derives its own from it.
    pub seed: u64,
    pub targets: serde_json::Map<String, serde_json::Value>,
}

/// What a slice contributes. Built with the methods below; every part is optional.
#[derive(Clone)]
pub struct Slice {
    pub name: &'static str,
    pub settings: &'static [Setting],
    pub nav: Vec<(u16, NavItem)>,
    /// Entries of the staff console (`/admin`), shown in ascending order.
    pub console: Vec<(u16, ConsoleItem)>,
    pub routes: Vec<fn() -> Router<AppState>>,
    pub openapi: Vec<fn() -> utoipa::openapi::OpenApi>,
    pub jobs: Vec<fn(&mut jobs::Registry)>,
    pub schedules: Vec<Schedule>,
    pub checks: Vec<Check>,
    pub repairs: Vec<Repair>,
    pub prepare: Option<Prepare>,
    pub demo: Option<Demo>,
    pub scale: Option<Scale>,
    /// Builds the slice's consumers, exporters, ports and settings once the
    /// configuration is known.
    pub wire: Option<fn(&mut Wiring) -> anyhow::Result<()>>,
}

impl Slice {
    pub fn new(name: &'static str) -> Slice {
        Slice {
            name,
            settings: &[],
            nav: vec![],
            console: vec![],
            routes: vec![],
            openapi: vec![],
            jobs: vec![],
            schedules: vec![],
            checks: vec![],
            repairs: vec![],
            prepare: None,
            demo: None,
            scale: None,
            wire: None,
        }
    }

    pub fn settings(mut self, settings: &'static [Setting]) -> Self {
        self.settings = settings;
        self
    }

    /// A main-navigation entry; entries are shown in ascending `order`.
    pub fn nav(mut self, order: u16, label: &'static str, href: &'static str) -> Self {
        self.nav.push((order, NavItem { label, href }));
        self
    }

    /// A staff console entry: where staff do one kind of task, with a line saying what.
    pub fn console(mut self, order: u16, label: &'static str, href: &'static str, blurb: &'static str) -> Self {
        self.console.push((order, ConsoleItem { label, href, blurb }));
        self
    }

    pub fn routes(mut self, router: fn() -> Router<AppState>) -> Self {
        self.routes.push(router);
        self
    }

    /// A part of `/api/v1/openapi.json`.
    pub fn openapi(mut self, doc: fn() -> utoipa::openapi::OpenApi) -> Self {
        self.openapi.push(doc);
        self
    }

    /// A job type this slice runs.
    pub fn job<J: Job>(mut self) -> Self {
        self.jobs.push(|registry| registry.add::<J>());
        self
    }

    /// A job type queued every `every` (at most once per period across all workers).
    pub fn scheduled<J: Job + Default>(mut self, every: Duration) -> Self {
        self.schedules.push(Schedule { job: J::KIND, every });
        self.job::<J>()
    }

    pub fn check(mut self, check: Check) -> Self {
        self.checks.push(check);
        self
    }

    /// A repair `shn check --repair` runs before the checks.
    pub fn repair(mut self, repair: Repair) -> Self {
        self.repairs.push(repair);
        self
    }

    pub fn prepare(mut self, prepare: Prepare) -> Self {
        self.prepare = Some(prepare);
        self
    }

    pub fn demo(mut self, demo: Demo) -> Self {
        self.demo = Some(demo);
        self
    }

    pub fn scale(mut self, scale: Scale) -> Self {
        self.scale = Some(scale);
        self
    }

    pub fn wire(mut self, wire: fn(&mut Wiring) -> anyhow::Result<()>) -> Self {
        self.wire = Some(wire);
        self
    }
}

/// What a slice's `wire` step may read and add to while the application is assembled.
pub struct Wiring<'a> {
    pub config: &'a Config,
    pub secret: &'a SecretKey,
    pub settings: &'a SliceSettings,
    pub(crate) ports: &'a mut axum::http::Extensions,
    pub(crate) consumers: &'a mut Vec<Arc<dyn Consumer>>,
    pub(crate) exporters: &'a mut Vec<Arc<dyn Exporter>>,
    pub(crate) figures: &'a mut Vec<Arc<dyn Figures>>,
}

impl<'a> Wiring<'a> {
    pub fn new(
        config: &'a Config,
        secret: &'a SecretKey,
        settings: &'a SliceSettings,
        ports: &'a mut axum::http::Extensions,
        consumers: &'a mut Vec<Arc<dyn Consumer>>,
        exporters: &'a mut Vec<Arc<dyn Exporter>>,
        figures: &'a mut Vec<Arc<dyn Figures>>,
    ) -> Self {
        Wiring { config, secret, settings, ports, consumers, exporters, figures }
    }

    /// Makes `value` available to every slice through [`AppState::port`]: a port
    /// (`Arc<dyn SomeTrait>`) or the slice's own parsed settings.
    pub fn provide<T: Clone + Send + Sync + 'static>(&mut self, value: T) {
        self.ports.insert(value);
    }

    /// A value an earlier slice in the list provided (a port this slice's consumers
    /// hold, since a consumer sees only its transaction).
    pub fn port<T: Clone + Send + Sync + 'static>(&self) -> Result<T, MissingPort> {
        self.ports.get::<T>().cloned().ok_or(MissingPort(std::any::type_name::<T>()))
    }

    pub fn consumer(&mut self, consumer: Arc<dyn Consumer>) {
        self.consumers.push(consumer);
    }

    pub fn exporter(&mut self, exporter: Arc<dyn Exporter>) {
        self.exporters.push(exporter);
    }

    /// The slice's section of the programme analytics (`/admin/analytics`).
    pub fn figures(&mut self, figures: Arc<dyn Figures>) {
        self.figures.push(figures);
    }
}

/// A missing port: the slice that provides it is not in the application's list.
#[derive(Debug, thiserror::Error)]
#[error("no slice provides {0}; add the slice that owns it to the application's list")]
pub struct MissingPort(pub &'static str);

impl From<MissingPort> for crate::AppError {
    fn from(e: MissingPort) -> Self {
        crate::AppError::Internal(anyhow::anyhow!(e))
    }
}

impl AppState {
    /// A value a slice provided while wiring (a port or its settings).
    pub fn port<T: Clone + Send + Sync + 'static>(&self) -> Result<&T, MissingPort> {
        self.ports.get::<T>().ok_or(MissingPort(std::any::type_name::<T>()))
    }
}
