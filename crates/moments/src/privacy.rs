//! What the moments slice holds about a member (their part of "download my data"): their
//! moments, visibility, history of marks, the requests they made and the offers they
//! answered; and erasure: all of it goes, a request they made keeps no note and no
//! asker (its count stays for the aggregate), an offer made to them goes.

use futures::future::BoxFuture;
use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::params;
use sea_orm::DatabaseTransaction;
use serde::Serialize;

pub struct MomentsExport;

#[derive(Serialize, sea_orm::FromQueryResult)]
struct Offer {
    request_id: uuid::Uuid,
    moment: String,
    status: String,
    offered_at: chrono::DateTime<chrono::Utc>,
}

impl kernel::state::Exporter for MomentsExport {
    fn section(&self) -> &'static str {
        "moments"
    }

    fn export<'a>(&'a self, db: &'a Db, member: MemberId) -> BoxFuture<'a, anyhow::Result<serde_json::Value>> {
        Box::pin(async move {
            let err = |e: kernel::AppError| anyhow::anyhow!("{e}");
            let mine = crate::marks::load(db, member).await.map_err(err)?;
            let history = crate::marks::history(db, member).await.map_err(err)?;
            let requests: Vec<crate::support::MomentsSupportRequest> = db
                .all(
                    "SELECT id, moment AS moment_id, condition_id, note, contact, status, conversation_id, created_at, helped \
                     FROM support_requests WHERE asker_id = $1 ORDER BY created_at",
                    params![member],
                )
                .await?;
            let offers: Vec<Offer> = db
                .all(
                    "SELECT o.request_id, r.moment, o.status, o.offered_at FROM support_offers o \
                     JOIN support_requests r ON r.id = o.request_id WHERE o.volunteer_id = $1 ORDER BY o.offered_at",
                    params![member],
                )
                .await?;
            Ok(serde_json::json!({
                "moments": mine,
                "history": history,
                "support_requests": requests,
                "support_offers": offers,
            }))
        })
    }
}

/// Erases a deleted member from this slice (`MemberDeleted`, consumed as "moments-erasure").
pub(crate) async fn erase(tx: &DatabaseTransaction, member: MemberId) -> anyhow::Result<()> {
    for sql in [
        "DELETE FROM moment_marks WHERE member_id = $1",
        "DELETE FROM moment_settings WHERE member_id = $1",
        "DELETE FROM moment_history WHERE member_id = $1",
        "DELETE FROM support_offers WHERE volunteer_id = $1",
        "UPDATE support_requests SET asker_id = NULL, note = '', condition_id = NULL WHERE asker_id = $1",
        "UPDATE support_requests SET accepted_by = NULL WHERE accepted_by = $1",
        "UPDATE moment_tags SET tagged_by = NULL WHERE tagged_by = $1",
    ] {
        db::exec(tx, sql, params![member]).await?;
    }
    Ok(())
}
