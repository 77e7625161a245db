//! The members slice's JSON API (routes under `/api/v1` are a contract: see the README).

use std::collections::BTreeMap;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kernel::http::{ApiJson, ApiQuery, Req, path_id};
use kernel::ids::MemberId;
use kernel::page::Page;
use kernel::viewer::{Role, Visibility};
use kernel::{AppError, AppResult, AppState};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::accounts::{self, SignupInput};
use crate::conditions::{self, Condition};
use crate::directory::{self, Filters, MemberCard};
use crate::profile::{self, ProfilePatch, ProfileView};
use crate::{data, model::MemberType};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/signup", post(signup))
        .route("/api/v1/auth/verify", post(verify))
        .route("/api/v1/auth/token", post(create_token).delete(revoke_token))
        .route("/api/v1/me", get(me).delete(delete_me))
        .route("/api/v1/me/profile", axum::routing::patch(patch_profile))
        .route("/api/v1/me/export", get(export))
        .route("/api/v1/me/tokens", get(list_tokens))
        .route("/api/v1/me/tokens/{id}", axum::routing::delete(revoke_token_by_id))
        .route("/api/v1/members", get(list_members))
        .route("/api/v1/members/{id}", get(get_member))
        .route("/api/v1/conditions", get(list_conditions))
        .route("/api/v1/admin/members/{id}/role", post(admin_set_role))
        .route("/api/v1/admin/members/{id}/health-leader", post(admin_health_leader))
        .route("/api/v1/admin/members/{id}/suspension", post(admin_suspension))
        .route("/api/v1/admin/members/{id}", axum::routing::delete(admin_erase))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        signup,
        verify,
        create_token,
        revoke_token,
        me,
        delete_me,
        patch_profile,
        export,
        list_tokens,
        revoke_token_by_id,
        list_members,
        get_member,
        list_conditions,
        admin_set_role,
        admin_health_leader,
        admin_suspension,
        admin_erase
    ),
    components(schemas(
        SignupBody,
        SignupAccepted,
        VerifyBody,
        Verified,
        TokenBody,
        TokenIssued,
        Me,
        ProfileView,
        ProfilePatch,
        MemberCard,
        Condition,
        ConditionList,
        RoleBody,
        FlagBody,
        EraseBody,
        MemberType,
        Visibility,
        DeleteBody,
        TokenList,
        kernel::session::ApiTokenInfo
    ))
)]
pub struct MembersApi;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupBody {
    #[schema(min_length = 3, max_length = 254)]
    pub email: String,
    /// 8 to 256 characters, not a common or easily guessed password.
    #[schema(min_length = 8, max_length = 256)]
    pub password: String,
    #[schema(min_length = 1)]
    pub display_name: String,
    /// patient, caregiver, healthcare_professional or advocate
    #[schema(pattern = "^(patient|caregiver|healthcare_professional|advocate)$")]
    pub member_type: String,
}

#[derive(Serialize, ToSchema)]
pub struct SignupAccepted {
    /// Always "verification_sent": the same answer whether or not the address already had an account.
    pub status: &'static str,
    pub message: &'static str,
}

/// Sign up. A verification link goes to the address.
#[utoipa::path(post, path = "/api/v1/auth/signup", request_body = SignupBody, tag = "auth",
    responses((status = 201, body = SignupAccepted), (status = 422, description = "Invalid fields"), (status = 429, description = "Too many sign-ups")))]
async fn signup(Req { state, ctx }: Req, ApiJson(b): ApiJson<SignupBody>) -> AppResult<Response> {
    let input =
        SignupInput { email: b.email, password: b.password, display_name: b.display_name, member_type: b.member_type };
    accounts::signup(&state, &input, &ctx.client_ip).await?;
    Ok((
        StatusCode::CREATED,
        Json(SignupAccepted {
            status: "verification_sent",
            message: "Check your e-mail for a link to confirm your address.",
        }),
    )
        .into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyBody {
    /// The token from the verification link.
    pub token: String,
}

#[derive(Serialize, ToSchema)]
pub struct Verified {
    pub member_id: MemberId,
    pub verified: bool,
}

/// Confirm an e-mail address with the token from the verification link.
#[utoipa::path(post, path = "/api/v1/auth/verify", request_body = VerifyBody, tag = "auth",
    responses((status = 200, body = Verified), (status = 400, description = "Invalid, used or expired token")))]
async fn verify(state: axum::extract::State<AppState>, ApiJson(b): ApiJson<VerifyBody>) -> AppResult<Json<Verified>> {
    let member_id = accounts::verify_email(&state, &b.token).await?;
    Ok(Json(Verified { member_id, verified: true }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenBody {
    pub email: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenIssued {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
}

/// Log in for scripts: a personal access token.
#[utoipa::path(post, path = "/api/v1/auth/token", request_body = TokenBody, tag = "auth",
    responses((status = 200, body = TokenIssued), (status = 401, description = "Wrong e-mail or password"), (status = 429, description = "Too many attempts")))]
async fn create_token(Req { state, ctx }: Req, ApiJson(b): ApiJson<TokenBody>) -> AppResult<Json<TokenIssued>> {
    let member = accounts::check_credentials(&state, &b.email, &b.password, &ctx.client_ip).await?;
    Ok(Json(TokenIssued { token: accounts::login_token(&state, member, &ctx.client_ip).await? }))
}

/// Revoke the token this request is made with.
#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Revoked"), (status = 401, description = "No valid token")))]
async fn revoke_token(state: axum::extract::State<AppState>, headers: axum::http::HeaderMap) -> AppResult<StatusCode> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(AppError::Unauthorized)?;
    if kernel::session::revoke_api_token(&state.db, token.trim()).await? {
        let revoked = kernel::session::Credential::Token(kernel::secret::token_hash(token.trim()));
        kernel::live::end_streams(&state.db, &revoked);
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::Unauthorized)
    }
}

/// The signed-in member's own account and full profile.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: MemberId,
    pub email: Option<String>,
    pub role: Role,
    pub health_leader: bool,
    pub display_name: String,
    pub pronouns: String,
    pub member_type: Option<MemberType>,
    pub conditions: Vec<Condition>,
    pub story: String,
    pub channels: Vec<profile::Channel>,
    pub country: String,
    pub region: String,
    pub languages: Vec<String>,
    pub time_zone: String,
    pub avatar_url: Option<String>,
    pub visibility: BTreeMap<String, Visibility>,
}

pub async fn me_of(state: &AppState, id: MemberId) -> AppResult<Me> {
    let row = profile::load_row(state.db.writer(), id).await?.ok_or(AppError::NotFound)?;
    Ok(Me {
        id,
        email: row.email.clone(),
        role: Role::parse(&row.role).unwrap_or(Role::Member),
        health_leader: row.health_leader_since.is_some(),
        display_name: row.display_name.clone(),
        pronouns: row.pronouns.clone(),
        member_type: MemberType::parse(&row.member_type),
        conditions: profile::conditions_of(&state.db, id).await?,
        story: row.story.clone(),
        channels: profile::channels_of(&state.db, id).await?,
        country: row.country.clone(),
        region: row.region.clone(),
        languages: row.languages.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
        time_zone: row.time_zone.clone(),
        avatar_url: row.avatar_file.as_ref().map(|_| format!("/members/{id}/avatar")),
        visibility: row.visibility_map(),
    })
}

#[utoipa::path(get, path = "/api/v1/me", tag = "me", security(("bearer" = [])), responses((status = 200, body = Me), (status = 401)))]
async fn me(Req { state, ctx }: Req) -> AppResult<Json<Me>> {
    let m = ctx.viewer.require_member()?;
    Ok(Json(me_of(&state, m.id).await?))
}

/// Change any subset of the profile's fields, and who sees each.
#[utoipa::path(patch, path = "/api/v1/me/profile", tag = "me", request_body = ProfilePatch, security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 400, description = "Malformed body or unknown field"), (status = 422, description = "Invalid values; nothing was changed")))]
async fn patch_profile(Req { state, ctx }: Req, ApiJson(p): ApiJson<ProfilePatch>) -> AppResult<Json<Me>> {
    let m = ctx.viewer.require_member()?;
    profile::update(&state, m.id, &p).await?;
    Ok(Json(me_of(&state, m.id).await?))
}

/// Everything the platform holds about me, as one JSON document.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "me", security(("bearer" = [])), responses((status = 200, description = "The export"), (status = 401)))]
async fn export(Req { state, ctx }: Req) -> AppResult<Response> {
    let m = ctx.viewer.require_member()?;
    let doc = data::export(&state, m.id, &ctx.client_ip).await?;
    Ok((
        [(axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"my-social-health-network-data.json\"")],
        Json(doc),
    )
        .into_response())
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteBody {
    /// The account's password. It may be left out only with a token issued by logging
    /// in within the last ten minutes.
    #[serde(default)]
    pub password: Option<String>,
}

/// How recently a token must have been issued for it to stand in for the password.
const RECENT_LOGIN: chrono::Duration = chrono::Duration::minutes(10);

/// Delete my account: personal data and uploads are erased. Needs the password, or a
/// token issued in the last ten minutes (that is, just now from the password).
#[utoipa::path(delete, path = "/api/v1/me", tag = "me", request_body(content = Option<DeleteBody>, description = "Optional: the password"),
    security(("bearer" = [])), responses((status = 204, description = "Deleted"), (status = 401), (status = 422, description = "Password missing or wrong"), (status = 429)))]
async fn delete_me(
    Req { state, ctx }: Req,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> AppResult<StatusCode> {
    let m = ctx.viewer.require_member()?;
    let b: DeleteBody = kernel::http::optional_json(&body)?;
    match b.password {
        Some(p) => {
            accounts::refuse_oversized(&[], &[("password", &p)])?;
            if !accounts::confirm_password(&state, m.id, &p).await? {
                return Err(AppError::field(
                    "password",
                    "That is not your password. Your account has not been deleted.",
                ));
            }
        }
        None => {
            let issued = match bearer(&headers) {
                Some(t) => kernel::session::api_token_issued_at(&state.db, t).await?,
                None => None,
            };
            if issued.is_none_or(|t| kernel::time::now() - t >= RECENT_LOGIN) {
                return Err(AppError::field(
                    "password",
                    "Give your password to delete your account (or use a token you got in the last ten minutes).",
                ));
            }
        }
    }
    data::delete_account(&state, m.id, &ctx.client_ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

#[derive(Serialize, ToSchema)]
pub struct TokenList {
    pub items: Vec<kernel::session::ApiTokenInfo>,
}

/// My live personal access tokens (never the tokens themselves).
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "me", security(("bearer" = [])), responses((status = 200, body = TokenList), (status = 401)))]
async fn list_tokens(Req { state, ctx }: Req) -> AppResult<Json<TokenList>> {
    let m = ctx.viewer.require_member()?;
    Ok(Json(TokenList { items: kernel::session::list_api_tokens(&state.db, &state.config, m.id).await? }))
}

/// Revoke one of my tokens by its id.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "me", params(("id" = uuid::Uuid, Path)), security(("bearer" = [])),
    responses((status = 204, description = "Revoked"), (status = 401), (status = 404)))]
async fn revoke_token_by_id(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<StatusCode> {
    let m = ctx.viewer.require_member()?;
    accounts::revoke_token(&state, m.id, path_id(&id)?, &ctx.client_ip, "api").await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The member directory. Filters match only fields the viewer may see.
#[utoipa::path(get, path = "/api/v1/members", tag = "members", params(Filters),
    responses((status = 200, body = Page<MemberCard>), (status = 400, description = "Bad cursor"), (status = 422, description = "Bad filter")))]
async fn list_members(Req { state, ctx }: Req, ApiQuery(f): ApiQuery<Filters>) -> AppResult<Json<Page<MemberCard>>> {
    Ok(Json(directory::search(&state.db, &ctx.viewer, &f).await?))
}

/// One member's profile, showing only what the viewer may see.
#[utoipa::path(get, path = "/api/v1/members/{id}", tag = "members", params(("id" = MemberId, Path)),
    responses((status = 200, body = ProfileView), (status = 404)))]
async fn get_member(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Json<ProfileView>> {
    let id: MemberId = path_id(&id)?;
    profile::view(&state.db, &ctx.viewer, id).await?.map(Json).ok_or(AppError::NotFound)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConditionQuery {
    /// Part of a name or synonym.
    pub q: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ConditionList {
    pub items: Vec<Condition>,
}

/// The conditions members can pick, searchable by name and synonym.
#[utoipa::path(get, path = "/api/v1/conditions", tag = "members", params(ConditionQuery), responses((status = 200, body = ConditionList)))]
async fn list_conditions(
    state: axum::extract::State<AppState>,
    ApiQuery(q): ApiQuery<ConditionQuery>,
) -> AppResult<Json<ConditionList>> {
    let q = q.q.unwrap_or_default();
    let q = kernel::search::search_text(&q)?;
    Ok(Json(ConditionList { items: conditions::search(&state.db, q, 200).await? }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    /// member, moderator, staff or admin
    #[schema(pattern = "^(member|moderator|staff|admin)$")]
    pub role: String,
}

/// Change a member's role (admins).
#[utoipa::path(post, path = "/api/v1/admin/members/{id}/role", tag = "admin", request_body = RoleBody, params(("id" = MemberId, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 403), (status = 404), (status = 422)))]
async fn admin_set_role(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<StatusCode> {
    let actor = ctx.viewer.require_role(Role::Admin)?;
    let b: RoleBody = kernel::http::json(&body)?;
    let id: MemberId = path_id(&id)?;
    let role = Role::parse(b.role.trim())
        .ok_or_else(|| AppError::field("role", "Choose member, moderator, staff or admin."))?;
    accounts::set_role(&state, actor.id, id, role, &ctx.client_ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlagBody {
    pub on: bool,
}

/// Grant (`on: true`) or remove the Health Leader badge (staff).
#[utoipa::path(post, path = "/api/v1/admin/members/{id}/health-leader", tag = "admin", request_body = FlagBody, params(("id" = MemberId, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 403), (status = 404)))]
async fn admin_health_leader(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<StatusCode> {
    let actor = ctx.viewer.require_role(Role::Staff)?;
    let b: FlagBody = kernel::http::json(&body)?;
    accounts::set_health_leader(&state, actor.id, path_id(&id)?, b.on, &ctx.client_ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Suspend (`on: true`) or reinstate an account (staff).
#[utoipa::path(post, path = "/api/v1/admin/members/{id}/suspension", tag = "admin", request_body = FlagBody, params(("id" = MemberId, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 403), (status = 404)))]
async fn admin_suspension(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<StatusCode> {
    let actor = ctx.viewer.require_role(Role::Staff)?;
    let b: FlagBody = kernel::http::json(&body)?;
    accounts::set_suspended(&state, actor.id, path_id(&id)?, b.on, &ctx.client_ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseBody {
    /// The account's e-mail address, typed again to confirm.
    #[schema(max_length = 254)]
    pub email: String,
}

/// Erase a member's account (staff), as they could themselves (`DELETE /api/v1/me`):
/// personal data and uploads go everywhere on the network. Never one's own account, and
/// an admin's only by an admin (never the last one).
#[utoipa::path(delete, path = "/api/v1/admin/members/{id}", tag = "admin", request_body = EraseBody, params(("id" = MemberId, Path)),
    security(("bearer" = [])), responses((status = 204, description = "Erased"), (status = 400, description = "Your own account"),
    (status = 403), (status = 404), (status = 409, description = "The last admin"), (status = 422, description = "The e-mail address does not match")))]
async fn admin_erase(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> AppResult<StatusCode> {
    let actor = ctx.viewer.require_role(Role::Staff)?;
    let b: EraseBody = kernel::http::json(&body)?;
    data::erase_by_staff(&state, actor.id, path_id(&id)?, &b.email, &ctx.client_ip).await?;
    Ok(StatusCode::NO_CONTENT)
}
