//! The console's conference pages: every conference, the form to create one (days,
//! time zone, tracks, ticket types) checked by [`conference::create`], and a conference's
//! page with its agenda by day, the way to add sessions (the awards ceremony among them),
//! and the tickets taken, each of which staff may revoke to free its seat.

use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kernel::http::{CSRF_FIELD, Req, RequestContext, form_pairs, form_value, path_id, redirect};
use kernel::ids::MemberId;
use kernel::ui::{self, Field, Input, escape};
use kernel::viewer::staff_page;
use kernel::{AppError, AppResult, AppState, FieldErrors, form, params};

use crate::conference::{self, CONF_COLUMNS, Conference, ConferenceView, NewConference, NewTicketType};
use crate::conference_admin;
use crate::model::kind_label;
use crate::time;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/conferences", get(list_page))
        .route("/admin/conferences/new", get(new_page).post(new_submit))
        .route("/admin/conferences/{id}", get(conference_page).post(edit_submit))
        .route("/admin/conferences/{id}/delete", post(delete_submit))
        .route("/admin/conferences/{id}/tickets/{member_id}/revoke", post(revoke_submit))
}

async fn list_page(Req { state, ctx }: Req) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let all: Vec<Conference> = state
        .db
        .all(&format!("SELECT {CONF_COLUMNS} FROM conferences ORDER BY starts_on DESC LIMIT 100"), params![])
        .await?;
    let rows: String = all
        .iter()
        .map(|c| {
            format!(
                "<tr><td><a href=\"/admin/conferences/{}\">{}</a></td><td>{} to {}</td><td>{}</td></tr>",
                c.id,
                escape(&c.name),
                escape(&c.starts_on),
                escape(&c.ends_on),
                escape(&c.time_zone)
            )
        })
        .collect();
    let body = format!(
        "<h1>Conferences</h1><p><a href=\"/admin/conferences/new\">Create a conference</a> · <a href=\"/admin/events\">Events</a></p>\
         <table><caption>Conferences, latest first</caption><thead><tr><th scope=\"col\">Conference</th>\
         <th scope=\"col\">Days</th><th scope=\"col\">Time zone</th></tr></thead><tbody>{rows}</tbody></table>"
    );
    Ok(ui::page(&state, &ctx, "Conferences (staff)", "/admin", &body).into_response())
}

const NAMES: &[&str] = &[
    "name",
    "year",
    "description",
    "starts_on",
    "ends_on",
    "time_zone",
    "venue",
    "online_url",
    "tracks",
    "ticket_types",
];

/// The conference form as typed, field by field (in the order of [`NAMES`]).
struct Typed(Vec<String>);

impl Typed {
    fn get(&self, name: &str) -> &str {
        NAMES.iter().position(|n| *n == name).and_then(|i| self.0.get(i)).map(String::as_str).unwrap_or("")
    }
}

/// Ticket types typed one a line as `name | seats` (no seats: no limit).
fn ticket_types(text: &str, e: &mut FieldErrors) -> Vec<NewTicketType> {
    form::lines(text)
        .iter()
        .map(|line| {
            let (name, seats) = line.split_once('|').unwrap_or((line, ""));
            let capacity = form::number(seats).unwrap_or_else(|_| {
                e.add("ticket_types", "Write each ticket type as: name | seats, for example: In person | 300.");
                None
            });
            NewTicketType { name: name.trim().to_string(), capacity }
        })
        .collect()
}

/// The typed form as the API's input (what cannot be read is said beside its field).
fn input(t: &Typed) -> Result<NewConference, FieldErrors> {
    let mut e = FieldErrors::new();
    let year = form::number(t.get("year")).ok().flatten().unwrap_or_else(|| {
        e.add("year", "Use a year like 2027.");
        0
    });
    let ticket_types = ticket_types(t.get("ticket_types"), &mut e);
    let c = NewConference {
        name: t.get("name").into(),
        year,
        description: t.get("description").into(),
        starts_on: t.get("starts_on").trim().into(),
        ends_on: t.get("ends_on").trim().into(),
        time_zone: t.get("time_zone").trim().into(),
        venue: t.get("venue").into(),
        online_url: t.get("online_url").trim().into(),
        tracks: form::lines(t.get("tracks")),
        ticket_types,
    };
    if e.is_empty() { Ok(c) } else { Err(e) }
}

fn fields(t: &Typed, e: &FieldErrors) -> String {
    let field = |name: &'static str, label: &'static str, input: Input| Field::new(name, label, t.get(name), input);
    let day = "Like 2027-06-14, in the conference's time zone.";
    [
        field("name", "Name", Input::Text).required().errors(e).html(),
        field("year", "Year", Input::Text).required().errors(e).html(),
        field("description", "Description", Input::TextArea).errors(e).html(),
        field("starts_on", "First day", Input::Text).hint(day).required().errors(e).html(),
        field("ends_on", "Last day", Input::Text).hint(day).required().errors(e).html(),
        field("time_zone", "Time zone", Input::Text).hint("Like Europe/London.").required().errors(e).html(),
        field("venue", "Venue", Input::Text).errors(e).html(),
        field("online_url", "Online link", Input::Url).hint("For ticket holders, while it runs.").errors(e).html(),
        field("tracks", "Tracks", Input::TextArea)
            .hint("One a line, at most 20; take a line out to remove a track.")
            .errors(e)
            .html(),
        field("ticket_types", "Ticket types", Input::TextArea)
            .hint("One a line, as: name | seats (leave the seats out for no limit); take a line out to remove one.")
            .errors(e)
            .html(),
    ]
    .concat()
}

fn render_form(state: &AppState, ctx: &RequestContext, t: &Typed, errors: &FieldErrors) -> Response {
    let body = format!(
        "<p><a href=\"/admin/conferences\">All conferences</a></p><h1>Create a conference</h1>{}",
        form::form("/admin/conferences/new", &ctx.csrf, errors, &fields(t, errors), "Create the conference")
    );
    (errors.page_status(), ui::page(state, ctx, "Create a conference", "/admin", &body)).into_response()
}

async fn new_page(Req { state, ctx }: Req) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let mut blank = Typed(vec![String::new(); NAMES.len()]);
    blank.0[5] = "Europe/London".into();
    Ok(render_form(&state, &ctx, &blank, &FieldErrors::new()))
}

async fn new_submit(Req { state, ctx }: Req, body: Bytes) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let pairs = form_pairs(&body);
    let t = Typed(NAMES.iter().map(|n| form_value(&pairs, n)).collect());
    let c = match input(&t) {
        Ok(c) => c,
        Err(e) => return Ok(render_form(&state, &ctx, &t, &e)),
    };
    match conference::create(&state, &ctx.viewer, &c, &ctx.client_ip).await {
        Ok(view) => Ok(redirect(&format!("/admin/conferences/{}", view.conference.id))),
        Err(AppError::Validation(e)) => Ok(render_form(&state, &ctx, &t, &e)),
        Err(e) => Err(e),
    }
}

/// A conference as its form shows it.
fn of_view(view: &ConferenceView) -> Typed {
    let c = &view.conference;
    let tracks: Vec<&str> = view.tracks.iter().map(|t| t.name.as_str()).collect();
    let tickets: Vec<String> = view
        .ticket_types
        .iter()
        .map(|t| t.capacity.map(|n| format!("{} | {n}", t.name)).unwrap_or_else(|| t.name.clone()))
        .collect();
    Typed(vec![
        c.name.clone(),
        c.year.to_string(),
        c.description.clone(),
        c.starts_on.clone(),
        c.ends_on.clone(),
        c.time_zone.clone(),
        c.venue.clone(),
        c.online_url.clone(),
        tracks.join("\n"),
        tickets.join("\n"),
    ])
}

/// The conference's tracks, ticket types and sessions, as lists.
async fn agenda_html(state: &AppState, view: &ConferenceView) -> AppResult<String> {
    let list = |items: Vec<String>| {
        if items.is_empty() { "<p>None yet.</p>".to_string() } else { format!("<ul>{}</ul>", items.concat()) }
    };
    let tickets = list(
        view.ticket_types
            .iter()
            .map(|t| {
                let seats =
                    t.capacity.map_or(format!("{} taken, no limit", t.taken), |n| format!("{} of {n} taken", t.taken));
                format!("<li>{}: {seats}</li>", escape(&t.name))
            })
            .collect(),
    );
    let sessions = list(
        conference::sessions(&state.db, view.conference.id)
            .await?
            .iter()
            .map(|e| {
                format!(
                    "<li><a href=\"/admin/events/{}\">{}</a> ({}), {}{}</li>",
                    e.id,
                    escape(&e.title),
                    kind_label(&e.kind),
                    escape(&time::display(e.starts_at, &e.time_zone)),
                    if e.awards_ceremony { " — the awards ceremony" } else { "" }
                )
            })
            .collect(),
    );
    Ok(format!("<h2>Ticket types</h2>{tickets}<h2>Sessions</h2>{sessions}"))
}

/// The tickets taken (the latest [`conference_admin::HOLDERS_SHOWN`]), each with a button
/// that revokes it.
async fn holders_html(state: &AppState, ctx: &RequestContext, id: uuid::Uuid) -> AppResult<String> {
    let holders = conference_admin::holders(state, &ctx.viewer, id, &ctx.client_ip).await?;
    if holders.is_empty() {
        return Ok("<h2>Tickets taken</h2><p>None yet.</p>".to_string());
    }
    let ids: Vec<MemberId> = holders.iter().map(|h| h.member_id).collect();
    let names = contracts::members::directory(state)?.display_names((&state.db).into(), &ids).await?;
    let rows: String = holders
        .iter()
        .map(|h| {
            let name = names.get(&h.member_id).map(String::as_str).unwrap_or("A former member");
            format!(
                "<tr><td>{name}</td><td>{kind}</td><td>{on}</td><td><form method=\"post\" \
                 action=\"/admin/conferences/{id}/tickets/{member}/revoke\" class=\"inline\">\
                 <input type=\"hidden\" name=\"{CSRF_FIELD}\" value=\"{csrf}\"><button type=\"submit\" class=\"secondary\">\
                 Revoke<span class=\"visually-hidden\"> {name}'s ticket</span></button></form></td></tr>",
                name = escape(name),
                kind = escape(&h.ticket_type),
                on = h.created_at.format("%-d %B %Y"),
                member = h.member_id,
                csrf = escape(&ctx.csrf),
            )
        })
        .collect();
    Ok(format!(
        "<h2>Tickets taken</h2><p>The latest {} tickets, newest first. Revoking a ticket frees its seat for someone \
         else.</p><table><caption>Ticket holders</caption><thead><tr><th scope=\"col\">Member</th>\
         <th scope=\"col\">Ticket</th><th scope=\"col\">Taken on</th><th scope=\"col\">Revoke</th></tr></thead>\
         <tbody>{rows}</tbody></table>",
        conference_admin::HOLDERS_SHOWN
    ))
}

/// A conference's console page: its tickets and sessions, the way to add a session and
/// the awards ceremony, its settings form and deleting it.
async fn render_conference(
    state: &AppState,
    ctx: &RequestContext,
    id: uuid::Uuid,
    typed: Option<&Typed>,
    errors: &FieldErrors,
) -> AppResult<Response> {
    let view = conference::view(state, &ctx.viewer, id).await?;
    let stored = of_view(&view);
    let c = &view.conference;
    let body = format!(
        "<p><a href=\"/admin/conferences\">All conferences</a></p><h1>{name}</h1>\
         <p>From {from} to {to} ({zone}). <a href=\"/conferences/{id}\">The conference's page</a></p>{agenda}{holders}\
         <p><a href=\"/admin/events/new?conference={id}\">Add a session</a> · \
         <a href=\"/admin/events/new?conference={id}&amp;ceremony=1\">Add the awards ceremony session</a></p>\
         <h2>Change the conference</h2><p>Tracks and ticket types are added or resized here, never removed.</p>{form}\
         <h2>Delete the conference</h2><p>Only a conference with no session and no ticket can be deleted.</p>{delete}",
        name = escape(&c.name),
        from = escape(&c.starts_on),
        to = escape(&c.ends_on),
        zone = escape(&c.time_zone),
        id = c.id,
        agenda = agenda_html(state, &view).await?,
        holders = holders_html(state, ctx, c.id).await?,
        form = form::form(
            &format!("/admin/conferences/{}", c.id),
            &ctx.csrf,
            errors,
            &fields(typed.unwrap_or(&stored), errors),
            "Save the conference"
        ),
        delete = form::button(&format!("/admin/conferences/{}/delete", c.id), &ctx.csrf, "Delete this conference"),
    );
    Ok((errors.page_status(), ui::page(state, ctx, &c.name, "/admin", &body)).into_response())
}

async fn conference_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    render_conference(&state, &ctx, path_id(&id)?, None, &FieldErrors::new()).await
}

async fn edit_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let id = path_id(&id)?;
    let pairs = form_pairs(&body);
    let t = Typed(NAMES.iter().map(|n| form_value(&pairs, n)).collect());
    let c = match input(&t) {
        Ok(c) => c,
        Err(e) => return render_conference(&state, &ctx, id, Some(&t), &e).await,
    };
    match conference_admin::update(&state, &ctx.viewer, id, &c, &ctx.client_ip).await {
        Ok(()) => Ok(redirect(&format!("/admin/conferences/{id}"))),
        Err(AppError::Validation(e)) => render_conference(&state, &ctx, id, Some(&t), &e).await,
        Err(e) => Err(e),
    }
}

async fn delete_submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    conference_admin::delete(&state, &ctx.viewer, path_id(&id)?, &ctx.client_ip).await?;
    Ok(redirect("/admin/conferences"))
}

/// Revokes a member's ticket, freeing its seat, and shows the conference again.
async fn revoke_submit(Req { state, ctx }: Req, Path((id, member)): Path<(String, String)>) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let (id, member): (uuid::Uuid, MemberId) = (path_id(&id)?, path_id(&member)?);
    conference_admin::revoke_ticket(&state, &ctx.viewer, id, member, &ctx.client_ip).await?;
    Ok(redirect(&format!("/admin/conferences/{id}")))
}
