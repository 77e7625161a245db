//! The resources hold no member's personal data beyond which staff member wrote a
//! resource or a collection; erasure forgets that, and the work stays in the library.

use kernel::db;
use kernel::ids::MemberId;
use kernel::params;
use sea_orm::DatabaseTransaction;

pub(crate) async fn erase(tx: &DatabaseTransaction, member: MemberId) -> anyhow::Result<()> {
    db::exec(tx, "UPDATE resources SET created_by = NULL WHERE created_by = $1", params![member]).await?;
    db::exec(tx, "UPDATE resource_collections SET created_by = NULL WHERE created_by = $1", params![member]).await?;
    Ok(())
}
