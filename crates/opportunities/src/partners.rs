//! Partners: the organisations that sponsor opportunities, and the members who are
//! their contact people (whose partner view shows their own opportunities' figures).

use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppError, AppResult, AppState, FieldErrors, audit, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, ToSchema, sea_orm::FromQueryResult)]
pub struct Partner {
    pub id: Uuid,
    pub name: String,
    pub website: String,
    pub logo_url: String,
}

/// A new partner (staff).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPartner {
    pub name: String,
    /// The partner's site (http or https), or empty.
    #[serde(default)]
    pub website: String,
    /// An image address for the partner's logo (https), or empty.
    #[serde(default)]
    pub logo_url: String,
    /// Members who are the partner's contact people.
    #[serde(default)]
    pub contact_member_ids: Vec<MemberId>,
}

/// A web address given by staff: empty, or an absolute http(s) URL.
pub fn checked_url(e: &mut FieldErrors, field: &str, text: &str) -> String {
    let t = text.trim();
    if !t.is_empty() {
        let ok = url::Url::parse(t).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if !ok || t.len() > 500 {
            e.add(field, "Give a full web address starting with https://, or leave it empty.");
        }
    }
    t.to_string()
}

/// Adds a partner with its contact people; a second partner of the same name is a 409.
pub async fn create(state: &AppState, actor: MemberId, p: &NewPartner, ip: &str) -> AppResult<Partner> {
    let mut e = FieldErrors::new();
    let name = p.name.trim().to_string();
    if !(2..=120).contains(&name.chars().count()) {
        e.add("name", "Give the partner's name, 2 to 120 characters.");
    }
    let website = checked_url(&mut e, "website", &p.website);
    let logo_url = checked_url(&mut e, "logo_url", &p.logo_url);
    e.into_result()?;
    let people = contracts::members::directory(state)?;
    for m in &p.contact_member_ids {
        if !people.exists((&state.db).into(), *m).await? {
            return Err(AppError::field("contact_member_ids", "One of the contact people is not a member."));
        }
    }
    let id = Uuid::now_v7();
    let tx = state.db.begin().await?;
    let added = db::exec(
        &tx,
        "INSERT INTO partners (id, name, name_key, website, logo_url, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (name_key) DO NOTHING",
        params![id, name.clone(), name.to_lowercase(), website.clone(), logo_url.clone(), actor, now()],
    )
    .await?;
    if added == 0 {
        return Err(AppError::conflict("partner_exists", "There is already a partner of that name."));
    }
    for m in &p.contact_member_ids {
        add_contact(&tx, id, *m).await?;
    }
    audit::record(
        &tx,
        Some(actor),
        "partner_created",
        None,
        Some(ip),
        serde_json::json!({ "partner": id, "name": name }),
    )
    .await?;
    tx.commit().await?;
    Ok(Partner { id, name, website, logo_url })
}

async fn add_contact(tx: &db::Tx, partner: Uuid, member: MemberId) -> AppResult<()> {
    db::exec(
        tx,
        "INSERT INTO partner_contacts (partner_id, member_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        params![partner, member, now()],
    )
    .await?;
    Ok(())
}

/// Makes a member a contact person of a partner (staff). Audited.
pub async fn add_contact_person(
    state: &AppState,
    actor: MemberId,
    partner: Uuid,
    member: MemberId,
    ip: &str,
) -> AppResult<()> {
    get(&state.db, partner).await?;
    if !contracts::members::directory(state)?.exists((&state.db).into(), member).await? {
        return Err(AppError::field("member_id", "There is no such member."));
    }
    let tx = state.db.begin().await?;
    add_contact(&tx, partner, member).await?;
    audit::record(
        &tx,
        Some(actor),
        "partner_contact_added",
        Some(member),
        Some(ip),
        serde_json::json!({ "partner": partner }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn get(db: &Db, id: Uuid) -> AppResult<Partner> {
    db.one("SELECT id, name, website, logo_url FROM partners WHERE id = $1", params![id])
        .await?
        .ok_or(AppError::NotFound)
}

/// Every partner, by name.
pub async fn all(db: &Db) -> AppResult<Vec<Partner>> {
    Ok(db.all("SELECT id, name, website, logo_url FROM partners ORDER BY name_key", params![]).await?)
}

/// The partners `member` is a contact person of.
pub async fn of_contact(db: &Db, member: MemberId) -> AppResult<Vec<Partner>> {
    Ok(db
        .all(
            "SELECT p.id, p.name, p.website, p.logo_url FROM partners p JOIN partner_contacts c ON c.partner_id = p.id \
             WHERE c.member_id = $1 ORDER BY p.name_key",
            params![member],
        )
        .await?)
}
