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
//! - Requests go through one helper, from whoever sends them ([`Caller`]: a [`Member`], a
//!   token, a browser session or a [`Visitor`]): `app.call("POST", path, &ana, Some(body))`
//!   answers the status and the JSON body; [`TestApp::send`], [`TestApp::get_json`] and
//!   [`TestApp::get_text`] read text and pages; [`TestApp::request`] is for what needs a
//!   header or a raw body.
//! - Every request that only prepares state checks its status, with the response body in
//!   the failure message ([`expect_status`], [`send_expecting`]); the builders do so.
//! - A test reaches past HTTP into a slice only through one `TestApp` method per use
//!   (the block at the end of this file), so a slice's internals can move freely.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use kernel::AppState;
use kernel::config::{Config, PasswordCost, Settings};
use kernel::ids::MemberId;
use kernel::outbox;
use migration::testing::TempDatabase;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use web::StartOptions;

/// SQLite or PostgreSQL; each test's database is a fresh one (see [`TempDatabase`]).
pub use migration::testing::Backend;

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
    /// Addresses refused for good (550 to `RCPT TO`), as for a mailbox that does not exist.
    pub refused: Arc<Mutex<Vec<String>>>,
}

impl SmtpSink {
    pub async fn start() -> (SmtpSink, SocketAddr) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let sink = SmtpSink::default();
        let (mails, refused) = (sink.mails.clone(), sink.refused.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (mails, refused) = (mails.clone(), refused.clone());
                tokio::spawn(async move {
                    let _ = serve_smtp(stream, mails, refused).await;
                });
            }
        });
        (sink, addr)
    }
}

async fn serve_smtp(
    stream: tokio::net::TcpStream,
    mails: Arc<Mutex<Vec<Mail>>>,
    refused: Arc<Mutex<Vec<String>>>,
) -> std::io::Result<()> {
    let (r, mut w) = stream.into_split();
    let mut lines = BufReader::new(r).lines();
    w.write_all(b"220 sink ESMTP\r\n").await?;
    let mut to = String::new();
    while let Some(line) = lines.next_line().await? {
        let upper = line.to_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            w.write_all(b"250-sink\r\n250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            let rcpt = line[8..].trim().trim_matches(['<', '>']).to_lowercase();
            if refused.lock().unwrap().contains(&rcpt) {
                w.write_all(b"550 5.1.1 no such mailbox\r\n").await?;
                continue;
            }
            to = rcpt;
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
    /// The test's database and data folder, removed by [`TestApp::finish`].
    temp: TempDatabase,
    server: tokio::task::JoinHandle<()>,
    /// Numbers the people, groups and events builders make, for unique default names.
    made: AtomicUsize,
}

/// The settings every test application starts from: the test's database and folder, the
/// SMTP sink, and `base` as the public address.
fn test_settings(temp: &TempDatabase, smtp: SocketAddr, base: &str) -> Settings {
    Settings {
        database_url: Some(temp.url.clone()),
        data_dir: Some(temp.dir.display().to_string()),
        bind: Some("127.0.0.1:0".into()),
        base_url: Some(base.to_string()),
        smtp_url: Some(format!("smtp://{smtp}")),
        secret_key: Some("test-secret-key-that-is-long-enough-0123456789".into()),
        db_max_connections: Some("5".into()),
        ..Default::default()
    }
}

impl TestApp {
    pub async fn start(backend: Backend) -> TestApp {
        TestApp::start_with(backend, StartOptions::migrating(), &[]).await
    }

    /// An application of the given slices, with slice settings (`SHN_…` variable, value).
    pub async fn start_with(backend: Backend, opts: StartOptions, settings: &[(&str, &str)]) -> TestApp {
        let slice_settings = settings.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        TestApp::start_configured(backend, opts, |s| s.slices.0.extend(slice_settings)).await
    }

    /// An application whose settings `tweak` changes first (trusted proxies, an https
    /// base URL, another SMTP URL …), as the environment would.
    pub async fn start_configured(backend: Backend, opts: StartOptions, tweak: impl FnOnce(&mut Settings)) -> TestApp {
        let temp = TempDatabase::create(backend).await;
        let (smtp, smtp_addr) = SmtpSink::start().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mut settings = test_settings(&temp, smtp_addr, &base);
        tweak(&mut settings);
        let mut config = Config::from_settings(&settings).expect("test settings are valid");
        config.password_cost = PasswordCost::Fast;
        // Every test signs up from 127.0.0.1; the per-address limit has its own test.
        config.signups_per_ip_per_hour = 1000;
        let app = web::start(config, opts).await.expect("app starts");
        let (state, slices) = (app.state.clone(), app.slices.clone());
        let server = tokio::spawn(async move {
            let _ = app.serve(listener, std::future::pending()).await;
        });
        TestApp { base, state, slices, smtp, temp, server, made: AtomicUsize::new(0) }
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

    /// Changes the database directly: what a test sets up past the API (a date moved
    /// back, a row a feature has no form for).
    pub async fn exec(&self, sql: &str, values: Vec<sea_orm::Value>) {
        self.state.db.exec(sql, values).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Every row `sql` (without parameters) selects.
    pub async fn rows<T: sea_orm::FromQueryResult>(&self, sql: &str) -> Vec<T> {
        self.state.db.all(sql, vec![]).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Signs up by API and verifies by the e-mailed token; returns the member id.
    pub async fn signup_verified(&self, email: &str, name: &str) -> String {
        let (status, v) =
            self.call("POST", "/api/v1/auth/signup", &Visitor, Some(signup_body(email, PASSWORD, name))).await;
        assert_eq!(status, 201, "sign-up of {email}: {v}");
        let mail = self
            .mails_to(email)
            .await
            .into_iter()
            .rev()
            .find(|m| m.subject().contains("Confirm"))
            .expect("verification mail");
        let token = mail.token("/verify?token=").expect("token in mail");
        let (status, v) = self.call("POST", "/api/v1/auth/verify", &Visitor, Some(json!({ "token": token }))).await;
        assert_eq!(status, 200, "verification of {email}: {v}");
        v["member_id"].as_str().unwrap().to_string()
    }

    /// An API token for an existing account.
    pub async fn token(&self, email: &str) -> String {
        let (status, v) = self.ask_token(email, PASSWORD).await;
        assert_eq!(status, 200, "token for {email}: {v}");
        v["token"].as_str().unwrap().to_string()
    }

    /// Asks for an API token with this address and password, as a client would; the
    /// answer's status and body.
    pub async fn ask_token(&self, email: &str, password: &str) -> (u16, Value) {
        self.call("POST", "/api/v1/auth/token", &Visitor, Some(json!({"email": email, "password": password}))).await
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
        self.temp.remove().await;
    }
}

pub const PASSWORD: &str = "purple tortoise sings loudly";

/// A sign-up request's body: a patient with this address, password and name.
pub fn signup_body(email: &str, password: &str, display_name: &str) -> Value {
    json!({"email": email, "password": password, "display_name": display_name, "member_type": "patient"})
}

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
///
/// A test that starts its own applications (of other slices, or of another
/// configuration) is an `async fn name(backend: Backend)`, listed after `backend;`:
///
/// ```ignore
/// both_backends!(backend; an_application_without_events_has_nothing_of_events);
/// ```
#[macro_export]
macro_rules! both_backends {
    ($($test:ident),+ $(,)?) => {
        $crate::both_backends!(settings = []; $($test),+);
    };
    // Tests of an application started with slice settings (`SHN_…` variable, value).
    (settings = $settings:tt; $($test:ident),+ $(,)?) => {$(
        mod $test {
            async fn on(backend: $crate::support::Backend) {
                let opts = web::StartOptions::migrating();
                let settings: &[(&str, &str)] = &$settings;
                let app = $crate::support::TestApp::start_with(backend, opts, settings).await;
                super::$test(&app).await;
                app.finish().await;
            }
            $crate::both_backends!(@each on);
        }
    )+};
    (backend; $($test:ident),+ $(,)?) => {$(
        mod $test {
            $crate::both_backends!(@each super::$test);
        }
    )+};
    // The two tests of one listed name, each running `$run` on its backend.
    (@each $run:path) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn sqlite() {
            $run($crate::support::Backend::Sqlite).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn postgres() {
            $run($crate::support::Backend::Postgres).await;
        }
    };
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

// ---------------------------------------------------------------------------------------
// Requests: one way to send any of them, from whoever sends it.

/// Who sends a request: a member or a bare API token (as its bearer token), a
/// [`Visitor`], `None` for a visitor and `Some(token)` for a member, or a browser session
/// (a `reqwest::Client` from [`TestApp::browser_login`], with its cookies).
pub trait Caller {
    fn prepare(&self, app: &TestApp, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder;
}

/// Someone not signed in (a fresh client, no token, no cookies).
pub struct Visitor;

impl Caller for Visitor {
    fn prepare(&self, app: &TestApp, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        app.client().request(method, app.url(path))
    }
}

impl Caller for str {
    fn prepare(&self, app: &TestApp, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        app.client().request(method, app.url(path)).bearer_auth(self)
    }
}

impl Caller for String {
    fn prepare(&self, app: &TestApp, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.as_str().prepare(app, method, path)
    }
}

impl Caller for Member {
    fn prepare(&self, app: &TestApp, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.token.prepare(app, method, path)
    }
}

impl<T: Caller> Caller for Option<T> {
    fn prepare(&self, app: &TestApp, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        match self {
            Some(who) => who.prepare(app, method, path),
            None => Visitor.prepare(app, method, path),
        }
    }
}

impl<T: Caller + ?Sized> Caller for &T {
    fn prepare(&self, app: &TestApp, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        (**self).prepare(app, method, path)
    }
}

impl Caller for reqwest::Client {
    fn prepare(&self, app: &TestApp, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.request(method, app.url(path))
    }
}

/// Sends a request; the answer's status and text.
pub async fn answer(rb: reqwest::RequestBuilder) -> (u16, String) {
    let r = rb.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

impl TestApp {
    /// A request of `method` ("GET", "POST" …) to `path` from `who`, for a test to add
    /// headers or a raw body to before sending it.
    pub fn request(&self, method: &str, path: &str, who: &(impl Caller + ?Sized)) -> reqwest::RequestBuilder {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("an HTTP method");
        who.prepare(self, method, path)
    }

    /// Sends `method path` from `who`; the answer's status and text.
    pub async fn send(&self, method: &str, path: &str, who: &(impl Caller + ?Sized)) -> (u16, String) {
        answer(self.request(method, path, who)).await
    }

    /// Sends `method path` from `who`, with `body` as JSON if there is one; the answer's
    /// status and body as JSON (null if it is empty or not JSON).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        who: &(impl Caller + ?Sized),
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut rb = self.request(method, path, who);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let (status, text) = answer(rb).await;
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// `who` reports something (a thread, reply, member or message) for `reason`; the
    /// answer's status and body.
    pub async fn report(
        &self,
        who: &(impl Caller + ?Sized),
        target_type: &str,
        target_id: impl serde::Serialize,
        reason: &str,
    ) -> (u16, Value) {
        let body = json!({"target_type": target_type, "target_id": target_id, "reason": reason});
        self.call("POST", "/api/v1/reports", who, Some(body)).await
    }

    /// `who` decides on a report (`decision`: its action, reason and any days); the
    /// answer's status and body.
    pub async fn decide(&self, who: &(impl Caller + ?Sized), report: &str, decision: Value) -> (u16, Value) {
        self.call("POST", &format!("/api/v1/moderation/reports/{report}/decision"), who, Some(decision)).await
    }

    /// `who` (staff) acts on a member's account: `action` is `role`, `suspension` or
    /// `health-leader`; the answer's status and body.
    pub async fn manage(
        &self,
        who: &(impl Caller + ?Sized),
        member: MemberId,
        action: &str,
        body: Value,
    ) -> (u16, Value) {
        self.call("POST", &format!("/api/v1/admin/members/{member}/{action}"), who, Some(body)).await
    }

    /// Sends the same request from each of `callers` at once, each on its own
    /// connection; the statuses, in the callers' order.
    pub async fn all_at_once<C: Caller>(
        &self,
        method: &str,
        path: &str,
        callers: impl IntoIterator<Item = C>,
        body: Option<Value>,
    ) -> Vec<u16> {
        let tasks = callers.into_iter().map(|who| {
            let mut rb = self.request(method, path, &who);
            if let Some(b) = &body {
                rb = rb.json(b);
            }
            tokio::spawn(async move { rb.send().await.unwrap().status().as_u16() })
        });
        futures::future::join_all(tasks).await.into_iter().map(|r| r.unwrap()).collect()
    }

    /// `staff` credit a member's points (checked: 201).
    pub async fn credit_points(&self, staff: &Member, member: MemberId, amount: i64, reason: &str) {
        let body = json!({"member_id": member, "amount": amount, "reason": reason});
        let (status, v) = self.call("POST", "/api/v1/admin/points/adjustments", staff, Some(body)).await;
        assert_eq!(status, 201, "crediting {amount} points: {v}");
    }

    /// `who` changes their profile with this request body; the answer's status and body.
    pub async fn patch_profile(&self, who: &(impl Caller + ?Sized), body: Value) -> (u16, Value) {
        self.call("PATCH", "/api/v1/me/profile", who, Some(body)).await
    }

    /// The id of the first condition in the reference list that matches `q`.
    pub async fn condition_id(&self, q: &str) -> String {
        let found = self.get_json(&format!("/api/v1/conditions?q={q}"), &Visitor).await;
        found["items"][0]["id"].as_str().unwrap().to_string()
    }

    /// Every page of a paged list as `who` reads it: `path` (with its query) first, then
    /// on through each page's `next_cursor`.
    pub async fn pages(&self, path: &str, who: &(impl Caller + ?Sized)) -> Vec<Value> {
        let mut pages = vec![self.get_json(path, who).await];
        while let Some(cursor) = pages.last().unwrap()["next_cursor"].as_str().map(str::to_string) {
            pages.push(self.get_json(&format!("{path}&cursor={cursor}"), who).await);
        }
        pages
    }

    /// What `who` reads at `path`, as text.
    pub async fn get_text(&self, path: &str, who: &(impl Caller + ?Sized)) -> String {
        self.send("GET", path, who).await.1
    }

    /// What `who` reads at `path`, which must be JSON (the test fails if it is not).
    pub async fn get_json(&self, path: &str, who: &(impl Caller + ?Sized)) -> Value {
        let text = self.get_text(path, who).await;
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("GET {path} is not JSON ({e}): {text}"))
    }
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
    password: bool,
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
    /// database (fast), as having joined a month ago, with no password (unless
    /// [`MemberBuilder::with_password`]).
    pub fn signed_up(mut self) -> Self {
        self.signed_up = true;
        self
    }

    /// Written straight to the database (fast) but with [`PASSWORD`], to sign in with.
    pub fn with_password(mut self) -> Self {
        self.password = true;
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
            let hash = self.password.then(|| password_hash(PASSWORD));
            app.state
                .db
                .exec(
                    "INSERT INTO members (id, email, email_verified_at, display_name, name_key, member_type, password_hash, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, 'patient', $6, $3, $3)",
                    kernel::params![id, email.clone(), joined, name.clone(), name.to_lowercase(), hash],
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
    /// A group made another way (through the console's form): its id, name, owner and
    /// number of screening questions.
    pub fn made(id: &str, name: &str, owner: &Member, screening: usize) -> Group {
        Group { id: id.to_string(), name: name.to_string(), owner: owner.clone(), screening }
    }

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
        let (status, v) = self.try_thread(app, author, json!({"title": title, "body": body})).await;
        assert_eq!(status, 201, "{} starts \"{title}\" in {}: {v}", author.name, self.name);
        v["id"].as_str().unwrap().to_string()
    }

    /// `who` tries to start a discussion in the group with this request body; the
    /// answer's status and body.
    pub async fn try_thread(&self, app: &TestApp, who: &(impl Caller + ?Sized), body: Value) -> (u16, Value) {
        app.call("POST", &format!("/api/v1/groups/{}/threads", self.id), who, Some(body)).await
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
    /// The event's API address, with `rest` after it (`"/registration"`, or `""`).
    pub fn api(&self, rest: &str) -> String {
        format!("/api/v1/events/{}{rest}", self.id)
    }

    /// `member` registers by API; a seat (201) or a place on the waitlist (202).
    pub async fn register(&self, app: &TestApp, member: &Member) -> u16 {
        let (status, v) = app.call("POST", &self.api("/registration"), member, None).await;
        assert!(status == 201 || status == 202, "{} registers for {}: {status} {v}", member.name, self.id);
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
        MemberBuilder { app: self, name: None, email: None, signed_up: false, password: false, role: None }
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

    /// What `shn check --repair` puts right, one line per kind of thing repaired.
    pub async fn repair(&self) -> Vec<String> {
        let mut done = Vec::new();
        for repair in self.slices.iter().flat_map(|s| s.repairs.iter()) {
            done.extend(repair(&self.state.db).await.expect("the repairs run"));
        }
        done
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
        "CourseCompleted" => {
            publish(tx, actor, &CourseCompleted { member_id, credential: "storytelling-101".into() }).await
        }
        "ArticlePublished" => publish(tx, actor, &ArticlePublished { member_id }).await,
        other => panic!("no event type for {other:?} in the test support"),
    };
    published.unwrap()
}

impl TestApp {
    /// Publishes that `member` completed the course whose certificate code is
    /// `credential`, as the learning area will (`CourseCompleted`); consumers run later.
    pub async fn complete_course(&self, member: MemberId, credential: &str) {
        let tx = self.state.db.begin().await.unwrap();
        let done = contracts::events::CourseCompleted { member_id: member, credential: credential.to_string() };
        outbox::publish(&tx, Some(member), &done).await.unwrap();
        tx.commit().await.unwrap();
    }

    /// `author` replies to a discussion; returns the reply's id.
    pub async fn reply(&self, author: &Member, thread: &str, body: &str) -> String {
        let (status, v) = self.try_reply(author, thread, json!({ "body": body })).await;
        assert_eq!(status, 201, "{} replies to {thread}: {v}", author.name);
        v["id"].as_str().unwrap().to_string()
    }

    /// `who` tries to reply to a discussion with this request body; the answer's status
    /// and body.
    pub async fn try_reply(&self, who: &(impl Caller + ?Sized), thread: &str, body: Value) -> (u16, Value) {
        self.call("POST", &format!("/api/v1/threads/{thread}/replies"), who, Some(body)).await
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
    /// `path` as `who` sees it (by their token; a visitor without one): the status and
    /// the body as text, for pages and API answers alike.
    pub async fn read_as(&self, who: Option<&Member>, path: &str) -> (u16, String) {
        let mut rb = self.client().get(self.url(path));
        if let Some(m) = who {
            rb = rb.bearer_auth(&m.token);
        }
        let r = rb.send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap_or_default())
    }

    /// `body` sent to `path` by `who` (by their token) with `method`: the status and the
    /// answer as JSON (null when it is not JSON).
    pub async fn send_as(
        &self,
        who: &Member,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut rb = self.client().request(method, self.url(path)).bearer_auth(&who.token);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let r = rb.send().await.unwrap();
        let status = r.status().as_u16();
        (status, serde_json::from_str(&r.text().await.unwrap_or_default()).unwrap_or(Value::Null))
    }
}

impl TestApp {
    /// The audit log's rows of `action`, oldest first: who acted, and on whom.
    pub async fn audited(&self, action: &str) -> Vec<(Option<MemberId>, Option<MemberId>)> {
        #[derive(sea_orm::FromQueryResult)]
        struct Row {
            actor_id: Option<MemberId>,
            subject_id: Option<MemberId>,
        }
        let rows: Vec<Row> = self
            .state
            .db
            .all(
                "SELECT actor_id, subject_id FROM audit_log WHERE action = $1 ORDER BY at, id",
                kernel::params![action.to_string()],
            )
            .await
            .unwrap();
        rows.into_iter().map(|r| (r.actor_id, r.subject_id)).collect()
    }
}

impl Group {
    /// Makes `member` a member at once, as an invitation would (hidden groups take no
    /// requests, and the platform has no invitations yet).
    pub async fn invite(&self, app: &TestApp, member: &Member) {
        let group: uuid::Uuid = self.id.parse().unwrap();
        app.state
            .db
            .exec(
                "INSERT INTO group_members (group_id, member_id, role, status, created_at) VALUES ($1, $2, 'member', 'active', $3)",
                kernel::params![group, member.id, chrono::Utc::now()],
            )
            .await
            .unwrap();
    }
}

// ---------------------------------------------------------------------------------------
// Paid opportunities

/// A partner as the API returned it; its `Display` is its id.
#[derive(Clone, Debug)]
pub struct Partner {
    pub id: String,
    pub name: String,
}

impl std::fmt::Display for Partner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.id)
    }
}

/// An opportunity as the API returned it on creation; `o["field"]` reads that JSON and
/// its `Display` is its id.
#[derive(Clone, Debug)]
pub struct Opportunity {
    pub id: String,
    pub json: Value,
}

impl std::ops::Index<&str> for Opportunity {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        &self.json[key]
    }
}

impl std::fmt::Display for Opportunity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.id)
    }
}

impl Opportunity {
    /// `member` applies by API, answering every question; the response's status and body.
    pub async fn apply(&self, app: &TestApp, member: &Member) -> (u16, Value) {
        let answers = vec!["Because it matters to me."; self.json["questions"].as_array().map_or(0, Vec::len)];
        let r = app
            .client()
            .post(app.url(&format!("/api/v1/opportunities/{}/applications", self.id)))
            .bearer_auth(&member.token)
            .json(&json!({ "answers": answers, "channels": [] }))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// `member` applies and must be accepted; the application's id.
    pub async fn applied_by(&self, app: &TestApp, member: &Member) -> String {
        let (status, body) = self.apply(app, member).await;
        assert_eq!(status, 201, "{} applies for {}: {body}", member.name, self.id);
        body["id"].as_str().unwrap().to_string()
    }
}

/// `app.opportunity().paying_points(500).seats(2).rules(json!({...})).create().await`: by
/// default a social media campaign paying USD 250.00, one seat, open for ten days, one
/// question, open to every member, for a new partner, posted by a new staff member.
pub struct OpportunityBuilder<'a> {
    app: &'a TestApp,
    body: Value,
    by: Option<&'a Member>,
    partner: Option<&'a Partner>,
}

impl<'a> OpportunityBuilder<'a> {
    pub fn kind(mut self, kind: &str) -> Self {
        self.body["kind"] = json!(kind);
        self
    }

    pub fn titled(mut self, title: &str) -> Self {
        self.body["title"] = json!(title);
        self
    }

    pub fn seats(mut self, seats: i64) -> Self {
        self.body["seats"] = json!(seats);
        self
    }

    pub fn paying(mut self, amount: f64, currency: &str) -> Self {
        self.body["compensation"] = json!({ "amount": amount, "currency": currency });
        self
    }

    pub fn paying_points(mut self, points: i64) -> Self {
        self.body["compensation"] = json!({ "points": points });
        self
    }

    pub fn unpaid(mut self) -> Self {
        self.body.as_object_mut().unwrap().remove("compensation");
        self
    }

    /// Applications close this long from now (negative: closed already).
    pub fn closing_in(mut self, from_now: chrono::Duration) -> Self {
        self.body["apply_by"] = json!((chrono::Utc::now() + from_now).to_rfc3339());
        self
    }

    /// The eligibility rules, as the API takes them.
    pub fn rules(mut self, rules: Value) -> Self {
        self.body["rules"] = rules;
        self
    }

    pub fn asking<const N: usize>(mut self, questions: [&str; N]) -> Self {
        self.body["questions"] = json!(questions.to_vec());
        self
    }

    pub fn for_partner(mut self, partner: &'a Partner) -> Self {
        self.partner = Some(partner);
        self
    }

    /// Posted by this staff member (else by a new one).
    pub fn by(mut self, staff: &'a Member) -> Self {
        self.by = Some(staff);
        self
    }

    pub async fn create(self) -> Opportunity {
        let app = self.app;
        let by = match self.by {
            Some(s) => s.clone(),
            None => app.staff_member().create().await,
        };
        let partner = match self.partner {
            Some(p) => p.clone(),
            None => app.partner(&by, &format!("Partner {}", app.next_number())).await,
        };
        let mut body = self.body;
        body["partner_id"] = json!(partner.id);
        let rb = app.client().post(app.url("/api/v1/admin/opportunities")).bearer_auth(&by.token).json(&body);
        let json = send_expecting(rb, 201, &format!("posting the opportunity {body}")).await;
        Opportunity { id: json["id"].as_str().unwrap().to_string(), json }
    }
}

impl TestApp {
    /// A partner added by `staff`.
    pub async fn partner(&self, staff: &Member, name: &str) -> Partner {
        let body = json!({ "name": name, "website": "https://partner.example.org" });
        let rb = self.client().post(self.url("/api/v1/admin/partners")).bearer_auth(&staff.token).json(&body);
        let v = send_expecting(rb, 201, &format!("adding the partner {name}")).await;
        Partner { id: v["id"].as_str().unwrap().to_string(), name: name.to_string() }
    }

    /// An opportunity: `app.opportunity().paying_points(500).create().await`.
    pub fn opportunity(&self) -> OpportunityBuilder<'_> {
        let title = format!("Opportunity {}", self.next_number());
        OpportunityBuilder {
            app: self,
            body: json!({
                "kind": "social_media_campaign", "title": title, "brief": "Share **your** story.",
                "compensation": { "amount": 250, "currency": "USD" }, "seats": 1,
                "apply_by": (chrono::Utc::now() + chrono::Duration::days(10)).to_rfc3339(),
                "questions": ["Why you?"], "deliverables": "Two posts.",
            }),
            by: None,
            partner: None,
        }
    }

    /// `member` changes their own profile (any fields of `PATCH /api/v1/me/profile`).
    pub async fn set_profile(&self, member: &Member, patch: Value) {
        let rb = self.client().patch(self.url("/api/v1/me/profile")).bearer_auth(&member.token).json(&patch);
        send_expecting(rb, 200, &format!("{} sets their profile to {patch}", member.name)).await;
    }

    /// Staff move an application (`shortlisted`, `selected` …) with a message; the status.
    pub async fn move_application(&self, staff: &Member, application: &str, status: &str, message: &str) -> u16 {
        self.client()
            .post(self.url(&format!("/api/v1/admin/applications/{application}/status")))
            .bearer_auth(&staff.token)
            .json(&json!({ "status": status, "message": message }))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    /// Runs the opportunities' erasure consumer over the outbox.
    pub async fn erase_from_opportunities(&self) {
        self.consume("opportunities-erasure").await;
    }

    /// Delivers every outbox event to the rewards consumer again, as a second worker
    /// that missed the first delivery's record would (its delivery records are dropped).
    pub async fn redeliver_to_rewards(&self) {
        self.state.db.exec("DELETE FROM outbox_deliveries WHERE consumer = 'rewards'", vec![]).await.unwrap();
        self.state.db.exec("DELETE FROM outbox_cursors WHERE consumer = 'rewards'", vec![]).await.unwrap();
        self.award_points().await;
    }
}
