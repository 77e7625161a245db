//! Staff pages: every survey, the builder (new and edit a draft), a survey's page with
//! its preview, publish, copy and import. Each answers 404 to anyone but staff.

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use contracts::members::MemberType;
use contracts::surveys::PartnerRef;
use kernel::http::{Req, RequestContext, path_id, redirect};
use kernel::ui::{self, error_summary};
use kernel::{AppError, AppResult, AppState, FieldErrors};
use uuid::Uuid;

use super::builder::{self, MORE, Typed};
use super::member::{QuestionForm, question_form};
use super::{form_pairs, form_value};
use crate::access::staff;
use crate::building;
use crate::model::{Kind, Status};
use crate::store::{self, Survey, SurveyRow};

#[derive(Template)]
#[template(path = "desk.html")]
struct DeskPage {
    surveys: Vec<SurveyRow>,
}

pub(crate) async fn desk_page(Req { state, ctx }: Req) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let page = DeskPage { surveys: store::all_surveys(&state.db, 200).await? };
    Ok(ui::page(&state, &ctx, "Surveys (staff)", "/surveys", &ui::render(&page)).into_response())
}

#[derive(Template)]
#[template(path = "builder.html")]
struct BuilderPage<'a> {
    csrf: &'a str,
    action: String,
    t: &'a Typed,
    errors: &'a FieldErrors,
    summary: String,
    partners: Vec<PartnerRef>,
}

impl BuilderPage<'_> {
    fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }
    fn same(&self, a: &str, b: &str) -> bool {
        a == b
    }
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        Kind::ALL.iter().map(|k| (k.as_str(), k.label())).collect()
    }
    fn types(&self) -> Vec<(&'static str, &'static str, bool)> {
        MemberType::ALL
            .iter()
            .map(|m| (m.as_str(), m.label(), self.t.member_types.iter().any(|t| t == m.as_str())))
            .collect()
    }
    fn type_label(&self, code: &str) -> &'static str {
        MemberType::parse(code).map(MemberType::label).unwrap_or("")
    }
    fn numbers(&self) -> Vec<(&'static str, &'static str, String)> {
        vec![
            ("target_total", "Target total of responses", self.t.target_total.clone()),
            ("incentive", "Incentive in points for completing it", self.t.incentive.clone()),
        ]
    }
}

async fn partners(state: &AppState) -> AppResult<Vec<PartnerRef>> {
    match contracts::surveys::partner_contacts(state) {
        Ok(port) => Ok(port.partners(&state.db).await?),
        Err(_) => Ok(Vec::new()),
    }
}

async fn render_builder(
    state: &AppState,
    ctx: &RequestContext,
    action: String,
    t: &Typed,
    errors: &FieldErrors,
) -> AppResult<Response> {
    let page = BuilderPage {
        csrf: &ctx.csrf,
        action,
        t,
        errors,
        summary: error_summary(errors),
        partners: partners(state).await?,
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, ui::page(state, ctx, "Build a survey", "/surveys", &ui::render(&page))).into_response())
}

pub(crate) async fn new_page(Req { state, ctx }: Req) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    render_builder(&state, &ctx, "/admin/surveys/new".into(), &builder::blank(), &FieldErrors::new()).await
}

/// What the builder form asks: more slots, or the survey checked (with errors for the form).
fn from_form(body: &[u8]) -> (Typed, Option<Result<building::CleanSurvey, FieldErrors>>) {
    let pairs = form_pairs(body);
    let mut t = builder::read(&pairs);
    if form_value(&pairs, "go") == "more" {
        t.slots.extend((0..MORE).map(|_| builder::Slot::default()));
        return (t, None);
    }
    let (n, used, mut read_errors) = builder::to_new(&t);
    let checked = match building::validate(&n) {
        Ok(clean) if read_errors.is_empty() => Ok(clean),
        Ok(_) => Err(read_errors),
        Err(e) => {
            for (f, m) in builder::form_errors(&e, &used).0 {
                read_errors.add(&f, m);
            }
            Err(read_errors)
        }
    };
    (t, Some(checked))
}

pub(crate) async fn new_submit(Req { state, ctx }: Req, body: Bytes) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let action = "/admin/surveys/new".to_string();
    match from_form(&body) {
        (t, None) => render_builder(&state, &ctx, action, &t, &FieldErrors::new()).await,
        (t, Some(Err(e))) => render_builder(&state, &ctx, action, &t, &e).await,
        (t, Some(Ok(clean))) => match store::create(&state, me.id, &clean, &ctx.client_ip).await {
            Ok(id) => Ok(redirect(&format!("/admin/surveys/{id}"))),
            Err(AppError::Validation(e)) => render_builder(&state, &ctx, action, &t, &e).await,
            Err(e) => Err(e),
        },
    }
}

async fn draft_of(state: &AppState, id: &str) -> AppResult<Survey> {
    let s = store::load(state.db.reader(), path_id(id)?).await?;
    if s.status() != Status::Draft {
        return Err(store::frozen());
    }
    Ok(s)
}

pub(crate) async fn edit_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let s = draft_of(&state, &id).await?;
    let action = format!("/admin/surveys/{}/edit", s.row.id);
    render_builder(&state, &ctx, action, &builder::of_survey(&s), &FieldErrors::new()).await
}

pub(crate) async fn edit_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let s = draft_of(&state, &id).await?;
    let action = format!("/admin/surveys/{}/edit", s.row.id);
    match from_form(&body) {
        (t, None) => render_builder(&state, &ctx, action, &t, &FieldErrors::new()).await,
        (t, Some(Err(e))) => render_builder(&state, &ctx, action, &t, &e).await,
        (t, Some(Ok(clean))) => match store::replace(&state, me.id, s.row.id, &clean, &ctx.client_ip).await {
            Ok(()) => Ok(redirect(&format!("/admin/surveys/{}", s.row.id))),
            Err(AppError::Validation(e)) => render_builder(&state, &ctx, action, &t, &e).await,
            Err(e) => Err(e),
        },
    }
}

#[derive(Template)]
#[template(path = "admin_survey.html")]
struct SurveyPage<'a> {
    csrf: &'a str,
    s: &'a Survey,
    draft: bool,
    questions: Vec<QuestionForm>,
    import_text: &'a str,
    import_summary: String,
}

impl SurveyPage<'_> {
    fn type_label(&self, code: &str) -> &'static str {
        MemberType::parse(code).map(MemberType::label).unwrap_or("")
    }
}

async fn render_survey(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    import: (&str, &FieldErrors),
    notice: Option<&str>,
) -> AppResult<Response> {
    let s = store::load(state.db.reader(), id).await?;
    let none = FieldErrors::new();
    let page = SurveyPage {
        csrf: &ctx.csrf,
        draft: s.status() == Status::Draft,
        questions: s.questions.iter().map(|q| question_form(q, &s, None, &none)).collect(),
        import_text: import.0,
        import_summary: error_summary(import.1),
        s: &s,
    };
    let status = if import.1.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let html = ui::page_with_notice(state, ctx, &s.row.title, "/surveys", &ui::render(&page), notice);
    Ok((status, html).into_response())
}

pub(crate) async fn survey_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    render_survey(&state, &ctx, path_id(&id)?, ("", &FieldErrors::new()), None).await
}

pub(crate) async fn publish_submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let id = path_id(&id)?;
    store::publish(&state, me.id, id, &ctx.client_ip).await?;
    let notice = "Published: members it is for can answer it now, and its questions are frozen.";
    render_survey(&state, &ctx, id, ("", &FieldErrors::new()), Some(notice)).await
}

pub(crate) async fn copy_submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let new = store::copy(&state, me.id, path_id(&id)?, &ctx.client_ip).await?;
    Ok(redirect(&format!("/admin/surveys/{new}/edit")))
}

pub(crate) async fn import_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let id = path_id(&id)?;
    let text = form_value(&form_pairs(&body), "file");
    let s = store::load(state.db.reader(), id).await?;
    let rows = match crate::import::read(&s, &text) {
        Ok(rows) => rows,
        Err(e) => return render_survey(&state, &ctx, id, (&text, &e), None).await,
    };
    match crate::import::store(&state, me.id, &s, &rows, &ctx.client_ip).await {
        Ok(n) => {
            let notice = format!("{n} responses imported.");
            render_survey(&state, &ctx, id, ("", &FieldErrors::new()), Some(&notice)).await
        }
        Err(AppError::Validation(e)) => render_survey(&state, &ctx, id, (&text, &e), None).await,
        Err(e) => Err(e),
    }
}
