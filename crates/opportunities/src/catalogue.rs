//! Opportunities as stored: creating one (staff), reading one, and the lists members
//! see — those open to them (filtered in the database by the eligibility rule), every
//! open one, or the closed ones.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::page::{self, Page};
use kernel::time::now;
use kernel::{AppError, AppResult, AppState, audit, params};
use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;

use crate::drafting::Clean;
use crate::model::{Kind, Pay, Status};
use crate::policy::{self, Candidate, RuleColumns, Rules};

/// The columns of [`OpportunityRow`], over [`FROM`].
pub const COLUMNS: &str = "o.id, o.partner_id, p.name AS partner_name, p.website AS partner_website, o.kind, o.title, \
    o.brief, o.compensation, o.amount_cents, o.currency, o.points, o.seats, o.apply_by, o.work_starts_on, o.work_ends_on, \
    o.questions, o.deliverables, o.needs_health_leader, o.followers_channel, o.followers_min, o.needs_credential, o.status";
pub const FROM: &str = "opportunities o JOIN partners p ON p.id = o.partner_id";

#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct OpportunityRow {
    pub id: Uuid,
    pub partner_id: Uuid,
    pub partner_name: String,
    pub partner_website: String,
    pub kind: String,
    pub title: String,
    pub brief: String,
    pub compensation: String,
    pub amount_cents: i64,
    pub currency: String,
    pub points: i64,
    pub seats: i64,
    pub apply_by: DateTime<Utc>,
    pub work_starts_on: String,
    pub work_ends_on: String,
    pub questions: String,
    pub deliverables: String,
    pub needs_health_leader: bool,
    pub followers_channel: Option<String>,
    pub followers_min: Option<i64>,
    pub needs_credential: Option<String>,
    pub status: String,
}

impl OpportunityRow {
    pub fn pay(&self) -> Pay {
        Pay::from_columns(&self.compensation, self.amount_cents, &self.currency, self.points)
    }

    /// Closed to applications: closed by staff, or past its deadline.
    pub fn closed(&self, at: DateTime<Utc>) -> bool {
        self.status != "open" || self.apply_by <= at
    }

    pub fn question_list(&self) -> Vec<String> {
        serde_json::from_str(&self.questions).unwrap_or_default()
    }

    pub fn rule_columns(&self) -> RuleColumns {
        RuleColumns {
            id: self.id,
            followers_channel: self.followers_channel.clone(),
            followers_min: self.followers_min,
            needs_health_leader: self.needs_health_leader,
            needs_credential: self.needs_credential.clone(),
        }
    }
}

/// Stores a validated opportunity (staff); its partner and conditions must exist.
pub async fn create(state: &AppState, actor: MemberId, c: &Clean, ip: &str) -> AppResult<Uuid> {
    crate::partners::get(&state.db, c.partner_id)
        .await
        .map_err(|_| AppError::field("partner_id", "There is no such partner."))?;
    if !c.rules.conditions.is_empty() {
        let known = contracts::members::directory(state)?.existing_conditions(&state.db, &c.rules.conditions).await?;
        if known.len() != c.rules.conditions.len() {
            return Err(AppError::field("conditions", "Choose conditions from the list."));
        }
    }
    let id = Uuid::now_v7();
    let (amount_cents, currency, points) = match &c.pay {
        Pay::Money { amount_cents, currency } => (*amount_cents, currency.clone(), 0),
        Pay::Points { points } => (0, String::new(), *points),
        Pay::Unpaid => (0, String::new(), 0),
    };
    let (channel, min) = c.rules.min_followers.clone().unzip();
    let t = now();
    let tx = state.db.begin().await?;
    db::exec(
        &tx,
        "INSERT INTO opportunities (id, partner_id, kind, title, brief, compensation, amount_cents, currency, points, seats, \
         apply_by, work_starts_on, work_ends_on, questions, deliverables, needs_health_leader, followers_channel, followers_min, \
         needs_credential, status, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, 'open', $20, $21, $21)",
        params![
            id, c.partner_id, c.kind.as_str(), c.title.clone(), c.brief.clone(), c.pay.code(), amount_cents, currency, points,
            c.seats, c.apply_by, c.work_starts_on.clone(), c.work_ends_on.clone(),
            serde_json::to_string(&c.questions).unwrap_or_else(|_| "[]".into()), c.deliverables.clone(),
            c.rules.health_leader, channel, min, c.rules.credential.clone(), actor, t
        ],
    )
    .await?;
    policy::write_list_rules(&tx, id, &c.rules).await?;
    audit::record(&tx, Some(actor), "opportunity_created", None, Some(ip), serde_json::json!({ "opportunity": id }))
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// One opportunity, or 404.
pub async fn load<C: ConnectionTrait>(c: &C, id: Uuid) -> AppResult<OpportunityRow> {
    db::one(c, &format!("SELECT {COLUMNS} FROM {FROM} WHERE o.id = $1"), params![id]).await?.ok_or(AppError::NotFound)
}

/// The rules of one opportunity.
pub async fn rules_of<C: ConnectionTrait>(c: &C, row: &OpportunityRow) -> AppResult<Rules> {
    Ok(policy::load_rules(c, &[row.rule_columns()]).await?.remove(&row.id).unwrap_or_default())
}

/// The rules of each listed opportunity, in one query.
pub async fn rules_of_all(db: &Db, rows: &[OpportunityRow]) -> AppResult<HashMap<Uuid, Rules>> {
    let columns: Vec<RuleColumns> = rows.iter().map(OpportunityRow::rule_columns).collect();
    Ok(policy::load_rules(db.reader(), &columns).await?)
}

/// `a.status IN (…the statuses holding a seat…)`.
pub fn holding_a_seat_sql(a: &str) -> String {
    let list: Vec<String> = Status::HOLDING_A_SEAT.iter().map(|s| format!("'{}'", s.as_str())).collect();
    format!("{a}.status IN ({})", list.join(", "))
}

/// Seats taken on each of `ids`, in one query.
pub async fn seats_taken<C: ConnectionTrait>(c: &C, ids: &[Uuid]) -> AppResult<HashMap<Uuid, i64>> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        opportunity_id: Uuid,
        n: i64,
    }
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT a.opportunity_id, CAST(COUNT(*) AS BIGINT) AS n FROM applications a WHERE a.opportunity_id IN ({}) AND {} \
         GROUP BY a.opportunity_id",
        db::placeholders(1, ids.len()),
        holding_a_seat_sql("a")
    );
    let rows: Vec<Row> = db::all(c, &sql, ids.iter().map(|i| Value::from(*i)).collect()).await?;
    Ok(rows.into_iter().map(|r| (r.opportunity_id, r.n)).collect())
}

/// Which opportunities a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shelf {
    /// Open, and the member is eligible.
    EligibleForMe,
    /// Every open one.
    AllOpen,
    /// Closed ones, most recently closed first.
    Closed,
}

/// A page of opportunities on `shelf` for the member `me`: open ones
/// by nearest deadline, closed ones latest first.
pub async fn list(
    db: &Db,
    me: &Candidate,
    shelf: Shelf,
    kind: Option<Kind>,
    cursor: Option<&str>,
    limit: u64,
) -> AppResult<Page<OpportunityRow>> {
    let t = now();
    let mut values: Vec<Value> = vec![t.into()];
    let mut bind = |v: Value| {
        values.push(v);
        format!("${}", values.len())
    };
    let open = "o.status = 'open' AND o.apply_by > $1";
    let (mut filter, order, after) = match shelf {
        Shelf::EligibleForMe => (format!("{open} AND {}", policy::eligible_sql(me, "o", &mut bind)), "ASC", ">"),
        Shelf::AllOpen => (open.to_string(), "ASC", ">"),
        Shelf::Closed => ("(o.status <> 'open' OR o.apply_by <= $1)".to_string(), "DESC", "<"),
    };
    if let Some(k) = kind {
        filter.push_str(&format!(" AND o.kind = {}", bind(k.as_str().into())));
    }
    if let Some(c) = cursor.filter(|c| !c.is_empty()) {
        let (at, id): (DateTime<Utc>, Uuid) = page::decode(c)?;
        filter.push_str(&format!(" AND (o.apply_by, o.id) {after} ({}, {})", bind(at.into()), bind(id.into())));
    }
    let lim = bind(((limit + 1) as i64).into());
    let sql =
        format!("SELECT {COLUMNS} FROM {FROM} WHERE {filter} ORDER BY o.apply_by {order}, o.id {order} LIMIT {lim}");
    let rows: Vec<OpportunityRow> = db.all(&sql, values).await?;
    Ok(page::finish(rows, limit, |o| (o.apply_by, o.id)))
}

/// Every opportunity, latest deadline first (staff).
pub async fn all_for_staff(db: &Db, limit: u64) -> AppResult<Vec<OpportunityRow>> {
    Ok(db
        .all(
            &format!("SELECT {COLUMNS} FROM {FROM} ORDER BY o.apply_by DESC, o.id DESC LIMIT $1"),
            params![limit as i64],
        )
        .await?)
}

/// Closes an opportunity to applications before its deadline (staff). Audited.
pub async fn close(state: &AppState, actor: MemberId, id: Uuid, ip: &str) -> AppResult<()> {
    let tx = state.db.begin().await?;
    let n = db::exec(
        &tx,
        "UPDATE opportunities SET status = 'closed', updated_at = $1 WHERE id = $2 AND status = 'open'",
        params![now(), id],
    )
    .await?;
    if n == 0 {
        load(&tx, id).await?;
    }
    audit::record(&tx, Some(actor), "opportunity_closed", None, Some(ip), serde_json::json!({ "opportunity": id }))
        .await?;
    tx.commit().await?;
    Ok(())
}
