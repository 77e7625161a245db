//! Query discipline on the hot pages: the number of SQL statements a page runs does not
//! grow with the number of items on it (no N+1), and none of those statements reads a
//! whole large table (every hot query has an index), checked with the database's own
//! query plans on both backends. The same holds for the writes members make most
//! (posting, editing, deleting): each touches a few rows of tables that grow without end.
//!
//! Each page is captured twice: on the ordinary demo data (a few items per list), and
//! again after the scale generator has filled the database (full pages).

use kernel::db::{Backend as DbBackend, CapturedRequest};
use sea_orm::{ConnectionTrait, Statement, TransactionTrait};

use crate::both_backends;
use crate::support::*;

both_backends![
    hot_pages_run_as_many_statements_for_a_full_page_as_for_a_nearly_empty_one,
    no_statement_on_a_hot_page_or_a_hot_write_reads_a_whole_large_table,
];

/// Tables small by nature (reference data, a few hundred rows at most at any scale),
/// where a full read is cheaper than an index lookup. Nothing a member writes is here.
/// Conferences are one a year.
const SMALL_TABLES: &[&str] =
    &["conditions", "groups", "conferences", "conference_tracks", "seaql_migrations", "earning_rules", "rewards"];

/// The directory searched for text one member's story holds: found without walking
/// every member in name order looking for it. Visited on the large data only: on SQLite
/// it takes more statements when the members outnumber the window walked first
/// (in the members slice's directory), which depends on how many members there are, not on how many
/// are on the page.
const RARE_TEXT_PAGE: &str = "member search, rare text";
const RARE_WORD: &str = "zebrafish";

/// Puts [`RARE_WORD`] in a member's story, for members to see.
async fn tell_of_the_rare_word(app: &TestApp, member: &str) {
    let story = format!("Keeping {RARE_WORD} taught me patience.");
    let values = vec![story.clone().into(), story.to_lowercase().into(), member.parse::<uuid::Uuid>().unwrap().into()];
    let sql = "UPDATE members SET story = $1, story_key = $2, vis_story = 'members' WHERE id = $3";
    app.exec(sql, values).await;
}

struct Visit {
    page: &'static str,
    path: String,
    body_len: usize,
    statements: Vec<Statement>,
}

/// A client signed in as the demo member.
async fn demo_member(app: &TestApp) -> reqwest::Client {
    let c = app.client();
    let r = form_post(app, &c, "/login", &[("email", DEMO_MEMBER_EMAIL), ("password", DEMO_PASSWORD)]).await;
    assert_eq!(r.status(), 303, "the demo member signs in");
    c
}

/// Signs in as the demo member, visits each hot page and returns what each one ran.
async fn visit(app: &TestApp, pages: &[(&'static str, String)]) -> Vec<Visit> {
    let c = demo_member(app).await;
    let log = app.state.db.statements();
    log.enable_capture();
    let mut out = Vec::new();
    for (page, path) in pages {
        // Measured cold: memoised lists (groups, conditions) are read again.
        app.state.db.forget_all();
        log.take_requests();
        let r = c.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{page} ({path})");
        let body_len = r.text().await.unwrap().len();
        let captured: Vec<CapturedRequest> = log.take_requests();
        let mine = captured.into_iter().find(|q| &q.path == path).expect("the request was captured");
        out.push(Visit { page, path: path.clone(), body_len, statements: mine.statements });
    }
    out
}

async fn id_of(app: &TestApp, sql: &str) -> String {
    let id: uuid::Uuid = app.state.db.scalar(sql, vec![]).await.unwrap().expect(sql);
    id.to_string()
}

/// Every index in the database, by name.
async fn index_names(app: &TestApp) -> Vec<String> {
    let sql = match app.state.db.backend() {
        DbBackend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name",
        _ => "SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname",
    };
    let db = app.state.db.writer();
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
    rows.iter().map(|r| r.try_get::<String>("", "name").unwrap()).collect()
}

/// The hot pages on the ordinary demo data, then on the scale data added to it; and the
/// scale data's busiest open group.
async fn small_then_large(app: &TestApp) -> (Vec<Visit>, Vec<Visit>, uuid::Uuid) {
    app.load_demo(4).await;
    let member = id_of(app, "SELECT id FROM members WHERE email = 'member@demo.example.org'").await;
    // The demo member joins a small open group, so its lists hold a few items.
    let group = id_of(app, "SELECT id FROM groups WHERE visibility = 'open' ORDER BY name LIMIT 1").await;
    let c = demo_member(app).await;
    let r = form_post(app, &c, &format!("/groups/{group}/join"), &[]).await;
    assert!(r.status().is_redirection() || r.status().is_success(), "joins the group: {}", r.status());
    let group_id: uuid::Uuid = group.parse().unwrap();
    let thread: uuid::Uuid = app
        .state
        .db
        .scalar(
            "SELECT id FROM threads WHERE group_id = $1 AND reply_count > 0 ORDER BY reply_count LIMIT 1",
            vec![group_id.into()],
        )
        .await
        .unwrap()
        .expect("a demo thread with replies");
    let condition = id_of(
        app,
        "SELECT mc.condition_id FROM member_conditions mc JOIN members m ON m.id = mc.member_id \
         WHERE m.vis_conditions <> 'private' LIMIT 1",
    )
    .await;
    let small = vec![
        ("home feed", "/".to_string()),
        ("group page", format!("/groups/{group}")),
        ("thread page", format!("/threads/{thread}")),
        ("directory by condition", format!("/members?condition={condition}")),
        ("search", "/search?q=appointment".to_string()),
        ("event list", "/events".to_string()),
        ("points history", "/rewards/history".to_string()),
        ("profile", format!("/members/{member}")),
    ];
    let before = visit(app, &small).await;

    let indexes = index_names(app).await;
    let report = app.load_scale(0.01).await;
    assert_eq!(index_names(app).await, indexes, "the scale load builds again every index it dropped for speed");
    assert_eq!(
        app.problems().await,
        Vec::<String>::new(),
        "scale data holds every invariant (members, ledger, search)"
    );
    let d = &report.targets["discussions"];
    let (group_id, thread) =
        (d["group_id"].as_str().unwrap().to_string(), d["thread_with_50_replies"].as_str().unwrap());
    let someone = id_of(app, "SELECT id FROM members WHERE email LIKE 'scale%' ORDER BY email LIMIT 1").await;
    tell_of_the_rare_word(app, &someone).await;
    let large = vec![
        ("home feed", "/".to_string()),
        ("group page", format!("/groups/{group_id}")),
        ("thread page", format!("/threads/{thread}")),
        ("directory by condition", format!("/members?condition={}", report.targets["condition_id"].as_str().unwrap())),
        ("search", "/search?q=appointment".to_string()),
        ("event list", "/events".to_string()),
        ("points history", "/rewards/history".to_string()),
        ("profile", format!("/members/{someone}")),
        (RARE_TEXT_PAGE, format!("/members?q={RARE_WORD}")),
    ];
    let after = visit(app, &large).await;
    (before, after, group_id.parse().unwrap())
}

fn describe(v: &Visit) -> String {
    v.statements.iter().map(|s| format!("  {}", s.sql)).collect::<Vec<_>>().join("\n")
}

async fn hot_pages_run_as_many_statements_for_a_full_page_as_for_a_nearly_empty_one(app: &TestApp) {
    let (small, large, _) = small_then_large(app).await;
    for v in &large {
        // Shown with `--no-capture`: what each full page costs.
        println!("{:<28} {:>3} statements {:>7} bytes", v.page, v.statements.len(), v.body_len);
    }
    for (s, l) in small.iter().zip(&large) {
        if s.page != "profile" {
            assert!(
                l.body_len > s.body_len,
                "{}: the large page should list more ({} vs {} bytes)",
                s.page,
                l.body_len,
                s.body_len
            );
        }
        assert_eq!(
            s.statements.len(),
            l.statements.len(),
            "{}: {} statements for {} but {} for {}\nsmall:\n{}\nlarge:\n{}",
            s.page,
            s.statements.len(),
            s.path,
            l.statements.len(),
            l.path,
            describe(s),
            describe(l)
        );
    }
    for l in &large {
        let most = ceiling(l.page);
        let n = l.statements.len();
        assert!(n <= most, "{} runs {n} statements, more than its {most}:\n{}", l.page, describe(l));
    }
}

/// How many statements each hot page may run, signed in as the demo member: what it
/// needs today on the backend that needs more (issue 19), so one more fails this test.
/// Lower a ceiling when a page needs fewer; raise one only with the reason in the commit.
fn ceiling(page: &str) -> usize {
    match page {
        // The session with its viewer; the thread with its group and the viewer's
        // membership; the replies with their authors and quotes; the reactions.
        "thread page" => 4,
        "home feed" => 11,
        "group page" => 7,
        "directory by condition" => 4,
        "search" => 11,
        "event list" => 9,
        "points history" => 4,
        "profile" => 6,
        RARE_TEXT_PAGE => 7,
        other => panic!("no statement ceiling for the page {other:?}"),
    }
}

/// The table each name in a statement's FROM and JOIN clauses stands for (SQLite's plans
/// name tables by their alias).
fn table_names(sql: &str) -> std::collections::HashMap<String, String> {
    const NOT_ALIAS: &[&str] =
        &["WHERE", "JOIN", "LEFT", "INNER", "ON", "ORDER", "GROUP", "LIMIT", "UNION", "CROSS", "USING", "AND", "OR"];
    let tokens: Vec<&str> =
        sql.split(|c: char| c.is_whitespace() || "(),".contains(c)).filter(|t| !t.is_empty()).collect();
    let mut names = std::collections::HashMap::new();
    for (i, t) in tokens.iter().enumerate() {
        if !(t.eq_ignore_ascii_case("FROM") || t.eq_ignore_ascii_case("JOIN")) {
            continue;
        }
        let Some(table) = tokens.get(i + 1) else { continue };
        names.insert(table.to_string(), table.to_string());
        let mut next = i + 2;
        if tokens.get(next).is_some_and(|a| a.eq_ignore_ascii_case("AS")) {
            next += 1;
        }
        if let Some(alias) = tokens.get(next).filter(|a| !NOT_ALIAS.iter().any(|k| a.eq_ignore_ascii_case(k))) {
            names.insert(alias.to_string(), table.to_string());
        }
    }
    names
}

/// The lines of the plan the database gives for `explain` + the statement, from `column`.
async fn plan<C: ConnectionTrait>(c: &C, explain: &str, s: &Statement, column: &str) -> Vec<String> {
    let values = s.values.clone().map(|v| v.0).unwrap_or_default();
    let rows = c
        .query_all_raw(Statement::from_sql_and_values(c.get_database_backend(), format!("{explain} {}", s.sql), values))
        .await
        .unwrap();
    rows.iter().map(|row| row.try_get::<String>("", column).unwrap()).collect()
}

/// The plan of a statement, a line per step, with sequential scans priced out on
/// PostgreSQL (so a plan that still has one has no index to use).
async fn plan_lines(app: &TestApp, s: &Statement) -> Vec<String> {
    let db = app.state.db.writer();
    match app.state.db.backend() {
        DbBackend::Sqlite => plan(db, "EXPLAIN QUERY PLAN", s, "detail").await,
        DbBackend::Postgres => {
            let tx = db.begin().await.unwrap();
            tx.execute_unprepared("SET LOCAL enable_seqscan = off").await.unwrap();
            let lines = plan(&tx, "EXPLAIN", s, "QUERY PLAN").await;
            tx.rollback().await.unwrap();
            lines
        }
    }
}

/// The tables a statement reads in full, by the database's own plan.
async fn full_scans(app: &TestApp, s: &Statement) -> Vec<String> {
    let mut scans = Vec::new();
    for line in plan_lines(app, s).await {
        match app.state.db.backend() {
            DbBackend::Sqlite => {
                // "SCAN t" reads the table; "SCAN t USING INDEX i" walks an index in
                // order and stops at the LIMIT. A virtual table (the search index, or
                // json_each over a parameter) is read in full when it was given no
                // constraint: nothing after the colon of "VIRTUAL TABLE INDEX n:".
                if let Some(rest) = line.strip_prefix("SCAN ")
                    && !rest.contains(" USING ")
                    && (!rest.contains("VIRTUAL TABLE") || rest.trim_end().ends_with(':'))
                    && !rest.starts_with("CONSTANT ROW")
                {
                    let name = rest.split_whitespace().next().unwrap_or("");
                    let table = table_names(&s.sql).get(name).cloned().unwrap_or_else(|| name.to_string());
                    // A scan of a subquery's few rows (no such table) is not a table scan.
                    let real: i64 = app
                        .state
                        .db
                        .scalar(
                            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
                            vec![table.clone().into()],
                        )
                        .await
                        .unwrap()
                        .unwrap_or(0);
                    if real > 0 {
                        scans.push(format!("{line} [{table}]"));
                    }
                }
            }
            DbBackend::Postgres => {
                if let Some(at) = line.find("Seq Scan on ") {
                    let table = line[at + 12..].split_whitespace().next().unwrap_or("").to_string();
                    scans.push(format!("{} [{table}]", line.trim()));
                }
            }
        }
    }
    scans
        .into_iter()
        .filter(|s| {
            let table = s.rsplit_once('[').map(|(_, t)| t.trim_end_matches(']')).unwrap_or("");
            !SMALL_TABLES.contains(&table)
        })
        .collect()
}

/// Signs in as the demo member and does what members do most at scale: starts a thread,
/// replies, edits the reply, reacts, deletes the reply and the thread, registers for an
/// event. Returns what each form post ran.
async fn write(app: &TestApp, group: uuid::Uuid) -> Vec<Visit> {
    let c = demo_member(app).await;
    let busiest: uuid::Uuid = app
        .state
        .db
        .scalar("SELECT id FROM threads WHERE group_id = $1 ORDER BY reply_count DESC LIMIT 1", vec![group.into()])
        .await
        .unwrap()
        .expect("a thread in the group");
    let log = app.state.db.statements();
    log.enable_capture();
    let mut out = Vec::new();
    let mut post = async |page: &'static str, path: String, fields: &[(&str, &str)]| {
        log.take_requests();
        let r = form_post(app, &c, &path, fields).await;
        assert!(r.status().is_redirection() || r.status() == 200, "{page} ({path}): {}", r.status());
        let mine = log.take_requests().into_iter().find(|q| q.path == path).expect("the request was captured");
        out.push(Visit { page, path, body_len: 0, statements: mine.statements });
    };
    let title = "Pacing on bad days at scale";
    post("start a thread", format!("/groups/{group}/threads"), &[("title", title), ("body", "What helps you pace?")])
        .await;
    let body = "Rest before you are tired, not after.";
    post("reply", format!("/threads/{busiest}/replies"), &[("body", body)]).await;
    let mine = |sql: &'static str, text: &'static str| async move {
        let id: uuid::Uuid = app.state.db.scalar(sql, vec![text.into()]).await.unwrap().expect(sql);
        id
    };
    let reply = mine("SELECT id FROM posts WHERE body = $1", body).await;
    let thread = mine("SELECT id FROM threads WHERE title = $1", title).await;
    let edited = [("body", "Rest before you are tired."), ("title", ""), ("content_note", "")];
    post("edit a reply", format!("/posts/reply/{reply}/edit"), &edited).await;
    let theirs: uuid::Uuid = app
        .state
        .db
        .scalar("SELECT id FROM posts WHERE thread_id = $1 AND id <> $2 LIMIT 1", vec![busiest.into(), reply.into()])
        .await
        .unwrap()
        .expect("someone else's reply");
    let theirs = theirs.to_string();
    let react = [("target_type", "reply"), ("target_id", theirs.as_str()), ("kind", "support"), ("on", "1")];
    post("react", format!("/threads/{busiest}/react"), &react).await;
    post("delete a reply", format!("/posts/reply/{reply}/delete"), &[]).await;
    post("delete a thread", format!("/posts/thread/{thread}/delete"), &[]).await;
    let event: uuid::Uuid = app
        .state
        .db
        .scalar(
            "SELECT id FROM events WHERE status = 'scheduled' AND audience IN ('public', 'members') AND questions = '[]' \
             AND conference_id IS NULL AND starts_at > $1 AND (capacity IS NULL OR capacity > 1000) \
             AND (registration_opens_at IS NULL OR registration_opens_at < $1) \
             AND (registration_closes_at IS NULL OR registration_closes_at > $1) ORDER BY starts_at LIMIT 1",
            vec![chrono::Utc::now().into()],
        )
        .await
        .unwrap()
        .expect("an event open for registration");
    post("register for an event", format!("/events/{event}/register"), &[]).await;
    // Each write took effect (a refused one would still have answered with a page).
    let mine_in = |table: &str, column: &str, id: uuid::Uuid| {
        let sql = format!(
            "SELECT COUNT(*) FROM {table} WHERE {column} = $1 AND member_id = (SELECT id FROM members WHERE email = $2)"
        );
        async move {
            let n: Option<i64> = app.state.db.scalar(&sql, vec![id.into(), DEMO_MEMBER_EMAIL.into()]).await.unwrap();
            n.unwrap_or(0)
        }
    };
    assert_eq!(mine_in("reactions", "target_id", theirs.parse().unwrap()).await, 1, "reacted");
    assert_eq!(mine_in("registrations", "event_id", event).await, 1, "registered");
    out
}

async fn no_statement_on_a_hot_page_or_a_hot_write_reads_a_whole_large_table(app: &TestApp) {
    let (_, mut large, group) = small_then_large(app).await;
    large.extend(write(app, group).await);
    let mut problems = Vec::new();
    for v in &large {
        for s in &v.statements {
            let sql = s.sql.trim_start().to_uppercase();
            if !["SELECT", "WITH", "INSERT", "UPDATE", "DELETE"].iter().any(|k| sql.starts_with(k)) {
                continue;
            }
            for scan in full_scans(app, s).await {
                problems.push(format!("{}: {scan}\n    {}", v.page, s.sql));
            }
        }
    }
    assert!(problems.is_empty(), "full scans on hot pages and writes:\n{}", problems.join("\n"));
    // The group page asks which staff prompts are open now: it seeks the few threads
    // with an opening time, never every thread of the group sorted (11 ms a request on
    // SQLite at the benchmark's scale before m0031).
    let group_page = large.iter().find(|v| v.page == "group page").unwrap();
    let prompts = group_page.statements.iter().find(|s| s.sql.contains("opens_at IS NOT NULL")).expect("open prompts");
    let lines = plan_lines(app, prompts).await;
    assert!(lines.iter().any(|l| l.contains("threads_prompts")), "{lines:#?}\n{}", prompts.sql);
    // The page may walk a window of members in name order (an index range with an
    // upper bound) before it asks the text index, never every member.
    let rare = large.iter().find(|v| v.page == RARE_TEXT_PAGE).unwrap();
    for s in rare.statements.iter().filter(|s| s.sql.contains("m.story")) {
        for line in plan_lines(app, s).await {
            let unbounded_walk = line.contains("members_directory") && !line.contains('<');
            assert!(!unbounded_walk, "{RARE_TEXT_PAGE} walks every member in name order: {line}\n{}", s.sql);
        }
    }
}

/// SQLite is built for a pool of connections on their own threads (`.cargo/config.toml`):
/// without memory statistics and without a page cache shared between connections, each
/// behind a global mutex that the connections' threads queued on under load (bench/RESULTS.md,
/// 2026-12-01, third session); and with the query planner's stability guarantee, so a
/// prepared statement is not parsed and planned again each time new values are bound to
/// it. PostgreSQL has no such build.
#[tokio::test]
async fn sqlite_is_built_without_its_global_memory_and_page_cache_mutexes_and_keeps_its_plans() {
    let app = TestApp::start(Backend::Sqlite).await;
    let db = app.state.db.writer();
    let rows =
        db.query_all_raw(Statement::from_string(db.get_database_backend(), "PRAGMA compile_options")).await.unwrap();
    let options: Vec<String> = rows.iter().map(|r| r.try_get_by_index::<String>(0).unwrap()).collect();
    assert!(options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"), "{options:?}");
    assert!(!options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"), "{options:?}");
    // Prepared statements keep their plan whatever is bound to them (not re-prepared).
    assert!(options.iter().any(|o| o == "ENABLE_QPSG"), "{options:?}");
    app.finish().await;
}
