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
