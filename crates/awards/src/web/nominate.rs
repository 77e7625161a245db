//! The nomination form (`/awards/{year}/nominate`): a signed-in member nominates a
//! member (reached from `?member={id}`, such as a link from the member's profile) or
//! someone not yet a member by name and e-mail, in a category, with a statement and up
//! to five links. Errors come back inline with a summary, keeping what was typed.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kernel::http::{Req, RequestContext, form_pairs, form_value, login_redirect, path_id};
use kernel::ids::MemberId;
use kernel::ui::{self, error_summary};
use kernel::{AppError, AppResult, AppState, FieldErrors};
use serde::Deserialize;

use crate::nominations::{self, Invitee, NewNomination};
use crate::programmes::{self, Category};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/awards/{year}/nominate", get(nominate_page).post(nominate_submit))
}

#[derive(Default)]
struct Typed {
    category_id: String,
    member_id: String,
    member_name: Option<String>,
    name: String,
    email: String,
    statement: String,
    links: String,
}

#[derive(Template)]
#[template(path = "nominate.html")]
struct NominatePage<'a> {
    csrf: &'a str,
    year: i64,
    categories: Vec<Category>,
    t: &'a Typed,
    errors: &'a FieldErrors,
    summary: String,
}

impl NominatePage<'_> {
    fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }
    fn chosen(&self, id: &uuid::Uuid) -> bool {
        self.t.category_id == id.to_string()
    }
}

async fn render(
    state: &AppState,
    ctx: &RequestContext,
    year: i64,
    t: &Typed,
    (status, errors, notice): (StatusCode, &FieldErrors, Option<&str>),
) -> AppResult<Response> {
    let p = programmes::by_year(state.db.reader(), year).await?;
    let categories = programmes::categories(state.db.reader(), p.id).await?;
    let page = NominatePage { csrf: &ctx.csrf, year, categories, t, errors, summary: error_summary(errors) };
    let title = format!("Nominate — Social Health Awards {year}");
    Ok((status, ui::page_with_notice(state, ctx, &title, "/awards", &ui::render(&page), notice)).into_response())
}

/// The name of the member `raw` (an id), if there is such an active member.
async fn member_name(state: &AppState, raw: &str) -> AppResult<Option<String>> {
    let Ok(id) = raw.parse::<MemberId>() else { return Ok(None) };
    Ok(contracts::members::directory(state)?.active_display_name(state.db.reader().into(), id).await?)
}

#[derive(Deserialize)]
struct Who {
    member: Option<String>,
}

async fn nominate_page(
    Req { state, ctx }: Req,
    Path(year): Path<String>,
    Query(who): Query<Who>,
) -> AppResult<Response> {
    let year: i64 = path_id(&year)?;
    if !ctx.viewer.is_signed_in() {
        return Ok(login_redirect(&format!("/awards/{year}/nominate")));
    }
    let member_id = who.member.unwrap_or_default().chars().take(40).collect::<String>();
    let member_name = member_name(&state, &member_id).await?;
    let member_id = if member_name.is_some() { member_id } else { String::new() };
    let t = Typed { member_id, member_name, ..Typed::default() };
    render(&state, &ctx, year, &t, (StatusCode::OK, &FieldErrors::new(), None)).await
}

fn read(pairs: &[(String, String)]) -> Typed {
    let cut = |name: &str, max: usize| form_value(pairs, name).chars().take(max).collect::<String>();
    Typed {
        category_id: cut("category_id", 40),
        member_id: cut("nominee_member_id", 40),
        member_name: None,
        name: cut("nominee.name", 200),
        email: cut("nominee.email", 300),
        statement: cut("statement", 6000),
        links: cut("links", 3000),
    }
}

async fn nominate_submit(Req { state, ctx }: Req, Path(year): Path<String>, body: Bytes) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    let year: i64 = path_id(&year)?;
    let mut t = read(&form_pairs(&body));
    t.member_name = member_name(&state, &t.member_id).await?;
    let mut e = FieldErrors::new();
    let Ok(category_id) = t.category_id.parse() else {
        e.add("category_id", "Choose a category.");
        return render(&state, &ctx, year, &t, (StatusCode::UNPROCESSABLE_ENTITY, &e, None)).await;
    };
    let n = NewNomination {
        category_id,
        nominee_member_id: t.member_name.as_ref().and_then(|_| t.member_id.parse().ok()),
        nominee: t.member_name.is_none().then(|| Invitee { name: t.name.clone(), email: t.email.clone() }),
        statement: t.statement.clone(),
        links: t.links.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect(),
    };
    match nominations::nominate(&state, me, year, &n).await {
        Ok(_) => {
            let body = format!(
                "<h1>Thank you</h1><p>Your nomination is in. Staff screen every nomination before it is shown.</p>\
                 <p><a href=\"/awards/{year}\">Back to the Social Health Awards {year}</a></p>"
            );
            let notice = Some("Your nomination is in.");
            Ok(ui::page_with_notice(&state, &ctx, "Nomination received", "/awards", &body, notice).into_response())
        }
        Err(AppError::Validation(e)) => {
            render(&state, &ctx, year, &t, (StatusCode::UNPROCESSABLE_ENTITY, &e, None)).await
        }
        Err(AppError::Conflict { message, .. }) => {
            render(&state, &ctx, year, &t, (StatusCode::CONFLICT, &FieldErrors::new(), Some(&message))).await
        }
        Err(e) => Err(e),
    }
}
