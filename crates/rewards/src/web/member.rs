//! The member's rewards pages: the catalogue and redeeming from it, my points (the
//! ledger in words), how to earn, my redemptions, and the monthly leaderboard.

use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kernel::http::{ApiQuery, HtmlForm, Req, RequestContext, path_id};
use kernel::ui;
use kernel::{AppError, AppResult, AppState};
use serde::Deserialize;
use uuid::Uuid;

use super::{login_required, nav, page};
use crate::catalogue::{self, Reward};
use crate::leaderboard::{self, Place};
use crate::ledger::{self, reasons};
use crate::redeem::{self, Redemption};
use crate::rules::{self, Rule};

/// The member's pages.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/rewards", get(catalogue_page))
        .route("/rewards/{id}/redeem", post(redeem_submit))
        .route("/rewards/history", get(history_page))
        .route("/rewards/earn", get(earn_page))
        .route("/rewards/redemptions", get(redemptions_page))
        .route("/rewards/leaderboard", get(leaderboard_page).post(leaderboard_submit))
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage<'a> {
    nav: String,
    csrf: &'a str,
    balance: Option<i64>,
    error: Option<String>,
    items: Vec<Reward>,
    form_key: String,
}

async fn render_catalogue(
    state: &AppState,
    ctx: &RequestContext,
    error: Option<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let balance = match ctx.viewer.id() {
        Some(id) => Some(ledger::balance(&state.db, id).await?),
        None => None,
    };
    let body = ui::render(&CataloguePage {
        nav: nav("catalogue"),
        csrf: &ctx.csrf,
        balance,
        error,
        items: catalogue::available(&state.db).await?,
        // One key per page view: a double-clicked or resent form redeems once.
        form_key: kernel::secret::random_token(12),
    });
    Ok(page(state, ctx, status, "Rewards", body, None))
}

async fn catalogue_page(Req { state, ctx }: Req) -> AppResult<Response> {
    render_catalogue(&state, &ctx, None, StatusCode::OK).await
}

#[derive(Deserialize, Default)]
struct RedeemForm {
    #[serde(default)]
    idempotency_key: String,
}

async fn redeem_submit(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    HtmlForm(f): HtmlForm<RedeemForm>,
) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    let reward: Uuid = path_id(&id)?;
    let key = Some(f.idempotency_key.as_str()).filter(|k| !k.is_empty());
    match redeem::redeem(&state, me.id, reward, key).await {
        Ok(_) => Ok(kernel::http::redirect("/rewards/redemptions?done=requested").into_response()),
        Err(AppError::Conflict { message, .. }) => {
            render_catalogue(&state, &ctx, Some(message), StatusCode::CONFLICT).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    nav: String,
    balance: i64,
    rows: Vec<(String, String, String)>,
    next_href: Option<String>,
}

#[derive(Deserialize, Default)]
struct CursorQuery {
    #[serde(default)]
    cursor: String,
}

/// Words for a ledger reason: the rule's label for earnings, else a fixed phrase.
fn reason_label(reason: &str, note: &str, rules: &[Rule]) -> String {
    let with_note = |what: &str| if note.is_empty() { what.to_string() } else { format!("{what}: {note}") };
    match reason {
        reasons::REDEMPTION => with_note("Redeemed"),
        reasons::REFUND => with_note("Returned after a rejected redemption"),
        reasons::ADJUSTMENT => with_note("Adjusted by the team"),
        reasons::EXPIRY => "Points expired".to_string(),
        reasons::COMPENSATION => with_note("Paid for your work"),
        reasons::SURVEY_INCENTIVE => with_note("Survey incentive"),
        code => {
            rules.iter().find(|r| r.code == code).map(|r| r.label.clone()).unwrap_or_else(|| code.replace('_', " "))
        }
    }
}

async fn history_page(Req { state, ctx }: Req, ApiQuery(q): ApiQuery<CursorQuery>) -> AppResult<Response> {
    let Some(me) = ctx.viewer.member() else { return Ok(login_required("/rewards/history")) };
    let cursor = Some(q.cursor.as_str()).filter(|c| !c.is_empty());
    let page_data = ledger::history(&state.db, me.id, cursor, 50).await?;
    let rules = rules::all(&state.db).await?;
    let rows = page_data
        .items
        .iter()
        .map(|e| {
            let amount = if e.amount > 0 { format!("+{}", e.amount) } else { e.amount.to_string() };
            (e.created_at.format("%Y-%m-%d").to_string(), reason_label(&e.reason, &e.note, &rules), amount)
        })
        .collect();
    let body = ui::render(&HistoryPage {
        nav: nav("history"),
        balance: ledger::balance(&state.db, me.id).await?,
        rows,
        next_href: page_data.next_cursor.map(|c| format!("/rewards/history?cursor={c}")),
    });
    Ok(page(&state, &ctx, StatusCode::OK, "My points", body, None))
}

#[derive(Template)]
#[template(path = "earn.html")]
struct EarnPage {
    nav: String,
    rules: Vec<Rule>,
}

async fn earn_page(Req { state, ctx }: Req) -> AppResult<Response> {
    let body = ui::render(&EarnPage { nav: nav("earn"), rules: rules::all(&state.db).await? });
    Ok(page(&state, &ctx, StatusCode::OK, "How to earn points", body, None))
}

#[derive(Template)]
#[template(path = "redemptions.html")]
struct RedemptionsPage {
    nav: String,
    items: Vec<Redemption>,
}

#[derive(Deserialize, Default)]
struct Done {
    #[serde(default)]
    done: String,
}

async fn redemptions_page(Req { state, ctx }: Req, ApiQuery(q): ApiQuery<Done>) -> AppResult<Response> {
    let Some(me) = ctx.viewer.member() else { return Ok(login_required("/rewards/redemptions")) };
    let body = ui::render(&RedemptionsPage { nav: nav("redemptions"), items: redeem::mine(&state.db, me.id).await? });
    let notice = (q.done == "requested").then_some("Your request is in. We will e-mail you when it is on its way.");
    Ok(page(&state, &ctx, StatusCode::OK, "My redemptions", body, notice))
}

#[derive(Template)]
#[template(path = "leaderboard.html")]
struct LeaderboardPage<'a> {
    nav: String,
    csrf: &'a str,
    opted_in: bool,
    places: Vec<Place>,
}

async fn leaderboard_page(Req { state, ctx }: Req) -> AppResult<Response> {
    let Some(me) = ctx.viewer.member() else { return Ok(login_required("/rewards/leaderboard")) };
    let body = ui::render(&LeaderboardPage {
        nav: nav("leaderboard"),
        csrf: &ctx.csrf,
        opted_in: leaderboard::opted_in(&state.db, me.id).await?,
        places: leaderboard::this_month(&state, 50).await?,
    });
    Ok(page(&state, &ctx, StatusCode::OK, "Leaderboard", body, None))
}

#[derive(Deserialize, Default)]
struct OnOff {
    #[serde(default)]
    on: String,
}

async fn leaderboard_submit(Req { state, ctx }: Req, HtmlForm(f): HtmlForm<OnOff>) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    leaderboard::set_opt_in(&state.db, me.id, f.on == "on").await?;
    Ok(kernel::http::redirect("/rewards/leaderboard").into_response())
}
