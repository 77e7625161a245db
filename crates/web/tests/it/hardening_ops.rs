//! Security hardening of operations (issue 13, items 7, 12 and 13): secrets at rest in
//! the job queue, `/metrics`, live notification streams and avatar decoding. Each test
//! names the rule it proves and runs on SQLite and on PostgreSQL.

use std::io::Cursor;
use std::time::Duration;

use kernel::params;
use serde_json::Value;

use crate::both_backends;
use crate::privacy::upload_avatar;
use crate::support::*;

both_backends![
    sent_mail_leaves_only_a_record_without_its_body_and_old_jobs_are_purged_on_a_schedule,
    a_metrics_scrape_reads_the_queue_in_bounded_readings,
    a_session_keeps_one_notification_stream_and_every_stream_ends_at_log_out,
    avatars_declaring_more_than_20_megapixels_are_refused_before_decoding,
    avatars_are_decoded_at_most_two_at_once_and_more_are_asked_to_retry,
    what_the_api_fuzzing_found_stays_fixed,
];

both_backends!(backend; metrics_answer_only_the_bearer_of_the_metrics_token);

const METRICS_TOKEN: &str = "metrics-scraper-secret-0123456789";

/// An application whose `/metrics` asks for [`METRICS_TOKEN`] (`SHN_METRICS_TOKEN`).
async fn with_metrics_token(backend: Backend) -> TestApp {
    let token = || Some(METRICS_TOKEN.to_string());
    TestApp::start_configured(backend, web::StartOptions::migrating(), |s| s.metrics_token = token()).await
}

/// How many jobs' stored payloads contain `text`.
async fn payloads_containing(app: &TestApp, text: &str) -> i64 {
    let sql = "SELECT COUNT(*) FROM jobs WHERE payload LIKE $1";
    app.state.db.scalar::<i64>(sql, params![format!("%{text}%")]).await.unwrap().unwrap_or(0)
}

// ---------- item 7: secrets at rest ----------

async fn sent_mail_leaves_only_a_record_without_its_body_and_old_jobs_are_purged_on_a_schedule(app: &TestApp) {
    let ana = app.member().named("Ana").email("ana@example.org").signed_up().create().await;
    let verify = app.mails_to(&ana.email).await.iter().find_map(|m| m.token("/verify?token=")).expect("a link");
    let c = app.client();
    assert_eq!(form_post(app, &c, "/forgot-password", &[("email", &ana.email)]).await.status(), 200);
    let reset_mail =
        app.mails_to(&ana.email).await.into_iter().rev().find(|m| m.token("/reset-password?token=").is_some());
    let reset = reset_mail.expect("a reset mail").token("/reset-password?token=").unwrap();

    // Sent: the queue keeps who was sent what kind of message, not the message.
    for secret in [verify.as_str(), reset.as_str(), "/reset-password", "Hello"] {
        assert_eq!(payloads_containing(app, secret).await, 0, "no sent job keeps {secret:?}");
    }
    let records: Vec<String> = app
        .state
        .db
        .all::<PayloadRow>("SELECT payload FROM jobs WHERE kind = 'mail.send' ORDER BY created_at", vec![])
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.payload)
        .collect();
    assert_eq!(records.len(), 2, "the verification and the reset: {records:?}");
    let reset_record: Value = serde_json::from_str(&records[1]).unwrap();
    assert_eq!(reset_record["to"], "ana@example.org");
    assert_eq!(reset_record["kind"], "reset");
    assert!(reset_record["subject"].as_str().is_some_and(|s| !s.is_empty()), "{reset_record}");
    assert!(reset_record.get("email").is_none(), "no rendered message: {reset_record}");

    // Purged on a schedule: done jobs after a week, failed ones after a month; nothing
    // that is still to run.
    assert!(
        app.state.schedules.iter().any(|s| s.job == "kernel.purge_jobs" && s.every.as_secs() <= 24 * 3600),
        "the purge is scheduled at least daily"
    );
    let db = &app.state.db;
    let long_ago = chrono::Utc::now() - days(8);
    db.exec("UPDATE jobs SET run_at = $1, finished_at = $1 WHERE payload LIKE '%\"reset\"%'", params![long_ago])
        .await
        .unwrap();
    for (status, key) in [("failed", "old-failure"), ("queued", "old-but-still-to-run")] {
        kernel::jobs::enqueue(db.writer(), "test.noop", &1, Some(key), Some(long_ago)).await.unwrap();
        db.exec("UPDATE jobs SET status = $1 WHERE unique_key = $2", params![status, key]).await.unwrap();
    }
    app.run_job("kernel.purge_jobs").await;
    assert_eq!(payloads_containing(app, "\"reset\"").await, 0, "the week-old sent reset mail is gone");
    assert_eq!(payloads_containing(app, "\"verify\"").await, 1, "the mail sent just now is kept");
    let kept = app.count("SELECT COUNT(*) FROM jobs WHERE unique_key IN ('old-failure', 'old-but-still-to-run')").await;
    assert_eq!(kept, 2, "a failure is kept for a month, and a job still to run for ever");
}

#[derive(sea_orm::FromQueryResult)]
struct PayloadRow {
    payload: String,
}

async fn a_metrics_scrape_reads_the_queue_in_bounded_readings(app: &TestApp) {
    let db = &app.state.db;
    for i in 0..40 {
        kernel::jobs::enqueue(db.writer(), "test.noop", &i, None, None).await.unwrap();
    }
    db.exec("UPDATE jobs SET status = 'done'", vec![]).await.unwrap();
    let a_minute_ago = chrono::Utc::now() - minutes(1);
    for i in 0..3 {
        kernel::jobs::enqueue(db.writer(), "test.noop", &i, None, Some(a_minute_ago)).await.unwrap();
    }
    let log = db.statements();
    log.enable_capture();
    log.take_requests();
    let text = send_text(app.client().get(app.url("/metrics")), 200, "a scrape").await;
    let scrape = log.take_requests().into_iter().find(|r| r.path == "/metrics").expect("the scrape was captured");
    assert!(!scrape.statements.is_empty(), "a scrape reads the queue");
    assert!(gauge(&text, "shn_jobs_due") == Some(3.0), "three jobs are due:\n{text}");
    assert!(gauge(&text, "shn_jobs_oldest_due_seconds").is_some_and(|s| s >= 59.0), "{text}");
    assert_eq!(gauge(&text, "shn_jobs_failed"), Some(0.0), "{text}");
    // Every statement of a scrape stops after a fixed number of rows, however many jobs
    // the queue has done (no COUNT over the whole table).
    for s in &scrape.statements {
        assert!(s.sql.contains("LIMIT"), "a scrape reads without a bound:\n{}", s.sql);
    }
}

/// The value of an unlabelled metric in Prometheus text.
fn gauge(text: &str, name: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

async fn send_text(rb: reqwest::RequestBuilder, status: u16, what: &str) -> String {
    let r = rb.send().await.unwrap();
    let got = r.status().as_u16();
    let body = r.text().await.unwrap();
    assert_eq!(got, status, "{what}: {body}");
    body
}

async fn metrics_answer_only_the_bearer_of_the_metrics_token(backend: Backend) {
    let app = with_metrics_token(backend).await;
    only_the_metrics_token_reads_the_metrics(&app).await;
    app.finish().await;
}

async fn only_the_metrics_token_reads_the_metrics(app: &TestApp) {
    let ana = app.member().named("Ana").create().await;
    let c = app.client();
    let metrics = || c.get(app.url("/metrics"));
    send_text(metrics(), 404, "no token").await;
    send_text(metrics().bearer_auth("metrics-scraper-secret-wrong"), 404, "a wrong token").await;
    send_text(metrics().bearer_auth(&ana.token), 404, "a member's API token").await;
    let text = send_text(metrics().bearer_auth(METRICS_TOKEN), 200, "the metrics token").await;
    assert!(text.contains("shn_jobs_due"), "{text}");
    // The API is untouched by the setting.
    send_expecting(c.get(app.url("/api/v1/me")).bearer_auth(&ana.token), 200, "Ana's API token works").await;
}

// ---------- item 12: one notification stream per session, ended at log-out ----------

/// Opens a notification stream and reads its first event (the unread count).
async fn open_stream(rb: reqwest::RequestBuilder) -> reqwest::Response {
    let mut r = rb.send().await.unwrap();
    assert_eq!(r.status(), 200, "the stream opens");
    let first = tokio::time::timeout(Duration::from_secs(10), r.chunk()).await.expect("a first event").unwrap();
    let first = String::from_utf8_lossy(&first.expect("a first event")).to_string();
    assert!(first.contains("event: unread"), "{first}");
    r
}

/// Reads a stream until it ends or `wait` runs out: what it sent, and whether it ended.
async fn read_to_end(r: &mut reqwest::Response, wait: Duration) -> (String, bool) {
    let mut text = String::new();
    let reading = async {
        while let Ok(Some(chunk)) = r.chunk().await {
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    let ended = tokio::time::timeout(wait, reading).await.is_ok();
    (text, ended)
}

async fn a_session_keeps_one_notification_stream_and_every_stream_ends_at_log_out(app: &TestApp) {
    let ana = app.member().named("Ana").signed_up().create().await;
    let (laptop, phone) = (ana.browser(app).await, ana.browser(app).await);
    let stream = |c: &reqwest::Client| c.get(app.url("/notifications/stream"));
    let mut first = open_stream(stream(&laptop)).await;
    let mut second = open_stream(stream(&laptop)).await;
    let (said, ended) = read_to_end(&mut first, Duration::from_secs(10)).await;
    assert!(ended, "a second stream of the session ends the first");
    assert!(said.contains("event: replaced"), "and tells the page why: {said:?}");

    // Another session of the same member keeps its own stream.
    let mut on_phone = open_stream(stream(&phone)).await;
    assert_eq!(form_post(app, &laptop, "/logout", &[]).await.status(), 303, "the laptop logs out");
    let (said, ended) = read_to_end(&mut second, Duration::from_secs(10)).await;
    assert!(ended, "log-out ends the session's stream");
    assert!(!said.contains("replaced"), "{said:?}");
    let (_, ended) = read_to_end(&mut on_phone, Duration::from_millis(1500)).await;
    assert!(!ended, "the phone's session is still signed in, and so is its stream");

    // The API's streams end when their token is revoked.
    let api = app.client();
    let mut by_token = open_stream(api.get(app.url("/api/v1/notifications/stream")).bearer_auth(&ana.token)).await;
    let revoke = api.delete(app.url("/api/v1/auth/token")).bearer_auth(&ana.token);
    send_expecting(revoke, 204, "Ana revokes her token").await;
    let (_, ended) = read_to_end(&mut by_token, Duration::from_secs(10)).await;
    assert!(ended, "revoking the token ends its stream");
}

// ---------- item 12: avatar decoding bounded in memory and in concurrency ----------

/// A PNG of `w` × `h` black pixels.
fn blank_png(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let image = image::DynamicImage::ImageRgb8(image::RgbImage::new(w, h));
    image.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

/// A one-pixel PNG whose header claims `w` × `h` pixels: a few bytes that would take
/// gigabytes to decode, were a decoder to believe them.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut png = blank_png(1, 1);
    // The signature (8 bytes), then IHDR: length (4), type (4), width, height, ...
    png[16..20].copy_from_slice(&w.to_be_bytes());
    png[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

/// CRC-32 (IEEE), as PNG chunks carry it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

async fn avatars_declaring_more_than_20_megapixels_are_refused_before_decoding(app: &TestApp) {
    let ana = app.member().named("Ana").signed_up().create().await;
    let b = ana.browser(app).await;
    // 36 megapixels (within the old limit of 8000 pixels a side) in 69 bytes.
    let r = upload_avatar(app, &b, png_claiming(6000, 6000)).await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("6000 × 6000 pixels") && page.contains("20 megapixels"), "says why");
    let r = upload_avatar(app, &b, png_claiming(100_000, 100_000)).await;
    assert_eq!(r.status(), 422, "ten gigapixels");
    let me = send_expecting(app.client().get(app.url("/api/v1/me")).bearer_auth(&ana.token), 200, "Ana").await;
    assert!(me["avatar_url"].is_null(), "no photo stored: {me}");
}

async fn avatars_are_decoded_at_most_two_at_once_and_more_are_asked_to_retry(app: &TestApp) {
    let ana = app.member().named("Ana").signed_up().create().await;
    let b = ana.browser(app).await;
    // Four megapixels: a fraction of a second each to decode and shrink.
    let heavy = blank_png(2000, 2000);
    let html = send_text(b.get(app.url("/settings/profile")), 200, "the profile form").await;
    let csrf = csrf_of(&html);
    let upload = || {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .part("avatar", reqwest::multipart::Part::bytes(heavy.clone()).file_name("me.png"));
        b.post(app.url("/settings/avatar")).multipart(form).send()
    };
    let answers = futures::future::join_all((0..8).map(|_| upload())).await;
    let mut statuses = Vec::new();
    for r in answers {
        let r = r.unwrap();
        if r.status() == 429 {
            assert_eq!(r.headers()["retry-after"], "2", "says when to retry");
        }
        statuses.push(r.status().as_u16());
    }
    assert!(statuses.iter().all(|s| [303, 429].contains(s)), "{statuses:?}");
    assert!(statuses.contains(&303), "uploads within the limit are decoded: {statuses:?}");
    assert!(statuses.contains(&429), "eight at once exceed two decodes at a time: {statuses:?}");
}

// ---------- item 13: what the API fuzzing run (e2e/fuzz/run) found ----------

async fn what_the_api_fuzzing_found_stays_fixed(app: &TestApp) {
    let doc: Value = app.client().get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    // Query parameters are documented as optional query parameters, with their range.
    let feed = &doc["paths"]["/api/v1/feed"]["get"];
    let limit = feed["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "limit").expect("limit");
    assert_eq!(limit["in"], "query", "{limit}");
    assert_ne!(limit["required"], true, "{limit}");
    assert_eq!((limit["schema"]["minimum"].as_i64(), limit["schema"]["maximum"].as_i64()), (Some(1), Some(100)));
    // Every error answer of every operation names the error body; inputs can be refused.
    let mut undescribed = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (status, response) in op["responses"].as_object().unwrap() {
                let schema = &response["content"]["application/json"]["schema"]["$ref"];
                if status.starts_with('4') && schema != "#/components/schemas/Error" {
                    undescribed.push(format!("{method} {path} {status}"));
                }
            }
            assert!(op["responses"]["401"].is_object(), "{method} {path} documents 401");
        }
    }
    assert!(undescribed.is_empty(), "error answers without the error body: {undescribed:?}");
    assert_ne!(doc["paths"]["/api/v1/me"]["delete"]["requestBody"]["required"], true, "the password is optional");

    // No two slices give one name to different schemas (the document keeps only one).
    let mut seen = std::collections::BTreeMap::new();
    for part in app.slices.iter().flat_map(|s| s.openapi.iter()) {
        for (name, schema) in part().components.map(|c| c.schemas).unwrap_or_default() {
            let schema = serde_json::to_value(schema).unwrap();
            let earlier = seen.insert(name.clone(), schema.clone());
            assert!(earlier.is_none_or(|e| e == schema), "two schemas are called {name}");
        }
    }

    let ana = app.member().named("Ana").create().await;
    let staff = app.staff_member().create().await;
    let c = app.client();
    let get = |path: &str, token: &str| c.get(app.url(path)).bearer_auth(token.to_string());
    send_expecting(get("/api/v1/feed?limit=100", &ana.token), 200, "the largest page").await;
    let v = send_expecting(get("/api/v1/feed?limit=101", &ana.token), 400, "past the largest page").await;
    assert!(v["error"]["message"].as_str().unwrap().contains("from 1 to 100"), "{v}");
    send_expecting(get("/api/v1/me/points?cursor=", &ana.token), 200, "an empty cursor is the first page").await;
    let adjust = c
        .post(app.url("/api/v1/admin/points/adjustments"))
        .bearer_auth(&staff.token)
        .json(&serde_json::json!({"member_id": ana.id, "amount": i64::MIN, "reason": "overflow"}));
    let v = send_expecting(adjust, 422, "the most negative amount there is").await;
    assert!(v["error"]["fields"]["amount"].is_string(), "{v}");
    // An optional body may be sent as `null`, as the document allows.
    let group = app.group().owned_by(&staff).create().await;
    let join = c.post(app.url(&format!("/api/v1/groups/{group}/join"))).bearer_auth(&ana.token);
    send_expecting(join.header("content-type", "application/json").body("null"), 201, "Ana joins, body null").await;
    let history = format!("/api/v1/threads/{}/history", uuid::Uuid::now_v7());
    send_expecting(c.get(app.url(&history)), 401, "a visitor asking for a thread's history").await;
}
