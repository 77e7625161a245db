//! The readers' pages: the library with its filters (a plain GET form), a resource and
//! its file, a month's collection, the archive of past months, and the `/learn` hub.
//! A draft, or a members-only resource for a visitor, is not found.

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use contracts::members::MemberType;
use kernel::http::{ApiQuery, Req, path_id};
use kernel::markdown;
use kernel::page;
use kernel::time::now;
use kernel::ui::{self, error_summary};
use kernel::{AppResult, AppState, FieldErrors};
use serde::Deserialize;
use uuid::Uuid;

use super::{day, select};
use crate::resources::collections;
use crate::resources::files::size_in_words;
use crate::resources::filters::{self, RawFilter};
use crate::resources::library::{self, ResourceRow};
use crate::resources::model::{Audience, Kind, Month, TOPICS, kind_label, topic_label};

/// A resource as a card in a list.
pub(crate) struct Card {
    pub id: Uuid,
    pub title: String,
    pub kind: &'static str,
    pub summary: String,
    pub members_only: bool,
    pub has_file: bool,
}

pub(crate) fn card(r: &ResourceRow) -> Card {
    Card {
        id: r.id,
        title: r.title.clone(),
        kind: kind_label(&r.kind),
        summary: if r.summary.is_empty() { markdown::excerpt(&r.body, 200) } else { r.summary.clone() },
        members_only: r.audience() == Audience::Members,
        has_file: r.file_name.is_some(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct LibraryQuery {
    #[serde(default)]
    topic: String,
    #[serde(default)]
    condition: String,
    #[serde(default)]
    member_type: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    moment: String,
    #[serde(default)]
    cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "resources.html")]
struct LibraryPage {
    summary: String,
    filter_fields: String,
    q: String,
    q_error: Option<String>,
    cards: Vec<Card>,
    filtered: bool,
    is_staff: bool,
    signed_in: bool,
    this_month: String,
    next_href: Option<String>,
}

/// The moment filter, when the moments slice is present (or a moment was asked for).
fn moment_select(state: &AppState, chosen: &str, errors: &FieldErrors) -> String {
    let moments = contracts::moments::moment_choices(state);
    if moments.is_empty() && chosen.is_empty() {
        return String::new();
    }
    select("moment", "Moment", &moments, chosen, Some("Any moment"), errors)
}

async fn filter_fields(state: &AppState, raw: &RawFilter, errors: &FieldErrors) -> AppResult<String> {
    let kinds: Vec<(String, String)> = Kind::ALL.iter().map(|k| (k.as_str().into(), k.label().into())).collect();
    let topics: Vec<(String, String)> = TOPICS.iter().map(|(c, l)| (c.to_string(), l.to_string())).collect();
    let conditions = contracts::members::directory(state)?.conditions(&state.db).await?;
    let conditions: Vec<(String, String)> = conditions.into_iter().map(|c| (c.id.to_string(), c.name)).collect();
    let types: Vec<(String, String)> = MemberType::ALL.iter().map(|t| (t.as_str().into(), t.label().into())).collect();
    Ok([
        select("topic", "Topic", &topics, &raw.topic, Some("All topics"), errors),
        select("condition", "Condition", &conditions, &raw.condition, Some("All conditions"), errors),
        select("member_type", "Member type", &types, &raw.member_type, Some("Everyone"), errors),
        select("kind", "Kind", &kinds, &raw.kind, Some("All kinds"), errors),
        moment_select(state, &raw.moment, errors),
    ]
    .concat())
}

pub(crate) async fn library_page(Req { state, ctx }: Req, ApiQuery(q): ApiQuery<LibraryQuery>) -> AppResult<Response> {
    let raw = RawFilter {
        topic: q.topic,
        condition: q.condition,
        member_type: q.member_type,
        kind: q.kind,
        q: q.q,
        moment: q.moment,
    };
    let (cards, next_href, errors) = match filters::check(&state, &raw).await? {
        Ok(f) => {
            let rows = library::list(&state.db, &ctx.viewer, &f, q.cursor.as_deref(), page::DEFAULT_LIMIT).await?;
            let next = rows.next_cursor.map(|c| format!("/resources?{}", query_of(&raw, &c)));
            (rows.items.iter().map(card).collect(), next, FieldErrors::new())
        }
        Err(errors) => (vec![], None, errors),
    };
    let page = LibraryPage {
        summary: error_summary(&errors),
        filter_fields: filter_fields(&state, &raw, &errors).await?,
        q_error: errors.get("q").map(String::from),
        filtered: [&raw.topic, &raw.condition, &raw.member_type, &raw.kind, &raw.q, &raw.moment]
            .iter()
            .any(|v| !v.is_empty()),
        q: raw.q.clone(),
        cards,
        is_staff: ctx.viewer.is_staff(),
        signed_in: ctx.viewer.is_signed_in(),
        this_month: Month::of(now()).to_string(),
        next_href,
    };
    let html = ui::page(&state, &ctx, "Advocacy resources", "/courses", &ui::render(&page));
    Ok((errors.page_status(), html).into_response())
}

fn query_of(raw: &RawFilter, cursor: &str) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("topic", &raw.topic),
        ("condition", &raw.condition),
        ("member_type", &raw.member_type),
        ("kind", &raw.kind),
        ("q", &raw.q),
        ("moment", &raw.moment),
    ] {
        if !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    s.append_pair("cursor", cursor).finish()
}

#[derive(Template)]
#[template(path = "resource.html")]
struct ResourcePage {
    r: ResourceRow,
    kind: &'static str,
    body_html: String,
    topics: Vec<(String, &'static str)>,
    conditions: Vec<(String, String)>,
    member_types: Vec<(&'static str, &'static str)>,
    file: Option<(String, String)>,
    published: String,
    members_only: bool,
    is_staff: bool,
}

pub(crate) async fn resource_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    let r = library::open(&state.db, &ctx.viewer, path_id(&id)?).await?;
    let tags = library::tags_of(state.db.reader(), &[r.id]).await?.remove(&r.id).unwrap_or_default();
    let all_conditions = contracts::members::directory(&state)?.conditions(&state.db).await?;
    let page = ResourcePage {
        kind: kind_label(&r.kind),
        body_html: markdown::render(&r.body),
        topics: tags.topics.iter().filter_map(|t| topic_label(t).map(|l| (t.clone(), l))).collect(),
        conditions: all_conditions
            .into_iter()
            .filter(|c| tags.conditions.contains(&c.id))
            .map(|c| (c.id.to_string(), c.name))
            .collect(),
        member_types: tags.member_types.iter().map(|t| (t.as_str(), t.label())).collect(),
        file: r.file_label.clone().map(|l| (l, size_in_words(r.file_size.unwrap_or(0)))),
        published: r.published_at.map(|t| day(&t)).unwrap_or_default(),
        members_only: r.audience() == Audience::Members,
        is_staff: ctx.viewer.is_staff(),
        r,
    };
    let title = page.r.title.clone();
    Ok(ui::page(&state, &ctx, &title, "/courses", &ui::render(&page)).into_response())
}

/// The resource's file, to the same readers as its page.
pub(crate) async fn file_download(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    let r = library::open(&state.db, &ctx.viewer, path_id(&id)?).await?;
    match (r.file_name, r.file_label, r.file_type) {
        (Some(name), Some(label), Some(ty)) => crate::resources::files::download(&state, &name, &label, &ty).await,
        _ => Err(kernel::AppError::NotFound),
    }
}

#[derive(Template)]
#[template(path = "collection.html")]
struct CollectionPage {
    label: String,
    intro_html: String,
    published: String,
    cards: Vec<Card>,
    signed_in: bool,
}

pub(crate) async fn collection_page(Req { state, ctx }: Req, Path(month): Path<String>) -> AppResult<Response> {
    let month = Month::parse(&month).ok_or(kernel::AppError::NotFound)?;
    let c = collections::out(&state.db, month).await?;
    let rows = collections::items_open(&state.db, &ctx.viewer, c.id).await?;
    let page = CollectionPage {
        label: month.label(),
        intro_html: markdown::render(&c.intro),
        published: c.publish_at.map(|t| day(&t)).unwrap_or_default(),
        cards: rows.iter().map(card).collect(),
        signed_in: ctx.viewer.is_signed_in(),
    };
    let title = format!("Resources for {}", month.label());
    Ok(ui::page(&state, &ctx, &title, "/courses", &ui::render(&page)).into_response())
}

#[derive(Template)]
#[template(path = "collections.html")]
struct ArchivePage {
    months: Vec<(String, String)>,
}

pub(crate) async fn archive_page(Req { state, ctx }: Req) -> AppResult<Response> {
    let rows = collections::archive(&state.db, 120).await?;
    let months = rows.iter().filter_map(|c| c.month()).map(|m| (m.to_string(), m.label())).collect();
    let body = ui::render(&ArchivePage { months });
    Ok(ui::page(&state, &ctx, "Monthly resources", "/courses", &body).into_response())
}

#[derive(Template)]
#[template(path = "resources_hub.html")]
struct HubPage {
    this_month: Option<(String, String)>,
}

/// `/learn`: where to start — courses, this month's resources, the library, articles.
pub(crate) async fn hub_page(Req { state, ctx }: Req) -> AppResult<Response> {
    let month = Month::of(now());
    let this_month = match collections::out(&state.db, month).await {
        Ok(_) => Some((month.to_string(), month.label())),
        Err(kernel::AppError::NotFound) => None,
        Err(e) => return Err(e),
    };
    let page = HubPage { this_month };
    Ok((StatusCode::OK, ui::page(&state, &ctx, "Learn", "/courses", &ui::render(&page))).into_response())
}
