//! Test support: a real server on port 0 against a fresh database (a temp SQLite file,
//! or a fresh PostgreSQL database on the local server), a real SMTP sink, and a
//! cookie-keeping HTTP client.
//!
//! How a test reads:
//!
//! ```ignore
//! both_backends![a_private_groups_content_reaches_its_members];
//!
//! async fn a_private_groups_content_reaches_its_members(app: &TestApp) {
//!     let staff = app.staff_member().create().await;
//!     let ana = app.member().named("Ana").create().await;
//!     let group = app.group().private().owned_by(&staff).with_members(&[&ana]).create().await;
//!     let webinar = app.event().webinar().starting_in(days(3)).capacity(2).by(&staff).create().await;
//!     // ... the behaviour under test, through the HTTP surface ...
//! }
//! ```
//!
//! - People, groups and events come from the builders ([`TestApp::member`],
//!   [`TestApp::staff_member`], [`TestApp::group`], [`TestApp::event`]).
//! - Every request that only prepares state checks its status, with the response body in
//!   the failure message ([`expect_status`], [`send_expecting`]); the builders do so.
//! - A test reaches past HTTP into a slice only through one `TestApp` method per use
//!   (the block at the end of this file), so a slice's internals can move freely.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use kernel::AppState;
use kernel::config::{Config, PasswordCost, Settings};
use kernel::ids::MemberId;
use kernel::outbox;
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
    /// The slices the application was assembled from.
    pub slices: Vec<kernel::slice::Slice>,
    pub smtp: SmtpSink,
    pg_db: Option<String>,
    dir: PathBuf,
    server: tokio::task::JoinHandle<()>,
    /// Numbers the people, groups and events builders make, for unique default names.
    made: AtomicUsize,
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
        TestApp::start_with(backend, StartOptions::migrating(), &[]).await
    }

    /// An application of the given slices, with slice settings (`SHN_…` variable, value).
    pub async fn start_with(backend: Backend, opts: StartOptions, settings: &[(&str, &str)]) -> TestApp {
        let dir = std::env::temp_dir().join(format!("shn-test-{}", random_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        let (smtp, smtp_addr) = SmtpSink::start().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (mut config, pg_db) = test_config(backend, &dir, smtp_addr, &base).await;
        config.slices.0.extend(settings.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let app = web::start(config, opts).await.expect("app starts");
        let (state, slices) = (app.state.clone(), app.slices.clone());
        let server = tokio::spawn(async move {
            let _ = app.serve(listener, std::future::pending()).await;
        });
        TestApp { base, state, slices, smtp, pg_db, dir, server, made: AtomicUsize::new(0) }
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
        expect_status(r, 201, &format!("sign-up of {email}")).await;
        let mail = self
            .mails_to(email)
            .await
            .into_iter()
            .rev()
            .find(|m| m.subject().contains("Confirm"))
            .expect("verification mail");
        let token = mail.token("/verify?token=").expect("token in mail");
        let r = c.post(self.url("/api/v1/auth/verify")).json(&json!({ "token": token })).send().await.unwrap();
        let v = expect_status(r, 200, &format!("verification of {email}")).await;
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
        expect_status(r, 200, &format!("token for {email}")).await["token"].as_str().unwrap().to_string()
    }

    /// A browser session logged in through the HTML form.
    pub async fn browser_login(&self, email: &str) -> reqwest::Client {
        let c = self.client();
        let r = form_post(self, &c, "/login", &[("email", email), ("password", PASSWORD)]).await;
        expect_status(r, 303, &format!("log-in of {email}")).await;
        c
    }

    /// Makes an existing member staff or admin directly (as `shn admin` would).
    pub async fn set_role(&self, id: MemberId, role: &str) {
        self.state.db.exec("UPDATE members SET role = $1 WHERE id = $2", kernel::params![role, id]).await.unwrap();
    }

    /// The next number for a default name ("Member 3", "Group 4").
    fn next_number(&self) -> usize {
        self.made.fetch_add(1, Ordering::SeqCst) + 1
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
    ($($test:ident),+ $(,)?) => {
        $crate::both_backends!(settings = []; $($test),+);
    };
    // Tests of an application started with slice settings (`SHN_…` variable, value).
    (settings = $settings:tt; $($test:ident),+ $(,)?) => {$(
        mod $test {
            async fn app(backend: $crate::support::Backend) -> $crate::support::TestApp {
                let opts = web::StartOptions::migrating();
                let settings: &[(&str, &str)] = &$settings;
                $crate::support::TestApp::start_with(backend, opts, settings).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = app($crate::support::Backend::Sqlite).await;
                super::$test(&app).await;
                app.finish().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let app = app($crate::support::Backend::Postgres).await;
                super::$test(&app).await;
                app.finish().await;
            }
        }
    )+};
}

/// Sends a request that prepares a test's state and checks it answered `status`, with
/// the response body in the failure message. Returns the body as JSON (null if it is not).
pub async fn expect_status(r: reqwest::Response, status: u16, what: &str) -> Value {
    let got = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    assert_eq!(got, status, "{what}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Sends a setup request built with `rb` and checks its status (see [`expect_status`]).
pub async fn send_expecting(rb: reqwest::RequestBuilder, status: u16, what: &str) -> Value {
    expect_status(rb.send().await.unwrap(), status, what).await
}

pub fn minutes(n: i64) -> chrono::Duration {
    chrono::Duration::minutes(n)
}

pub fn hours(n: i64) -> chrono::Duration {
    chrono::Duration::hours(n)
}

pub fn days(n: i64) -> chrono::Duration {
    chrono::Duration::days(n)
}

// ---------------------------------------------------------------------------------------
// People

/// A verified member with an API token.
#[derive(Clone, Debug)]
pub struct Member {
    pub id: MemberId,
    pub token: String,
    pub email: String,
    pub name: String,
}

impl Member {
    /// A browser session signed in through the log-in form. Only members made with
    /// [`MemberBuilder::signed_up`] have a password to sign in with.
    pub async fn browser(&self, app: &TestApp) -> reqwest::Client {
        app.browser_login(&self.email).await
    }
}

/// `app.member().named("Ana").signed_up().create().await`
pub struct MemberBuilder<'a> {
    app: &'a TestApp,
    name: Option<String>,
    email: Option<String>,
    signed_up: bool,
    role: Option<&'static str>,
}

impl<'a> MemberBuilder<'a> {
    pub fn named(mut self, name: &str) -> Self {
        self.name = Some(name.to_string());
        self
    }

    pub fn email(mut self, email: &str) -> Self {
        self.email = Some(email.to_string());
        self
    }

    /// Through the real sign-up, the e-mailed verification link and a token from the
    /// password: the member joined just now (so the limits for new members apply) and can
    /// sign in with [`PASSWORD`]. Without this the member is written straight to the
    /// database (fast), as having joined a month ago, with no password.
    pub fn signed_up(mut self) -> Self {
        self.signed_up = true;
        self
    }

    pub fn staff(mut self) -> Self {
        self.role = Some("staff");
        self
    }

    pub fn admin(mut self) -> Self {
        self.role = Some("admin");
        self
    }

    pub async fn create(self) -> Member {
        let app = self.app;
        let n = app.next_number();
        let kind = if self.role.is_some() { "staff" } else { "member" };
        let name = self.name.unwrap_or_else(|| format!("{} {n}", if kind == "staff" { "Staff" } else { "Member" }));
        let email = self.email.unwrap_or_else(|| format!("{kind}-{n}@example.org"));
        let (id, token) = if self.signed_up {
            let id: MemberId = app.signup_verified(&email, &name).await.parse().unwrap();
            (id, app.token(&email).await)
        } else {
            let id = MemberId::new();
            let joined = chrono::Utc::now() - chrono::Duration::days(30);
            app.state
                .db
                .exec(
                    "INSERT INTO members (id, email, email_verified_at, display_name, name_key, member_type, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, 'patient', $3, $3)",
                    kernel::params![id, email.clone(), joined, name.clone(), name.to_lowercase()],
                )
                .await
                .unwrap();
            (id, kernel::session::issue_api_token(app.state.db.writer(), id, "test").await.unwrap())
        };
        if let Some(role) = self.role {
            app.set_role(id, role).await;
        }
        Member { id, token, email, name }
    }
}

// ---------------------------------------------------------------------------------------
// Groups

/// A group, by id (its `Display` is its id, for paths: `format!("/groups/{g}")`).
#[derive(Clone, Debug)]
pub struct Group {
    pub id: String,
    pub name: String,
    /// The staff member who created it (its owner, who approves requests).
    pub owner: Member,
    screening: usize,
}

impl std::fmt::Display for Group {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.id)
    }
}

impl Group {
    /// `member` asks to join, answering every screening question; if the group asks
    /// first, the owner approves. Either way the member is in.
    pub async fn admit(&self, app: &TestApp, member: &Member) {
        if self.ask_to_join(app, member).await == 202 {
            let path = format!("/api/v1/groups/{}/requests/{}/approve", self.id, member.id);
            let rb = app.client().post(app.url(&path)).bearer_auth(&self.owner.token);
            send_expecting(rb, 204, &format!("{} approved into {}", member.name, self.name)).await;
        }
    }

    /// `member` asks to join (answering every screening question) and is left waiting.
    pub async fn request_to_join(&self, app: &TestApp, member: &Member) {
        assert_eq!(self.ask_to_join(app, member).await, 202, "{} waits to join {}", member.name, self.name);
    }

    /// 201 (joined) or 202 (asked); anything else fails the test.
    async fn ask_to_join(&self, app: &TestApp, member: &Member) -> u16 {
        let answers = vec!["to help"; self.screening];
        let r = app
            .client()
            .post(app.url(&format!("/api/v1/groups/{}/join", self.id)))
            .bearer_auth(&member.token)
            .json(&json!({ "answers": answers }))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap_or_default();
        assert!(status == 201 || status == 202, "{} joins {}: {status} {text}", member.name, self.name);
        status
    }

    /// Starts a discussion in the group as `author`; returns its id.
    pub async fn thread(&self, app: &TestApp, author: &Member, title: &str, body: &str) -> String {
        let rb = app
            .client()
            .post(app.url(&format!("/api/v1/groups/{}/threads", self.id)))
            .bearer_auth(&author.token)
            .json(&json!({"title": title, "body": body}));
        let v = send_expecting(rb, 201, &format!("{} starts \"{title}\" in {}", author.name, self.name)).await;
        v["id"].as_str().unwrap().to_string()
    }
}

/// `app.group().private().screening(["Why?"]).owned_by(&staff).with_members(&[&ana]).create().await`
pub struct GroupBuilder<'a> {
    app: &'a TestApp,
    body: Value,
    owner: Option<&'a Member>,
    members: Vec<&'a Member>,
}

impl<'a> GroupBuilder<'a> {
    pub fn named(mut self, name: &str) -> Self {
        self.body["name"] = json!(name);
        self
    }

    pub fn described(mut self, description: &str) -> Self {
        self.body["description"] = json!(description);
        self
    }

    /// Listed, but joining needs the owner's approval and its content is for members.
    pub fn private(mut self) -> Self {
        self.body["visibility"] = json!("private");
        self
    }

    /// Unlisted, and unnamed to outsiders.
    pub fn hidden(mut self) -> Self {
        self.body["visibility"] = json!("hidden");
        self
    }

    pub fn screening<const N: usize>(mut self, questions: [&str; N]) -> Self {
        self.body["screening"] = json!(questions.to_vec());
        self
    }

    /// Visitors see its discussions' titles.
    pub fn teaser(mut self) -> Self {
        self.body["public_preview"] = json!("teaser");
        self
    }

    /// Posts with a crisis phrase wait for a moderator.
    pub fn holding_crisis_posts(mut self) -> Self {
        self.body["hold_crisis_posts"] = json!(true);
        self
    }

    /// Made by this staff member (else by a new one).
    pub fn owned_by(mut self, staff: &'a Member) -> Self {
        self.owner = Some(staff);
        self
    }

    /// Joined by these members, approved by the owner where the group asks first.
    pub fn with_members(mut self, members: &[&'a Member]) -> Self {
        self.members.extend_from_slice(members);
        self
    }

    pub async fn create(self) -> Group {
        let app = self.app;
        let owner = match self.owner {
            Some(o) => o.clone(),
            None => app.staff_member().create().await,
        };
        let rb = app.client().post(app.url("/api/v1/groups")).bearer_auth(&owner.token).json(&self.body);
        let v = send_expecting(rb, 201, &format!("creating the group {}", self.body)).await;
        let group = Group {
            id: v["id"].as_str().unwrap().to_string(),
            name: self.body["name"].as_str().unwrap().to_string(),
            owner,
            screening: self.body["screening"].as_array().map_or(0, Vec::len),
        };
        for m in self.members {
            group.admit(app, m).await;
        }
        group
    }
}

// ---------------------------------------------------------------------------------------
// Events

/// An event as the API returned it on creation; `event["field"]` reads that JSON, and its
/// `Display` is its id, for paths.
#[derive(Clone, Debug)]
pub struct Event {
    pub id: String,
    pub json: Value,
}

impl std::ops::Index<&str> for Event {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        &self.json[key]
    }
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.id)
    }
}

impl Event {
    /// `member` registers by API; a seat (201) or a place on the waitlist (202).
    pub async fn register(&self, app: &TestApp, member: &Member) -> u16 {
        let r = app
            .client()
            .post(app.url(&format!("/api/v1/events/{}/registration", self.id)))
            .bearer_auth(&member.token)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap_or_default();
        assert!(status == 201 || status == 202, "{} registers for {}: {status} {text}", member.name, self.id);
        status
    }
}

/// `app.event().webinar().starting_in(days(3)).capacity(2).create().await`: by default a
/// members' webinar, "Telling your story", a day from now for an hour, in UTC, with a
/// join link and no seat limit.
pub struct EventBuilder<'a> {
    app: &'a TestApp,
    body: Value,
    starts_in: chrono::Duration,
    lasting: chrono::Duration,
    by: Option<&'a Member>,
}

impl<'a> EventBuilder<'a> {
    pub fn kind(mut self, kind: &str) -> Self {
        self.body["kind"] = json!(kind);
        self
    }

    pub fn webinar(self) -> Self {
        self.kind("webinar")
    }

    pub fn panel(self) -> Self {
        self.kind("panel")
    }

    pub fn networking(self) -> Self {
        self.kind("networking")
    }

    pub fn titled(mut self, title: &str) -> Self {
        self.body["title"] = json!(title);
        self
    }

    /// Starts this long from now (negative: started that long ago), in UTC.
    pub fn starting_in(mut self, from_now: chrono::Duration) -> Self {
        self.starts_in = from_now;
        self
    }

    pub fn lasting(mut self, length: chrono::Duration) -> Self {
        self.lasting = length;
        self
    }

    pub fn capacity(mut self, seats: i64) -> Self {
        self.body["capacity"] = json!(seats);
        self
    }

    /// public, members, health_leaders or group.
    pub fn audience(mut self, audience: &str) -> Self {
        self.body["audience"] = json!(audience);
        self
    }

    /// Only for this group's members.
    pub fn for_group(mut self, group: &Group) -> Self {
        self.body["audience"] = json!("group");
        self.body["group_id"] = json!(group.id);
        self
    }

    /// At these local times (`2027-03-28T09:30:00`) in this zone.
    pub fn at(mut self, starts: &str, ends: &str, zone: &str) -> Self {
        self.body["starts_at"] = json!(starts);
        self.body["ends_at"] = json!(ends);
        self.body["time_zone"] = json!(zone);
        self
    }

    /// Exactly this request body, none of the defaults.
    pub fn exactly(mut self, body: Value) -> Self {
        self.body = body;
        self
    }

    /// Any other field of the request, as the API takes it.
    pub fn with(mut self, field: &str, value: Value) -> Self {
        self.body[field] = value;
        self
    }

    /// Scheduled by this staff member (else by a new one).
    pub fn by(mut self, staff: &'a Member) -> Self {
        self.by = Some(staff);
        self
    }

    /// The request body `create` sends, for tests of refused bodies.
    pub fn body(&self) -> Value {
        let mut body = self.body.clone();
        let local = |at: chrono::DateTime<chrono::Utc>| at.format("%Y-%m-%dT%H:%M:%S").to_string();
        let starts = chrono::Utc::now() + self.starts_in;
        if body.get("starts_at").is_none() {
            body["starts_at"] = json!(local(starts));
            body["ends_at"] = json!(local(starts + self.lasting));
        }
        body
    }

    pub async fn create(self) -> Event {
        let app = self.app;
        let body = self.body();
        let by = match self.by {
            Some(s) => s.clone(),
            None => app.staff_member().create().await,
        };
        let rb = app.client().post(app.url("/api/v1/events")).bearer_auth(&by.token).json(&body);
        let json = send_expecting(rb, 201, &format!("scheduling {body}")).await;
        Event { id: json["id"].as_str().unwrap().to_string(), json }
    }
}

impl TestApp {
    /// A member: `app.member().named("Ana").create().await`.
    pub fn member(&self) -> MemberBuilder<'_> {
        MemberBuilder { app: self, name: None, email: None, signed_up: false, role: None }
    }

    /// A staff member: `app.staff_member().create().await`.
    pub fn staff_member(&self) -> MemberBuilder<'_> {
        self.member().staff()
    }

    /// `n` members made at once (each as `app.member().create()`).
    pub async fn members(&self, n: usize) -> Vec<Member> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(self.member().create().await);
        }
        out
    }

    /// A group, open unless told otherwise: `app.group().private().with_members(&[&ana]).create().await`.
    pub fn group(&self) -> GroupBuilder<'_> {
        let name = format!("Group {}", self.next_number());
        GroupBuilder { app: self, body: json!({"name": name, "visibility": "open"}), owner: None, members: vec![] }
    }

    /// An event: `app.event().panel().starting_in(hours(2)).create().await`.
    pub fn event(&self) -> EventBuilder<'_> {
        EventBuilder {
            app: self,
            body: json!({"kind": "webinar", "title": "Telling your story", "description": "With **care**.",
                         "time_zone": "UTC", "capacity": null, "join_url": "https://meet.example.org/story",
                         "audience": "members"}),
            starts_in: chrono::Duration::days(1),
            lasting: chrono::Duration::hours(1),
            by: None,
        }
    }
}

// ---------------------------------------------------------------------------------------
// The slices' own functions. Tests reach past the HTTP surface only through these, so
// when a slice's internals move, each use has exactly one place here to follow them.

/// What the demo loader printed for signing in, and how often it reported progress.
pub struct DemoLogins {
    pub admin_email: String,
    pub password: String,
    pub progress_reports: usize,
}

/// The demo member's address and password (`shn demo` prints them).
pub const DEMO_MEMBER_EMAIL: &str = members::demo::MEMBER_EMAIL;
pub const DEMO_PASSWORD: &str = members::demo::DEMO_PASSWORD;

impl TestApp {
    /// Every breach of every slice's invariants: what `shn check` reports.
    pub async fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for check in self.slices.iter().flat_map(|s| s.checks.iter()) {
            problems.extend(check(&self.state.db).await.expect("the checks run"));
        }
        problems
    }

    /// The outbox consumer called `name`, as the application wired it.
    pub fn consumer(&self, name: &str) -> Arc<dyn outbox::Consumer> {
        self.state.consumers.iter().find(|c| c.name() == name).cloned().unwrap_or_else(|| panic!("no consumer {name}"))
    }

    /// Feeds every pending event to the consumer called `name`.
    pub async fn consume(&self, name: &str) {
        let consumer = self.consumer(name);
        while outbox::run_once(&self.state.db, &consumer, 50).await.unwrap() > 0 {}
    }

    /// Runs a job of kind `kind` (with an empty payload) now, as a worker would.
    pub async fn run_job(&self, kind: &str) {
        let handler = self.state.jobs.get(kind).unwrap_or_else(|| panic!("no job {kind}")).clone();
        handler(self.state.clone(), json!({})).await.unwrap_or_else(|e| panic!("job {kind}: {e}"));
    }

    /// Runs the daily points expiry (`rewards.expire`, which expires what is older than
    /// `SHN_POINTS_EXPIRE_MONTHS`); how many members lost points in this run.
    pub async fn expire_points(&self) -> i64 {
        let expiries = "SELECT COUNT(*) FROM ledger_entries WHERE reason = 'expiry'";
        let before = self.count(expiries).await;
        self.run_job("rewards.expire").await;
        self.count(expiries).await - before
    }

    /// Runs the daily notification digests (`community.digests`) now.
    pub async fn send_digests_now(&self) {
        self.run_job("community.digests").await;
    }

    /// Digest e-mails queued so far (each member's at most once a day).
    pub async fn digests_queued(&self) -> i64 {
        self.count("SELECT COUNT(*) FROM jobs WHERE unique_key LIKE 'mail:digest:%'").await
    }

    /// Queues the event reminders that are due now (`events.reminders`).
    pub async fn queue_due_reminders(&self) {
        self.run_job("events.reminders").await;
    }

    /// Runs the rewards slice's points consumer over the outbox until it finds nothing.
    pub async fn award_points(&self) {
        self.consume("rewards").await;
    }

    /// Runs the points consumer from two workers at once until both find nothing.
    pub async fn award_points_from_two_workers(&self) {
        self.run_twice_concurrently(self.consumer("rewards"), 7).await;
    }

    /// Runs the community slice's notifications consumer from two workers at once until
    /// both find nothing.
    pub async fn notify_from_two_workers(&self) {
        self.run_twice_concurrently(self.consumer("community-notifications"), 3).await;
    }

    async fn run_twice_concurrently(&self, consumer: Arc<dyn outbox::Consumer>, batch: u64) {
        let run = |c: Arc<dyn outbox::Consumer>| {
            let db = self.state.db.clone();
            async move { while outbox::run_once(&db, &c, batch).await.unwrap() > 0 {} }
        };
        tokio::join!(run(consumer.clone()), run(consumer.clone()));
    }

    /// Loads the demo data (`shn demo`) with `members` members.
    pub async fn load_demo(&self, members: usize) -> DemoLogins {
        let mut progress_reports = 0;
        let people = web::demo::load(&self.state, &self.slices, members, &mut |_, _, _| progress_reports += 1)
            .await
            .expect("demo data");
        let admin = people.logins.iter().find(|(_, role)| *role == "admin").expect("a demo admin login");
        DemoLogins { admin_email: admin.0.clone(), password: people.password, progress_reports }
    }

    /// Adds the benchmark data (`shn demo --scale`) at `scale`.
    pub async fn load_scale(&self, scale: f64) -> web::demo::ScaleReport {
        web::demo::load_scale(&self.state, &self.slices, scale, &mut |_, _, _| {}).await.expect("scale data")
    }

    /// How many days a conference's agenda runs over, as a visitor sees it.
    pub async fn conference_agenda_days(&self, conference: uuid::Uuid) -> usize {
        let rb = self.client().get(self.url(&format!("/api/v1/conferences/{conference}/agenda")));
        let agenda = send_expecting(rb, 200, "a visitor reads the agenda").await;
        agenda["days"].as_array().map(Vec::len).unwrap_or(0)
    }

    /// The names of every condition in the reference list.
    pub async fn condition_names(&self) -> Vec<String> {
        let people = contracts::members::directory(&self.state).expect("the members port");
        people.conditions(&self.state.db).await.unwrap().into_iter().map(|c| c.name).collect()
    }
}

/// Publishes the domain event of kind `kind` for `member`, as its slice would (the
/// tests of earning rules name events by kind). Ids it refers to are new.
pub async fn publish_kind(tx: &kernel::db::Tx, kind: &str, member_id: MemberId) -> kernel::ids::ActivityId {
    use contracts::events::*;
    use contracts::ids::{EventId, GroupId};
    use kernel::outbox::publish;
    let some = uuid::Uuid::now_v7();
    let actor = Some(member_id);
    let published = match kind {
        "ReplyPosted" => publish(tx, actor, &ReplyPosted { member_id, thread_id: some, post_id: some }).await,
        "ThreadStarted" => {
            publish(tx, actor, &ThreadStarted { member_id, thread_id: some, group_id: GroupId(some) }).await
        }
        "EventAttended" => publish(tx, actor, &EventAttended { member_id, event_id: EventId(some) }).await,
        "ProfileCompleted" => publish(tx, actor, &ProfileCompleted { member_id }).await,
        "MemberJoined" => publish(tx, actor, &MemberJoined { member_id }).await,
        "CourseCompleted" => publish(tx, actor, &CourseCompleted { member_id }).await,
        "ArticlePublished" => publish(tx, actor, &ArticlePublished { member_id }).await,
        other => panic!("no event type for {other:?} in the test support"),
    };
    published.unwrap()
}

impl TestApp {
    /// `author` replies to a discussion; returns the reply's id.
    pub async fn reply(&self, author: &Member, thread: &str, body: &str) -> String {
        let rb = self
            .client()
            .post(self.url(&format!("/api/v1/threads/{thread}/replies")))
            .bearer_auth(&author.token)
            .json(&json!({ "body": body }));
        let v = send_expecting(rb, 201, &format!("{} replies to {thread}", author.name)).await;
        v["id"].as_str().unwrap().to_string()
    }
}

impl TestApp {
    /// Members with these display names, in order.
    pub async fn members_named<const N: usize>(&self, names: [&str; N]) -> [Member; N] {
        let mut out = Vec::with_capacity(N);
        for name in names {
            out.push(self.member().named(name).create().await);
        }
        out.try_into().unwrap()
    }
}

/// An Argon2id hash of `password`, as the members slice stores one (cheap parameters:
/// any parameters verify), for tests that write an account with a known password.
pub fn password_hash(password: &str) -> String {
    use argon2::password_hash::PasswordHasher;
    let params = argon2::Params::new(256, 1, 1, None).expect("valid Argon2 parameters");
    let hasher = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    hasher.hash_password(password.as_bytes()).expect("hashing works").to_string()
}

impl TestApp {
    /// An application whose kernel configuration `tweak` changes first: settings no
    /// slice declares (`SHN_METRICS_TOKEN`, say), which [`TestApp::start_with`] cannot give.
    pub async fn start_configured(backend: Backend, tweak: fn(&mut Config)) -> TestApp {
        let dir = std::env::temp_dir().join(format!("shn-test-{}", random_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        let (smtp, smtp_addr) = SmtpSink::start().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (mut config, pg_db) = test_config(backend, &dir, smtp_addr, &base).await;
        tweak(&mut config);
        let app = web::start(config, StartOptions::migrating()).await.expect("app starts");
        let (state, slices) = (app.state.clone(), app.slices.clone());
        let server = tokio::spawn(async move {
            let _ = app.serve(listener, std::future::pending()).await;
        });
        TestApp { base, state, slices, smtp, pg_db, dir, server, made: AtomicUsize::new(0) }
    }
}

/// [`both_backends!`] for tests of an application whose kernel configuration a function
/// (`fn(&mut Config)`) changes first:
///
/// ```ignore
/// both_backends_configured![config = with_metrics_token; metrics_ask_for_the_token];
/// ```
#[macro_export]
macro_rules! both_backends_configured {
    (config = $tweak:ident; $($test:ident),+ $(,)?) => {$(
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::support::TestApp::start_configured($crate::support::Backend::Sqlite, super::$tweak).await;
                super::$test(&app).await;
                app.finish().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let app =
                    $crate::support::TestApp::start_configured($crate::support::Backend::Postgres, super::$tweak).await;
                super::$test(&app).await;
                app.finish().await;
            }
        }
    )+};
}
