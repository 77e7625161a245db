//! Members' pages: the surveys offered, research consent with its history, and taking a
//! survey one section (page) at a time, progress saved between pages, with the consent
//! step first for members who asked to be asked each time.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kernel::http::{Req, RequestContext, login_redirect, path_id};
use kernel::ui::{self, error_summary};
use kernel::{AppError, AppResult, AppState, FieldErrors};
use serde_json::Value;
use uuid::Uuid;

use super::{form_pairs, form_value, form_values};
use crate::answers::{self, Accepted};
use crate::consent::{self, ConsentChange};
use crate::drafts::{self, Draft};
use crate::model::{Consent, Kind};
use crate::offering;
use crate::policy::Refusal;
use crate::store::{Question, Survey, SurveyRow};
use crate::taking::{self, SubmitError};

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    surveys: Vec<SurveyRow>,
    consent: Consent,
    is_staff: bool,
}

pub(crate) async fn list_page(Req { state, ctx }: Req) -> AppResult<Response> {
    let Some(me) = ctx.viewer.member() else { return Ok(login_redirect("/surveys")) };
    let page = ListPage {
        surveys: offering::offered(&state, me.id).await?,
        consent: consent::of(state.db.reader(), me.id).await?,
        is_staff: ctx.viewer.is_staff(),
    };
    Ok(ui::page(&state, &ctx, "Insight surveys", "/surveys", &ui::render(&page)).into_response())
}

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage<'a> {
    csrf: &'a str,
    choices: Vec<(&'static str, &'static str, bool)>,
    history: Vec<ConsentChange>,
}

impl ConsentPage<'_> {
    fn label(&self, code: &str) -> &'static str {
        Consent::parse(code).map(Consent::label).unwrap_or("")
    }
}

async fn render_consent(state: &AppState, ctx: &RequestContext, notice: Option<&str>) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    let now = consent::of(state.db.reader(), me.id).await?;
    let page = ConsentPage {
        csrf: &ctx.csrf,
        choices: Consent::ALL.iter().map(|c| (c.as_str(), c.label(), *c == now)).collect(),
        history: consent::history(state.db.reader(), me.id).await?,
    };
    let html = ui::page_with_notice(state, ctx, "Research consent", "/surveys", &ui::render(&page), notice);
    Ok(html.into_response())
}

pub(crate) async fn consent_page(Req { state, ctx }: Req) -> AppResult<Response> {
    if !ctx.viewer.is_signed_in() {
        return Ok(login_redirect("/surveys/consent"));
    }
    render_consent(&state, &ctx, None).await
}

pub(crate) async fn consent_submit(Req { state, ctx }: Req, body: Bytes) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    let pairs = form_pairs(&body);
    let Some(choice) = Consent::parse(&form_value(&pairs, "consent")) else {
        return Err(AppError::field("consent", "Choose yes, ask each time, or no."));
    };
    consent::set(&state, me.id, choice).await?;
    render_consent(&state, &ctx, Some("Your research consent is saved.")).await
}

/// The pages of a survey: consecutive questions of one section, by index.
pub(crate) fn pages(s: &Survey) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    for (i, q) in s.questions.iter().enumerate() {
        match out.last_mut() {
            Some(page) if s.questions[page[0]].section == q.section => page.push(i),
            _ => out.push(vec![i]),
        }
    }
    out
}

/// One question as the form shows it.
pub(crate) struct QuestionForm {
    pub id: Uuid,
    pub text: String,
    pub kind: Kind,
    pub required: bool,
    pub long: bool,
    /// (option, checked)
    pub options: Vec<(String, bool)>,
    pub value: String,
    pub error: Option<String>,
    /// "Answer only if …" for a question whose condition is on the same page.
    pub condition: Option<String>,
}

pub(crate) fn question_form(q: &Question, s: &Survey, given: Option<&Value>, errors: &FieldErrors) -> QuestionForm {
    let chosen: Vec<String> = match given {
        Some(Value::String(v)) => vec![v.clone()],
        Some(Value::Array(items)) => items.iter().filter_map(|i| i.as_str().map(String::from)).collect(),
        Some(Value::Number(n)) => vec![n.to_string()],
        _ => vec![],
    };
    let condition = q.show_if.as_ref().and_then(|(on, value)| {
        s.question(*on)
            .map(|c| format!("Answer only if you answered \u{201c}{value}\u{201d} to \u{201c}{}\u{201d}.", c.text))
    });
    QuestionForm {
        id: q.id,
        text: q.text.clone(),
        kind: q.kind,
        required: q.required,
        long: q.long,
        options: q.options.iter().map(|o| (o.clone(), chosen.contains(o))).collect(),
        value: chosen.first().cloned().unwrap_or_default(),
        error: errors.get(&format!("answers.{}", q.id)).map(String::from),
        condition,
    }
}

#[derive(Template)]
#[template(path = "take.html")]
struct TakePage<'a> {
    csrf: &'a str,
    survey: &'a SurveyRow,
    page: usize,
    pages: usize,
    questions: Vec<QuestionForm>,
    summary: String,
    /// Why the member cannot take it, if so.
    blocked: Option<&'static str>,
    /// The consent step ("ask each time"), before the first question.
    ask_consent: bool,
    done: bool,
}

struct Shown<'a> {
    draft: &'a Draft,
    errors: &'a FieldErrors,
    notice: Option<&'a str>,
    done: bool,
}

async fn render_take(state: &AppState, ctx: &RequestContext, s: &Survey, shown: Shown<'_>) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    let all = pages(s);
    let page = shown.draft.page.min(all.len().saturating_sub(1));
    let accepted = accepted_so_far(s, &shown.draft.answers);
    let questions = all
        .get(page)
        .into_iter()
        .flatten()
        .map(|i| &s.questions[*i])
        .filter(|q| visible_on_page(q, s, &all[page], &accepted))
        .map(|q| question_form(q, s, shown.draft.answers.get(&q.id), shown.errors))
        .collect();
    let mut blocked = None;
    let mut ask_consent = false;
    if !shown.done {
        match taking::may_take(state, s, me.id, shown.draft.consented).await {
            Ok(_) => {}
            Err(SubmitError::Refused(Refusal::ConsentNeeded)) => ask_consent = true,
            Err(SubmitError::Refused(Refusal::NoConsent)) => blocked = Some(taking::NO_CONSENT),
            Err(SubmitError::Refused(Refusal::NotEligible)) => blocked = Some(taking::NOT_ELIGIBLE),
            Err(SubmitError::Other(AppError::Conflict { .. })) => blocked = Some("This survey is closed."),
            Err(SubmitError::Other(e)) => return Err(e),
        }
        if taking::responded(state, s.row.id, me.id).await? {
            blocked = Some("You have already answered this survey. Thank you!");
        }
    }
    let body = TakePage {
        csrf: &ctx.csrf,
        survey: &s.row,
        page,
        pages: all.len(),
        questions,
        summary: error_summary(shown.errors),
        blocked,
        ask_consent,
        done: shown.done,
    };
    let status = if shown.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = ui::page_with_notice(state, ctx, &s.row.title, "/surveys", &ui::render(&body), shown.notice);
    Ok((status, html).into_response())
}

/// A question's answers accepted so far, for the skip logic.
fn accepted_so_far(s: &Survey, given: &HashMap<Uuid, Value>) -> Accepted {
    let mut out: Accepted = Vec::new();
    for q in &s.questions {
        if answers::shown(q, &out)
            && let Some(Ok(values)) = given.get(&q.id).map(|v| answers::values_of(q, v))
        {
            out.push((q.id, values));
        }
    }
    out
}

/// Shown unless its condition is on an earlier page and was not met.
fn visible_on_page(q: &Question, s: &Survey, page: &[usize], accepted: &Accepted) -> bool {
    match &q.show_if {
        None => true,
        Some((on, _)) if page.iter().any(|i| s.questions[*i].id == *on) => true,
        Some(_) => answers::shown(q, accepted),
    }
}

async fn load_published(state: &AppState, id: &str) -> AppResult<Survey> {
    taking::visible(state, path_id(id)?, false).await
}

pub(crate) async fn survey_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    let Some(me) = ctx.viewer.member() else { return Ok(login_redirect(&format!("/surveys/{id}"))) };
    let s = load_published(&state, &id).await?;
    let draft = drafts::load(&state, s.row.id, me.id).await?;
    let none = FieldErrors::new();
    render_take(&state, &ctx, &s, Shown { draft: &draft, errors: &none, notice: None, done: false }).await
}

pub(crate) async fn survey_consent_submit(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    let s = load_published(&state, &id).await?;
    let mut draft = drafts::load(&state, s.row.id, me.id).await?;
    let none = FieldErrors::new();
    if form_value(&form_pairs(&body), "agree") != "yes" {
        let mut e = FieldErrors::new();
        e.add("agree", "Tick the box to take part, or leave the survey.");
        return render_take(&state, &ctx, &s, Shown { draft: &draft, errors: &e, notice: None, done: false }).await;
    }
    draft.consented = true;
    drafts::save(&state, s.row.id, me.id, &draft).await?;
    render_take(&state, &ctx, &s, Shown { draft: &draft, errors: &none, notice: None, done: false }).await
}

/// The answers on the form for the questions of `page`, as the API takes them.
fn answers_on_page(s: &Survey, page: &[usize], pairs: &[(String, String)], into: &mut HashMap<Uuid, Value>) {
    for i in page {
        let q = &s.questions[*i];
        let name = format!("a-{}", q.id);
        let value = match q.kind {
            Kind::Multiple => Value::Array(form_values(pairs, &name).into_iter().map(Value::String).collect()),
            _ => Value::String(form_value(pairs, &name)),
        };
        into.insert(q.id, value);
    }
}

/// Problems with the answers on one page (the rest are checked on submission).
fn page_problems(s: &Survey, page: &[usize], given: &HashMap<Uuid, Value>) -> FieldErrors {
    let mut e = FieldErrors::new();
    if let Err(problems) = answers::check(&s.questions, given) {
        for (id, message) in problems {
            if page.iter().any(|i| s.questions[*i].id == id) {
                e.add(&format!("answers.{id}"), message);
            }
        }
    }
    e
}

pub(crate) async fn survey_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    let s = load_published(&state, &id).await?;
    let pairs = form_pairs(&body);
    let mut draft = drafts::load(&state, s.row.id, me.id).await?;
    let all = pages(&s);
    let page = form_value(&pairs, "page").parse::<usize>().unwrap_or(0).min(all.len().saturating_sub(1));
    draft.page = page;
    answers_on_page(&s, &all[page], &pairs, &mut draft.answers);
    let none = FieldErrors::new();
    if form_value(&pairs, "go") == "back" {
        draft.page = page.saturating_sub(1);
        drafts::save(&state, s.row.id, me.id, &draft).await?;
        return render_take(&state, &ctx, &s, Shown { draft: &draft, errors: &none, notice: None, done: false }).await;
    }
    let errors = page_problems(&s, &all[page], &draft.answers);
    if !errors.is_empty() {
        drafts::save(&state, s.row.id, me.id, &draft).await?;
        return render_take(&state, &ctx, &s, Shown { draft: &draft, errors: &errors, notice: None, done: false })
            .await;
    }
    if page + 1 < all.len() {
        draft.page = page + 1;
        drafts::save(&state, s.row.id, me.id, &draft).await?;
        return render_take(&state, &ctx, &s, Shown { draft: &draft, errors: &none, notice: None, done: false }).await;
    }
    let given: HashMap<Uuid, Value> = draft.answers.clone();
    match taking::submit(&state, &s, me.id, &given, draft.consented).await {
        Ok(_) => {
            let notice = if s.row.incentive_points > 0 {
                format!("Thank you! {} points are on their way to your balance.", s.row.incentive_points)
            } else {
                "Thank you! Your answers are in.".to_string()
            };
            let done = Draft::default();
            render_take(&state, &ctx, &s, Shown { draft: &done, errors: &none, notice: Some(&notice), done: true })
                .await
        }
        Err(SubmitError::Other(AppError::Validation(errors))) => {
            drafts::save(&state, s.row.id, me.id, &draft).await?;
            render_take(&state, &ctx, &s, Shown { draft: &draft, errors: &errors, notice: None, done: false }).await
        }
        Err(SubmitError::Other(AppError::Conflict { message, .. })) => {
            render_take(&state, &ctx, &s, Shown { draft: &draft, errors: &none, notice: Some(&message), done: false })
                .await
        }
        Err(SubmitError::Refused(_)) => {
            render_take(&state, &ctx, &s, Shown { draft: &draft, errors: &none, notice: None, done: false }).await
        }
        Err(SubmitError::Other(e)) => Err(e),
    }
}
