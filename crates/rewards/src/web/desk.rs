//! The staff rewards desk: pending redemptions to fulfil or reject, new catalogue
//! items, point adjustments, earning rules, the ledger and its CSV export.

use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kernel::error::FieldErrors;
use kernel::http::{ApiQuery, HtmlForm, Req, RequestContext, path_id};
use kernel::ids::MemberId;
use kernel::ui::{self, Field, Input, error_summary};
use kernel::viewer::Role;
use kernel::{AppError, AppResult, AppState, params};
use serde::Deserialize;

use super::catalogue_form::{RewardForm, number, reward_fields, reward_input};
use crate::adjust::{self, Adjustment};
use crate::catalogue::{self, FULFILMENTS};
use crate::redeem::{self, Redemption};
use crate::rules::{self, Rule, RuleChange};

/// The staff desk's pages.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/rewards", get(admin_page))
        .route("/admin/rewards/ledger.csv", get(ledger_csv))
        .route("/admin/rewards/catalogue", get(super::catalogue_form::list_page).post(admin_create_reward))
        .route("/admin/rewards/adjustments", post(admin_adjust))
        .route("/admin/rewards/rules/{code}", post(admin_rule))
        .route("/admin/rewards/redemptions/{id}/fulfil", post(admin_fulfil))
        .route("/admin/rewards/redemptions/{id}/reject", post(admin_reject))
}

#[derive(Debug, Clone, sea_orm::FromQueryResult)]
struct LedgerRow {
    member_id: MemberId,
    amount: i64,
    reason: String,
    note: String,
    created_at: kernel::time::Instant,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage<'a> {
    csrf: &'a str,
    summary: String,
    pending: Vec<Redemption>,
    reward_fields: String,
    fulfilments: &'static [(&'static str, &'static str)],
    fulfilment: String,
    adjust_fields: String,
    rules: Vec<(Rule, String)>,
    member_filter: String,
    member_error: Option<String>,
    ledger: Vec<LedgerRow>,
    /// The redemption whose note was refused, which form, and the note as typed.
    note: Option<(uuid::Uuid, &'static str, String)>,
    note_error: Option<String>,
    note_forms: &'static [(&'static str, &'static str, &'static str, &'static str)],
}

/// The two decisions on a redemption: (path, label of the note, button, button class).
const NOTE_FORMS: &[(&str, &str, &str, &str)] = &[
    ("fulfil", "Code or note for the member", "Fulfil", ""),
    ("reject", "Why it is rejected", "Reject and refund", "danger"),
];

/// What staff typed into the desk's forms, kept when one is refused.
#[derive(Default)]
struct Typed {
    reward: RewardForm,
    adjustment: AdjustForm,
    /// The earning rule whose change was refused, with the change as typed.
    rule: Option<(String, RuleForm)>,
    note: Option<(uuid::Uuid, &'static str, String)>,
}

impl Typed {
    fn reward(reward: RewardForm) -> Self {
        Typed { reward, ..Default::default() }
    }
    fn adjustment(adjustment: AdjustForm) -> Self {
        Typed { adjustment, ..Default::default() }
    }
}

#[derive(Deserialize, Default, Clone)]
struct AdjustForm {
    #[serde(default)]
    member_id: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize, Default)]
struct LedgerQuery {
    #[serde(default)]
    member: String,
}

async fn ledger_rows(state: &AppState, member: &str, limit: i64) -> AppResult<Vec<LedgerRow>> {
    let sql = "SELECT member_id, amount, reason, note, created_at FROM ledger_entries";
    Ok(if member.trim().is_empty() {
        state.db.all(&format!("{sql} ORDER BY created_at DESC, id DESC LIMIT $1"), params![limit]).await?
    } else {
        let id: MemberId = member.trim().parse().map_err(|_| AppError::field("member", "That is not a member id."))?;
        state
            .db
            .all(&format!("{sql} WHERE member_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"), params![id, limit])
            .await?
    })
}

async fn render_admin(
    state: &AppState,
    ctx: &RequestContext,
    errors: &FieldErrors,
    typed: &Typed,
    member_filter: &str,
    notice: Option<&str>,
) -> AppResult<Response> {
    let (reward, adjustment) = (&typed.reward, &typed.adjustment);
    ctx.viewer.require_role(Role::Staff)?;
    let ledger = match ledger_rows(state, member_filter, 100).await {
        Ok(rows) => rows,
        Err(AppError::Validation(_)) => vec![],
        Err(e) => return Err(e),
    };
    let reward_fields = reward_fields(reward, errors);
    let adjust_fields = [
        Field::new("member_id", "Member id", &adjustment.member_id, Input::Text).errors(errors).required().html(),
        Field::new("amount", "Points", &adjustment.amount, Input::Number)
            .hint("Negative to debit.")
            .errors(errors)
            .required()
            .html(),
        Field::new("reason", "Reason (the member sees it)", &adjustment.reason, Input::Text)
            .errors(errors)
            .required()
            .html(),
    ]
    .concat();
    let body = ui::render(&AdminPage {
        csrf: &ctx.csrf,
        summary: error_summary(errors),
        pending: redeem::queue(&state.db, "pending").await?,
        reward_fields,
        fulfilments: FULFILMENTS,
        fulfilment: if reward.fulfilment.is_empty() { "digital_code".into() } else { reward.fulfilment.clone() },
        adjust_fields,
        rules: rules::all(&state.db)
            .await?
            .into_iter()
            .map(|r| {
                let f = rule_fields(&r, typed, errors);
                (r, f)
            })
            .collect(),
        member_filter: member_filter.to_string(),
        member_error: errors.get("member").map(str::to_string),
        ledger,
        note: typed.note.clone(),
        note_error: errors.get("note").map(str::to_string),
        note_forms: NOTE_FORMS,
    });
    Ok((errors.page_status(), ui::page_with_notice(state, ctx, "Rewards (staff)", "/admin/rewards", &body, notice))
        .into_response())
}

/// An earning rule's fields: as stored, or, for the rule whose change was refused, as
/// typed with each message beside its field (the only fields on the page with those ids).
fn rule_fields(r: &Rule, typed: &Typed, errors: &FieldErrors) -> String {
    let cap = |c: Option<i64>| c.map(|c| c.to_string()).unwrap_or_default();
    let Some((_, f)) = typed.rule.as_ref().filter(|(code, _)| *code == r.code) else {
        return format!(
            "<div class=\"field\"><label for=\"p-{c}\">Points</label><input type=\"number\" min=\"0\" id=\"p-{c}\" name=\"points\" value=\"{}\"></div>\
             <div class=\"field\"><label for=\"d-{c}\">Daily cap</label><input type=\"number\" min=\"0\" id=\"d-{c}\" name=\"daily_cap\" value=\"{}\"></div>\
             <div class=\"field\"><label for=\"l-{c}\">Lifetime cap</label><input type=\"number\" min=\"0\" id=\"l-{c}\" name=\"lifetime_cap\" value=\"{}\"></div>",
            r.points,
            cap(r.daily_cap),
            cap(r.lifetime_cap),
            c = ui::escape(&r.code),
        );
    };
    [
        Field::new("points", "Points", &f.points, Input::Number).errors(errors).html(),
        Field::new("daily_cap", "Daily cap", &f.daily_cap, Input::Number).errors(errors).html(),
        Field::new("lifetime_cap", "Lifetime cap", &f.lifetime_cap, Input::Number).errors(errors).html(),
    ]
    .concat()
}

async fn admin_page(Req { state, ctx }: Req, ApiQuery(q): ApiQuery<LedgerQuery>) -> AppResult<Response> {
    let mut errors = FieldErrors::new();
    if !q.member.trim().is_empty() && q.member.trim().parse::<MemberId>().is_err() {
        errors.add("member", "That is not a member id.");
    }
    render_admin(&state, &ctx, &errors, &Typed::default(), &q.member, None).await
}

async fn admin_create_reward(Req { state, ctx }: Req, HtmlForm(f): HtmlForm<RewardForm>) -> AppResult<Response> {
    let staff = ctx.viewer.require_role(Role::Staff)?;
    let result = match reward_input(&f) {
        Ok(new) => catalogue::create(&state, staff.id, &new, &ctx.client_ip).await.map(|_| ()),
        Err(errors) => Err(AppError::Validation(errors)),
    };
    match result {
        Ok(()) => Ok(kernel::http::redirect("/admin/rewards").into_response()),
        Err(AppError::Validation(e)) => render_admin(&state, &ctx, &e, &Typed::reward(f), "", None).await,
        Err(e) => Err(e),
    }
}

async fn admin_adjust(Req { state, ctx }: Req, HtmlForm(f): HtmlForm<AdjustForm>) -> AppResult<Response> {
    let staff = ctx.viewer.require_role(Role::Staff)?;
    let mut errors = FieldErrors::new();
    let member_id =
        f.member_id.trim().parse::<MemberId>().map_err(|_| errors.add("member_id", "That is not a member id.")).ok();
    let amount = number(&f.amount, "amount", &mut errors);
    if amount.is_none() && errors.get("amount").is_none() {
        errors.add("amount", "Enter a number of points.");
    }
    let result = match (member_id, amount, errors.is_empty()) {
        (Some(member_id), Some(amount), true) => adjust::adjust(
            &state,
            staff.id,
            &Adjustment { member_id, amount, reason: f.reason.clone() },
            &ctx.client_ip,
        )
        .await
        .map(|_| ()),
        _ => Err(AppError::Validation(errors)),
    };
    match result {
        Ok(()) => Ok(kernel::http::redirect(&format!("/admin/rewards?member={}", f.member_id.trim())).into_response()),
        Err(AppError::Validation(e)) => render_admin(&state, &ctx, &e, &Typed::adjustment(f), "", None).await,
        Err(AppError::Conflict { message, .. }) => {
            let mut e = FieldErrors::new();
            e.add("amount", message);
            render_admin(&state, &ctx, &e, &Typed::adjustment(f), "", None).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default, Clone)]
struct RuleForm {
    #[serde(default)]
    points: String,
    #[serde(default)]
    daily_cap: String,
    #[serde(default)]
    lifetime_cap: String,
    #[serde(default)]
    enabled: Option<String>,
}

async fn admin_rule(
    Req { state, ctx }: Req,
    Path(code): Path<String>,
    HtmlForm(f): HtmlForm<RuleForm>,
) -> AppResult<Response> {
    let staff = ctx.viewer.require_role(Role::Staff)?;
    let mut errors = FieldErrors::new();
    let points = number(&f.points, "points", &mut errors).unwrap_or(-1);
    let change = RuleChange {
        points,
        daily_cap: number(&f.daily_cap, "daily_cap", &mut errors),
        lifetime_cap: number(&f.lifetime_cap, "lifetime_cap", &mut errors),
        enabled: f.enabled.is_some(),
        label: None,
    };
    let result = if errors.is_empty() {
        rules::update(&state, staff.id, &code, &change, &ctx.client_ip).await.map(|_| ())
    } else {
        Err(AppError::Validation(errors))
    };
    match result {
        Ok(()) => {
            let saved = Some("The rule has been saved; it applies from now on.");
            render_admin(&state, &ctx, &FieldErrors::new(), &Typed::default(), "", saved).await
        }
        Err(AppError::Validation(e)) => {
            let typed = Typed { rule: Some((code, f)), ..Default::default() };
            render_admin(&state, &ctx, &e, &typed, "", None).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
struct NoteForm {
    #[serde(default)]
    note: String,
}

async fn admin_fulfil(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    HtmlForm(f): HtmlForm<NoteForm>,
) -> AppResult<Response> {
    let staff = ctx.viewer.require_role(Role::Staff)?;
    let id = path_id(&id)?;
    let typed = Typed { note: Some((id, "fulfil", f.note.clone())), ..Default::default() };
    decided(&state, &ctx, &typed, redeem::fulfil(&state, staff.id, id, &f.note, &ctx.client_ip).await).await
}

async fn admin_reject(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    HtmlForm(f): HtmlForm<NoteForm>,
) -> AppResult<Response> {
    let staff = ctx.viewer.require_role(Role::Staff)?;
    let id = path_id(&id)?;
    let typed = Typed { note: Some((id, "reject", f.note.clone())), ..Default::default() };
    decided(&state, &ctx, &typed, redeem::reject(&state, staff.id, id, &f.note, &ctx.client_ip).await).await
}

async fn decided(
    state: &AppState,
    ctx: &RequestContext,
    typed: &Typed,
    result: AppResult<Redemption>,
) -> AppResult<Response> {
    match result {
        Ok(_) => Ok(kernel::http::redirect("/admin/rewards").into_response()),
        Err(AppError::Validation(e)) => render_admin(state, ctx, &e, typed, "", None).await,
        Err(AppError::Conflict { message, .. }) => {
            render_admin(state, ctx, &FieldErrors::new(), &Typed::default(), "", Some(&message)).await
        }
        Err(e) => Err(e),
    }
}

/// The ledger as CSV (staff). Audited, as it is an export of members' data.
async fn ledger_csv(Req { state, ctx }: Req, ApiQuery(q): ApiQuery<LedgerQuery>) -> AppResult<Response> {
    let staff = ctx.viewer.require_role(Role::Staff)?;
    let rows = ledger_rows(&state, &q.member, 100_000).await?;
    kernel::audit::record(
        state.db.writer(),
        Some(staff.id),
        "ledger_exported",
        None,
        Some(&ctx.client_ip),
        serde_json::json!({ "member": q.member, "rows": rows.len() }),
    )
    .await?;
    let mut out = String::from("created_at,member_id,reason,amount,note\n");
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{},{}\n",
            r.created_at.to_rfc3339(),
            r.member_id,
            kernel::csv::field(&r.reason),
            r.amount,
            kernel::csv::field(&r.note)
        ));
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"ledger.csv\""),
        ],
        out,
    )
        .into_response())
}
