//! The rewards pages: the member's pages (`member`: catalogue, my points, how to earn,
//! my redemptions, leaderboard) and the staff desk (`desk`: queue, catalogue,
//! adjustments, rules, ledger, CSV export), with the router and what they share.

mod catalogue_form;
mod desk;
mod member;

use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kernel::AppState;
use kernel::http::RequestContext;
use kernel::ui;

/// Every rewards page: the member's and the staff desk's.
pub fn router() -> Router<AppState> {
    Router::new().merge(member::router()).merge(desk::router()).merge(catalogue_form::router())
}

#[derive(Template)]
#[template(path = "nav.html")]
struct Nav<'a> {
    current: &'a str,
}

fn nav(current: &str) -> String {
    ui::render(&Nav { current })
}

fn page(
    state: &AppState,
    ctx: &RequestContext,
    status: StatusCode,
    title: &str,
    body: String,
    notice: Option<&str>,
) -> Response {
    (status, ui::page_with_notice(state, ctx, title, "/rewards", &body, notice)).into_response()
}

fn login_required(path: &str) -> Response {
    kernel::http::login_redirect(path)
}
