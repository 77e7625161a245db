//! The courses of the learning slice: courses with modules and lessons (Markdown, a
//! captioned video with its transcript, downloads), a quiz each, cohorts with an
//! enrolment window, seats and a waitlist; progress per lesson; completion with a
//! certificate anyone can verify and a credential the member may show on their profile
//! and opportunities may require (`CourseCompleted` through the outbox).
//!
//! Rooms: `model` (vocabulary, bounds), `policy` (who may open a course), `builder`
//! (staff's whole-course input and writes), `editing` (the HTML builder's single
//! steps), `catalogue` and `outline` (reads), `enrolment`, `lessons`, `quizzes`,
//! `certificates`, `api/`, `web/`, `demo`, `privacy`.

mod api;
mod builder;
mod catalogue;
mod certificates;
mod demo;
mod editing;
mod enrolment;
mod lessons;
mod model;
mod outline;
pub(crate) mod policy;
mod privacy;
mod quizzes;
mod web;

use std::sync::Arc;

use axum::Router;
use contracts::events::MemberDeleted;
use kernel::slice::{DemoPeople, Wiring};
use kernel::viewer::Viewer;
use kernel::{AppResult, AppState};
use utoipa::OpenApi;

/// HTML pages.
pub(crate) fn web_router() -> Router<AppState> {
    web::router()
}

/// JSON API.
pub(crate) fn api_router() -> Router<AppState> {
    api::router()
}

pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    api::CoursesApi::openapi()
}

/// Consumers and exporters of this area.
pub(crate) fn wire(w: &mut Wiring) -> anyhow::Result<()> {
    w.consumer(kernel::outbox::on::<MemberDeleted>("learning-courses-erasure", |tx, _, e| {
        Box::pin(privacy::erase(tx, e.member_id))
    }));
    w.exporter(Arc::new(privacy::CoursesExport));
    Ok(())
}

/// Demo content.
pub(crate) async fn demo(state: &AppState, people: &mut DemoPeople) -> anyhow::Result<()> {
    demo::load(state, people).await
}

/// What a search for `q` finds here that `viewer` may open.
pub(crate) async fn search(
    state: &AppState,
    viewer: &Viewer,
    q: &str,
    limit: u64,
) -> AppResult<Vec<contracts::learning::LearningHit>> {
    let found = catalogue::search(&state.db, viewer, q, limit).await?;
    Ok(found
        .into_iter()
        .map(|c| contracts::learning::LearningHit {
            kind: "course".into(),
            url: format!("/courses/{}", c.id),
            title: c.title,
            summary: c.summary,
        })
        .collect())
}

/// The credentials `member` chose to show on their profile.
pub(crate) async fn shown_credentials(
    state: &AppState,
    member: kernel::ids::MemberId,
) -> AppResult<Vec<contracts::learning::ShownCredential>> {
    certificates::shown(state, member).await
}
