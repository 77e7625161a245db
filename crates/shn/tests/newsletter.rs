//! The weekly newsletter sent by the real binary: a server killed (SIGKILL) twice in
//! the middle of sending an issue to a few thousand members through a real SMTP sink,
//! restarted each time, delivers to every verified subscribed member exactly once and to
//! no one else, on SQLite and on PostgreSQL. And the operator's commands,
//! `shn newsletter preview` and `shn newsletter send`.

mod backends;

use backends::temp_dir;

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kernel::params;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const PASSWORD: &str = "a sturdy admin passphrase";
const ADMIN: &str = "editor@example.org";

/// A real SMTP server on a free port that counts the messages it accepted per
/// recipient. Like any SMTP server, it keeps a message only once it has read the
/// final dot: a connection that drops before then leaves nothing.
#[derive(Clone, Default)]
struct Sink {
    received: Arc<Mutex<HashMap<String, usize>>>,
}

impl Sink {
    async fn start() -> (Sink, u16) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let sink = Sink::default();
        let received = sink.received.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let received = received.clone();
                tokio::spawn(async move {
                    let _ = session(stream, received).await;
                });
            }
        });
        (sink, port)
    }

    fn total(&self) -> usize {
        self.received.lock().unwrap().values().sum()
    }

    fn counts(&self) -> HashMap<String, usize> {
        self.received.lock().unwrap().clone()
    }
}

async fn session(stream: tokio::net::TcpStream, received: Arc<Mutex<HashMap<String, usize>>>) -> std::io::Result<()> {
    let (r, mut w) = stream.into_split();
    let mut lines = BufReader::new(r).lines();
    w.write_all(b"220 sink ESMTP\r\n").await?;
    let mut to: Vec<String> = vec![];
    while let Some(line) = lines.next_line().await? {
        let upper = line.to_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            w.write_all(b"250-sink\r\n250 OK\r\n").await?;
        } else if upper.starts_with("MAIL FROM:") || upper == "RSET" {
            to.clear();
            w.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            to.push(line[8..].trim().trim_matches(['<', '>']).to_lowercase());
            w.write_all(b"250 OK\r\n").await?;
        } else if upper == "DATA" {
            w.write_all(b"354 go ahead\r\n").await?;
            loop {
                match lines.next_line().await? {
                    Some(l) if l == "." => break,
                    Some(_) => {}
                    None => return Ok(()), // cut off before the dot: nothing is kept
                }
            }
            {
                let mut counts = received.lock().unwrap();
                for t in to.drain(..) {
                    *counts.entry(t).or_default() += 1;
                }
            }
            w.write_all(b"250 queued\r\n").await?;
        } else if upper == "QUIT" {
            w.write_all(b"221 bye\r\n").await?;
            break;
        } else {
            w.write_all(b"250 OK\r\n").await?;
        }
    }
    Ok(())
}

fn shn(dir: &Path, db_url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shn"));
    c.env("SHN_DATA_DIR", dir).env("SHN_DATABASE_URL", db_url).env("SHN_LOG", "error");
    c
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A running server, killed when dropped: a failed assertion must not leave it sending.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill(); // SIGKILL: no graceful shutdown
        let _ = self.0.wait();
    }
}

fn serve(dir: &Path, db_url: &str, port: u16, smtp: u16) -> Running {
    Running(
        shn(dir, db_url)
            .args(["serve"])
            .env("SHN_BIND", format!("127.0.0.1:{port}"))
            .env("SHN_SMTP_URL", format!("smtp://127.0.0.1:{smtp}"))
            .env("SHN_NEWSLETTER_RATE", "400")
            .env("SHN_NEWSLETTER_CONNECTIONS", "8")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}

async fn wait_ready(base: &str) {
    for _ in 0..400 {
        if let Ok(r) = reqwest::get(format!("{base}/readyz")).await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server did not become ready");
}

async fn setup(rb: reqwest::RequestBuilder, status: u16, what: &str) -> Value {
    let r = rb.send().await.unwrap();
    let got = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    assert_eq!(got, status, "{what}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn create_admin(dir: &Path, db_url: &str) {
    assert!(shn(dir, db_url).arg("migrate").status().unwrap().success());
    let mut admin = shn(dir, db_url)
        .args(["admin", "create", "--email", ADMIN, "--name", "Eda Editor", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    admin.stdin.take().unwrap().write_all(PASSWORD.as_bytes()).unwrap();
    assert!(admin.wait().unwrap().success());
}

/// Who the test made: the addresses that must receive the issue, and those that must not.
struct People {
    expected: Vec<String>,
    excluded: Vec<String>,
}

/// `n` members straight into the database (as a bulk import would): most verified,
/// every tenth never verified, every seventh verified but with the weekly issue off.
async fn generate_members(db_url: &str, n: usize) -> People {
    let db = kernel::db::Db::connect(db_url, 2).await.unwrap();
    let now = chrono::Utc::now();
    let mut people = People { expected: vec![ADMIN.to_string()], excluded: vec![] };
    for chunk in (0..n).collect::<Vec<_>>().chunks(100) {
        let mut values = params![now];
        let mut rows = vec![];
        let mut off = vec![];
        for i in chunk {
            let (id, email) = (uuid::Uuid::now_v7(), format!("member{i}@example.org"));
            let verified = i % 10 != 9;
            values.push(id.into());
            values.push(email.clone().into());
            values.push(if verified { Some(now) } else { None }.into());
            let k = values.len();
            rows.push(format!("(${}, ${}, ${k}, 'Member {i}', 'member {i}', 'patient', $1, $1)", k - 2, k - 1));
            if verified && i % 7 == 3 {
                off.push(id);
            }
            match verified && i % 7 != 3 {
                true => people.expected.push(email),
                false => people.excluded.push(email),
            }
        }
        let sql = format!(
            "INSERT INTO members (id, email, email_verified_at, display_name, name_key, member_type, created_at, \
             updated_at) VALUES {}",
            rows.join(", ")
        );
        db.exec(&sql, values).await.unwrap();
        for id in off {
            db.exec(
                "INSERT INTO newsletter_preferences (member_id, weekly, monthly_resources, topics, updated_at) \
                 VALUES ($1, FALSE, TRUE, '', $2)",
                params![id, now],
            )
            .await
            .unwrap();
        }
    }
    db.close().await;
    people
}

struct Api {
    base: String,
    token: String,
    c: reqwest::Client,
}

impl Api {
    async fn login(base: &str) -> Api {
        let c = reqwest::Client::new();
        let login = json!({"email": ADMIN, "password": PASSWORD});
        let token = setup(c.post(format!("{base}/api/v1/auth/token")).json(&login), 200, "the editor's token").await;
        Api { base: base.to_string(), token: token["token"].as_str().unwrap().to_string(), c }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>, status: u16) -> Value {
        let mut rb = self.c.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        setup(rb, status, path).await
    }
}

/// Waits until the sink has received at least `n` messages (or the send is over).
async fn until_received(sink: &Sink, n: usize) {
    // A restarted server first waits out the dead step's 20-second lease.
    for _ in 0..2400 {
        if sink.total() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the sink received only {} of {n} messages", sink.total());
}

fn kill(server: Running) {
    drop(server);
}

async fn killed_twice_mid_send_still_exactly_once(dir: PathBuf, db_url: String) {
    create_admin(&dir, &db_url);
    let people = generate_members(&db_url, 2400).await;
    let total = people.expected.len();
    let (sink, smtp) = Sink::start().await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let server = serve(&dir, &db_url, port, smtp);
    wait_ready(&base).await;
    let api = Api::login(&base).await;
    let issue = api.call(reqwest::Method::POST, "/api/v1/admin/newsletters", Some(json!({"week": "2026-W49"})), 201);
    let id = issue.await["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/admin/newsletters/{id}");
    api.call(reqwest::Method::POST, &format!("{path}/send"), None, 202).await;

    until_received(&sink, total / 4).await;
    kill(server);
    let at_first = sink.total();
    assert!(at_first < total, "the first kill came mid-send ({at_first} of {total})");
    let server = serve(&dir, &db_url, port, smtp);
    wait_ready(&base).await;
    until_received(&sink, at_first + total / 4).await;
    kill(server);
    let at_second = sink.total();
    assert!(at_second < total, "the second kill came mid-send ({at_second} of {total})");

    let server = serve(&dir, &db_url, port, smtp);
    wait_ready(&base).await;
    let mut figures = Value::Null;
    for _ in 0..600 {
        figures = api.call(reqwest::Method::GET, &path, None, 200).await["delivery"].clone();
        if figures["state"] == "done" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(figures["state"], "done", "the send finished after the restarts: {figures}");
    let counts = sink.counts();
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "no one received the issue twice: {twice:?}");
    // A kill between a `handed` commit and the end of its data is told apart after the
    // restart by the dead run's hand-over journal (ARCHITECTURE.md, "Sending the
    // newsletter exactly once"): nobody may be missing.
    let missing: Vec<_> = people.expected.iter().filter(|e| !counts.contains_key(*e)).collect();
    assert!(missing.is_empty(), "everyone received it: {} missing: {missing:?}", missing.len());
    let strangers: Vec<_> = counts.keys().filter(|e| !people.expected.contains(*e)).collect();
    assert!(strangers.is_empty(), "no one else did: {strangers:?}");
    assert!(people.excluded.iter().all(|e| !counts.contains_key(e)));
    assert_eq!(counts.len(), total);
    assert_eq!(figures["recipients"].as_i64(), Some(total as i64), "{figures}");
    let delivered = figures["sent"].as_i64().unwrap() + figures["unconfirmed"].as_i64().unwrap();
    assert_eq!(delivered, total as i64, "{figures}");
    assert_eq!((figures["failed"].as_i64(), figures["pending"].as_i64()), (Some(0), Some(0)), "{figures}");
    let journals: Vec<_> = std::fs::read_dir(dir.join("newsletter-handovers")).unwrap().collect();
    assert!(journals.is_empty(), "every run's journal is gone once its hand-overs are told: {journals:?}");
    kill(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issue_reaches_every_member_exactly_once_through_two_kills_on_sqlite() {
    backends::on_sqlite("news", killed_twice_mid_send_still_exactly_once).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issue_reaches_every_member_exactly_once_through_two_kills_on_postgres() {
    backends::on_postgres("news", killed_twice_mid_send_still_exactly_once).await;
}

fn run(dir: &Path, db_url: &str, args: &[&str]) -> Output {
    shn(dir, db_url).args(args).env_remove("SHN_SMTP_URL").output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// The operator's commands on SQLite, mail going to the outbox folder (no SMTP set).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_preview_a_members_edition_and_send_an_issue_from_the_command_line() {
    let dir = temp_dir("cli");
    let db_url = format!("sqlite://{}?mode=rwc", dir.join("shn.db").display());
    create_admin(&dir, &db_url);
    let people = generate_members(&db_url, 30).await;
    let (port, smtp) = (free_port(), free_port());
    let base = format!("http://127.0.0.1:{port}");
    let server = Running(
        shn(&dir, &db_url)
            .args(["serve", "--no-worker"])
            .env("SHN_BIND", format!("127.0.0.1:{port}"))
            .env("SHN_SMTP_URL", format!("smtp://127.0.0.1:{smtp}"))
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_ready(&base).await;
    let api = Api::login(&base).await;
    let issue = api.call(reqwest::Method::POST, "/api/v1/admin/newsletters", Some(json!({"week": "2026-W50"})), 201);
    let id = issue.await["id"].as_str().unwrap().to_string();
    let edit = json!({"intro": "Hello from the **desk**.", "featured": [{"title": "The toolkit", "href": "/learn"}]});
    api.call(reqwest::Method::PUT, &format!("/api/v1/admin/newsletters/{id}"), Some(edit), 200).await;
    kill(server);

    let out = run(&dir, &db_url, &["newsletter", "preview", "--member", "member1@example.org"]);
    assert!(out.status.success(), "{}", text(&out));
    let preview = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(preview.contains("Subject: Health Leader weekly: 2026-W50"), "{preview}");
    assert!(preview.contains("Hello from the **desk**.") && preview.contains("/learn"), "{preview}");
    assert!(preview.contains("/unsubscribe/newsletter/"), "the member's own one-click link: {preview}");
    let html = run(&dir, &db_url, &["newsletter", "preview", "--member", "member1@example.org", "--html"]);
    assert!(String::from_utf8_lossy(&html.stdout).contains("<strong>desk</strong>"), "{}", text(&html));
    let nobody = run(&dir, &db_url, &["newsletter", "preview", "--member", "member9@example.org"]);
    assert_eq!(nobody.status.code(), Some(2), "a member who never verified gets nothing: {}", text(&nobody));

    // Other work waiting in the queue is the workers', not the send command's.
    let db = kernel::db::Db::connect(&db_url, 1).await.unwrap();
    let other = serde_json::json!({});
    assert!(
        kernel::jobs::enqueue(db.writer(), "kernel.analytics_rollup", &other, Some("not-ours"), None).await.unwrap()
    );
    let out = run(&dir, &db_url, &["newsletter", "send", "--issue", &id]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("\"state\": \"done\""), "{}", text(&out));
    let waiting: Option<String> =
        db.scalar("SELECT status FROM jobs WHERE unique_key = 'not-ours'", vec![]).await.unwrap();
    assert_eq!(waiting.as_deref(), Some("queued"), "the send ran only its own jobs");
    let issues_in_outbox = || -> Vec<PathBuf> {
        std::fs::read_dir(dir.join("outbox"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("weekly-"))
            .collect()
    };
    let outbox = issues_in_outbox();
    assert_eq!(outbox.len(), people.expected.len(), "one file per recipient");
    let one = std::fs::read_to_string(&outbox[0]).unwrap();
    for header in ["List-Unsubscribe: <http", "List-Unsubscribe-Post: List-Unsubscribe=One-Click", "List-Id: "] {
        assert!(one.contains(header), "{header} in {one}");
    }
    assert!(one.contains("multipart/alternative") && one.contains("text/plain") && one.contains("text/html"));
    let again = run(&dir, &db_url, &["newsletter", "send", "--issue", &id]);
    assert!(again.status.success() && text(&again).contains("already started"), "{}", text(&again));
    assert_eq!(issues_in_outbox().len(), people.expected.len(), "sending again sends nothing twice");
    let bad = run(&dir, &db_url, &["newsletter", "send", "--issue", &uuid::Uuid::now_v7().to_string()]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    let _ = std::fs::remove_dir_all(dir);
}
