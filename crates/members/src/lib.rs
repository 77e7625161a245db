//! The members slice: accounts, profiles with per-field privacy, the member
//! directory, conditions, and each member's own data (export, erasure).

pub mod accounts;
pub mod api;
pub mod avatar;
pub mod check;
pub mod conditions;
pub mod data;
pub mod demo;
pub mod demo_data;
pub mod directory;
pub mod model;
pub mod password;
pub mod profile;
pub mod scale;
pub mod seed_data;
pub mod web;

use futures::future::BoxFuture;
use kernel::db::Db;
use kernel::ids::MemberId;
use kernel::viewer::{Member, Role, ViewerDirectory};
use kernel::{AppState, params};

/// Resolves session holders to viewers for the kernel.
pub struct Viewers;

#[derive(sea_orm::FromQueryResult)]
struct ViewerRow {
    display_name: String,
    role: String,
    health_leader_since: Option<kernel::time::Instant>,
}

impl ViewerDirectory for Viewers {
    fn load<'a>(&'a self, db: &'a Db, id: MemberId) -> BoxFuture<'a, anyhow::Result<Option<Member>>> {
        Box::pin(async move {
            let row: Option<ViewerRow> = db
                .one(
                    "SELECT display_name, role, health_leader_since FROM members WHERE id = $1 AND status = 'active' \
                     AND email_verified_at IS NOT NULL",
                    params![id],
                )
                .await?;
            Ok(row.map(|r| Member {
                id,
                display_name: r.display_name,
                role: Role::parse(&r.role).unwrap_or(Role::Member),
                health_leader: r.health_leader_since.is_some(),
            }))
        })
    }
}

/// Work to do at start-up: reference data every install needs.
pub async fn prepare(state: &AppState) -> anyhow::Result<()> {
    conditions::seed(&state.db).await?;
    Ok(())
}

/// The slice's routes: HTML pages and the JSON API.
pub fn router() -> axum::Router<AppState> {
    web::router().merge(api::router())
}

/// The address at which other slices may e-mail a member about their own activity
/// (active accounts only). Never for display.
pub async fn contact_email<C: sea_orm::ConnectionTrait>(c: &C, id: MemberId) -> Result<Option<String>, sea_orm::DbErr> {
    Ok(kernel::db::scalar::<Option<String>, _>(
        c,
        "SELECT email FROM members WHERE id = $1 AND status = 'active'",
        params![id],
    )
    .await?
    .flatten())
}

/// Whether an account exists and is not deleted.
pub async fn exists<C: sea_orm::ConnectionTrait>(c: &C, id: MemberId) -> Result<bool, sea_orm::DbErr> {
    Ok(kernel::db::scalar::<i64, _>(
        c,
        "SELECT COUNT(*) FROM members WHERE id = $1 AND status <> 'deleted'",
        params![id],
    )
    .await?
    .unwrap_or(0)
        > 0)
}

/// Display names for a set of members (one query), for other slices' lists.
pub async fn display_names(
    db: &Db,
    ids: &[MemberId],
) -> Result<std::collections::HashMap<MemberId, String>, sea_orm::DbErr> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        id: MemberId,
        display_name: String,
    }
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let placeholders = kernel::db::placeholders(1, ids.len());
    let rows: Vec<Row> = db
        .all(
            &format!("SELECT id, display_name FROM members WHERE id IN ({placeholders})"),
            ids.iter().map(|i| sea_orm::Value::from(*i)).collect(),
        )
        .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.display_name)).collect())
}

/// A member's own time zone (IANA name), if they set one.
pub async fn time_zone_of(db: &Db, id: MemberId) -> Result<Option<String>, sea_orm::DbErr> {
    Ok(db.scalar::<String>("SELECT time_zone FROM members WHERE id = $1", params![id]).await?.filter(|z| !z.is_empty()))
}

/// For each member, the conditions they show to other members (never private ones):
/// other slices may use these to bring people together without revealing more.
pub async fn shared_conditions(
    db: &Db,
    ids: &[MemberId],
) -> Result<std::collections::HashMap<MemberId, Vec<uuid::Uuid>>, sea_orm::DbErr> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        member_id: MemberId,
        condition_id: uuid::Uuid,
    }
    let mut out: std::collections::HashMap<MemberId, Vec<uuid::Uuid>> = Default::default();
    if ids.is_empty() {
        return Ok(out);
    }
    let placeholders = kernel::db::placeholders(1, ids.len());
    let rows: Vec<Row> = db
        .all(
            &format!(
                "SELECT mc.member_id, mc.condition_id FROM member_conditions mc JOIN members m ON m.id = mc.member_id \
                 WHERE mc.member_id IN ({placeholders}) AND m.vis_conditions IN ('public', 'members')"
            ),
            ids.iter().map(|i| sea_orm::Value::from(*i)).collect(),
        )
        .await?;
    for r in rows {
        out.entry(r.member_id).or_default().push(r.condition_id);
    }
    Ok(out)
}

/// The display name of an active member (for other slices naming people they link to).
pub async fn active_display_name<C: sea_orm::ConnectionTrait>(
    c: &C,
    id: MemberId,
) -> Result<Option<String>, sea_orm::DbErr> {
    kernel::db::scalar(c, "SELECT display_name FROM members WHERE id = $1 AND status = 'active'", params![id]).await
}

/// The member an account-deletion event is about (for other slices' erasure consumers).
pub fn deleted_member(event: &kernel::outbox::Event) -> Option<MemberId> {
    (event.kind == model::events::MEMBER_DELETED)
        .then(|| event.payload_json()["member_id"].as_str().and_then(|s| s.parse::<MemberId>().ok()))
        .flatten()
}

/// When an active member joined (for other slices' limits on new accounts).
pub async fn joined_at<C: sea_orm::ConnectionTrait>(
    c: &C,
    id: MemberId,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, sea_orm::DbErr> {
    kernel::db::scalar(c, "SELECT created_at FROM members WHERE id = $1 AND status = 'active'", params![id]).await
}

/// Active members whose display name is one of `names` (compared case-insensitively),
/// for resolving @mentions. One query.
pub async fn find_by_names<C: sea_orm::ConnectionTrait>(
    c: &C,
    names: &[String],
) -> Result<Vec<(MemberId, String)>, sea_orm::DbErr> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        id: MemberId,
        name_key: String,
    }
    if names.is_empty() {
        return Ok(vec![]);
    }
    let placeholders = kernel::db::placeholders(1, names.len());
    let rows: Vec<Row> = kernel::db::all(
        c,
        &format!("SELECT id, name_key FROM members WHERE status = 'active' AND name_key IN ({placeholders})"),
        names.iter().map(|n| sea_orm::Value::from(n.to_lowercase())).collect(),
    )
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name_key)).collect())
}
