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
/// one test process), kept up by a thread of its own.
pub fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: std::sync::OnceLock<PrometheusHandle> = std::sync::OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (tests); ours still renders what it saw.
        let _ = metrics::set_global_recorder(recorder);
        keep_up(handle.clone());
        handle
    })
}

/// How often the recorder folds its raw samples into their summaries. Until then it
/// keeps every request's duration as it came (about 25 bytes each), and only a scrape
/// of `/metrics` folds them: on a site nobody scrapes, that was a leak of about 1 MB a
/// minute at 600 requests a second (bench/RESULTS.md, 2026-12-01, sixth session).
const METRICS_UPKEEP: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs the recorder's upkeep every [`METRICS_UPKEEP`] for the life of the process, on a
/// thread rather than a task: the recorder outlives whichever runtime first asked for it.
fn keep_up(handle: PrometheusHandle) {
    let spawned = std::thread::Builder::new().name("metrics-upkeep".into()).spawn(move || {
        loop {
            std::thread::sleep(METRICS_UPKEEP);
            handle.run_upkeep();
        }
    });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "no thread for the metrics' upkeep: samples wait for a scrape of /metrics");
    }
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

#[cfg(test)]
mod tests {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicIsize, Ordering};
    use std::time::{Duration, Instant};

    /// The system allocator, counting the bytes live in this test process.
    struct Counting;

    static LIVE: AtomicIsize = AtomicIsize::new(0);

    // SAFETY: every call is passed on to the system allocator unchanged; only counted.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
            unsafe { System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    #[global_allocator]
    static COUNTING: Counting = Counting;

    /// A million request durations, then a trickle, and nobody scraping: the upkeep folds
    /// them away on its own, so the memory they took comes back within a few periods.
    #[test]
    fn request_durations_are_folded_away_without_a_scrape() {
        super::prometheus();
        let before = LIVE.load(Ordering::Relaxed);
        let mut grown = 0;
        for i in 0..1_000_000 {
            metrics::histogram!("shn_http_request_duration_seconds").record(0.01);
            // The highest point, should an upkeep come round while they are recorded.
            if i % 10_000 == 0 {
                grown = grown.max(LIVE.load(Ordering::Relaxed) - before);
            }
        }
        grown = grown.max(LIVE.load(Ordering::Relaxed) - before);
        assert!(grown > 10_000_000, "a million raw samples should take over 10 MB, measured {grown} bytes");
        let deadline = Instant::now() + super::METRICS_UPKEEP * 4;
        let held = loop {
            // A live site goes on recording, and that is also what lets the folded samples'
            // blocks be reclaimed (the bucket frees them through an epoch, after a while).
            for _ in 0..100 {
                metrics::histogram!("shn_http_request_duration_seconds").record(0.01);
            }
            let held = LIVE.load(Ordering::Relaxed) - before;
            if held < grown / 10 || Instant::now() > deadline {
                break held;
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        assert!(held < grown / 10, "the samples were never folded away: {held} of {grown} bytes still held");
    }
}
