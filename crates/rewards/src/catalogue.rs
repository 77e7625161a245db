//! The rewards catalogue.

use kernel::db::Db;
use kernel::ids::MemberId;
use kernel::time::{Instant, now};
use kernel::{AppError, AppResult, AppState, FieldErrors, audit, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How a reward reaches the member.
pub const FULFILMENTS: &[(&str, &str)] = &[
    ("digital_code", "Digital code"),
    ("shipped_item", "Shipped item"),
    ("donation", "Donation to a charity"),
    ("event_ticket", "Event ticket"),
];

#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct Reward {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub image_url: Option<String>,
    pub cost: i64,
    /// Left in stock; absent when unlimited.
    pub stock: Option<i64>,
    pub per_member_limit: Option<i64>,
    pub fulfilment: String,
    pub charity: Option<String>,
    pub active_from: Option<chrono::DateTime<chrono::Utc>>,
    pub active_until: Option<chrono::DateTime<chrono::Utc>>,
    pub active: bool,
}

const COLUMNS: &str = "id, name, description, image_url, cost, stock, per_member_limit, fulfilment, charity, active_from, active_until, active";

impl Reward {
    /// Whether it can be redeemed at `at`.
    pub fn available_at(&self, at: Instant) -> bool {
        self.active && self.active_from.is_none_or(|f| f <= at) && self.active_until.is_none_or(|u| at < u)
    }
}

/// Rewards members can see now, cheapest first.
pub async fn available(db: &Db) -> Result<Vec<Reward>, sea_orm::DbErr> {
    let t = now();
    db.all(
        &format!("SELECT {COLUMNS} FROM rewards WHERE {} ORDER BY cost, id", available_sql("rewards", "$1")),
        params![t],
    )
    .await
}

/// Whether the reward aliased `r` is on offer at the moment held by the placeholder `at`.
pub fn available_sql(r: &str, at: &str) -> String {
    format!(
        "{r}.active = TRUE AND ({r}.active_from IS NULL OR {r}.active_from <= {at}) \
         AND ({r}.active_until IS NULL OR {r}.active_until > {at})"
    )
}

pub async fn get<C: sea_orm::ConnectionTrait>(c: &C, id: Uuid) -> AppResult<Reward> {
    kernel::db::one(c, &format!("SELECT {COLUMNS} FROM rewards WHERE id = $1"), params![id])
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReward {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub cost: i64,
    /// Omit or null for unlimited.
    pub stock: Option<i64>,
    pub per_member_limit: Option<i64>,
    /// digital_code, shipped_item, donation or event_ticket
    pub fulfilment: Option<String>,
    pub charity: Option<String>,
    pub image_url: Option<String>,
    pub active_from: Option<chrono::DateTime<chrono::Utc>>,
    pub active_until: Option<chrono::DateTime<chrono::Utc>>,
}

/// A change to a reward (the API's `PATCH`): each field sent replaces the stored one, each
/// left out stays; `null` clears a field that may be empty (no stock limit, no end date).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RewardPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub cost: Option<i64>,
    /// null for unlimited.
    #[serde(default, deserialize_with = "sent")]
    #[schema(value_type = Option<i64>)]
    pub stock: Option<Option<i64>>,
    /// null for no limit.
    #[serde(default, deserialize_with = "sent")]
    #[schema(value_type = Option<i64>)]
    pub per_member_limit: Option<Option<i64>>,
    /// digital_code, shipped_item, donation or event_ticket
    pub fulfilment: Option<String>,
    #[serde(default, deserialize_with = "sent")]
    #[schema(value_type = Option<String>)]
    pub charity: Option<Option<String>>,
    #[serde(default, deserialize_with = "sent")]
    #[schema(value_type = Option<String>)]
    pub image_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "sent")]
    #[schema(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub active_from: Option<Option<chrono::DateTime<chrono::Utc>>>,
    #[serde(default, deserialize_with = "sent")]
    #[schema(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub active_until: Option<Option<chrono::DateTime<chrono::Utc>>>,
    /// false retires the reward (members no longer see or redeem it); true offers it again.
    pub active: Option<bool>,
}

/// A field that was sent (`Some`), as its value or `null` (`Some(None)`); left out, the
/// field's default makes it `None`.
fn sent<'de, T: Deserialize<'de>, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

impl RewardPatch {
    /// `stored` with this change made: the reward to check and store, and whether it is offered.
    pub fn applied_to(&self, stored: &Reward) -> (NewReward, bool) {
        let new = NewReward {
            name: self.name.clone().unwrap_or_else(|| stored.name.clone()),
            description: self.description.clone().unwrap_or_else(|| stored.description.clone()),
            cost: self.cost.unwrap_or(stored.cost),
            stock: self.stock.unwrap_or(stored.stock),
            per_member_limit: self.per_member_limit.unwrap_or(stored.per_member_limit),
            fulfilment: Some(self.fulfilment.clone().unwrap_or_else(|| stored.fulfilment.clone())),
            charity: self.charity.clone().unwrap_or_else(|| stored.charity.clone()),
            image_url: self.image_url.clone().unwrap_or_else(|| stored.image_url.clone()),
            active_from: self.active_from.unwrap_or(stored.active_from),
            active_until: self.active_until.unwrap_or(stored.active_until),
        };
        (new, self.active.unwrap_or(stored.active))
    }
}

/// A reward's fields checked: its trimmed name and its way of fulfilment.
fn check(r: &NewReward) -> AppResult<(String, String)> {
    let mut e = FieldErrors::new();
    let name = r.name.trim();
    e.check_length("name", name, 1..=120, "Give the reward a name of 1 to 120 characters.");
    e.check_length("description", &r.description, 0..=2000, "Keep the description under 2,000 characters.");
    if !(1..=10_000_000).contains(&r.cost) {
        e.add("cost", "Cost must be from 1 to 10,000,000 points.");
    }
    if r.stock.is_some_and(|s| !(0..=10_000_000).contains(&s)) {
        e.add("stock", "Stock must be from 0 to 10,000,000, or empty for unlimited.");
    }
    if r.per_member_limit.is_some_and(|l| !(1..=10_000).contains(&l)) {
        e.add("per_member_limit", "The limit per member must be from 1 to 10,000, or empty for none.");
    }
    let fulfilment = r.fulfilment.clone().unwrap_or_else(|| "digital_code".into());
    if !FULFILMENTS.iter().any(|(k, _)| *k == fulfilment) {
        e.add("fulfilment", "Choose digital_code, shipped_item, donation or event_ticket.");
    }
    if fulfilment == "donation" && r.charity.as_deref().is_none_or(|c| c.trim().is_empty()) {
        e.add("charity", "Name the charity the donation goes to.");
    }
    if r.image_url.as_deref().is_some_and(|u| !u.starts_with("https://") && !u.starts_with('/')) {
        e.add("image_url", "Use an https:// address or a path on this site.");
    }
    if let (Some(f), Some(u)) = (r.active_from, r.active_until)
        && u <= f
    {
        e.add("active_until", "The end must come after the start.");
    }
    e.into_result()?;
    Ok((name.to_string(), fulfilment))
}

/// The reward's columns that staff set, as `$1` to `$10` in the statements that set them.
const STAFF_SET: &str =
    "name, description, image_url, cost, stock, per_member_limit, fulfilment, charity, active_from, active_until";

/// The checked reward's values for [`STAFF_SET`].
fn staff_set(r: &NewReward, name: &str, fulfilment: &str) -> Vec<kernel::db::SqlValue> {
    params![
        name,
        r.description.trim(),
        r.image_url.clone(),
        r.cost,
        r.stock,
        r.per_member_limit,
        fulfilment,
        r.charity.clone().map(|c| c.trim().to_string()),
        r.active_from,
        r.active_until
    ]
}

/// Adds a reward (staff). Audited.
pub async fn create(state: &AppState, actor: MemberId, r: &NewReward, ip: &str) -> AppResult<Reward> {
    let (name, fulfilment) = check(r)?;
    let id = Uuid::now_v7();
    let tx = state.db.begin().await?;
    let mut values = staff_set(r, &name, &fulfilment);
    values.extend(params![id, now()]);
    let sql = format!(
        "INSERT INTO rewards ({STAFF_SET}, id, created_at, active) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, TRUE)"
    );
    kernel::db::exec(&tx, &sql, values).await?;
    let detail = serde_json::json!({ "reward": id, "name": name, "cost": r.cost });
    audit::record(&tx, Some(actor), "reward_created", None, Some(ip), detail).await?;
    tx.commit().await?;
    get(state.db.writer(), id).await
}

/// Every reward, live ones first, by name (the staff catalogue).
pub async fn all(db: &Db) -> Result<Vec<Reward>, sea_orm::DbErr> {
    db.all(&format!("SELECT {COLUMNS} FROM rewards ORDER BY active DESC, name, id"), params![]).await
}

/// Changes a reward (staff) by the same checks as adding one; `active: false` retires it
/// (members no longer see or redeem it; redemptions already made stay). Audited.
pub async fn update(
    state: &AppState,
    actor: MemberId,
    id: Uuid,
    r: &NewReward,
    active: bool,
    ip: &str,
) -> AppResult<Reward> {
    let (name, fulfilment) = check(r)?;
    let tx = state.db.begin().await?;
    let mut values = staff_set(r, &name, &fulfilment);
    values.extend(params![active, id]);
    let set: Vec<String> = STAFF_SET.split(", ").enumerate().map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
    let sql = format!("UPDATE rewards SET {}, active = $11 WHERE id = $12", set.join(", "));
    let changed = kernel::db::exec(&tx, &sql, values).await?;
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    let detail = serde_json::json!({ "reward": id, "name": name, "cost": r.cost, "active": active });
    audit::record(&tx, Some(actor), "reward_updated", None, Some(ip), detail).await?;
    tx.commit().await?;
    get(state.db.writer(), id).await
}

/// Changes some of a reward's fields (staff), keeping the rest, by [`update`]'s checks.
pub async fn patch(state: &AppState, actor: MemberId, id: Uuid, change: &RewardPatch, ip: &str) -> AppResult<Reward> {
    let stored = get(state.db.writer(), id).await?;
    let (new, active) = change.applied_to(&stored);
    update(state, actor, id, &new, active, ip).await
}

/// Deletes a reward nobody has redeemed (staff). One that has been redeemed is part of
/// members' histories and the ledger's reasons, so it is retired instead (409 says so).
pub async fn delete(state: &AppState, actor: MemberId, id: Uuid, ip: &str) -> AppResult<()> {
    let tx = state.db.begin().await?;
    // Held until the end, so no redemption slips in between the count and the delete.
    let locked = format!("SELECT id FROM rewards WHERE id = $1{}", kernel::db::for_update(&tx));
    kernel::db::scalar::<Uuid, _>(&tx, &locked, params![id]).await?.ok_or(AppError::NotFound)?;
    let redeemed: i64 = kernel::db::scalar(&tx, "SELECT COUNT(*) FROM redemptions WHERE reward_id = $1", params![id])
        .await?
        .unwrap_or(0);
    if redeemed > 0 {
        return Err(AppError::conflict(
            "reward_redeemed",
            "This reward has been redeemed, so it cannot be deleted: retire it instead (untick \u{201c}Offered to members\u{201d}).",
        ));
    }
    if kernel::db::exec(&tx, "DELETE FROM rewards WHERE id = $1", params![id]).await? == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(&tx, Some(actor), "reward_deleted", None, Some(ip), serde_json::json!({ "reward": id })).await?;
    tx.commit().await?;
    Ok(())
}
