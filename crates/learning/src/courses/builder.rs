//! A whole course as staff post it through the API (`POST /api/v1/admin/courses`):
//! checked field by field (every text and list bounded), then written in one
//! transaction. A course can be published only when each lesson with a video has its
//! captions file.

use chrono::{DateTime, Utc};
use kernel::db;
use kernel::ids::MemberId;
use kernel::params;
use kernel::{AppError, AppResult, AppState, FieldErrors};
use sea_orm::DatabaseTransaction;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::model::{self, CourseStatus};

/// A course with its modules, lessons, quiz and cohort.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCourse {
    pub title: String,
    #[serde(default)]
    pub summary: String,
    /// The credential a completion awards (letters, digits, hyphens); derived from the
    /// title when absent, and made unique.
    #[serde(default)]
    pub credential: Option<String>,
    /// `published` when absent.
    #[serde(default)]
    pub status: Option<CourseStatus>,
    #[serde(default)]
    pub modules: Vec<NewModule>,
    #[serde(default)]
    pub quiz: Option<NewQuiz>,
    /// An enrolment window and a seat cap; without one, enrolment is always open.
    #[serde(default)]
    pub cohort: Option<NewCohort>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewModule {
    pub title: String,
    #[serde(default)]
    pub lessons: Vec<NewLesson>,
}

#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLesson {
    pub title: String,
    /// Markdown.
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub video_url: Option<String>,
    /// The captions file (WebVTT) of the video; needed to publish a lesson with a video.
    #[serde(default)]
    pub captions_url: Option<String>,
    #[serde(default)]
    pub transcript: Option<String>,
    /// Downloadable files.
    #[serde(default)]
    pub files: Vec<FileLink>,
}

/// A file to download with a lesson.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileLink {
    pub label: String,
    pub url: String,
}

#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQuiz {
    /// The share of questions to answer right to pass, 0.0 to 1.0.
    pub pass_mark: f64,
    /// How many attempts a member has (absent or 0: as many as they like).
    #[serde(default)]
    pub max_attempts: Option<i64>,
    pub questions: Vec<NewQuestion>,
}

#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQuestion {
    pub text: String,
    /// Shown after answering.
    #[serde(default)]
    pub explanation: String,
    /// Two or more; one correct makes a single-choice question, several a multiple-choice one.
    pub options: Vec<NewOption>,
}

#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOption {
    pub text: String,
    pub correct: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCohort {
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// 1 to 100000.
    pub seats: i64,
}

/// Checks a text field: required or not, at most `max` characters.
pub(crate) fn text(e: &mut FieldErrors, field: &str, value: &str, max: usize, required: bool) -> String {
    let v = value.trim();
    if required && v.is_empty() {
        e.add(field, "This cannot be empty.");
    } else if v.chars().count() > max {
        e.add(field, format!("Keep this to {max} characters."));
    }
    v.to_string()
}

/// Checks an optional link: empty, or an http(s) address.
pub(crate) fn link(e: &mut FieldErrors, field: &str, value: Option<&str>) -> String {
    let v = value.unwrap_or("").trim();
    if !v.is_empty() && (v.len() > model::URL_MAX || !model::is_web_link(v)) {
        e.add(field, "Give a full web address starting with https://.");
    }
    v.to_string()
}

/// A lesson, checked; `at` prefixes its field names (`modules[0].lessons[1].`).
pub(crate) fn check_lesson(e: &mut FieldErrors, at: &str, l: &NewLesson, publishing: bool) -> NewLesson {
    let video = link(e, &format!("{at}video_url"), l.video_url.as_deref());
    let captions = link(e, &format!("{at}captions_url"), l.captions_url.as_deref());
    if publishing && !video.is_empty() && captions.is_empty() {
        e.add(&format!("{at}captions_url"), "A video needs its captions file before the course is published.");
    }
    if l.files.len() > model::FILES_MAX {
        e.add(&format!("{at}files"), format!("Attach at most {} files.", model::FILES_MAX));
    }
    let files = l.files.iter().take(model::FILES_MAX).enumerate().map(|(i, f)| FileLink {
        label: text(e, &format!("{at}files[{i}].label"), &f.label, model::TITLE_MAX, true),
        url: link(e, &format!("{at}files[{i}].url"), Some(&f.url)),
    });
    let files: Vec<FileLink> = files.collect();
    for (i, f) in files.iter().enumerate() {
        if f.url.is_empty() {
            e.add(&format!("{at}files[{i}].url"), "Give the file's web address.");
        }
    }
    NewLesson {
        title: text(e, &format!("{at}title"), &l.title, model::TITLE_MAX, true),
        body: text(e, &format!("{at}body"), &l.body, model::BODY_MAX, false),
        transcript: Some(text(
            e,
            &format!("{at}transcript"),
            l.transcript.as_deref().unwrap_or(""),
            model::TRANSCRIPT_MAX,
            false,
        )),
        video_url: Some(video),
        captions_url: Some(captions),
        files,
    }
}

/// A question, checked; `at` prefixes its field names.
pub(crate) fn check_question(e: &mut FieldErrors, at: &str, q: &NewQuestion) -> NewQuestion {
    let options: Vec<NewOption> = q
        .options
        .iter()
        .take(model::OPTIONS_MAX)
        .enumerate()
        .map(|(i, o)| NewOption {
            text: text(e, &format!("{at}options[{i}].text"), &o.text, model::TITLE_MAX, true),
            correct: o.correct,
        })
        .collect();
    if q.options.len() < 2 || q.options.len() > model::OPTIONS_MAX {
        e.add(&format!("{at}options"), format!("Give 2 to {} options.", model::OPTIONS_MAX));
    } else if !options.iter().any(|o| o.correct) {
        e.add(&format!("{at}options"), "Mark at least one option correct.");
    }
    NewQuestion {
        text: text(e, &format!("{at}text"), &q.text, model::SUMMARY_MAX, true),
        explanation: text(e, &format!("{at}explanation"), &q.explanation, model::SUMMARY_MAX, false),
        options,
    }
}

/// A pass mark from 0.0–1.0 to whole percent.
pub(crate) fn pass_percent(e: &mut FieldErrors, field: &str, mark: f64) -> i64 {
    if !(0.0..=1.0).contains(&mark) {
        e.add(field, "Give a pass mark between 0 and 1 (0.8 is 80%).");
        return 0;
    }
    (mark * 100.0).round() as i64
}

pub(crate) fn attempts(e: &mut FieldErrors, field: &str, n: Option<i64>) -> i64 {
    let n = n.unwrap_or(0);
    if !(0..=model::ATTEMPTS_MAX).contains(&n) {
        e.add(field, format!("Allow 0 (no limit) to {} attempts.", model::ATTEMPTS_MAX));
    }
    n
}

pub(crate) fn check_cohort(e: &mut FieldErrors, c: &NewCohort) {
    if c.closes_at <= c.opens_at {
        e.add("cohort.closes_at", "Enrolment must close after it opens.");
    }
    if !(1..=model::SEATS_MAX).contains(&c.seats) {
        e.add("cohort.seats", format!("Give 1 to {} seats.", model::SEATS_MAX));
    }
}

/// Checks a credential code as typed, or `None` when left out.
pub(crate) fn credential(e: &mut FieldErrors, typed: Option<&str>) -> Option<String> {
    let code = typed.unwrap_or("").trim().to_lowercase();
    if code.is_empty() {
        return None;
    }
    if !model::well_formed_credential(&code) {
        e.add("credential", "Give a credential code of letters, digits and hyphens, like storytelling-101.");
    }
    Some(code)
}

/// A course checked whole: every error at once, as `AppError::Validation`.
fn check(n: &NewCourse) -> AppResult<(NewCourse, CourseStatus, i64, i64)> {
    let mut e = FieldErrors::new();
    let status = n.status.unwrap_or(CourseStatus::Published);
    let publishing = status == CourseStatus::Published;
    let title = text(&mut e, "title", &n.title, model::TITLE_MAX, true);
    let summary = text(&mut e, "summary", &n.summary, model::SUMMARY_MAX, false);
    let credential = credential(&mut e, n.credential.as_deref());
    if n.modules.len() > model::MODULES_MAX {
        e.add("modules", format!("Give at most {} modules.", model::MODULES_MAX));
    }
    let mut modules = Vec::new();
    for (i, m) in n.modules.iter().take(model::MODULES_MAX).enumerate() {
        if m.lessons.len() > model::LESSONS_MAX {
            e.add(&format!("modules[{i}].lessons"), format!("Give at most {} lessons.", model::LESSONS_MAX));
        }
        let lessons = m.lessons.iter().take(model::LESSONS_MAX).enumerate();
        let lessons = lessons.map(|(j, l)| check_lesson(&mut e, &format!("modules[{i}].lessons[{j}]."), l, publishing));
        let lessons = lessons.collect();
        let title = text(&mut e, &format!("modules[{i}].title"), &m.title, model::TITLE_MAX, true);
        modules.push(NewModule { title, lessons });
    }
    let (mut pass, mut tries) = (0, 0);
    let quiz = n.quiz.as_ref().map(|q| {
        pass = pass_percent(&mut e, "quiz.pass_mark", q.pass_mark);
        tries = attempts(&mut e, "quiz.max_attempts", q.max_attempts);
        if q.questions.is_empty() || q.questions.len() > model::QUESTIONS_MAX {
            e.add("quiz.questions", format!("Give 1 to {} questions.", model::QUESTIONS_MAX));
        }
        let questions = q.questions.iter().take(model::QUESTIONS_MAX).enumerate();
        let questions = questions.map(|(i, x)| check_question(&mut e, &format!("quiz.questions[{i}]."), x)).collect();
        NewQuiz { pass_mark: q.pass_mark, max_attempts: q.max_attempts, questions }
    });
    if let Some(c) = &n.cohort {
        check_cohort(&mut e, c);
    }
    e.into_result()?;
    let clean = NewCourse { title, summary, credential, status: Some(status), modules, quiz, cohort: n.cohort.clone() };
    Ok((clean, status, pass, tries))
}

/// Checks and stores a course; its id.
pub(crate) async fn create(state: &AppState, staff: MemberId, n: &NewCourse) -> AppResult<Uuid> {
    let (c, status, pass, tries) = check(n)?;
    let tx = state.db.begin().await?;
    let credential = unique_credential(&tx, c.credential.as_deref(), &c.title).await?;
    let id = Uuid::now_v7();
    let now = kernel::time::now();
    let cohort = c.cohort.as_ref();
    db::exec(
        &tx,
        "INSERT INTO courses (id, title, summary, credential, status, opens_at, closes_at, seats, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        params![id, c.title, c.summary, credential, status.as_str(), cohort.map(|c| c.opens_at), cohort.map(|c| c.closes_at), cohort.map(|c| c.seats), staff, now],
    )
    .await?;
    for (i, m) in c.modules.iter().enumerate() {
        let module = add_module(&tx, id, i as i64, &m.title).await?;
        for (j, l) in m.lessons.iter().enumerate() {
            insert_lesson(&tx, id, module, j as i64, l).await?;
        }
    }
    if let Some(q) = &c.quiz {
        let quiz = ensure_quiz(&tx, id, pass, tries).await?;
        for (i, question) in q.questions.iter().enumerate() {
            insert_question(&tx, quiz, i as i64, question).await?;
        }
    }
    tx.commit().await?;
    Ok(id)
}

/// `wanted` if free (409 when taken), or the title's slug made unique with a number.
async fn unique_credential(tx: &DatabaseTransaction, wanted: Option<&str>, title: &str) -> AppResult<String> {
    let taken = async |code: &str| -> AppResult<bool> {
        let n: Option<i64> =
            db::scalar(tx, "SELECT COUNT(*) FROM courses WHERE credential = $1", params![code.to_string()]).await?;
        Ok(n.unwrap_or(0) > 0)
    };
    if let Some(code) = wanted {
        if taken(code).await? {
            return Err(AppError::field("credential", "Another course already awards this credential."));
        }
        return Ok(code.to_string());
    }
    let base = model::slug(title);
    let mut code = base.clone();
    let mut n = 2;
    while taken(&code).await? {
        code = format!("{base}-{n}");
        n += 1;
    }
    Ok(code)
}

pub(crate) async fn add_module(tx: &DatabaseTransaction, course: Uuid, position: i64, title: &str) -> AppResult<Uuid> {
    let id = Uuid::now_v7();
    db::exec(
        tx,
        "INSERT INTO course_modules (id, course_id, position, title) VALUES ($1, $2, $3, $4)",
        params![id, course, position, title.to_string()],
    )
    .await?;
    Ok(id)
}

pub(crate) async fn insert_lesson(
    tx: &DatabaseTransaction,
    course: Uuid,
    module: Uuid,
    position: i64,
    l: &NewLesson,
) -> AppResult<Uuid> {
    let id = Uuid::now_v7();
    let files = serde_json::to_string(&l.files).unwrap_or_else(|_| "[]".into());
    db::exec(
        tx,
        "INSERT INTO course_lessons (id, course_id, module_id, position, title, body, video_url, captions_url, transcript, files) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        params![
            id,
            course,
            module,
            position,
            l.title.clone(),
            l.body.clone(),
            l.video_url.clone().unwrap_or_default(),
            l.captions_url.clone().unwrap_or_default(),
            l.transcript.clone().unwrap_or_default(),
            files
        ],
    )
    .await?;
    Ok(id)
}

/// The course's quiz, made with these settings if it has none (else its settings change).
pub(crate) async fn ensure_quiz(tx: &DatabaseTransaction, course: Uuid, pass: i64, tries: i64) -> AppResult<Uuid> {
    let existing: Option<Uuid> =
        db::scalar(tx, "SELECT id FROM course_quizzes WHERE course_id = $1", params![course]).await?;
    if let Some(id) = existing {
        db::exec(
            tx,
            "UPDATE course_quizzes SET pass_percent = $2, max_attempts = $3 WHERE id = $1",
            params![id, pass, tries],
        )
        .await?;
        return Ok(id);
    }
    let id = Uuid::now_v7();
    db::exec(
        tx,
        "INSERT INTO course_quizzes (id, course_id, pass_percent, max_attempts) VALUES ($1, $2, $3, $4)",
        params![id, course, pass, tries],
    )
    .await?;
    Ok(id)
}

pub(crate) async fn insert_question(
    tx: &DatabaseTransaction,
    quiz: Uuid,
    position: i64,
    q: &NewQuestion,
) -> AppResult<Uuid> {
    let id = Uuid::now_v7();
    db::exec(
        tx,
        "INSERT INTO quiz_questions (id, quiz_id, position, text, explanation) VALUES ($1, $2, $3, $4, $5)",
        params![id, quiz, position, q.text.clone(), q.explanation.clone()],
    )
    .await?;
    for (i, o) in q.options.iter().enumerate() {
        db::exec(
            tx,
            "INSERT INTO quiz_options (id, question_id, position, text, correct) VALUES ($1, $2, $3, $4, $5)",
            params![Uuid::now_v7(), id, i as i64, o.text.clone(), o.correct],
        )
        .await?;
    }
    Ok(id)
}

/// Publishes or unpublishes a course; publishing needs captions for every video.
pub(crate) async fn set_status(state: &AppState, course: Uuid, status: CourseStatus) -> AppResult<()> {
    let tx = state.db.begin().await?;
    let exists: Option<String> = db::scalar(&tx, "SELECT status FROM courses WHERE id = $1", params![course]).await?;
    exists.ok_or(AppError::NotFound)?;
    if status == CourseStatus::Published {
        let uncaptioned: Vec<String> = db::column(
            &tx,
            "SELECT title FROM course_lessons WHERE course_id = $1 AND video_url <> '' AND captions_url = '' ORDER BY title",
            params![course],
        )
        .await?;
        if !uncaptioned.is_empty() {
            let list = uncaptioned.join(", ");
            return Err(AppError::field("status", format!("Add captions to every video before publishing: {list}.")));
        }
    }
    db::exec(
        &tx,
        "UPDATE courses SET status = $2, updated_at = $3 WHERE id = $1",
        params![course, status.as_str(), kernel::time::now()],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
