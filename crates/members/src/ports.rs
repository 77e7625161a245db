//! The members port: what other slices may read about members (see
//! `contracts::members::MemberDirectory`), each answer honouring the member's status
//! and field visibility.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use contracts::members::{Condition, MatchProfile, MemberCard, MemberDirectory, MemberType, ProfileView};
use futures::future::BoxFuture;
use kernel::AppResult;
use kernel::db::{Conn, Db};
use kernel::ids::MemberId;
use kernel::params;
use kernel::viewer::Viewer;
use sea_orm::DbErr;
use uuid::Uuid;

/// The members slice's implementation of the port.
pub(crate) struct Directory;

impl MemberDirectory for Directory {
    fn display_names<'a>(
        &'a self,
        c: Conn<'a>,
        ids: &'a [MemberId],
    ) -> BoxFuture<'a, Result<HashMap<MemberId, String>, DbErr>> {
        Box::pin(async move { display_names(&c, ids).await })
    }

    fn display_name_sql(&self, member_id: &str) -> String {
        format!("(SELECT display_name FROM members WHERE id = {member_id})")
    }

    fn active_display_name<'a>(&'a self, c: Conn<'a>, id: MemberId) -> BoxFuture<'a, Result<Option<String>, DbErr>> {
        Box::pin(async move { active_display_name(&c, id).await })
    }

    fn contact_email<'a>(&'a self, c: Conn<'a>, id: MemberId) -> BoxFuture<'a, Result<Option<String>, DbErr>> {
        Box::pin(async move { contact_email(&c, id).await })
    }

    fn verified_addresses<'a>(
        &'a self,
        c: Conn<'a>,
        after: Option<MemberId>,
        limit: u64,
    ) -> BoxFuture<'a, Result<Vec<(MemberId, String)>, DbErr>> {
        Box::pin(async move { verified_addresses(&c, after, limit).await })
    }

    fn active_by_email<'a>(&'a self, c: Conn<'a>, email: &'a str) -> BoxFuture<'a, Result<Option<MemberId>, DbErr>> {
        Box::pin(async move {
            let sql = "SELECT id FROM members WHERE email = $1 AND status = 'active'";
            kernel::db::scalar::<MemberId, _>(&c, sql, params![email.trim().to_lowercase()]).await
        })
    }

    fn exists<'a>(&'a self, c: Conn<'a>, id: MemberId) -> BoxFuture<'a, Result<bool, DbErr>> {
        Box::pin(async move { exists(&c, id).await })
    }

    fn joined_at<'a>(&'a self, c: Conn<'a>, id: MemberId) -> BoxFuture<'a, Result<Option<DateTime<Utc>>, DbErr>> {
        Box::pin(async move { joined_at(&c, id).await })
    }

    fn find_by_names<'a>(
        &'a self,
        c: Conn<'a>,
        names: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<(MemberId, String)>, DbErr>> {
        Box::pin(async move { find_by_names(&c, names).await })
    }

    fn time_zone_of<'a>(&'a self, c: Conn<'a>, id: MemberId) -> BoxFuture<'a, Result<Option<String>, DbErr>> {
        Box::pin(async move { time_zone_of(&c, id).await })
    }

    fn time_zones_of<'a>(
        &'a self,
        c: Conn<'a>,
        ids: &'a [MemberId],
    ) -> BoxFuture<'a, Result<HashMap<MemberId, String>, DbErr>> {
        Box::pin(async move { time_zones_of(&c, ids).await })
    }

    fn shared_conditions<'a>(
        &'a self,
        c: Conn<'a>,
        ids: &'a [MemberId],
    ) -> BoxFuture<'a, Result<HashMap<MemberId, Vec<Uuid>>, DbErr>> {
        Box::pin(async move { shared_conditions(&c, ids).await })
    }

    fn match_profiles<'a>(
        &'a self,
        c: Conn<'a>,
        ids: &'a [MemberId],
    ) -> BoxFuture<'a, Result<HashMap<MemberId, MatchProfile>, DbErr>> {
        Box::pin(async move { match_profiles(&c, ids).await })
    }

    fn conditions<'a>(&'a self, db: &'a Db) -> BoxFuture<'a, Result<Vec<Condition>, DbErr>> {
        Box::pin(crate::conditions::all(db))
    }

    fn existing_conditions<'a>(&'a self, db: &'a Db, ids: &'a [Uuid]) -> BoxFuture<'a, Result<Vec<Uuid>, DbErr>> {
        Box::pin(crate::conditions::existing(db, ids))
    }

    fn profile<'a>(
        &'a self,
        db: &'a Db,
        viewer: &'a Viewer,
        id: MemberId,
    ) -> BoxFuture<'a, AppResult<Option<ProfileView>>> {
        Box::pin(crate::profile::view(db, viewer, id))
    }

    fn may_suspend<'a>(
        &'a self,
        state: &'a kernel::AppState,
        actor: MemberId,
        member: MemberId,
    ) -> BoxFuture<'a, AppResult<()>> {
        Box::pin(crate::accounts::may_suspend(state, actor, member))
    }

    fn search<'a>(
        &'a self,
        db: &'a Db,
        viewer: &'a Viewer,
        q: &'a str,
        limit: u64,
    ) -> BoxFuture<'a, AppResult<Vec<MemberCard>>> {
        Box::pin(async move {
            let filters =
                crate::directory::Filters { q: Some(q.to_string()), limit: Some(limit), ..Default::default() };
            Ok(crate::directory::search(db, viewer, &filters).await?.items)
        })
    }
}

/// The address at which other slices may e-mail a member about their own activity
/// (active accounts only). Never for display.
async fn contact_email<C: sea_orm::ConnectionTrait>(c: &C, id: MemberId) -> Result<Option<String>, sea_orm::DbErr> {
    Ok(kernel::db::scalar::<Option<String>, _>(
        c,
        "SELECT email FROM members WHERE id = $1 AND status = 'active'",
        params![id],
    )
    .await?
    .flatten())
}

/// Active members with a verified address, in id order after `after` (keyset paging).
async fn verified_addresses<C: sea_orm::ConnectionTrait>(
    c: &C,
    after: Option<MemberId>,
    limit: u64,
) -> Result<Vec<(MemberId, String)>, sea_orm::DbErr> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        id: MemberId,
        email: String,
    }
    let (filter, mut p) = match after {
        Some(a) => ("AND id > $1", params![a]),
        None => ("", params![]),
    };
    p.push((limit.min(10_000) as i64).into());
    let sql = format!(
        "SELECT id, email FROM members WHERE status = 'active' AND email_verified_at IS NOT NULL \
         AND email IS NOT NULL {filter} ORDER BY id LIMIT ${}",
        p.len()
    );
    let rows: Vec<Row> = kernel::db::all(c, &sql, p).await?;
    Ok(rows.into_iter().map(|r| (r.id, r.email)).collect())
}

/// Whether an account exists and is not deleted.
async fn exists<C: sea_orm::ConnectionTrait>(c: &C, id: MemberId) -> Result<bool, sea_orm::DbErr> {
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
async fn display_names<C: sea_orm::ConnectionTrait>(
    c: &C,
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
    let rows: Vec<Row> = kernel::db::all(
        c,
        &format!("SELECT id, display_name FROM members WHERE id IN ({placeholders})"),
        ids.iter().map(|i| sea_orm::Value::from(*i)).collect(),
    )
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.display_name)).collect())
}

/// A member's own time zone (IANA name), if they set one.
async fn time_zone_of<C: sea_orm::ConnectionTrait>(c: &C, id: MemberId) -> Result<Option<String>, sea_orm::DbErr> {
    Ok(kernel::db::scalar::<String, _>(c, "SELECT time_zone FROM members WHERE id = $1", params![id])
        .await?
        .filter(|z| !z.is_empty()))
}

/// The time zones of those of `ids` who set one.
async fn time_zones_of<C: sea_orm::ConnectionTrait>(
    c: &C,
    ids: &[MemberId],
) -> Result<HashMap<MemberId, String>, sea_orm::DbErr> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        id: MemberId,
        time_zone: String,
    }
    let mut zones = HashMap::new();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT id, time_zone FROM members WHERE id IN ({}) AND time_zone <> ''",
            kernel::db::placeholders(1, chunk.len())
        );
        let rows: Vec<Row> = kernel::db::all(c, &sql, chunk.iter().map(|m| (*m).into()).collect()).await?;
        zones.extend(rows.into_iter().map(|r| (r.id, r.time_zone)));
    }
    Ok(zones)
}

/// For each member, the conditions they show to other members (never private ones):
/// other slices may use these to bring people together without revealing more.
async fn shared_conditions<C: sea_orm::ConnectionTrait>(
    c: &C,
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
    let rows: Vec<Row> = kernel::db::all(
        c,
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

/// What each active member's profile offers for matching (three queries whatever the
/// number of members): the fields they show to members or to everyone; a private field
/// is named in `withheld` instead.
async fn match_profiles<C: sea_orm::ConnectionTrait>(
    c: &C,
    ids: &[MemberId],
) -> Result<HashMap<MemberId, MatchProfile>, DbErr> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        id: MemberId,
        member_type: String,
        country: String,
        languages: String,
        health_leader_since: Option<DateTime<Utc>>,
        vis_member_type: String,
        vis_conditions: String,
        vis_channels: String,
        vis_location: String,
        vis_languages: String,
    }
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let placeholders = kernel::db::placeholders(1, ids.len());
    let rows: Vec<Row> = kernel::db::all(
        c,
        &format!(
            "SELECT id, member_type, country, languages, health_leader_since, vis_member_type, vis_conditions, \
             vis_channels, vis_location, vis_languages FROM members WHERE id IN ({placeholders}) AND status = 'active'"
        ),
        ids.iter().map(|i| sea_orm::Value::from(*i)).collect(),
    )
    .await?;
    let mut conditions = shared_conditions(c, ids).await?;
    let mut channels = shared_channels(c, ids).await?;
    let shown = |v: &str| v == "public" || v == "members";
    let mut out = HashMap::with_capacity(rows.len());
    for r in rows {
        let withheld = [
            ("member_type", &r.vis_member_type),
            ("conditions", &r.vis_conditions),
            ("location", &r.vis_location),
            ("languages", &r.vis_languages),
            ("channels", &r.vis_channels),
        ]
        .into_iter()
        .filter(|(_, v)| !shown(v))
        .map(|(f, _)| f.to_string())
        .collect();
        let profile = MatchProfile {
            member_type: MemberType::parse(&r.member_type).filter(|_| shown(&r.vis_member_type)),
            conditions: conditions.remove(&r.id).unwrap_or_default(),
            country: Some(r.country.to_uppercase()).filter(|c| !c.is_empty() && shown(&r.vis_location)),
            languages: if shown(&r.vis_languages) {
                r.languages.split(',').map(|l| l.trim().to_lowercase()).filter(|l| !l.is_empty()).collect()
            } else {
                vec![]
            },
            channels: channels.remove(&r.id).unwrap_or_default(),
            health_leader: r.health_leader_since.is_some(),
            withheld,
        };
        out.insert(r.id, profile);
    }
    Ok(out)
}

/// For each member, (platform, audience size) of the channels they show to members.
async fn shared_channels<C: sea_orm::ConnectionTrait>(
    c: &C,
    ids: &[MemberId],
) -> Result<HashMap<MemberId, Vec<(String, i64)>>, DbErr> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        member_id: MemberId,
        platform: String,
        audience_size: i64,
    }
    let placeholders = kernel::db::placeholders(1, ids.len());
    let rows: Vec<Row> = kernel::db::all(
        c,
        &format!(
            "SELECT ch.member_id, ch.platform, ch.audience_size FROM member_channels ch JOIN members m ON m.id = ch.member_id \
             WHERE ch.member_id IN ({placeholders}) AND m.vis_channels IN ('public', 'members') ORDER BY ch.position"
        ),
        ids.iter().map(|i| sea_orm::Value::from(*i)).collect(),
    )
    .await?;
    let mut out: HashMap<MemberId, Vec<(String, i64)>> = HashMap::new();
    for r in rows {
        out.entry(r.member_id).or_default().push((r.platform, r.audience_size));
    }
    Ok(out)
}

/// The display name of an active member (for other slices naming people they link to).
async fn active_display_name<C: sea_orm::ConnectionTrait>(
    c: &C,
    id: MemberId,
) -> Result<Option<String>, sea_orm::DbErr> {
    kernel::db::scalar(c, "SELECT display_name FROM members WHERE id = $1 AND status = 'active'", params![id]).await
}

/// When an active member joined (for other slices' limits on new accounts).
async fn joined_at<C: sea_orm::ConnectionTrait>(
    c: &C,
    id: MemberId,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, sea_orm::DbErr> {
    kernel::db::scalar(c, "SELECT created_at FROM members WHERE id = $1 AND status = 'active'", params![id]).await
}

/// Active members whose display name is one of `names` (compared case-insensitively),
/// for resolving @mentions. One query.
async fn find_by_names<C: sea_orm::ConnectionTrait>(
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

/// Creating admins from the command line.
pub(crate) struct Admins;

impl contracts::members::AdminAccounts for Admins {
    fn create_admin<'a>(
        &'a self,
        state: &'a kernel::AppState,
        email: &'a str,
        name: &'a str,
        password: &'a str,
    ) -> BoxFuture<'a, AppResult<MemberId>> {
        Box::pin(crate::accounts::create_admin(state, email, name, password))
    }

    fn invite_guest_judge<'a>(
        &'a self,
        state: &'a kernel::AppState,
        email: &'a str,
        name: &'a str,
    ) -> BoxFuture<'a, AppResult<MemberId>> {
        Box::pin(crate::accounts::invite_guest_judge(state, email, name))
    }
}
