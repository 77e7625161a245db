//! `shn`: the Social Health Network in one binary.

mod allocator;

use std::io::Read;
use std::process::ExitCode;

use clap::{Arg, ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use kernel::config::{Config, LogFormat, Settings};
use kernel::slice::{Setting, SliceSettings};
use web::{StartOptions, start};

/// Social Health Network: a self-hosted community for patients, caregivers and
/// healthcare professionals.
///
/// Every setting can be given as an environment variable (shown in brackets) or a flag.
#[derive(Parser)]
#[command(name = "shn", version, about, long_about)]
struct Cli {
    #[command(flatten)]
    settings: SettingsArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct SettingsArgs {
    /// Database URL: sqlite://PATH?mode=rwc or postgres://USER@HOST/DB [default: an SQLite file in the data folder]
    #[arg(long, env = "SHN_DATABASE_URL", global = true, hide_env_values = true)]
    database_url: Option<String>,
    /// Data folder: the SQLite file, outbox/ (e-mail as .eml when no SMTP is set), uploads/, secret.key [default: ./data]
    #[arg(long, env = "SHN_DATA_DIR", global = true)]
    data_dir: Option<String>,
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "SHN_BIND", global = true)]
    bind: Option<String>,
    /// Public URL of the site, used in e-mailed links; https makes cookies Secure [default: http://BIND]
    #[arg(long, env = "SHN_BASE_URL", global = true)]
    base_url: Option<String>,
    /// SMTP server for outgoing mail, e.g. smtp://127.0.0.1:2525 or smtps://USER:PASS@HOST:465 [default: write .eml files to DATA_DIR/outbox]
    #[arg(long, env = "SHN_SMTP_URL", global = true, hide_env_values = true)]
    smtp_url: Option<String>,
    /// Sender address of outgoing mail [default: Social Health Network <no-reply@HOST>]
    #[arg(long, env = "SHN_MAIL_FROM", global = true)]
    mail_from: Option<String>,
    /// Secret key (32+ characters) for signing tokens [default: generated once and kept in DATA_DIR/secret.key]
    #[arg(long, env = "SHN_SECRET_KEY", global = true, hide_env_values = true)]
    secret_key: Option<String>,
    /// Log format: text or json [default: text]
    #[arg(long, env = "SHN_LOG_FORMAT", global = true)]
    log_format: Option<String>,
    /// Largest database connection pool [default: 10]
    #[arg(long, env = "SHN_DB_MAX_CONNECTIONS", global = true)]
    db_max_connections: Option<String>,
    /// Reverse proxies (addresses or CIDR blocks, comma-separated) whose X-Forwarded-For header is believed [default: none]
    #[arg(long, env = "SHN_TRUSTED_PROXIES", global = true)]
    trusted_proxies: Option<String>,
    /// Bearer token that /metrics asks for; requests without it get 404 [default: /metrics is open]
    #[arg(long, env = "SHN_METRICS_TOKEN", global = true, hide_env_values = true)]
    metrics_token: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate, then serve the web site with the background worker in the same process.
    Serve {
        /// Serve only; run `shn worker` elsewhere.
        #[arg(long)]
        no_worker: bool,
        /// Load demo data first if the database has no members yet.
        #[arg(long)]
        demo: bool,
    },
    /// Run the background worker only (jobs, e-mail, outbox consumers).
    Worker {
        /// Do what is due now (the scheduled jobs too), then exit.
        #[arg(long)]
        once: bool,
    },
    /// Apply pending database migrations and seed reference data.
    Migrate,
    /// Administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Load demo data (members with profiles, stories and channels) into the database.
    Demo {
        /// How many demo members to create.
        #[arg(long, default_value_t = 200)]
        members: usize,
        /// Build the benchmark dataset instead: at scale 1, 100 000 members, 300 groups,
        /// 100 000 threads, 1 000 000 replies, 5 000 events with 500 000 registrations and
        /// 2 000 000 ledger entries (deterministic). Writes DATA_DIR/scale.json.
        #[arg(long)]
        scale: Option<f64>,
    },
    /// Verify data invariants; exits non-zero on any breach.
    Check {
        /// First put right what can be rebuilt from the data itself (such as posts' stored
        /// HTML after a renderer change), then check.
        #[arg(long)]
        repair: bool,
    },
    /// The weekly newsletter: send an issue, preview a member's edition.
    Newsletter {
        #[command(subcommand)]
        command: NewsletterCommand,
    },
}

#[derive(Subcommand)]
enum NewsletterCommand {
    /// Send an issue to every verified member who receives the weekly issue, each exactly
    /// once, and wait until it is sent (showing progress). Run again after an interruption
    /// to resume where it stopped.
    Send {
        /// The issue's id.
        #[arg(long)]
        issue: uuid::Uuid,
        /// Only start the send; a running worker (`shn serve` or `shn worker`) does it.
        #[arg(long)]
        no_wait: bool,
    },
    /// Print the edition the member with this verified address receives (plain text).
    Preview {
        /// The member's e-mail address.
        #[arg(long)]
        member: String,
        /// The issue's id [default: the latest issue].
        #[arg(long)]
        issue: Option<uuid::Uuid>,
        /// Print the HTML part instead of the plain text.
        #[arg(long)]
        html: bool,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a staff admin, reading the password from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

impl SettingsArgs {
    fn settings(&self) -> Settings {
        Settings {
            database_url: self.database_url.clone(),
            data_dir: self.data_dir.clone(),
            bind: self.bind.clone(),
            base_url: self.base_url.clone(),
            smtp_url: self.smtp_url.clone(),
            secret_key: self.secret_key.clone(),
            log_format: self.log_format.clone(),
            mail_from: self.mail_from.clone(),
            db_max_connections: self.db_max_connections.clone(),
            slices: Default::default(),
            trusted_proxies: self.trusted_proxies.clone(),
            metrics_token: self.metrics_token.clone(),
        }
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SHN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

/// The command line: the kernel's settings and commands, plus each slice's own settings
/// (environment variable or flag of the same name).
fn parse_command_line() -> (Cli, SliceSettings) {
    let settings: Vec<Setting> = web::app::slices().iter().flat_map(|s| s.settings.iter().copied()).collect();
    let command = settings.iter().fold(Cli::command(), |c, s| {
        // clap keeps flag names for the life of the process; these few are made once.
        let flag: &'static str = Box::leak(s.flag().into_boxed_str());
        c.arg(Arg::new(s.var).long(flag).env(s.var).global(true).help(s.help).value_name("VALUE"))
    });
    let matches: ArgMatches = command.get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let given = settings
        .iter()
        .filter_map(|s| matches.get_one::<String>(s.var).map(|v| (s.var.to_string(), v.clone())))
        .collect();
    (cli, SliceSettings(given))
}

fn main() -> ExitCode {
    allocator::tune();
    let (cli, slice_settings) = parse_command_line();
    let mut settings = cli.settings.settings();
    settings.slices = slice_settings;
    let config = match Config::from_settings(&settings) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("shn: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging(config.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("shn: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("shn: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

async fn run(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve { no_worker, demo } => serve(config, no_worker, demo).await,
        Command::Worker { once } => worker(config, once).await,
        Command::Migrate => migrate(config).await,
        Command::Admin { command: AdminCommand::Create { email, name, password_stdin: _ } } => {
            create_admin(config, &email, &name).await
        }
        Command::Demo { scale: Some(scale), .. } => demo_at_scale(config, scale).await,
        Command::Demo { members: count, scale: None } => demo(config, count).await,
        Command::Check { repair } => check(config, repair).await,
        Command::Newsletter { command: NewsletterCommand::Send { issue, no_wait } } => {
            newsletter_send(config, issue, no_wait).await
        }
        Command::Newsletter { command: NewsletterCommand::Preview { member, issue, html } } => {
            newsletter_preview(config, &member, issue, html).await
        }
    }
}

/// `shn serve`: migrate, load the demo if asked and the database is empty, then serve
/// (with the worker in the same process unless `no_worker`) until a stop signal.
async fn serve(config: Config, no_worker: bool, demo: bool) -> anyhow::Result<ExitCode> {
    let bind = config.bind;
    let base = config.base_url.to_string();
    let app = start(config, StartOptions::migrating()).await?;
    if demo && let Some(people) = web::demo::load_if_empty(&app.state, &app.slices, 200, &mut progress).await? {
        println!("Demo data loaded. Demo logins (password: {}):", people.password);
        for (email, role) in &people.logins {
            println!("  {role}: {email}");
        }
    }
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| anyhow::anyhow!("SHN_BIND: cannot listen on {bind}: {e}"))?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let worker = (!no_worker).then(|| {
        let state = app.state.clone();
        let mut rx = stop_rx.clone();
        tokio::spawn(kernel::worker::run(state, async move {
            let _ = rx.wait_for(|s| *s).await;
        }))
    });
    println!("Social Health Network is running at {base}");
    tracing::info!(%bind, "listening");
    app.serve(listener, async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    })
    .await?;
    if let Some(w) = worker {
        let _ = w.await;
    }
    Ok(ExitCode::SUCCESS)
}

/// `shn worker`: the background worker alone, until a stop signal (or, with `once`,
/// until nothing is due).
async fn worker(config: Config, once: bool) -> anyhow::Result<ExitCode> {
    let app = start(config, StartOptions::default()).await?;
    if once {
        // What is due now includes the scheduled jobs (the analytics rollup among them).
        kernel::worker::queue_scheduled(&app.state, &mut Default::default()).await?;
        kernel::worker::drain(&app.state).await?;
    } else {
        kernel::worker::run(app.state.clone(), shutdown_signal()).await;
    }
    Ok(ExitCode::SUCCESS)
}

/// `shn migrate`.
async fn migrate(config: Config) -> anyhow::Result<ExitCode> {
    start(config, StartOptions::migrating()).await?;
    println!("Migrations applied; the schema is current.");
    Ok(ExitCode::SUCCESS)
}

/// `shn admin create`: a staff admin, with the password read from standard input. A
/// refused field is printed and exits with 2.
async fn create_admin(config: Config, email: &str, name: &str) -> anyhow::Result<ExitCode> {
    let mut password = String::new();
    std::io::stdin().read_to_string(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']);
    let app = start(config, StartOptions::migrating()).await?;
    let admins = contracts::members::admin_accounts(&app.state)?;
    match admins.create_admin(&app.state, email, name, password).await {
        Ok(id) => {
            println!("Created admin {id} <{email}>.");
            Ok(ExitCode::SUCCESS)
        }
        Err(kernel::AppError::Validation(f)) => {
            for (field, message) in f.0 {
                eprintln!("shn: {field}: {message}");
            }
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(anyhow::anyhow!("{e}")),
    }
}

/// `shn demo --scale N`: the benchmark dataset, with its targets in DATA_DIR/scale.json.
async fn demo_at_scale(config: Config, scale: f64) -> anyhow::Result<ExitCode> {
    let out = config.data_dir.join("scale.json");
    let app = start(config, StartOptions::migrating()).await?;
    let report = web::demo::load_scale(&app.state, &app.slices, scale, &mut progress).await?;
    std::fs::write(&out, serde_json::to_vec_pretty(&report)?)?;
    println!("Scale {scale} dataset built on {} in {:.1} s:", report.backend, report.seconds);
    for (stage, secs) in &report.stages {
        println!("  {stage:<22} {secs:>7.1} s");
    }
    println!("Benchmark targets written to {}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// `shn demo`: `count` demo members and every slice's demo content.
async fn demo(config: Config, count: usize) -> anyhow::Result<ExitCode> {
    let app = start(config, StartOptions::migrating()).await?;
    let people = web::demo::load(&app.state, &app.slices, count, &mut progress).await?;
    let logins: Vec<String> = people.logins.iter().map(|(email, role)| format!("{email} ({role})")).collect();
    println!("Demo data loaded. Demo logins (password: {}): {}", people.password, logins.join(", "));
    Ok(ExitCode::SUCCESS)
}

/// `shn check`: every slice's invariants (after its repairs, with `--repair`); a breach
/// exits non-zero.
async fn check(config: Config, repair: bool) -> anyhow::Result<ExitCode> {
    let app = start(config, StartOptions::default()).await?;
    if repair {
        for line in web::app::repair(&app).await? {
            println!("repaired: {line}");
        }
    }
    let problems = web::app::check(&app).await?;
    if problems.is_empty() {
        println!("All checks passed.");
        Ok(ExitCode::SUCCESS)
    } else {
        for p in &problems {
            eprintln!("breach: {p}");
        }
        eprintln!("{} problem(s) found.", problems.len());
        Ok(ExitCode::FAILURE)
    }
}

/// An operator's refusal (a field or a conflict) is one line on stderr and exit code 2.
fn refused(e: kernel::AppError) -> anyhow::Result<ExitCode> {
    match e {
        kernel::AppError::Internal(e) => Err(e),
        kernel::AppError::Validation(f) => {
            for (field, message) in f.0 {
                eprintln!("shn: {field}: {message}");
            }
            Ok(ExitCode::from(2))
        }
        other => {
            eprintln!("shn: {other}");
            Ok(ExitCode::from(2))
        }
    }
}

/// `shn newsletter send`: starts (or resumes) the send, then works until it is done.
async fn newsletter_send(config: Config, issue: uuid::Uuid, no_wait: bool) -> anyhow::Result<ExitCode> {
    let app = start(config, StartOptions::migrating()).await?;
    let desk = contracts::newsletter::desk(&app.state)?;
    match desk.send(&app.state, issue).await {
        Ok(()) => println!("Sending issue {issue}."),
        Err(kernel::AppError::Conflict { .. }) => println!("Issue {issue} was already started; resuming."),
        Err(e) => return refused(e),
    }
    if no_wait {
        return Ok(ExitCode::SUCCESS);
    }
    let worker = format!("shn-newsletter:{}", std::process::id());
    loop {
        // Only the send's own jobs: other queued work (notifications, digests) is the
        // workers', not this command's.
        let found = kernel::jobs::run_due_of(&app.state, &worker, 10, desk.job_kinds()).await?;
        let f = desk.figures(&app.state, issue).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let total = f["recipients"].as_i64().unwrap_or_default();
        let done = total - f["pending"].as_i64().unwrap_or_default();
        eprint!(
            "\rsent {}/{total} · {} per second · failed {} · bounced {}   ",
            f["sent"], f["rate_per_second"], f["failed"], f["bounced"]
        );
        if f["state"] == "done" {
            eprintln!();
            println!("{}", serde_json::to_string_pretty(&f)?);
            return Ok(ExitCode::SUCCESS);
        }
        if found == 0 && done < total {
            // A step of another worker holds the send (its lease runs out if it died).
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        } else if found == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
}

/// `shn newsletter preview`: a member's edition as they would receive it.
async fn newsletter_preview(
    config: Config,
    member: &str,
    issue: Option<uuid::Uuid>,
    html: bool,
) -> anyhow::Result<ExitCode> {
    let app = start(config, StartOptions::default()).await?;
    match contracts::newsletter::desk(&app.state)?.preview(&app.state, member, issue).await {
        Ok((text, page)) => {
            println!("{}", if html { page } else { text });
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => refused(e),
    }
}

/// Prints progress of long work on one line.
fn progress(what: &str, done: usize, total: usize) {
    use std::io::Write;
    let mut out = std::io::stderr();
    let _ = write!(out, "\r{what}: {done}/{total}");
    if done == total {
        let _ = writeln!(out);
    }
    let _ = out.flush();
}
