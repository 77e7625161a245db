//! The archive: `GET /newsletters` lists the issues already sent, latest week first, and
//! `GET /newsletters/{week}` shows one as its general edition — the editor's intro and
//! featured links, without any personal part (no one's opportunities, events, groups or
//! points).
//!
//! **Public.** The general edition holds only what the editors wrote for everyone; the
//! parts that differ per member, which are the only ones drawn from what a member may
//! see, are never in it. A public archive lets a visitor see what the newsletter is
//! before joining, and a member read an issue without signing in from any device. A
//! draft or a scheduled issue is not in the archive (404) until it is sent.

use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kernel::http::Req;
use kernel::{AppError, AppResult, AppState, params};
use uuid::Uuid;

use crate::issues::{self, IssueView};
use crate::render;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/newsletters", get(archive_page)).route("/newsletters/{week}", get(issue_page))
}

/// Issues, latest week first: all of them, or those of one status.
pub async fn list(state: &AppState, status: Option<&str>, limit: u64) -> AppResult<Vec<IssueView>> {
    let (filter, mut p) = match status {
        Some(s) => ("WHERE status = $1", params![s]),
        None => ("", params![]),
    };
    p.push((limit.min(500) as i64).into());
    let sql = format!("SELECT id FROM newsletter_issues {filter} ORDER BY week DESC LIMIT ${}", p.len());
    let ids: Vec<Uuid> = state.db.column(&sql, p).await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(issues::get(state, id).await?);
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "archive.html")]
struct ArchivePage {
    issues: Vec<IssueView>,
}

async fn archive_page(Req { state, ctx }: Req) -> AppResult<Response> {
    let issues = list(&state, Some("sent"), 200).await?;
    let body = kernel::ui::render(&ArchivePage { issues });
    Ok(kernel::ui::page(&state, &ctx, "Newsletter archive", "", &body).into_response())
}

#[derive(Template)]
#[template(path = "archive_issue.html")]
struct IssuePage {
    week: String,
    edition: String,
}

async fn issue_page(Req { state, ctx }: Req, Path(week): Path<String>) -> AppResult<Response> {
    if !issues::valid_week(&week) {
        return Err(AppError::NotFound);
    }
    let sql = "SELECT id FROM newsletter_issues WHERE week = $1 AND status = 'sent'";
    let id: Uuid = state.db.scalar(sql, params![week.clone()]).await?.ok_or(AppError::NotFound)?;
    let issue = issues::get(&state, id).await?;
    let body = kernel::ui::render(&IssuePage { week: week.clone(), edition: render::general_html(&issue) });
    Ok(kernel::ui::page(&state, &ctx, &format!("The Health Leader, week {week}"), "", &body).into_response())
}
