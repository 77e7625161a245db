//! Lessons as members take them: one lesson with its neighbours, and marking it
//! complete (saved per lesson, so progress survives signing out and coming back).

use kernel::ids::MemberId;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState, db, params};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::catalogue::{self, CourseRow, LessonRow};
use super::{certificates, enrolment};

/// A lesson with the course it belongs to, as `viewer` may open it (404 otherwise).
pub(crate) async fn open(state: &AppState, viewer: &Viewer, lesson: Uuid) -> AppResult<(CourseRow, LessonRow)> {
    let course: Uuid = state
        .db
        .scalar("SELECT course_id FROM course_lessons WHERE id = $1", params![lesson])
        .await?
        .ok_or(AppError::NotFound)?;
    let c = catalogue::load(state.db.reader(), viewer, course).await?;
    let content = catalogue::content(state.db.reader(), course).await?;
    let l = content.lessons().find(|l| l.id == lesson).cloned().ok_or(AppError::NotFound)?;
    Ok((c, l))
}

/// The lessons `member` has completed in `course`.
pub(crate) async fn done_in(state: &AppState, course: Uuid, member: MemberId) -> AppResult<Vec<Uuid>> {
    Ok(state
        .db
        .column(
            "SELECT lesson_id FROM lesson_progress WHERE course_id = $1 AND member_id = $2",
            params![course, member],
        )
        .await?)
}

/// What marking a lesson complete led to.
#[derive(Debug, Serialize, ToSchema)]
pub struct LessonDone {
    pub lesson_id: Uuid,
    pub course_id: Uuid,
    /// Whether this finished the course.
    pub course_completed: bool,
    /// The certificate's page, once the course is complete.
    pub certificate_url: Option<String>,
}

/// Marks `lesson` complete for the viewer, who must hold a seat in its course; completes
/// the course when this was the last step. Marking it again changes nothing.
pub(crate) async fn complete(state: &AppState, viewer: &Viewer, lesson: Uuid) -> AppResult<LessonDone> {
    let me = viewer.require_member()?;
    let (course, _) = open(state, viewer, lesson).await?;
    let tx = state.db.begin().await?;
    enrolment::require_seat(&tx, course.id, me.id).await?;
    db::exec(
        &tx,
        "INSERT INTO lesson_progress (member_id, lesson_id, course_id, completed_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (member_id, lesson_id) DO NOTHING",
        params![me.id, lesson, course.id, kernel::time::now()],
    )
    .await?;
    let code = certificates::complete_if_done(&tx, course.id, me.id).await?;
    tx.commit().await?;
    Ok(LessonDone {
        lesson_id: lesson,
        course_id: course.id,
        course_completed: code.is_some(),
        certificate_url: code.map(|c| state.config.url(&certificates::path(&c))),
    })
}
