//! Middleware: who is asking (session or token), CSRF, security headers, friendly error
//! pages for browsers and JSON errors for the API, metrics.

use std::net::SocketAddr;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kernel::error::ErrorPage;
use kernel::http::{
    CSRF_COOKIE, CSRF_FIELD, RequestContext, authenticate, body_limit, cookie, csrf_token_for, csrf_valid, set_cookie,
};
use kernel::secret::random_token;
use kernel::ui::{self, escape};
use kernel::{AppError, AppState};

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// The client's address: the peer's, or what a trusted proxy says it forwarded for
/// (see [`kernel::net::client_ip`]).
fn client_ip(state: &AppState, req: &Request) -> String {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let forwarded: Vec<&str> =
        req.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    kernel::net::client_ip(peer, &forwarded, &state.config.trusted_proxies)
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Resolves the requester once per request and guards every unsafe browser request
/// against cross-site forgery (a signed double-submit token, plus an Origin check).
///
/// The API authenticates by bearer token only: a browser's session cookie is ignored
/// there, so no cross-site page can ride on it and the API needs no CSRF token.
pub async fn context(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let req = match limit_body(&state, req).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let api = is_api(req.uri().path());
    let mut headers = req.headers().clone();
    if api {
        headers.remove(header::COOKIE);
    }
    // `/metrics` checks its own bearer (SHN_METRICS_TOKEN), which is no member's token.
    let (viewer, session, via_token) = match req.uri().path() {
        "/metrics" => Default::default(),
        _ => match authenticate(&state, &headers).await {
            Ok(v) => v,
            Err(e) => return e.into_response(),
        },
    };
    let existing = cookie(req.headers(), CSRF_COOKIE).filter(|c| c.len() >= 16 && c.len() <= 64).map(str::to_string);
    let fresh = existing.is_none().then(|| random_token(18));
    let csrf_cookie = existing.clone().or_else(|| fresh.clone()).unwrap_or_default();
    let csrf = csrf_token_for(&state, &csrf_cookie, session.as_ref().map(|s| s.id.as_str()));
    let ctx = RequestContext { viewer, session, csrf, client_ip: client_ip(&state, &req), via_token };
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // An unsubscribe link is its own proof (a signed token) and mail providers post to
    // it without a session or a form token (RFC 8058 one-click).
    let signed_link = req.uri().path().starts_with("/unsubscribe/");
    let req = if unsafe_method && !api && !signed_link {
        match check_csrf(&state, req, existing.as_deref(), ctx.session.as_ref().map(|s| s.id.as_str())).await {
            Ok(r) => r,
            Err(e) => {
                let mut res = e.into_response();
                res.extensions_mut().insert(ctx);
                return res;
            }
        }
    } else {
        req
    };
    let mut req = req;
    req.extensions_mut().insert(ctx.clone());
    let mut res = next.run(req).await;
    if let Some(c) = fresh
        && let Ok(v) = HeaderValue::from_str(&set_cookie(&state, CSRF_COOKIE, &c, None))
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res.extensions_mut().insert(ctx);
    res
}

/// Caps the body at the route's limit ([`body_limit`]): a declared length over it is
/// refused (413) without being stored or parsed, and a body that streams past it fails
/// as it is read (413 too).
async fn limit_body(state: &AppState, req: Request) -> Result<Request, AppError> {
    let limit = body_limit(req.uri().path(), state.config.max_body_bytes);
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    let (parts, body) = req.into_parts();
    if declared.is_some_and(|n| n > limit as u64) {
        // Read what the client is still sending and throw it away (up to a cap), so that
        // it gets the 413 rather than a connection reset half-way through its upload.
        let cap = state.config.max_body_bytes.saturating_mul(2) as u64;
        if declared.is_some_and(|n| n <= cap) {
            let mut body = body;
            while let Some(Ok(_)) = http_body_util::BodyExt::frame(&mut body).await {}
        }
        return Err(AppError::PayloadTooLarge);
    }
    Ok(Request::from_parts(parts, Body::new(http_body_util::Limited::new(body, limit))))
}

async fn check_csrf(
    state: &AppState,
    req: Request,
    cookie_value: Option<&str>,
    session: Option<&str>,
) -> Result<Request, AppError> {
    let headers = req.headers();
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return Err(AppError::Csrf);
    }
    if let (Some(origin), Some(host)) = (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        let same_host = origin.split_once("://").map(|(_, h)| h) == Some(host);
        let base = state.config.base_url.origin().ascii_serialization();
        if !same_host && origin != base {
            return Err(AppError::Csrf);
        }
    }
    // The token comes in a header (scripts) or in the form body; never in the query
    // string, which ends up in logs and history.
    if let Some(t) = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return if csrf_valid(state, cookie_value, session, Some(t)) { Ok(req) } else { Err(AppError::Csrf) };
    }
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let boundary = content_type
        .strip_prefix("multipart/form-data")
        .and_then(|rest| rest.split(';').find_map(|p| p.trim().strip_prefix("boundary=")))
        .map(|b| b.trim_matches('"').to_string());
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    if !is_form && boundary.is_none() {
        return Err(AppError::Csrf);
    }
    let (parts, body) = req.into_parts();
    let limit = body_limit(parts.uri.path(), state.config.max_body_bytes);
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| AppError::PayloadTooLarge)?;
    let token = match &boundary {
        Some(b) => multipart_field(&bytes, b, CSRF_FIELD),
        None => serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v)),
    };
    if !csrf_valid(state, cookie_value, session, token.as_deref()) {
        return Err(AppError::Csrf);
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// The value of a small text field of a multipart/form-data body.
fn multipart_field(body: &[u8], boundary: &str, name: &str) -> Option<String> {
    let delimiter = format!("--{boundary}");
    let wanted = format!("name=\"{name}\"");
    let text = String::from_utf8_lossy(body);
    text.split(delimiter.as_str()).find_map(|part| {
        let (head, value) = part.split_once("\r\n\r\n")?;
        let disposition = head.lines().find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
        let is_field = disposition.split(';').any(|p| p.trim() == wanted) && !disposition.contains("filename=");
        is_field.then(|| value.strip_suffix("\r\n").unwrap_or(value).to_string())
    })
}

/// Browsers get a friendly page for every error; the API gets the JSON error shape for
/// every error, including the router's own (405, 413, timeouts).
pub async fn error_pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let api = is_api(req.uri().path());
    let res = next.run(req).await;
    let status = res.status();
    if status.as_u16() < 400 {
        return res;
    }
    let content_type = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    if api {
        if content_type.starts_with("application/json") {
            return res;
        }
        return json_error_for(status);
    }
    let explicit = res.extensions().get::<ErrorPage>().cloned();
    if explicit.is_none() && content_type.starts_with("text/html") {
        return res;
    }
    let ctx = res.extensions().get::<RequestContext>().cloned().unwrap_or_default();
    let message = explicit.map(|e| e.message).unwrap_or_else(|| default_message(status).to_string());
    let retry_after = res.headers().get(header::RETRY_AFTER).cloned();
    let mut page = (status, error_html(&state, &ctx, status, &message)).into_response();
    if let Some(r) = retry_after {
        page.headers_mut().insert(header::RETRY_AFTER, r);
    }
    page
}

fn default_message(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "We could not find that page. It may have moved, or it may be private.",
        StatusCode::METHOD_NOT_ALLOWED => "That action is not available here.",
        StatusCode::PAYLOAD_TOO_LARGE => "What you sent is too large.",
        StatusCode::REQUEST_TIMEOUT => "That took too long. Please try again.",
        StatusCode::UNAUTHORIZED => "You need to log in to do that.",
        StatusCode::FORBIDDEN => "You are not allowed to do that.",
        s if s.is_server_error() => "Something went wrong on our side. Please try again in a moment.",
        _ => "Something about that request was not right.",
    }
}

fn json_error_for(status: StatusCode) -> Response {
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        s if s.is_server_error() => "internal_error",
        _ => "bad_request",
    };
    let body = serde_json::json!({ "error": { "code": code, "message": default_message(status) } });
    (status, axum::Json(body)).into_response()
}

fn error_html(
    state: &AppState,
    ctx: &RequestContext,
    status: StatusCode,
    message: &str,
) -> axum::response::Html<String> {
    let title = match status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::UNAUTHORIZED => "Please log in",
        StatusCode::TOO_MANY_REQUESTS => "Please slow down",
        s if s.is_server_error() => "Something went wrong",
        _ => "There is a problem",
    };
    let login = if status == StatusCode::UNAUTHORIZED { "<p><a href=\"/login\">Log in</a></p>" } else { "" };
    let body = format!(
        "<h1>{}</h1><p>{}</p>{login}<p><a href=\"/\">Go to the home page</a></p>",
        escape(title),
        escape(message)
    );
    ui::page(state, ctx, title, "", &body)
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// A panic in a handler becomes a plain 500 (and is logged), never a dropped connection.
pub fn panic_page(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    let body = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Something went wrong</title></head>\
                <body><main><h1>Something went wrong</h1><p>Please try again in a moment.</p><p><a href=\"/\">Home</a></p></main></body></html>";
    (StatusCode::INTERNAL_SERVER_ERROR, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
                   connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// How long browsers keep to HTTPS once they have seen the site over it (a year).
const HSTS: &str = "max-age=31536000";

pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if state.config.base_url.scheme() == "https" {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

pub async fn metrics(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().to_string();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("shn_http_requests_total", "method" => method, "status" => status).increment(1);
    metrics::histogram!("shn_http_request_duration_seconds").record(started.elapsed().as_secs_f64());
    res
}

/// While statement capture is on (tests of query discipline), records the SQL each
/// request runs; otherwise passes straight through.
pub async fn capture_statements(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let log = state.db.statements();
    if !log.capture_enabled() {
        return next.run(req).await;
    }
    let path = req.uri().to_string();
    let (response, statements) = log.capture(next.run(req)).await;
    log.keep(path, statements);
    response
}
