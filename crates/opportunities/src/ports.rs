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

/// The newsletter's part (`contracts::digest::Opportunities`): open opportunities with
/// seats left that the member is eligible for and has not applied to, nearest deadline
/// first — the board's "eligible for me" shelf, through the same views, read for a
/// whole batch of members at once.
pub(crate) struct ForNewsletter;

impl contracts::digest::Part for ForNewsletter {
    fn items_for_each<'a>(
        &'a self,
        state: &'a kernel::AppState,
        viewers: &'a [kernel::viewer::Viewer],
        limit: u64,
    ) -> BoxFuture<'a, kernel::AppResult<Vec<Vec<contracts::digest::DigestItem>>>> {
        Box::pin(async move {
            let members: Vec<MemberId> =
                viewers.iter().map(|v| v.require_member().map(|m| m.id)).collect::<Result<_, _>>()?;
            let each = match crate::board::open_to_each(state, &members).await? {
                Some(each) => each,
                None => {
                    // More open at once than a batch reads: each member's own shelf.
                    let mut each = Vec::with_capacity(viewers.len());
                    for (viewer, member) in viewers.iter().zip(&members) {
                        let candidate = crate::board::candidate_of(state, *member).await?;
                        let shelf = crate::catalogue::Shelf::EligibleForMe;
                        let rows = crate::catalogue::list(&state.db, &candidate, shelf, None, None, 50).await?.items;
                        each.push(crate::board::views(state, viewer, rows).await?);
                    }
                    each
                }
            };
            Ok(each.into_iter().map(|views| newsletter_lines(views, limit)).collect())
        })
    }
}

/// The lines a member's newsletter shows of their views: those they may still apply to.
fn newsletter_lines(views: Vec<crate::board::OpportunityView>, limit: u64) -> Vec<contracts::digest::DigestItem> {
    views
        .into_iter()
        .filter(|v| v.eligible && !v.closed && v.seats_left > 0 && v.my_application.is_none())
        .take(limit as usize)
        .map(|v| contracts::digest::DigestItem {
            href: format!("/opportunities/{}", v.id),
            note: format!("{}, {} — apply by {}", v.kind_label, v.compensation_text, v.apply_by.format("%-d %B")),
            title: v.title,
        })
        .collect()
}
