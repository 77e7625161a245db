//! Request plumbing shared by every slice: who is asking (resolved once per request by
//! the shell's middleware), CSRF tokens, and body extractors that turn bad input into
//! clear 4xx errors.

use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::de::DeserializeOwned;

use crate::error::{AppError, AppResult};
use crate::session::{self, Credential, SESSION_COOKIE, SessionRef};
use crate::state::AppState;
use crate::viewer::Viewer;

pub const CSRF_COOKIE: &str = "shn_csrf";
pub const CSRF_FIELD: &str = "csrf";

/// Largest body accepted on the routes that take credentials or e-mail addresses (log
/// in, sign up, tokens, resets, password and e-mail changes): a few KB is plenty.
pub const AUTH_BODY_LIMIT: usize = 8 * 1024;

/// Largest body accepted on other routes (posts, profiles, JSON), except uploads.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

const AUTH_PATHS: &[&str] = &[
    "/api/v1/auth/",
    "/login",
    "/signup",
    "/logout",
    "/verify",
    "/forgot-password",
    "/reset-password",
    "/confirm-email",
    "/settings/password",
    "/settings/email",
    "/settings/delete",
    "/settings/tokens",
];

/// Routes that take uploaded files; they get the configured maximum.
const UPLOAD_PATHS: &[&str] = &["/settings/avatar", "/admin/resources/upload"];
/// Upload routes with an id inside, as (start, end): an article's images.
const UPLOAD_PATTERNS: &[(&str, &str)] = &[("/articles/", "/images")];

/// The largest request body `path` accepts: small on authentication routes, the
/// configured maximum for uploads, a sensible megabyte elsewhere.
pub fn body_limit(path: &str, max_body_bytes: usize) -> usize {
    let under = |p: &&str| path == p.trim_end_matches('/') || path.starts_with(*p);
    if AUTH_PATHS.iter().any(under) {
        AUTH_BODY_LIMIT.min(max_body_bytes)
    } else if UPLOAD_PATHS.contains(&path)
        || UPLOAD_PATTERNS.iter().any(|(a, b)| path.starts_with(a) && path.ends_with(b))
    {
        max_body_bytes
    } else {
        DEFAULT_BODY_LIMIT.min(max_body_bytes)
    }
}

/// Everything known about the requester, put on the request by the shell.
#[derive(Clone, Debug, Default)]
pub struct RequestContext {
    pub viewer: Viewer,
    /// The browser session, when signed in by cookie.
    pub session: Option<SessionRef>,
    /// The CSRF token to embed in forms on this page.
    pub csrf: String,
    /// The client's address, for rate limits and the audit log.
    pub client_ip: String,
    /// Whether the request came with a bearer token (API scripts).
    pub via_token: bool,
}

impl RequestContext {
    /// What signed this request in (its bearer token, else its browser session), if anything.
    pub fn credential(&self, headers: &HeaderMap) -> Option<Credential> {
        if self.via_token {
            return bearer(headers).map(|token| Credential::Token(crate::secret::token_hash(token)));
        }
        self.session.as_ref().map(|s| Credential::Session(s.id.clone()))
    }
}

/// The bearer token a request carries, as sent (`Authorization: Bearer …`).
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<RequestContext>().cloned().unwrap_or_default())
    }
}

/// What nearly every handler starts from: the application, and the context of the
/// request (who is asking, from where, with which CSRF token), as one extractor:
/// `Req { state, ctx }: Req`.
pub struct Req {
    pub state: AppState,
    pub ctx: RequestContext,
}

impl FromRequestParts<AppState> for Req {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ctx = parts.extensions.get::<RequestContext>().cloned().unwrap_or_default();
        Ok(Req { state: state.clone(), ctx })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<RequestContext>().map(|c| c.viewer.clone()).unwrap_or_default())
    }
}

/// A cookie's value from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value with our standard attributes.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age_secs: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age_secs {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if state.config.secure_cookies() {
        c.push_str("; Secure");
    }
    c
}

/// The CSRF token that goes with a CSRF cookie value and the session (its stored id;
/// none when signed out): a token from one session is refused in another, so a token
/// seen before log-in, or by someone sharing the browser's CSRF cookie, is no use later.
pub fn csrf_token_for(state: &AppState, cookie_value: &str, session: Option<&str>) -> String {
    state.secret.sign(csrf_message(cookie_value, session).as_bytes())
}

fn csrf_message(cookie_value: &str, session: Option<&str>) -> String {
    format!("csrf:{cookie_value}:{}", session.unwrap_or("-"))
}

/// Whether a submitted token matches the CSRF cookie and the session.
pub fn csrf_valid(
    state: &AppState,
    cookie_value: Option<&str>,
    session: Option<&str>,
    submitted: Option<&str>,
) -> bool {
    match (cookie_value, submitted) {
        (Some(c), Some(t)) if !c.is_empty() => state.secret.verify(csrf_message(c, session).as_bytes(), t),
        _ => false,
    }
}

/// A member, else a judge-only guest, by account id.
async fn load_viewer(state: &AppState, id: crate::ids::MemberId) -> AppResult<Option<Viewer>> {
    if let Some(m) = state.viewers.load(&state.db, id).await? {
        return Ok(Some(Viewer::Member(m)));
    }
    Ok(state.viewers.load_guest_judge(&state.db, id).await?.map(Viewer::GuestJudge))
}

/// Finds the viewer from a bearer token or a session cookie.
pub async fn authenticate(state: &AppState, headers: &HeaderMap) -> AppResult<(Viewer, Option<SessionRef>, bool)> {
    if let Some(auth) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let token = auth.strip_prefix("Bearer ").map(str::trim).ok_or(AppError::Unauthorized)?;
        let member = session::find_api_token(&state.db, &state.config, token).await?.ok_or(AppError::Unauthorized)?;
        let viewer = load_viewer(state, member).await?.ok_or(AppError::Unauthorized)?;
        return Ok((viewer, None, true));
    }
    if let Some(raw) = cookie(headers, SESSION_COOKIE)
        && let Some((s, Some(v))) = session_viewer(state, raw).await?
    {
        return Ok((v, Some(s), false));
    }
    Ok((Viewer::Anonymous, None, false))
}

/// The live session behind a cookie and its viewer (none when the account cannot act):
/// one statement where the viewer directory gives its columns, else two.
async fn session_viewer(state: &AppState, raw: &str) -> AppResult<Option<(SessionRef, Option<Viewer>)>> {
    let viewers = &state.viewers;
    if let Some(columns) = viewers.columns_sql("s.member_id") {
        let read = |row: &sea_orm::QueryResult, id| viewers.viewer_of_columns(row, id);
        return Ok(session::find_with_viewer(&state.db, &state.config, raw, &columns, read).await?);
    }
    match session::find(&state.db, &state.config, raw).await? {
        Some(s) => {
            let v = load_viewer(state, s.member_id).await?;
            Ok(Some((s, v)))
        }
        None => Ok(None),
    }
}

/// Declares a body extractor that wraps axum's `$inner` and turns its rejection into
/// one of our clear 4xx errors with `$reject`.
macro_rules! clear_body {
    ($(#[$doc:meta])* $name:ident wraps $inner:ident, rejected by $reject:ident) => {
        $(#[$doc])*
        pub struct $name<T>(pub T);

        impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for $name<T> {
            type Rejection = AppError;
            async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
                axum::$inner::<T>::from_request(req, state).await.map(|axum::$inner(v)| $name(v)).map_err($reject)
            }
        }
    };
}

clear_body!(
    /// A JSON body for the API. Malformed JSON, wrong types, missing or unknown fields and
    /// a wrong content type are a 400 and an oversized body a 413, each with a code and a
    /// message that says what to fix. (Validation of well-formed values is a 422.)
    ApiJson wraps Json, rejected by json_rejection
);

clear_body!(
    /// An HTML form body. Form structs use plain strings so almost any input
    /// deserialises and is then validated with inline messages; what still fails here is
    /// a client that is not our form.
    HtmlForm wraps Form, rejected by form_rejection
);

fn json_rejection(r: JsonRejection) -> AppError {
    match r {
        JsonRejection::JsonDataError(e) => AppError::BadRequest {
            code: "invalid_body",
            message: format!(
                "The request body does not have the expected shape: {}",
                e.body_text().trim_start_matches("Failed to deserialize the JSON body into the target type: ")
            ),
        },
        JsonRejection::JsonSyntaxError(_) => {
            AppError::bad_request("malformed_json", "The request body is not valid JSON.")
        }
        JsonRejection::MissingJsonContentType(_) => AppError::BadRequest {
            code: "unsupported_media_type",
            message: "Send the body as JSON with Content-Type: application/json.".into(),
        },
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        other => AppError::bad_request("invalid_body", other.body_text()),
    }
}

fn form_rejection(r: FormRejection) -> AppError {
    match r {
        FormRejection::FailedToDeserializeForm(_) | FormRejection::FailedToDeserializeFormBody(_) => {
            AppError::bad_request("invalid_form", format!("The form could not be read: {}", r.body_text()))
        }
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        other => AppError::bad_request("invalid_form", other.body_text()),
    }
}

/// Query-string parameters; a value of the wrong type is a clear 400, not plain text.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(AppError::bad_request(
                "invalid_query",
                format!("The query string could not be read: {}", e.body_text()),
            )),
        }
    }
}

/// A `next` (return-to) value is followed only when it is a path on this site: it
/// starts with a single `/`, and neither it nor its percent-decoded form holds a
/// backslash, a control or whitespace character, or starts with `//`. Anything else
/// (a scheme, `//host`, `/\host`, `/%09/host`, which browsers read as another site)
/// gives `/`.
pub fn safe_next(next: &str) -> &str {
    fn bad(p: &str) -> bool {
        !p.starts_with('/')
            || p.starts_with("//")
            || p.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace())
    }
    if next.len() > 2048 || bad(next) || bad(&percent_decode(next)) { "/" } else { next }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The one way a page redirects after an action (303 See Other): to a path on this
/// site, checked by [`safe_next`], so no redirect can be turned into a way off-site.
pub fn redirect(path: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    let to = HeaderValue::from_str(safe_next(path)).unwrap_or(HeaderValue::from_static("/"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

/// Sends a visitor to log in, coming back to `return_to` (a path on this site) after.
pub fn login_redirect(return_to: &str) -> axum::response::Response {
    let encoded =
        url::form_urlencoded::Serializer::new(String::new()).append_pair("next", safe_next(return_to)).finish();
    redirect(&format!("/login?{encoded}"))
}

/// A form body's fields in order, repeated names included (checkboxes, answers, lists):
/// for forms whose fields vary (a survey's answers, a collection's order) and so have no
/// struct to deserialise into.
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
}

/// The first value of `name` in a form, or "".
pub fn form_value(pairs: &[(String, String)], name: &str) -> String {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
}

/// Every value of `name` in a form, in order.
pub fn form_values(pairs: &[(String, String)], name: &str) -> Vec<String> {
    pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
}

/// Parses an id from a path segment; an id that cannot exist is simply not found.
pub fn path_id<T: std::str::FromStr>(raw: &str) -> AppResult<T> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// A JSON body that may be left out: an empty body, or `null` (as the API documents
/// such bodies), means the defaults. Errors are the same clear 400s as [`ApiJson`]'s.
pub fn optional_json<T: DeserializeOwned + Default>(body: &[u8]) -> AppResult<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice::<Option<T>>(body).map(Option::unwrap_or_default).map_err(body_error)
}

/// A JSON body read by the handler itself, after it has decided the caller may act (an
/// extractor would parse it first, and a stranger would learn the body's shape from the
/// error). Errors are the same clear 400s as [`ApiJson`]'s.
pub fn json<T: DeserializeOwned>(body: &[u8]) -> AppResult<T> {
    serde_json::from_slice(body).map_err(body_error)
}

fn body_error(e: serde_json::Error) -> AppError {
    match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            AppError::bad_request("malformed_json", "The request body is not valid JSON.")
        }
        _ => AppError::bad_request("invalid_body", format!("The request body does not have the expected shape: {e}")),
    }
}
