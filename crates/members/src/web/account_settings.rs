//! The member's account settings: password, e-mail address, API tokens, and "my data"
//! (download and account deletion).

use askama::Template;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kernel::error::FieldErrors;
use kernel::http::{ApiQuery, HtmlForm, Req, RequestContext, path_id, set_cookie};
use kernel::session::SESSION_COOKIE;
use kernel::ui::{self, error_summary};
use kernel::{AppError, AppResult, AppState};
use serde::Deserialize;

use super::{
    Done, SettingsNav, email_field, login_required, message, new_password_field, notice_for, page, password_field,
};
use crate::accounts::{self};
use crate::data;
use crate::profile::{self};

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    csrf: &'a str,
    settings_nav: String,
    email: String,
    sessions: i64,
    pw_summary: String,
    current_password: String,
    new_password: String,
    em_summary: String,
    new_email: String,
    email_password: String,
    tokens: Vec<kernel::session::ApiTokenInfo>,
    token_days: u64,
}

async fn render_account(
    state: &AppState,
    ctx: &RequestContext,
    pw: &FieldErrors,
    em: &FieldErrors,
    new_email: &str,
    notice: Option<&str>,
) -> AppResult<Response> {
    let m = ctx.viewer.require_member()?;
    let row = profile::load_row(state.db.writer(), m.id).await?.ok_or(AppError::NotFound)?;
    let body = ui::render(&AccountPage {
        csrf: &ctx.csrf,
        settings_nav: ui::render(&SettingsNav { current: "account" }),
        email: row.email.unwrap_or_default(),
        sessions: kernel::session::count_for(&state.db, m.id).await?,
        pw_summary: error_summary(pw),
        current_password: password_field("current_password", "Current password", pw),
        new_password: new_password_field("new_password", "New password", "At least 8 characters.", pw),
        em_summary: error_summary(em),
        new_email: email_field("new_email", "New e-mail address", new_email, em),
        email_password: password_field("password", "Your password", em),
        tokens: kernel::session::list_api_tokens(&state.db, &state.config, m.id).await?,
        token_days: state.config.api_token_lifetime.as_secs() / 86_400,
    });
    let status = if pw.is_empty() && em.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, ui::page_with_notice(state, ctx, "Account and security", "/settings/account", &body, notice))
        .into_response())
}

pub(super) async fn account_page(Req { state, ctx }: Req, ApiQuery(q): ApiQuery<Done>) -> AppResult<Response> {
    if !ctx.viewer.is_signed_in() {
        return Ok(login_required("/settings/account"));
    }
    render_account(&state, &ctx, &FieldErrors::new(), &FieldErrors::new(), "", notice_for(&q.done)).await
}

#[derive(Deserialize, Default)]
pub(super) struct PasswordFormData {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    end_other_sessions: Option<String>,
}

pub(super) async fn password_submit(
    Req { state, ctx }: Req,
    HtmlForm(f): HtmlForm<PasswordFormData>,
) -> AppResult<Response> {
    let m = ctx.viewer.require_member()?;
    let end_others = f.end_other_sessions.is_some();
    match accounts::change_password(
        &state,
        m.id,
        &f.current_password,
        &f.new_password,
        end_others,
        ctx.session.as_ref().map(|s| s.id.as_str()),
        &ctx.client_ip,
    )
    .await
    {
        Ok(_) => Ok(kernel::http::redirect("/settings/account?done=password").into_response()),
        Err(AppError::Validation(errors)) => render_account(&state, &ctx, &errors, &FieldErrors::new(), "", None).await,
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
pub(super) struct EmailFormData {
    #[serde(default)]
    new_email: String,
    #[serde(default)]
    password: String,
}

pub(super) async fn email_submit(Req { state, ctx }: Req, HtmlForm(f): HtmlForm<EmailFormData>) -> AppResult<Response> {
    let m = ctx.viewer.require_member()?;
    match accounts::request_email_change(&state, m.id, &f.password, &f.new_email, &ctx.client_ip).await {
        Ok(()) => Ok(kernel::http::redirect("/settings/account?done=email").into_response()),
        Err(AppError::Validation(errors)) => {
            render_account(&state, &ctx, &FieldErrors::new(), &errors, &f.new_email, None).await
        }
        Err(e) => Err(e),
    }
}

pub(super) async fn token_revoke(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    let m = ctx.viewer.require_member()?;
    accounts::revoke_token(&state, m.id, path_id(&id)?, &ctx.client_ip, "web").await?;
    Ok(kernel::http::redirect("/settings/account?done=token"))
}

// ---------- my data ----------

#[derive(Template)]
#[template(path = "data.html")]
struct DataPage<'a> {
    csrf: &'a str,
    settings_nav: String,
    summary: String,
    password: String,
}

fn render_data(state: &AppState, ctx: &RequestContext, errors: &FieldErrors) -> Response {
    let body = ui::render(&DataPage {
        csrf: &ctx.csrf,
        settings_nav: ui::render(&SettingsNav { current: "data" }),
        summary: error_summary(errors),
        password: password_field("password", "Your password, to confirm", errors),
    });
    page(state, ctx, errors.page_status(), "My data", "/settings/data", body)
}

pub(super) async fn data_page(Req { state, ctx }: Req) -> Response {
    if !ctx.viewer.is_signed_in() {
        return login_required("/settings/data");
    }
    render_data(&state, &ctx, &FieldErrors::new())
}

pub(super) async fn export_download(Req { state, ctx }: Req) -> AppResult<Response> {
    let m = ctx.viewer.require_member()?;
    let doc = data::export(&state, m.id, &ctx.client_ip).await?;
    let body = serde_json::to_string_pretty(&doc).map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"my-social-health-network-data.json\""),
        ],
        body,
    )
        .into_response())
}

#[derive(Deserialize, Default)]
pub(super) struct PasswordOnly {
    #[serde(default)]
    password: String,
}

pub(super) async fn delete_submit(Req { state, ctx }: Req, HtmlForm(f): HtmlForm<PasswordOnly>) -> AppResult<Response> {
    let m = ctx.viewer.require_member()?;
    let confirmed = match accounts::refuse_oversized(&[], &[("password", &f.password)]) {
        Ok(()) => accounts::confirm_password(&state, m.id, &f.password).await?,
        Err(_) => false,
    };
    if !confirmed {
        let mut errors = FieldErrors::new();
        errors.add("password", "That is not your password. Your account has not been deleted.");
        return Ok(render_data(&state, &ctx, &errors));
    }
    data::delete_account(&state, m.id, &ctx.client_ip).await?;
    let mut res = message(
        &state,
        &RequestContext { viewer: kernel::viewer::Viewer::Anonymous, ..ctx.clone() },
        "Your account has been deleted",
        vec!["Your personal data and photo have been erased. Thank you for being part of the network."],
        Some(("/", "Home")),
    );
    if let Ok(v) = set_cookie(&state, SESSION_COOKIE, "", Some(0)).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}
