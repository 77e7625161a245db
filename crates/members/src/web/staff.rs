//! Staff pages: the accounts list with the audit log, and the forms that grant the
//! Health Leader badge, suspend or reinstate an account and change a role.

use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use kernel::http::{ApiQuery, HtmlForm, Req, RequestContext, path_id};
use kernel::ids::MemberId;
use kernel::ui::{self};
use kernel::viewer::Role;
use kernel::{AppError, AppResult, AppState, FieldErrors};
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
    if let Err(e) = accounts::set_health_leader(&state, actor.id, id, f.on == "on", &ctx.client_ip).await {
        return refused(&state, &ctx, id, "badge", e).await;
    }
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
    if let Err(e) = accounts::set_suspended(&state, actor.id, id, f.on == "on", &ctx.client_ip).await {
        return refused(&state, &ctx, id, "suspension", e).await;
    }
    Ok(kernel::http::redirect("/admin/members?status=all").into_response())
}

pub(super) async fn staff_role(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    HtmlForm(f): HtmlForm<OnOff>,
) -> AppResult<Response> {
    let actor = ctx.viewer.require_role(Role::Admin)?;
    let id: MemberId = path_id(&id)?;
    let result = match Role::parse(&f.role) {
        Some(role) => accounts::set_role(&state, actor.id, id, role, &ctx.client_ip).await,
        None => Err(AppError::field("role", "Choose member, moderator, staff or admin.")),
    };
    if let Err(e) = result {
        return refused(&state, &ctx, id, "role", e).await;
    }
    Ok(kernel::http::redirect("/admin/members?status=all").into_response())
}

/// A refused change to an account, shown on the accounts list: the error summary at the
/// top links to the row's control (`control` of `member`), with the message beside it.
async fn refused(
    state: &AppState,
    ctx: &RequestContext,
    member: MemberId,
    control: &str,
    e: AppError,
) -> AppResult<Response> {
    let message = match e {
        AppError::Validation(errors) => errors.sentence(),
        AppError::BadRequest { message, .. } | AppError::Conflict { message, .. } => message,
        AppError::Forbidden => "Only an admin can change an admin's account.".to_string(),
        other => return Err(other),
    };
    let q = AdminQuery { status: "all".into(), ..Default::default() };
    let error = RowError { member, control: format!("{control}-{member}"), message };
    render(state, ctx, &q, Some(error)).await
}

/// A refused change, for the row of the account it was about.
struct RowError {
    member: MemberId,
    /// The row's control the message belongs to (`role-…`, `suspension-…`, `badge-…`).
    control: String,
    message: String,
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
    summary: String,
    row_error: Option<RowError>,
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
    render(&state, &ctx, &q, None).await
}

async fn render(
    state: &AppState,
    ctx: &RequestContext,
    q: &AdminQuery,
    error: Option<RowError>,
) -> AppResult<Response> {
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
    let mut errors = FieldErrors::new();
    if let Some(e) = &error {
        errors.add(&e.control, e.message.clone());
    }
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
        summary: ui::error_summary(&errors),
        row_error: error,
    });
    let response = page_response(state, ctx, "Members (staff)", body);
    Ok((errors.page_status(), response).into_response())
}
