//! What the courses hold about a member: their part of the data export (enrolments,
//! lessons done, quiz attempts with their answers, certificates), and erasure when the
//! account is deleted. Erasure removes all of it, certificates included (a verification
//! page then answers 404), and a seat it frees goes to the waitlist.

use futures::future::BoxFuture;
use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::params;
use sea_orm::DatabaseTransaction;
use serde::Serialize;
use uuid::Uuid;

pub(crate) struct CoursesExport;

#[derive(Serialize, sea_orm::FromQueryResult)]
struct Enrolled {
    course: String,
    status: String,
    created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Serialize, sea_orm::FromQueryResult)]
struct Done {
    course: String,
    lesson: String,
    completed_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Serialize, sea_orm::FromQueryResult)]
struct Attempt {
    course: String,
    score_percent: i64,
    passed: bool,
    answers: String,
    created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Serialize, sea_orm::FromQueryResult)]
struct Certificate {
    course: String,
    code: String,
    completed_at: chrono::DateTime<chrono::Utc>,
    shown: bool,
}

impl kernel::state::Exporter for CoursesExport {
    fn section(&self) -> &'static str {
        "courses"
    }

    fn export<'a>(&'a self, db: &'a Db, member: MemberId) -> BoxFuture<'a, anyhow::Result<serde_json::Value>> {
        Box::pin(async move {
            let enrolments: Vec<Enrolled> = db
                .all(
                    "SELECT c.title AS course, e.status, e.created_at FROM course_enrolments e \
                     JOIN courses c ON c.id = e.course_id WHERE e.member_id = $1 ORDER BY e.created_at",
                    params![member],
                )
                .await?;
            let lessons: Vec<Done> = db
                .all(
                    "SELECT c.title AS course, l.title AS lesson, p.completed_at FROM lesson_progress p \
                     JOIN course_lessons l ON l.id = p.lesson_id JOIN courses c ON c.id = p.course_id \
                     WHERE p.member_id = $1 ORDER BY p.completed_at",
                    params![member],
                )
                .await?;
            let attempts: Vec<Attempt> = db
                .all(
                    "SELECT c.title AS course, a.score_percent, a.passed, a.answers, a.created_at FROM quiz_attempts a \
                     JOIN course_quizzes q ON q.id = a.quiz_id JOIN courses c ON c.id = q.course_id \
                     WHERE a.member_id = $1 ORDER BY a.created_at",
                    params![member],
                )
                .await?;
            let certificates: Vec<Certificate> = db
                .all(
                    "SELECT c.title AS course, k.code, k.completed_at, k.shown FROM course_completions k \
                     JOIN courses c ON c.id = k.course_id WHERE k.member_id = $1 ORDER BY k.completed_at",
                    params![member],
                )
                .await?;
            Ok(serde_json::json!({
                "enrolments": enrolments,
                "lessons_completed": lessons,
                "quiz_attempts": attempts,
                "certificates": certificates,
            }))
        })
    }
}

/// Erases a deleted member from the courses (`MemberDeleted`, consumed as
/// "learning-courses-erasure").
pub(crate) async fn erase(tx: &DatabaseTransaction, member: MemberId) -> anyhow::Result<()> {
    let courses: Vec<Uuid> = db::column(
        tx,
        "SELECT course_id FROM course_enrolments WHERE member_id = $1 AND status = 'enrolled'",
        params![member],
    )
    .await?;
    for sql in [
        "DELETE FROM course_enrolments WHERE member_id = $1",
        "DELETE FROM lesson_progress WHERE member_id = $1",
        "DELETE FROM quiz_attempts WHERE member_id = $1",
        "DELETE FROM course_completions WHERE member_id = $1",
    ] {
        db::exec(tx, sql, params![member]).await?;
    }
    for course in courses {
        super::enrolment::promote(tx, course).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(())
}
