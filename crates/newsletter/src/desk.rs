//! The newsletter's ports: the operator's commands (`shn newsletter send` and
//! `preview`) and the one-time notice on the home page about an address we stopped
//! sending to.

use futures::future::BoxFuture;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState, params};
use uuid::Uuid;

use crate::delivery::{self, render};
use crate::{assembly, bounces};

pub(crate) struct Desk;

impl contracts::newsletter::NewsletterDesk for Desk {
    fn send<'a>(&'a self, state: &'a AppState, issue: Uuid) -> BoxFuture<'a, AppResult<()>> {
        Box::pin(delivery::start(state, issue, None))
    }

    fn job_kinds(&self) -> &'static [&'static str] {
        &[<delivery::SendIssue as kernel::jobs::Job>::KIND]
    }

    fn figures<'a>(&'a self, state: &'a AppState, issue: Uuid) -> BoxFuture<'a, AppResult<serde_json::Value>> {
        Box::pin(async move {
            let f = delivery::figures(state, issue).await?;
            serde_json::to_value(f).map_err(|e| AppError::Internal(e.into()))
        })
    }

    fn preview<'a>(
        &'a self,
        state: &'a AppState,
        email: &'a str,
        issue: Option<Uuid>,
    ) -> BoxFuture<'a, AppResult<(String, String)>> {
        Box::pin(preview(state, email, issue))
    }
}

/// The member with this verified address, read through the members port in batches
/// (an operator's command: at most one pass over the members).
async fn member_by_address(state: &AppState, email: &str) -> AppResult<kernel::ids::MemberId> {
    let people = contracts::members::directory(state)?;
    let wanted = email.trim().to_lowercase();
    let mut after = None;
    loop {
        let batch = people.verified_addresses((&state.db).into(), after, 1000).await?;
        let Some(last) = batch.last() else { break };
        after = Some(last.0);
        if let Some((id, _)) = batch.iter().find(|(_, e)| e.to_lowercase() == wanted) {
            return Ok(*id);
        }
    }
    Err(AppError::bad_request("no_member", "No active member has that verified address."))
}

async fn preview(state: &AppState, email: &str, issue: Option<Uuid>) -> AppResult<(String, String)> {
    let issue = match issue {
        Some(id) => id,
        None => state
            .db
            .scalar::<Uuid>("SELECT id FROM newsletter_issues ORDER BY week DESC LIMIT 1", params![])
            .await?
            .ok_or_else(|| AppError::bad_request("no_issue", "There is no issue yet."))?,
    };
    let member = member_by_address(state, email).await?;
    let edition = assembly::edition(state, issue, member).await?;
    let mail = render::email(state, &edition, member, email);
    let head = format!(
        "To: {}\nSubject: {}\nList-Unsubscribe: <{}>\n\n",
        mail.to,
        mail.subject,
        mail.unsubscribe_url.clone().unwrap_or_default()
    );
    Ok((head + &mail.text, mail.html.unwrap_or_default()))
}

pub(crate) struct Notices;

impl contracts::home::HomeNotices for Notices {
    fn take<'a>(&'a self, state: &'a AppState, viewer: &'a Viewer) -> BoxFuture<'a, AppResult<Vec<String>>> {
        Box::pin(async move {
            let Some(me) = viewer.member() else { return Ok(vec![]) };
            Ok(bounces::take_notice(&state.db, me.id).await?.into_iter().collect())
        })
    }
}
