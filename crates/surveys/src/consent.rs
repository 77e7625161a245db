//! Research consent: each member's standing answer to research invitations (yes, ask
//! each time, no), with every change kept as history (it is in the member's export).
//! A member who never answered is asked each time.

use kernel::db;
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppResult, AppState, params};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model::Consent;

/// A member's consent now, `Ask` when they never answered.
pub async fn of<C: ConnectionTrait>(c: &C, member: MemberId) -> AppResult<Consent> {
    let stored: Option<String> =
        db::scalar(c, "SELECT consent FROM research_consents WHERE member_id = $1", params![member]).await?;
    Ok(stored.as_deref().and_then(Consent::parse).unwrap_or(Consent::Ask))
}

/// One change of a member's consent.
#[derive(Debug, Clone, Serialize, ToSchema, sea_orm::FromQueryResult)]
#[schema(as = ResearchConsentChange)]
pub struct ConsentChange {
    pub consent: String,
    pub changed_at: chrono::DateTime<chrono::Utc>,
}

/// Every change of the member's consent, oldest first.
pub async fn history<C: ConnectionTrait>(c: &C, member: MemberId) -> AppResult<Vec<ConsentChange>> {
    Ok(db::all(
        c,
        "SELECT consent, changed_at FROM research_consent_history WHERE member_id = $1 ORDER BY changed_at, id",
        params![member],
    )
    .await?)
}

/// Sets the member's consent; a change (not a repeat) is added to the history.
pub async fn set(state: &AppState, member: MemberId, consent: Consent) -> AppResult<()> {
    let tx = state.db.begin().await?;
    let before: Option<String> =
        db::scalar(&tx, "SELECT consent FROM research_consents WHERE member_id = $1", params![member]).await?;
    if before.as_deref() == Some(consent.as_str()) {
        return Ok(());
    }
    let t = now();
    db::exec(
        &tx,
        "INSERT INTO research_consents (member_id, consent, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (member_id) DO UPDATE SET consent = EXCLUDED.consent, updated_at = EXCLUDED.updated_at",
        params![member, consent.as_str(), t],
    )
    .await?;
    db::exec(
        &tx,
        "INSERT INTO research_consent_history (id, member_id, consent, changed_at) VALUES ($1, $2, $3, $4)",
        params![Uuid::now_v7(), member, consent.as_str(), t],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
