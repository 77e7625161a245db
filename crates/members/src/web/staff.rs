//! Staff pages: the accounts list with the audit log, and the forms that grant the
//! Health Leader badge, suspend or reinstate an account and change a role.

use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use kernel::http::{ApiQuery, HtmlForm, Req, path_id};
use kernel::ids::MemberId;
use kernel::ui::{self};
use kernel::viewer::Role;
use kernel::{AppError, AppResult};
use serde::Deserialize;

use super::page_response;
use crate::accounts;

#[derive(Deserialize, Default)]
pub(super) struct OnOff {
    #[serde(default)]
    on: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    back: String,
}

pub(super) async fn staff_health_leader(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    HtmlForm(f): HtmlForm<OnOff>,
) -> AppResult<Response> {
    let actor = ctx.viewer.require_role(Role::Staff)?;
    let id: MemberId = path_id(&id)?;
    accounts::set_health_leader(&state, actor.id, id, f.on == "on", &ctx.client_ip).await?;
    let back = if f.back == "list" { "/admin/members".to_string() } else { format!("/members/{id}") };
    Ok(kernel::http::redirect(&back).into_response())
}

pub(super) async fn staff_suspension(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    HtmlForm(f): HtmlForm<OnOff>,
) -> AppResult<Response> {
    let actor = ctx.viewer.require_role(Role::Staff)?;
    let id: MemberId = path_id(&id)?;
    accounts::set_suspended(&state, actor.id, id, f.on == "on", &ctx.client_ip).await?;
    Ok(kernel::http::redirect("/admin/members?status=all").into_response())
}

pub(super) async fn staff_role(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    HtmlForm(f): HtmlForm<OnOff>,
) -> AppResult<Response> {
    let actor = ctx.viewer.require_role(Role::Admin)?;
    let id: MemberId = path_id(&id)?;
    let role =
        Role::parse(&f.role).ok_or_else(|| AppError::field("role", "Choose member, moderator, staff or admin."))?;
    accounts::set_role(&state, actor.id, id, role, &ctx.client_ip).await?;
    Ok(kernel::http::redirect("/admin/members?status=all").into_response())
}

// ---------- staff: accounts and the audit log ----------

#[derive(Template)]
#[template(path = "admin_members.html")]
struct AdminMembers<'a> {
    csrf: &'a str,
    q: String,
    status: String,
    statuses: &'static [(&'static str, &'static str)],
    roles: Vec<&'static str>,
    is_admin: bool,
    rows: Vec<accounts::StaffAccountRow>,
    next_href: Option<String>,
    audit: Vec<kernel::audit::AuditRow>,
}

#[derive(Deserialize, Default)]
pub(super) struct AdminQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    cursor: String,
}

const STATUSES: &[(&str, &str)] =
    &[("active", "Active"), ("suspended", "Suspended"), ("deleted", "Deleted"), ("all", "All")];

/// Staff see e-mail addresses here (never elsewhere); every visit is audited.
pub(super) async fn admin_members(Req { state, ctx }: Req, ApiQuery(q): ApiQuery<AdminQuery>) -> AppResult<Response> {
    let staff = ctx.viewer.require_role(Role::Staff)?;
    let status = if STATUSES.iter().any(|(s, _)| *s == q.status) { q.status.clone() } else { "active".into() };
    let page = accounts::staff_accounts(&state.db, &status, &q.q, &q.cursor).await?;
    let next_href = page.next_cursor.map(|c| {
        let params = [("q", q.q.clone()), ("status", status.clone()), ("cursor", c)];
        format!("/admin/members?{}", serde_urlencoded::to_string(params).unwrap_or_default())
    });
    let audit = accounts::recent_audit(&state.db).await?;
    kernel::audit::record(
        state.db.writer(),
        Some(staff.id),
        "staff_viewed_accounts",
        None,
        Some(&ctx.client_ip),
        serde_json::json!({ "q": q.q, "status": status }),
    )
    .await?;
    let body = ui::render(&AdminMembers {
        csrf: &ctx.csrf,
        q: q.q.clone(),
        status,
        statuses: STATUSES,
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        is_admin: ctx.viewer.has_role(Role::Admin),
        rows: page.items,
        next_href,
        audit,
    });
    Ok(page_response(&state, &ctx, "Members (staff)", body))
}
