//! The events list page (upcoming, past, mine; by kind, condition or group), one item
//! per event with the viewer's registration, and the link to the next page.

use std::collections::HashMap;

use askama::Template;
use axum::response::{IntoResponse, Response};
use kernel::http::{ApiQuery, Req, RequestContext};
use kernel::ui;
use kernel::{AppResult, AppState};
use uuid::Uuid;

use super::viewer_zone;
use crate::model::{KINDS, RegistrationStatus, kind_label};
use crate::service::{self, EventRow, ListQuery};
use crate::{conference, time};

struct Item {
    id: Uuid,
    title: String,
    kind_label: &'static str,
    status: String,
    when: String,
    mine: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    when: &'static str,
    signed_in: bool,
    kinds: &'static [(&'static str, &'static str)],
    kind: String,
    zone: String,
    items: Vec<Item>,
    next_href: Option<String>,
    conferences: Vec<conference::Conference>,
    conditions: Vec<(String, String, bool)>,
    groups: Vec<(String, String, bool)>,
    moments: Vec<(String, String)>,
    moment: String,
}

pub(crate) async fn list_page(Req { state, ctx }: Req, ApiQuery(q): ApiQuery<ListQuery>) -> AppResult<Response> {
    let mine = q.mine.unwrap_or(false);
    if mine && !ctx.viewer.is_signed_in() {
        return Ok(kernel::http::login_redirect("/events?mine=true").into_response());
    }
    let page = service::list(&state, &ctx.viewer, &q).await?;
    let zone = viewer_zone(&state, &ctx).await?;
    let ids: Vec<Uuid> = page.items.iter().map(|e| e.id).collect();
    let statuses = service::my_statuses(&state.db, &ctx.viewer, &ids).await?;
    let items = list_items(page.items, zone.as_deref(), &statuses);
    let when = if mine {
        "mine"
    } else if q.when.as_deref() == Some("past") {
        "past"
    } else {
        "upcoming"
    };
    let next_href = page.next_cursor.map(|c| next_page_href(c, &q, when));
    let body = ui::render(&ListPage {
        when,
        signed_in: ctx.viewer.is_signed_in(),
        kinds: KINDS,
        kind: q.kind.clone().unwrap_or_default(),
        zone: zone
            .clone()
            .map(|z| format!("your time zone ({z})"))
            .unwrap_or_else(|| "each event's own time zone".into()),
        items,
        next_href,
        conferences: conference::upcoming(&state.db).await?,
        conditions: condition_choices(&state, &q).await?,
        groups: group_choices(&state, &ctx, &q).await?,
        moments: contracts::moments::moment_choices(&state),
        moment: q.moment.clone().unwrap_or_default(),
    });
    Ok(ui::page(&state, &ctx, "Events", "/events", &body).into_response())
}

/// One list item per event, its time in `zone` (else the event's own) and the viewer's
/// registration, if any.
fn list_items(events: Vec<EventRow>, zone: Option<&str>, statuses: &HashMap<Uuid, RegistrationStatus>) -> Vec<Item> {
    let mut items = Vec::with_capacity(events.len());
    for e in events {
        let z = zone.map(str::to_string).unwrap_or_else(|| e.time_zone.clone());
        let status = statuses.get(&e.id).copied();
        items.push(Item {
            id: e.id,
            kind_label: kind_label(&e.kind),
            when: time::display(e.starts_at, &z),
            mine: status.map(|s| {
                if s == RegistrationStatus::Registered { "You're registered" } else { "You're on the waitlist" }
            }),
            title: e.title,
            status: e.status,
        });
    }
    items
}

/// The next page's address: the cursor and the same filters.
fn next_page_href(cursor: String, q: &ListQuery, when: &str) -> String {
    let mut params = vec![("cursor", cursor)];
    if let Some(k) = q.kind.clone().filter(|k| !k.is_empty()) {
        params.push(("kind", k));
    }
    if let Some(c) = q.condition.clone().filter(|c| !c.is_empty()) {
        params.push(("condition", c));
    }
    if let Some(g) = q.group.clone().filter(|g| !g.is_empty()) {
        params.push(("group", g));
    }
    if let Some(m) = q.moment.clone().filter(|m| !m.is_empty()) {
        params.push(("moment", m));
    }
    if when == "past" {
        params.push(("when", "past".into()));
    }
    if when == "mine" {
        params.push(("mine", "true".into()));
    }
    format!("/events?{}", serde_urlencoded_pairs(&params))
}

fn serde_urlencoded_pairs(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!("{k}={}", v.replace('%', "%25").replace('&', "%26").replace('+', "%2B").replace('=', "%3D"))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A filter's choices as (id, name, selected), `chosen` being the id in the query.
fn choices<Id: ToString>(
    items: impl IntoIterator<Item = (Id, String)>,
    chosen: Option<&str>,
) -> Vec<(String, String, bool)> {
    items
        .into_iter()
        .map(|(id, name)| {
            let id = id.to_string();
            let selected = chosen == Some(id.as_str());
            (id, name, selected)
        })
        .collect()
}

/// The condition filter's choices.
async fn condition_choices(state: &AppState, q: &ListQuery) -> AppResult<Vec<(String, String, bool)>> {
    let all = contracts::members::directory(state)?.conditions(&state.db).await?;
    Ok(choices(all.into_iter().map(|c| (c.id, c.name)), q.condition.as_deref()))
}

/// The group filter's choices: the viewer's groups.
async fn group_choices(
    state: &AppState,
    ctx: &RequestContext,
    q: &ListQuery,
) -> AppResult<Vec<(String, String, bool)>> {
    let mine = contracts::groups::joined_by(state, &ctx.viewer).await?;
    Ok(choices(mine.into_iter().map(|g| (g.id, g.name)), q.group.as_deref()))
}
