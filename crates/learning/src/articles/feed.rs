//! Atom feeds (RFC 4287) of published articles: the whole site's and one per author.
//! Built from the public list only (the policy's visitor condition), so a draft never
//! reaches a feed reader, whoever's cookies fetch it.

use std::collections::HashMap;

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use contracts::members::directory;
use kernel::http::{Req, path_id};
use kernel::ids::MemberId;
use kernel::ui::{SITE_NAME, escape};
use kernel::{AppError, AppResult, AppState};

use super::store::{self, ArticleRow};
use super::text;

/// Entries in one feed: the newest.
const ENTRIES: u64 = 30;

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `GET /articles/feed.atom`
pub(crate) async fn site_feed(Req { state, .. }: Req) -> AppResult<Response> {
    let rows = store::published(&state.db, None, None, ENTRIES).await?.items;
    let names = author_names(&state, &rows).await?;
    let xml = render(&state, &format!("Articles · {SITE_NAME}"), "/articles", "/articles/feed.atom", &rows, &names);
    Ok(atom(xml))
}

/// `GET /articles/authors/{id}/feed.atom`: one author's published articles (404 for no
/// such member).
pub(crate) async fn author_feed(Req { state, .. }: Req, Path(id): Path<String>) -> AppResult<Response> {
    let author: MemberId = path_id(&id)?;
    let people = directory(&state)?;
    let name = people.active_display_name((&state.db).into(), author).await?.ok_or(AppError::NotFound)?;
    let rows = store::published(&state.db, Some(author), None, ENTRIES).await?.items;
    let names = HashMap::from([(author, name.clone())]);
    let title = format!("Articles by {name} · {SITE_NAME}");
    let xml = render(
        &state,
        &title,
        &format!("/members/{author}"),
        &format!("/articles/authors/{author}/feed.atom"),
        &rows,
        &names,
    );
    Ok(atom(xml))
}

fn atom(xml: String) -> Response {
    ([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], xml).into_response()
}

async fn author_names(state: &AppState, rows: &[ArticleRow]) -> AppResult<HashMap<MemberId, String>> {
    let ids: Vec<MemberId> = rows.iter().map(|r| r.author_id).collect();
    Ok(directory(state)?.display_names((&state.db).into(), &ids).await?)
}

/// The feed document.
fn render(
    state: &AppState,
    title: &str,
    alternate: &str,
    this: &str,
    rows: &[ArticleRow],
    names: &HashMap<MemberId, String>,
) -> String {
    let url = |p: &str| escape(&state.config.url(p));
    let updated = rows.iter().map(|r| r.updated_at).max().unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str(&format!(
        "<id>{}</id>\n<title>{}</title>\n<updated>{}</updated>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        url(this),
        escape(title),
        stamp(updated),
        url(this),
        url(alternate)
    ));
    for r in rows {
        let author = names.get(&r.author_id).map(String::as_str).unwrap_or("A member");
        out.push_str(&format!(
            "<entry>\n<id>urn:uuid:{}</id>\n<title>{}</title>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<published>{}</published>\n<updated>{}</updated>\n<author><name>{}</name><uri>{}</uri></author>\n<summary>{}</summary>\n<content type=\"html\">{}</content>\n</entry>\n",
            r.id,
            escape(&r.title),
            url(&format!("/articles/{}", r.slug)),
            stamp(r.published_at.unwrap_or(r.updated_at)),
            stamp(r.updated_at),
            escape(author),
            url(&format!("/members/{}", r.author_id)),
            escape(&text::summary(&r.body)),
            escape(&absolute_images(state, &text::html(&r.body))),
        ));
    }
    out.push_str("</feed>\n");
    out
}

/// Feed readers resolve no relative links: images get the site's address.
fn absolute_images(state: &AppState, html: &str) -> String {
    html.replace("src=\"/articles/images/", &format!("src=\"{}", state.config.url("/articles/images/")))
}
