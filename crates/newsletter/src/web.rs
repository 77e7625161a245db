//! The newsletter's pages: a member's preferences, the one-click unsubscribe (RFC 8058:
//! a bare POST to the signed link, no session, no form token), and the editor's desk.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kernel::error::FieldErrors;
use kernel::http::{Req, RequestContext};
use kernel::{AppError, AppResult, AppState, ui};

use crate::preferences::{self, Preferences, TOPICS};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/newsletter/preferences", get(preferences_page).post(preferences_submit))
        .route("/unsubscribe/newsletter/{token}", get(unsubscribe_page).post(unsubscribe_submit))
}

#[derive(Template)]
#[template(path = "preferences.html")]
struct PreferencesPage<'a> {
    prefs: Preferences,
    topics: &'static [(&'static str, &'static str)],
    csrf: &'a str,
    summary: String,
    error: Option<String>,
    saved: bool,
    /// Why we no longer write to some of the member's addresses (bounces, complaints).
    stopped: Vec<String>,
}

impl PreferencesPage<'_> {
    fn follows(&self, code: &&str) -> bool {
        self.prefs.topics.iter().any(|t| t == code)
    }
}

async fn render_preferences(
    state: &AppState,
    ctx: &RequestContext,
    prefs: Preferences,
    errors: &FieldErrors,
    saved: bool,
) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    let stopped =
        crate::bounces::stopped_for(&state.db, me.id).await?.iter().map(crate::bounces::notice_text).collect();
    let page = PreferencesPage {
        stopped,
        prefs,
        topics: TOPICS,
        csrf: &ctx.csrf,
        summary: ui::error_summary(errors),
        error: errors.get("topics").map(str::to_string),
        saved,
    };
    let html = ui::page(state, ctx, "Newsletter preferences", "", &ui::render(&page));
    Ok((errors.page_status(), html).into_response())
}

async fn preferences_page(Req { state, ctx }: Req) -> AppResult<Response> {
    let Some(me) = ctx.viewer.member() else {
        return Ok(kernel::http::login_redirect("/newsletter/preferences").into_response());
    };
    let prefs = preferences::load(&state.db, me.id).await?;
    render_preferences(&state, &ctx, prefs, &FieldErrors::new(), false).await
}

/// The form: `weekly` and `monthly_resources` checkboxes and one `topic` per ticked topic.
fn parse_form(body: &[u8]) -> Preferences {
    let mut p = Preferences { weekly: false, monthly_resources: false, topics: vec![] };
    for (k, v) in url::form_urlencoded::parse(body).take(50) {
        match k.as_ref() {
            "weekly" => p.weekly = true,
            "monthly_resources" => p.monthly_resources = true,
            "topic" => p.topics.push(v.chars().take(60).collect()),
            _ => {}
        }
    }
    p
}

async fn preferences_submit(Req { state, ctx }: Req, body: Bytes) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    let prefs = parse_form(&body);
    match preferences::save(&state.db, me.id, &prefs).await {
        Ok(()) => render_preferences(&state, &ctx, prefs, &FieldErrors::new(), true).await,
        Err(AppError::Validation(errors)) => render_preferences(&state, &ctx, prefs, &errors, false).await,
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage {
    token: String,
    done: bool,
}

async fn unsubscribe_page(Req { state, ctx }: Req, Path(token): Path<String>) -> AppResult<Response> {
    preferences::verify_token(&state.secret, &token).ok_or(AppError::NotFound)?;
    let body = ui::render(&UnsubscribePage { token, done: false });
    Ok(ui::page(&state, &ctx, "Leave the newsletter", "", &body).into_response())
}

/// Both the button on the page and a mail provider's one-click POST land here; the
/// signed token is the only proof needed, and posting twice is harmless.
async fn unsubscribe_submit(Req { state, ctx }: Req, Path(token): Path<String>) -> AppResult<Response> {
    let member = preferences::verify_token(&state.secret, &token).ok_or(AppError::NotFound)?;
    preferences::unsubscribe(&state.db, member).await?;
    let body = ui::render(&UnsubscribePage { token, done: true });
    Ok(ui::page(&state, &ctx, "Unsubscribed", "", &body).into_response())
}
