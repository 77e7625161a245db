//! The rewards JSON API (fixed routes: see the README).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kernel::http::{ApiJson, ApiQuery, Req, path_id};
use kernel::viewer::Role;
use kernel::{AppError, AppResult, AppState};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use crate::adjust::{self, Adjustment};
use crate::catalogue::{self, NewReward, Reward, RewardPatch};
use crate::leaderboard::{self, Place};
use crate::ledger::{self, Entry};
use crate::redeem::{self, Outcome, Redemption};
use crate::rules::{self, Rule, RuleChange};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/points", get(my_points))
        .route("/api/v1/me/redemptions", get(my_redemptions))
        .route("/api/v1/me/leaderboard", axum::routing::put(set_leaderboard))
        .route("/api/v1/leaderboard", get(leaderboard_list))
        .route("/api/v1/rewards", get(list_rewards))
        .route("/api/v1/rewards/{id}/redemptions", post(create_redemption))
        .route("/api/v1/earning-rules", get(list_rules))
        .route("/api/v1/admin/earning-rules/{code}", get(get_rule).put(put_rule))
        .route("/api/v1/admin/points/adjustments", post(create_adjustment))
        .route("/api/v1/admin/rewards", post(create_reward))
        .route("/api/v1/admin/rewards/{id}", axum::routing::patch(patch_reward).delete(delete_reward))
        .route("/api/v1/admin/redemptions", get(redemption_queue))
        .route("/api/v1/admin/redemptions/{id}/fulfil", post(fulfil))
        .route("/api/v1/admin/redemptions/{id}/reject", post(reject))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        my_points,
        my_redemptions,
        set_leaderboard,
        leaderboard_list,
        list_rewards,
        create_redemption,
        list_rules,
        get_rule,
        put_rule,
        create_adjustment,
        create_reward,
        patch_reward,
        delete_reward,
        redemption_queue,
        fulfil,
        reject
    ),
    components(schemas(
        Points,
        Entry,
        Redemption,
        RedemptionList,
        Reward,
        RewardList,
        NewReward,
        RewardPatch,
        Rule,
        RuleList,
        RuleChange,
        Adjustment,
        Decision,
        OptIn,
        Place,
        Leaderboard
    ))
)]
pub struct RewardsApi;

#[derive(Serialize, ToSchema)]
pub struct Points {
    pub balance: i64,
    /// Newest first.
    pub entries: Vec<Entry>,
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CursorQuery {
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (20 when absent).
    #[serde(default, deserialize_with = "kernel::page::limit_in_range")]
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
}

/// My balance and history.
#[utoipa::path(get, path = "/api/v1/me/points", tag = "rewards", params(CursorQuery), security(("bearer" = [])),
    responses((status = 200, body = Points), (status = 401)))]
async fn my_points(Req { state, ctx }: Req, ApiQuery(q): ApiQuery<CursorQuery>) -> AppResult<Json<Points>> {
    let me = ctx.viewer.require_member()?;
    // An empty cursor is the first page, as on every other list.
    let cursor = q.cursor.as_deref().filter(|c| !c.is_empty());
    let page = ledger::history(&state.db, me.id, cursor, kernel::page::limit(q.limit)).await?;
    Ok(Json(Points {
        balance: ledger::balance(&state.db, me.id).await?,
        entries: page.items,
        next_cursor: page.next_cursor,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct RedemptionList {
    pub items: Vec<Redemption>,
}

#[utoipa::path(get, path = "/api/v1/me/redemptions", tag = "rewards", security(("bearer" = [])), responses((status = 200, body = RedemptionList)))]
async fn my_redemptions(Req { state, ctx }: Req) -> AppResult<Json<RedemptionList>> {
    let me = ctx.viewer.require_member()?;
    Ok(Json(RedemptionList { items: redeem::mine(&state.db, me.id).await? }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptIn {
    pub opt_in: bool,
}

/// Appear on (or leave) the monthly leaderboard.
#[utoipa::path(put, path = "/api/v1/me/leaderboard", tag = "rewards", request_body = OptIn, security(("bearer" = [])), responses((status = 204)))]
async fn set_leaderboard(Req { state, ctx }: Req, ApiJson(b): ApiJson<OptIn>) -> AppResult<StatusCode> {
    let me = ctx.viewer.require_member()?;
    leaderboard::set_opt_in(&state.db, me.id, b.opt_in).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Leaderboard {
    pub items: Vec<Place>,
}

/// This month's leaderboard (members only; only those who opted in).
#[utoipa::path(get, path = "/api/v1/leaderboard", tag = "rewards", security(("bearer" = [])), responses((status = 200, body = Leaderboard)))]
async fn leaderboard_list(Req { state, ctx }: Req) -> AppResult<Json<Leaderboard>> {
    ctx.viewer.require_member()?;
    Ok(Json(Leaderboard { items: leaderboard::this_month(&state, 50).await? }))
}

#[derive(Serialize, ToSchema)]
pub struct RewardList {
    pub items: Vec<Reward>,
}

/// The rewards available now.
#[utoipa::path(get, path = "/api/v1/rewards", tag = "rewards", responses((status = 200, body = RewardList)))]
async fn list_rewards(State(state): State<AppState>) -> AppResult<Json<RewardList>> {
    Ok(Json(RewardList { items: catalogue::available(&state.db).await? }))
}

/// Redeem points for a reward. Send an `Idempotency-Key` header: a replay returns the
/// first result and debits nothing.
#[utoipa::path(post, path = "/api/v1/rewards/{id}/redemptions", tag = "rewards", params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    security(("bearer" = [])),
    responses((status = 201, body = Redemption), (status = 404), (status = 409, description = "insufficient_points, out_of_stock, limit_reached or not_available")))]
async fn create_redemption(Req { state, ctx }: Req, headers: HeaderMap, Path(id): Path<String>) -> AppResult<Response> {
    let me = ctx.viewer.require_member()?;
    let reward: Uuid = path_id(&id)?;
    let key = match headers.get("idempotency-key") {
        Some(v) => Some(
            v.to_str()
                .map_err(|_| AppError::bad_request("invalid_idempotency_key", "Idempotency-Key must be plain text."))?,
        ),
        None => None,
    };
    let (r, replayed) = match redeem::redeem(&state, me.id, reward, key).await? {
        Outcome::Created(r) => (r, false),
        Outcome::Replayed(r) => (r, true),
    };
    let mut res = (StatusCode::CREATED, [(header::LOCATION, format!("/api/v1/me/redemptions#{}", r.id))], Json(r))
        .into_response();
    if replayed {
        res.headers_mut().insert("idempotent-replayed", header::HeaderValue::from_static("true"));
    }
    Ok(res)
}

#[derive(Serialize, ToSchema)]
pub struct RuleList {
    pub items: Vec<Rule>,
}

/// What earns points.
#[utoipa::path(get, path = "/api/v1/earning-rules", tag = "rewards", responses((status = 200, body = RuleList)))]
async fn list_rules(State(state): State<AppState>) -> AppResult<Json<RuleList>> {
    Ok(Json(RuleList { items: rules::all(&state.db).await? }))
}

#[utoipa::path(get, path = "/api/v1/admin/earning-rules/{code}", tag = "rewards-admin", params(("code" = String, Path)),
    security(("bearer" = [])), responses((status = 200, body = Rule), (status = 404)))]
async fn get_rule(Req { state, ctx }: Req, Path(code): Path<String>) -> AppResult<Json<Rule>> {
    ctx.viewer.require_role(Role::Staff)?;
    Ok(Json(rules::get(&state.db, &code).await?))
}

/// Change a rule; it applies to events from now on.
#[utoipa::path(put, path = "/api/v1/admin/earning-rules/{code}", tag = "rewards-admin", params(("code" = String, Path)), request_body = RuleChange,
    security(("bearer" = [])), responses((status = 200, body = Rule), (status = 404), (status = 422)))]
async fn put_rule(Req { state, ctx }: Req, Path(code): Path<String>, body: axum::body::Bytes) -> AppResult<Json<Rule>> {
    let staff = ctx.viewer.require_role(Role::Staff)?;
    let b: RuleChange = kernel::http::json(&body)?;
    Ok(Json(rules::update(&state, staff.id, &code, &b, &ctx.client_ip).await?))
}

/// Credit or debit a member by hand, with a reason. Audited.
#[utoipa::path(post, path = "/api/v1/admin/points/adjustments", tag = "rewards-admin", request_body = Adjustment,
    security(("bearer" = [])), responses((status = 201, body = Entry), (status = 404), (status = 409), (status = 422)))]
async fn create_adjustment(Req { state, ctx }: Req, body: axum::body::Bytes) -> AppResult<Response> {
    let staff = ctx.viewer.require_role(Role::Staff)?;
    let b: Adjustment = kernel::http::json(&body)?;
    let entry = adjust::adjust(&state, staff.id, &b, &ctx.client_ip).await?;
    Ok((StatusCode::CREATED, Json(entry)).into_response())
}

/// Add a reward to the catalogue.
#[utoipa::path(post, path = "/api/v1/admin/rewards", tag = "rewards-admin", request_body = NewReward,
    security(("bearer" = [])), responses((status = 201, body = Reward), (status = 404), (status = 422)))]
async fn create_reward(Req { state, ctx }: Req, body: axum::body::Bytes) -> AppResult<Response> {
    let staff = ctx.viewer.require_role(Role::Staff)?;
    let b: NewReward = kernel::http::json(&body)?;
    let reward = catalogue::create(&state, staff.id, &b, &ctx.client_ip).await?;
    Ok((StatusCode::CREATED, Json(reward)).into_response())
}

/// Change a reward: the fields sent, by the same checks as adding one; `"active": false`
/// retires it (members no longer see or redeem it; redemptions already made stay).
#[utoipa::path(patch, path = "/api/v1/admin/rewards/{id}", tag = "rewards-admin", params(("id" = Uuid, Path)), request_body = RewardPatch,
    security(("bearer" = [])), responses((status = 200, body = Reward), (status = 404), (status = 422)))]
async fn patch_reward(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Json<Reward>> {
    let staff = ctx.viewer.require_role(Role::Staff)?;
    let id: Uuid = path_id(&id)?;
    let change: RewardPatch = kernel::http::json(&body)?;
    Ok(Json(catalogue::patch(&state, staff.id, id, &change, &ctx.client_ip).await?))
}

/// Delete a reward nobody has redeemed. A redeemed one is part of members' histories:
/// 409 `reward_redeemed`, retire it instead (`PATCH` with `"active": false`).
#[utoipa::path(delete, path = "/api/v1/admin/rewards/{id}", tag = "rewards-admin", params(("id" = Uuid, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 404), (status = 409, description = "reward_redeemed")))]
async fn delete_reward(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<StatusCode> {
    let staff = ctx.viewer.require_role(Role::Staff)?;
    match catalogue::delete(&state, staff.id, path_id(&id)?, &ctx.client_ip).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        // The same refusal as the console's, with the API's way to retire it.
        Err(AppError::Conflict { code, .. }) => Err(AppError::conflict(
            code,
            "This reward has been redeemed, so it cannot be deleted: retire it instead (PATCH it with \"active\": false).",
        )),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// pending (default), fulfilled or rejected
    #[param(pattern = "^(pending|fulfilled|rejected)$")]
    pub status: Option<String>,
}

/// The redemption queue.
#[utoipa::path(get, path = "/api/v1/admin/redemptions", tag = "rewards-admin", params(QueueQuery), security(("bearer" = [])),
    responses((status = 200, body = RedemptionList), (status = 404), (status = 422)))]
async fn redemption_queue(
    Req { state, ctx }: Req,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> AppResult<Json<RedemptionList>> {
    ctx.viewer.require_role(Role::Staff)?;
    let status = q.status.unwrap_or_else(|| "pending".into());
    if !["pending", "fulfilled", "rejected"].contains(&status.as_str()) {
        return Err(AppError::field("status", "Choose pending, fulfilled or rejected."));
    }
    Ok(Json(RedemptionList { items: redeem::queue(&state.db, &status).await? }))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
// Named apart from the moderation slice's `Decision` in the one OpenAPI document.
#[schema(as = RedemptionDecision)]
pub struct Decision {
    /// For fulfilment: the code or note the member sees. For rejection: why (required).
    #[serde(default)]
    pub note: String,
}

/// Mark a pending redemption fulfilled.
#[utoipa::path(post, path = "/api/v1/admin/redemptions/{id}/fulfil", tag = "rewards-admin", params(("id" = Uuid, Path)), request_body = Option<Decision>,
    security(("bearer" = [])), responses((status = 200, body = Redemption), (status = 404), (status = 409)))]
async fn fulfil(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Json<Redemption>> {
    let staff = ctx.viewer.require_role(Role::Staff)?;
    let d: Decision = kernel::http::optional_json(&body)?;
    Ok(Json(redeem::fulfil(&state, staff.id, path_id(&id)?, &d.note, &ctx.client_ip).await?))
}

/// Reject a pending redemption: points and stock are returned.
#[utoipa::path(post, path = "/api/v1/admin/redemptions/{id}/reject", tag = "rewards-admin", params(("id" = Uuid, Path)), request_body = Decision,
    security(("bearer" = [])), responses((status = 200, body = Redemption), (status = 404), (status = 409), (status = 422)))]
async fn reject(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Json<Redemption>> {
    let staff = ctx.viewer.require_role(Role::Staff)?;
    let d: Decision = kernel::http::optional_json(&body)?;
    Ok(Json(redeem::reject(&state, staff.id, path_id(&id)?, &d.note, &ctx.client_ip).await?))
}
