//! Event pages: an event with registration, the join button and its calendar file,
//! conferences, speakers and the calendar feed; the list (upcoming, past, mine) is in
//! `web/list.rs`.

mod list;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kernel::http::{Req, RequestContext, path_id};
use kernel::time::now;
use kernel::ui;
use kernel::{AppError, AppResult, AppState};
use uuid::Uuid;

use crate::model::{RegistrationStatus, kind_label};
use crate::service::{self, EventRow};
use crate::{conference, feed, ics, networking, questions, speakers, time};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/events", get(list::list_page))
        .route("/events/{id}", get(event_page))
        .route("/events/{id}/register", post(register_submit))
        .route("/events/{id}/cancel", post(cancel_submit))
        .route("/events/{id}/join", post(join_submit))
        .route("/events/{id}/rounds", post(start_round_submit))
        .route("/events/{id}/questions", post(question_submit))
        .route("/events/{id}/registrants", get(registrants_page).post(attendance_submit))
        .route("/conferences/{id}", get(conference_page))
        .route("/conferences/{id}/tickets", post(ticket_submit))
        .route("/conferences/{id}/agenda/{event_id}", post(pick_submit))
        .route("/speakers/{id}", get(speaker_page))
        .route("/events/feed", get(feed_page).post(feed_reset))
        .route("/calendar/{token}", get(feed_ics))
}

/// The zone to show times in: the member's own, else the event's (or UTC for lists).
async fn viewer_zone(state: &AppState, ctx: &RequestContext) -> AppResult<Option<String>> {
    match ctx.viewer.id() {
        Some(id) => Ok(contracts::members::directory(state)?.time_zone_of((&state.db).into(), id).await?),
        None => Ok(None),
    }
}

#[derive(Template)]
#[template(path = "event.html")]
struct EventPage<'a> {
    e: EventRow,
    kind_label: &'static str,
    when: String,
    other_zone: Option<String>,
    description_html: String,
    registered: i64,
    waitlisted: i64,
    signed_in: bool,
    registered_me: bool,
    waitlisted_me: bool,
    open: bool,
    full: bool,
    join_open: bool,
    join_minutes: i64,
    csrf: &'a str,
    status_text: Option<&'a str>,
    error: Option<String>,
    place: Option<networking::MyPlace>,
    is_staff: bool,
    speakers: Vec<crate::speakers::Speaker>,
    questions: Vec<String>,
    started: bool,
    question_count: i64,
}

async fn render_event(
    state: &AppState,
    ctx: &RequestContext,
    e: EventRow,
    status_text: Option<&str>,
    error: Option<String>,
) -> AppResult<Response> {
    let counts = service::counts(&state.db, e.id).await?;
    let mine = service::my_status(&state.db, &ctx.viewer, e.id).await?;
    let zone = viewer_zone(state, ctx).await?.unwrap_or_else(|| e.time_zone.clone());
    let when = format!("{} to {}", time::display(e.starts_at, &zone), time::display_time(e.ends_at, &zone));
    let other_zone = (zone != e.time_zone)
        .then(|| format!("That is {} in {}.", time::display(e.starts_at, &e.time_zone), e.time_zone));
    let t = now();
    let title = e.title.clone();
    let page = EventPage {
        kind_label: kind_label(&e.kind),
        when,
        other_zone,
        description_html: kernel::markdown::render(&e.description),
        registered: counts.registered,
        waitlisted: counts.waitlisted,
        signed_in: ctx.viewer.is_signed_in(),
        registered_me: mine == Some(RegistrationStatus::Registered),
        waitlisted_me: mine == Some(RegistrationStatus::Waitlisted),
        open: e.registration_open(t),
        full: e.capacity.is_some_and(|c| counts.registered >= c),
        join_open: mine == Some(RegistrationStatus::Registered)
            && e.join_open(t, crate::settings::EventSettings::join_minutes(state)?)
            && !e.join_url.is_empty(),
        join_minutes: crate::settings::EventSettings::join_minutes(state)?,
        csrf: &ctx.csrf,
        status_text,
        error,
        place: if e.kind == "networking" { networking::my_place(state, &ctx.viewer, e.id).await? } else { None },
        is_staff: ctx.viewer.is_staff(),
        speakers: crate::speakers::of_event(&state.db, e.id).await?,
        questions: e.question_list(),
        started: t >= e.starts_at,
        question_count: if e.kind == "panel" { crate::questions::count(&state.db, e.id).await? } else { 0 },
        e,
    };
    let status = if page.error.is_some() { StatusCode::CONFLICT } else { StatusCode::OK };
    Ok((status, ui::page(state, ctx, &title, "/events", &ui::render(&page))).into_response())
}

async fn event_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    // `/events/{id}.ics` is the calendar file of the same event.
    if let Some(raw) = id.strip_suffix(".ics") {
        let e = service::visible(&state, &ctx.viewer, path_id(raw)?).await?;
        let body = ics::calendar(&state, &[e]);
        return Ok((
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"event.ics\""),
            ],
            body,
        )
            .into_response());
    }
    let e = service::visible(&state, &ctx.viewer, path_id(&id)?).await?;
    render_event(&state, &ctx, e, None, None).await
}

async fn register_submit(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    ctx.viewer.require_member()?;
    let id: Uuid = path_id(&id)?;
    // Answers come as repeated `answer` fields, in question order.
    let answers: Vec<String> = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| k == "answer")
        .map(|(_, v)| v)
        .collect();
    match service::register(&state, &ctx.viewer, id, &answers).await {
        Ok(status) => {
            let e = service::visible(&state, &ctx.viewer, id).await?;
            let text = match status {
                RegistrationStatus::Registered => "You're registered. We have e-mailed you a calendar file.",
                RegistrationStatus::Waitlisted => {
                    "The event is full, so you're on the waitlist. If a seat frees up it is yours."
                }
            };
            render_event(&state, &ctx, e, Some(text), None).await
        }
        Err(AppError::Conflict { message, .. }) => {
            let e = service::visible(&state, &ctx.viewer, id).await?;
            render_event(&state, &ctx, e, None, Some(message)).await
        }
        Err(AppError::Validation(errors)) => {
            let e = service::visible(&state, &ctx.viewer, id).await?;
            render_event(&state, &ctx, e, None, errors.0.values().next().cloned()).await
        }
        Err(e) => Err(e),
    }
}

async fn cancel_submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    ctx.viewer.require_member()?;
    let id: Uuid = path_id(&id)?;
    service::cancel(&state, &ctx.viewer, id).await?;
    let e = service::visible(&state, &ctx.viewer, id).await?;
    render_event(&state, &ctx, e, Some("Your place has been given up."), None).await
}

/// Checks the member in and sends them to the event's join link.
async fn join_submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    let e = service::visible(&state, &ctx.viewer, path_id(&id)?).await?;
    let registered = service::my_status(&state.db, &ctx.viewer, e.id).await? == Some(RegistrationStatus::Registered);
    if !registered
        || !e.join_open(now(), crate::settings::EventSettings::join_minutes(&state)?)
        || e.join_url.is_empty()
    {
        return render_event(&state, &ctx, e, None, Some("The join link is not open for you right now.".into())).await;
    }
    service::mark_attended(&state, None, e.id, me.id, &ctx.client_ip).await?;
    // The one redirect off this site, on purpose: the event's own join link, which staff
    // set and which must be an https:// address (checked when the event is saved).
    Ok(Redirect::to(&e.join_url).into_response())
}

#[derive(Template)]
#[template(path = "feed.html")]
struct FeedPage<'a> {
    csrf: &'a str,
    url: Option<String>,
    has_feed: bool,
}

async fn feed_page(Req { state, ctx }: Req) -> AppResult<Response> {
    let Some(me) = ctx.viewer.member() else { return Ok(kernel::http::login_redirect("/events/feed").into_response()) };
    let body = ui::render(&FeedPage { csrf: &ctx.csrf, url: None, has_feed: feed::exists(&state, me.id).await? });
    Ok(ui::page(&state, &ctx, "Your calendar feed", "/events", &body).into_response())
}

async fn feed_reset(Req { state, ctx }: Req) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    let path = feed::reset(&state, me.id).await?;
    let body = ui::render(&FeedPage { csrf: &ctx.csrf, url: Some(state.config.url(&path)), has_feed: true });
    Ok(ui::page(&state, &ctx, "Your calendar feed", "/events", &body).into_response())
}

/// The feed itself: the secret in the URL is the only key.
async fn feed_ics(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    let raw = token.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    let events = feed::events_for(&state, raw).await?.ok_or(AppError::NotFound)?;
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8"), (header::CACHE_CONTROL, "private, max-age=300")],
        ics::calendar(&state, &events),
    )
        .into_response())
}

async fn start_round_submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    let id: Uuid = path_id(&id)?;
    match networking::start_round(&state, &ctx.viewer, id).await {
        Ok(r) => {
            let e = service::visible(&state, &ctx.viewer, id).await?;
            let text = format!("Round {} has started with {} groups.", r.number, r.groups.len());
            render_event(&state, &ctx, e, Some(&text), None).await
        }
        Err(AppError::Conflict { message, .. }) => {
            let e = service::visible(&state, &ctx.viewer, id).await?;
            render_event(&state, &ctx, e, None, Some(message)).await
        }
        Err(e) => Err(e),
    }
}

#[derive(serde::Deserialize, Default)]
struct QuestionForm {
    #[serde(default)]
    body: String,
}

async fn question_submit(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    kernel::http::HtmlForm(f): kernel::http::HtmlForm<QuestionForm>,
) -> AppResult<Response> {
    let id: Uuid = path_id(&id)?;
    let result = questions::ask(&state, &ctx.viewer, id, &f.body).await;
    let e = service::visible(&state, &ctx.viewer, id).await?;
    match result {
        Ok(_) => {
            render_event(&state, &ctx, e, Some("Thank you: your question has been sent to the panel."), None).await
        }
        Err(AppError::Validation(errors)) => {
            render_event(&state, &ctx, e, None, errors.0.values().next().cloned()).await
        }
        Err(AppError::Conflict { message, .. }) => render_event(&state, &ctx, e, None, Some(message)).await,
        Err(err) => Err(err),
    }
}

#[derive(Template)]
#[template(path = "agenda.html")]
struct AgendaPage<'a> {
    c: conference::ConferenceView,
    agenda: conference::Agenda,
    signed_in: bool,
    csrf: &'a str,
    notice: Option<&'a str>,
    error: Option<String>,
}

async fn render_conference(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    notice: Option<&str>,
    error: Option<String>,
) -> AppResult<Response> {
    let c = conference::view(state, &ctx.viewer, id).await?;
    let agenda = conference::agenda(state, &ctx.viewer, id, viewer_zone(state, ctx).await?).await?;
    let title = c.conference.name.clone();
    let status = if error.is_some() { StatusCode::CONFLICT } else { StatusCode::OK };
    let body =
        ui::render(&AgendaPage { c, agenda, signed_in: ctx.viewer.is_signed_in(), csrf: &ctx.csrf, notice, error });
    Ok((status, ui::page(state, ctx, &title, "/events", &body)).into_response())
}

async fn conference_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    if let Some(raw) = id.strip_suffix(".ics") {
        let id: Uuid = path_id(raw)?;
        conference::get(&state.db, id).await?;
        let r = service::reader(&state, &ctx.viewer).await?;
        let rows: Vec<EventRow> =
            conference::sessions(&state.db, id).await?.into_iter().filter(|e| service::can_view(&r, e)).collect();
        return Ok((
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"agenda.ics\""),
            ],
            ics::calendar(&state, &rows),
        )
            .into_response());
    }
    render_conference(&state, &ctx, path_id(&id)?, None, None).await
}

#[derive(serde::Deserialize, Default)]
struct TicketForm {
    #[serde(default)]
    ticket_type_id: String,
}

async fn ticket_submit(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    kernel::http::HtmlForm(f): kernel::http::HtmlForm<TicketForm>,
) -> AppResult<Response> {
    let id: Uuid = path_id(&id)?;
    let ticket: Uuid = path_id(&f.ticket_type_id)?;
    match conference::take_ticket(&state, &ctx.viewer, id, ticket).await {
        Ok(()) => render_conference(&state, &ctx, id, Some("Your ticket is booked. See you there!"), None).await,
        Err(AppError::Conflict { message, .. }) => render_conference(&state, &ctx, id, None, Some(message)).await,
        Err(e) => Err(e),
    }
}

#[derive(serde::Deserialize, Default)]
struct PickForm {
    #[serde(default)]
    on: String,
}

async fn pick_submit(
    Req { state, ctx }: Req,
    Path((id, event_id)): Path<(String, String)>,
    kernel::http::HtmlForm(f): kernel::http::HtmlForm<PickForm>,
) -> AppResult<Response> {
    let id: Uuid = path_id(&id)?;
    conference::pick(&state, &ctx.viewer, path_id(&event_id)?, f.on == "on").await?;
    render_conference(&state, &ctx, id, Some("Your agenda has been updated."), None).await
}

#[derive(Template)]
#[template(path = "speaker.html")]
struct SpeakerPage {
    sp: speakers::Speaker,
    role_label: String,
    sessions: Vec<(Uuid, String)>,
}

async fn speaker_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    let sp = speakers::get(&state.db, path_id(&id)?).await?;
    // A speaker is shown only with an event the viewer may see.
    let e = service::visible(&state, &ctx.viewer, sp.event_id).await?;
    let mut sessions = vec![(e.id, e.title.clone())];
    if let Some(m) = sp.member_id {
        for other in speakers::events_of_member(&state.db, m).await? {
            if other.0 != e.id
                && let Ok(o) = service::visible(&state, &ctx.viewer, other.0).await
            {
                sessions.push((o.id, o.title));
            }
        }
    }
    let mut role_label = sp.role.clone();
    if let Some(first) = role_label.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    let title = sp.name.clone();
    let body = ui::render(&SpeakerPage { sp, role_label, sessions });
    Ok(ui::page(&state, &ctx, &title, "/events", &body).into_response())
}

#[derive(Template)]
#[template(path = "registrants.html")]
struct RegistrantsPage<'a> {
    id: Uuid,
    title: String,
    questions: Vec<String>,
    rows: Vec<service::Registrant>,
    csrf: &'a str,
    notice: Option<&'a str>,
}

async fn render_registrants(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    notice: Option<&str>,
) -> AppResult<Response> {
    let e = service::visible(state, &ctx.viewer, id).await?;
    let questions = e.question_list();
    let mut rows = service::registrants(state, &ctx.viewer, id, &ctx.client_ip).await?;
    // One cell per question, even for answers left out.
    for r in &mut rows {
        r.answers.resize(questions.len(), String::new());
    }
    let body = ui::render(&RegistrantsPage { id, title: e.title.clone(), questions, rows, csrf: &ctx.csrf, notice });
    Ok(ui::page(state, ctx, "Registrants", "/events", &body).into_response())
}

async fn registrants_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    ctx.viewer.require_role(kernel::viewer::Role::Staff)?;
    render_registrants(&state, &ctx, path_id(&id)?, None).await
}

#[derive(serde::Deserialize, Default)]
struct AttendanceForm {
    #[serde(default)]
    member_id: String,
}

async fn attendance_submit(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    kernel::http::HtmlForm(f): kernel::http::HtmlForm<AttendanceForm>,
) -> AppResult<Response> {
    let staff = ctx.viewer.require_role(kernel::viewer::Role::Staff)?;
    let id: Uuid = path_id(&id)?;
    service::visible(&state, &ctx.viewer, id).await?;
    service::mark_attended(&state, Some(staff.id), id, path_id(&f.member_id)?, &ctx.client_ip).await?;
    render_registrants(&state, &ctx, id, Some("Attendance recorded.")).await
}
