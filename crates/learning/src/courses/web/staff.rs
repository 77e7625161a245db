//! The staff course builder in HTML: the list of courses with a new-course form, and one
//! course's builder page (details and cohort, publish, modules, lessons with up/down
//! ordering, the quiz's settings and questions), and a lesson's edit page. Every form
//! re-renders with what was typed and its errors beside the fields. Everyone but staff
//! gets 404.

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kernel::http::{Req, RequestContext, path_id, redirect};
use kernel::ui::{self, Field, Input, error_summary};
use kernel::{AppError, AppResult, AppState, FieldErrors};
use uuid::Uuid;

use super::{form_pairs, form_value};
use crate::courses::builder;
use crate::courses::catalogue::{self, CourseSummary};
use crate::courses::editing::{self, DetailsForm, LessonForm, QuestionForm};
use crate::courses::model::CourseStatus;
use crate::courses::outline::{self, CourseView};

use kernel::viewer::staff_page as staff;

fn details_fields(f: &DetailsForm, e: &FieldErrors, new: bool) -> String {
    let mut out = Field::new("title", "Title", &f.title, Input::Text).errors(e).required().html();
    out += &Field::new("summary", "Summary", &f.summary, Input::TextArea).errors(e).html();
    if new {
        out += &Field::new("credential", "Credential code", &f.credential, Input::Text)
            .hint("Letters, digits and hyphens, like storytelling-101. Left empty, it is made from the title.")
            .errors(e)
            .html();
    }
    out += "<fieldset><legend>Cohort (leave empty for a course members start any time)</legend>";
    out += &Field::new("opens_on", "Enrolment opens (YYYY-MM-DD)", &f.opens_on, Input::Text).errors(e).html();
    out += &Field::new("closes_on", "Enrolment closes (YYYY-MM-DD)", &f.closes_on, Input::Text).errors(e).html();
    out += &Field::new("seats", "Seats", &f.seats, Input::Number).errors(e).html();
    out + "</fieldset>"
}

fn lesson_fields(f: &LessonForm, e: &FieldErrors) -> String {
    [
        Field::new("lesson_title", "Lesson title", &f.title, Input::Text).errors(e).required().html(),
        Field::new("lesson_body", "Text (Markdown)", &f.body, Input::TextArea).errors(e).html(),
        Field::new("lesson_video_url", "Video link", &f.video_url, Input::Url).errors(e).html(),
        Field::new("lesson_captions_url", "Captions file link (WebVTT)", &f.captions_url, Input::Url)
            .hint("Needed for every video before the course is published.")
            .errors(e)
            .html(),
        Field::new("lesson_transcript", "Transcript", &f.transcript, Input::TextArea).errors(e).html(),
        Field::new("lesson_files", "Downloads", &f.files, Input::TextArea)
            .hint("One per line: Label | https://…")
            .errors(e)
            .html(),
    ]
    .concat()
}

fn question_fields(f: &QuestionForm, e: &FieldErrors) -> String {
    [
        Field::new("question_text", "Question", &f.text, Input::Text).errors(e).required().html(),
        Field::new("question_options", "Options", &f.options, Input::TextArea)
            .hint("One per line; start each correct one with *. Several correct make it multiple choice.")
            .errors(e)
            .required()
            .html(),
        Field::new("question_explanation", "Explanation shown after answering", &f.explanation, Input::TextArea)
            .errors(e)
            .html(),
    ]
    .concat()
}

#[derive(Template)]
#[template(path = "course_admin.html")]
struct AdminPage<'a> {
    courses: Vec<CourseSummary>,
    summary: String,
    fields: String,
    csrf: &'a str,
}

async fn render_admin(state: &AppState, ctx: &RequestContext, f: &DetailsForm, e: &FieldErrors) -> AppResult<Response> {
    let courses = catalogue::list(&state.db, &ctx.viewer, None, None, 100).await?.items;
    let page = AdminPage { courses, summary: error_summary(e), fields: details_fields(f, e, true), csrf: &ctx.csrf };
    let status = if e.is_empty() { StatusCode::OK } else { e.page_status() };
    Ok((status, ui::page(state, ctx, "Course builder", "/courses", &ui::render(&page))).into_response())
}

pub(crate) async fn admin_page(Req { state, ctx }: Req) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    render_admin(&state, &ctx, &DetailsForm::default(), &FieldErrors::new()).await
}

fn details_form(pairs: &[(String, String)]) -> DetailsForm {
    DetailsForm {
        title: form_value(pairs, "title"),
        summary: form_value(pairs, "summary"),
        credential: form_value(pairs, "credential"),
        opens_on: form_value(pairs, "opens_on"),
        closes_on: form_value(pairs, "closes_on"),
        seats: form_value(pairs, "seats"),
    }
}

pub(crate) async fn create_submit(Req { state, ctx }: Req, body: Bytes) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let f = details_form(&form_pairs(&body));
    match editing::create_draft(&state, me.id, &f).await {
        Ok(id) => Ok(redirect(&format!("/admin/courses/{id}"))),
        Err(AppError::Validation(e)) => render_admin(&state, &ctx, &f, &e).await,
        Err(e) => Err(e),
    }
}

/// What the builder page shows in its forms: what was typed into the one just sent (with
/// its errors), the course's current values elsewhere.
#[derive(Default)]
struct Typed {
    details: Option<DetailsForm>,
    module_title: String,
    lesson: LessonForm,
    module_chosen: String,
    quiz: Option<(String, String)>,
    question: QuestionForm,
}

#[derive(Template)]
#[template(path = "course_edit.html")]
struct EditPage<'a> {
    c: CourseView,
    summary: String,
    status_error: Option<String>,
    details: String,
    module_field: String,
    module_chosen: String,
    lesson_fields: String,
    quiz_fields: String,
    question_fields: String,
    csrf: &'a str,
}

fn current_details(c: &CourseView) -> DetailsForm {
    let day = |t: &chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d").to_string();
    DetailsForm {
        title: c.course.title.clone(),
        summary: c.course.summary.clone(),
        credential: c.course.credential.clone(),
        opens_on: c.course.cohort.as_ref().map(|k| day(&k.opens_at)).unwrap_or_default(),
        closes_on: c.course.cohort.as_ref().map(|k| day(&k.closes_at)).unwrap_or_default(),
        seats: c.course.cohort.as_ref().map(|k| k.seats.to_string()).unwrap_or_default(),
    }
}

async fn render_edit(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    t: Typed,
    e: &FieldErrors,
) -> AppResult<Response> {
    let c = outline::view(state, &ctx.viewer, id).await?;
    let details = t.details.unwrap_or_else(|| current_details(&c));
    let (pass, tries) = t.quiz.unwrap_or_else(|| match &c.quiz {
        Some(q) => (((q.pass_mark * 100.0).round() as i64).to_string(), q.max_attempts.to_string()),
        None => ("80".into(), "0".into()),
    });
    let quiz_fields = Field::new("pass_percent", "Pass mark (%)", &pass, Input::Number).errors(e).required().html()
        + &Field::new("max_attempts", "Attempts allowed (0: no limit)", &tries, Input::Number).errors(e).html();
    let page = EditPage {
        summary: error_summary(e),
        status_error: e.get("status").map(String::from),
        details: details_fields(&details, e, false),
        module_field: Field::new("module_title", "Module title", &t.module_title, Input::Text)
            .errors(e)
            .required()
            .html(),
        module_chosen: t.module_chosen,
        lesson_fields: lesson_fields(&t.lesson, e),
        quiz_fields,
        question_fields: question_fields(&t.question, e),
        csrf: &ctx.csrf,
        c,
    };
    let status = if e.is_empty() { StatusCode::OK } else { e.page_status() };
    let title = format!("Edit: {}", page.c.course.title);
    Ok((status, ui::page(state, ctx, &title, "/courses", &ui::render(&page))).into_response())
}

pub(crate) async fn edit_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    render_edit(&state, &ctx, path_id(&id)?, Typed::default(), &FieldErrors::new()).await
}

/// Back to the builder after a step, or the builder again with the step's errors.
async fn after(state: &AppState, ctx: &RequestContext, id: Uuid, done: AppResult<()>, t: Typed) -> AppResult<Response> {
    match done {
        Ok(()) => Ok(redirect(&format!("/admin/courses/{id}"))),
        Err(AppError::Validation(e)) => render_edit(state, ctx, id, t, &e).await,
        Err(e) => Err(e),
    }
}

pub(crate) async fn details_submit(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let f = details_form(&form_pairs(&body));
    let done = editing::update_details(&state, id, &f).await;
    after(&state, &ctx, id, done, Typed { details: Some(f), ..Default::default() }).await
}

pub(crate) async fn status_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let status = CourseStatus::parse(&form_value(&form_pairs(&body), "status")).unwrap_or(CourseStatus::Draft);
    let done = builder::set_status(&state, id, status).await;
    after(&state, &ctx, id, done, Typed::default()).await
}

pub(crate) async fn module_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let title = form_value(&form_pairs(&body), "module_title");
    let done = editing::add_module(&state, id, &title).await;
    after(&state, &ctx, id, done, Typed { module_title: title, ..Default::default() }).await
}

fn lesson_form(pairs: &[(String, String)]) -> LessonForm {
    LessonForm {
        title: form_value(pairs, "lesson_title"),
        body: form_value(pairs, "lesson_body"),
        video_url: form_value(pairs, "lesson_video_url"),
        captions_url: form_value(pairs, "lesson_captions_url"),
        transcript: form_value(pairs, "lesson_transcript"),
        files: form_value(pairs, "lesson_files"),
    }
}

pub(crate) async fn lesson_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let pairs = form_pairs(&body);
    let module_chosen = form_value(&pairs, "module");
    let lesson = lesson_form(&pairs);
    let module = match module_chosen.parse::<Uuid>() {
        Ok(m) if editing::course_of_module(&state, m).await.ok() == Some(id) => m,
        _ => {
            let done = Err(AppError::field("module", "Choose one of this course's modules."));
            return after(&state, &ctx, id, done, Typed { lesson, module_chosen, ..Default::default() }).await;
        }
    };
    let done = editing::add_lesson(&state, module, &lesson).await.map(|_| ());
    after(&state, &ctx, id, done, Typed { lesson, module_chosen, ..Default::default() }).await
}

pub(crate) async fn quiz_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let pairs = form_pairs(&body);
    let (pass, tries) = (form_value(&pairs, "pass_percent"), form_value(&pairs, "max_attempts"));
    let done = editing::set_quiz(&state, id, &pass, &tries).await;
    after(&state, &ctx, id, done, Typed { quiz: Some((pass, tries)), ..Default::default() }).await
}

pub(crate) async fn question_submit(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let pairs = form_pairs(&body);
    let question = QuestionForm {
        text: form_value(&pairs, "question_text"),
        explanation: form_value(&pairs, "question_explanation"),
        options: form_value(&pairs, "question_options"),
    };
    let done = editing::add_question(&state, id, &question).await;
    after(&state, &ctx, id, done, Typed { question, ..Default::default() }).await
}

pub(crate) async fn question_delete(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let course = editing::delete_question(&state, path_id(&id)?).await?;
    Ok(redirect(&format!("/admin/courses/{course}")))
}

pub(crate) async fn lesson_move(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let lesson: Uuid = path_id(&id)?;
    let up = form_value(&form_pairs(&body), "direction") == "up";
    editing::move_lesson(&state, lesson, up).await?;
    let course = editing::course_of_lesson(&state, lesson).await?;
    Ok(redirect(&format!("/admin/courses/{course}")))
}

#[derive(Template)]
#[template(path = "course_lesson_edit.html")]
struct LessonEditPage<'a> {
    title: String,
    course_id: Uuid,
    lesson_id: Uuid,
    summary: String,
    fields: String,
    csrf: &'a str,
}

async fn render_lesson_edit(
    state: &AppState,
    ctx: &RequestContext,
    lesson: Uuid,
    typed: Option<LessonForm>,
    e: &FieldErrors,
) -> AppResult<Response> {
    let (course, l) = crate::courses::lessons::open(state, &ctx.viewer, lesson).await?;
    let files = l.files().iter().map(|f| format!("{} | {}", f.label, f.url)).collect::<Vec<_>>().join("\n");
    let f = typed.unwrap_or(LessonForm {
        title: l.title.clone(),
        body: l.body.clone(),
        video_url: l.video_url.clone(),
        captions_url: l.captions_url.clone(),
        transcript: l.transcript.clone(),
        files,
    });
    let page = LessonEditPage {
        title: l.title.clone(),
        course_id: course.id,
        lesson_id: lesson,
        summary: error_summary(e),
        fields: lesson_fields(&f, e),
        csrf: &ctx.csrf,
    };
    let status = if e.is_empty() { StatusCode::OK } else { e.page_status() };
    let title = format!("Edit lesson: {}", l.title);
    Ok((status, ui::page(state, ctx, &title, "/courses", &ui::render(&page))).into_response())
}

pub(crate) async fn lesson_edit_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    render_lesson_edit(&state, &ctx, path_id(&id)?, None, &FieldErrors::new()).await
}

pub(crate) async fn lesson_edit_submit(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let lesson: Uuid = path_id(&id)?;
    let f = lesson_form(&form_pairs(&body));
    match editing::update_lesson(&state, lesson, &f).await {
        Ok(()) => Ok(redirect(&format!("/admin/courses/{}", editing::course_of_lesson(&state, lesson).await?))),
        Err(AppError::Validation(e)) => render_lesson_edit(&state, &ctx, lesson, Some(f), &e).await,
        Err(e) => Err(e),
    }
}
