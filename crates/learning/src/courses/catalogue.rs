//! Reading courses: the catalogue (published courses, by title, a page at a time), one
//! course's outline with its quiz (never which option is correct), and search. Every
//! read is filtered by `policy`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kernel::db::{self, Db};
use kernel::page::{self, Page};
use kernel::params;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::builder::FileLink;
use super::model::CourseStatus;
use super::policy;

#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct CourseRow {
    pub id: Uuid,
    pub title: String,
    pub summary: String,
    pub credential: String,
    pub status: String,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub seats: Option<i64>,
    pub taken: i64,
}

impl CourseRow {
    pub fn status(&self) -> CourseStatus {
        CourseStatus::parse(&self.status).unwrap_or(CourseStatus::Draft)
    }

    /// Whether enrolment is open at `now` (always, for a course without a cohort).
    pub fn window_open(&self, now: DateTime<Utc>) -> bool {
        self.opens_at.is_none_or(|o| o <= now) && self.closes_at.is_none_or(|c| now < c)
    }
}

const COURSE_COLUMNS: &str = "c.id, c.title, c.summary, c.credential, c.status, c.opens_at, c.closes_at, c.seats, \
     (SELECT COUNT(*) FROM course_enrolments e WHERE e.course_id = c.id AND e.status = 'enrolled') AS taken";

/// A course in the catalogue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CourseSummary {
    pub id: Uuid,
    pub title: String,
    pub summary: String,
    /// The credential a completion awards.
    pub credential: String,
    pub status: CourseStatus,
    pub cohort: Option<Cohort>,
    /// Whether a member can enrol (or join the waitlist) now.
    pub enrolment_open: bool,
}

/// A course's enrolment window and seats.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Cohort {
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub seats: i64,
    pub seats_left: i64,
}

impl From<&CourseRow> for CourseSummary {
    fn from(r: &CourseRow) -> Self {
        let cohort = match (r.opens_at, r.closes_at, r.seats) {
            (Some(opens_at), Some(closes_at), Some(seats)) => {
                Some(Cohort { opens_at, closes_at, seats, seats_left: (seats - r.taken).max(0) })
            }
            _ => None,
        };
        CourseSummary {
            id: r.id,
            title: r.title.clone(),
            summary: r.summary.clone(),
            credential: r.credential.clone(),
            status: r.status(),
            cohort,
            enrolment_open: r.status() == CourseStatus::Published && r.window_open(Utc::now()),
        }
    }
}

/// One course as `viewer` may open it, or 404.
pub(crate) async fn load<C: ConnectionTrait>(c: &C, viewer: &Viewer, id: Uuid) -> AppResult<CourseRow> {
    let sql = format!("SELECT {COURSE_COLUMNS} FROM courses c WHERE c.id = $1 AND {}", policy::open_sql(viewer));
    db::one(c, &sql, params![id]).await?.ok_or(AppError::NotFound)
}

/// The catalogue: courses `viewer` may open, by title, a page at a time.
/// Only the courses in `only` when given (those tagged with a moment).
pub(crate) async fn list(
    db: &Db,
    viewer: &Viewer,
    only: Option<&[Uuid]>,
    cursor: Option<&str>,
    limit: u64,
) -> AppResult<Page<CourseSummary>> {
    let after: Option<(String, Uuid)> = cursor.map(page::decode).transpose()?;
    let (title, id) = after.unwrap_or_default();
    let mut values = params![title, id, (limit + 1) as i64];
    let restrict = match only {
        Some(ids) => {
            let mut bind = |v: sea_orm::Value| {
                values.push(v);
                format!("${}", values.len())
            };
            format!(" AND {}", contracts::moments::restrict_sql(db.reader(), "c.id", ids, &mut bind))
        }
        None => String::new(),
    };
    let sql = format!(
        "SELECT {COURSE_COLUMNS} FROM courses c WHERE {}{restrict} AND ($1 = '' OR c.title > $1 OR (c.title = $1 AND c.id > $2)) \
         ORDER BY c.title, c.id LIMIT $3",
        policy::open_sql(viewer)
    );
    let rows: Vec<CourseRow> = db.all(&sql, values).await?;
    let more = rows.len() as u64 > limit;
    let items: Vec<CourseSummary> = rows.iter().take(limit as usize).map(CourseSummary::from).collect();
    let next_cursor = if more { items.last().map(|c| page::encode(&(c.title.clone(), c.id))) } else { None };
    Ok(Page { items, next_cursor })
}

/// A course a search found.
#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct Found {
    pub id: Uuid,
    pub title: String,
    pub summary: String,
    pub status: String,
}

/// Courses `viewer` may open whose title or summary holds `q`, for the search page.
pub(crate) async fn search(db: &Db, viewer: &Viewer, q: &str, limit: u64) -> AppResult<Vec<Found>> {
    let sql = format!(
        "SELECT c.id, c.title, c.summary, c.status FROM courses c WHERE {} \
         AND (LOWER(c.title) LIKE $1 ESCAPE '\\' OR LOWER(c.summary) LIKE $1 ESCAPE '\\') ORDER BY c.title, c.id LIMIT $2",
        policy::open_sql(viewer)
    );
    let rows: Vec<Found> = db.all(&sql, params![db::like_contains(q), limit as i64]).await?;
    // The SQL already applied the rule; the Rust form guards the hand-off to another slice.
    let open = |r: &Found| policy::can_open(viewer, CourseStatus::parse(&r.status).unwrap_or(CourseStatus::Draft));
    Ok(rows.into_iter().filter(open).collect())
}

#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct LessonRow {
    pub id: Uuid,
    pub module_id: Uuid,
    pub title: String,
    pub body: String,
    pub video_url: String,
    pub captions_url: String,
    pub transcript: String,
    pub files: String,
}

impl LessonRow {
    pub fn files(&self) -> Vec<FileLink> {
        serde_json::from_str(&self.files).unwrap_or_default()
    }
}

#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct ModuleRow {
    pub id: Uuid,
    pub title: String,
}

/// A course's content: modules in order, each with its lessons in order.
pub(crate) struct Content {
    pub modules: Vec<(ModuleRow, Vec<LessonRow>)>,
}

impl Content {
    pub fn lessons(&self) -> impl Iterator<Item = &LessonRow> {
        self.modules.iter().flat_map(|(_, ls)| ls.iter())
    }
}

pub(crate) async fn content<C: ConnectionTrait>(c: &C, course: Uuid) -> AppResult<Content> {
    let modules: Vec<ModuleRow> =
        db::all(c, "SELECT id, title FROM course_modules WHERE course_id = $1 ORDER BY position, id", params![course])
            .await?;
    let lessons: Vec<LessonRow> = db::all(
        c,
        "SELECT id, module_id, title, body, video_url, captions_url, transcript, files \
         FROM course_lessons WHERE course_id = $1 ORDER BY position, id",
        params![course],
    )
    .await?;
    let mut by_module: HashMap<Uuid, Vec<LessonRow>> = HashMap::new();
    for l in lessons {
        by_module.entry(l.module_id).or_default().push(l);
    }
    let modules = modules
        .into_iter()
        .map(|m| {
            let ls = by_module.remove(&m.id).unwrap_or_default();
            (m, ls)
        })
        .collect();
    Ok(Content { modules })
}

/// A quiz as members see it: questions and options, never which option is correct.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuizView {
    pub id: Uuid,
    /// The share of questions to answer right to pass, 0.0 to 1.0.
    pub pass_mark: f64,
    /// 0: no limit.
    pub max_attempts: i64,
    pub questions: Vec<QuestionView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuestionView {
    pub id: Uuid,
    pub text: String,
    /// true: choose every option that applies; false: choose one.
    pub multiple: bool,
    pub options: Vec<OptionView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OptionView {
    pub id: Uuid,
    pub text: String,
}

/// A quiz with its answers, for marking and for the explanations after an attempt.
pub(crate) struct Quiz {
    pub id: Uuid,
    pub course_id: Uuid,
    pub pass_percent: i64,
    pub max_attempts: i64,
    pub questions: Vec<Question>,
}

pub(crate) struct Question {
    pub id: Uuid,
    pub text: String,
    pub explanation: String,
    /// (id, text, correct)
    pub options: Vec<(Uuid, String, bool)>,
}

impl Quiz {
    pub fn view(&self) -> QuizView {
        let questions = self.questions.iter().map(|q| QuestionView {
            id: q.id,
            text: q.text.clone(),
            multiple: q.options.iter().filter(|o| o.2).count() > 1,
            options: q.options.iter().map(|(id, text, _)| OptionView { id: *id, text: text.clone() }).collect(),
        });
        QuizView {
            id: self.id,
            pass_mark: self.pass_percent as f64 / 100.0,
            max_attempts: self.max_attempts,
            questions: questions.collect(),
        }
    }
}

#[derive(FromQueryResult)]
struct QuizRow {
    id: Uuid,
    course_id: Uuid,
    pass_percent: i64,
    max_attempts: i64,
}

#[derive(FromQueryResult)]
struct QuestionRow {
    id: Uuid,
    text: String,
    explanation: String,
}

#[derive(FromQueryResult)]
struct OptionRow {
    id: Uuid,
    question_id: Uuid,
    text: String,
    correct: bool,
}

/// The quiz found by `where_sql` (`q.id = $1` or `q.course_id = $1`), if any.
pub(crate) async fn quiz_where<C: ConnectionTrait>(c: &C, where_sql: &str, key: Uuid) -> AppResult<Option<Quiz>> {
    let sql =
        format!("SELECT q.id, q.course_id, q.pass_percent, q.max_attempts FROM course_quizzes q WHERE {where_sql}");
    let Some(row): Option<QuizRow> = db::one(c, &sql, params![key]).await? else { return Ok(None) };
    let questions: Vec<QuestionRow> = db::all(
        c,
        "SELECT id, text, explanation FROM quiz_questions WHERE quiz_id = $1 ORDER BY position, id",
        params![row.id],
    )
    .await?;
    let options: Vec<OptionRow> = db::all(
        c,
        "SELECT o.id, o.question_id, o.text, o.correct FROM quiz_options o JOIN quiz_questions q ON q.id = o.question_id \
         WHERE q.quiz_id = $1 ORDER BY o.position, o.id",
        params![row.id],
    )
    .await?;
    let mut by_question: HashMap<Uuid, Vec<(Uuid, String, bool)>> = HashMap::new();
    for o in options {
        by_question.entry(o.question_id).or_default().push((o.id, o.text, o.correct));
    }
    let questions = questions.into_iter().map(|q| Question {
        options: by_question.remove(&q.id).unwrap_or_default(),
        id: q.id,
        text: q.text,
        explanation: q.explanation,
    });
    Ok(Some(Quiz {
        id: row.id,
        course_id: row.course_id,
        pass_percent: row.pass_percent,
        max_attempts: row.max_attempts,
        questions: questions.collect(),
    }))
}
