//! What the opportunities slice holds about a member: their part of the data export,
//! and erasure when the account is deleted.

use futures::future::BoxFuture;
use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::params;
use sea_orm::DatabaseTransaction;
use serde::Serialize;
use uuid::Uuid;

pub struct OpportunitiesExport;

#[derive(Serialize, sea_orm::FromQueryResult)]
struct Application {
    id: Uuid,
    opportunity: String,
    status: String,
    answers: String,
    channels: String,
    created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Serialize, sea_orm::FromQueryResult)]
struct Delivered {
    application_id: Uuid,
    url: String,
    caption: String,
    disclosure_ok: bool,
    created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Serialize, sea_orm::FromQueryResult)]
struct Paid {
    application_id: Uuid,
    status: String,
    amount_cents: i64,
    currency: String,
    points: i64,
    paid_on: Option<String>,
}

#[derive(Serialize, sea_orm::FromQueryResult)]
struct Credential {
    code: String,
    awarded_at: chrono::DateTime<chrono::Utc>,
    source: String,
}

impl kernel::state::Exporter for OpportunitiesExport {
    fn section(&self) -> &'static str {
        "opportunities"
    }

    fn export<'a>(&'a self, db: &'a Db, member: MemberId) -> BoxFuture<'a, anyhow::Result<serde_json::Value>> {
        Box::pin(async move {
            let applications: Vec<Application> = db
                .all(
                    "SELECT a.id, o.title AS opportunity, a.status, a.answers, a.channels, a.created_at \
                     FROM applications a JOIN opportunities o ON o.id = a.opportunity_id WHERE a.member_id = $1 ORDER BY a.created_at",
                    params![member],
                )
                .await?;
            let deliverables: Vec<Delivered> = db
                .all(
                    "SELECT d.application_id, d.url, d.caption, d.disclosure_ok, d.created_at FROM deliverables d \
                     JOIN applications a ON a.id = d.application_id WHERE a.member_id = $1 ORDER BY d.created_at",
                    params![member],
                )
                .await?;
            let payouts: Vec<Paid> = db
                .all(
                    "SELECT application_id, status, amount_cents, currency, points, paid_on FROM payouts WHERE member_id = $1",
                    params![member],
                )
                .await?;
            let credentials: Vec<Credential> = db
                .all(
                    "SELECT code, awarded_at, source FROM member_credentials WHERE member_id = $1 ORDER BY awarded_at, code",
                    params![member],
                )
                .await?;
            let tax_form: Option<String> =
                db.scalar("SELECT status FROM tax_forms WHERE member_id = $1", params![member]).await?;
            Ok(serde_json::json!({
                "applications": applications,
                "deliverables": deliverables,
                "payouts": payouts,
                "credentials": credentials,
                "tax_form": tax_form.unwrap_or_else(|| "missing".into()),
            }))
        })
    }
}

/// Erases a deleted member from this slice (`MemberDeleted`, consumed as
/// "opportunities-erasure"): their answers, chosen channels, the links and captions they
/// handed in, the credentials this slice learned they hold, their tax-form status and any
/// partner contact role go. Applications and
/// payouts stay as nameless records, so seats and finance totals still add up.
pub(crate) async fn erase(tx: &DatabaseTransaction, member: MemberId) -> anyhow::Result<()> {
    db::exec(tx, "UPDATE applications SET answers = '[]', channels = '[]' WHERE member_id = $1", params![member])
        .await?;
    db::exec(
        tx,
        "UPDATE deliverables SET url = '', caption = '' WHERE application_id IN (SELECT id FROM applications WHERE member_id = $1)",
        params![member],
    )
    .await?;
    db::exec(tx, "UPDATE application_history SET message = '' WHERE application_id IN (SELECT id FROM applications WHERE member_id = $1)", params![member]).await?;
    for sql in [
        "DELETE FROM tax_forms WHERE member_id = $1",
        "DELETE FROM partner_contacts WHERE member_id = $1",
        "DELETE FROM member_credentials WHERE member_id = $1",
    ] {
        db::exec(tx, sql, params![member]).await?;
    }
    Ok(())
}
