//! Platform suspensions decided elsewhere: a moderator's decision on a report arrives
//! as a `ModerationActed` event, and the account changes here, in the same
//! transaction that records the event's delivery, so it happens exactly once and never
//! half (the report acted on but the member still active).

use contracts::events::{ModerationActed, ModerationAction};
use futures::future::BoxFuture;
use kernel::outbox::Event;
use sea_orm::DatabaseTransaction;

/// Carries out a platform suspension a moderator decided (consumed as
/// "members-suspensions").
pub(crate) fn suspend<'a>(
    tx: &'a DatabaseTransaction,
    event: &'a Event,
    acted: ModerationActed,
) -> BoxFuture<'a, anyhow::Result<()>> {
    Box::pin(async move {
        let Some(moderator) = event.actor_id else { return Ok(()) };
        let wanted = acted.action == ModerationAction::SuspendPlatform && moderator != acted.member_id;
        // The decision was checked against the role hierarchy when it was made; a role
        // changed since (the member became an admin) still protects them.
        if wanted && crate::accounts::hierarchy_allows(tx, moderator, acted.member_id).await? {
            crate::accounts::change_suspension(tx, moderator, acted.member_id, true, None).await?;
        }
        Ok(())
    })
}
