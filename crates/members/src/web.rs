//! The members slice's HTML pages. Each form re-renders with the member's input and
//! inline errors on bad input; every state change is a POST (CSRF-checked by the shell).

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kernel::error::FieldErrors;
use kernel::http::{ApiQuery, HtmlForm, RequestContext, path_id, safe_next, set_cookie};
use kernel::ids::MemberId;
use kernel::session::SESSION_COOKIE;
use kernel::ui::{self, Field, Input, error_summary};
use kernel::viewer::{Role, Visibility};
use kernel::{AppError, AppResult, AppState};
use serde::Deserialize;

use crate::accounts::{self, SignupInput};
use crate::directory::{self, Filters, MemberCard};
use crate::model::{MemberType, PLATFORMS, VISIBILITY_FIELDS};
use crate::profile::{self, ChannelInput, ProfilePatch, ProfileView};
use crate::{avatar, conditions, data};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/signup", get(signup_page).post(signup_submit))
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/verify", get(verify_page).post(verify_submit))
        .route("/forgot-password", get(forgot_page).post(forgot_submit))
        .route("/reset-password", get(reset_page).post(reset_submit))
        .route("/confirm-email", get(confirm_email_page).post(confirm_email_submit))
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
        .route("/admin/members/{id}/health-leader", post(staff_health_leader))
        .route("/admin/members/{id}/suspension", post(staff_suspension))
        .route("/admin/members/{id}/role", post(staff_role))
}

/// Renders a page body inside the layout, with a status code.
fn page(
    state: &AppState,
    ctx: &RequestContext,
    status: StatusCode,
    title: &str,
    current: &str,
    body: String,
) -> Response {
    (status, ui::page(state, ctx, title, current, &body)).into_response()
}

fn login_required(path: &str) -> Response {
    kernel::http::login_redirect(path)
}

#[derive(Template)]
#[template(path = "message.html")]
struct Message<'a> {
    heading: &'a str,
    paragraphs: Vec<&'a str>,
    link: Option<(&'a str, &'a str)>,
}

fn message(
    state: &AppState,
    ctx: &RequestContext,
    title: &str,
    paragraphs: Vec<&str>,
    link: Option<(&str, &str)>,
) -> Response {
    let body = ui::render(&Message { heading: title, paragraphs, link });
    page(state, ctx, StatusCode::OK, title, "", body)
}

// ---------- sign up ----------

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage<'a> {
    csrf: &'a str,
    summary: String,
    email: String,
    display_name: String,
    password: String,
    member_types: Vec<(&'static str, &'static str, bool)>,
    member_type_error: Option<&'a str>,
}

#[derive(Deserialize, Default)]
struct SignupFormData {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    member_type: String,
    #[serde(default)]
    password: String,
}

fn render_signup(state: &AppState, ctx: &RequestContext, f: &SignupFormData, errors: &FieldErrors) -> Response {
    let body = ui::render(&SignupPage {
        csrf: &ctx.csrf,
        summary: error_summary(errors),
        email: Field::new("email", "E-mail address", &f.email, Input::Email)
            .errors(errors)
            .required()
            .autocomplete("email")
            .html(),
        display_name: Field::new("display_name", "Your name", &f.display_name, Input::Text)
            .hint("The name other members see. It can be a first name or a nickname.")
            .errors(errors)
            .required()
            .autocomplete("nickname")
            .html(),
        password: Field::new("password", "Password", "", Input::NewPassword)
            .hint("At least 8 characters. A few unrelated words make a strong, memorable password.")
            .errors(errors)
            .required()
            .autocomplete("new-password")
            .html(),
        member_types: MemberType::ALL.iter().map(|t| (t.as_str(), t.label(), f.member_type == t.as_str())).collect(),
        member_type_error: errors.get("member_type"),
    });
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    page(state, ctx, status, "Join", "/signup", body)
}

async fn signup_page(State(state): State<AppState>, ctx: RequestContext) -> Response {
    render_signup(&state, &ctx, &SignupFormData::default(), &FieldErrors::new())
}

async fn signup_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    HtmlForm(f): HtmlForm<SignupFormData>,
) -> AppResult<Response> {
    let input = SignupInput {
        email: f.email.clone(),
        password: f.password.clone(),
        display_name: f.display_name.clone(),
        member_type: f.member_type.clone(),
    };
    match accounts::signup(&state, &input, &ctx.client_ip).await {
        Ok(_) => Ok(message(
            &state,
            &ctx,
            "Check your e-mail",
            vec![
                "We have sent a link to confirm your address. Open it to finish joining.",
                "No e-mail after a few minutes? Check your spam folder, or try logging in to have a new link sent.",
            ],
            None,
        )),
        Err(AppError::Validation(errors)) => Ok(render_signup(&state, &ctx, &f, &errors)),
        Err(e) => Err(e),
    }
}

// ---------- e-mail links ----------

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

#[derive(Template)]
#[template(path = "token_form.html")]
struct TokenForm<'a> {
    heading: &'a str,
    intro: &'a str,
    action: &'a str,
    csrf: &'a str,
    token: &'a str,
    summary: String,
    fields: String,
    button: &'a str,
}

fn token_problem(state: &AppState, ctx: &RequestContext, e: AppError) -> AppResult<Response> {
    match e {
        AppError::BadRequest { message, .. } => {
            let body = ui::render(&Message {
                heading: "This link does not work",
                paragraphs: vec![&message],
                link: Some(("/login", "Go to log in")),
            });
            Ok(page(state, ctx, StatusCode::BAD_REQUEST, "Link problem", "", body))
        }
        other => Err(other),
    }
}

/// What the page behind an e-mailed link says.
struct LinkPage {
    purpose: &'static str,
    title: &'static str,
    heading: &'static str,
    intro: &'static str,
    action: &'static str,
    button: &'static str,
}

const VERIFY_LINK: LinkPage = LinkPage {
    purpose: "verify",
    title: "Confirm your e-mail",
    heading: "Confirm your e-mail address",
    intro: "One last step: confirm that this address is yours.",
    action: "/verify",
    button: "Confirm my e-mail address",
};

const CHANGE_EMAIL_LINK: LinkPage = LinkPage {
    purpose: "change_email",
    title: "Confirm your new e-mail",
    heading: "Confirm your new e-mail address",
    intro: "Confirm that you want to use this address for your account.",
    action: "/confirm-email",
    button: "Use this address",
};

/// Opening an e-mailed link shows a button; only the POST changes anything, so link
/// scanners that fetch e-mailed links do not use them up.
async fn link_page(state: &AppState, ctx: &RequestContext, token: &str, link: &LinkPage) -> AppResult<Response> {
    if let Err(e) = accounts::check_token(state, token, link.purpose).await {
        return token_problem(state, ctx, e);
    }
    let body = ui::render(&TokenForm {
        heading: link.heading,
        intro: link.intro,
        action: link.action,
        csrf: &ctx.csrf,
        token,
        summary: String::new(),
        fields: String::new(),
        button: link.button,
    });
    Ok(page(state, ctx, StatusCode::OK, link.title, "", body))
}

async fn verify_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(q): ApiQuery<TokenQuery>,
) -> AppResult<Response> {
    link_page(&state, &ctx, &q.token, &VERIFY_LINK).await
}

async fn verify_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    HtmlForm(q): HtmlForm<TokenQuery>,
) -> AppResult<Response> {
    match accounts::verify_email(&state, &q.token).await {
        Ok(_) => Ok(message(
            &state,
            &ctx,
            "Your e-mail address is confirmed",
            vec!["Welcome! You can now log in and build your profile."],
            Some(("/login", "Log in")),
        )),
        Err(e) => token_problem(&state, &ctx, e),
    }
}

// ---------- log in / out ----------

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    csrf: &'a str,
    next: &'a str,
    summary: String,
    email: String,
    password: String,
}

#[derive(Deserialize, Default)]
struct LoginFormData {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

fn render_login(
    state: &AppState,
    ctx: &RequestContext,
    f: &LoginFormData,
    errors: &FieldErrors,
    status: StatusCode,
) -> Response {
    let body = ui::render(&LoginPage {
        csrf: &ctx.csrf,
        next: safe_next(&f.next),
        summary: error_summary(errors),
        email: Field::new("email", "E-mail address", &f.email, Input::Email)
            .errors(errors)
            .required()
            .autocomplete("email")
            .html(),
        password: Field::new("password", "Password", "", Input::Password)
            .errors(errors)
            .required()
            .autocomplete("current-password")
            .html(),
    });
    page(state, ctx, status, "Log in", "/login", body)
}

#[derive(Deserialize, Default)]
struct NextQuery {
    #[serde(default)]
    next: String,
}

async fn login_page(State(state): State<AppState>, ctx: RequestContext, ApiQuery(q): ApiQuery<NextQuery>) -> Response {
    if ctx.viewer.is_signed_in() {
        return kernel::http::redirect(safe_next(&q.next)).into_response();
    }
    render_login(
        &state,
        &ctx,
        &LoginFormData { next: q.next, ..Default::default() },
        &FieldErrors::new(),
        StatusCode::OK,
    )
}

async fn login_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    headers: HeaderMap,
    HtmlForm(f): HtmlForm<LoginFormData>,
) -> AppResult<Response> {
    let member = match accounts::check_credentials(&state, &f.email, &f.password, &ctx.client_ip).await {
        Ok(m) => m,
        Err(AppError::InvalidCredentials) => {
            let mut errors = FieldErrors::new();
            errors.add("email", AppError::InvalidCredentials.to_string());
            return Ok(render_login(&state, &ctx, &f, &errors, StatusCode::UNAUTHORIZED));
        }
        Err(AppError::Validation(errors)) => {
            return Ok(render_login(&state, &ctx, &f, &errors, StatusCode::UNPROCESSABLE_ENTITY));
        }
        Err(e) => return Err(e),
    };
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    let raw = accounts::login_session(&state, member, ctx.session.as_ref().map(|s| s.id.as_str()), &ctx.client_ip, ua)
        .await?;
    let mut res = kernel::http::redirect(safe_next(&f.next)).into_response();
    let max_age = state.config.session_absolute.as_secs() as i64;
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, SESSION_COOKIE, &raw, Some(max_age))
            .parse()
            .map_err(|e: axum::http::header::InvalidHeaderValue| AppError::Internal(e.into()))?,
    );
    Ok(res)
}

async fn logout(State(state): State<AppState>, ctx: RequestContext) -> AppResult<Response> {
    if let (Some(s), Some(m)) = (&ctx.session, ctx.viewer.member()) {
        accounts::logout(&state, &s.id, m.id, &ctx.client_ip).await?;
    }
    let mut res = kernel::http::redirect("/").into_response();
    if let Ok(v) = set_cookie(&state, SESSION_COOKIE, "", Some(0)).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

// ---------- password reset ----------

#[derive(Template)]
#[template(path = "simple_form.html")]
struct SimpleForm<'a> {
    heading: &'a str,
    intro: &'a str,
    action: &'a str,
    csrf: &'a str,
    summary: String,
    fields: String,
    button: &'a str,
}

#[derive(Deserialize, Default)]
struct EmailOnly {
    #[serde(default)]
    email: String,
}

fn render_forgot(state: &AppState, ctx: &RequestContext, email: &str, errors: &FieldErrors) -> Response {
    let body = ui::render(&SimpleForm {
        heading: "Reset your password",
        intro: "Enter the e-mail address of your account and we will send you a link to choose a new password.",
        action: "/forgot-password",
        csrf: &ctx.csrf,
        summary: error_summary(errors),
        fields: Field::new("email", "E-mail address", email, Input::Email)
            .errors(errors)
            .required()
            .autocomplete("email")
            .html(),
        button: "Send me a link",
    });
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    page(state, ctx, status, "Reset your password", "", body)
}

async fn forgot_page(State(state): State<AppState>, ctx: RequestContext) -> Response {
    render_forgot(&state, &ctx, "", &FieldErrors::new())
}

async fn forgot_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    HtmlForm(f): HtmlForm<EmailOnly>,
) -> AppResult<Response> {
    match accounts::request_reset(&state, &f.email, &ctx.client_ip).await {
        Ok(()) => Ok(message(
            &state,
            &ctx,
            "Check your e-mail",
            vec![
                "If an account uses that address, we have sent it a link to reset the password. The link works for one hour.",
            ],
            None,
        )),
        Err(AppError::Validation(errors)) => Ok(render_forgot(&state, &ctx, &f.email, &errors)),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
struct ResetFormData {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

fn render_reset(state: &AppState, ctx: &RequestContext, token: &str, errors: &FieldErrors) -> Response {
    let body = ui::render(&TokenForm {
        heading: "Choose a new password",
        intro: "After this, you will be logged out everywhere and can log in with the new password.",
        action: "/reset-password",
        csrf: &ctx.csrf,
        token,
        summary: error_summary(errors),
        fields: Field::new("password", "New password", "", Input::NewPassword)
            .hint("At least 8 characters.")
            .errors(errors)
            .required()
            .autocomplete("new-password")
            .html(),
        button: "Set my new password",
    });
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    page(state, ctx, status, "Choose a new password", "", body)
}

async fn reset_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(q): ApiQuery<TokenQuery>,
) -> AppResult<Response> {
    if let Err(e) = accounts::check_token(&state, &q.token, "reset").await {
        return token_problem(&state, &ctx, e);
    }
    Ok(render_reset(&state, &ctx, &q.token, &FieldErrors::new()))
}

async fn reset_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    HtmlForm(f): HtmlForm<ResetFormData>,
) -> AppResult<Response> {
    match accounts::reset_password(&state, &f.token, &f.password, &ctx.client_ip).await {
        Ok(_) => Ok(message(
            &state,
            &ctx,
            "Your password has been changed",
            vec!["You can now log in with your new password."],
            Some(("/login", "Log in")),
        )),
        Err(AppError::Validation(errors)) => Ok(render_reset(&state, &ctx, &f.token, &errors)),
        Err(e) => token_problem(&state, &ctx, e),
    }
}

async fn confirm_email_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(q): ApiQuery<TokenQuery>,
) -> AppResult<Response> {
    link_page(&state, &ctx, &q.token, &CHANGE_EMAIL_LINK).await
}

async fn confirm_email_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    HtmlForm(q): HtmlForm<TokenQuery>,
) -> AppResult<Response> {
    match accounts::confirm_email_change(&state, &q.token).await {
        Ok(_) => Ok(message(
            &state,
            &ctx,
            "Your e-mail address has changed",
            vec!["From now on, log in with your new address."],
            Some(("/settings/account", "Account settings")),
        )),
        Err(e) => token_problem(&state, &ctx, e),
    }
}

// ---------- profile settings ----------

#[derive(Template)]
#[template(path = "settings_nav.html")]
struct SettingsNav<'a> {
    current: &'a str,
}

#[derive(Template)]
#[template(path = "profile_form.html")]
struct ProfileForm<'a> {
    csrf: &'a str,
    member_id: MemberId,
    settings_nav: String,
    summary: String,
    display_name: String,
    pronouns: String,
    member_types: Vec<(&'static str, &'static str, bool)>,
    story: String,
    conditions: Vec<(String, String, bool)>,
    conditions_error: Option<&'a str>,
    country: String,
    region: String,
    languages: String,
    time_zone: String,
    channel_rows: Vec<(usize, String, String, String, String)>,
    channels_error: Option<&'a str>,
    platforms: &'static [(&'static str, &'static str)],
    levels: Vec<(&'static str, &'static str)>,
    visibility: Vec<(&'static str, &'static str, String)>,
    has_avatar: bool,
    avatar_error: Option<&'a str>,
}

/// The profile form's fields as submitted (or as stored, for a fresh form).
#[derive(Debug, Default, Clone)]
struct ProfileFormData {
    display_name: String,
    pronouns: String,
    member_type: String,
    story: String,
    conditions: Vec<String>,
    country: String,
    region: String,
    languages: String,
    time_zone: String,
    channels: Vec<(String, String, String, String)>,
    visibility: Vec<(String, String)>,
}

impl ProfileFormData {
    /// Reads the urlencoded body by hand: repeated fields (conditions, channel rows)
    /// need order-preserving multi-values, which the struct deserialiser cannot give.
    fn parse(body: &[u8]) -> Self {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        let mut d = ProfileFormData::default();
        let (mut plat, mut handle, mut url, mut aud) = (vec![], vec![], vec![], vec![]);
        for (k, v) in pairs {
            match k.as_str() {
                "display_name" => d.display_name = v,
                "pronouns" => d.pronouns = v,
                "member_type" => d.member_type = v,
                "story" => d.story = v,
                "conditions" => d.conditions.push(v),
                "country" => d.country = v,
                "region" => d.region = v,
                "languages" => d.languages = v,
                "time_zone" => d.time_zone = v,
                "channel_platform" => plat.push(v),
                "channel_handle" => handle.push(v),
                "channel_url" => url.push(v),
                "channel_audience" => aud.push(v),
                other if other.starts_with("vis_") => d.visibility.push((other[4..].to_string(), v)),
                _ => {}
            }
        }
        for i in 0..plat.len() {
            let get = |v: &Vec<String>| v.get(i).cloned().unwrap_or_default();
            d.channels.push((get(&plat), get(&handle), get(&url), get(&aud)));
        }
        d
    }

    fn to_patch(&self, errors: &mut FieldErrors) -> ProfilePatch {
        let channels = self
            .channels
            .iter()
            .filter(|(p, h, u, _)| !(p.is_empty() && h.trim().is_empty() && u.trim().is_empty()))
            .map(|(p, h, u, a)| {
                let audience_size = if a.trim().is_empty() {
                    None
                } else {
                    match a.trim().parse::<i64>() {
                        Ok(n) => Some(n),
                        Err(_) => {
                            errors.add("channels", "Audience size must be a whole number.");
                            None
                        }
                    }
                };
                ChannelInput { platform: p.clone(), handle: h.clone(), url: Some(u.clone()), audience_size }
            })
            .collect();
        ProfilePatch {
            display_name: Some(self.display_name.clone()),
            pronouns: Some(self.pronouns.clone()),
            member_type: Some(self.member_type.clone()),
            conditions: Some(self.conditions.clone()),
            story: Some(self.story.clone()),
            channels: Some(channels),
            country: Some(self.country.clone()),
            region: Some(self.region.clone()),
            languages: Some(
                self.languages.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
            ),
            time_zone: Some(self.time_zone.clone()),
            visibility: Some(self.visibility.iter().cloned().collect()),
        }
    }
}

async fn stored_form(state: &AppState, id: MemberId) -> AppResult<(ProfileFormData, bool)> {
    let row = profile::load_row(state.db.writer(), id).await?.ok_or(AppError::NotFound)?;
    let conditions = profile::conditions_of(&state.db, id).await?;
    let channels = profile::channels_of(&state.db, id).await?;
    let has_avatar = row.avatar_file.is_some();
    Ok((
        ProfileFormData {
            display_name: row.display_name.clone(),
            pronouns: row.pronouns.clone(),
            member_type: row.member_type.clone(),
            story: row.story.clone(),
            conditions: conditions.iter().map(|c| c.id.to_string()).collect(),
            country: row.country.clone(),
            region: row.region.clone(),
            languages: row.languages.replace(',', ", "),
            time_zone: row.time_zone.clone(),
            channels: channels
                .into_iter()
                .map(|c| (c.platform, c.handle, c.url, c.audience_size.to_string()))
                .collect(),
            visibility: row.visibility_map().into_iter().map(|(k, v)| (k, v.as_str().to_string())).collect(),
        },
        has_avatar,
    ))
}

async fn render_profile_form(
    state: &AppState,
    ctx: &RequestContext,
    id: MemberId,
    d: &ProfileFormData,
    errors: &FieldErrors,
    has_avatar: bool,
    notice: Option<&str>,
) -> AppResult<Response> {
    let all = conditions::all(&state.db).await?;
    let mut rows: Vec<(usize, String, String, String, String)> = d
        .channels
        .iter()
        .enumerate()
        .map(|(i, (p, h, u, a))| (i, p.clone(), h.clone(), u.clone(), a.clone()))
        .collect();
    while rows.len() < 4 {
        rows.push((rows.len(), String::new(), String::new(), String::new(), String::new()));
    }
    let body = ui::render(&ProfileForm {
        csrf: &ctx.csrf,
        member_id: id,
        settings_nav: ui::render(&SettingsNav { current: "profile" }),
        summary: error_summary(errors),
        display_name: Field::new("display_name", "Name", &d.display_name, Input::Text).errors(errors).required().html(),
        pronouns: Field::new("pronouns", "Pronouns", &d.pronouns, Input::Text)
            .hint("For example she/her or they/them.")
            .errors(errors)
            .html(),
        member_types: MemberType::ALL.iter().map(|t| (t.as_str(), t.label(), d.member_type == t.as_str())).collect(),
        story: Field::new("story", "Your story", &d.story, Input::TextArea)
            .hint("Markdown works: **bold**, *italic*, lists and links.")
            .errors(errors)
            .html(),
        conditions: all
            .into_iter()
            .map(|c| {
                let id = c.id.to_string();
                let on = d.conditions.contains(&id);
                (id, c.name, on)
            })
            .collect(),
        conditions_error: errors.get("conditions"),
        country: Field::new("country", "Country code", &d.country, Input::Text)
            .hint("Two letters, for example GB, US, NG or IN.")
            .errors(errors)
            .autocomplete("country")
            .html(),
        region: Field::new("region", "Region or state", &d.region, Input::Text).errors(errors).html(),
        languages: Field::new("languages", "Languages", &d.languages, Input::Text)
            .hint("Codes separated by commas, for example en, es.")
            .errors(errors)
            .html(),
        time_zone: Field::new("time_zone", "Time zone", &d.time_zone, Input::Text)
            .hint("For example Europe/London or America/Chicago. Event times are shown in it.")
            .errors(errors)
            .html(),
        channel_rows: rows,
        channels_error: errors.get("channels"),
        platforms: PLATFORMS,
        levels: Visibility::ALL.iter().map(|v| (v.as_str(), v.label())).collect(),
        visibility: VISIBILITY_FIELDS
            .iter()
            .map(|(f, label)| {
                (
                    *f,
                    *label,
                    d.visibility
                        .iter()
                        .find(|(k, _)| k == f)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_else(|| "members".into()),
                )
            })
            .collect(),
        has_avatar,
        avatar_error: errors.get("avatar"),
    });
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, ui::page_with_notice(state, ctx, "Your profile", "/settings/profile", &body, notice)).into_response())
}

#[derive(Deserialize, Default)]
struct Done {
    #[serde(default)]
    done: String,
}

fn notice_for(code: &str) -> Option<&'static str> {
    match code {
        "profile" => Some("Your profile has been saved."),
        "avatar" => Some("Your photo has been updated."),
        "password" => Some("Your password has been changed."),
        "email" => Some("We have sent a confirmation link to the new address. The change happens when you open it."),
        "token" => Some("The token has been revoked. Scripts using it can no longer reach your account."),
        _ => None,
    }
}

async fn profile_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(q): ApiQuery<Done>,
) -> AppResult<Response> {
    let Some(m) = ctx.viewer.member() else { return Ok(login_required("/settings/profile")) };
    let (d, has_avatar) = stored_form(&state, m.id).await?;
    render_profile_form(&state, &ctx, m.id, &d, &FieldErrors::new(), has_avatar, notice_for(&q.done)).await
}

async fn profile_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let m = ctx.viewer.require_member()?;
    let d = ProfileFormData::parse(&body);
    let mut errors = FieldErrors::new();
    let patch = d.to_patch(&mut errors);
    let result =
        if errors.is_empty() { profile::update(&state, m.id, &patch).await } else { Err(AppError::Validation(errors)) };
    match result {
        Ok(()) => Ok(kernel::http::redirect("/settings/profile?done=profile").into_response()),
        Err(AppError::Validation(errors)) => {
            let (_, has_avatar) = stored_form(&state, m.id).await?;
            render_profile_form(&state, &ctx, m.id, &d, &errors, has_avatar, None).await
        }
        Err(e) => Err(e),
    }
}

async fn avatar_upload(
    State(state): State<AppState>,
    ctx: RequestContext,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let m = ctx.viewer.require_member()?;
    let mut bytes = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::field("avatar", "The upload could not be read. Try again."))?
    {
        if field.name() == Some("avatar") {
            let data = field
                .bytes()
                .await
                .map_err(|_| AppError::field("avatar", "That image is larger than 5 MB. Choose a smaller one."))?;
            bytes = Some(data);
        }
    }
    let result = match bytes {
        Some(b) => match tokio::task::spawn_blocking(move || avatar::process(&b)).await {
            Ok(r) => r,
            Err(e) => Err(AppError::Internal(e.into())),
        },
        None => Err(AppError::field("avatar", "Choose an image file to upload.")),
    };
    match result {
        Ok(jpeg) => {
            avatar::save(&state, m.id, jpeg).await?;
            Ok(kernel::http::redirect("/settings/profile?done=avatar").into_response())
        }
        Err(AppError::Validation(errors)) => {
            let (d, has_avatar) = stored_form(&state, m.id).await?;
            render_profile_form(&state, &ctx, m.id, &d, &errors, has_avatar, None).await
        }
        Err(e) => Err(e),
    }
}

async fn avatar_delete(State(state): State<AppState>, ctx: RequestContext) -> AppResult<Response> {
    let m = ctx.viewer.require_member()?;
    avatar::clear(&state, m.id).await?;
    Ok(kernel::http::redirect("/settings/profile?done=avatar").into_response())
}

// ---------- account settings ----------

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
        current_password: Field::new("current_password", "Current password", "", Input::Password)
            .errors(pw)
            .required()
            .autocomplete("current-password")
            .html(),
        new_password: Field::new("new_password", "New password", "", Input::NewPassword)
            .hint("At least 8 characters.")
            .errors(pw)
            .required()
            .autocomplete("new-password")
            .html(),
        em_summary: error_summary(em),
        new_email: Field::new("new_email", "New e-mail address", new_email, Input::Email)
            .errors(em)
            .required()
            .autocomplete("email")
            .html(),
        email_password: Field::new("password", "Your password", "", Input::Password)
            .errors(em)
            .required()
            .autocomplete("current-password")
            .html(),
        tokens: kernel::session::list_api_tokens(&state.db, &state.config, m.id).await?,
        token_days: state.config.api_token_lifetime.as_secs() / 86_400,
    });
    let status = if pw.is_empty() && em.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, ui::page_with_notice(state, ctx, "Account and security", "/settings/account", &body, notice))
        .into_response())
}

async fn account_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(q): ApiQuery<Done>,
) -> AppResult<Response> {
    if !ctx.viewer.is_signed_in() {
        return Ok(login_required("/settings/account"));
    }
    render_account(&state, &ctx, &FieldErrors::new(), &FieldErrors::new(), "", notice_for(&q.done)).await
}

#[derive(Deserialize, Default)]
struct PasswordFormData {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    end_other_sessions: Option<String>,
}

async fn password_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
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
struct EmailFormData {
    #[serde(default)]
    new_email: String,
    #[serde(default)]
    password: String,
}

async fn email_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    HtmlForm(f): HtmlForm<EmailFormData>,
) -> AppResult<Response> {
    let m = ctx.viewer.require_member()?;
    match accounts::request_email_change(&state, m.id, &f.password, &f.new_email, &ctx.client_ip).await {
        Ok(()) => Ok(kernel::http::redirect("/settings/account?done=email").into_response()),
        Err(AppError::Validation(errors)) => {
            render_account(&state, &ctx, &FieldErrors::new(), &errors, &f.new_email, None).await
        }
        Err(e) => Err(e),
    }
}

async fn token_revoke(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let m = ctx.viewer.require_member()?;
    if !kernel::session::revoke_api_token_by_id(&state.db, m.id, path_id(&id)?).await? {
        return Err(AppError::NotFound);
    }
    kernel::audit::record(
        state.db.writer(),
        Some(m.id),
        "api_token_revoked",
        Some(m.id),
        Some(&ctx.client_ip),
        serde_json::json!({ "via": "web" }),
    )
    .await?;
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
        password: Field::new("password", "Your password, to confirm", "", Input::Password)
            .errors(errors)
            .required()
            .autocomplete("current-password")
            .html(),
    });
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    page(state, ctx, status, "My data", "/settings/data", body)
}

async fn data_page(State(state): State<AppState>, ctx: RequestContext) -> Response {
    if !ctx.viewer.is_signed_in() {
        return login_required("/settings/data");
    }
    render_data(&state, &ctx, &FieldErrors::new())
}

async fn export_download(State(state): State<AppState>, ctx: RequestContext) -> AppResult<Response> {
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
struct PasswordOnly {
    #[serde(default)]
    password: String,
}

async fn delete_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    HtmlForm(f): HtmlForm<PasswordOnly>,
) -> AppResult<Response> {
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

// ---------- directory and profiles ----------

#[derive(Template)]
#[template(path = "directory.html")]
struct DirectoryPage {
    q: String,
    country: String,
    min_audience: String,
    conditions: Vec<(String, String, bool)>,
    member_types: Vec<(&'static str, &'static str, bool)>,
    platforms: Vec<(&'static str, &'static str, bool)>,
    signed_in: bool,
    error: Option<String>,
    cards: Vec<MemberCard>,
    next_href: Option<String>,
}

async fn directory_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(f): ApiQuery<Filters>,
) -> AppResult<Response> {
    let (cards, next, error) = match directory::search(&state.db, &ctx.viewer, &f).await {
        Ok(p) => (p.items, p.next_cursor, None),
        Err(AppError::Validation(e)) => (vec![], None, e.0.values().next().cloned()),
        Err(AppError::BadRequest { message, .. }) => (vec![], None, Some(message)),
        Err(e) => return Err(e),
    };
    let sel = |o: &Option<String>| o.clone().unwrap_or_default();
    let next_href = next.map(|c| {
        let params = [
            ("q", sel(&f.q)),
            ("condition", sel(&f.condition)),
            ("member_type", sel(&f.member_type)),
            ("country", sel(&f.country)),
            ("platform", sel(&f.platform)),
            ("min_audience", sel(&f.min_audience)),
            ("cursor", c),
        ];
        let kept: Vec<(&str, String)> = params.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        format!("/members?{}", serde_urlencoded::to_string(kept).unwrap_or_default())
    });
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let body = ui::render(&DirectoryPage {
        q: sel(&f.q),
        country: sel(&f.country),
        min_audience: sel(&f.min_audience),
        conditions: conditions::all(&state.db)
            .await?
            .into_iter()
            .map(|c| {
                let id = c.id.to_string();
                let s = f.condition.as_deref() == Some(id.as_str());
                (id, c.name, s)
            })
            .collect(),
        member_types: MemberType::ALL
            .iter()
            .map(|t| (t.as_str(), t.label(), f.member_type.as_deref() == Some(t.as_str())))
            .collect(),
        platforms: PLATFORMS.iter().map(|(c, l)| (*c, *l, f.platform.as_deref() == Some(*c))).collect(),
        signed_in: ctx.viewer.is_signed_in(),
        error,
        cards,
        next_href,
    });
    Ok(page(&state, &ctx, status, "Find Health Leaders", "/members", body))
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage<'a> {
    p: ProfileView,
    story_html: Option<String>,
    signed_in: bool,
    is_self: bool,
    is_staff: bool,
    csrf: &'a str,
}

async fn profile_view(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id: MemberId = path_id(&id)?;
    let p = profile::view(&state.db, &ctx.viewer, id).await?.ok_or(AppError::NotFound)?;
    let title = p.display_name.clone();
    let story_html = p.story.as_deref().map(kernel::markdown::render);
    let body = ui::render(&ProfilePage {
        signed_in: ctx.viewer.is_signed_in(),
        is_self: ctx.viewer.id() == Some(id),
        is_staff: ctx.viewer.is_staff(),
        p,
        story_html,
        csrf: &ctx.csrf,
    });
    Ok(page(&state, &ctx, StatusCode::OK, &title, "/members", body))
}

async fn avatar_image(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id: MemberId = path_id(&id)?;
    let file = profile::avatar_for(&state.db, &ctx.viewer, id).await?;
    let bytes = avatar::read(&state, &file).await?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg"), (header::CACHE_CONTROL, "private, max-age=300")], bytes).into_response())
}

// ---------- staff ----------

#[derive(Deserialize, Default)]
struct OnOff {
    #[serde(default)]
    on: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    back: String,
}

async fn staff_health_leader(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<String>,
    HtmlForm(f): HtmlForm<OnOff>,
) -> AppResult<Response> {
    let actor = ctx.viewer.require_role(Role::Staff)?;
    let id: MemberId = path_id(&id)?;
    accounts::set_health_leader(&state, actor.id, id, f.on == "on", &ctx.client_ip).await?;
    let back = if f.back == "list" { "/admin/members".to_string() } else { format!("/members/{id}") };
    Ok(kernel::http::redirect(&back).into_response())
}

async fn staff_suspension(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<String>,
    HtmlForm(f): HtmlForm<OnOff>,
) -> AppResult<Response> {
    let actor = ctx.viewer.require_role(Role::Staff)?;
    let id: MemberId = path_id(&id)?;
    accounts::set_suspended(&state, actor.id, id, f.on == "on", &ctx.client_ip).await?;
    Ok(kernel::http::redirect("/admin/members?status=all").into_response())
}

async fn staff_role(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<String>,
    HtmlForm(f): HtmlForm<OnOff>,
) -> AppResult<Response> {
    let actor = ctx.viewer.require_role(Role::Admin)?;
    let id: MemberId = path_id(&id)?;
    let role =
        Role::parse(&f.role).ok_or_else(|| AppError::field("role", "Choose member, moderator, staff or admin."))?;
    accounts::set_role(&state, actor.id, id, role, &ctx.client_ip).await?;
    Ok(kernel::http::redirect("/admin/members?status=all").into_response())
}

// ---------- staff: accounts and the audit log ----------

#[derive(Debug, Clone, sea_orm::FromQueryResult)]
struct AdminRow {
    id: MemberId,
    display_name: String,
    name_key: String,
    email: Option<String>,
    email_verified_at: Option<kernel::time::Instant>,
    member_type: String,
    role: String,
    status: String,
    health_leader_since: Option<kernel::time::Instant>,
}

#[derive(Template)]
#[template(path = "admin_members.html")]
struct AdminMembers<'a> {
    csrf: &'a str,
    q: String,
    status: String,
    statuses: &'static [(&'static str, &'static str)],
    roles: Vec<&'static str>,
    is_admin: bool,
    rows: Vec<AdminRow>,
    next_href: Option<String>,
    audit: Vec<kernel::audit::AuditRow>,
}

#[derive(Deserialize, Default)]
struct AdminQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    cursor: String,
}

const STATUSES: &[(&str, &str)] =
    &[("active", "Active"), ("suspended", "Suspended"), ("deleted", "Deleted"), ("all", "All")];

/// Staff see e-mail addresses here (never elsewhere); every visit is audited.
async fn admin_members(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(q): ApiQuery<AdminQuery>,
) -> AppResult<Response> {
    let staff = ctx.viewer.require_role(Role::Staff)?;
    let status = if STATUSES.iter().any(|(s, _)| *s == q.status) { q.status.clone() } else { "active".into() };
    let mut sql = String::from(
        "SELECT id, display_name, name_key, email, email_verified_at, member_type, role, status, health_leader_since FROM members WHERE 1 = 1",
    );
    let mut values: Vec<sea_orm::Value> = Vec::new();
    if status != "all" {
        values.push(status.clone().into());
        sql.push_str(&format!(" AND status = ${}", values.len()));
    }
    let text = kernel::search::search_text(&q.q)?;
    if !text.is_empty() {
        values.push(kernel::db::like_contains(text).into());
        let n = values.len();
        sql.push_str(&format!(" AND (name_key LIKE ${n} ESCAPE '\\' OR email LIKE ${n} ESCAPE '\\')"));
    }
    if !q.cursor.is_empty() {
        let (key, id): (String, uuid::Uuid) = kernel::page::decode(&q.cursor)?;
        values.push(key.into());
        values.push(id.into());
        let (k, i) = (values.len() - 1, values.len());
        sql.push_str(&format!(" AND (name_key, id) > (${k}, ${i})"));
    }
    values.push(51i64.into());
    sql.push_str(&format!(" ORDER BY name_key, id LIMIT ${}", values.len()));
    let rows: Vec<AdminRow> = state.db.all(&sql, values).await?;
    let page = kernel::page::finish(rows, 50, |r| (r.name_key.clone(), r.id.0));
    let next_href = page.next_cursor.map(|c| {
        let params = [("q", q.q.clone()), ("status", status.clone()), ("cursor", c)];
        format!("/admin/members?{}", serde_urlencoded::to_string(params).unwrap_or_default())
    });
    let audit: Vec<kernel::audit::AuditRow> = state
        .db
        .all(
            "SELECT at, actor_id, action, subject_id, ip, detail FROM audit_log ORDER BY at DESC LIMIT 50",
            kernel::params![],
        )
        .await?;
    kernel::audit::record(
        state.db.writer(),
        Some(staff.id),
        "staff_viewed_accounts",
        None,
        Some(&ctx.client_ip),
        serde_json::json!({ "q": q.q, "status": status }),
    )
    .await?;
    let body = ui::render(&AdminMembers {
        csrf: &ctx.csrf,
        q: q.q.clone(),
        status,
        statuses: STATUSES,
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        is_admin: ctx.viewer.has_role(Role::Admin),
        rows: page.items,
        next_href,
        audit,
    });
    Ok(page_response(&state, &ctx, "Members (staff)", body))
}

fn page_response(state: &AppState, ctx: &RequestContext, title: &str, body: String) -> Response {
    page(state, ctx, StatusCode::OK, title, "/admin/members", body)
}
