//! The awards' pages, plain HTML forms that work without JavaScript: the programmes
//! (`/awards`), a year with its categories and nominees (`/awards/{year}`), a nominee's
//! page with the endorse button, and the staff desk listing the programmes; the staff's
//! programme page (`staff`), the judges' pages (`judge`) and the nomination form
//! (`nominate`).

mod judge;
mod nominate;
mod staff;

use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kernel::http::{Req, RequestContext, path_id};
use kernel::ui;
use kernel::{AppError, AppResult, AppState};
use uuid::Uuid;

use crate::access::staff;
use crate::endorsements;
use crate::model::Phase;
use crate::nominees::{self, NomineeView};
use crate::overview::{self, ProgrammeView};
use crate::programmes::{self, ProgrammeRow};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/awards", get(index_page))
        .route("/awards/hall-of-fame", get(hall_of_fame_page))
        .route("/awards/{year}", get(year_page))
        .route("/nominees/{id}", get(nominee_page))
        .route("/nominees/{id}/endorse", post(endorse_submit))
        .route("/admin/awards", get(desk_page))
        .merge(staff::router())
        .merge(judge::router())
        .merge(nominate::router())
}

struct ProgrammeLink {
    year: i64,
    phase: &'static str,
}

fn links(rows: &[ProgrammeRow]) -> Vec<ProgrammeLink> {
    rows.iter().map(|p| ProgrammeLink { year: p.year, phase: p.phase().label() }).collect()
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    programmes: Vec<ProgrammeLink>,
    signed_in: bool,
}

async fn index_page(Req { state, ctx }: Req) -> AppResult<Response> {
    let rows = programmes::all(state.db.reader()).await?;
    let body = ui::render(&IndexPage { programmes: links(&rows), signed_in: ctx.viewer.is_signed_in() });
    Ok(ui::page(&state, &ctx, "Social Health Awards", "/awards", &body).into_response())
}

struct CategoryBlock {
    name: String,
    winner: Option<String>,
    nominees: Vec<NomineeView>,
}

#[derive(Template)]
#[template(path = "year.html")]
struct YearPage {
    p: ProgrammeView,
    phase: &'static str,
    categories: Vec<CategoryBlock>,
    can_nominate: bool,
}

async fn year_page(Req { state, ctx }: Req, Path(year): Path<String>) -> AppResult<Response> {
    let p = overview::view(&state, &ctx.viewer, path_id::<i64>(&year)?).await?;
    let rows = nominees::of_programme(state.db.reader(), p.id).await?;
    let all = nominees::views(&state, rows).await?;
    let categories = p
        .categories
        .iter()
        .map(|c| {
            let nominees: Vec<NomineeView> = all.iter().filter(|n| n.category_id == c.id).cloned().collect();
            let winner = p
                .winners
                .iter()
                .find(|w| w.category_id == c.id)
                .and_then(|w| all.iter().find(|n| n.id == w.nominee_id))
                .map(|n| n.name.clone());
            CategoryBlock { name: c.name.clone(), winner, nominees }
        })
        .collect();
    let title = format!("Social Health Awards {}", p.year);
    let can_nominate = p.phase == Phase::Nominations;
    let body = ui::render(&YearPage { phase: p.phase.label(), p, categories, can_nominate });
    Ok(ui::page(&state, &ctx, &title, "/awards", &body).into_response())
}

#[derive(Template)]
#[template(path = "nominee.html")]
struct NomineePage<'a> {
    n: NomineeView,
    badge_title: String,
    snippet: String,
    csrf: &'a str,
    can_endorse: bool,
}

async fn render_nominee(state: &AppState, ctx: &RequestContext, id: Uuid, notice: Option<&str>) -> AppResult<Response> {
    let row = nominees::public(state.db.reader(), id).await?;
    let can_endorse = ctx.viewer.is_signed_in() && row.phase() == Phase::Endorsements;
    let badge_title = crate::badge::title(state.db.reader(), &row).await?;
    let snippet = crate::badge::snippet(state.config.base_url.as_str(), id, &badge_title);
    let n = nominees::views(state, vec![row]).await?.remove(0);
    let title = format!("{} — nominee, Social Health Awards {}", n.name, n.year);
    let body = ui::render(&NomineePage { n, badge_title, snippet, csrf: &ctx.csrf, can_endorse });
    Ok(ui::page_with_notice(state, ctx, &title, "/awards", &body, notice).into_response())
}

async fn nominee_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    render_nominee(&state, &ctx, path_id(&id)?, None).await
}

async fn endorse_submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    let me = ctx.viewer.member().ok_or(AppError::Unauthorized)?;
    let id: Uuid = path_id(&id)?;
    let notice = match endorsements::endorse(&state, me.id, id).await {
        Ok(_) => "Thank you: your endorsement is counted.".to_string(),
        Err(AppError::Conflict { message, .. }) => message,
        Err(e) => return Err(e),
    };
    render_nominee(&state, &ctx, id, Some(&notice)).await
}

struct DeskRow {
    year: i64,
    phase: &'static str,
    next: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "admin_desk.html")]
struct DeskPage<'a> {
    csrf: &'a str,
    rows: Vec<DeskRow>,
}

async fn desk_page(Req { state, ctx }: Req) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let rows = programmes::all(state.db.reader())
        .await?
        .into_iter()
        .map(|p| DeskRow {
            year: p.year,
            phase: p.phase().label(),
            next: Phase::ALL.into_iter().filter(|x| *x > p.phase()).map(|x| (x.as_str(), x.label())).collect(),
        })
        .collect();
    let body = ui::render(&DeskPage { csrf: &ctx.csrf, rows });
    Ok(ui::page(&state, &ctx, "Awards (staff)", "/admin/members", &body).into_response())
}

#[derive(Template)]
#[template(path = "hall_of_fame.html")]
struct HallOfFamePage {
    years: Vec<(i64, Vec<crate::hall_of_fame::Entry>)>,
}

async fn hall_of_fame_page(Req { state, ctx }: Req) -> AppResult<Response> {
    let mut years: Vec<(i64, Vec<crate::hall_of_fame::Entry>)> = Vec::new();
    for e in crate::hall_of_fame::entries(&state).await? {
        match years.last_mut() {
            Some((y, list)) if *y == e.year => list.push(e),
            _ => years.push((e.year, vec![e])),
        }
    }
    let body = ui::render(&HallOfFamePage { years });
    Ok(ui::page(&state, &ctx, "Hall of fame — Social Health Awards", "/awards", &body).into_response())
}
