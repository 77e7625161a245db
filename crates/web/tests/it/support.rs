//! Test support: a real server on port 0 against a fresh database (a temp SQLite file,
//! or a fresh PostgreSQL database on the local server), a real SMTP sink, and a
//! cookie-keeping HTTP client.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use kernel::AppState;
use kernel::config::{Config, PasswordCost, Settings};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use web::StartOptions;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server tests use; a test that cannot reach it fails.
pub fn pg_admin_url() -> String {
    std::env::var("SHN_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// One e-mail as received over SMTP.
#[derive(Clone, Debug)]
pub struct Mail {
    pub to: String,
    pub raw: String,
}

impl Mail {
    pub fn subject(&self) -> String {
        self.raw.lines().find_map(|l| l.strip_prefix("Subject: ")).unwrap_or("").to_string()
    }
    /// The first link on this site with `path` (e.g. "/verify?token="), whole.
    pub fn link(&self, path: &str) -> Option<String> {
        let at = self.raw.find(path)?;
        let rest = &self.raw[at..];
        let end = rest.find(|c: char| c.is_whitespace() || c == '"' || c == '<').unwrap_or(rest.len());
        Some(rest[..end].to_string())
    }
    pub fn token(&self, path: &str) -> Option<String> {
        self.link(path).and_then(|l| l.split("token=").nth(1).map(str::to_string))
    }
}

/// A minimal SMTP server that accepts everything and keeps the messages.
#[derive(Clone, Default)]
pub struct SmtpSink {
    pub mails: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpSink {
    pub async fn start() -> (SmtpSink, SocketAddr) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let sink = SmtpSink::default();
        let mails = sink.mails.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let mails = mails.clone();
                tokio::spawn(async move {
                    let _ = serve_smtp(stream, mails).await;
                });
            }
        });
        (sink, addr)
    }
}

async fn serve_smtp(stream: tokio::net::TcpStream, mails: Arc<Mutex<Vec<Mail>>>) -> std::io::Result<()> {
    let (r, mut w) = stream.into_split();
    let mut lines = BufReader::new(r).lines();
    w.write_all(b"220 sink ESMTP\r\n").await?;
    let mut to = String::new();
    while let Some(line) = lines.next_line().await? {
        let upper = line.to_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            w.write_all(b"250-sink\r\n250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            to = line[8..].trim().trim_matches(['<', '>']).to_lowercase();
            w.write_all(b"250 OK\r\n").await?;
        } else if upper == "DATA" {
            w.write_all(b"354 go ahead\r\n").await?;
            let mut raw = String::new();
            while let Some(l) = lines.next_line().await? {
                if l == "." {
                    break;
                }
                raw.push_str(l.strip_prefix('.').filter(|_| l.starts_with("..")).unwrap_or(&l));
                raw.push('\n');
            }
            mails.lock().unwrap().push(Mail { to: to.clone(), raw });
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

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub smtp: SmtpSink,
    pg_db: Option<String>,
    dir: PathBuf,
    server: tokio::task::JoinHandle<()>,
}

fn random_suffix() -> String {
    kernel::secret::random_token(9).to_lowercase().replace(['-', '_'], "x")
}

pub async fn test_config(
    backend: Backend,
    dir: &std::path::Path,
    smtp: SocketAddr,
    base: &str,
) -> (Config, Option<String>) {
    let (url, pg_db) = match backend {
        Backend::Sqlite => (format!("sqlite://{}?mode=rwc", dir.join("shn.db").display()), None),
        Backend::Postgres => {
            let name = format!("shn_t_{}", random_suffix());
            let admin = Database::connect(pg_admin_url())
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL must be reachable at {} for tests: {e}", pg_admin_url()));
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
            let _ = admin.close().await;
            let base_url = pg_admin_url();
            let root = base_url.rsplit_once('/').map(|(r, _)| r).unwrap_or(&base_url).to_string();
            (format!("{root}/{name}"), Some(name))
        }
    };
    let settings = Settings {
        database_url: Some(url),
        data_dir: Some(dir.display().to_string()),
        bind: Some("127.0.0.1:0".into()),
        base_url: Some(base.to_string()),
        smtp_url: Some(format!("smtp://{smtp}")),
        secret_key: Some("test-secret-key-that-is-long-enough-0123456789".into()),
        db_max_connections: Some("5".into()),
        ..Default::default()
    };
    let mut config = Config::from_settings(&settings).expect("test settings are valid");
    config.password_cost = PasswordCost::Fast;
    // Every test signs up from 127.0.0.1; the per-address limit has its own test.
    config.signups_per_ip_per_hour = 1000;
    (config, pg_db)
}

impl TestApp {
    pub async fn start(backend: Backend) -> TestApp {
        let dir = std::env::temp_dir().join(format!("shn-test-{}", random_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        let (smtp, smtp_addr) = SmtpSink::start().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (config, pg_db) = test_config(backend, &dir, smtp_addr, &base).await;
        let app = web::start(config, StartOptions { migrate: true }).await.expect("app starts");
        let state = app.state.clone();
        let server = tokio::spawn(async move {
            let _ = app.serve(listener, std::future::pending()).await;
        });
        TestApp { base, state, smtp, pg_db, dir, server }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
    }

    /// Runs the background worker until there is nothing left to do (e-mails sent).
    pub async fn drain(&self) {
        kernel::worker::drain(&self.state).await.expect("worker drains");
    }

    pub async fn mails_to(&self, to: &str) -> Vec<Mail> {
        self.drain().await;
        self.smtp.mails.lock().unwrap().iter().filter(|m| m.to == to.to_lowercase()).cloned().collect()
    }

    pub async fn count(&self, sql: &str) -> i64 {
        self.state.db.scalar::<i64>(sql, vec![]).await.unwrap().unwrap_or(0)
    }

    /// Signs up by API and verifies by the e-mailed token; returns the member id.
    pub async fn signup_verified(&self, email: &str, name: &str) -> String {
        let c = self.client();
        let r = c
            .post(self.url("/api/v1/auth/signup"))
            .json(&json!({"email": email, "password": PASSWORD, "display_name": name, "member_type": "patient"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "signup of {email}");
        let mail = self
            .mails_to(email)
            .await
            .into_iter()
            .rev()
            .find(|m| m.subject().contains("Confirm"))
            .expect("verification mail");
        let token = mail.token("/verify?token=").expect("token in mail");
        let r = c.post(self.url("/api/v1/auth/verify")).json(&json!({ "token": token })).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        v["member_id"].as_str().unwrap().to_string()
    }

    /// An API token for an existing account.
    pub async fn token(&self, email: &str) -> String {
        let r = self
            .client()
            .post(self.url("/api/v1/auth/token"))
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "token for {email}");
        r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string()
    }

    /// A member with an API token: (member id, token).
    pub async fn member(&self, email: &str, name: &str) -> (String, String) {
        let id = self.signup_verified(email, name).await;
        (id, self.token(email).await)
    }

    /// A browser session logged in through the HTML form.
    pub async fn browser_login(&self, email: &str) -> reqwest::Client {
        let c = self.client();
        let r = form_post(self, &c, "/login", &[("email", email), ("password", PASSWORD)]).await;
        assert_eq!(r.status(), 303, "login of {email}");
        c
    }

    /// Makes an existing member staff or admin directly (as `shn admin` would).
    pub async fn set_role(&self, id: &str, role: &str) {
        let id = uuid::Uuid::parse_str(id).unwrap();
        self.state.db.exec("UPDATE members SET role = $1 WHERE id = $2", vec![role.into(), id.into()]).await.unwrap();
    }

    pub async fn finish(self) {
        self.server.abort();
        let db = self.state.db.clone();
        drop(self.state);
        db.close().await;
        if let Some(name) = &self.pg_db
            && let Ok(admin) = Database::connect(pg_admin_url()).await
        {
            let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
            let _ = admin.close().await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub const PASSWORD: &str = "purple tortoise sings loudly";

/// The CSRF token from a page's first form.
pub fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("page has a CSRF field") + 19;
    html[at..].split('"').next().unwrap().to_string()
}

/// Gets a CSRF cookie and token from a page, then POSTs the form to `path`.
pub async fn form_post(app: &TestApp, c: &reqwest::Client, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    // The sign-up page always carries a form, signed in or not.
    let html = c.get(app.url("/signup")).send().await.unwrap().text().await.unwrap();
    let token = csrf_of(&html);
    let mut all: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
    all.extend_from_slice(fields);
    c.post(app.url(path)).form(&all).send().await.unwrap()
}

/// Runs each listed test once on SQLite and once on PostgreSQL, each on a fresh database.
///
/// A test is a plain `async fn name(app: &TestApp)` in the file (so `cargo fmt` formats
/// it); the listing, at the top of each file, names them:
///
/// ```ignore
/// both_backends![a_member_signs_up, a_member_logs_in];
/// ```
///
/// Each name becomes a module with a `sqlite` and a `postgres` test, so nextest shows
/// `accounts::a_member_signs_up::sqlite`. A test left out of the listing is never run,
/// and the compiler says so (an unused function is a warning, and clippy denies it).
#[macro_export]
macro_rules! both_backends {
    ($($test:ident),+ $(,)?) => {$(
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::support::TestApp::start($crate::support::Backend::Sqlite).await;
                super::$test(&app).await;
                app.finish().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let app = $crate::support::TestApp::start($crate::support::Backend::Postgres).await;
                super::$test(&app).await;
                app.finish().await;
            }
        }
    )+};
}

/// `n` verified members created directly (fast), each with an API token. They joined a
/// month ago, so the limits for new members do not apply to them (those have their own
/// test, with members who have just signed up).
pub async fn quick_members(app: &TestApp, n: usize) -> Vec<(kernel::ids::MemberId, String)> {
    let mut out = Vec::with_capacity(n);
    let t = chrono::Utc::now() - chrono::Duration::days(30);
    for i in 0..n {
        let id = kernel::ids::MemberId::new();
        let name = format!("Quick {i:03}");
        app.state
            .db
            .exec(
                "INSERT INTO members (id, email, email_verified_at, display_name, name_key, member_type, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, 'patient', $3, $3)",
                kernel::params![id, format!("quick{i}-{id}@example.org"), t, name.clone(), name.to_lowercase()],
            )
            .await
            .unwrap();
        let token = kernel::session::issue_api_token(app.state.db.writer(), id, "test").await.unwrap();
        out.push((id, token));
    }
    out
}
