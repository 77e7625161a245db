//! The moments' pages: a member's moments (a plain form), the been-there directory with
//! what is tagged with the moment, asking for and answering support requests, and the
//! staff page for tagging content with moments.

mod support;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use contracts::members::Condition;
use kernel::error::FieldErrors;
use kernel::http::{Req, RequestContext, form_pairs, form_value, form_values};
use kernel::viewer::Visibility;
use kernel::{AppError, AppResult, AppState, ui};
use uuid::Uuid;

use crate::been_there::{self, BeenThereCard};
use crate::marks::{self, MomentMark, MomentVisibility, MyMoments};
use crate::model::MOMENTS;
use crate::tags::{self, MomentsContentGroup};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/moments", get(moments_page).post(moments_submit))
        .route("/been-there", get(been_there_page))
        .merge(support::router())
}

/// One checkbox: a moment in general, or with one of the member's conditions.
pub(crate) struct Choice {
    value: String,
    id: String,
    label: String,
    checked: bool,
}

pub(crate) struct MomentGroup {
    label: &'static str,
    description: &'static str,
    choices: Vec<Choice>,
}

pub(crate) struct StageForm {
    name: &'static str,
    legend: &'static str,
    hint: &'static str,
    error: Option<String>,
    groups: Vec<MomentGroup>,
    visibility: Vec<(&'static str, &'static str, bool)>,
}

#[derive(Template)]
#[template(path = "moments.html")]
struct MomentsPage<'a> {
    csrf: &'a str,
    summary: String,
    saved: bool,
    stages: Vec<StageForm>,
    available: bool,
    no_conditions: bool,
}

fn mark_value(m: &MomentMark) -> String {
    match m.condition_id {
        Some(c) => format!("{}:{c}", m.moment_id),
        None => m.moment_id.clone(),
    }
}

fn stage_form(
    name: &'static str,
    marks: &[MomentMark],
    vis: Visibility,
    conditions: &[Condition],
    errors: &FieldErrors,
) -> StageForm {
    let chosen: Vec<String> = marks.iter().map(mark_value).collect();
    let groups = MOMENTS
        .iter()
        .map(|(key, label, description)| {
            let general = std::iter::once((key.to_string(), "In general".to_string()));
            let with = conditions.iter().map(|c| (format!("{key}:{}", c.id), format!("With {}", c.name)));
            let choices = general
                .chain(with)
                .enumerate()
                .map(|(i, (value, label))| Choice {
                    checked: chosen.contains(&value),
                    id: format!("f-{name}-{key}-{i}"),
                    value,
                    label,
                })
                .collect();
            MomentGroup { label, description, choices }
        })
        .collect();
    let (legend, hint) = if name == "now" {
        ("Moments you are in now", "What you are going through at the moment.")
    } else {
        ("Moments you have been through", "What you could help someone else with.")
    };
    StageForm {
        name,
        legend,
        hint,
        error: errors.get(name).map(str::to_string),
        groups,
        visibility: Visibility::ALL.iter().map(|v| (v.as_str(), v.label(), *v == vis)).collect(),
    }
}

fn render_moments(
    state: &AppState,
    ctx: &RequestContext,
    m: &MyMoments,
    conditions: &[Condition],
    errors: &FieldErrors,
    saved: bool,
) -> Response {
    let page = MomentsPage {
        csrf: &ctx.csrf,
        summary: ui::error_summary(errors),
        saved,
        stages: vec![
            stage_form("now", &m.now, m.visibility.now, conditions, errors),
            stage_form("been_through", &m.been_through, m.visibility.been_through, conditions, errors),
        ],
        available: m.available_to_support,
        no_conditions: conditions.is_empty(),
    };
    let html = ui::page(state, ctx, "Your moments", "/moments", &ui::render(&page));
    (errors.page_status(), html).into_response()
}

async fn moments_page(Req { state, ctx }: Req) -> AppResult<Response> {
    let Some(me) = ctx.viewer.member() else {
        return Ok(kernel::http::login_redirect("/moments").into_response());
    };
    let m = marks::load(&state.db, me.id).await?;
    let conditions = marks::own_conditions(&state, &ctx.viewer).await?;
    Ok(render_moments(&state, &ctx, &m, &conditions, &FieldErrors::new(), false))
}

fn parse_marks(values: Vec<String>) -> Vec<MomentMark> {
    values
        .into_iter()
        .take(100)
        .map(|v| match v.split_once(':') {
            Some((m, c)) => MomentMark {
                moment_id: m.chars().take(60).collect(),
                condition_id: c.parse().ok().or(Some(Uuid::nil())),
            },
            None => MomentMark { moment_id: v.chars().take(60).collect(), condition_id: None },
        })
        .collect()
}

fn parse_visibility(v: &str) -> Visibility {
    Visibility::parse(v).unwrap_or(Visibility::Members)
}

async fn moments_submit(Req { state, ctx }: Req, body: Bytes) -> AppResult<Response> {
    ctx.viewer.require_member()?;
    let pairs = form_pairs(&body);
    let m = MyMoments {
        now: parse_marks(form_values(&pairs, "now")),
        been_through: parse_marks(form_values(&pairs, "been_through")),
        visibility: MomentVisibility {
            now: parse_visibility(&form_value(&pairs, "now_visibility")),
            been_through: parse_visibility(&form_value(&pairs, "been_through_visibility")),
        },
        available_to_support: form_value(&pairs, "available_to_support") == "on",
    };
    let conditions = marks::own_conditions(&state, &ctx.viewer).await?;
    match marks::save(&state, &ctx.viewer, &m).await {
        Ok(saved) => Ok(render_moments(&state, &ctx, &saved, &conditions, &FieldErrors::new(), true)),
        Err(AppError::Validation(errors)) => Ok(render_moments(&state, &ctx, &m, &conditions, &errors, false)),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "been_there.html")]
struct BeenTherePage {
    moments: Vec<(&'static str, &'static str, bool)>,
    conditions: Vec<(Uuid, String, bool)>,
    moment: Option<String>,
    moment_label: String,
    people: Vec<BeenThereCard>,
    content: Vec<(String, MomentsContentGroup)>,
    error: Option<String>,
}

/// The query of the been-there page: `moment` and optionally `condition`.
fn query_pairs(query: Option<String>) -> Vec<(String, String)> {
    form_pairs(query.unwrap_or_default().as_bytes())
}

async fn been_there_page(Req { state, ctx }: Req, RawQuery(query): RawQuery) -> AppResult<Response> {
    if !ctx.viewer.is_signed_in() {
        return Ok(kernel::http::login_redirect("/been-there").into_response());
    }
    let pairs = query_pairs(query);
    let moment = Some(form_value(&pairs, "moment")).filter(|m| !m.is_empty());
    let condition: Option<Uuid> = form_value(&pairs, "condition").parse().ok();
    let own = marks::own_conditions(&state, &ctx.viewer).await?;
    let all_conditions = contracts::members::directory(&state)?.conditions(&state.db).await?;
    let mut error = None;
    let (mut people, mut content) = (vec![], vec![]);
    if let Some(m) = &moment {
        match been_there::find(&state, &ctx.viewer, m, condition).await {
            Ok(found) => {
                people = found;
                content = tags::all_content(&state, &ctx.viewer, m, 5)
                    .await?
                    .into_iter()
                    .filter(|g| !g.items.is_empty())
                    .map(|g| (kind_heading(&g.kind).to_string(), g))
                    .collect();
            }
            Err(AppError::Validation(e)) => error = e.get("moment_id").map(str::to_string),
            Err(e) => return Err(e),
        }
    }
    // The member's own conditions first, then the reference list.
    let mut conditions: Vec<(Uuid, String, bool)> =
        own.iter().map(|c| (c.id, c.name.clone(), Some(c.id) == condition)).collect();
    conditions.extend(
        all_conditions
            .into_iter()
            .filter(|c| !own.iter().any(|o| o.id == c.id))
            .map(|c| (c.id, c.name, Some(c.id) == condition)),
    );
    let page = BeenTherePage {
        moments: MOMENTS.iter().map(|(k, l, _)| (*k, *l, moment.as_deref() == Some(*k))).collect(),
        conditions,
        moment_label: moment.as_deref().map(crate::model::label).unwrap_or_default().to_string(),
        moment,
        people,
        content,
        error,
    };
    Ok(ui::page(&state, &ctx, "People who have been there", "/moments", &ui::render(&page)).into_response())
}

fn kind_heading(kind: &str) -> &'static str {
    tags::KINDS.iter().find(|(k, _)| *k == kind).map(|(_, h)| *h).unwrap_or("Content")
}
