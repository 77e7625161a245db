//! The `shn` command line: help, configuration errors, admin creation, demo data and
//! the invariant check, run as a real process on a temporary SQLite file.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn data_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("shn-cli-{}-{}", std::process::id(), uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn shn(dir: &PathBuf, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shn"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SHN_DATA_DIR", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn help_documents_every_setting_and_command() {
    let dir = data_dir();
    let out = shn(&dir, &["--help"], None);
    assert!(out.status.success());
    let help = text(&out);
    for var in [
        "SHN_DATABASE_URL",
        "SHN_DATA_DIR",
        "SHN_BIND",
        "SHN_BASE_URL",
        "SHN_SMTP_URL",
        "SHN_SECRET_KEY",
        "SHN_LOG_FORMAT",
    ] {
        assert!(help.contains(var), "{var} missing from --help");
    }
    for cmd in ["serve", "worker", "migrate", "admin", "demo", "check", "newsletter"] {
        assert!(help.contains(cmd), "{cmd} missing from --help");
        assert!(shn(&dir, &[cmd, "--help"], None).status.success(), "{cmd} --help");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// `shn check` with one setting given in the environment (the rest as the process has it).
fn check_with(dir: &PathBuf, variable: &str, value: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shn"))
        .args(["check"])
        .env("SHN_DATA_DIR", dir)
        .env(variable, value)
        .output()
        .unwrap()
}

#[test]
fn a_bad_setting_stops_start_up_with_one_line_naming_it() {
    let dir = data_dir();
    let out = check_with(&dir, "SHN_BIND", "not-an-address");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("SHN_BIND"), "{err}");
    let out = check_with(&dir, "SHN_DATABASE_URL", "mysql://root@localhost/x");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SHN_DATABASE_URL"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn admin_create_demo_and_check_work_on_a_fresh_data_folder() {
    let dir = data_dir();
    let out = shn(&dir, &["migrate"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(dir.join("shn.db").exists(), "the SQLite file lives in the data folder");
    assert!(dir.join("secret.key").exists(), "a secret key is generated and kept");
    let out = shn(
        &dir,
        &["admin", "create", "--email", "boss@example.org", "--name", "Boss", "--password-stdin"],
        Some("password\n"),
    );
    assert_eq!(out.status.code(), Some(2), "a common password is refused: {}", text(&out));
    assert!(text(&out).contains("password"));
    let out = shn(
        &dir,
        &["admin", "create", "--email", "boss@example.org", "--name", "Boss", "--password-stdin"],
        Some("a sturdy admin passphrase\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = shn(&dir, &["demo", "--members", "30"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("members: 1/"), "progress is shown, area by area: {}", text(&out));
    assert!(text(&out).contains("admin@demo.example.org (admin)"), "the demo logins are printed: {}", text(&out));
    let out = shn(&dir, &["check"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("All checks passed."));
    // The demo stores its posts' HTML as it writes them: nothing for the repair to do.
    let out = shn(&dir, &["check", "--repair"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains("repaired:") && text(&out).contains("All checks passed."), "{}", text(&out));
    let _ = std::fs::remove_dir_all(dir);
}
