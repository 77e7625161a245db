//! The members slice's HTML pages. Each form re-renders with the member's input and
//! inline errors on bad input; every state change is a POST (CSRF-checked by the shell).
//! This module holds the router and the helpers every page group shares; the pages are
//! in its submodules by group.

mod access;
mod account_settings;
mod member_directory;
mod profile_settings;
mod staff;
mod staff_account;

use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kernel::AppState;
use kernel::error::FieldErrors;
use kernel::http::RequestContext;
use kernel::ui::{self, Field, Input};
use serde::Deserialize;

use access::{
    ChangeEmail, Verify, forgot_page, forgot_submit, link_page, link_submit, login_page, login_submit, logout,
    reset_page, reset_submit, signup_page, signup_submit,
};
use account_settings::{
    account_page, data_page, delete_submit, email_submit, export_download, password_submit, token_revoke,
};
use member_directory::{avatar_image, directory_page, profile_view};
use profile_settings::{avatar_delete, avatar_upload, profile_page, profile_submit};
use staff::{admin_members, staff_health_leader, staff_role, staff_suspension};
use staff_account::{erase_submit, staff_account_page};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/signup", get(signup_page).post(signup_submit))
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/verify", get(link_page::<Verify>).post(link_submit::<Verify>))
        .route("/forgot-password", get(forgot_page).post(forgot_submit))
        .route("/reset-password", get(reset_page).post(reset_submit))
        .route("/confirm-email", get(link_page::<ChangeEmail>).post(link_submit::<ChangeEmail>))
        .route("/settings", get(|| async { kernel::http::redirect("/settings/profile") }))
        .route("/settings/profile", get(profile_page).post(profile_submit))
        .route("/settings/avatar", post(avatar_upload))
        .route("/settings/avatar/delete", post(avatar_delete))
        .route("/settings/account", get(account_page))
        .route("/settings/password", post(password_submit))
        .route("/settings/email", post(email_submit))
        .route("/settings/tokens/{id}/revoke", post(token_revoke))
        .route("/settings/data", get(data_page))
        .route("/settings/data/export", post(export_download))
        .route("/settings/delete", post(delete_submit))
        .route("/members", get(directory_page))
        .route("/members/{id}", get(profile_view))
        .route("/members/{id}/avatar", get(avatar_image))
        .route("/admin/members", get(admin_members))
        .route("/admin/members/{id}", get(staff_account_page))
        .route("/admin/members/{id}/erase", post(erase_submit))
        .route("/admin/members/{id}/health-leader", post(staff_health_leader))
        .route("/admin/members/{id}/suspension", post(staff_suspension))
        .route("/admin/members/{id}/role", post(staff_role))
}

/// Renders a page body inside the layout, with a status code.
pub(super) fn page(
    state: &AppState,
    ctx: &RequestContext,
    status: StatusCode,
    title: &str,
    current: &str,
    body: String,
) -> Response {
    (status, ui::page(state, ctx, title, current, &body)).into_response()
}

/// The e-mail address field, as the members forms ask for it.
pub(super) fn email_field(name: &str, label: &str, value: &str, errors: &FieldErrors) -> String {
    Field::new(name, label, value, Input::Email).errors(errors).required().autocomplete("email").html()
}

/// A field for the member's current password (never echoed back).
pub(super) fn password_field(name: &str, label: &str, errors: &FieldErrors) -> String {
    Field::new(name, label, "", Input::Password).errors(errors).required().autocomplete("current-password").html()
}

/// A field for choosing a new password, with a hint about strength.
pub(super) fn new_password_field(name: &str, label: &str, hint: &str, errors: &FieldErrors) -> String {
    Field::new(name, label, "", Input::NewPassword)
        .hint(hint)
        .errors(errors)
        .required()
        .autocomplete("new-password")
        .html()
}

pub(super) fn login_required(path: &str) -> Response {
    kernel::http::login_redirect(path)
}

#[derive(Template)]
#[template(path = "message.html")]
pub(super) struct Message<'a> {
    heading: &'a str,
    paragraphs: Vec<&'a str>,
    link: Option<(&'a str, &'a str)>,
}

pub(super) fn message(
    state: &AppState,
    ctx: &RequestContext,
    title: &str,
    paragraphs: Vec<&str>,
    link: Option<(&str, &str)>,
) -> Response {
    let body = ui::render(&Message { heading: title, paragraphs, link });
    page(state, ctx, StatusCode::OK, title, "", body)
}

pub(super) fn page_response(state: &AppState, ctx: &RequestContext, title: &str, body: String) -> Response {
    page(state, ctx, StatusCode::OK, title, "/admin/members", body)
}

#[derive(Template)]
#[template(path = "settings_nav.html")]
/// The tabs of the settings pages.
pub(super) struct SettingsNav<'a> {
    pub(super) current: &'a str,
}

#[derive(Deserialize, Default)]
/// The `?done=` of a settings page after a change, naming the notice to show.
pub(super) struct Done {
    #[serde(default)]
    pub(super) done: String,
}

pub(super) fn notice_for(code: &str) -> Option<&'static str> {
    match code {
        "profile" => Some("Your profile has been saved."),
        "avatar" => Some("Your photo has been updated."),
        "password" => Some("Your password has been changed."),
        "email" => Some("We have sent a confirmation link to the new address. The change happens when you open it."),
        "token" => Some("The token has been revoked. Scripts using it can no longer reach your account."),
        _ => None,
    }
}
