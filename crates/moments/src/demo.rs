//! Demo content for the moments: members at several moments, volunteers who have been
//! through them, and content tagged.

use kernel::AppState;
use kernel::slice::DemoPeople;

pub(crate) async fn load(_state: &AppState, _people: &mut DemoPeople) -> anyhow::Result<()> {
    Ok(())
}
