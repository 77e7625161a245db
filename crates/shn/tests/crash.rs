//! A server killed (SIGKILL) in the middle of a burst of redemptions leaves data that
//! passes `shn check` after a restart, on SQLite and on PostgreSQL.

mod backends;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

const PASSWORD: &str = "a sturdy admin passphrase";

fn shn(dir: &Path, db_url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shn"));
    c.env("SHN_DATA_DIR", dir).env("SHN_DATABASE_URL", db_url).env("SHN_LOG", "error");
    c
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn serve(dir: &Path, db_url: &str, port: u16) -> Child {
    shn(dir, db_url)
        .args(["serve"])
        .env("SHN_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_ready(base: &str) {
    for _ in 0..200 {
        if let Ok(r) = reqwest::get(format!("{base}/readyz")).await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server did not become ready");
}

/// Sends a request that prepares the test and checks its status, with the body in the
/// failure message; returns the body as JSON (null if it is not).
async fn setup(rb: reqwest::RequestBuilder, status: u16, what: &str) -> Value {
    let r = rb.send().await.unwrap();
    let got = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    assert_eq!(got, status, "{what}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

async fn crash_mid_burst(dir: PathBuf, db_url: String) {
    assert!(shn(&dir, &db_url).arg("migrate").status().unwrap().success());
    let mut admin = shn(&dir, &db_url)
        .args(["admin", "create", "--email", "crash@example.org", "--name", "Crash Admin", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    admin.stdin.take().unwrap().write_all(PASSWORD.as_bytes()).unwrap();
    assert!(admin.wait().unwrap().success());

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = serve(&dir, &db_url, port);
    wait_ready(&base).await;
    let c = reqwest::Client::new();
    let login = json!({"email": "crash@example.org", "password": PASSWORD});
    let token = setup(c.post(format!("{base}/api/v1/auth/token")).json(&login), 200, "the admin's token").await;
    let token = token["token"].as_str().unwrap().to_string();
    let me = setup(c.get(format!("{base}/api/v1/me")).bearer_auth(&token), 200, "the admin's account").await;
    let budget = json!({"member_id": me["id"], "amount": 100000, "reason": "crash test budget"});
    let credit = c.post(format!("{base}/api/v1/admin/points/adjustments")).bearer_auth(&token).json(&budget);
    setup(credit, 201, "the admin's points").await;
    let pin = json!({"name": "Pin", "cost": 3, "stock": 100000});
    let reward = c.post(format!("{base}/api/v1/admin/rewards")).bearer_auth(&token).json(&pin);
    let reward = setup(reward, 201, "the reward").await;
    let url = format!("{base}/api/v1/rewards/{}/redemptions", reward["id"].as_str().unwrap());
    // The kill waits for the first few redemptions to be answered rather than for a fixed
    // time, so a loaded machine still crashes the server mid-burst with some work done.
    let (answered, mut answers) = tokio::sync::mpsc::unbounded_channel();
    let burst: Vec<_> = (0..400)
        .map(|i| {
            let (c, url, token, answered) = (c.clone(), url.clone(), token.clone(), answered.clone());
            tokio::spawn(async move {
                let sent = c.post(url).bearer_auth(token).header("Idempotency-Key", format!("burst-{i}")).send().await;
                if sent.is_ok_and(|r| r.status().is_success()) {
                    let _ = answered.send(());
                }
            })
        })
        .collect();
    for _ in 0..5 {
        let first = tokio::time::timeout(Duration::from_secs(60), answers.recv()).await;
        assert!(matches!(first, Ok(Some(()))), "no redemption was answered within a minute");
    }
    server.kill().unwrap(); // SIGKILL: no graceful shutdown
    server.wait().unwrap();
    futures::future::join_all(burst).await;

    let check = shn(&dir, &db_url).arg("check").output().unwrap();
    assert!(
        check.status.success(),
        "shn check after the crash:\n{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let mut again = serve(&dir, &db_url, port);
    wait_ready(&base).await;
    let points: Value =
        c.get(format!("{base}/api/v1/me/points")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let balance = points["balance"].as_i64().unwrap();
    assert!(balance < 100000, "some redemptions went through before the crash");
    assert_eq!((100000 - balance) % 3, 0, "only whole redemptions were debited");
    again.kill().unwrap();
    again.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_mid_burst_leaves_sqlite_consistent() {
    backends::on_sqlite("crash", crash_mid_burst).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_mid_burst_leaves_postgres_consistent() {
    backends::on_postgres("crash", crash_mid_burst).await;
}
