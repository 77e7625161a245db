//! Demo data across slices: members first, then each slice's own content for them.

use kernel::AppState;
use members::demo::DemoLogins;

/// Loads `count` demo members and every slice's demo content.
pub async fn load(
    state: &AppState,
    count: usize,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> anyhow::Result<DemoLogins> {
    let logins = members::demo::load(state, count, progress).await?;
    rewards::demo::load(state, &logins.member_ids, logins.admin_id).await?;
    progress("rewards", 1, 1);
    events::demo::load(state, &logins.member_ids, logins.admin_id).await?;
    progress("events", 1, 1);
    community::demo::load(state, &logins.member_ids, logins.admin_id).await?;
    progress("community", 1, 1);
    Ok(logins)
}

/// Loads demo data unless the database already has members.
pub async fn load_if_empty(
    state: &AppState,
    count: usize,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> anyhow::Result<Option<DemoLogins>> {
    let have: i64 = state.db.scalar("SELECT COUNT(*) FROM members", kernel::params![]).await?.unwrap_or(0);
    if have > 0 {
        return Ok(None);
    }
    load(state, count, progress).await.map(Some)
}

/// What `shn demo --scale` built, and the pages the benchmark should visit.
#[derive(serde::Serialize)]
pub struct ScaleReport {
    pub scale: f64,
    pub backend: String,
    pub seconds: f64,
    /// Seconds per stage, in order.
    pub stages: Vec<(String, f64)>,
    pub member_email: String,
    pub password: String,
    pub discussions: community::scale::Targets,
    /// A moderately common condition (the eleventh most common), for the directory filter.
    pub condition_id: uuid::Uuid,
    pub condition_name: String,
    /// A word many posts contain, for search.
    pub search_term: String,
}

/// Fills the database with the benchmark dataset at `scale` (1.0 = 100k members, 1M
/// replies, 5k events, 2M ledger entries), after the ordinary demo data if the database
/// is empty. Deterministic: each slice has its own seed.
pub async fn load_scale(
    state: &AppState,
    scale: f64,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> anyhow::Result<ScaleReport> {
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    anyhow::ensure!(scale > 0.0 && scale <= 10.0, "the scale must be above 0 and at most 10 (1 = 100 000 members)");
    let started = std::time::Instant::now();
    let mut stages = Vec::new();
    let mut stage = |name: &str, since: &mut std::time::Instant, progress: &mut dyn FnMut(&str, usize, usize)| {
        stages.push((name.to_string(), since.elapsed().as_secs_f64()));
        progress(name, 1, 1);
        *since = std::time::Instant::now();
    };
    let mut since = std::time::Instant::now();
    load_if_empty(state, 200, progress).await?;
    let ids = |email: &'static str| async move {
        state
            .db
            .scalar::<kernel::ids::MemberId>("SELECT id FROM members WHERE email = $1", kernel::params![email])
            .await
    };
    let demo_member =
        ids(members::demo::MEMBER_EMAIL).await?.ok_or_else(|| anyhow::anyhow!("the demo member is missing"))?;
    let admin = ids(members::demo::ADMIN_EMAIL).await?.ok_or_else(|| anyhow::anyhow!("the demo admin is missing"))?;
    stage("demo data", &mut since, progress);
    kernel::db::bulk_load_cache(&state.db, true).await?;
    let people = members::scale::load(state, scale, &mut StdRng::seed_from_u64(1)).await?;
    stage("members", &mut since, progress);
    let discussions =
        community::scale::load(state, scale, &people, demo_member, admin, &mut StdRng::seed_from_u64(2)).await?;
    stage("discussions", &mut since, progress);
    events::scale::load(state, scale, &people, admin, &mut StdRng::seed_from_u64(3)).await?;
    stage("events", &mut since, progress);
    rewards::scale::load(state, scale, &people, demo_member, &mut StdRng::seed_from_u64(4)).await?;
    stage("points", &mut since, progress);
    kernel::db::bulk_load_cache(&state.db, false).await?;
    kernel::db::analyze(&state.db).await?;
    stage("statistics (ANALYZE)", &mut since, progress);
    // Conditions are long-tailed in the same order as `conditions::all` (see members::scale).
    let all_conditions = members::conditions::all(&state.db).await?;
    let condition =
        all_conditions.get(10).or(all_conditions.first()).ok_or_else(|| anyhow::anyhow!("no conditions"))?;
    Ok(ScaleReport {
        scale,
        backend: format!("{:?}", state.db.backend()).to_lowercase(),
        seconds: started.elapsed().as_secs_f64(),
        stages,
        member_email: members::demo::MEMBER_EMAIL.to_string(),
        password: members::demo::DEMO_PASSWORD.to_string(),
        discussions,
        condition_id: condition.id,
        condition_name: condition.name.clone(),
        search_term: "appointment".to_string(),
    })
}
