//! Security hardening of operations (issue 13, items 7, 12 and 13): secrets at rest in
//! the job queue, `/metrics`, live notification streams and avatar decoding. Each test
//! names the rule it proves and runs on SQLite and on PostgreSQL.

use kernel::config::Config;
use kernel::params;
use serde_json::Value;

use crate::support::*;
use crate::{both_backends, both_backends_configured};

both_backends![
    sent_mail_leaves_only_a_record_without_its_body_and_old_jobs_are_purged_on_a_schedule,
    a_metrics_scrape_reads_the_queue_in_bounded_readings,
];

both_backends_configured![config = with_metrics_token; metrics_answer_only_the_bearer_of_the_metrics_token];

const METRICS_TOKEN: &str = "metrics-scraper-secret-0123456789";

fn with_metrics_token(config: &mut Config) {
    config.metrics_token = Some(METRICS_TOKEN.to_string());
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

async fn metrics_answer_only_the_bearer_of_the_metrics_token(app: &TestApp) {
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
