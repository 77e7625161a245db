//! Deliverables: the links and captions of what a selected member published, each
//! checked for the FTC disclosure when it is handed in, and the staff override of that
//! check, which needs a reason and is audited.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kernel::db::{self, Db, Tx};
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState, FieldErrors, audit, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::disclosure::{self, Verdict};
use crate::history;
use crate::model::Status;
use crate::partners::checked_url;
use crate::settings::OpportunitySettings;

/// A published piece of work: where it is, and its caption as posted.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDeliverable {
    pub url: String,
    pub caption: String,
}

const COLUMNS: &str = "id, application_id, url, caption, disclosure_ok, disclosure_reason, override_ok, override_reason, \
    override_at, approved_at, created_at";

#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct DeliverableRow {
    pub id: Uuid,
    pub application_id: Uuid,
    pub url: String,
    pub caption: String,
    pub disclosure_ok: bool,
    pub disclosure_reason: String,
    pub override_ok: Option<bool>,
    pub override_reason: String,
    pub override_at: Option<DateTime<Utc>>,
    pub approved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl DeliverableRow {
    /// Passes: the check passed, unless staff overrode it (either way).
    pub fn passes(&self) -> bool {
        self.override_ok.unwrap_or(self.disclosure_ok)
    }
}

/// A staff decision that sets the check's verdict aside.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Override {
    pub ok: bool,
    pub reason: String,
    pub at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliverableView {
    pub id: Uuid,
    pub url: String,
    pub caption: String,
    /// The disclosure check as run on the caption.
    pub disclosure: Verdict,
    #[serde(rename = "override")]
    pub override_: Option<Override>,
    /// Whether it counts as disclosed (the check, or the override where there is one).
    pub passes: bool,
    pub approved: bool,
    pub submitted_at: DateTime<Utc>,
}

impl From<DeliverableRow> for DeliverableView {
    fn from(r: DeliverableRow) -> Self {
        DeliverableView {
            id: r.id,
            passes: r.passes(),
            disclosure: Verdict { ok: r.disclosure_ok, reason: r.disclosure_reason },
            override_: r.override_ok.map(|ok| Override { ok, reason: r.override_reason, at: r.override_at }),
            approved: r.approved_at.is_some(),
            submitted_at: r.created_at,
            url: r.url,
            caption: r.caption,
        }
    }
}

/// The member hands in a piece of work for their application (selected, under way, or
/// handed in before and being fixed); the caption is checked at once and the
/// application counts as submitted.
pub async fn submit(
    state: &AppState,
    viewer: &Viewer,
    application: Uuid,
    d: &NewDeliverable,
) -> AppResult<DeliverableView> {
    let me = viewer.require_member()?;
    let mut e = FieldErrors::new();
    let url = checked_url(&mut e, "url", &d.url);
    if url.is_empty() {
        e.add("url", "Give the link to the published post.");
    }
    let caption = d.caption.trim().to_string();
    if caption.is_empty() || caption.chars().count() > 5000 {
        e.add("caption", "Paste the caption as published (up to 5,000 characters).");
    }
    let settings = OpportunitySettings::of(state)?;
    let tx = state.db.begin().await?;
    let app = history::lock(&tx, application).await?;
    if app.member_id != me.id {
        return Err(AppError::NotFound);
    }
    if !app.status().may_deliver() {
        return Err(AppError::conflict(
            "cannot_deliver",
            "Work can be handed in once you are selected, until it is approved.",
        ));
    }
    e.into_result()?;
    let verdict = disclosure::check(&caption, &settings.disclosures, settings.disclosure_within);
    let id = Uuid::now_v7();
    db::exec(
        &tx,
        "INSERT INTO deliverables (id, application_id, url, caption, disclosure_ok, disclosure_reason, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        params![id, application, url, caption, verdict.ok, verdict.reason.clone(), now()],
    )
    .await?;
    if app.status() != Status::Submitted {
        history::record(&tx, &app, Status::Submitted, "", Some(me.id)).await?;
    }
    let row = load(&tx, id).await?;
    tx.commit().await?;
    Ok(row.into())
}

async fn load(tx: &Tx, id: Uuid) -> AppResult<DeliverableRow> {
    db::one(tx, &format!("SELECT {COLUMNS} FROM deliverables WHERE id = $1"), params![id])
        .await?
        .ok_or(AppError::NotFound)
}

/// A staff override of the disclosure check.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideInput {
    /// Whether the deliverable counts as disclosed.
    pub ok: bool,
    /// Why, for the record.
    pub reason: String,
}

/// Sets the disclosure check's verdict aside for one deliverable (staff), with a
/// reason; the decision is audited with the check's own verdict beside it.
pub async fn override_check(
    state: &AppState,
    staff: MemberId,
    id: Uuid,
    o: &OverrideInput,
    ip: &str,
) -> AppResult<DeliverableView> {
    let reason = o.reason.trim().to_string();
    if !(5..=1000).contains(&reason.chars().count()) {
        return Err(AppError::field("reason", "Say why, in 5 to 1,000 characters."));
    }
    let tx = state.db.begin().await?;
    let before = load(&tx, id).await?;
    let app = history::lock(&tx, before.application_id).await?;
    if before.approved_at.is_some() {
        return Err(AppError::conflict("already_approved", "This deliverable is already approved."));
    }
    db::exec(
        &tx,
        "UPDATE deliverables SET override_ok = $1, override_reason = $2, override_by = $3, override_at = $4 WHERE id = $5",
        params![o.ok, reason.clone(), staff, now(), id],
    )
    .await?;
    let detail = serde_json::json!({
        "deliverable": id, "application": app.id, "ok": o.ok, "reason": reason,
        "check": { "ok": before.disclosure_ok, "reason": before.disclosure_reason },
    });
    audit::record(&tx, Some(staff), "disclosure_override", Some(app.member_id), Some(ip), detail).await?;
    let row = load(&tx, id).await?;
    tx.commit().await?;
    Ok(row.into())
}

/// The latest deliverable of an application.
pub async fn latest(tx: &Tx, application: Uuid) -> AppResult<Option<DeliverableRow>> {
    Ok(db::one(
        tx,
        &format!(
            "SELECT {COLUMNS} FROM deliverables WHERE application_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1"
        ),
        params![application],
    )
    .await?)
}

/// The deliverables of each application, newest first, in one query.
pub async fn of_applications(db: &Db, ids: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<DeliverableView>>> {
    let mut out: HashMap<Uuid, Vec<DeliverableView>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM deliverables WHERE application_id IN ({}) ORDER BY created_at DESC, id DESC",
        db::placeholders(1, ids.len())
    );
    let rows: Vec<DeliverableRow> = db.all(&sql, ids.iter().map(|i| sea_orm::Value::from(*i)).collect()).await?;
    for r in rows {
        out.entry(r.application_id).or_default().push(r.into());
    }
    Ok(out)
}
