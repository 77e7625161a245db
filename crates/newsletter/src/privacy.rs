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
            let stopped: Vec<String> = db
                .column("SELECT email FROM newsletter_suppressions WHERE member_id = $1", kernel::params![member])
                .await?;
            let issues_sent = db
                .scalar::<i64>(
                    "SELECT CAST(COUNT(*) AS BIGINT) FROM newsletter_deliveries WHERE member_id = $1 \
                     AND state IN ('sent', 'unconfirmed')",
                    kernel::params![member],
                )
                .await?
                .unwrap_or_default();
            Ok(serde_json::json!({ "preferences": p, "stopped_addresses": stopped, "issues_sent": issues_sent }))
        })
    }
}

pub(crate) async fn erase(tx: &DatabaseTransaction, member: MemberId) -> anyhow::Result<()> {
    db::exec(tx, "DELETE FROM newsletter_preferences WHERE member_id = $1", params![member]).await?;
    db::exec(tx, "DELETE FROM newsletter_deliveries WHERE member_id = $1", params![member]).await?;
    db::exec(tx, "DELETE FROM newsletter_suppressions WHERE member_id = $1", params![member]).await?;
    Ok(())
}
