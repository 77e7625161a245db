//! The staff console's event pages (`/admin/events`, `/admin/conferences`): every event
//! and conference, forms to schedule, change, cancel and delete events of every kind (in their
//! own time zone), to start a networking round, and to create a conference and add its
//! sessions (the awards ceremony among them). Each page answers 404 to anyone but staff,
//! before reading a body; the rules are the API's.

mod conference_form;
mod event_form;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kernel::http::{Req, RequestContext, form_pairs, path_id, redirect};
use kernel::ui::{self, escape};
use kernel::viewer::staff_page;
use kernel::{AppError, AppResult, AppState, FieldErrors, form, params};
use serde::Deserialize;
use uuid::Uuid;

use crate::conference;
use crate::model::kind_label;
use crate::service::{self, COLUMNS, EventInput, EventRow};
use crate::{networking, speakers, time};
use event_form::Typed;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/events", get(list_page))
        .route("/admin/events/new", get(new_page).post(new_submit))
        .route("/admin/events/{id}", get(edit_page).post(edit_submit))
        .route("/admin/events/{id}/cancel", post(cancel_submit))
        .route("/admin/events/{id}/delete", post(delete_submit))
        .route("/admin/events/{id}/rounds", post(round_submit))
        .route("/admin/events/{id}/rounds/undo", post(undo_round_submit))
        .merge(conference_form::router())
}

async fn list_page(Req { state, ctx }: Req) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let events: Vec<EventRow> =
        state.db.all(&format!("SELECT {COLUMNS} FROM events ORDER BY starts_at DESC LIMIT 200"), params![]).await?;
    let rows: String = events
        .iter()
        .map(|e| {
            format!(
                "<tr><td><a href=\"/admin/events/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                e.id,
                escape(&e.title),
                kind_label(&e.kind),
                escape(&time::display(e.starts_at, &e.time_zone)),
                escape(&e.status)
            )
        })
        .collect();
    let body = format!(
        "<h1>Events</h1><p><a href=\"/admin/events/new\">Schedule an event</a> · \
         <a href=\"/admin/conferences\">Conferences</a></p>\
         <table><caption>Events, latest first</caption><thead><tr><th scope=\"col\">Event</th><th scope=\"col\">Kind</th>\
         <th scope=\"col\">Starts</th><th scope=\"col\">Status</th></tr></thead><tbody>{rows}</tbody></table>"
    );
    Ok(ui::page(&state, &ctx, "Events (staff)", "/admin", &body).into_response())
}

/// The conferences a session may belong to: upcoming ones, and the one given.
async fn conference_choices(state: &AppState, also: Option<Uuid>) -> AppResult<Vec<(String, String)>> {
    let mut list = conference::upcoming(&state.db).await?;
    if let Some(id) = also.filter(|id| !list.iter().any(|c| c.id == *id)) {
        list.push(conference::get(&state.db, id).await?);
    }
    Ok(list.into_iter().map(|c| (c.id.to_string(), c.name)).collect())
}

fn form_page(
    state: &AppState,
    ctx: &RequestContext,
    (title, action, notice): (&str, &str, Option<&str>),
    fields: &str,
    errors: &FieldErrors,
    extra: &str,
) -> Response {
    let body = format!(
        "<p><a href=\"/admin/events\">All events</a></p><h1>{}</h1>{}{extra}",
        escape(title),
        form::form(action, &ctx.csrf, errors, fields, "Save the event")
    );
    (errors.page_status(), ui::page_with_notice(state, ctx, title, "/admin", &body, notice)).into_response()
}

async fn render_new(state: &AppState, ctx: &RequestContext, t: &Typed, errors: &FieldErrors) -> AppResult<Response> {
    let choices = conference_choices(state, t.conference_id.parse().ok()).await?;
    let fields = event_form::fields(t, errors, &choices);
    Ok(form_page(state, ctx, ("Schedule an event", "/admin/events/new", None), &fields, errors, ""))
}

#[derive(Deserialize, Default)]
struct NewQuery {
    conference: Option<String>,
    ceremony: Option<String>,
}

async fn new_page(Req { state, ctx }: Req, Query(q): Query<NewQuery>) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let conference = match q.conference.as_deref().and_then(|c| c.parse::<Uuid>().ok()) {
        Some(id) => Some(conference::get(&state.db, id).await?),
        None => None,
    };
    let t = event_form::blank(conference.as_ref(), q.ceremony.is_some());
    render_new(&state, &ctx, &t, &FieldErrors::new()).await
}

/// Where to go once an event is saved: its conference's console page for a session.
fn saved(e: &EventRow) -> Response {
    match e.conference_id {
        Some(c) => redirect(&format!("/admin/conferences/{c}")),
        None => redirect(&format!("/admin/events/{}", e.id)),
    }
}

async fn new_submit(Req { state, ctx }: Req, body: Bytes) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let t = event_form::typed(&form_pairs(&body));
    let input = match event_form::input(&t, &[]) {
        Ok(input) => input,
        Err(e) => return render_new(&state, &ctx, &t, &e).await,
    };
    match service::create(&state, &ctx.viewer, &input, &ctx.client_ip).await {
        Ok(e) => Ok(saved(&e)),
        Err(AppError::Validation(e)) => render_new(&state, &ctx, &t, &e).await,
        Err(e) => Err(e),
    }
}

/// An event's console page: its form, and cancelling it (and, for a networking event,
/// starting the next round).
async fn render_edit(
    state: &AppState,
    ctx: &RequestContext,
    e: &EventRow,
    (typed, notice): (Option<&Typed>, Option<&str>),
    errors: &FieldErrors,
) -> AppResult<Response> {
    let current = speakers::of_event(&state.db, e.id).await?;
    let track: Option<String> = match e.track_id {
        Some(t) => state.db.scalar("SELECT name FROM conference_tracks WHERE id = $1", params![t]).await?,
        None => None,
    };
    let stored = event_form::of_event(e, &current, track);
    let t = typed.unwrap_or(&stored);
    let choices = conference_choices(state, e.conference_id).await?;
    let mut extra = format!("<p><a href=\"/events/{}\">The event's page</a></p>", e.id);
    if e.kind == "networking" && e.status == "scheduled" {
        extra.push_str("<h2>Networking rounds</h2><p>Group everyone checked in, away from people they have met.</p>");
        extra.push_str(&form::button(&format!("/admin/events/{}/rounds", e.id), &ctx.csrf, "Start the next round"));
        let latest = networking::latest_round(state, e.id).await?;
        if latest > 0 {
            extra.push_str("<p>Started a round by mistake? Undo it: its groups go, as if it had not happened.</p>");
            let undo = format!("Undo round {latest}");
            extra.push_str(&form::button(&format!("/admin/events/{}/rounds/undo", e.id), &ctx.csrf, &undo));
        }
    }
    if e.status == "scheduled" {
        extra.push_str(
            "<h2>Cancel the event</h2><p>Everyone registered is told. A cancelled event stays cancelled.</p>",
        );
        extra.push_str(&form::button(&format!("/admin/events/{}/cancel", e.id), &ctx.csrf, "Cancel this event"));
    } else {
        extra.push_str("<p>This event is cancelled.</p>");
    }
    extra.push_str(
        "<h2>Delete the event</h2><p>Only an event nobody has registered for can be deleted, with its speakers, \
         questions and networking rounds; once members have registered, cancel it instead.</p>",
    );
    extra.push_str(&form::button(&format!("/admin/events/{}/delete", e.id), &ctx.csrf, "Delete this event"));
    let fields = event_form::fields(t, errors, &choices);
    let title = format!("Event: {}", e.title);
    Ok(form_page(state, ctx, (&title, &format!("/admin/events/{}", e.id), notice), &fields, errors, &extra))
}

async fn edit_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let e = service::load(state.db.reader(), path_id(&id)?).await?;
    render_edit(&state, &ctx, &e, (None, None), &FieldErrors::new()).await
}

async fn edit_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let e = service::load(state.db.reader(), path_id(&id)?).await?;
    let t = event_form::typed(&form_pairs(&body));
    let current = speakers::of_event(&state.db, e.id).await?;
    let input = match event_form::input(&t, &current) {
        Ok(input) => input,
        Err(errors) => return render_edit(&state, &ctx, &e, (Some(&t), None), &errors).await,
    };
    match service::update(&state, &ctx.viewer, e.id, &input, &ctx.client_ip).await {
        Ok(updated) => Ok(saved(&updated)),
        Err(AppError::Validation(errors)) => render_edit(&state, &ctx, &e, (Some(&t), None), &errors).await,
        Err(err) => Err(err),
    }
}

async fn cancel_submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let input = EventInput { status: Some("cancelled".into()), ..Default::default() };
    let e = service::update(&state, &ctx.viewer, path_id(&id)?, &input, &ctx.client_ip).await?;
    Ok(redirect(&format!("/admin/events/{}", e.id)))
}

/// Deletes the event, or, when members have registered, shows its page again saying why
/// not (409).
async fn delete_submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let e = service::load(state.db.reader(), id).await?;
    match service::delete(&state, &ctx.viewer, id, &ctx.client_ip).await {
        Ok(()) => Ok(redirect(&e.conference_id.map_or("/admin/events".into(), |c| format!("/admin/conferences/{c}")))),
        Err(AppError::Conflict { message, .. }) => {
            let mut page = render_edit(&state, &ctx, &e, (None, Some(&message)), &FieldErrors::new()).await?;
            *page.status_mut() = axum::http::StatusCode::CONFLICT;
            Ok(page)
        }
        Err(err) => Err(err),
    }
}

async fn round_submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let done = networking::start_round(&state, &ctx.viewer, id)
        .await
        .map(|round| format!("Round {} started: {} groups.", round.number, round.groups.len()));
    round_outcome(&state, &ctx, id, done).await
}

async fn undo_round_submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let done = networking::undo_latest_round(&state, &ctx.viewer, id, &ctx.client_ip)
        .await
        .map(|number| format!("Round {number} undone: its groups are gone."));
    round_outcome(&state, &ctx, id, done).await
}

/// The event's page again with what a round button did, or why it could not (409).
async fn round_outcome(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    done: AppResult<String>,
) -> AppResult<Response> {
    let e = service::load(state.db.reader(), id).await?;
    match done {
        Ok(notice) => render_edit(state, ctx, &e, (None, Some(&notice)), &FieldErrors::new()).await,
        Err(AppError::Conflict { message, .. }) => {
            let mut page = render_edit(state, ctx, &e, (None, Some(&message)), &FieldErrors::new()).await?;
            *page.status_mut() = axum::http::StatusCode::CONFLICT;
            Ok(page)
        }
        Err(err) => Err(err),
    }
}
