//! Operations: liveness, readiness, metrics, the OpenAPI document, static assets.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use kernel::config::Config;
use kernel::{AppError, AppState};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

/// `openapi` is the OpenAPI document of the assembled slices, as JSON.
pub fn router(openapi: String) -> Router<AppState> {
    let openapi = axum::body::Bytes::from(openapi);
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route(
            "/api/v1/openapi.json",
            get(move || async move { ([(header::CONTENT_TYPE, "application/json")], openapi.clone()) }),
        )
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    let db_ok = state.db.scalar::<i32>("SELECT 1", kernel::params![]).await.is_ok();
    let migrations_ok = db_ok && crate::app::migrations_current(&state.db).await.unwrap_or(false);
    let body = serde_json::json!({ "database": db_ok, "migrations_current": migrations_ok });
    let status = if db_ok && migrations_ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body)).into_response()
}

/// The process-wide Prometheus recorder (installed once, even with several apps in
/// one test process).
pub fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: std::sync::OnceLock<PrometheusHandle> = std::sync::OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (tests); ours still renders what it saw.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Prometheus metrics. A scrape costs the same however long the site has run: the
/// queue is read in bounded readings (see `kernel::jobs::reading`) and everything else
/// is counted in memory as it happens.
async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !metrics_allowed(&state.config, &headers) {
        return AppError::NotFound.into_response();
    }
    match kernel::jobs::reading(&state.db).await {
        Ok(queue) => {
            metrics::gauge!("shn_jobs_due").set(queue.due as f64);
            metrics::gauge!("shn_jobs_failed").set(queue.failed as f64);
            metrics::gauge!("shn_jobs_oldest_due_seconds").set(queue.oldest_due_secs);
        }
        Err(e) => tracing::warn!(error = %e, "could not read the job queue for /metrics"),
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], prometheus().render()).into_response()
}

/// Whether a request may read `/metrics`: anyone when `SHN_METRICS_TOKEN` is unset,
/// else only a bearer of that token; to anyone else the page does not exist. The
/// tokens are compared as hashes, so the time taken tells nothing about a guess.
fn metrics_allowed(config: &Config, headers: &HeaderMap) -> bool {
    let Some(expected) = &config.metrics_token else { return true };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    given.is_some_and(|g| kernel::secret::token_hash(g) == kernel::secret::token_hash(expected))
}

#[derive(OpenApi)]
#[openapi(info(
    title = "Social Health Network API",
    version = "1",
    description = "JSON API. Authenticate with `Authorization: Bearer <token>` from `POST /api/v1/auth/token`. Errors: `{\"error\": {\"code\", \"message\", \"fields\"}}`."
))]
struct BaseApi;

/// The OpenAPI document of `slices`' JSON API.
pub fn openapi_doc(slices: &[kernel::slice::Slice]) -> utoipa::openapi::OpenApi {
    let mut doc = BaseApi::openapi();
    doc.merge(crate::analytics::AnalyticsApi::openapi());
    for part in slices.iter().flat_map(|s| s.openapi.iter()) {
        doc.merge(part());
    }
    let components = doc.components.get_or_insert_with(Default::default);
    components
        .add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    doc
}

/// The document as served, rendered once per application, with the error answers every
/// operation can give (see `api_errors`).
pub fn openapi_json(slices: &[kernel::slice::Slice]) -> String {
    let Ok(mut doc) = serde_json::to_value(openapi_doc(slices)) else { return "{}".into() };
    crate::api_errors::complete(&mut doc);
    doc.to_string()
}

async fn css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../static/app.css"),
    )
        .into_response()
}

async fn js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../static/app.js"),
    )
        .into_response()
}
