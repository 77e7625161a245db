//! The editor's desk at /admin/newsletter (staff only, 404 for everyone else, decided
//! before a body is read): the issues, drafting the week's issue, editing its intro and
//! featured links (inline errors that keep what was typed), previewing it as any member
//! (by e-mail or from a list), a test sent to the editor through the mail queue, and
//! scheduling. Plain forms, no JavaScript.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kernel::error::FieldErrors;
use kernel::http::{Req, RequestContext, form_pairs, form_value, form_values, path_id, redirect};
use kernel::ids::MemberId;
use kernel::ui::{self, Field, Input};
use kernel::viewer::staff_page;
use kernel::{AppError, AppResult, AppState};
use uuid::Uuid;

use crate::issues::{self, Featured, IssueEdit, IssueView, NewIssue};
use crate::{archive, assembly, preferences, render, schedule};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/newsletter", get(desk_page))
        .route("/admin/newsletter/issues", post(create_submit))
        .route("/admin/newsletter/{id}", get(issue_page).post(edit_submit))
        .route("/admin/newsletter/{id}/preview", get(preview_page))
        .route("/admin/newsletter/{id}/test", post(test_submit))
        .route("/admin/newsletter/{id}/schedule", post(schedule_submit))
}

/// How many featured rows the form shows at least (blank ones to fill in), and at most.
const ROWS: usize = 4;
const MAX_ROWS: usize = 10;

#[derive(Template)]
#[template(path = "editor_desk.html")]
struct DeskPage<'a> {
    recipients: usize,
    issues: Vec<IssueView>,
    csrf: &'a str,
    summary: String,
    week_field: String,
}

/// The ISO week of today, `YYYY-Www`.
fn this_week() -> String {
    let w = chrono::Datelike::iso_week(&kernel::time::now().date_naive());
    format!("{}-W{:02}", w.year(), w.week())
}

async fn render_desk(state: &AppState, ctx: &RequestContext, week: &str, errors: &FieldErrors) -> AppResult<Response> {
    let recipients = preferences::weekly_recipients(state).await?.len();
    let issues = archive::list(state, None, 100).await?;
    let week_field = Field::new("week", "Week", week, Input::Text)
        .hint("The ISO week, for example 2026-W49.")
        .errors(errors)
        .required()
        .html();
    let page = DeskPage { recipients, issues, csrf: &ctx.csrf, summary: ui::error_summary(errors), week_field };
    Ok((errors.page_status(), ui::page(state, ctx, "Newsletter", "", &ui::render(&page))).into_response())
}

async fn desk_page(Req { state, ctx }: Req) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    render_desk(&state, &ctx, &this_week(), &FieldErrors::new()).await
}

async fn create_submit(Req { state, ctx }: Req, body: Bytes) -> AppResult<Response> {
    let me = staff_page(&ctx.viewer)?;
    let week: String = form_value(&form_pairs(&body), "week").trim().chars().take(20).collect();
    match issues::create(&state, me.id, &NewIssue { week: week.clone() }).await {
        Ok(id) => Ok(redirect(&format!("/admin/newsletter/{id}"))),
        Err(AppError::Validation(errors)) => render_desk(&state, &ctx, &week, &errors).await,
        Err(AppError::Conflict { message, .. }) => {
            let mut errors = FieldErrors::new();
            errors.add("week", message);
            render_desk(&state, &ctx, &week, &errors).await
        }
        Err(e) => Err(e),
    }
}

/// The issue page's form values: what is saved, or what was typed.
struct Form {
    intro: String,
    featured: Vec<Featured>,
    send_at: String,
}

impl Form {
    fn of(issue: &IssueView) -> Form {
        Form {
            intro: issue.intro.clone(),
            featured: issue.featured.clone(),
            send_at: issue.send_at.map(|t| t.format("%Y-%m-%dT%H:%M").to_string()).unwrap_or_default(),
        }
    }
}

struct Row {
    n: usize,
    title: String,
    href: String,
}

#[derive(Template)]
#[template(path = "editor_issue.html")]
struct IssuePage<'a> {
    issue: &'a IssueView,
    csrf: &'a str,
    summary: String,
    notice: Option<String>,
    intro_field: String,
    featured_error: Option<&'a str>,
    rows: Vec<Row>,
    email_field: String,
    members: Vec<(MemberId, String)>,
    send_at_field: String,
    editable: bool,
}

async fn render_issue(
    state: &AppState,
    ctx: &RequestContext,
    issue: &IssueView,
    form: &Form,
    errors: &FieldErrors,
    notice: Option<String>,
) -> AppResult<Response> {
    let people = contracts::members::directory(state)?;
    let members = people.verified_addresses((&state.db).into(), None, 50).await?;
    let n = form.featured.len().clamp(ROWS, MAX_ROWS);
    let rows = (0..n)
        .map(|i| {
            let f = form.featured.get(i);
            Row {
                n: i + 1,
                title: f.map(|f| f.title.clone()).unwrap_or_default(),
                href: f.map(|f| f.href.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let page = IssuePage {
        issue,
        csrf: &ctx.csrf,
        summary: ui::error_summary(errors),
        notice,
        intro_field: Field::new("intro", "Introduction", &form.intro, Input::TextArea)
            .hint("Markdown, at most 5,000 characters.")
            .errors(errors)
            .html(),
        featured_error: errors.get("featured"),
        rows,
        email_field: Field::new("email", "Member's e-mail address", "", Input::Email).errors(errors).html(),
        members,
        send_at_field: datetime_field(&form.send_at, errors),
        editable: issue.status == "draft",
    };
    let title = format!("Newsletter {}", issue.week);
    Ok((errors.page_status(), ui::page(state, ctx, &title, "", &ui::render(&page))).into_response())
}

/// The send time as a date-and-time input (UTC), with its inline error.
fn datetime_field(value: &str, errors: &FieldErrors) -> String {
    let error = errors.get("send_at");
    let described = if error.is_some() { " aria-describedby=\"f-send_at-error\" aria-invalid=\"true\"" } else { "" };
    format!(
        "<div class=\"field{}\"><label for=\"f-send_at\">Send at (UTC)</label>{}\
         <input type=\"datetime-local\" id=\"f-send_at\" name=\"send_at\" value=\"{}\" required{described}></div>",
        if error.is_some() { " has-error" } else { "" },
        error.map(|e| format!("<p class=\"error\" id=\"f-send_at-error\">{}</p>", ui::escape(e))).unwrap_or_default(),
        ui::escape(value)
    )
}

async fn issue_page(Req { state, ctx }: Req, Path(id): Path<String>, RawQuery(q): RawQuery) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let issue = issues::get(&state, path_id(&id)?).await?;
    let notice = match q.as_deref() {
        Some("saved") => Some("The draft is saved.".to_string()),
        Some("tested") => Some("A test of this issue is on its way to your address.".to_string()),
        Some("scheduled") => Some("The issue is scheduled.".to_string()),
        _ => None,
    };
    render_issue(&state, &ctx, &issue, &Form::of(&issue), &FieldErrors::new(), notice).await
}

/// The featured rows typed: a row with a title or a link counts, blank rows do not.
fn featured_of(pairs: &[(String, String)]) -> Vec<Featured> {
    let titles = form_values(pairs, "title");
    let hrefs = form_values(pairs, "href");
    titles
        .into_iter()
        .zip(hrefs)
        .take(MAX_ROWS + 1)
        .map(|(t, h)| Featured {
            title: t.trim().chars().take(300).collect(),
            href: h.trim().chars().take(600).collect(),
        })
        .filter(|f| !f.title.is_empty() || !f.href.is_empty())
        .collect()
}

async fn edit_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let issue = issues::get(&state, path_id(&id)?).await?;
    let pairs = form_pairs(&body);
    let edit =
        IssueEdit { intro: form_value(&pairs, "intro").chars().take(6000).collect(), featured: featured_of(&pairs) };
    let typed = Form { intro: edit.intro.clone(), featured: edit.featured.clone(), send_at: Form::of(&issue).send_at };
    match issues::edit(&state, issue.id, &edit).await {
        Ok(_) => Ok(redirect(&format!("/admin/newsletter/{}?saved", issue.id))),
        Err(AppError::Validation(errors)) => render_issue(&state, &ctx, &issue, &typed, &errors, None).await,
        Err(AppError::Conflict { message, .. }) => {
            let mut errors = FieldErrors::new();
            errors.add("intro", message);
            render_issue(&state, &ctx, &issue, &typed, &errors, None).await
        }
        Err(e) => Err(e),
    }
}

async fn schedule_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let issue = issues::get(&state, path_id(&id)?).await?;
    let typed: String = form_value(&form_pairs(&body), "send_at").trim().chars().take(40).collect();
    let result = match chrono::NaiveDateTime::parse_from_str(&typed, "%Y-%m-%dT%H:%M") {
        Ok(t) => schedule::parse_send_at(&t.and_utc().to_rfc3339(), kernel::time::now()),
        Err(_) => Err(AppError::field("send_at", "Give the date and time, for example 2026-12-07 08:00.")),
    };
    let outcome = match result {
        Ok(at) => schedule::schedule(&state, issue.id, at).await,
        Err(e) => Err(e),
    };
    let errors = match outcome {
        Ok(_) => return Ok(redirect(&format!("/admin/newsletter/{}?scheduled", issue.id))),
        Err(AppError::Validation(errors)) => errors,
        Err(AppError::Conflict { message, .. }) => {
            let mut errors = FieldErrors::new();
            errors.add("send_at", message);
            errors
        }
        Err(e) => return Err(e),
    };
    let form = Form { send_at: typed, ..Form::of(&issue) };
    render_issue(&state, &ctx, &issue, &form, &errors, None).await
}

/// The member a preview is for: `member_id` chosen from the list, else `email` typed.
async fn chosen_member(state: &AppState, pairs: &[(String, String)]) -> AppResult<Result<MemberId, FieldErrors>> {
    let mut errors = FieldErrors::new();
    if let Ok(id) = form_value(pairs, "member_id").parse::<Uuid>() {
        return Ok(Ok(MemberId(id)));
    }
    let email: String = form_value(pairs, "email").chars().take(320).collect();
    if email.trim().is_empty() {
        errors.add("email", "Give a member's e-mail address, or choose a member from the list.");
        return Ok(Err(errors));
    }
    let people = contracts::members::directory(state)?;
    match people.active_by_email((&state.db).into(), &email).await? {
        Some(id) => Ok(Ok(id)),
        None => {
            errors.add("email", "No active member has that address.");
            Ok(Err(errors))
        }
    }
}

#[derive(Template)]
#[template(path = "editor_preview.html")]
struct PreviewPage<'a> {
    issue: &'a IssueView,
    who: String,
    edition: String,
}

async fn preview_page(Req { state, ctx }: Req, Path(id): Path<String>, RawQuery(q): RawQuery) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let issue = issues::get(&state, path_id(&id)?).await?;
    let pairs = form_pairs(q.as_deref().unwrap_or_default().as_bytes());
    let member = match chosen_member(&state, &pairs).await? {
        Ok(m) => m,
        Err(errors) => return render_issue(&state, &ctx, &issue, &Form::of(&issue), &errors, None).await,
    };
    let edition = match assembly::edition(&state, issue.id, member).await {
        Ok(e) => e,
        Err(AppError::NotFound) => {
            let mut errors = FieldErrors::new();
            errors.add("email", "That member cannot receive the newsletter (no active account).");
            return render_issue(&state, &ctx, &issue, &Form::of(&issue), &errors, None).await;
        }
        Err(e) => return Err(e),
    };
    let people = contracts::members::directory(&state)?;
    let who = people.active_display_name((&state.db).into(), member).await?.unwrap_or_default();
    let page = PreviewPage { issue: &issue, who, edition: render::html(&edition) };
    let title = format!("Preview of {}", issue.week);
    Ok(ui::page(&state, &ctx, &title, "", &ui::render(&page)).into_response())
}

/// Sends the editor their own edition of the issue, through the mail queue.
async fn test_submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    let me = staff_page(&ctx.viewer)?;
    let issue = issues::get(&state, path_id(&id)?).await?;
    let people = contracts::members::directory(&state)?;
    let to = people.contact_email((&state.db).into(), me.id).await?.ok_or(AppError::NotFound)?;
    // Exactly what the editor's own copy will be, marked as a test and off the list.
    let edition = assembly::edition(&state, issue.id, me.id).await?;
    let mut email = crate::delivery::render::email(&state, &edition, me.id, &to);
    email.subject = format!("[Test] {}", email.subject);
    email.unsubscribe_url = None;
    kernel::mail::queue(state.db.writer(), &format!("newsletter-test:{}", Uuid::now_v7()), email).await?;
    Ok(redirect(&format!("/admin/newsletter/{}?tested", issue.id)))
}
