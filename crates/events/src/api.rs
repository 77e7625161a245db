//! The events JSON API (fixed routes: see the README).

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use kernel::http::{ApiJson, ApiQuery, Req, path_id};
use kernel::ids::MemberId;
use kernel::page::Page;
use kernel::time::now;
use kernel::viewer::{Role, Viewer};
use kernel::{AppResult, AppState};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use crate::conference;
use crate::model::RegistrationStatus;
use crate::networking::{self, Group, MyPlace, RoundView};
use crate::questions::{self, Question};
use crate::service::{self, EventInput, EventRow, ListQuery};
use crate::time;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/events", get(list).post(create))
        .route("/api/v1/events/{id}", get(get_one).patch(patch))
        .route("/api/v1/events/{id}/registration", post(register).delete(cancel))
        .route("/api/v1/admin/events/{id}", axum::routing::delete(delete_event))
        .route("/api/v1/events/{id}/attendance", post(attendance))
        .route("/api/v1/events/{id}/registrations", get(registrants))
        .route("/api/v1/events/{id}/rounds", post(start_round))
        .route("/api/v1/events/{id}/rounds/mine", get(my_round))
        .route("/api/v1/events/{id}/rounds/latest", delete(undo_round))
        .route("/api/v1/events/{id}/questions", get(list_questions).post(ask_question))
        .route("/api/v1/conferences", post(create_conference))
        .route("/api/v1/conferences/{id}", get(get_conference))
        .route("/api/v1/conferences/{id}/agenda", get(get_agenda))
        .route("/api/v1/conferences/{id}/tickets", post(take_ticket))
        .route("/api/v1/admin/conferences/{id}/tickets/{member_id}", axum::routing::delete(revoke_ticket))
        .route("/api/v1/me/agenda/{event_id}", axum::routing::put(pick_session).delete(unpick_session))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        delete_event,
        list,
        create,
        get_one,
        patch,
        register,
        cancel,
        attendance,
        registrants,
        start_round,
        undo_round,
        my_round,
        list_questions,
        ask_question,
        create_conference,
        get_conference,
        get_agenda,
        take_ticket,
        revoke_ticket,
        pick_session,
        unpick_session
    ),
    components(schemas(
        EventView,
        EventInput,
        RegistrationStatus,
        Registration,
        RegistrationBody,
        AttendanceBody,
        RoundView,
        Group,
        MyPlace,
        crate::service::Registrant,
        RegistrantList,
        crate::service::SpeakerInput,
        crate::speakers::Speaker,
        Question,
        QuestionBody,
        QuestionList,
        TicketBody,
        conference::Conference,
        conference::ConferenceView,
        conference::NewConference,
        conference::NewTicketType,
        conference::Track,
        conference::TicketType,
        conference::Agenda,
        conference::Day,
        conference::Session
    ))
)]
pub struct EventsApi;

/// An event as the viewer may see it; times in UTC and in the event's zone.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub id: Uuid,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: String,
    /// Local start in `time_zone`, e.g. 2027-03-28T09:30:00.
    pub local_starts_at: String,
    pub local_ends_at: String,
    pub audience: String,
    pub capacity: Option<i64>,
    pub registered: i64,
    pub waitlisted: i64,
    pub status: String,
    /// The viewer's place, if any.
    pub my_registration: Option<RegistrationStatus>,
    /// Only for registered members, from shortly before the start until the end.
    pub join_url: Option<String>,
    pub recording_url: Option<String>,
    pub ics_url: String,
    pub conference_id: Option<Uuid>,
    pub room: String,
    pub awards_ceremony: bool,
    pub speakers: Vec<crate::speakers::Speaker>,
    /// Questions asked at registration.
    pub questions: Vec<String>,
}

pub async fn view(state: &AppState, viewer: &Viewer, e: EventRow) -> AppResult<EventView> {
    let counts = service::counts(&state.db, e.id).await?;
    let mine = service::my_status(&state.db, viewer, e.id).await?;
    let join_url = (mine == Some(RegistrationStatus::Registered)
        && e.join_open(now(), crate::settings::EventSettings::join_minutes(state)?)
        && !e.join_url.is_empty())
    .then(|| e.join_url.clone());
    Ok(EventView {
        id: e.id,
        questions: e.question_list(),
        local_starts_at: time::local_string(e.starts_at, &e.time_zone),
        local_ends_at: time::local_string(e.ends_at, &e.time_zone),
        ics_url: format!("/events/{}.ics", e.id),
        kind: e.kind,
        title: e.title,
        description: e.description,
        starts_at: e.starts_at,
        ends_at: e.ends_at,
        time_zone: e.time_zone,
        audience: e.audience,
        capacity: e.capacity,
        registered: counts.registered,
        waitlisted: counts.waitlisted,
        status: e.status,
        my_registration: mine,
        join_url,
        recording_url: Some(e.recording_url).filter(|u| !u.is_empty()),
        speakers: crate::speakers::of_event(&state.db, e.id).await?,
        conference_id: e.conference_id,
        room: e.room,
        awards_ceremony: e.awards_ceremony,
    })
}

/// Events the viewer may see: upcoming by default.
#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(ListQuery), responses((status = 200, body = Page<EventView>),
    (status = 422, description = "an unknown kind, condition, group or moment")))]
async fn list(Req { state, ctx }: Req, ApiQuery(q): ApiQuery<ListQuery>) -> AppResult<Json<Page<EventView>>> {
    let page = service::list(&state, &ctx.viewer, &q).await?;
    let mut items = Vec::with_capacity(page.items.len());
    for e in page.items {
        items.push(view(&state, &ctx.viewer, e).await?);
    }
    Ok(Json(Page { items, next_cursor: page.next_cursor }))
}

/// Schedule an event (staff). Times are local date-times in `time_zone`.
#[utoipa::path(post, path = "/api/v1/events", tag = "events", request_body = EventInput, security(("bearer" = [])),
    responses((status = 201, body = EventView), (status = 404), (status = 422)))]
async fn create(Req { state, ctx }: Req, ApiJson(b): ApiJson<EventInput>) -> AppResult<Response> {
    let e = service::create(&state, &ctx.viewer, &b, &ctx.client_ip).await?;
    Ok((StatusCode::CREATED, Json(view(&state, &ctx.viewer, e).await?)).into_response())
}

#[utoipa::path(get, path = "/api/v1/events/{id}", tag = "events", params(("id" = Uuid, Path)), responses((status = 200, body = EventView), (status = 404)))]
async fn get_one(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Json<EventView>> {
    let e = service::visible(&state, &ctx.viewer, path_id(&id)?).await?;
    Ok(Json(view(&state, &ctx.viewer, e).await?))
}

/// Change an event (staff); any subset of the fields. Registrants hear about a new
/// time or a cancellation (`"status": "cancelled"`).
#[utoipa::path(patch, path = "/api/v1/events/{id}", tag = "events", params(("id" = Uuid, Path)), request_body = EventInput,
    security(("bearer" = [])), responses((status = 200, body = EventView), (status = 404), (status = 422)))]
async fn patch(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<EventInput>,
) -> AppResult<Json<EventView>> {
    let e = service::update(&state, &ctx.viewer, path_id(&id)?, &b, &ctx.client_ip).await?;
    Ok(Json(view(&state, &ctx.viewer, e).await?))
}

/// Delete an event nobody has registered for (staff), with its speakers, questions and
/// networking rounds. Once members have registered it answers 409: cancel it instead.
#[utoipa::path(delete, path = "/api/v1/admin/events/{id}", tag = "events", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 404), (status = 409)))]
async fn delete_event(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<StatusCode> {
    ctx.viewer.require_role(kernel::viewer::Role::Staff)?;
    service::delete(&state, &ctx.viewer, path_id(&id)?, &ctx.client_ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Registration {
    pub status: RegistrationStatus,
}

/// Optional: answers to the event's registration questions, in order.
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationBody {
    #[serde(default)]
    pub answers: Vec<String>,
}

/// Register: 201 registered, 202 waitlisted (the event is full).
#[utoipa::path(post, path = "/api/v1/events/{id}/registration", tag = "events", params(("id" = Uuid, Path)), request_body = Option<RegistrationBody>, security(("bearer" = [])),
    responses((status = 201, body = Registration), (status = 202, body = Registration), (status = 404), (status = 409, description = "registration_closed")))]
async fn register(Req { state, ctx }: Req, Path(id): Path<String>, body: axum::body::Bytes) -> AppResult<Response> {
    let b: RegistrationBody = kernel::http::optional_json(&body)?;
    let status = service::register(&state, &ctx.viewer, path_id(&id)?, &b.answers).await?;
    let code = if status == RegistrationStatus::Registered { StatusCode::CREATED } else { StatusCode::ACCEPTED };
    Ok((code, Json(Registration { status })).into_response())
}

/// Cancel my registration (or leave the waitlist).
#[utoipa::path(delete, path = "/api/v1/events/{id}/registration", tag = "events", params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404)))]
async fn cancel(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<StatusCode> {
    service::cancel(&state, &ctx.viewer, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceBody {
    pub member_id: MemberId,
}

/// Mark a registered member as attended (staff). Emits `EventAttended` once.
#[utoipa::path(post, path = "/api/v1/events/{id}/attendance", tag = "events", params(("id" = Uuid, Path)), request_body = AttendanceBody,
    security(("bearer" = [])), responses((status = 204), (status = 404), (status = 409)))]
async fn attendance(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<AttendanceBody>,
) -> AppResult<StatusCode> {
    let staff = ctx.viewer.require_role(Role::Staff)?;
    service::visible(&state, &ctx.viewer, path_id(&id)?).await?;
    service::mark_attended(&state, Some(staff.id), path_id(&id)?, b.member_id, &ctx.client_ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Start the next networking round (staff): checked-in attendees are grouped.
#[utoipa::path(post, path = "/api/v1/events/{id}/rounds", tag = "events", params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 201, body = RoundView), (status = 404), (status = 409, description = "not_networking, too_few_present or round_started")))]
async fn start_round(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    let round = networking::start_round(&state, &ctx.viewer, path_id(&id)?).await?;
    Ok((StatusCode::CREATED, Json(round)).into_response())
}

/// Undo the latest networking round (staff): its groups go, as if it never happened.
#[utoipa::path(delete, path = "/api/v1/events/{id}/rounds/latest", tag = "events", params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, description = "No round to undo, or not staff")))]
async fn undo_round(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<StatusCode> {
    ctx.viewer.require_role(Role::Staff)?;
    networking::undo_latest_round(&state, &ctx.viewer, path_id(&id)?, &ctx.client_ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// My group in the latest round: partners' cards and the room link.
#[utoipa::path(get, path = "/api/v1/events/{id}/rounds/mine", tag = "events", params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = MyPlace), (status = 404, description = "No round includes you yet")))]
async fn my_round(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Json<MyPlace>> {
    ctx.viewer.require_member()?;
    networking::my_place(&state, &ctx.viewer, path_id(&id)?).await?.map(Json).ok_or(kernel::AppError::NotFound)
}

#[derive(Serialize, ToSchema)]
pub struct QuestionList {
    pub items: Vec<Question>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionBody {
    pub body: String,
}

/// Questions members sent in for a panel: all of them for its panel, site moderators and
/// staff; for anyone else, their own.
#[utoipa::path(get, path = "/api/v1/events/{id}/questions", tag = "events", params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = QuestionList), (status = 404)))]
async fn list_questions(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Json<QuestionList>> {
    ctx.viewer.require_member()?;
    let e = service::visible(&state, &ctx.viewer, path_id(&id)?).await?;
    Ok(Json(QuestionList { items: questions::of_event(&state.db, &ctx.viewer, e.id).await? }))
}

/// Send in a question before a panel starts.
#[utoipa::path(post, path = "/api/v1/events/{id}/questions", tag = "events", params(("id" = Uuid, Path)), request_body = QuestionBody,
    security(("bearer" = [])), responses((status = 201, body = Question), (status = 409), (status = 422)))]
async fn ask_question(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<QuestionBody>,
) -> AppResult<Response> {
    let q = questions::ask(&state, &ctx.viewer, path_id(&id)?, &b.body).await?;
    Ok((StatusCode::CREATED, Json(q)).into_response())
}

/// Create a conference with its tracks and ticket types (staff).
#[utoipa::path(post, path = "/api/v1/conferences", tag = "conferences", request_body = conference::NewConference, security(("bearer" = [])),
    responses((status = 201, body = conference::ConferenceView), (status = 404), (status = 422)))]
async fn create_conference(
    Req { state, ctx }: Req,
    ApiJson(b): ApiJson<conference::NewConference>,
) -> AppResult<Response> {
    let c = conference::create(&state, &ctx.viewer, &b, &ctx.client_ip).await?;
    Ok((StatusCode::CREATED, Json(c)).into_response())
}

#[utoipa::path(get, path = "/api/v1/conferences/{id}", tag = "conferences", params(("id" = Uuid, Path)),
    responses((status = 200, body = conference::ConferenceView), (status = 404)))]
async fn get_conference(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
) -> AppResult<Json<conference::ConferenceView>> {
    Ok(Json(conference::view(&state, &ctx.viewer, path_id(&id)?).await?))
}

/// The agenda by day (in the viewer's zone, else the conference's), with the viewer's
/// picks and clashes.
#[utoipa::path(get, path = "/api/v1/conferences/{id}/agenda", tag = "conferences", params(("id" = Uuid, Path)),
    responses((status = 200, body = conference::Agenda), (status = 404)))]
async fn get_agenda(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Json<conference::Agenda>> {
    let zone = match ctx.viewer.id() {
        Some(me) => contracts::members::directory(&state)?.time_zone_of((&state.db).into(), me).await?,
        None => None,
    };
    Ok(Json(conference::agenda(&state, &ctx.viewer, path_id(&id)?, zone).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketBody {
    pub ticket_type_id: Uuid,
}

/// Take a ticket (one per member; never past the type's capacity).
#[utoipa::path(post, path = "/api/v1/conferences/{id}/tickets", tag = "conferences", params(("id" = Uuid, Path)), request_body = TicketBody,
    security(("bearer" = [])), responses((status = 201), (status = 404), (status = 409, description = "sold_out or already_ticketed")))]
async fn take_ticket(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TicketBody>,
) -> AppResult<StatusCode> {
    conference::take_ticket(&state, &ctx.viewer, path_id(&id)?, b.ticket_type_id).await?;
    Ok(StatusCode::CREATED)
}

/// Revoke a member's ticket (staff): its seat is free again for someone else to take.
#[utoipa::path(delete, path = "/api/v1/admin/conferences/{id}/tickets/{member_id}", tag = "conferences",
    params(("id" = Uuid, Path), ("member_id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, description = "No such ticket")))]
async fn revoke_ticket(Req { state, ctx }: Req, Path((id, member)): Path<(String, String)>) -> AppResult<StatusCode> {
    ctx.viewer.require_role(kernel::viewer::Role::Staff)?;
    let (id, member) = (path_id(&id)?, path_id(&member)?);
    crate::conference_admin::revoke_ticket(&state, &ctx.viewer, id, member, &ctx.client_ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add a session to my agenda.
#[utoipa::path(put, path = "/api/v1/me/agenda/{event_id}", tag = "conferences", params(("event_id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404), (status = 409)))]
async fn pick_session(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<StatusCode> {
    conference::pick(&state, &ctx.viewer, path_id(&id)?, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a session from my agenda.
#[utoipa::path(delete, path = "/api/v1/me/agenda/{event_id}", tag = "conferences", params(("event_id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404)))]
async fn unpick_session(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<StatusCode> {
    conference::pick(&state, &ctx.viewer, path_id(&id)?, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct RegistrantList {
    pub items: Vec<crate::service::Registrant>,
}

/// Who is registered or waiting, with their answers (staff; audited).
#[utoipa::path(get, path = "/api/v1/events/{id}/registrations", tag = "events", params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = RegistrantList), (status = 404)))]
async fn registrants(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Json<RegistrantList>> {
    ctx.viewer.require_role(Role::Staff)?;
    let e = service::visible(&state, &ctx.viewer, path_id(&id)?).await?;
    Ok(Json(RegistrantList { items: service::registrants(&state, &ctx.viewer, e.id, &ctx.client_ip).await? }))
}
