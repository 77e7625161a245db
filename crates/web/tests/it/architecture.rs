//! The shape of the code, checked: slices depend on the kernel and the contracts only,
//! the shell names each slice once, and an application assembled without a slice has
//! none of its routes, jobs, consumers, navigation or demo data.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;
use web::StartOptions;

use crate::both_backends;
use crate::support::*;

/// Workspace crates that are not slices: everything else under `crates/` is one. The
/// benchmark's bare ceiling (`bench/ceiling`) is a workspace crate outside `crates/`.
const NOT_SLICES: &[&str] = &["kernel", "contracts", "migration", "web", "shn", "bench-ceiling"];

pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).expect("the workspace root").to_path_buf()
}

/// Each workspace crate and the workspace crates it depends on (normal dependencies).
fn workspace_graph() -> Vec<(String, BTreeSet<String>)> {
    let out = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(workspace_root())
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&out.stderr));
    let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
    let packages = meta["packages"].as_array().expect("packages");
    let ours: BTreeSet<String> = packages.iter().map(|p| p["name"].as_str().unwrap().to_string()).collect();
    packages
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["kind"].is_null())
                .map(|d| d["name"].as_str().unwrap().to_string())
                .filter(|name| ours.contains(name))
                .collect();
            (p["name"].as_str().unwrap().to_string(), deps)
        })
        .collect()
}

#[test]
fn a_slice_crate_depends_on_the_kernel_and_the_contracts_only() {
    let graph = workspace_graph();
    let slices: Vec<&(String, BTreeSet<String>)> =
        graph.iter().filter(|(name, _)| !NOT_SLICES.contains(&name.as_str())).collect();
    assert!(slices.len() >= 4, "the slices are found: {slices:?}");
    for (slice, deps) in slices {
        let allowed: BTreeSet<String> = ["kernel", "contracts"].iter().map(|s| s.to_string()).collect();
        let others: Vec<&String> = deps.difference(&allowed).collect();
        assert!(others.is_empty(), "the slice {slice} depends on {others:?}; slices talk through contracts and events");
    }
    let of = |name: &str| graph.iter().find(|(n, _)| n == name).map(|(_, d)| d.clone()).unwrap();
    assert!(of("kernel").is_empty(), "the kernel knows no other crate of ours: {:?}", of("kernel"));
    assert_eq!(of("contracts").into_iter().collect::<Vec<_>>(), vec!["kernel".to_string()]);
}

#[test]
fn the_shell_names_each_slice_exactly_once() {
    let names: Vec<&str> = web::app::slices().iter().map(|s| s.name).collect();
    assert_eq!(names.len(), names.iter().collect::<BTreeSet<_>>().len(), "each slice is listed once: {names:?}");
    let mut shell = String::new();
    for entry in std::fs::read_dir(workspace_root().join("crates/web/src")).unwrap() {
        shell.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    for name in names {
        // The contracts' module of the same name (`contracts::learning::…`) is not the slice.
        let mentions =
            shell.matches(&format!("{name}::")).count() - shell.matches(&format!("contracts::{name}::")).count();
        assert_eq!(mentions, 1, "the shell names the {name} slice {mentions} times; only its line in SLICES may");
    }
}

both_backends!(
    backend;
    an_application_without_events_has_nothing_of_events,
    an_application_without_community_still_runs_events_without_groups,
);

fn without(name: &str) -> StartOptions {
    let slices = web::app::slices().into_iter().filter(|s| s.name != name).collect();
    StartOptions { slices, ..StartOptions::migrating() }
}

async fn status(app: &TestApp, path: &str) -> u16 {
    app.send("GET", path, &Visitor).await.0
}

async fn an_application_without_events_has_nothing_of_events(backend: Backend) {
    let app = TestApp::start_with(backend, without("events"), &[]).await;
    for path in ["/events", "/api/v1/events", "/calendar/anything"] {
        assert_eq!(status(&app, path).await, 404, "{path} is gone with its slice");
    }
    assert_eq!(status(&app, "/groups").await, 200, "the other areas still answer");
    let doc: Value = app.get_json("/api/v1/openapi.json", &Visitor).await;
    let paths = doc["paths"].as_object().unwrap();
    assert!(!paths.keys().any(|p| p.starts_with("/api/v1/events")), "the API document lists no event route");
    assert!(paths.contains_key("/api/v1/groups"), "and still lists the others");
    assert!(app.state.jobs.get("events.reminders").is_none(), "no reminder job");
    assert!(!app.state.schedules.iter().any(|s| s.job == "events.reminders"), "nor its schedule");
    assert!(!app.state.consumers.iter().any(|c| c.name() == "events-erasure"), "no erasure consumer");
    assert!(!app.state.nav.iter().any(|n| n.href == "/events"), "no navigation entry");
    web::demo::load(&app.state, &app.slices, 3, &mut |_, _, _| {}).await.expect("the demo loads without events");
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, 0, "and brings no events");
    assert!(app.count("SELECT COUNT(*) FROM groups").await > 0);
    assert_eq!(app.problems().await, Vec::<String>::new());
    let home = app.get_text("/", &Visitor).await;
    assert!(!home.contains("href=\"/events\""), "the layout links no events page");
    app.finish().await;
}

async fn an_application_without_community_still_runs_events_without_groups(backend: Backend) {
    let app = TestApp::start_with(backend, without("community"), &[]).await;
    for path in ["/groups", "/search", "/messages", "/api/v1/groups"] {
        assert_eq!(status(&app, path).await, 404, "{path} is gone with its slice");
    }
    assert!(app.state.jobs.get("community.digests").is_none());
    web::demo::load(&app.state, &app.slices, 3, &mut |_, _, _| {}).await.expect("the demo loads without community");
    assert!(app.count("SELECT COUNT(*) FROM events").await > 0);
    let eve = app.member().create().await;
    let (s, text) = app.send("GET", "/api/v1/events", &eve).await;
    assert_eq!(s, 200, "events need no groups to list: {text:?}");
    app.finish().await;
}

/// Files whose length is data or demo text, not logic.
fn is_data(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with("_data.rs") || name == "demo.rs"
}

pub(crate) fn rust_sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Each function in `source` (rustfmt-formatted) as (first line, name, length in lines):
/// it starts at a line declaring `fn` and ends at the first line that closes a brace at
/// the declaration's indentation.
fn functions(source: &str) -> Vec<(usize, String, usize)> {
    let lines: Vec<&str> = source.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let declares = trimmed.split("fn ").next().is_some_and(|before| {
            before.split_whitespace().all(|w| ["pub", "pub(crate)", "async", "const", "unsafe"].contains(&w))
        }) && trimmed.contains("fn ")
            && !trimmed.ends_with(';');
        if !declares {
            continue;
        }
        let name: String = trimmed
            .split("fn ")
            .nth(1)
            .unwrap_or("")
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let close = format!("{}}}", " ".repeat(indent));
        if let Some(end) = lines[i..].iter().position(|l| l.starts_with(&close) && l.trim() == "}") {
            out.push((i + 1, name, end + 1));
        }
    }
    out
}

#[test]
fn no_source_file_is_longer_than_600_lines_and_no_function_longer_than_80() {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(workspace_root().join("crates")).unwrap() {
        let src = entry.unwrap().path().join("src");
        if src.is_dir() {
            rust_sources(&src, &mut files);
        }
    }
    assert!(files.len() > 50, "the sources are found");
    let mut too_long = Vec::new();
    for file in files.iter().filter(|f| !is_data(f)) {
        let source = std::fs::read_to_string(file).unwrap();
        let shown = file.strip_prefix(workspace_root()).unwrap().display().to_string();
        let n = source.lines().count();
        if n > 600 {
            too_long.push(format!("{shown}: {n} lines"));
        }
        for (line, name, length) in functions(&source) {
            if length > 80 {
                too_long.push(format!("{shown}:{line}: fn {name} is {length} lines"));
            }
        }
    }
    assert!(too_long.is_empty(), "split these:\n{}", too_long.join("\n"));
}

#[test]
fn the_function_finder_finds_functions_and_their_ends() {
    let source = "pub async fn a() {\n    x();\n}\n\nimpl B {\n    fn c(&self) -> u8 {\n        1\n    }\n}\nfn d();\n";
    let found = functions(source);
    assert_eq!(found, vec![(1, "a".to_string(), 3), (6, "c".to_string(), 3)]);
}
