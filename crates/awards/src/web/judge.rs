//! The judges' pages: `/judging` lists the signed-in judge's assignments (never a
//! conflicted one) with each entry and a scoring form — every criterion of the rubric,
//! 1 to 10, with its weight — and a form to declare a conflict of interest, which takes
//! the nominee away for good. A form with errors comes back with a summary and what was
//! typed.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kernel::http::{Req, RequestContext, form_pairs, form_value, login_redirect, path_id};
use kernel::ui::{self, error_summary};
use kernel::{AppError, AppResult, AppState, FieldErrors};
use uuid::Uuid;

use crate::judging::{self, AssignmentView, Scores};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/judging", get(judging_page))
        .route("/judging/{id}/scores", post(score_submit))
        .route("/judging/{id}/conflict", post(conflict_submit))
}

/// A criterion's field: its key in the form and the errors, what was typed or saved.
struct CriterionField {
    key: String,
    name: String,
    weight: i64,
    value: String,
}

struct Entry {
    a: AssignmentView,
    fields: Vec<CriterionField>,
    done: bool,
}

#[derive(Template)]
#[template(path = "judging.html")]
struct JudgingPage<'a> {
    csrf: &'a str,
    entries: Vec<Entry>,
    errors: &'a FieldErrors,
    summary: String,
}

impl JudgingPage<'_> {
    fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }
}

fn key(assignment: Uuid, criterion: Uuid) -> String {
    format!("s-{assignment}-{criterion}")
}

async fn render(
    state: &AppState,
    ctx: &RequestContext,
    typed: &HashMap<String, String>,
    errors: &FieldErrors,
    notice: Option<&str>,
) -> AppResult<Response> {
    let me = ctx.viewer.require_account()?;
    let entries = judging::assignments(state, me.id)
        .await?
        .into_iter()
        .map(|a| {
            let fields: Vec<CriterionField> = a
                .criteria
                .iter()
                .map(|c| {
                    let k = key(a.id, c.id);
                    let saved = a.scores.get(&c.id).map(|v| v.to_string()).unwrap_or_default();
                    let value = typed.get(&k).cloned().unwrap_or(saved);
                    CriterionField { key: k, name: c.name.clone(), weight: c.weight, value }
                })
                .collect();
            let done = a.criteria.iter().all(|c| a.scores.contains_key(&c.id));
            Entry { a, fields, done }
        })
        .collect();
    let page = JudgingPage { csrf: &ctx.csrf, entries, errors, summary: error_summary(errors) };
    let html =
        ui::page_with_notice(state, ctx, "Judging — Social Health Awards", "/awards", &ui::render(&page), notice);
    Ok((errors.page_status(), html).into_response())
}

async fn judging_page(Req { state, ctx }: Req) -> AppResult<Response> {
    if ctx.viewer.account().is_none() {
        return Ok(login_redirect("/judging"));
    }
    render(&state, &ctx, &HashMap::new(), &FieldErrors::new(), None).await
}

async fn score_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    let me = ctx.viewer.require_account()?;
    let id: Uuid = path_id(&id)?;
    let mine = judging::assignments(&state, me.id).await?;
    let a = mine.iter().find(|a| a.id == id).ok_or(AppError::NotFound)?;
    let pairs = form_pairs(&body);
    let mut typed = HashMap::new();
    let mut errors = FieldErrors::new();
    let mut scores = HashMap::new();
    for c in &a.criteria {
        let k = key(a.id, c.id);
        let v = form_value(&pairs, &k).trim().chars().take(10).collect::<String>();
        match v.parse::<i64>() {
            Ok(n) if (1..=10).contains(&n) => {
                scores.insert(c.id, n);
            }
            _ => errors.add(&k, format!("Score {} with a whole number from 1 to 10.", c.name)),
        }
        typed.insert(k, v);
    }
    if !errors.is_empty() {
        return render(&state, &ctx, &typed, &errors, None).await;
    }
    let name = a.nominee.name.clone();
    match judging::score(&state, me.id, id, &Scores { scores }, &ctx.client_ip).await {
        Ok(()) => {
            render(&state, &ctx, &HashMap::new(), &errors, Some(&format!("Your scores for {name} are saved."))).await
        }
        Err(AppError::Conflict { message, .. }) => {
            let page = render(&state, &ctx, &typed, &errors, Some(&message)).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e),
    }
}

async fn conflict_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    let me = ctx.viewer.require_account()?;
    let id: Uuid = path_id(&id)?;
    let nominee = judging::nominee_of_assignment(&state, me.id, id).await?;
    if form_value(&form_pairs(&body), "confirm") != "yes" {
        let mut errors = FieldErrors::new();
        errors.add(&format!("confirm-{id}"), "Tick the box to confirm the conflict of interest.");
        return render(&state, &ctx, &HashMap::new(), &errors, None).await;
    }
    judging::record_conflict(&state, me.id, me.id, nominee, &ctx.client_ip).await?;
    let notice = "Conflict of interest recorded: that nominee is no longer yours to judge.";
    render(&state, &ctx, &HashMap::new(), &FieldErrors::new(), Some(notice)).await
}
