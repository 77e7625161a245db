//! What the surveys slice tells the others, and what it asks of them.
//!
//! - [`SurveyIncentiveEarned`]: a member completed a survey that pays an incentive in
//!   points; the rewards slice credits them once per response, however often the event
//!   is delivered.
//! - [`PartnerContacts`]: which partners a member is a contact person of (partners live
//!   in the opportunities slice), so a partner's contact sees their surveys' results.

use futures::future::BoxFuture;
use kernel::AppState;
use kernel::db::Db;
use kernel::outbox::DomainEvent;
use kernel::slice::MissingPort;
use sea_orm::DbErr;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::MemberId;

domain_events! {
    /// A member completed an insight survey with an incentive of `points` (above zero):
    /// credited to their ledger once per `response_id`.
    SurveyIncentiveEarned = "SurveyIncentiveEarned" {
        member_id: MemberId,
        survey_id: Uuid,
        response_id: Uuid,
        survey_title: String,
        points: i64,
    }
}

/// A partner organisation, as another slice may name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerRef {
    pub id: Uuid,
    pub name: String,
}

/// Partners and their contact people, provided by the opportunities slice.
pub trait PartnerContacts: Send + Sync {
    /// Every partner, by name.
    fn partners<'a>(&'a self, db: &'a Db) -> BoxFuture<'a, Result<Vec<PartnerRef>, DbErr>>;
    /// The partners `member` is a contact person of.
    fn partners_of<'a>(&'a self, db: &'a Db, member: MemberId) -> BoxFuture<'a, Result<Vec<Uuid>, DbErr>>;
}

/// The partners port, when the opportunities slice is present.
pub fn partner_contacts(state: &AppState) -> Result<&dyn PartnerContacts, MissingPort> {
    state.port::<std::sync::Arc<dyn PartnerContacts>>().map(|p| p.as_ref())
}
