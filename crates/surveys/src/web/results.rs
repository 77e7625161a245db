//! Results pages: staff see counts and percentages per question with a bar chart (SVG,
//! described, with the numbers as a table beside it), cross-tabs and the CSV; a partner's
//! contact sees the same page for their partner's surveys, suppressed. Staff review
//! free-text answers before any reaches a partner as a quote.

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use kernel::http::{ApiQuery, Req, RequestContext, login_redirect, path_id};
use kernel::ui;
use kernel::{AppResult, AppState};
use serde::Deserialize;

use super::{form_pairs, form_value};
use crate::access::staff;
use crate::quotes::{self, TextAnswer};
use crate::results::{self, Audience, By, Cell, Results};
use crate::settings::SurveySettings;
use crate::store::{self, Survey, SurveyRow};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ResultsQuery {
    #[serde(default)]
    by: Option<String>,
    #[serde(default)]
    audience: Option<String>,
}

/// One bar of a chart: its label, its width in percent and the words beside it.
pub(crate) struct Bar {
    pub label: String,
    pub width: f64,
    pub y: usize,
    pub text: String,
}

#[derive(Template)]
#[template(path = "results.html")]
struct ResultsPage<'a> {
    r: &'a Results,
    /// Where the page is, for the cross-tab form and the CSV link.
    base: String,
    by: &'a str,
    partner_preview: bool,
    staff: bool,
}

impl ResultsPage<'_> {
    fn bars(&self, cells: &[Cell]) -> Vec<Bar> {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| Bar {
                label: c.label.clone(),
                width: c.percent.unwrap_or(0.0),
                y: i * 28,
                text: self.cell(c),
            })
            .collect()
    }
    fn height(&self, cells: &[Cell]) -> usize {
        cells.len() * 28
    }
    fn cell(&self, c: &Cell) -> String {
        match (c.count, c.percent) {
            (Some(n), Some(p)) => format!("{n} ({p:.1}%)"),
            (Some(n), None) => n.to_string(),
            _ => "suppressed".into(),
        }
    }
    fn count(&self, n: &Option<i64>) -> String {
        n.map(|n| n.to_string()).unwrap_or_else(|| "suppressed".into())
    }
    fn selected(&self, code: &str) -> bool {
        code == self.by
    }
    fn choices(&self) -> Vec<(&'static str, &'static str)> {
        vec![("", "No cross-tab"), ("member_type", "Member type"), ("country", "Country"), ("condition", "Condition")]
    }
}

fn by_of(q: &ResultsQuery) -> AppResult<Option<By>> {
    results::by_of(q.by.as_deref())
}

async fn render(
    state: &AppState,
    ctx: &RequestContext,
    s: &Survey,
    audience: Audience,
    by: Option<By>,
    base: String,
) -> AppResult<Response> {
    let r = results::of(state, s, audience, by).await?;
    let staff = ctx.viewer.is_staff();
    let page = ResultsPage {
        r: &r,
        base,
        by: by.map(By::as_str).unwrap_or(""),
        partner_preview: staff && matches!(audience, Audience::Partner { .. }),
        staff,
    };
    let title = format!("Results: {}", s.row.title);
    Ok(ui::page(state, ctx, &title, "/surveys", &ui::render(&page)).into_response())
}

pub(crate) async fn staff_page(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ResultsQuery>,
) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let s = store::load(state.db.reader(), path_id(&id)?).await?;
    let audience = match q.audience.as_deref() {
        Some("partner") => Audience::Partner { k: SurveySettings::of(&state)?.min_cell },
        _ => Audience::Staff,
    };
    let base = format!("/admin/surveys/{}/results", s.row.id);
    render(&state, &ctx, &s, audience, by_of(&q)?, base).await
}

#[derive(Template)]
#[template(path = "partner_list.html")]
struct PartnerList {
    surveys: Vec<SurveyRow>,
}

pub(crate) async fn partner_list_page(Req { state, ctx }: Req) -> AppResult<Response> {
    let Some(me) = ctx.viewer.member() else { return Ok(login_redirect("/partner/surveys")) };
    let page = PartnerList { surveys: crate::partner::surveys_for(&state, me.id).await? };
    Ok(ui::page(&state, &ctx, "Your partner's surveys", "/surveys", &ui::render(&page)).into_response())
}

pub(crate) async fn partner_page(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ResultsQuery>,
) -> AppResult<Response> {
    let Some(me) = ctx.viewer.member() else { return Ok(login_redirect(&format!("/partner/surveys/{id}"))) };
    let s = crate::partner::survey_for(&state, me.id, path_id(&id)?).await?;
    let k = SurveySettings::of(&state)?.min_cell;
    let base = format!("/partner/surveys/{}", s.row.id);
    render(&state, &ctx, &s, Audience::Partner { k }, by_of(&q)?, base).await
}

#[derive(Template)]
#[template(path = "quotes.html")]
struct QuotesPage<'a> {
    csrf: &'a str,
    s: &'a SurveyRow,
    texts: Vec<TextAnswer>,
}

async fn render_quotes(state: &AppState, ctx: &RequestContext, id: &str, notice: Option<&str>) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let s = store::load(state.db.reader(), path_id(id)?).await?;
    let texts = quotes::texts(state, me.id, s.row.id, &ctx.client_ip).await?;
    let page = QuotesPage { csrf: &ctx.csrf, s: &s.row, texts };
    let html = ui::page_with_notice(state, ctx, "Review quotes", "/surveys", &ui::render(&page), notice);
    Ok(html.into_response())
}

pub(crate) async fn quotes_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    render_quotes(&state, &ctx, &id, None).await
}

pub(crate) async fn quote_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let pairs = form_pairs(&body);
    let response = path_id(&form_value(&pairs, "response_id"))?;
    let question = path_id(&form_value(&pairs, "question_id"))?;
    quotes::approve(&state, me.id, path_id(&id)?, response, question).await?;
    render_quotes(&state, &ctx, &id, Some("Approved: partners see it as a quote, without a name.")).await
}
