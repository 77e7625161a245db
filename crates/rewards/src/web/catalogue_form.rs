//! The staff catalogue (`/admin/rewards/catalogue`): every reward, live or retired, and
//! one page per reward to change it (by the same checks as adding one), retire it, or
//! delete it when nobody has redeemed it. Each page answers 404 to anyone but staff,
//! before reading a body. The reward fields and their parsing are shared with the desk's
//! "Add a reward" form.

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kernel::error::FieldErrors;
use kernel::form::{self, checkbox, radios};
use kernel::http::{Req, RequestContext, form_pairs, form_value, path_id, redirect};
use kernel::ui::{self, Field, Input, escape};
use kernel::viewer::staff_page;
use kernel::{AppError, AppResult, AppState};
use serde::Deserialize;
use uuid::Uuid;

use crate::catalogue::{self, FULFILMENTS, NewReward, Reward};

pub(super) fn router() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/rewards/catalogue/{id}", get(edit_page).post(edit_submit))
        .route("/admin/rewards/catalogue/{id}/delete", post(delete_submit))
}

/// A reward's fields as typed (each empty when not sent).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct RewardForm {
    pub(super) name: String,
    pub(super) description: String,
    pub(super) cost: String,
    pub(super) stock: String,
    pub(super) per_member_limit: String,
    pub(super) fulfilment: String,
    pub(super) charity: String,
}

impl RewardForm {
    fn of(pairs: &[(String, String)]) -> RewardForm {
        let text = |name: &str| form_value(pairs, name);
        RewardForm {
            name: text("name"),
            description: text("description"),
            cost: text("cost"),
            stock: text("stock"),
            per_member_limit: text("per_member_limit"),
            fulfilment: text("fulfilment"),
            charity: text("charity"),
        }
    }

    fn stored(r: &Reward) -> RewardForm {
        let opt = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        RewardForm {
            name: r.name.clone(),
            description: r.description.clone(),
            cost: r.cost.to_string(),
            stock: opt(r.stock),
            per_member_limit: opt(r.per_member_limit),
            fulfilment: r.fulfilment.clone(),
            charity: r.charity.clone().unwrap_or_default(),
        }
    }
}

/// Parses an optional whole number from a form field.
pub(super) fn number(raw: &str, field: &str, errors: &mut FieldErrors) -> Option<i64> {
    form::number(raw).map_err(|_| errors.add(field, "Enter a whole number.")).ok().flatten()
}

/// The reward as typed, read as the catalogue's input, or what is wrong with the numbers.
pub(super) fn reward_input(f: &RewardForm) -> Result<NewReward, FieldErrors> {
    let mut errors = FieldErrors::new();
    let cost = number(&f.cost, "cost", &mut errors);
    if cost.is_none() && errors.get("cost").is_none() {
        errors.add("cost", "Enter the cost in points.");
    }
    let new = NewReward {
        name: f.name.clone(),
        description: f.description.clone(),
        cost: cost.unwrap_or(0),
        stock: number(&f.stock, "stock", &mut errors),
        per_member_limit: number(&f.per_member_limit, "per_member_limit", &mut errors),
        fulfilment: Some(f.fulfilment.clone()).filter(|s| !s.is_empty()),
        charity: Some(f.charity.clone()).filter(|s| !s.trim().is_empty()),
        ..Default::default()
    };
    if errors.is_empty() { Ok(new) } else { Err(errors) }
}

/// The reward's text and number fields (the way of fulfilment is chosen apart).
pub(super) fn reward_fields(reward: &RewardForm, errors: &FieldErrors) -> String {
    [
        Field::new("name", "Name", &reward.name, Input::Text).errors(errors).required().html(),
        Field::new("description", "Description", &reward.description, Input::TextArea).errors(errors).html(),
        Field::new("cost", "Cost in points", &reward.cost, Input::Number).errors(errors).required().html(),
        Field::new("stock", "Stock", &reward.stock, Input::Number)
            .hint("Leave empty for unlimited.")
            .errors(errors)
            .html(),
        Field::new("per_member_limit", "Limit per member", &reward.per_member_limit, Input::Number)
            .hint("Leave empty for no limit.")
            .errors(errors)
            .html(),
        Field::new("charity", "Charity (for donations)", &reward.charity, Input::Text).errors(errors).html(),
    ]
    .concat()
}

pub(super) async fn list_page(Req { state, ctx }: Req) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let rows: String = catalogue::all(&state.db)
        .await?
        .iter()
        .map(|r| {
            format!(
                "<tr><td><a href=\"/admin/rewards/catalogue/{}\">{}</a></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                r.id,
                escape(&r.name),
                r.cost,
                r.stock.map_or("Unlimited".to_string(), |s| s.to_string()),
                if r.active { "Offered" } else { "Retired" }
            )
        })
        .collect();
    let body = format!(
        "<p><a href=\"/admin/rewards\">The rewards desk</a> (where rewards are added)</p><h1>Rewards catalogue</h1>\
         <table><caption>Every reward, offered ones first</caption><thead><tr><th scope=\"col\">Reward</th>\
         <th scope=\"col\">Cost</th><th scope=\"col\">Stock</th><th scope=\"col\">State</th></tr></thead><tbody>{rows}</tbody></table>"
    );
    Ok(ui::page(&state, &ctx, "Rewards catalogue (staff)", "/admin", &body).into_response())
}

/// The reward's page: its form (as typed, after a refusal), retiring and deleting it.
async fn render_edit(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    typed: Option<(&RewardForm, bool)>,
    errors: &FieldErrors,
    notice: Option<&str>,
) -> AppResult<Response> {
    let stored = catalogue::get(state.db.reader(), id).await?;
    let (f, active) = typed.map_or((RewardForm::stored(&stored), stored.active), |(f, a)| (f.clone(), a));
    let fulfilment = if f.fulfilment.is_empty() { "digital_code" } else { &f.fulfilment };
    let fields = [
        reward_fields(&f, errors),
        radios("fulfilment", "Fulfilment", FULFILMENTS, fulfilment, errors),
        checkbox(
            "active",
            "Offered to members",
            active,
            Some("Untick to retire it: members no longer see or redeem it."),
        ),
    ]
    .concat();
    let title = format!("Reward: {}", stored.name);
    let body = format!(
        "<p><a href=\"/admin/rewards/catalogue\">The catalogue</a></p><h1>{}</h1>{}\
         <h2>Delete the reward</h2><p>Only a reward nobody has redeemed can be deleted; retire a redeemed one instead.</p>{}",
        escape(&title),
        form::form(&format!("/admin/rewards/catalogue/{id}"), &ctx.csrf, errors, &fields, "Save the reward"),
        form::button(&format!("/admin/rewards/catalogue/{id}/delete"), &ctx.csrf, "Delete this reward"),
    );
    Ok((errors.page_status(), ui::page_with_notice(state, ctx, &title, "/admin", &body, notice)).into_response())
}

async fn edit_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    render_edit(&state, &ctx, path_id(&id)?, None, &FieldErrors::new(), None).await
}

async fn edit_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    let staff = staff_page(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let pairs = form_pairs(&body);
    let (f, active) = (RewardForm::of(&pairs), form_value(&pairs, "active") == "yes");
    let stored = catalogue::get(state.db.reader(), id).await?;
    let result = match reward_input(&f) {
        Ok(new) => {
            // What the form does not show (set through the API) stays as it was.
            let new = NewReward {
                image_url: stored.image_url,
                active_from: stored.active_from,
                active_until: stored.active_until,
                ..new
            };
            catalogue::update(&state, staff.id, id, &new, active, &ctx.client_ip).await.map(|_| ())
        }
        Err(errors) => Err(AppError::Validation(errors)),
    };
    match result {
        Ok(()) => Ok(redirect("/admin/rewards/catalogue")),
        Err(AppError::Validation(e)) => render_edit(&state, &ctx, id, Some((&f, active)), &e, None).await,
        Err(e) => Err(e),
    }
}

/// Deletes the reward, or, when it has been redeemed, shows its page again saying why
/// not (409).
async fn delete_submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    let staff = staff_page(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    match catalogue::delete(&state, staff.id, id, &ctx.client_ip).await {
        Ok(()) => Ok(redirect("/admin/rewards/catalogue")),
        Err(AppError::Conflict { message, .. }) => {
            let mut page = render_edit(&state, &ctx, id, None, &FieldErrors::new(), Some(&message)).await?;
            *page.status_mut() = StatusCode::CONFLICT;
            Ok(page)
        }
        Err(e) => Err(e),
    }
}
