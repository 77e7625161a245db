//! Completion and what it leaves: a certificate with a public verification page, and a
//! credential the member may show on their profile and opportunities may require.
//!
//! A course is complete when every lesson is done and its quiz (if it has one) passed.
//! The completion is recorded once per member and course (a unique key) in the same
//! transaction as the step that finished it, and `CourseCompleted` is published only when
//! that record is new, so points and credentials follow exactly once.

use chrono::{DateTime, Utc};
use contracts::events::CourseCompleted;
use kernel::ids::MemberId;
use kernel::{AppError, AppResult, AppState, db, outbox, params};
use rand::Rng;
use sea_orm::{DatabaseTransaction, FromQueryResult};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A certificate's code: 12 characters a person can read out without confusion.
fn new_code() -> String {
    const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
    let mut rng = rand::rng();
    (0..12).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// Records the completion of `course` by `member` if they have now done everything;
/// the certificate's code when the course is (now or already) complete.
pub(crate) async fn complete_if_done(
    tx: &DatabaseTransaction,
    course: Uuid,
    member: MemberId,
) -> AppResult<Option<String>> {
    let left: i64 = db::scalar(
        tx,
        "SELECT COUNT(*) FROM course_lessons l WHERE l.course_id = $1 AND NOT EXISTS \
         (SELECT 1 FROM lesson_progress p WHERE p.lesson_id = l.id AND p.member_id = $2)",
        params![course, member],
    )
    .await?
    .unwrap_or(0);
    let quiz_unpassed: i64 = db::scalar(
        tx,
        "SELECT COUNT(*) FROM course_quizzes q WHERE q.course_id = $1 AND NOT EXISTS \
         (SELECT 1 FROM quiz_attempts a WHERE a.quiz_id = q.id AND a.member_id = $2 AND a.passed = TRUE)",
        params![course, member],
    )
    .await?
    .unwrap_or(0);
    if left > 0 || quiz_unpassed > 0 {
        return Ok(None);
    }
    let recorded = db::exec(
        tx,
        "INSERT INTO course_completions (code, course_id, member_id, completed_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (course_id, member_id) DO NOTHING",
        params![new_code(), course, member, kernel::time::now()],
    )
    .await?;
    if recorded == 1 {
        let credential: String =
            db::scalar(tx, "SELECT credential FROM courses WHERE id = $1", params![course]).await?.unwrap_or_default();
        outbox::publish(tx, Some(member), &CourseCompleted { member_id: member, credential }).await?;
    }
    let code: Option<String> = db::scalar(
        tx,
        "SELECT code FROM course_completions WHERE course_id = $1 AND member_id = $2",
        params![course, member],
    )
    .await?;
    Ok(code)
}

/// The path of a certificate's public page.
pub(crate) fn path(code: &str) -> String {
    format!("/certificates/{code}")
}

/// A certificate as its public page prints it.
pub(crate) struct Certificate {
    pub code: String,
    pub name: String,
    pub course: String,
    pub completed_at: DateTime<Utc>,
    pub url: String,
}

#[derive(FromQueryResult)]
struct CertificateRow {
    code: String,
    member_id: MemberId,
    title: String,
    completed_at: DateTime<Utc>,
}

/// The certificate with `code`, or 404 (a made-up code, or an erased member's).
pub(crate) async fn certificate(state: &AppState, code: &str) -> AppResult<Certificate> {
    if code.len() > 40 {
        return Err(AppError::NotFound);
    }
    let row: CertificateRow = state
        .db
        .one(
            "SELECT k.code, k.member_id, c.title, k.completed_at FROM course_completions k \
             JOIN courses c ON c.id = k.course_id WHERE k.code = $1",
            params![code.to_string()],
        )
        .await?
        .ok_or(AppError::NotFound)?;
    let names = contracts::members::directory(state)?.display_names((&state.db).into(), &[row.member_id]).await?;
    let name = names.get(&row.member_id).cloned().ok_or(AppError::NotFound)?;
    Ok(Certificate {
        url: state.config.url(&path(&row.code)),
        code: row.code,
        name,
        course: row.title,
        completed_at: row.completed_at,
    })
}

/// One of the signed-in member's credentials.
#[derive(Debug, Clone, Serialize, ToSchema, FromQueryResult)]
pub struct MyCredential {
    pub course_id: Uuid,
    /// The certificate's code.
    pub code: String,
    /// The certificate's public verification page.
    pub url: String,
    pub title: String,
    /// The credential code opportunities may require.
    pub credential: String,
    pub completed_at: DateTime<Utc>,
    /// Whether the member shows it on their profile.
    pub shown: bool,
}

/// The member's credentials, newest first.
pub(crate) async fn mine(state: &AppState, member: MemberId) -> AppResult<Vec<MyCredential>> {
    let mut rows: Vec<MyCredential> = state
        .db
        .all(
            "SELECT k.course_id, k.code, '' AS url, c.title, c.credential, k.completed_at, k.shown \
             FROM course_completions k JOIN courses c ON c.id = k.course_id WHERE k.member_id = $1 \
             ORDER BY k.completed_at DESC, k.code",
            params![member],
        )
        .await?;
    for r in &mut rows {
        r.url = state.config.url(&path(&r.code));
    }
    Ok(rows)
}

/// The member chooses whether their profile shows the credential of certificate `code`.
pub(crate) async fn set_shown(state: &AppState, member: MemberId, code: &str, shown: bool) -> AppResult<()> {
    let n = state
        .db
        .exec(
            "UPDATE course_completions SET shown = $3 WHERE code = $1 AND member_id = $2",
            params![code.to_string(), member, shown],
        )
        .await?;
    if n == 0 { Err(AppError::NotFound) } else { Ok(()) }
}

/// The credentials `member` chose to show, for their profile.
pub(crate) async fn shown(state: &AppState, member: MemberId) -> AppResult<Vec<contracts::learning::ShownCredential>> {
    #[derive(FromQueryResult)]
    struct Row {
        code: String,
        title: String,
        completed_at: DateTime<Utc>,
    }
    let rows: Vec<Row> = state
        .db
        .all(
            // The title by a lookup per credential (a member holds few), so the plan starts
            // from the member's own rows whatever the tables' sizes.
            "SELECT k.code, (SELECT c.title FROM courses c WHERE c.id = k.course_id) AS title, k.completed_at \
             FROM course_completions k WHERE k.member_id = $1 AND k.shown = TRUE ORDER BY k.completed_at DESC, k.code",
            params![member],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| contracts::learning::ShownCredential {
            title: r.title,
            url: path(&r.code),
            awarded_at: r.completed_at,
        })
        .collect())
}
