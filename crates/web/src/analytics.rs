//! Programme analytics for staff: the page (`/admin/analytics`), a CSV file per table
//! (`/admin/analytics/{report}.csv`) and the summary API. The shell knows no slice's
//! tables: each slice gives its section through `kernel::analytics::Figures`, and this
//! module lays the sections out. Everyone but staff is told there is no such page.

use axum::extract::{Path, Query};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use kernel::analytics::{Range, Section, Shown, Table};
use kernel::http::Req;
use kernel::ui::{self, ConsoleItem, Field, Input, escape};
use kernel::viewer::Role;
use kernel::{AppError, AppResult, AppState, FieldErrors};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The console's entry for the analytics.
pub const CONSOLE: ConsoleItem = ConsoleItem {
    label: "Analytics",
    href: "/admin/analytics",
    blurb: "Members, community, events and rewards figures over a date range, with CSV.",
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/analytics", get(page))
        .route("/admin/analytics/{report}", get(csv))
        .route("/api/v1/admin/analytics/summary", get(summary))
}

/// The range as asked for in the query string (`YYYY-MM-DD`; blank means the default).
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct RangeQuery {
    /// First day, `YYYY-MM-DD` (default: twelve weeks before `to`).
    pub from: Option<String>,
    /// Last day, included, `YYYY-MM-DD` (default: today, UTC).
    pub to: Option<String>,
}

fn today() -> chrono::NaiveDate {
    kernel::time::now().date_naive()
}

/// The query string, read only once the caller is known to be staff.
fn range_query(uri: &Uri) -> AppResult<RangeQuery> {
    Query::<RangeQuery>::try_from_uri(uri)
        .map(|Query(q)| q)
        .map_err(|e| AppError::bad_request("invalid_query", format!("The query string could not be read: {e}")))
}

fn parse_range(q: &RangeQuery) -> Result<Range, FieldErrors> {
    Range::parse(q.from.as_deref(), q.to.as_deref(), today())
}

/// Every section's numbers and tables over `range`, in the slices' order.
async fn sections(state: &AppState, range: &Range) -> AppResult<Vec<Section>> {
    let mut out = vec![];
    for f in &state.figures {
        let numbers = f.numbers(&state.db, range).await?;
        let tables = f.tables(&state.db, range).await?;
        let as_of = kernel::analytics::as_of(&state.db, f.as_ref()).await?;
        out.push(Section { key: f.key(), title: f.title(), numbers, tables, as_of });
    }
    Ok(out)
}

/// Pages are not found for anyone but staff, visitors included (the API says 401 to a
/// caller without a token, as every API route does).
fn staff_page(viewer: &kernel::viewer::Viewer) -> AppResult<()> {
    if viewer.is_staff() { Ok(()) } else { Err(AppError::NotFound) }
}

async fn page(Req { state, ctx }: Req, uri: Uri) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let q = range_query(&uri)?;
    let (status, body) = match parse_range(&q) {
        Ok(range) => {
            (StatusCode::OK, form(&q, &FieldErrors::new()) + &sections_html(&sections(&state, &range).await?, &range))
        }
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, ui::error_summary(&errors) + &form(&q, &errors)),
    };
    let body = format!("<h1>Programme analytics</h1>{body}");
    Ok((status, ui::page(&state, &ctx, "Programme analytics", "/admin", &body)).into_response())
}

/// The range form: a GET form, so a range is a link that can be shared.
fn form(q: &RangeQuery, errors: &FieldErrors) -> String {
    let (from, to) = (q.from.as_deref().unwrap_or(""), q.to.as_deref().unwrap_or(""));
    format!(
        "<form method=\"get\" action=\"/admin/analytics\" class=\"range\" novalidate>{}{}<button type=\"submit\">Show figures</button></form>\
         <p class=\"hint\">Counts of members below 5 are shown as “fewer than 5”.</p>",
        Field::new("from", "From", from, Input::Text)
            .hint("First day, like 2026-09-01. Blank: twelve weeks ago.")
            .errors(errors)
            .html(),
        Field::new("to", "To", to, Input::Text).hint("Last day, included. Blank: today (UTC).").errors(errors).html(),
    )
}

fn sections_html(sections: &[Section], range: &Range) -> String {
    let mut out = format!("<p>Figures from {} to {} (UTC), both days included.</p>", range.from, range.to);
    for s in sections {
        out.push_str(&format!(
            "<section aria-labelledby=\"s-{k}\"><h2 id=\"s-{k}\">{}</h2>",
            escape(s.title),
            k = s.key
        ));
        if let Some(at) = s.as_of {
            out.push_str(&format!(
                "<p class=\"hint\">Some of these figures are recounted every hour: they are as of {} UTC.</p>",
                at.format("%Y-%m-%d %H:%M")
            ));
        }
        out.push_str(&numbers_html(s));
        for t in &s.tables {
            out.push_str(&table_html(t, range));
        }
        out.push_str("</section>");
    }
    out
}

fn numbers_html(s: &Section) -> String {
    let items: String =
        s.numbers.iter().map(|n| format!("<div><dt>{}</dt><dd>{}</dd></div>", escape(n.label), n.value)).collect();
    format!("<dl class=\"figures\">{items}</dl>")
}

/// A table as a chart and, beside it, the same numbers as a table, with its CSV link.
fn table_html(t: &Table, range: &Range) -> String {
    let rows: String = t
        .rows
        .iter()
        .map(|r| format!("<tr><th scope=\"row\">{}</th><td>{}</td></tr>", escape(&r.label), t.shown(r.value)))
        .collect();
    let empty = if t.rows.is_empty() { "<p>Nothing to show in this range.</p>" } else { "" };
    format!(
        "<figure class=\"chart\" id=\"{r}\">{svg}<table><caption>{title}</caption><thead><tr><th scope=\"col\">{lh}</th>\
         <th scope=\"col\">{vh}</th></tr></thead><tbody>{rows}</tbody></table>{empty}\
         <figcaption><a href=\"/admin/analytics/{r}.csv?{q}\">Download “{title}” as CSV</a></figcaption></figure>",
        r = escape(&t.report),
        svg = svg(t),
        title = escape(t.title),
        lh = escape(t.label_heading),
        vh = escape(t.value_heading),
        q = range.query(),
    )
}

/// A horizontal bar chart, drawn on the server. A suppressed cell gets no bar (its
/// length would give the number away), only the words.
fn svg(t: &Table) -> String {
    const ROW: usize = 22;
    let max = t.rows.iter().filter(|r| matches!(t.shown(r.value), Shown::Exact(_))).map(|r| r.value).max().unwrap_or(0);
    let height = ROW * t.rows.len().max(1) + 4;
    let bars: String = t
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let y = i * ROW + 2;
            let shown = t.shown(r.value);
            let width = match shown {
                Shown::Exact(v) if max > 0 => (v.max(0) as f64 / max as f64 * 300.0).round() as i64,
                _ => 0,
            };
            format!(
                "<text x=\"0\" y=\"{ty}\">{label}</text><rect x=\"180\" y=\"{y}\" width=\"{width}\" height=\"16\"></rect>\
                 <text x=\"{vx}\" y=\"{ty}\">{shown}</text>",
                ty = y + 13,
                label = escape(&truncate(&r.label, 24)),
                vx = 186 + width,
            )
        })
        .collect();
    format!(
        "<svg role=\"img\" aria-labelledby=\"{r}-t {r}-d\" viewBox=\"0 0 600 {height}\" class=\"bars\">\
         <title id=\"{r}-t\">{title}</title><desc id=\"{r}-d\">{desc} The numbers are in the table beside the chart.</desc>{bars}</svg>",
        r = escape(&t.report),
        title = escape(t.title),
        desc = escape(t.description),
    )
}

/// `s` cut to at most `chars` characters, with an ellipsis when cut.
pub(crate) fn truncate(s: &str, chars: usize) -> String {
    if s.chars().count() <= chars { s.to_string() } else { s.chars().take(chars - 1).collect::<String>() + "…" }
}

/// `/admin/analytics/{report}.csv`: one table over the range asked for.
async fn csv(Req { state, ctx }: Req, Path(file): Path<String>, uri: Uri) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let report = file.strip_suffix(".csv").filter(|r| is_report_name(r)).ok_or(AppError::NotFound)?;
    let range = parse_range(&range_query(&uri)?).map_err(AppError::Validation)?;
    let section = report.split('-').next().unwrap_or_default();
    let figures = state.figures.iter().find(|f| f.key() == section).ok_or(AppError::NotFound)?;
    let tables = figures.tables(&state.db, &range).await?;
    let table = tables.iter().find(|t| t.report == report).ok_or(AppError::NotFound)?;
    let disposition = format!("attachment; filename=\"{report}-{}-{}.csv\"", range.from, range.to);
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)],
        table.csv(),
    )
        .into_response())
}

/// Report names are short slugs (`members-by-country`); anything else is no report.
fn is_report_name(r: &str) -> bool {
    !r.is_empty() && r.len() <= 64 && r.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The headline numbers of the programme over a range.
#[derive(Debug, Serialize, ToSchema)]
pub struct Summary {
    pub members: MembersSummary,
    pub community: CommunitySummary,
    pub events: EventsSummary,
    pub rewards: RewardsSummary,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MembersSummary {
    /// Current members (erased accounts excluded), as of the hourly recount (counted
    /// live until the first).
    pub total: i64,
    /// Members who joined in the range.
    pub new: i64,
    /// Members with a session seen in the last 7 days (whatever the range), as of the
    /// hourly recount.
    pub active_7d: i64,
    /// Members with a session seen in the last 30 days (whatever the range), as of the
    /// hourly recount.
    pub active_30d: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommunitySummary {
    pub threads: i64,
    pub replies: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventsSummary {
    /// Seats taken in the range.
    pub registrations: i64,
    /// Attendance taken in the range.
    pub attended: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RewardsSummary {
    /// Points credited in the range (refunds of redemptions excluded).
    pub issued: i64,
    /// Points spent on redemptions asked for in the range and not rejected.
    pub redeemed: i64,
    /// Points members hold today.
    pub outstanding: i64,
}

/// The programme's headline numbers over a date range (staff only).
#[utoipa::path(get, path = "/api/v1/admin/analytics/summary", tag = "analytics (staff)", params(RangeQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Summary), (status = 401), (status = 404, description = "Not staff"),
        (status = 422, description = "A bad range: `fields` names `from` or `to`")))]
async fn summary(Req { state, ctx }: Req, uri: Uri) -> AppResult<Json<Summary>> {
    ctx.viewer.require_role(Role::Staff)?;
    let range = parse_range(&range_query(&uri)?).map_err(AppError::Validation)?;
    let mut numbers = std::collections::HashMap::new();
    for f in &state.figures {
        for n in f.numbers(&state.db, &range).await? {
            numbers.insert((f.key(), n.key), n.value);
        }
    }
    let n = |section: &str, key: &str| numbers.get(&(section, key)).copied().unwrap_or(0);
    Ok(Json(Summary {
        members: MembersSummary {
            total: n("members", "total"),
            new: n("members", "new"),
            active_7d: n("members", "active_7d"),
            active_30d: n("members", "active_30d"),
        },
        community: CommunitySummary { threads: n("community", "threads"), replies: n("community", "replies") },
        events: EventsSummary { registrations: n("events", "registrations"), attended: n("events", "attended") },
        rewards: RewardsSummary {
            issued: n("rewards", "issued"),
            redeemed: n("rewards", "redeemed"),
            outstanding: n("rewards", "outstanding"),
        },
    }))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(summary),
    components(schemas(Summary, MembersSummary, CommunitySummary, EventsSummary, RewardsSummary))
)]
pub struct AnalyticsApi;

/// The console's "this week": each section's numbers over the last seven days.
pub async fn this_week_html(state: &AppState) -> AppResult<String> {
    let range = Range::last_weeks(today(), 1);
    let mut out = String::new();
    for f in &state.figures {
        let items: String = f
            .numbers(&state.db, &range)
            .await?
            .iter()
            .map(|n| format!("<div><dt>{}</dt><dd>{}</dd></div>", escape(n.label), n.value))
            .collect();
        out.push_str(&format!("<h3>{}</h3><dl class=\"figures\">{items}</dl>", escape(f.title())));
    }
    Ok(format!(
        "<section aria-labelledby=\"week-h\"><h2 id=\"week-h\">This week</h2>{out}\
         <p><a href=\"/admin/analytics\">All figures and charts</a></p></section>"
    ))
}
