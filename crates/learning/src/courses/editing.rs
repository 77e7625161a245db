//! The HTML course builder's single steps, each checked with the same rules as a whole
//! course (`builder`) and written in one transaction: a course's details and cohort, a
//! module, a lesson (added, changed, moved up or down), the quiz's pass mark and
//! attempts, a question added or removed.

use chrono::{DateTime, NaiveDate, Utc};
use kernel::{AppError, AppResult, AppState, FieldErrors, db, params};
use uuid::Uuid;

use super::builder::{self, FileLink, NewCohort, NewLesson, NewOption, NewQuestion};
use super::model::{self, CourseStatus};

/// A lesson as typed into the builder's form; downloads one per line, `Label | https://…`.
#[derive(Debug, Default, Clone)]
pub(crate) struct LessonForm {
    pub title: String,
    pub body: String,
    pub video_url: String,
    pub captions_url: String,
    pub transcript: String,
    pub files: String,
}

/// A course's details as typed; the cohort fields all empty for a course without one.
#[derive(Debug, Default, Clone)]
pub(crate) struct DetailsForm {
    pub title: String,
    pub summary: String,
    pub credential: String,
    pub opens_on: String,
    pub closes_on: String,
    pub seats: String,
}

/// A question as typed; options one per line, the correct ones starting with `*`.
#[derive(Debug, Default, Clone)]
pub(crate) struct QuestionForm {
    pub text: String,
    pub explanation: String,
    pub options: String,
}

/// Field errors of nested inputs (`lesson_files[2].url`) under their form field (`lesson_files`).
fn collapse(e: FieldErrors) -> FieldErrors {
    let mut out = FieldErrors::new();
    for (k, v) in e.0 {
        let field = k.split('[').next().unwrap_or(&k).to_string();
        if out.get(&field).is_none() {
            out.add(&field, v);
        }
    }
    out
}

fn lesson_input(f: &LessonForm, e: &mut FieldErrors) -> NewLesson {
    let mut files = Vec::new();
    for line in f.files.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match line.split_once('|') {
            Some((label, url)) => files.push(FileLink { label: label.trim().into(), url: url.trim().into() }),
            None => e.add("lesson_files", "Write each download as: Label | https://…"),
        }
    }
    NewLesson {
        title: f.title.clone(),
        body: f.body.clone(),
        video_url: Some(f.video_url.clone()),
        captions_url: Some(f.captions_url.clone()),
        transcript: Some(f.transcript.clone()),
        files,
    }
}

async fn course_status(state: &AppState, course: Uuid) -> AppResult<CourseStatus> {
    let s: String = state
        .db
        .scalar("SELECT status FROM courses WHERE id = $1", params![course])
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(CourseStatus::parse(&s).unwrap_or(CourseStatus::Draft))
}

/// A lesson as typed, checked (captions required while the course is published).
async fn checked_lesson(state: &AppState, course: Uuid, f: &LessonForm) -> AppResult<NewLesson> {
    let publishing = course_status(state, course).await? == CourseStatus::Published;
    let mut e = FieldErrors::new();
    let typed = lesson_input(f, &mut e);
    let clean = builder::check_lesson(&mut e, "lesson_", &typed, publishing);
    collapse(e).into_result()?;
    Ok(clean)
}

pub(crate) async fn add_module(state: &AppState, course: Uuid, title: &str) -> AppResult<()> {
    let mut e = FieldErrors::new();
    let title = builder::text(&mut e, "module_title", title, model::TITLE_MAX, true);
    e.into_result()?;
    let tx = state.db.begin().await?;
    let position: i64 = db::scalar(
        &tx,
        "SELECT COALESCE(MAX(position) + 1, 0) FROM course_modules WHERE course_id = $1",
        params![course],
    )
    .await?
    .unwrap_or(0);
    builder::add_module(&tx, course, position, &title).await?;
    tx.commit().await?;
    Ok(())
}

/// The course a module belongs to, or 404.
pub(crate) async fn course_of_module(state: &AppState, module: Uuid) -> AppResult<Uuid> {
    state
        .db
        .scalar("SELECT course_id FROM course_modules WHERE id = $1", params![module])
        .await?
        .ok_or(AppError::NotFound)
}

/// The course a lesson belongs to, or 404.
pub(crate) async fn course_of_lesson(state: &AppState, lesson: Uuid) -> AppResult<Uuid> {
    state
        .db
        .scalar("SELECT course_id FROM course_lessons WHERE id = $1", params![lesson])
        .await?
        .ok_or(AppError::NotFound)
}

pub(crate) async fn add_lesson(state: &AppState, module: Uuid, f: &LessonForm) -> AppResult<Uuid> {
    let course = course_of_module(state, module).await?;
    let l = checked_lesson(state, course, f).await?;
    let tx = state.db.begin().await?;
    let position: i64 = db::scalar(
        &tx,
        "SELECT COALESCE(MAX(position) + 1, 0) FROM course_lessons WHERE module_id = $1",
        params![module],
    )
    .await?
    .unwrap_or(0);
    let id = builder::insert_lesson(&tx, course, module, position, &l).await?;
    tx.commit().await?;
    Ok(id)
}

pub(crate) async fn update_lesson(state: &AppState, lesson: Uuid, f: &LessonForm) -> AppResult<()> {
    let course = course_of_lesson(state, lesson).await?;
    let l = checked_lesson(state, course, f).await?;
    let files = serde_json::to_string(&l.files).unwrap_or_else(|_| "[]".into());
    state
        .db
        .exec(
            "UPDATE course_lessons SET title = $2, body = $3, video_url = $4, captions_url = $5, transcript = $6, files = $7 WHERE id = $1",
            params![
                lesson,
                l.title,
                l.body,
                l.video_url.unwrap_or_default(),
                l.captions_url.unwrap_or_default(),
                l.transcript.unwrap_or_default(),
                files
            ],
        )
        .await?;
    Ok(())
}

/// Swaps a lesson with its neighbour above (`up`) or below in its module.
pub(crate) async fn move_lesson(state: &AppState, lesson: Uuid, up: bool) -> AppResult<()> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        id: Uuid,
        position: i64,
    }
    let tx = state.db.begin().await?;
    let module: Uuid = db::scalar(&tx, "SELECT module_id FROM course_lessons WHERE id = $1", params![lesson])
        .await?
        .ok_or(AppError::NotFound)?;
    let rows: Vec<Row> = db::all(
        &tx,
        "SELECT id, position FROM course_lessons WHERE module_id = $1 ORDER BY position, id",
        params![module],
    )
    .await?;
    let at = rows.iter().position(|r| r.id == lesson).ok_or(AppError::NotFound)?;
    let other = if up { at.checked_sub(1) } else { Some(at + 1).filter(|i| *i < rows.len()) };
    if let Some(o) = other {
        // Every lesson of the module takes its place in the new order (0, 1, 2 …), which
        // also mends positions left uneven by earlier edits.
        for (i, r) in rows.iter().enumerate() {
            let p = if i == at {
                o
            } else if i == o {
                at
            } else {
                i
            };
            if r.position != p as i64 {
                db::exec(&tx, "UPDATE course_lessons SET position = $2 WHERE id = $1", params![r.id, p as i64]).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

fn date(e: &mut FieldErrors, field: &str, typed: &str) -> Option<DateTime<Utc>> {
    match NaiveDate::parse_from_str(typed.trim(), "%Y-%m-%d") {
        Ok(d) => d.and_hms_opt(0, 0, 0).map(|t| t.and_utc()),
        Err(_) => {
            e.add(field, "Give a date like 2027-01-31.");
            None
        }
    }
}

/// The cohort the form describes: none when its fields are all empty.
fn cohort(e: &mut FieldErrors, f: &DetailsForm) -> Option<NewCohort> {
    if [&f.opens_on, &f.closes_on, &f.seats].iter().all(|s| s.trim().is_empty()) {
        return None;
    }
    let opens_at = date(e, "opens_on", &f.opens_on);
    let closes_at = date(e, "closes_on", &f.closes_on);
    let seats = f.seats.trim().parse::<i64>().ok().filter(|n| (1..=model::SEATS_MAX).contains(n));
    if seats.is_none() {
        e.add("seats", format!("Give 1 to {} seats.", model::SEATS_MAX));
    }
    let c = NewCohort { opens_at: opens_at?, closes_at: closes_at?, seats: seats? };
    if c.closes_at <= c.opens_at {
        e.add("closes_on", "Enrolment must close after it opens.");
    }
    Some(c)
}

/// A new draft course from the builder's first form; its id.
pub(crate) async fn create_draft(state: &AppState, staff: kernel::ids::MemberId, f: &DetailsForm) -> AppResult<Uuid> {
    let mut e = FieldErrors::new();
    builder::text(&mut e, "title", &f.title, model::TITLE_MAX, true);
    builder::text(&mut e, "summary", &f.summary, model::SUMMARY_MAX, false);
    let cohort = cohort(&mut e, f);
    builder::credential(&mut e, Some(&f.credential));
    e.into_result()?;
    let n = builder::NewCourse {
        title: f.title.clone(),
        summary: f.summary.clone(),
        credential: Some(f.credential.clone()).filter(|c| !c.trim().is_empty()),
        status: Some(CourseStatus::Draft),
        cohort,
        ..Default::default()
    };
    builder::create(state, staff, &n).await
}

/// Changes a course's title, summary and cohort (the credential stays: members may hold it).
pub(crate) async fn update_details(state: &AppState, course: Uuid, f: &DetailsForm) -> AppResult<()> {
    let mut e = FieldErrors::new();
    let title = builder::text(&mut e, "title", &f.title, model::TITLE_MAX, true);
    let summary = builder::text(&mut e, "summary", &f.summary, model::SUMMARY_MAX, false);
    let c = cohort(&mut e, f);
    e.into_result()?;
    let n = state
        .db
        .exec(
            "UPDATE courses SET title = $2, summary = $3, opens_at = $4, closes_at = $5, seats = $6, updated_at = $7 WHERE id = $1",
            params![
                course,
                title,
                summary,
                c.as_ref().map(|c| c.opens_at),
                c.as_ref().map(|c| c.closes_at),
                c.as_ref().map(|c| c.seats),
                kernel::time::now()
            ],
        )
        .await?;
    if n == 0 { Err(AppError::NotFound) } else { Ok(()) }
}

/// Sets the quiz's pass mark (whole percent) and attempts, making the quiz if there is none.
pub(crate) async fn set_quiz(state: &AppState, course: Uuid, pass: &str, tries: &str) -> AppResult<()> {
    let mut e = FieldErrors::new();
    let pass = pass.trim().parse::<i64>().ok().filter(|p| (0..=100).contains(p));
    if pass.is_none() {
        e.add("pass_percent", "Give a pass mark from 0 to 100.");
    }
    let tries = tries.trim();
    let tries = if tries.is_empty() { Some(0) } else { tries.parse::<i64>().ok() };
    let tries = builder::attempts(&mut e, "max_attempts", tries.or(Some(-1)));
    e.into_result()?;
    course_status(state, course).await?;
    let tx = state.db.begin().await?;
    builder::ensure_quiz(&tx, course, pass.unwrap_or(0), tries).await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn add_question(state: &AppState, course: Uuid, f: &QuestionForm) -> AppResult<()> {
    course_status(state, course).await?;
    let options = f.options.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| match l.strip_prefix('*') {
        Some(text) => NewOption { text: text.trim().into(), correct: true },
        None => NewOption { text: l.into(), correct: false },
    });
    let typed = NewQuestion { text: f.text.clone(), explanation: f.explanation.clone(), options: options.collect() };
    let mut e = FieldErrors::new();
    let q = builder::check_question(&mut e, "question_", &typed);
    collapse(e).into_result()?;
    let tx = state.db.begin().await?;
    let existing: Option<Uuid> =
        db::scalar(&tx, "SELECT id FROM course_quizzes WHERE course_id = $1", params![course]).await?;
    let quiz = match existing {
        Some(q) => q,
        None => builder::ensure_quiz(&tx, course, 80, 0).await?,
    };
    let position: i64 =
        db::scalar(&tx, "SELECT COALESCE(MAX(position) + 1, 0) FROM quiz_questions WHERE quiz_id = $1", params![quiz])
            .await?
            .unwrap_or(0);
    builder::insert_question(&tx, quiz, position, &q).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a question; the course it belonged to.
pub(crate) async fn delete_question(state: &AppState, question: Uuid) -> AppResult<Uuid> {
    let tx = state.db.begin().await?;
    let course: Uuid = db::scalar(
        &tx,
        "SELECT q.course_id FROM course_quizzes q JOIN quiz_questions x ON x.quiz_id = q.id WHERE x.id = $1",
        params![question],
    )
    .await?
    .ok_or(AppError::NotFound)?;
    db::exec(&tx, "DELETE FROM quiz_options WHERE question_id = $1", params![question]).await?;
    db::exec(&tx, "DELETE FROM quiz_questions WHERE id = $1", params![question]).await?;
    tx.commit().await?;
    Ok(course)
}
