//! The error type every handler returns. It renders as the API's JSON error shape,
//! `{"error": {"code", "message", "fields"}}`, with the right status; the web shell
//! turns it into a friendly HTML page for browser routes.

use std::collections::BTreeMap;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

pub type AppResult<T> = Result<T, AppError>;

/// Field name → what is wrong with it, in words a person understands.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_string()).or_insert_with(|| message.into());
    }
    /// Every message in one sentence, for a page that shows them together.
    pub fn sentence(&self) -> String {
        self.0.values().cloned().collect::<Vec<_>>().join(" ")
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }
    /// Adds `message` for `field` unless `text` has a number of characters in `allowed`.
    pub fn check_length(
        &mut self,
        field: &str,
        text: &str,
        allowed: std::ops::RangeInclusive<usize>,
        message: impl Into<String>,
    ) {
        if !allowed.contains(&text.chars().count()) {
            self.add(field, message);
        }
    }
    /// The status of a form page showing these errors: 200 without any, else 422.
    pub fn page_status(&self) -> StatusCode {
        if self.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY }
    }
    /// `Ok(())` when nothing was added, else the validation error.
    pub fn into_result(self) -> AppResult<()> {
        if self.is_empty() { Ok(()) } else { Err(AppError::Validation(self)) }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("The request was not valid.")]
    Validation(FieldErrors),
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("You need to log in to do that.")]
    Unauthorized,
    #[error("That e-mail address and password do not match an account.")]
    InvalidCredentials,
    #[error("You are not allowed to do that.")]
    Forbidden,
    #[error("We could not find that.")]
    NotFound,
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("The request body is too large.")]
    PayloadTooLarge,
    #[error("Too many attempts. Please wait a little and try again.")]
    RateLimited { retry_after_secs: u64 },
    #[error("The form expired or was sent from another site. Please try again.")]
    Csrf,
    #[error("Something went wrong on our side.")]
    Internal(#[from] anyhow::Error),
}

impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        AppError::Internal(e.into())
    }
}

impl AppError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        AppError::BadRequest { code, message: message.into() }
    }
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Conflict { code, message: message.into() }
    }
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut f = FieldErrors::new();
        f.add(field, message);
        AppError::Validation(f)
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthorized | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation(_) => "validation_failed",
            AppError::BadRequest { code, .. } | AppError::Conflict { code, .. } => code,
            AppError::Unauthorized => "unauthorized",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::Forbidden => "forbidden",
            AppError::Csrf => "csrf_failed",
            AppError::NotFound => "not_found",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Internal(_) => "internal_error",
        }
    }
}

/// What the web shell needs to render an HTML error page instead of JSON.
#[derive(Clone, Debug)]
pub struct ErrorPage {
    pub status: StatusCode,
    pub message: String,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<&'a FieldErrors>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(e) = &self {
            tracing::error!(error = ?e, "internal error");
        }
        let status = self.status();
        let message = self.to_string();
        let fields = match &self {
            AppError::Validation(f) => Some(f),
            _ => None,
        };
        let body = Body { error: Inner { code: self.code(), message: message.clone(), fields } };
        let mut res = (status, axum::Json(body)).into_response();
        if let AppError::RateLimited { retry_after_secs } = self {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs.max(1)));
        }
        res.extensions_mut().insert(ErrorPage { status, message });
        res
    }
}
