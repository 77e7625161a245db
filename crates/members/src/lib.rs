//! The members slice: accounts, profiles with per-field privacy, the member
//! directory, conditions, and each member's own data (export, erasure).

mod accounts;
mod analytics;
mod api;
mod avatar;
mod check;
mod conditions;
mod data;
pub mod demo;
mod demo_data;
mod directory;
mod model;
mod password;
mod ports;
mod profile;
mod scale;
mod seed_data;
mod suspensions;
mod web;

use std::sync::Arc;

use contracts::members::MemberDirectory;
use futures::future::BoxFuture;
use kernel::db::Db;
use kernel::ids::MemberId;
use kernel::params;
use kernel::slice::Slice;
use kernel::viewer::{Member, Role, Viewer, ViewerDirectory};

/// Resolves session holders to viewers for the kernel.
pub struct Viewers;

/// An active member as a viewer, from their `members` row.
fn viewer_member(
    id: MemberId,
    display_name: String,
    role: &str,
    health_leader_since: Option<kernel::time::Instant>,
) -> Member {
    Member {
        id,
        display_name,
        role: Role::parse(role).unwrap_or(Role::Member),
        health_leader: health_leader_since.is_some(),
    }
}

#[derive(sea_orm::FromQueryResult)]
struct ViewerRow {
    display_name: String,
    role: String,
    health_leader_since: Option<kernel::time::Instant>,
}

#[derive(sea_orm::FromQueryResult)]
struct ViewerRowWithId {
    id: MemberId,
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
            Ok(row.map(|r| viewer_member(id, r.display_name, &r.role, r.health_leader_since)))
        })
    }

    fn columns_sql(&self, member_id: &str) -> Option<String> {
        // Two lookups by primary key: the name, and the rest as `status:role:leader`.
        let of = |what: &str, name: &str| {
            format!(
                "(SELECT {what} FROM members WHERE id = {member_id} AND status IN ('active', 'guest_judge') \
                 AND email_verified_at IS NOT NULL) AS {name}"
            )
        };
        let standing = "status || ':' || role || ':' || CASE WHEN health_leader_since IS NULL THEN '0' ELSE '1' END";
        Some(format!("{}, {}", of("display_name", "viewer_name"), of(standing, "viewer_standing")))
    }

    fn viewer_of_columns(&self, row: &sea_orm::QueryResult, id: MemberId) -> anyhow::Result<Option<Viewer>> {
        let name: Option<String> = row.try_get("", "viewer_name")?;
        let standing: Option<String> = row.try_get("", "viewer_standing")?;
        let (Some(display_name), Some(standing)) = (name, standing) else { return Ok(None) };
        let mut parts = standing.splitn(3, ':');
        let (status, role, leader) = (parts.next(), parts.next().unwrap_or(""), parts.next() == Some("1"));
        Ok(match status {
            Some("active") => Some(Viewer::Member(Member {
                id,
                display_name,
                role: Role::parse(role).unwrap_or(Role::Member),
                health_leader: leader,
            })),
            Some("guest_judge") => {
                Some(Viewer::GuestJudge(Member { id, display_name, role: Role::Member, health_leader: false }))
            }
            _ => None,
        })
    }

    fn load_many<'a>(
        &'a self,
        db: &'a Db,
        ids: &'a [MemberId],
    ) -> BoxFuture<'a, anyhow::Result<std::collections::HashMap<MemberId, Member>>> {
        Box::pin(async move {
            let mut found = std::collections::HashMap::new();
            for chunk in ids.chunks(500) {
                let sql = format!(
                    "SELECT id, display_name, role, health_leader_since FROM members WHERE id IN ({}) \
                     AND status = 'active' AND email_verified_at IS NOT NULL",
                    kernel::db::placeholders(1, chunk.len())
                );
                let rows: Vec<ViewerRowWithId> = db.all(&sql, chunk.iter().map(|m| (*m).into()).collect()).await?;
                found.extend(
                    rows.into_iter()
                        .map(|r| (r.id, viewer_member(r.id, r.display_name, &r.role, r.health_leader_since))),
                );
            }
            Ok(found)
        })
    }

    fn load_guest_judge<'a>(&'a self, db: &'a Db, id: MemberId) -> BoxFuture<'a, anyhow::Result<Option<Member>>> {
        Box::pin(async move {
            let name: Option<String> = db
                .scalar(
                    "SELECT display_name FROM members WHERE id = $1 AND status = 'guest_judge' \
                     AND email_verified_at IS NOT NULL",
                    params![id],
                )
                .await?;
            Ok(name.map(|display_name| Member { id, display_name, role: Role::Member, health_leader: false }))
        })
    }
}

/// The members slice's manifest.
pub fn slice() -> Slice {
    Slice::new("members")
        .nav(10, "Find Health Leaders", "/members")
        .console(10, "Members", "/admin/members", "Roles, the Health Leader badge and suspensions.")
        .routes(web::router)
        .routes(api::router)
        .openapi(<api::MembersApi as utoipa::OpenApi>::openapi)
        .check(|db| Box::pin(check::run(db)))
        .prepare(|state| {
            Box::pin(async move {
                conditions::seed(&state.db).await?;
                Ok(())
            })
        })
        .demo(|state, people| Box::pin(demo::load(state, people)))
        .scale(|state, run| Box::pin(scale::load(state, run)))
        .wire(|w| {
            w.provide::<Arc<dyn ViewerDirectory>>(Arc::new(Viewers));
            w.provide::<Arc<dyn MemberDirectory>>(Arc::new(ports::Directory));
            w.provide::<Arc<dyn contracts::members::AdminAccounts>>(Arc::new(ports::Admins));
            w.consumer(kernel::outbox::on("members-suspensions", suspensions::suspend));
            w.figures(Arc::new(analytics::section()));
            Ok(())
        })
}
