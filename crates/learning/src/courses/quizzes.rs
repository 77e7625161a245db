//! Quiz attempts: the answers are marked (a question is right when exactly its correct
//! options are chosen), the attempt is saved, and when it passes and every lesson is done
//! the course is complete. A quiz may limit the attempts; the explanations come after
//! answering.

use std::collections::{HashMap, HashSet};

use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState, db, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::catalogue::{self, Quiz};
use super::{certificates, enrolment, model};

/// An attempt: for each question, the options chosen.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    /// question id → chosen option ids.
    pub answers: HashMap<Uuid, Vec<Uuid>>,
}

/// An attempt's result.
#[derive(Debug, Serialize, ToSchema)]
pub struct Marked {
    /// The share of questions answered right, 0.0 to 1.0.
    pub score: f64,
    pub passed: bool,
    /// Attempts left (null: no limit).
    pub attempts_left: Option<i64>,
    /// Whether the course is now complete.
    pub course_completed: bool,
    pub certificate_url: Option<String>,
    /// Per question: right or not, and its explanation.
    pub questions: Vec<QuestionResult>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuestionResult {
    pub question_id: Uuid,
    pub correct: bool,
    pub explanation: String,
}

/// Refuses answers naming questions or options that are not the quiz's (422), and
/// more than one option for a single-choice question.
fn check(quiz: &Quiz, a: &Answers) -> AppResult<()> {
    if a.answers.len() > model::QUESTIONS_MAX {
        return Err(AppError::field("answers", "Too many answers."));
    }
    for (q, chosen) in &a.answers {
        let question = quiz
            .questions
            .iter()
            .find(|x| x.id == *q)
            .ok_or_else(|| AppError::field("answers", format!("{q} is not a question of this quiz.")))?;
        if chosen.len() > question.options.len() || chosen.iter().any(|o| !question.options.iter().any(|x| x.0 == *o)) {
            return Err(AppError::field("answers", format!("Choose among the options of question {q}.")));
        }
        let single = question.options.iter().filter(|o| o.2).count() <= 1;
        if single && chosen.len() > 1 {
            return Err(AppError::field("answers", format!("Question {q} takes one answer.")));
        }
    }
    Ok(())
}

/// Marks `a`: per question, right or not.
pub(crate) fn mark(quiz: &Quiz, a: &Answers) -> Vec<QuestionResult> {
    quiz.questions
        .iter()
        .map(|q| {
            let right: HashSet<Uuid> = q.options.iter().filter(|o| o.2).map(|o| o.0).collect();
            let chosen: HashSet<Uuid> = a.answers.get(&q.id).map(|c| c.iter().copied().collect()).unwrap_or_default();
            QuestionResult { question_id: q.id, correct: right == chosen, explanation: q.explanation.clone() }
        })
        .collect()
}

/// The quiz `id` with its course as `viewer` may open it, or 404.
pub(crate) async fn open(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<Quiz> {
    let quiz = catalogue::quiz_where(state.db.reader(), "q.id = $1", id).await?.ok_or(AppError::NotFound)?;
    catalogue::load(state.db.reader(), viewer, quiz.course_id).await?;
    Ok(quiz)
}

/// How many attempts the member has made at `quiz`.
pub(crate) async fn attempts_made<C: sea_orm::ConnectionTrait>(
    c: &C,
    quiz: Uuid,
    member: kernel::ids::MemberId,
) -> AppResult<i64> {
    Ok(db::scalar(c, "SELECT COUNT(*) FROM quiz_attempts WHERE quiz_id = $1 AND member_id = $2", params![quiz, member])
        .await?
        .unwrap_or(0))
}

/// The viewer answers quiz `id`: marked, saved and, when it completes the course, the
/// completion recorded in the same transaction.
pub(crate) async fn attempt(state: &AppState, viewer: &Viewer, id: Uuid, a: &Answers) -> AppResult<Marked> {
    let me = viewer.require_member()?;
    let quiz = open(state, viewer, id).await?;
    check(&quiz, a)?;
    let tx = state.db.begin().await?;
    enrolment::require_seat(&tx, quiz.course_id, me.id).await?;
    let made = attempts_made(&tx, quiz.id, me.id).await?;
    if quiz.max_attempts > 0 && made >= quiz.max_attempts {
        return Err(AppError::conflict("no_attempts_left", "You have used every attempt at this quiz."));
    }
    let results = mark(&quiz, a);
    let right = results.iter().filter(|r| r.correct).count() as i64;
    let total = results.len().max(1) as i64;
    let percent = right * 100 / total;
    let passed = right * 100 >= quiz.pass_percent * total;
    let answers = serde_json::to_string(&a.answers).unwrap_or_default();
    db::exec(
        &tx,
        "INSERT INTO quiz_attempts (id, quiz_id, member_id, score_percent, passed, answers, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        params![Uuid::now_v7(), quiz.id, me.id, percent, passed, answers, kernel::time::now()],
    )
    .await?;
    let code = certificates::complete_if_done(&tx, quiz.course_id, me.id).await?;
    tx.commit().await?;
    Ok(Marked {
        score: right as f64 / total as f64,
        passed,
        attempts_left: (quiz.max_attempts > 0).then(|| quiz.max_attempts - made - 1),
        course_completed: code.is_some(),
        certificate_url: code.map(|c| state.config.url(&certificates::path(&c))),
        questions: results,
    })
}

/// Whether the member has passed the quiz.
pub(crate) async fn passed(state: &AppState, quiz: Uuid, member: kernel::ids::MemberId) -> AppResult<bool> {
    let n: Option<i64> = state
        .db
        .scalar(
            "SELECT COUNT(*) FROM quiz_attempts WHERE quiz_id = $1 AND member_id = $2 AND passed = TRUE",
            params![quiz, member],
        )
        .await?;
    Ok(n.unwrap_or(0) > 0)
}
