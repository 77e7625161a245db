//! Demo data across slices: each slice's demo in the order of the application's list
//! (members first, so the others have people to write about).

use kernel::AppState;
use kernel::slice::{DemoPeople, ScaleRun, Slice};

/// Loads `count` demo members and every slice's demo content; returns who was made.
pub async fn load(
    state: &AppState,
    slices: &[Slice],
    count: usize,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> anyhow::Result<DemoPeople> {
    let mut people = DemoPeople { count, ..Default::default() };
    let with_demo: Vec<_> = slices.iter().filter_map(|s| s.demo.map(|d| (s.name, d))).collect();
    for (i, (name, demo)) in with_demo.iter().enumerate() {
        demo(state, &mut people).await?;
        progress(name, i + 1, with_demo.len());
    }
    Ok(people)
}

/// Loads demo data unless the database already has members.
pub async fn load_if_empty(
    state: &AppState,
    slices: &[Slice],
    count: usize,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> anyhow::Result<Option<DemoPeople>> {
    let have: i64 = state.db.scalar("SELECT COUNT(*) FROM members", kernel::params![]).await?.unwrap_or(0);
    if have > 0 {
        return Ok(None);
    }
    load(state, slices, count, progress).await.map(Some)
}

/// What `shn demo --scale` built, and the pages the benchmark should visit.
#[derive(serde::Serialize)]
pub struct ScaleReport {
    pub scale: f64,
    pub backend: String,
    pub seconds: f64,
    /// Seconds per stage, in order.
    pub stages: Vec<(String, f64)>,
    /// What each slice recorded for the benchmark (sign-in, pages to visit).
    #[serde(flatten)]
    pub targets: serde_json::Map<String, serde_json::Value>,
}

/// Fills the database with the benchmark dataset at `scale` (1.0 = 100k members, 1M
/// replies, 5k events, 2M ledger entries), after the ordinary demo data if the database
/// is empty. Deterministic: each slice derives its own seed.
pub async fn load_scale(
    state: &AppState,
    slices: &[Slice],
    scale: f64,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> anyhow::Result<ScaleReport> {
    anyhow::ensure!(scale > 0.0 && scale <= 10.0, "the scale must be above 0 and at most 10 (1 = 100 000 members)");
    let started = std::time::Instant::now();
    let mut stages = Vec::new();
    let mut since = std::time::Instant::now();
    let mut stage = |name: &str, since: &mut std::time::Instant, progress: &mut dyn FnMut(&str, usize, usize)| {
        stages.push((name.to_string(), since.elapsed().as_secs_f64()));
        progress(name, 1, 1);
        *since = std::time::Instant::now();
    };
    load_if_empty(state, slices, 200, progress).await?;
    stage("demo data", &mut since, progress);
    kernel::db::bulk_load_cache(&state.db, true).await?;
    let mut run = ScaleRun { scale, ..Default::default() };
    for slice in slices {
        if let Some(load) = slice.scale {
            load(state, &mut run).await?;
            stage(slice.name, &mut since, progress);
        }
    }
    kernel::db::bulk_load_cache(&state.db, false).await?;
    kernel::db::analyze(&state.db).await?;
    stage("statistics (ANALYZE)", &mut since, progress);
    Ok(ScaleReport {
        scale,
        backend: format!("{:?}", state.db.backend()).to_lowercase(),
        seconds: started.elapsed().as_secs_f64(),
        stages,
        targets: run.targets,
    })
}
