//! A partner's contact person's page: their opportunities' figures, counts only, small
//! ones suppressed (see `partner_view`).

use askama::Template;
use axum::response::{IntoResponse, Response};
use kernel::AppResult;
use kernel::http::{Req, login_redirect};
use kernel::ui;

use crate::partner_view::{self, Cell, PartnerFigures};

#[derive(Template)]
#[template(path = "partner.html")]
struct PartnerPage {
    partners: Vec<PartnerFigures>,
}

impl PartnerPage {
    fn cell(&self, c: &Cell, k: &i64) -> String {
        match c.value {
            Some(n) => n.to_string(),
            None => format!("fewer than {k}"),
        }
    }
}

pub(crate) async fn partner_page(Req { state, ctx }: Req) -> AppResult<Response> {
    let Some(me) = ctx.viewer.member() else { return Ok(login_redirect("/partner")) };
    let page = PartnerPage { partners: partner_view::figures(&state, me.id).await? };
    Ok(ui::page(&state, &ctx, "Your opportunities' figures", "/partner", &ui::render(&page)).into_response())
}
