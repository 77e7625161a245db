//! Pages around a member's own community life: notification e-mail settings and the
//! one-click unsubscribe, what moderators did about my content, a member's activity,
//! and the moderation queue.

use crate::people;
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kernel::http::{Req, RequestContext, path_id};
use kernel::ids::MemberId;
use kernel::ui::{Field, Input};
use kernel::{AppError, AppResult, AppState, FieldErrors, ui};
use serde::Deserialize;
use uuid::Uuid;

use crate::email;
use crate::feed::ActivityItem;
use crate::moderation::{self, ActionRecord, Report};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/notifications", get(settings_page).post(settings_submit))
        .route("/unsubscribe/{token}", get(unsubscribe_page).post(unsubscribe_submit))
        .route("/moderation", get(queue_page))
        .route("/moderation/me", get(about_me_page))
        .route("/moderation/reports/{id}", get(report_page))
        .route("/moderation/reports/{id}/decision", post(decision_submit))
        .route("/members/{id}/activity", get(activity_page))
        .route("/api/v1/members/{id}/activity", get(activity_api))
}

#[derive(Template)]
#[template(path = "notification_settings.html")]
struct SettingsPage<'a> {
    rows: Vec<(&'static str, &'static str, String)>,
    modes: &'static [&'static str],
    csrf: &'a str,
    saved: bool,
}

async fn render_settings(state: &AppState, ctx: &RequestContext, saved: bool) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    let current = email::settings(&state.db, me.id).await?;
    let rows = email::KINDS
        .iter()
        .map(|(k, label, d)| (*k, *label, current.email.get(*k).cloned().unwrap_or_else(|| d.to_string())))
        .collect();
    let body = ui::render(&SettingsPage { rows, modes: email::MODES, csrf: &ctx.csrf, saved });
    Ok(ui::page(state, ctx, "Notification e-mails", "/notifications", &body).into_response())
}

async fn settings_page(Req { state, ctx }: Req) -> AppResult<Response> {
    if !ctx.viewer.is_signed_in() {
        return Ok(kernel::http::login_redirect("/settings/notifications").into_response());
    }
    render_settings(&state, &ctx, false).await
}

async fn settings_submit(Req { state, ctx }: Req, body: axum::body::Bytes) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    let email = url::form_urlencoded::parse(&body)
        .filter(|(k, _)| k != "csrf")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    email::save(&state.db, me.id, &email::EmailSettings { email }).await?;
    render_settings(&state, &ctx, true).await
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage {
    token: String,
    done: bool,
}

async fn unsubscribe_page(Req { state, ctx }: Req, Path(token): Path<String>) -> AppResult<Response> {
    email::Mailing::from_state(&state)?.verify(&token).ok_or(AppError::NotFound)?;
    let body = ui::render(&UnsubscribePage { token, done: false });
    Ok(ui::page(&state, &ctx, "Unsubscribe", "", &body).into_response())
}

/// Both the button on the page and a mail provider's one-click POST (RFC 8058) land here.
async fn unsubscribe_submit(Req { state, ctx }: Req, Path(token): Path<String>) -> AppResult<Response> {
    email::unsubscribe(&state, &token).await?;
    let body = ui::render(&UnsubscribePage { token, done: true });
    Ok(ui::page(&state, &ctx, "Unsubscribed", "", &body).into_response())
}

#[derive(Template)]
#[template(path = "moderation_me.html")]
struct AboutMePage {
    items: Vec<ActionRecord>,
}

async fn about_me_page(Req { state, ctx }: Req) -> AppResult<Response> {
    let Some(me) = ctx.viewer.member() else {
        return Ok(kernel::http::login_redirect("/moderation/me").into_response());
    };
    let body = ui::render(&AboutMePage { items: moderation::about_me(&state.db, me.id).await? });
    Ok(ui::page(&state, &ctx, "Moderation of my content", "/notifications", &body).into_response())
}

#[derive(Template)]
#[template(path = "moderation_queue.html")]
struct QueuePage {
    items: Vec<Report>,
}

async fn queue_page(Req { state, ctx }: Req) -> AppResult<Response> {
    if !ctx.viewer.is_signed_in() {
        return Ok(kernel::http::login_redirect("/moderation").into_response());
    }
    let body = ui::render(&QueuePage { items: moderation::queue(&state, &ctx.viewer).await? });
    Ok(ui::page(&state, &ctx, "Moderation", "/notifications", &body).into_response())
}

#[derive(Template)]
#[template(path = "moderation_report.html")]
struct ReportPage<'a> {
    d: moderation::ReportDetail,
    actions: &'static [&'static str],
    csrf: &'a str,
    summary: String,
    action_error: Option<&'a str>,
    fields: String,
    typed: &'a DecisionForm,
}

/// The report and its decision form; after a refused decision, the error summary, each
/// message beside its field and the decision as typed.
async fn render_report(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    errors: &FieldErrors,
    typed: &DecisionForm,
) -> AppResult<Response> {
    let d = moderation::detail(state, &ctx.viewer, id, &ctx.client_ip).await?;
    let fields = [
        Field::new("reason", "Reason (the author sees it)", &typed.reason, Input::Text).errors(errors).html(),
        Field::new("days", "Days (for a suspension from the group)", &typed.days, Input::Number)
            .hint("From 1 to 365.")
            .errors(errors)
            .html(),
    ]
    .concat();
    let body = ui::render(&ReportPage {
        d,
        actions: moderation::ACTIONS,
        csrf: &ctx.csrf,
        summary: ui::error_summary(errors),
        action_error: errors.get("action"),
        fields,
        typed,
    });
    Ok((errors.page_status(), ui::page(state, ctx, "Report", "/notifications", &body)).into_response())
}

async fn report_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    let fresh = DecisionForm { action: String::new(), reason: String::new(), days: "7".into() };
    render_report(&state, &ctx, path_id(&id)?, &FieldErrors::new(), &fresh).await
}

#[derive(Deserialize)]
struct DecisionForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    days: String,
}

async fn decision_submit(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    kernel::http::HtmlForm(f): kernel::http::HtmlForm<DecisionForm>,
) -> AppResult<Response> {
    let id: Uuid = path_id(&id)?;
    let days = if f.days.trim().is_empty() { None } else { Some(f.days.trim().parse::<i64>().unwrap_or(0)) };
    let d = moderation::Decision { action: f.action.clone(), reason: f.reason.clone(), days };
    match moderation::decide(&state, &ctx.viewer, id, &d, &ctx.client_ip).await {
        Ok(()) => Ok(kernel::http::redirect("/moderation").into_response()),
        Err(AppError::Validation(e)) => render_report(&state, &ctx, id, &e, &f).await,
        Err(AppError::Conflict { message, .. }) => {
            let mut e = FieldErrors::new();
            e.add("action", message);
            render_report(&state, &ctx, id, &e, &f).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "activity.html")]
struct ActivityPage {
    name: String,
    member: MemberId,
    items: Vec<ActivityItem>,
}

async fn activity_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    let member: MemberId = path_id(&id)?;
    let items = crate::feed::member_activity(&state, &ctx.viewer, member).await?;
    let name = people(&state)?.display_names((&state.db).into(), &[member]).await?.remove(&member).unwrap_or_default();
    let title = format!("{name}: recent posts");
    let body = ui::render(&ActivityPage { name, member, items });
    Ok(ui::page(&state, &ctx, &title, "/members", &body).into_response())
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ActivityList {
    pub items: Vec<ActivityItem>,
}

/// What a member wrote recently, in groups the viewer may read.
#[utoipa::path(get, path = "/api/v1/members/{id}/activity", tag = "community", params(("id" = Uuid, Path)),
    responses((status = 200, body = ActivityList), (status = 404)))]
pub async fn activity_api(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<axum::Json<ActivityList>> {
    Ok(axum::Json(ActivityList { items: crate::feed::member_activity(&state, &ctx.viewer, path_id(&id)?).await? }))
}
