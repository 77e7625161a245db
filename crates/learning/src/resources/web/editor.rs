//! The monthly collection editor (staff): the months so far and a form to start one,
//! and for a month its intro, publication date and resources, ordered by the position
//! typed beside each (plain numbers, no JavaScript), with one to add and any to remove.

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use kernel::http::{Req, RequestContext, redirect};
use kernel::time::now;
use kernel::ui::{self, Field, Input, error_summary};
use kernel::{AppError, AppResult, AppState, FieldErrors};
use uuid::Uuid;

use super::{form_pairs, form_value, form_values, select};
use crate::resources::access::staff;
use crate::resources::collections::{self, CleanCollection};
use crate::resources::library;
use crate::resources::model::Month;

struct MonthLine {
    code: String,
    label: String,
    state: &'static str,
}

#[derive(Template)]
#[template(path = "collection_admin.html")]
struct CollectionsPage<'a> {
    csrf: &'a str,
    summary: String,
    months: Vec<MonthLine>,
    month_field: String,
}

async fn render_collections(
    state: &AppState,
    ctx: &RequestContext,
    typed: &str,
    e: &FieldErrors,
) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let t = now();
    let months = collections::all_for_staff(&state.db, 240)
        .await?
        .into_iter()
        .filter_map(|c| {
            let m = c.month()?;
            let state = match c.publish_at {
                Some(p) if p <= t => "Published",
                Some(_) => "Scheduled",
                None => "Draft",
            };
            Some(MonthLine { code: m.to_string(), label: m.label(), state })
        })
        .collect();
    let page = CollectionsPage {
        csrf: &ctx.csrf,
        summary: error_summary(e),
        months,
        month_field: Field::new("month", "Month", typed, Input::Text).hint("Like 2026-12").errors(e).required().html(),
    };
    let html = ui::page(state, ctx, "Monthly collections (staff)", "/admin/members", &ui::render(&page));
    Ok((e.page_status(), html).into_response())
}

pub(crate) async fn collections_page(Req { state, ctx }: Req) -> AppResult<Response> {
    render_collections(&state, &ctx, &Month::of(now()).to_string(), &FieldErrors::new()).await
}

/// Opens the editor of the month typed (nothing is stored until the month is saved).
pub(crate) async fn start_submit(Req { state, ctx }: Req, body: Bytes) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let typed = form_value(&form_pairs(&body), "month");
    match Month::parse(typed.trim()) {
        Some(m) => Ok(redirect(&format!("/admin/resources/collections/{m}"))),
        None => {
            let mut e = FieldErrors::new();
            e.add("month", "Write the month as yyyy-mm, like 2026-12.");
            render_collections(&state, &ctx, &typed, &e).await
        }
    }
}

/// One line of the editor: a resource in the collection, with its position as typed.
struct Item {
    id: Uuid,
    title: String,
    status: String,
    position: String,
}

/// The editor's form as typed (or as stored).
#[derive(Default)]
struct Typed {
    intro: String,
    publish_on: String,
    items: Vec<Item>,
}

#[derive(Template)]
#[template(path = "collection_edit.html")]
struct EditorPage<'a> {
    csrf: &'a str,
    month: String,
    label: String,
    summary: String,
    intro_field: String,
    publish_field: String,
    items: Vec<Item>,
    items_error: Option<String>,
    add_field: String,
}

async fn render_editor(
    state: &AppState,
    ctx: &RequestContext,
    month: Month,
    typed: Typed,
    e: &FieldErrors,
) -> AppResult<Response> {
    let all = library::all_for_staff(&state.db, 500).await?;
    let options: Vec<(String, String)> = all
        .iter()
        .filter(|r| !typed.items.iter().any(|i| i.id == r.id))
        .map(|r| (r.id.to_string(), format!("{} ({})", r.title, r.status)))
        .collect();
    let page = EditorPage {
        csrf: &ctx.csrf,
        month: month.to_string(),
        label: month.label(),
        summary: error_summary(e),
        intro_field: Field::new("intro", "Intro", &typed.intro, Input::TextArea).hint("Markdown").errors(e).html(),
        publish_field: Field::new("publish_on", "Publish on", &typed.publish_on, Input::Text)
            .hint("A date like 2026-12-01 (from midnight UTC); empty keeps the month a draft")
            .errors(e)
            .html(),
        items_error: e.get("resources").map(String::from),
        add_field: select("add", "Add a resource", &options, "", Some("None"), e),
        items: typed.items,
    };
    let title = format!("Resources for {} (staff)", month.label());
    Ok((e.page_status(), ui::page(state, ctx, &title, "/admin/members", &ui::render(&page))).into_response())
}

fn month_of(raw: &str) -> AppResult<Month> {
    Month::parse(raw).ok_or(AppError::NotFound)
}

pub(crate) async fn editor_page(Req { state, ctx }: Req, Path(month): Path<String>) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let month = month_of(&month)?;
    let mut typed = Typed::default();
    if let Some(c) = collections::of_month(state.db.reader(), month).await? {
        let rows = collections::items_all(state.db.reader(), c.id).await?;
        typed.intro = c.intro;
        typed.publish_on = c.publish_at.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default();
        typed.items = rows
            .into_iter()
            .enumerate()
            .map(|(i, r)| Item { id: r.id, title: r.title, status: r.status, position: (i + 1).to_string() })
            .collect();
    }
    render_editor(&state, &ctx, month, typed, &FieldErrors::new()).await
}

/// Reads the items as typed: each kept item with its position (a whole number from 1 to
/// 999), in the order of their positions, then the one to add, if any.
async fn typed_items(state: &AppState, pairs: &[(String, String)], e: &mut FieldErrors) -> AppResult<Vec<Item>> {
    let mut ids: Vec<Uuid> = form_values(pairs, "item").iter().filter_map(|v| v.parse().ok()).take(100).collect();
    if let Ok(add) = form_value(pairs, "add").parse::<Uuid>() {
        ids.push(add);
    }
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));
    let mut found = library::load_many(&state.db, &ids).await?;
    let mut items = Vec::new();
    for (i, id) in ids.into_iter().enumerate() {
        if form_value(pairs, &format!("remove-{id}")) == "on" {
            continue;
        }
        let Some(row) = found.remove(&id) else {
            e.add("resources", "Choose resources from the library.");
            continue;
        };
        let typed = form_value(pairs, &format!("position-{id}"));
        let position = if typed.is_empty() { (i + 1).to_string() } else { typed };
        if !position.trim().parse::<u16>().is_ok_and(|p| (1..=999).contains(&p)) {
            e.add("resources", "Give each position as a whole number from 1 to 999.");
        }
        items.push(Item { id, title: row.title, status: row.status, position });
    }
    items.sort_by_key(|it| it.position.trim().parse::<u16>().unwrap_or(u16::MAX));
    Ok(items)
}

pub(crate) async fn editor_submit(
    Req { state, ctx }: Req,
    Path(month): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let month = month_of(&month)?;
    let pairs = form_pairs(&body);
    let mut e = FieldErrors::new();
    let items = typed_items(&state, &pairs, &mut e).await?;
    let publish_on = form_value(&pairs, "publish_on");
    let publish_at = collections::publish_date(&publish_on, &mut e);
    let (intro, resources) =
        collections::check(&form_value(&pairs, "intro"), items.iter().map(|i| i.id).collect(), &mut e);
    if !e.is_empty() {
        let typed = Typed { intro: form_value(&pairs, "intro"), publish_on, items };
        return render_editor(&state, &ctx, month, typed, &e).await;
    }
    collections::save(&state, me.id, month, &CleanCollection { intro, publish_at, resources }, &ctx.client_ip).await?;
    Ok(redirect(&format!("/admin/resources/collections/{month}")))
}
