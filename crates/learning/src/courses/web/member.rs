//! Members' pages: the catalogue, a course with its enrol button and progress, lesson
//! pages with "mark complete", the quiz (plain radio buttons and checkboxes, no
//! script), the certificate's public page and "my credentials".

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kernel::http::{ApiQuery, Req, RequestContext, login_redirect, path_id, redirect};
use kernel::page::{self, Page};
use kernel::ui::{self, error_summary};
use kernel::{AppError, AppResult, AppState, FieldErrors};
use serde::Deserialize;
use uuid::Uuid;

use super::form_pairs;
use crate::courses::builder::FileLink;
use crate::courses::catalogue::CourseRow;
use crate::courses::catalogue::{self, CourseSummary, QuizView};
use crate::courses::certificates::{self, Certificate, MyCredential};
use crate::courses::model::{Enrolment, day, when};
use crate::courses::outline::{self, CourseView};
use crate::courses::quizzes::{self, Answers, Marked};
use crate::courses::{enrolment, lessons};

fn percent(share: &f64) -> i64 {
    (share * 100.0).round() as i64
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    moment: String,
}

#[derive(Template)]
#[template(path = "courses.html")]
struct ListPage {
    items: Vec<CourseSummary>,
    next_href: Option<String>,
    is_staff: bool,
    filter_html: String,
}

impl ListPage {
    fn at(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        when(t)
    }
}

pub(crate) async fn list_page(Req { state, ctx }: Req, ApiQuery(q): ApiQuery<ListQuery>) -> AppResult<Response> {
    let (found, error) = match contracts::moments::moment_filter(&state, "course", &q.moment).await? {
        Ok(only) => (
            catalogue::list(&state.db, &ctx.viewer, only.as_deref(), q.cursor.as_deref(), page::DEFAULT_LIMIT).await?,
            None,
        ),
        Err(m) => (Page { items: vec![], next_cursor: None }, Some(m)),
    };
    let moment = url::form_urlencoded::byte_serialize(q.moment.as_bytes()).collect::<String>();
    let page = ListPage {
        items: found.items,
        next_href: found.next_cursor.map(|c| format!("/courses?moment={moment}&cursor={c}")),
        is_staff: ctx.viewer.is_staff(),
        filter_html: contracts::moments::filter_form(&state, "/courses", &q.moment, error.as_deref()),
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, ui::page(&state, &ctx, "Courses", "/courses", &ui::render(&page))).into_response())
}

#[derive(Template)]
#[template(path = "course.html")]
struct CoursePage<'a> {
    c: CourseView,
    csrf: &'a str,
    is_staff: bool,
}

impl CoursePage<'_> {
    fn at(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        when(t)
    }

    fn done(&self, lesson: &Uuid) -> bool {
        self.c.me.as_ref().is_some_and(|m| m.lessons_done.contains(lesson))
    }

    fn steps(&self) -> usize {
        self.c.me.as_ref().map(|m| m.lessons_total).unwrap_or(0) + usize::from(self.c.quiz.is_some())
    }

    fn steps_done(&self) -> usize {
        self.c.me.as_ref().map(|m| m.lessons_done.len() + usize::from(m.quiz_passed)).unwrap_or(0)
    }

    fn percent(&self, share: &f64) -> i64 {
        percent(share)
    }
}

fn notice_for(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "enrolled" => Some("You are enrolled. Start with the first lesson."),
        "waitlisted" => {
            Some("The seats are taken, so you are on the waitlist. We will give you a seat when one frees up.")
        }
        "withdrawn" => Some("You have left the course."),
        "closed" => Some("Enrolment in this course is closed."),
        _ => None,
    }
}

pub(crate) async fn course_page(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> AppResult<Response> {
    let c = outline::view(&state, &ctx.viewer, path_id(&id)?).await?;
    let title = c.course.title.clone();
    let page = CoursePage { c, csrf: &ctx.csrf, is_staff: ctx.viewer.is_staff() };
    let notice = notice_for(q.done.as_deref());
    Ok(ui::page_with_notice(&state, &ctx, &title, "/courses", &ui::render(&page), notice).into_response())
}

pub(crate) async fn enrol_submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    if !ctx.viewer.is_signed_in() {
        return Ok(login_redirect(&format!("/courses/{id}")));
    }
    let course: Uuid = path_id(&id)?;
    let done = match enrolment::enrol(&state, &ctx.viewer, course).await {
        Ok(e) => e.as_str(),
        Err(AppError::Conflict { .. }) => "closed",
        Err(e) => return Err(e),
    };
    Ok(redirect(&format!("/courses/{course}?done={done}")))
}

pub(crate) async fn withdraw_submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    ctx.viewer.require_member()?;
    let course: Uuid = path_id(&id)?;
    enrolment::withdraw(&state, &ctx.viewer, course).await?;
    Ok(redirect(&format!("/courses/{course}?done=withdrawn")))
}

#[derive(Template)]
#[template(path = "course_lesson.html")]
struct LessonPage<'a> {
    course: CourseRow,
    l: catalogue::LessonRow,
    body_html: String,
    files: Vec<FileLink>,
    done: bool,
    enrolled: bool,
    prev: Option<Uuid>,
    next: Option<Uuid>,
    csrf: &'a str,
}

pub(crate) async fn lesson_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    let lesson: Uuid = path_id(&id)?;
    let (course, l) = lessons::open(&state, &ctx.viewer, lesson).await?;
    let content = catalogue::content(state.db.reader(), course.id).await?;
    let order: Vec<Uuid> = content.lessons().map(|l| l.id).collect();
    let at = order.iter().position(|x| *x == lesson).unwrap_or(0);
    let (done, enrolled) = match ctx.viewer.id() {
        Some(me) => (
            lessons::done_in(&state, course.id, me).await?.contains(&lesson),
            enrolment::status_in(state.db.reader(), course.id, me).await? == Some(Enrolment::Enrolled),
        ),
        None => (false, false),
    };
    let page = LessonPage {
        body_html: kernel::markdown::render(&l.body),
        files: l.files(),
        done,
        enrolled,
        prev: at.checked_sub(1).and_then(|i| order.get(i).copied()),
        next: order.get(at + 1).copied(),
        csrf: &ctx.csrf,
        course,
        l,
    };
    let title = page.l.title.clone();
    Ok(ui::page(&state, &ctx, &title, "/courses", &ui::render(&page)).into_response())
}

pub(crate) async fn lesson_complete_submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    ctx.viewer.require_member()?;
    let lesson: Uuid = path_id(&id)?;
    let done = lessons::complete(&state, &ctx.viewer, lesson).await?;
    let content = catalogue::content(state.db.reader(), done.course_id).await?;
    let order: Vec<Uuid> = content.lessons().map(|l| l.id).collect();
    let next = order.iter().position(|x| *x == lesson).and_then(|i| order.get(i + 1));
    Ok(match next {
        Some(n) if !done.course_completed => redirect(&format!("/lessons/{n}")),
        _ => redirect(&format!("/courses/{}", done.course_id)),
    })
}

#[derive(Template)]
#[template(path = "course_quiz.html")]
struct QuizPage<'a> {
    course_id: Uuid,
    course_title: String,
    quiz: QuizView,
    result: Option<Marked>,
    chosen: Vec<Uuid>,
    summary: String,
    blocked: Option<String>,
    csrf: &'a str,
}

impl QuizPage<'_> {
    fn percent(&self, share: &f64) -> i64 {
        percent(share)
    }

    fn chosen(&self, option: &Uuid) -> bool {
        self.chosen.contains(option)
    }
}

async fn render_quiz(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    result: Option<Marked>,
    chosen: Vec<Uuid>,
    errors: &FieldErrors,
) -> AppResult<Response> {
    let quiz = quizzes::open(state, &ctx.viewer, id).await?;
    let course = catalogue::load(state.db.reader(), &ctx.viewer, quiz.course_id).await?;
    let blocked = match ctx.viewer.id() {
        None => Some("Sign in and enrol in the course to take the quiz.".to_string()),
        Some(me) => match enrolment::status_in(state.db.reader(), course.id, me).await? {
            Some(Enrolment::Enrolled) => None,
            _ => Some("Enrol in the course to take the quiz.".to_string()),
        },
    };
    let page = QuizPage {
        course_id: course.id,
        course_title: course.title,
        quiz: quiz.view(),
        result,
        chosen,
        summary: error_summary(errors),
        blocked,
        csrf: &ctx.csrf,
    };
    let status = if errors.is_empty() { StatusCode::OK } else { errors.page_status() };
    let title = format!("Quiz: {}", page.course_title);
    Ok((status, ui::page(state, ctx, &title, "/courses", &ui::render(&page))).into_response())
}

pub(crate) async fn quiz_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    render_quiz(&state, &ctx, path_id(&id)?, None, vec![], &FieldErrors::new()).await
}

pub(crate) async fn quiz_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    ctx.viewer.require_member()?;
    let id: Uuid = path_id(&id)?;
    let mut a = Answers::default();
    let mut chosen = Vec::new();
    for (k, v) in form_pairs(&body) {
        if let (Some(q), Ok(o)) = (k.strip_prefix("q-").and_then(|q| q.parse::<Uuid>().ok()), v.parse::<Uuid>()) {
            a.answers.entry(q).or_default().push(o);
            chosen.push(o);
        }
    }
    match quizzes::attempt(&state, &ctx.viewer, id, &a).await {
        Ok(marked) => render_quiz(&state, &ctx, id, Some(marked), chosen, &FieldErrors::new()).await,
        Err(AppError::Validation(errors)) => render_quiz(&state, &ctx, id, None, chosen, &errors).await,
        Err(AppError::Conflict { message, .. }) => {
            let mut errors = FieldErrors::new();
            errors.add("answers", message);
            render_quiz(&state, &ctx, id, None, chosen, &errors).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage {
    c: Certificate,
    date: String,
}

/// The public, printable verification page of a certificate.
pub(crate) async fn certificate_page(Req { state, ctx }: Req, Path(code): Path<String>) -> AppResult<Response> {
    let c = certificates::certificate(&state, &code).await?;
    let title = format!("Certificate: {} — {}", c.course, c.name);
    let page = CertificatePage { date: day(&c.completed_at), c };
    Ok(ui::page(&state, &ctx, &title, "/courses", &ui::render(&page)).into_response())
}

#[derive(Template)]
#[template(path = "course_credentials.html")]
struct CredentialsPage<'a> {
    items: Vec<MyCredential>,
    member_id: kernel::ids::MemberId,
    csrf: &'a str,
}

impl CredentialsPage<'_> {
    fn at(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        day(t)
    }
}

pub(crate) async fn credentials_page(Req { state, ctx }: Req) -> AppResult<Response> {
    let Some(me) = ctx.viewer.member() else { return Ok(login_redirect("/courses/credentials")) };
    let page = CredentialsPage { items: certificates::mine(&state, me.id).await?, member_id: me.id, csrf: &ctx.csrf };
    Ok(ui::page(&state, &ctx, "My certificates and credentials", "/courses", &ui::render(&page)).into_response())
}

pub(crate) async fn credential_submit(
    Req { state, ctx }: Req,
    Path(code): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    let shown = form_pairs(&body).iter().any(|(k, v)| k == "shown" && v == "yes");
    certificates::set_shown(&state, me.id, &code, shown).await?;
    Ok(redirect("/courses/credentials"))
}
