//! What the newsletter slice holds about a member: their preferences, in their data
//! export, and removed when the account is deleted.

use futures::future::BoxFuture;
use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::params;
use sea_orm::DatabaseTransaction;

pub struct NewsletterExport;

impl kernel::state::Exporter for NewsletterExport {
    fn section(&self) -> &'static str {
        "newsletter"
    }

    fn export<'a>(&'a self, db: &'a Db, member: MemberId) -> BoxFuture<'a, anyhow::Result<serde_json::Value>> {
        Box::pin(async move {
            let p = crate::preferences::load(db, member).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(serde_json::json!({ "preferences": p }))
        })
    }
}

pub(crate) async fn erase(tx: &DatabaseTransaction, member: MemberId) -> anyhow::Result<()> {
    db::exec(tx, "DELETE FROM newsletter_preferences WHERE member_id = $1", params![member]).await?;
    Ok(())
}
