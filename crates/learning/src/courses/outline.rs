//! One course as a member opens it: its outline (modules and lessons), its quiz without
//! the answers, and where the viewer stands (seat or waitlist, lessons done, quiz
//! passed, certificate).

use kernel::ids::MemberId;
use kernel::viewer::Viewer;
use kernel::{AppResult, AppState};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::catalogue::{self, Content, CourseSummary, QuizView};
use super::model::Enrolment;
use super::{certificates, enrolment, lessons, quizzes};

#[derive(Debug, Serialize, ToSchema)]
pub struct CourseView {
    #[serde(flatten)]
    pub course: CourseSummary,
    pub modules: Vec<ModuleView>,
    pub quiz: Option<QuizView>,
    /// Where the signed-in viewer stands (absent for visitors).
    pub me: Option<MyProgress>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModuleView {
    pub id: Uuid,
    pub title: String,
    pub lessons: Vec<LessonRef>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LessonRef {
    pub id: Uuid,
    pub title: String,
    pub has_video: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyProgress {
    /// Absent when not enrolled.
    pub enrolment: Option<Enrolment>,
    /// Place on the waitlist (1 = next).
    pub waitlist_place: Option<i64>,
    pub lessons_done: Vec<Uuid>,
    pub lessons_total: usize,
    pub quiz_passed: bool,
    pub certificate_url: Option<String>,
}

fn modules(content: &Content) -> Vec<ModuleView> {
    content
        .modules
        .iter()
        .map(|(m, ls)| ModuleView {
            id: m.id,
            title: m.title.clone(),
            lessons: ls
                .iter()
                .map(|l| LessonRef { id: l.id, title: l.title.clone(), has_video: !l.video_url.is_empty() })
                .collect(),
        })
        .collect()
}

/// Where `member` stands in `course`.
pub(crate) async fn progress(
    state: &AppState,
    course: Uuid,
    content: &Content,
    quiz: Option<&QuizView>,
    member: MemberId,
) -> AppResult<MyProgress> {
    let reader = state.db.reader();
    let enrolled = enrolment::status_in(reader, course, member).await?;
    let waitlist_place = match enrolled {
        Some(Enrolment::Waitlisted) => enrolment::waitlist_place(state, course, member).await?,
        _ => None,
    };
    let quiz_passed = match quiz {
        Some(q) => quizzes::passed(state, q.id, member).await?,
        None => false,
    };
    let code: Option<String> = state
        .db
        .scalar(
            "SELECT code FROM course_completions WHERE course_id = $1 AND member_id = $2",
            kernel::params![course, member],
        )
        .await?;
    Ok(MyProgress {
        enrolment: enrolled,
        waitlist_place,
        lessons_done: lessons::done_in(state, course, member).await?,
        lessons_total: content.lessons().count(),
        quiz_passed,
        certificate_url: code.map(|c| state.config.url(&certificates::path(&c))),
    })
}

/// Course `id` as `viewer` may open it (404 otherwise).
pub(crate) async fn view(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<CourseView> {
    let row = catalogue::load(state.db.reader(), viewer, id).await?;
    let content = catalogue::content(state.db.reader(), id).await?;
    let quiz = catalogue::quiz_where(state.db.reader(), "q.course_id = $1", id).await?.map(|q| q.view());
    let me = match viewer.id() {
        Some(m) => Some(progress(state, id, &content, quiz.as_ref(), m).await?),
        None => None,
    };
    Ok(CourseView { course: CourseSummary::from(&row), modules: modules(&content), quiz, me })
}
