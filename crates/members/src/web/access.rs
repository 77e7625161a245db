//! Getting in: the sign-up, log-in and log-out pages, the pages behind e-mailed links
//! (verify an address, confirm an e-mail change) and the password-reset pages.

use askama::Template;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::future::BoxFuture;
use kernel::error::FieldErrors;
use kernel::http::{ApiQuery, HtmlForm, Req, RequestContext, safe_next, set_cookie};
use kernel::session::SESSION_COOKIE;
use kernel::ui::{self, Field, Input, error_summary};
use kernel::{AppError, AppResult, AppState};
use serde::Deserialize;

use super::{Message, email_field, message, new_password_field, page, password_field};
use crate::accounts::{self, SignupInput};
use crate::model::MemberType;

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
pub(super) struct SignupFormData {
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
        email: email_field("email", "E-mail address", &f.email, errors),
        display_name: Field::new("display_name", "Your name", &f.display_name, Input::Text)
            .hint("The name other members see. It can be a first name or a nickname.")
            .errors(errors)
            .required()
            .autocomplete("nickname")
            .html(),
        password: new_password_field(
            "password",
            "Password",
            "At least 8 characters. A few unrelated words make a strong, memorable password.",
            errors,
        ),
        member_types: MemberType::ALL.iter().map(|t| (t.as_str(), t.label(), f.member_type == t.as_str())).collect(),
        member_type_error: errors.get("member_type"),
    });
    page(state, ctx, errors.page_status(), "Join", "/signup", body)
}

pub(super) async fn signup_page(Req { state, ctx }: Req) -> Response {
    render_signup(&state, &ctx, &SignupFormData::default(), &FieldErrors::new())
}

pub(super) async fn signup_submit(
    Req { state, ctx }: Req,
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
pub(super) struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// What a page with one form says.
struct FormText {
    title: &'static str,
    heading: &'static str,
    intro: &'static str,
    action: &'static str,
    button: &'static str,
}

#[derive(Template)]
#[template(path = "simple_form.html")]
struct SimpleForm<'a> {
    heading: &'a str,
    intro: &'a str,
    action: &'a str,
    csrf: &'a str,
    /// The e-mailed token the form sends back, on the pages behind e-mailed links.
    token: Option<&'a str>,
    summary: String,
    fields: String,
    button: &'a str,
}

/// A page with one form; with errors, it comes back with them and a 422.
fn one_form_page(
    state: &AppState,
    ctx: &RequestContext,
    text: &FormText,
    token: Option<&str>,
    fields: String,
    errors: &FieldErrors,
) -> Response {
    let body = ui::render(&SimpleForm {
        heading: text.heading,
        intro: text.intro,
        action: text.action,
        csrf: &ctx.csrf,
        token,
        summary: error_summary(errors),
        fields,
        button: text.button,
    });
    page(state, ctx, errors.page_status(), text.title, "", body)
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

/// What the member is told once an e-mailed link has been used.
struct Outcome {
    heading: &'static str,
    paragraph: &'static str,
    link: (&'static str, &'static str),
}

/// What the page behind an e-mailed link says, and what it says once used.
pub(super) struct LinkText {
    /// The purpose its tokens are stored with.
    purpose: &'static str,
    page: FormText,
    done: Outcome,
}

const VERIFY: LinkText = LinkText {
    purpose: "verify",
    page: FormText {
        title: "Confirm your e-mail",
        heading: "Confirm your e-mail address",
        intro: "One last step: confirm that this address is yours.",
        action: "/verify",
        button: "Confirm my e-mail address",
    },
    done: Outcome {
        heading: "Your e-mail address is confirmed",
        paragraph: "Welcome! You can now log in and build your profile.",
        link: ("/login", "Log in"),
    },
};

const CHANGE_EMAIL: LinkText = LinkText {
    purpose: "change_email",
    page: FormText {
        title: "Confirm your new e-mail",
        heading: "Confirm your new e-mail address",
        intro: "Confirm that you want to use this address for your account.",
        action: "/confirm-email",
        button: "Use this address",
    },
    done: Outcome {
        heading: "Your e-mail address has changed",
        paragraph: "From now on, log in with your new address.",
        link: ("/settings/account", "Account settings"),
    },
};

/// A link the site e-mails: its text, and what using its token does.
pub(super) trait EmailedLink {
    const TEXT: &'static LinkText;
    fn use_token<'a>(state: &'a AppState, token: &'a str) -> BoxFuture<'a, AppResult<()>>;
}

/// The link that confirms a new member's address.
pub(super) struct Verify;

impl EmailedLink for Verify {
    const TEXT: &'static LinkText = &VERIFY;
    fn use_token<'a>(state: &'a AppState, token: &'a str) -> BoxFuture<'a, AppResult<()>> {
        Box::pin(async move { accounts::verify_email(state, token).await.map(|_| ()) })
    }
}

/// The link that confirms a change of address.
pub(super) struct ChangeEmail;

impl EmailedLink for ChangeEmail {
    const TEXT: &'static LinkText = &CHANGE_EMAIL;
    fn use_token<'a>(state: &'a AppState, token: &'a str) -> BoxFuture<'a, AppResult<()>> {
        Box::pin(async move { accounts::confirm_email_change(state, token).await.map(|_| ()) })
    }
}

/// Opening an e-mailed link shows a button; only the POST changes anything, so link
/// scanners that fetch e-mailed links do not use them up.
pub(super) async fn link_page<L: EmailedLink>(
    Req { state, ctx }: Req,
    ApiQuery(q): ApiQuery<TokenQuery>,
) -> AppResult<Response> {
    if let Err(e) = accounts::check_token(&state, &q.token, L::TEXT.purpose).await {
        return token_problem(&state, &ctx, e);
    }
    Ok(one_form_page(&state, &ctx, &L::TEXT.page, Some(&q.token), String::new(), &FieldErrors::new()))
}

pub(super) async fn link_submit<L: EmailedLink>(
    Req { state, ctx }: Req,
    HtmlForm(q): HtmlForm<TokenQuery>,
) -> AppResult<Response> {
    match L::use_token(&state, &q.token).await {
        Ok(()) => {
            let done = &L::TEXT.done;
            Ok(message(&state, &ctx, done.heading, vec![done.paragraph], Some(done.link)))
        }
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
pub(super) struct LoginFormData {
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
        email: email_field("email", "E-mail address", &f.email, errors),
        password: password_field("password", "Password", errors),
    });
    page(state, ctx, status, "Log in", "/login", body)
}

#[derive(Deserialize, Default)]
pub(super) struct NextQuery {
    #[serde(default)]
    next: String,
}

pub(super) async fn login_page(Req { state, ctx }: Req, ApiQuery(q): ApiQuery<NextQuery>) -> Response {
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

pub(super) async fn login_submit(
    Req { state, ctx }: Req,
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

pub(super) async fn logout(Req { state, ctx }: Req) -> AppResult<Response> {
    if let (Some(s), Some(m)) = (&ctx.session, ctx.viewer.account()) {
        accounts::logout(&state, &s.id, m.id, &ctx.client_ip).await?;
    }
    let mut res = kernel::http::redirect("/").into_response();
    if let Ok(v) = set_cookie(&state, SESSION_COOKIE, "", Some(0)).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

// ---------- password reset ----------

#[derive(Deserialize, Default)]
pub(super) struct EmailOnly {
    #[serde(default)]
    email: String,
}

const FORGOT_FORM: FormText = FormText {
    title: "Reset your password",
    heading: "Reset your password",
    intro: "Enter the e-mail address of your account and we will send you a link to choose a new password.",
    action: "/forgot-password",
    button: "Send me a link",
};

fn render_forgot(state: &AppState, ctx: &RequestContext, email: &str, errors: &FieldErrors) -> Response {
    let fields = email_field("email", "E-mail address", email, errors);
    one_form_page(state, ctx, &FORGOT_FORM, None, fields, errors)
}

pub(super) async fn forgot_page(Req { state, ctx }: Req) -> Response {
    render_forgot(&state, &ctx, "", &FieldErrors::new())
}

pub(super) async fn forgot_submit(Req { state, ctx }: Req, HtmlForm(f): HtmlForm<EmailOnly>) -> AppResult<Response> {
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
pub(super) struct ResetFormData {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

const RESET_FORM: FormText = FormText {
    title: "Choose a new password",
    heading: "Choose a new password",
    intro: "After this, you will be logged out everywhere and can log in with the new password.",
    action: "/reset-password",
    button: "Set my new password",
};

fn render_reset(state: &AppState, ctx: &RequestContext, token: &str, errors: &FieldErrors) -> Response {
    let fields = new_password_field("password", "New password", "At least 8 characters.", errors);
    one_form_page(state, ctx, &RESET_FORM, Some(token), fields, errors)
}

pub(super) async fn reset_page(Req { state, ctx }: Req, ApiQuery(q): ApiQuery<TokenQuery>) -> AppResult<Response> {
    if let Err(e) = accounts::check_token(&state, &q.token, "reset").await {
        return token_problem(&state, &ctx, e);
    }
    Ok(render_reset(&state, &ctx, &q.token, &FieldErrors::new()))
}

pub(super) async fn reset_submit(Req { state, ctx }: Req, HtmlForm(f): HtmlForm<ResetFormData>) -> AppResult<Response> {
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
