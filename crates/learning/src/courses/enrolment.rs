//! Enrolment: a member takes a seat, or joins the waitlist when a cohort's seats are
//! taken; withdrawing frees the seat for the first on the waitlist. The seat count is
//! enforced in the database: the course's row is locked (`FOR UPDATE` on PostgreSQL; the
//! single writer on SQLite) before the seats are counted, so concurrent enrolments queue
//! up and never take more seats than there are.

use kernel::ids::MemberId;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState, db, params};
use sea_orm::DatabaseTransaction;
use uuid::Uuid;

use super::catalogue::{self, CourseRow};
use super::model::{CourseStatus, Enrolment};

/// Locks the course's row for the rest of `tx` and reads it as `viewer` may (404 otherwise).
async fn locked(tx: &DatabaseTransaction, viewer: &Viewer, course: Uuid) -> AppResult<CourseRow> {
    let lock = format!("SELECT id FROM courses WHERE id = $1{}", db::for_update(tx));
    db::scalar::<Uuid, _>(tx, &lock, params![course]).await?.ok_or(AppError::NotFound)?;
    catalogue::load(tx, viewer, course).await
}

/// Where `member` stands in `course`, if anywhere.
pub(crate) async fn status_in<C: sea_orm::ConnectionTrait>(
    c: &C,
    course: Uuid,
    member: MemberId,
) -> AppResult<Option<Enrolment>> {
    let s: Option<String> = db::scalar(
        c,
        "SELECT status FROM course_enrolments WHERE course_id = $1 AND member_id = $2",
        params![course, member],
    )
    .await?;
    Ok(s.as_deref().and_then(Enrolment::parse))
}

/// Enrols the viewer: a seat if one is free (or the course has no cohort), else a place
/// on the waitlist. Asking again answers where they already stand. 409 `closed` outside
/// the enrolment window.
pub(crate) async fn enrol(state: &AppState, viewer: &Viewer, course: Uuid) -> AppResult<Enrolment> {
    let me = viewer.require_member()?;
    let tx = state.db.begin().await?;
    let c = locked(&tx, viewer, course).await?;
    if let Some(already) = status_in(&tx, course, me.id).await? {
        return Ok(already);
    }
    if c.status() != CourseStatus::Published || !c.window_open(chrono::Utc::now()) {
        return Err(AppError::conflict("closed", "Enrolment in this course is closed."));
    }
    let status = match c.seats {
        Some(seats) if c.taken >= seats => Enrolment::Waitlisted,
        _ => Enrolment::Enrolled,
    };
    db::exec(
        &tx,
        "INSERT INTO course_enrolments (course_id, member_id, status, created_at) VALUES ($1, $2, $3, $4)",
        params![course, me.id, status.as_str(), kernel::time::now()],
    )
    .await?;
    tx.commit().await?;
    Ok(status)
}

/// The viewer leaves the course (or its waitlist); a freed seat goes to the first on the
/// waitlist. Their progress stays, should they come back.
pub(crate) async fn withdraw(state: &AppState, viewer: &Viewer, course: Uuid) -> AppResult<()> {
    let me = viewer.require_member()?;
    let tx = state.db.begin().await?;
    locked(&tx, viewer, course).await?;
    let gone =
        db::exec(&tx, "DELETE FROM course_enrolments WHERE course_id = $1 AND member_id = $2", params![course, me.id])
            .await?;
    if gone == 0 {
        return Err(AppError::NotFound);
    }
    promote(&tx, course).await?;
    tx.commit().await?;
    Ok(())
}

/// Gives free seats to the waitlist, first come first served, under the course's lock.
pub(crate) async fn promote(tx: &DatabaseTransaction, course: Uuid) -> AppResult<()> {
    let lock = format!("SELECT id FROM courses WHERE id = $1{}", db::for_update(tx));
    db::scalar::<Uuid, _>(tx, &lock, params![course]).await?;
    let seats: Option<Option<i64>> = db::scalar(tx, "SELECT seats FROM courses WHERE id = $1", params![course]).await?;
    let Some(Some(seats)) = seats else {
        // No cohort: nobody waits.
        return Ok(());
    };
    let taken: i64 = db::scalar(
        tx,
        "SELECT COUNT(*) FROM course_enrolments WHERE course_id = $1 AND status = 'enrolled'",
        params![course],
    )
    .await?
    .unwrap_or(0);
    let free = seats - taken;
    if free <= 0 {
        return Ok(());
    }
    let next: Vec<MemberId> = db::column(
        tx,
        "SELECT member_id FROM course_enrolments WHERE course_id = $1 AND status = 'waitlisted' \
         ORDER BY created_at, member_id LIMIT $2",
        params![course, free],
    )
    .await?;
    for m in next {
        db::exec(
            tx,
            "UPDATE course_enrolments SET status = 'enrolled' WHERE course_id = $1 AND member_id = $2",
            params![course, m],
        )
        .await?;
    }
    Ok(())
}

/// The viewer's place on the waitlist (1 = next), if they wait.
pub(crate) async fn waitlist_place(state: &AppState, course: Uuid, member: MemberId) -> AppResult<Option<i64>> {
    let place: Option<i64> = state
        .db
        .scalar(
            "SELECT COUNT(*) FROM course_enrolments o JOIN course_enrolments me \
               ON me.course_id = o.course_id AND me.member_id = $2 AND me.status = 'waitlisted' \
             WHERE o.course_id = $1 AND o.status = 'waitlisted' \
               AND (o.created_at < me.created_at OR (o.created_at = me.created_at AND o.member_id <= me.member_id))",
            params![course, member],
        )
        .await?;
    Ok(place.filter(|p| *p > 0))
}

/// Requires the viewer to hold a seat in `course` (409 `not_enrolled` otherwise), and
/// locks their enrolment for the rest of `tx`: two steps of the same member in the same
/// course (the last two lessons marked at once) then take turns, so the second sees the
/// first and the completion is never missed.
pub(crate) async fn require_seat(tx: &DatabaseTransaction, course: Uuid, member: MemberId) -> AppResult<()> {
    let sql =
        format!("SELECT status FROM course_enrolments WHERE course_id = $1 AND member_id = $2{}", db::for_update(tx));
    let status: Option<String> = db::scalar(tx, &sql, params![course, member]).await?;
    match status.as_deref().and_then(Enrolment::parse) {
        Some(Enrolment::Enrolled) => Ok(()),
        Some(Enrolment::Waitlisted) => {
            Err(AppError::conflict("not_enrolled", "You are on the waitlist; you can start when a seat frees up."))
        }
        None => Err(AppError::conflict("not_enrolled", "Enrol in the course first.")),
    }
}
