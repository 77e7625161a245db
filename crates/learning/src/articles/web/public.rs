//! Public pages: published articles, newest first, and one article with its author's
//! card (as the viewer may see the profile), reading time, Open Graph tags and
//! schema.org `Article` JSON-LD for link previews and search engines. A draft's page is
//! there for its author and the editors (a preview), 404 for everyone else.

use askama::Template;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use contracts::members::{ProfileView, directory};
use kernel::http::{ApiQuery, Req};
use kernel::ui::{self, SITE_NAME, escape};
use kernel::{AppResult, AppState, page};

use super::super::api::ListQuery;
use super::super::store::{self, ArticleRow};
use super::super::views::{self, ArticleSummary};
use super::super::{images, policy, text};
use super::{day, when};

#[derive(Template)]
#[template(path = "articles.html")]
struct ListPage {
    items: Vec<ArticleSummary>,
    next_href: Option<String>,
    signed_in: bool,
}

impl ListPage {
    fn date(&self, a: &ArticleSummary) -> String {
        a.published_at.as_ref().map(day).unwrap_or_default()
    }
}

pub(crate) async fn list_page(Req { state, ctx }: Req, ApiQuery(q): ApiQuery<ListQuery>) -> AppResult<Response> {
    let rows = store::published(&state.db, None, q.cursor.as_deref(), page::DEFAULT_LIMIT).await?;
    let next_href = rows
        .next_cursor
        .map(|c| format!("/articles?{}", serde_urlencoded::to_string([("cursor", c)]).unwrap_or_default()));
    let page = ListPage {
        items: views::summaries(&state, rows.items).await?,
        next_href,
        signed_in: ctx.viewer.is_signed_in(),
    };
    let head = feed_link("/articles/feed.atom", &format!("Articles · {SITE_NAME}"));
    Ok(ui::page_with_head(&state, &ctx, "Articles", "/articles", &head, &ui::render(&page)).into_response())
}

fn feed_link(path: &str, title: &str) -> String {
    format!(
        "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"{}\" title=\"{}\">",
        escape(path),
        escape(title)
    )
}

#[derive(Template)]
#[template(path = "article.html")]
struct ArticlePage {
    a: ArticleRow,
    status_label: &'static str,
    is_public: bool,
    body_html: String,
    minutes: usize,
    date: String,
    author: Option<ProfileView>,
    author_name: String,
    may_edit: bool,
    is_editor: bool,
}

pub(crate) async fn article_page(Req { state, ctx }: Req, Path(slug): Path<String>) -> AppResult<Response> {
    let a = store::readable_by_slug(&state.db, &ctx.viewer, &slug).await?;
    let people = directory(&state)?;
    let author = people.profile(&state.db, &ctx.viewer, a.author_id).await?;
    let author_name = match &author {
        Some(p) => p.display_name.clone(),
        None => people
            .display_names((&state.db).into(), &[a.author_id])
            .await?
            .remove(&a.author_id)
            .unwrap_or_else(|| "A member".into()),
    };
    let status = a.status();
    let page = ArticlePage {
        status_label: status.label(),
        is_public: status.is_public(),
        body_html: text::html(&a.body),
        minutes: text::reading_minutes(&a.body),
        date: a.published_at.as_ref().map(day).unwrap_or_else(|| when(&a.updated_at)),
        may_edit: policy::is_author(&ctx.viewer, &a.access()) && status.author_may_edit(),
        is_editor: policy::is_editor(&ctx.viewer),
        author,
        author_name,
        a,
    };
    let head = head(&state, &page);
    let title = page.a.title.clone();
    Ok(ui::page_with_head(&state, &ctx, &title, "/articles", &head, &ui::render(&page)).into_response())
}

/// Open Graph tags, the author's feed and schema.org `Article` JSON-LD. A page not yet
/// public asks search engines not to index it.
fn head(state: &AppState, p: &ArticlePage) -> String {
    let a = &p.a;
    let url = state.config.url(&format!("/articles/{}", a.slug));
    let summary = text::summary(&a.body);
    let meta =
        |property: &str, content: &str| format!("<meta property=\"{property}\" content=\"{}\">\n", escape(content));
    let mut out = String::new();
    out.push_str(&format!("<meta name=\"description\" content=\"{}\">\n", escape(&summary)));
    out.push_str(&format!("<link rel=\"canonical\" href=\"{}\">\n", escape(&url)));
    out.push_str(&meta("og:type", "article"));
    out.push_str(&meta("og:title", &a.title));
    out.push_str(&meta("og:description", &summary));
    out.push_str(&meta("og:url", &url));
    out.push_str(&meta("og:site_name", SITE_NAME));
    if let Some(at) = a.published_at {
        out.push_str(&meta("article:published_time", &at.to_rfc3339()));
    }
    out.push_str(&meta("article:author", &p.author_name));
    if let Some((_, file)) =
        text::paragraphs(&a.body).iter().find_map(|b| text::image_of(b).map(|(x, f)| (x.to_string(), f.to_string())))
    {
        out.push_str(&meta("og:image", &state.config.url(&format!("/articles/images/{file}"))));
    }
    if !p.is_public {
        out.push_str("<meta name=\"robots\" content=\"noindex\">\n");
    }
    let feed = format!("/articles/authors/{}/feed.atom", a.author_id);
    out.push_str(&feed_link(&feed, &format!("Articles by {}", p.author_name)));
    out.push_str(&json_ld(state, p, &url, &summary));
    out
}

fn json_ld(state: &AppState, p: &ArticlePage, url: &str, summary: &str) -> String {
    let a = &p.a;
    let doc = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": a.title,
        "description": summary,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": a.published_at.map(|t| t.to_rfc3339()),
        "dateModified": a.updated_at.to_rfc3339(),
        "wordCount": kernel::markdown::excerpt(&a.body, usize::MAX).split_whitespace().count(),
        "timeRequired": format!("PT{}M", p.minutes),
        "author": {"@type": "Person", "name": p.author_name, "url": state.config.url(&format!("/members/{}", a.author_id))},
        "publisher": {"@type": "Organization", "name": SITE_NAME},
    });
    // `<` never appears raw inside the script element, so no text can close it early.
    let json = doc.to_string().replace('<', "\\u003c");
    format!("\n<script type=\"application/ld+json\">{json}</script>\n")
}

/// `GET /articles/images/{file}`: for whoever may read the article it belongs to.
pub(crate) async fn image(Req { state, ctx }: Req, Path(file): Path<String>) -> AppResult<Response> {
    let bytes = images::read(&state, &ctx.viewer, &file).await?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg"), (header::CACHE_CONTROL, "private, max-age=3600")], bytes)
        .into_response())
}
