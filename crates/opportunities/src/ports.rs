//! The ports this slice provides: partners and their contact people, for the surveys'
//! partner view (`contracts::surveys::PartnerContacts`).

use contracts::surveys::{PartnerContacts, PartnerRef};
use futures::future::BoxFuture;
use kernel::db::Db;
use kernel::ids::MemberId;
use kernel::params;
use sea_orm::DbErr;
use uuid::Uuid;

pub(crate) struct Partners;

impl PartnerContacts for Partners {
    fn partners<'a>(&'a self, db: &'a Db) -> BoxFuture<'a, Result<Vec<PartnerRef>, DbErr>> {
        Box::pin(async move {
            #[derive(sea_orm::FromQueryResult)]
            struct Row {
                id: Uuid,
                name: String,
            }
            let rows: Vec<Row> = db.all("SELECT id, name FROM partners ORDER BY name, id", vec![]).await?;
            Ok(rows.into_iter().map(|r| PartnerRef { id: r.id, name: r.name }).collect())
        })
    }

    fn partners_of<'a>(&'a self, db: &'a Db, member: MemberId) -> BoxFuture<'a, Result<Vec<Uuid>, DbErr>> {
        Box::pin(async move {
            #[derive(sea_orm::FromQueryResult)]
            struct Row {
                partner_id: Uuid,
            }
            let rows: Vec<Row> =
                db.all("SELECT partner_id FROM partner_contacts WHERE member_id = $1", params![member]).await?;
            Ok(rows.into_iter().map(|r| r.partner_id).collect())
        })
    }
}
