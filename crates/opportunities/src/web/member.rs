//! Members' pages: the board (eligible for me, all open with reasons, closed), an
//! opportunity with its apply form, and "my applications" with each one's history,
//! the work handed in and its disclosure check.

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use contracts::members::platform_label;
use kernel::http::{ApiQuery, Req, RequestContext, login_redirect, path_id};
use kernel::page;
use kernel::ui::{self, Field, Input, error_summary};
use kernel::{AppError, AppResult, AppState, FieldErrors};
use serde::Deserialize;
use uuid::Uuid;

use super::{form_pairs, form_value, form_values, when};
use crate::applying::{self, ApplyError, MyApplicationView, NewApplication};
use crate::board::{self, OpportunityView};
use crate::catalogue::{self, Shelf};
use crate::deliverables::{self, NewDeliverable};
use crate::model::Kind;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct BoardQuery {
    #[serde(default)]
    show: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    show: &'static str,
    kinds: Vec<(&'static str, &'static str, bool)>,
    items: Vec<OpportunityView>,
    next_href: Option<String>,
    is_staff: bool,
}

impl BoardPage {
    fn deadline(&self, o: &OpportunityView) -> String {
        when(&o.apply_by)
    }
}

pub(crate) async fn board_page(Req { state, ctx }: Req, ApiQuery(q): ApiQuery<BoardQuery>) -> AppResult<Response> {
    let Some(me) = ctx.viewer.member() else { return Ok(login_redirect("/opportunities")) };
    let (show, shelf) = match q.show.as_deref() {
        Some("all") => ("all", Shelf::AllOpen),
        Some("closed") => ("closed", Shelf::Closed),
        _ => ("eligible", Shelf::EligibleForMe),
    };
    let kind = q.kind.as_deref().and_then(Kind::parse);
    let candidate = board::candidate_of(&state, me.id).await?;
    let rows = catalogue::list(&state.db, &candidate, shelf, kind, q.cursor.as_deref(), page::DEFAULT_LIMIT).await?;
    let kind_code = kind.map(|k| k.as_str()).unwrap_or("");
    let next_href = rows.next_cursor.map(|c| {
        let query = [("show", show), ("kind", kind_code), ("cursor", c.as_str())];
        format!("/opportunities?{}", serde_urlencoded::to_string(query).unwrap_or_default())
    });
    let page = BoardPage {
        show,
        kinds: Kind::ALL.iter().map(|k| (k.as_str(), k.label(), Some(*k) == kind)).collect(),
        items: board::views(&state, &ctx.viewer, rows.items).await?,
        next_href,
        is_staff: me.role >= kernel::viewer::Role::Staff,
    };
    Ok(ui::page(&state, &ctx, "Paid opportunities", "/opportunities", &ui::render(&page)).into_response())
}

#[derive(Template)]
#[template(path = "opportunity.html")]
struct OpportunityPage<'a> {
    o: OpportunityView,
    deadline: String,
    brief_html: String,
    csrf: &'a str,
    /// (index, question, answer as typed)
    questions: Vec<(usize, String, String)>,
    /// (platform code, label, followers, checked)
    channels: Vec<(String, String, String, bool)>,
    summary: String,
    answers_error: Option<String>,
    channels_error: Option<String>,
    not_eligible: Vec<String>,
    notice: Option<&'a str>,
    is_staff: bool,
}

/// What the member typed into the apply form.
#[derive(Default)]
struct Typed {
    answers: Vec<String>,
    channels: Vec<String>,
}

async fn render_opportunity(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    typed: &Typed,
    errors: &FieldErrors,
    not_eligible: Vec<String>,
    notice: Option<&str>,
) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    let o = board::one(state, &ctx.viewer, id).await?;
    let profile = board::profile_of(state, me.id).await?;
    let questions =
        o.questions.iter().enumerate().map(|(i, q)| (i, q.clone(), typed.answers.get(i).cloned().unwrap_or_default()));
    let channels = profile.channels.iter().map(|(code, n)| {
        (code.clone(), platform_label(code).to_string(), crate::model::thousands(*n), typed.channels.contains(code))
    });
    let page = OpportunityPage {
        deadline: when(&o.apply_by),
        brief_html: kernel::markdown::render(&o.brief),
        csrf: &ctx.csrf,
        questions: questions.collect(),
        channels: channels.collect(),
        summary: error_summary(errors),
        answers_error: errors.get("answers").map(String::from),
        channels_error: errors.get("channels").map(String::from),
        not_eligible,
        notice,
        is_staff: ctx.viewer.is_staff(),
        o,
    };
    let status = if errors.is_empty() && page.not_eligible.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let title = page.o.title.clone();
    Ok((status, ui::page(state, ctx, &title, "/opportunities", &ui::render(&page))).into_response())
}

pub(crate) async fn opportunity_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    if !ctx.viewer.is_signed_in() {
        return Ok(login_redirect(&format!("/opportunities/{id}")));
    }
    render_opportunity(&state, &ctx, path_id(&id)?, &Typed::default(), &FieldErrors::new(), vec![], None).await
}

pub(crate) async fn apply_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    ctx.viewer.require_member()?;
    let id: Uuid = path_id(&id)?;
    let pairs = form_pairs(&body);
    let typed = Typed { answers: form_values(&pairs, "answer"), channels: form_values(&pairs, "channel") };
    let a = NewApplication { answers: typed.answers.clone(), channels: typed.channels.clone() };
    let none = FieldErrors::new();
    match applying::apply(&state, &ctx.viewer, id, &a).await {
        Ok(_) => {
            let notice = "Your application is in. We will tell you when it moves along.";
            render_opportunity(&state, &ctx, id, &Typed::default(), &none, vec![], Some(notice)).await
        }
        Err(ApplyError::NotEligible(reasons)) => {
            render_opportunity(&state, &ctx, id, &typed, &none, reasons, None).await
        }
        Err(ApplyError::Other(AppError::Validation(errors))) => {
            render_opportunity(&state, &ctx, id, &typed, &errors, vec![], None).await
        }
        Err(ApplyError::Other(AppError::Conflict { message, .. })) => {
            let mut errors = FieldErrors::new();
            errors.add("answers", message);
            render_opportunity(&state, &ctx, id, &typed, &errors, vec![], None).await
        }
        Err(ApplyError::Other(e)) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "mine.html")]
struct MinePage<'a> {
    csrf: &'a str,
    applications: Vec<MyApplicationView>,
    /// The application whose deliverable form was sent, with its fields rendered.
    form_for: Option<Uuid>,
    form_fields: String,
    summary: String,
}

impl MinePage<'_> {
    fn at(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        when(t)
    }

    /// The deliverable form's fields for `application` (with what was typed and its
    /// errors when it is the one just sent).
    fn deliverable_fields(&self, application: &Uuid) -> String {
        if self.form_for == Some(*application) {
            return self.form_fields.clone();
        }
        deliverable_fields(application, &NewDeliverable::default(), &FieldErrors::new())
    }
}

fn deliverable_fields(application: &Uuid, d: &NewDeliverable, errors: &FieldErrors) -> String {
    let url_name = format!("url-{application}");
    let caption_name = format!("caption-{application}");
    let mut e = FieldErrors::new();
    if let Some(m) = errors.get("url") {
        e.add(&url_name, m);
    }
    if let Some(m) = errors.get("caption") {
        e.add(&caption_name, m);
    }
    let url = Field::new(&url_name, "Link to the published post", &d.url, Input::Url).errors(&e).required().html();
    let caption = Field::new(&caption_name, "Caption, as published", &d.caption, Input::TextArea)
        .hint("We check it for the disclosure the FTC requires, such as #ad, near the start.")
        .errors(&e)
        .required()
        .html();
    format!("{url}{caption}")
}

async fn render_mine(
    state: &AppState,
    ctx: &RequestContext,
    form: Option<(Uuid, &NewDeliverable, &FieldErrors)>,
    notice: Option<&str>,
) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    let errors = form.map(|(_, _, e)| e.clone()).unwrap_or_default();
    let page = MinePage {
        csrf: &ctx.csrf,
        applications: applying::mine(state, me.id).await?,
        form_for: form.map(|(id, _, _)| id),
        form_fields: form.map(|(id, d, e)| deliverable_fields(&id, d, e)).unwrap_or_default(),
        summary: error_summary(&errors),
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = ui::page_with_notice(state, ctx, "My applications", "/opportunities", &ui::render(&page), notice);
    Ok((status, html).into_response())
}

pub(crate) async fn mine_page(Req { state, ctx }: Req) -> AppResult<Response> {
    if !ctx.viewer.is_signed_in() {
        return Ok(login_redirect("/opportunities/mine"));
    }
    render_mine(&state, &ctx, None, None).await
}

pub(crate) async fn withdraw_submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    ctx.viewer.require_member()?;
    applying::withdraw(&state, &ctx.viewer, path_id(&id)?).await?;
    render_mine(&state, &ctx, None, Some("You have withdrawn your application.")).await
}

pub(crate) async fn deliver_submit(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    ctx.viewer.require_member()?;
    let id: Uuid = path_id(&id)?;
    let pairs = form_pairs(&body);
    let d = NewDeliverable {
        url: form_value(&pairs, &format!("url-{id}")),
        caption: form_value(&pairs, &format!("caption-{id}")),
    };
    match deliverables::submit(&state, &ctx.viewer, id, &d).await {
        Ok(v) if v.disclosure.ok => {
            render_mine(&state, &ctx, None, Some("Thank you: your post is handed in and its disclosure passed.")).await
        }
        Ok(v) => {
            let notice = format!(
                "Your post is handed in, but the disclosure check failed: {} Post a fixed caption and hand it in again.",
                v.disclosure.reason
            );
            render_mine(&state, &ctx, None, Some(&notice)).await
        }
        Err(AppError::Validation(errors)) => render_mine(&state, &ctx, Some((id, &d, &errors)), None).await,
        Err(AppError::Conflict { message, .. }) => render_mine(&state, &ctx, None, Some(&message)).await,
        Err(e) => Err(e),
    }
}
