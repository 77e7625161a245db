//! Configuration: one place that knows every setting, its default and what a bad value
//! means. The binary fills [`Settings`] from the environment (see `shn --help`); tests
//! fill it directly.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

pub use crate::slice::SliceSettings;

/// Raw settings as given (environment variables or flags), before validation.
/// `Debug` never shows a secret (see [`redacted_url`]).
#[derive(Clone, Default)]
pub struct Settings {
    /// SHN_DATABASE_URL
    pub database_url: Option<String>,
    /// SHN_DATA_DIR
    pub data_dir: Option<String>,
    /// SHN_BIND
    pub bind: Option<String>,
    /// SHN_BASE_URL
    pub base_url: Option<String>,
    /// SHN_SMTP_URL
    pub smtp_url: Option<String>,
    /// SHN_SECRET_KEY
    pub secret_key: Option<String>,
    /// SHN_LOG_FORMAT
    pub log_format: Option<String>,
    /// SHN_MAIL_FROM
    pub mail_from: Option<String>,
    /// SHN_DB_MAX_CONNECTIONS
    pub db_max_connections: Option<String>,
    /// The slices' own settings (each slice declares and parses its own), by variable.
    pub slices: SliceSettings,
    /// SHN_TRUSTED_PROXIES
    pub trusted_proxies: Option<String>,
    /// SHN_METRICS_TOKEN
    pub metrics_token: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// How expensive password hashing is. `Fast` exists only so test suites can create
/// hundreds of accounts quickly; it is never chosen from the environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordCost {
    Standard,
    Fast,
}

/// The validated configuration. Its `Debug` (what ends up in logs and panics) never
/// shows a secret: the key is hidden and passwords in URLs are replaced.
#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub data_dir: PathBuf,
    pub bind: SocketAddr,
    pub base_url: Url,
    pub smtp_url: Option<String>,
    pub secret_key: Option<String>,
    pub log_format: LogFormat,
    pub mail_from: String,
    pub db_max_connections: u32,
    pub password_cost: PasswordCost,
    /// A session ends after this long without use…
    pub session_idle: Duration,
    /// …and after this long in any case.
    pub session_absolute: Duration,
    /// How long a password-reset link works.
    pub reset_link_lifetime: Duration,
    /// How long an e-mail verification link works.
    pub verify_link_lifetime: Duration,
    /// Largest accepted request body, in bytes (avatars included).
    pub max_body_bytes: usize,
    /// How often the worker looks for work when idle.
    pub worker_poll: Duration,
    /// Sign-ups allowed from one address per hour.
    pub signups_per_ip_per_hour: i64,
    /// Settings that belong to one slice, as given; the slice parses them at start-up.
    pub slices: SliceSettings,
    /// Reverse proxies whose `X-Forwarded-For` is believed (none by default).
    pub trusted_proxies: Vec<crate::net::Cidr>,
    /// A personal access token stops working this long after it was issued.
    pub api_token_lifetime: Duration,
    /// When set, `/metrics` answers only requests bearing this token (others get 404).
    pub metrics_token: Option<String>,
}

const REDACTED: &str = "[redacted]";

/// A URL with its password (and, for database URLs, any `password=` parameter)
/// replaced by `[redacted]`; text that is not a URL is hidden whole.
pub fn redacted_url(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some(REDACTED));
            }
            if u.query_pairs().any(|(k, _)| k.eq_ignore_ascii_case("password")) {
                let pairs: Vec<(String, String)> = u
                    .query_pairs()
                    .map(|(k, v)| {
                        let v = if k.eq_ignore_ascii_case("password") { REDACTED.to_string() } else { v.into_owned() };
                        (k.into_owned(), v)
                    })
                    .collect();
                u.query_pairs_mut().clear().extend_pairs(pairs);
            }
            u.to_string()
        }
        Err(_) => REDACTED.to_string(),
    }
}

fn redacted_opt(v: &Option<String>) -> Option<String> {
    v.as_deref().map(redacted_url)
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redacted_opt(&self.database_url))
            .field("data_dir", &self.data_dir)
            .field("bind", &self.bind)
            .field("base_url", &self.base_url)
            .field("smtp_url", &redacted_opt(&self.smtp_url))
            .field("secret_key", &self.secret_key.as_ref().map(|_| REDACTED))
            .field("log_format", &self.log_format)
            .field("mail_from", &self.mail_from)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| REDACTED))
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redacted_url(&self.database_url))
            .field("data_dir", &self.data_dir)
            .field("bind", &self.bind)
            .field("base_url", &self.base_url.as_str())
            .field("smtp_url", &redacted_opt(&self.smtp_url))
            .field("secret_key", &self.secret_key.as_ref().map(|_| REDACTED))
            .field("log_format", &self.log_format)
            .field("mail_from", &self.mail_from)
            .field("db_max_connections", &self.db_max_connections)
            .field("password_cost", &self.password_cost)
            .field("session_idle", &self.session_idle)
            .field("session_absolute", &self.session_absolute)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("api_token_lifetime", &self.api_token_lifetime)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| REDACTED))
            .finish_non_exhaustive()
    }
}

/// A bad setting: names the variable and says what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("{var}: {problem}")]
pub struct ConfigError {
    pub var: &'static str,
    pub problem: String,
}

pub fn bad(var: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError { var, problem: problem.into() }
}

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Config {
    pub fn from_settings(s: &Settings) -> Result<Config, ConfigError> {
        let data_dir = PathBuf::from(non_empty(&s.data_dir).unwrap_or("./data"));
        let database_url = database_url(s, &data_dir)?;
        let bind = bind_address(s)?;
        let base_url = base_url(s, bind)?;
        let smtp_url = smtp_url(s)?;
        let secret_key = secret_key(s)?;
        let log_format = log_format(s)?;
        let mail_from = mail_from(s, &base_url)?;
        let db_max_connections = db_max_connections(s)?;
        let trusted_proxies = trusted_proxies(s)?;
        let metrics_token = metrics_token(s)?;
        Ok(Config {
            database_url,
            data_dir,
            bind,
            base_url,
            smtp_url,
            secret_key,
            log_format,
            mail_from,
            db_max_connections,
            password_cost: PasswordCost::Standard,
            session_idle: Duration::from_secs(14 * 24 * 3600),
            session_absolute: Duration::from_secs(60 * 24 * 3600),
            reset_link_lifetime: Duration::from_secs(3600),
            verify_link_lifetime: Duration::from_secs(3 * 24 * 3600),
            max_body_bytes: 6 * 1024 * 1024,
            worker_poll: Duration::from_millis(500),
            signups_per_ip_per_hour: 20,
            slices: s.slices.clone(),
            trusted_proxies,
            api_token_lifetime: Duration::from_secs(90 * 24 * 3600),
            metrics_token,
        })
    }

    /// Whether cookies must be `Secure` (the site is served over HTTPS).
    pub fn secure_cookies(&self) -> bool {
        self.base_url.scheme() == "https"
    }

    /// An absolute URL on this site for `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        let base = self.base_url.as_str().trim_end_matches('/');
        format!("{base}{path}")
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }

    pub fn uploads_dir(&self) -> PathBuf {
        self.data_dir.join("uploads")
    }
}

/// SHN_DATABASE_URL: SQLite or PostgreSQL; by default an SQLite file in the data folder.
fn database_url(s: &Settings, data_dir: &std::path::Path) -> Result<String, ConfigError> {
    match non_empty(&s.database_url) {
        Some(u) if u.starts_with("sqlite:") || u.starts_with("postgres:") || u.starts_with("postgresql:") => {
            Ok(u.to_string())
        }
        Some(u) => {
            let scheme = u.split(':').next().unwrap_or(u);
            Err(bad(
                "SHN_DATABASE_URL",
                format!("unsupported scheme {scheme:?}; use sqlite://PATH or postgres://USER@HOST/DB"),
            ))
        }
        None => Ok(format!("sqlite://{}?mode=rwc", data_dir.join("shn.db").display())),
    }
}

/// SHN_BIND: the address to listen on.
fn bind_address(s: &Settings) -> Result<SocketAddr, ConfigError> {
    let bind_text = non_empty(&s.bind).unwrap_or("127.0.0.1:8080");
    bind_text.parse().map_err(|_| bad("SHN_BIND", format!("{bind_text:?} is not an address like 127.0.0.1:8080")))
}

/// SHN_BASE_URL: the public address of the site; by default the bind address.
fn base_url(s: &Settings, bind: SocketAddr) -> Result<Url, ConfigError> {
    let base_text = match non_empty(&s.base_url) {
        Some(b) => b.to_string(),
        None => format!("http://{bind}"),
    };
    Url::parse(&base_text).ok().filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some()).ok_or_else(
        || bad("SHN_BASE_URL", format!("{base_text:?} is not an http(s) URL like https://community.example.org")),
    )
}

/// SHN_SMTP_URL: where mail goes; none means mail is written to the outbox folder.
fn smtp_url(s: &Settings) -> Result<Option<String>, ConfigError> {
    let Some(u) = non_empty(&s.smtp_url) else { return Ok(None) };
    let parsed = Url::parse(u).map_err(|e| bad("SHN_SMTP_URL", format!("not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "smtp" | "smtps") || parsed.host().is_none() {
        return Err(bad("SHN_SMTP_URL", "use smtp://HOST:PORT or smtps://USER:PASS@HOST:PORT"));
    }
    Ok(Some(u.to_string()))
}

/// SHN_SECRET_KEY: at least 32 characters, or unset to have one generated.
fn secret_key(s: &Settings) -> Result<Option<String>, ConfigError> {
    match non_empty(&s.secret_key) {
        Some(k) if k.len() < 32 => {
            Err(bad("SHN_SECRET_KEY", "must be at least 32 characters; leave it unset to have one generated"))
        }
        Some(k) => Ok(Some(k.to_string())),
        None => Ok(None),
    }
}

/// SHN_LOG_FORMAT: "text" (the default) or "json".
fn log_format(s: &Settings) -> Result<LogFormat, ConfigError> {
    match non_empty(&s.log_format).unwrap_or("text") {
        "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        other => Err(bad("SHN_LOG_FORMAT", format!("{other:?} is not \"text\" or \"json\""))),
    }
}

/// SHN_MAIL_FROM: the sender of the site's mail; by default no-reply at the site's host.
fn mail_from(s: &Settings, base_url: &Url) -> Result<String, ConfigError> {
    let mail_from = non_empty(&s.mail_from)
        .map(str::to_string)
        .unwrap_or_else(|| format!("Social Health Network <no-reply@{}>", base_url.host_str().unwrap_or("localhost")));
    if !mail_from.contains('@') {
        return Err(bad("SHN_MAIL_FROM", "must contain an e-mail address"));
    }
    Ok(mail_from)
}

/// SHN_DB_MAX_CONNECTIONS: a whole number from 1 to 1000 (10 by default).
fn db_max_connections(s: &Settings) -> Result<u32, ConfigError> {
    match non_empty(&s.db_max_connections) {
        Some(n) => n
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| bad("SHN_DB_MAX_CONNECTIONS", format!("{n:?} is not a whole number from 1 to 1000"))),
        None => Ok(10),
    }
}

/// SHN_TRUSTED_PROXIES: addresses or CIDR blocks whose `X-Forwarded-For` is believed.
fn trusted_proxies(s: &Settings) -> Result<Vec<crate::net::Cidr>, ConfigError> {
    match non_empty(&s.trusted_proxies) {
        Some(list) => crate::net::parse_list(list).map_err(|e| {
            bad("SHN_TRUSTED_PROXIES", format!("{e}; give addresses or CIDR blocks like 10.0.0.0/8, ::1"))
        }),
        None => Ok(Vec::new()),
    }
}

/// SHN_METRICS_TOKEN: a bearer token `/metrics` asks for (at least 16 characters); unset,
/// `/metrics` is open to whoever reaches the port.
fn metrics_token(s: &Settings) -> Result<Option<String>, ConfigError> {
    match non_empty(&s.metrics_token) {
        Some(t) if t.len() < 16 || t.chars().any(|c| c.is_whitespace() || c.is_control()) => {
            Err(bad("SHN_METRICS_TOKEN", "must be at least 16 characters without spaces"))
        }
        Some(t) => Ok(Some(t.to_string())),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_give_an_sqlite_file_in_the_data_folder() {
        let c = Config::from_settings(&Settings::default()).unwrap();
        assert_eq!(c.database_url, "sqlite://./data/shn.db?mode=rwc");
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.base_url.as_str(), "http://127.0.0.1:8080/");
        assert!(!c.secure_cookies());
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let cases: Vec<(Settings, &str)> = vec![
            (Settings { bind: Some("nowhere".into()), ..Default::default() }, "SHN_BIND"),
            (Settings { database_url: Some("mysql://x".into()), ..Default::default() }, "SHN_DATABASE_URL"),
            (Settings { base_url: Some("ftp://x".into()), ..Default::default() }, "SHN_BASE_URL"),
            (Settings { smtp_url: Some("http://x".into()), ..Default::default() }, "SHN_SMTP_URL"),
            (Settings { secret_key: Some("short".into()), ..Default::default() }, "SHN_SECRET_KEY"),
            (Settings { log_format: Some("xml".into()), ..Default::default() }, "SHN_LOG_FORMAT"),
            (Settings { db_max_connections: Some("0".into()), ..Default::default() }, "SHN_DB_MAX_CONNECTIONS"),
            (Settings { trusted_proxies: Some("10.0.0.0/99".into()), ..Default::default() }, "SHN_TRUSTED_PROXIES"),
            (Settings { metrics_token: Some("short".into()), ..Default::default() }, "SHN_METRICS_TOKEN"),
        ];
        for (s, var) in cases {
            let err = Config::from_settings(&s).unwrap_err();
            assert_eq!(err.var, var);
            assert!(err.to_string().starts_with(var));
        }
    }

    #[test]
    fn debug_output_never_shows_a_secret() {
        let s = Settings {
            database_url: Some("postgres://shn:hunter2-db@db.example/shn?sslmode=require".into()),
            smtp_url: Some("smtps://mailer:hunter2-smtp@smtp.example:465".into()),
            secret_key: Some("hunter2-key-that-is-long-enough-0123456789".into()),
            metrics_token: Some("hunter2-metrics-token".into()),
            ..Default::default()
        };
        let c = Config::from_settings(&s).unwrap();
        for shown in [format!("{s:?}"), format!("{c:?}"), format!("{c:#?}")] {
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(shown.contains("[redacted]") && shown.contains("db.example"), "{shown}");
        }
    }

    #[test]
    fn https_base_urls_make_cookies_secure() {
        let s = Settings { base_url: Some("https://community.example.org".into()), ..Default::default() };
        let c = Config::from_settings(&s).unwrap();
        assert!(c.secure_cookies());
        assert_eq!(c.url("/login"), "https://community.example.org/login");
    }
}
