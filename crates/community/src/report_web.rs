//! Reporting a discussion or one of its replies, on a page of its own. The thread page
//! links each post here instead of carrying a report form per reply (a reason for each
//! of fifty replies made up half of the page's weight); this page shows what is being
//! reported, asks why, says a mistake next to its field and keeps what was typed.

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kernel::error::FieldErrors;
use kernel::http::{ApiQuery, HtmlForm, Req, RequestContext, path_id};
use kernel::ui::{Field, Input, escape};
use kernel::{AppError, AppResult, AppState, form, ui};
use serde::Deserialize;
use uuid::Uuid;

use crate::moderation::{self, NewReport, REASONS};

pub fn router() -> Router<AppState> {
    Router::new().route("/threads/{id}/report", get(report_page).post(report_submit))
}

/// What is reported: the discussion itself, or one of its replies.
#[derive(Deserialize, Default)]
struct Target {
    #[serde(default)]
    target_type: String,
    #[serde(default)]
    target_id: String,
}

/// The report form as posted.
#[derive(Deserialize, Default)]
struct ReportForm {
    #[serde(default)]
    target_type: String,
    #[serde(default)]
    target_id: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
}

/// The post a report is about, as the page shows it: only a post of this thread that
/// the viewer may read (anything else is not found).
struct Reported {
    thread: Uuid,
    kind: &'static str,
    id: Uuid,
    /// "the discussion "…"" or "this reply by …", and the start of its text.
    what: String,
    excerpt: String,
}

async fn reported(state: &AppState, ctx: &RequestContext, thread: Uuid, t: &Target) -> AppResult<Reported> {
    let people = crate::people(state)?;
    let opened = crate::thread_read::open(&state.db, &ctx.viewer, thread, Some(people)).await?;
    match t.target_type.as_str() {
        "" | "thread" => Ok(Reported {
            thread,
            kind: "thread",
            id: thread,
            what: format!("the discussion “{}”", opened.t.title),
            excerpt: crate::thread_web::excerpt(&opened.t.body),
        }),
        "reply" => {
            let id = path_id(&t.target_id)?;
            let (_, author, excerpt) =
                crate::thread_web::quoted(state, people, thread, id).await?.ok_or(AppError::NotFound)?;
            Ok(Reported { thread, kind: "reply", id, what: format!("this reply by {author}"), excerpt })
        }
        _ => Err(AppError::NotFound),
    }
}

async fn report_page(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiQuery(t): ApiQuery<Target>,
) -> AppResult<Response> {
    let thread = path_id(&id)?;
    if !ctx.viewer.is_signed_in() {
        return Ok(kernel::http::login_redirect(&format!("/threads/{thread}")));
    }
    let r = reported(&state, &ctx, thread, &t).await?;
    Ok(page(&state, &ctx, &r, &ReportForm::default(), &FieldErrors::default()).into_response())
}

async fn report_submit(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    HtmlForm(f): HtmlForm<ReportForm>,
) -> AppResult<Response> {
    let thread = path_id(&id)?;
    ctx.viewer.require_member()?;
    let target = Target { target_type: f.target_type.clone(), target_id: f.target_id.clone() };
    let r = reported(&state, &ctx, thread, &target).await?;
    let new = NewReport { target_type: r.kind.into(), target_id: r.id, reason: f.reason.clone(), note: f.note.clone() };
    match moderation::report(&state, &ctx.viewer, &new).await {
        Ok(_) => Ok(thanks(&state, &ctx, &r).into_response()),
        Err(AppError::Validation(errors)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&state, &ctx, &r, &f, &errors)).into_response())
        }
        Err(e) => Err(e),
    }
}

fn page(
    state: &AppState,
    ctx: &RequestContext,
    r: &Reported,
    typed: &ReportForm,
    errors: &FieldErrors,
) -> axum::response::Html<String> {
    let reasons: Vec<(String, String)> = REASONS.iter().map(|k| (k.to_string(), reason_label(k).to_string())).collect();
    let options: Vec<(&str, &str)> = reasons.iter().map(|(k, l)| (k.as_str(), l.as_str())).collect();
    let fields = format!(
        "<input type=\"hidden\" name=\"target_type\" value=\"{kind}\">\
         <input type=\"hidden\" name=\"target_id\" value=\"{id}\">{radios}{note}",
        kind = r.kind,
        id = r.id,
        radios = form::radios("reason", "Why are you reporting it?", &options, &typed.reason, errors),
        note = Field::new("note", "Anything the moderators should know (optional)", &typed.note, Input::TextArea)
            .hint("Only the moderators read it. Up to 2,000 characters.")
            .errors(errors)
            .html(),
    );
    let body = format!(
        "<h1>Report {what}</h1>\
         <blockquote class=\"quote\"><p>{excerpt}</p></blockquote>\
         <p>The moderators look at every report. The member is not told who reported them.</p>{form}\
         <p><a href=\"{back}\">Back to the discussion</a></p>",
        what = escape(&r.what),
        excerpt = escape(&r.excerpt),
        form = form::form(&format!("/threads/{}/report", r.thread), &ctx.csrf, errors, &fields, "Send report"),
        back = back_to(r),
    );
    ui::page(state, ctx, "Report a post", "/groups", &body)
}

fn thanks(state: &AppState, ctx: &RequestContext, r: &Reported) -> axum::response::Html<String> {
    let body = format!(
        "<h1>Thank you</h1><p role=\"status\">The moderators will look at your report.</p>\
         <p><a href=\"{}\">Back to the discussion</a></p>",
        back_to(r)
    );
    ui::page(state, ctx, "Report sent", "/groups", &body)
}

/// The reported post on its thread's page.
fn back_to(r: &Reported) -> String {
    match r.kind {
        "reply" => format!("/threads/{}#post-{}", r.thread, r.id),
        _ => format!("/threads/{}", r.thread),
    }
}

/// How a reason reads on a page.
fn reason_label(reason: &str) -> &'static str {
    match reason {
        "spam" => "Spam or advertising",
        "harassment" => "Harassment or abuse",
        "medical_misinformation" => "Medical misinformation",
        "self_harm_risk" => "Someone may be at risk of harming themself",
        _ => "Something else",
    }
}
