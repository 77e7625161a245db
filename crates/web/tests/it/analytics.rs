//! Programme analytics (issue 20): the figures equal direct counts over generated
//! members, threads, registrations and points; counts of fewer than 5 members never
//! show as numbers; the page, its CSV files and the summary API are for staff only; a
//! bad range is a 422 with the message beside the field; each chart is an accessible SVG
//! with the numbers in a table beside it.

use chrono::{DateTime, NaiveTime, Utc};
use kernel::ids::MemberId;
use kernel::params;
use uuid::Uuid;

use crate::both_backends;
use crate::support::*;

both_backends![
    the_figures_equal_direct_counts_over_generated_data,
    rolled_up_figures_equal_the_live_ones,
    recounted_figures_follow_changes_to_the_past_at_the_next_count,
    counts_of_fewer_than_5_members_never_show_as_numbers,
    analytics_are_for_staff_only,
    a_bad_range_is_refused_with_the_message_beside_the_field,
    each_chart_is_an_accessible_svg_with_its_numbers_and_csv_beside_it,
    a_seat_given_from_the_waitlist_counts_as_a_promotion,
];

/// The range the tests ask for: the last four weeks, today included.
fn range() -> (chrono::NaiveDate, chrono::NaiveDate) {
    let today = Utc::now().date_naive();
    (today - chrono::Days::new(27), today)
}

fn in_range(at: DateTime<Utc>) -> bool {
    let (from, to) = range();
    at >= from.and_time(NaiveTime::MIN).and_utc() && at < (to + chrono::Days::new(1)).and_time(NaiveTime::MIN).and_utc()
}

fn range_query() -> String {
    let (from, to) = range();
    format!("from={from}&to={to}")
}

fn ago(days_back: i64) -> DateTime<Utc> {
    kernel::time::now() - days(days_back)
}

/// A member written straight to the database, joined `joined` days ago.
async fn member_row(app: &TestApp, joined: i64, country: &str, member_type: &str, conditions: &str) -> MemberId {
    let id = MemberId::new();
    let name = format!("Gen {id}");
    app.exec(
        "INSERT INTO members (id, email, email_verified_at, display_name, name_key, member_type, country, vis_conditions, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $3, $3)",
        params![id, format!("{id}@example.org"), ago(joined), name.clone(), name.to_lowercase(), member_type, country, conditions],
    )
    .await;
    id
}

async fn condition(app: &TestApp, name: &str) -> Uuid {
    let id = Uuid::now_v7();
    app.exec(
        "INSERT INTO conditions (id, slug, name, search_text) VALUES ($1, $2, $3, $4)",
        params![id, name.to_lowercase().replace(' ', "-"), name, name.to_lowercase()],
    )
    .await;
    id
}

async fn has_condition(app: &TestApp, member: MemberId, condition: Uuid) {
    app.exec("INSERT INTO member_conditions (member_id, condition_id) VALUES ($1, $2)", params![member, condition])
        .await;
}

/// Forty members over two months (every third out of the range), in two countries
/// (Atlantis with 7, Lemuria with 3), some seen lately, sharing or hiding conditions.
async fn generate_members(app: &TestApp) -> Vec<MemberId> {
    let shared = condition(app, "Analytic shared condition").await;
    let rare = condition(app, "Analytic rare condition").await;
    let mut ids = vec![];
    for i in 0..40i64 {
        let country = match i {
            0..7 => "Atlantis",
            7..10 => "Lemuria",
            _ => "",
        };
        let visibility = if i % 5 == 4 { "private" } else { "members" };
        let id =
            member_row(app, (i * 3) % 60, country, if i % 2 == 0 { "patient" } else { "caregiver" }, visibility).await;
        if i < 12 {
            has_condition(app, id, shared).await;
        }
        if i < 3 {
            has_condition(app, id, rare).await;
        }
        if i % 4 == 0 {
            let seen = ago(i % 40);
            app.exec(
                "INSERT INTO sessions (id, member_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)",
                params![format!("gen-{id}"), id, seen],
            )
            .await;
        }
        ids.push(id);
    }
    ids
}

/// Two groups, 15 threads over two months, each with a few replies.
async fn generate_threads(app: &TestApp, people: &[MemberId]) {
    let groups = [Uuid::now_v7(), Uuid::now_v7()];
    for (n, g) in groups.iter().enumerate() {
        app.exec(
            "INSERT INTO groups (id, slug, name, visibility, created_at) VALUES ($1, $2, $3, 'open', $4)",
            params![*g, format!("analytics-{n}"), format!("Analytics group {n}"), ago(90)],
        )
        .await;
    }
    for t in 0..15i64 {
        let (thread, started) = (Uuid::now_v7(), ago(t * 4));
        app.exec(
            "INSERT INTO threads (id, group_id, author_id, title, body, created_at, updated_at, last_activity_at) \
             VALUES ($1, $2, $3, 'A thread', 'Hello', $4, $4, $4)",
            params![thread, groups[(t % 2) as usize], people[t as usize], started],
        )
        .await;
        for r in 0..(t % 4) {
            let at = started + hours(r * 5 + 1);
            app.exec(
                "INSERT INTO posts (id, thread_id, author_id, body, created_at, updated_at) VALUES ($1, $2, $3, 'Yes', $4, $4)",
                params![Uuid::now_v7(), thread, people[(t + r + 1) as usize], at],
            )
            .await;
        }
    }
}

/// Three events (two held, one ahead), each with registrations made over two months,
/// some attended, some waitlisted, some promoted.
async fn generate_registrations(app: &TestApp, people: &[MemberId]) {
    for (e, kind) in ["webinar", "panel", "networking"].iter().enumerate() {
        let event = Uuid::now_v7();
        let starts = ago(10 - e as i64 * 8);
        app.exec(
            "INSERT INTO events (id, kind, title, starts_at, ends_at, time_zone, audience, created_at, updated_at) \
             VALUES ($1, $2, 'An event', $3, $4, 'UTC', 'members', $5, $5)",
            params![event, *kind, starts, starts + hours(1), ago(70)],
        )
        .await;
        for (i, m) in people.iter().enumerate().skip(e * 5).take(14) {
            let made = ago(((i * 7) % 50) as i64);
            let status = if i % 6 == 5 { "waitlisted" } else { "registered" };
            let attended = (status == "registered" && e < 2 && i % 3 != 0).then(|| starts + minutes(5));
            let promoted = (i % 7 == 3 && status == "registered").then(|| made + hours(2));
            app.exec(
                "INSERT INTO registrations (event_id, member_id, status, position, created_at, updated_at, attended_at, promoted_at) \
                 VALUES ($1, $2, $3, $4, $5, $5, $6, $7)",
                params![event, *m, status, i as i64, made, attended, promoted],
            )
            .await;
        }
    }
}

/// Points credited to 20 members over two months, and a redemption each for some.
async fn generate_points(app: &TestApp, people: &[MemberId]) {
    let reward = Uuid::now_v7();
    app.exec(
        "INSERT INTO rewards (id, name, cost, created_at) VALUES ($1, 'Analytics mug', 15, $2)",
        params![reward, ago(90)],
    )
    .await;
    for (i, m) in people.iter().enumerate().take(20) {
        let earned = 10 + i as i64;
        let spent = if i % 3 == 0 { 15 } else { 0 };
        app.exec(
            "INSERT INTO points_accounts (member_id, balance, updated_at) VALUES ($1, $2, $3)",
            params![*m, earned - spent, ago(0)],
        )
        .await;
        let credit = ago(((i * 5) % 45) as i64);
        entry(app, *m, earned, if i % 2 == 0 { "thread_started" } else { "adjustment" }, credit).await;
        if spent > 0 {
            let debit = entry(app, *m, -spent, "redemption", credit + hours(1)).await;
            let status = if i % 9 == 0 { "rejected" } else { "requested" };
            app.exec(
                "INSERT INTO redemptions (id, member_id, reward_id, cost, status, debit_entry_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                params![Uuid::now_v7(), *m, reward, spent, status, debit, credit + hours(1)],
            )
            .await;
        }
    }
}

async fn entry(app: &TestApp, member: MemberId, amount: i64, reason: &str, at: DateTime<Utc>) -> Uuid {
    let id = Uuid::now_v7();
    app.exec(
        "INSERT INTO ledger_entries (id, member_id, amount, reason, idempotency_key, occurred_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
        params![id, member, amount, reason, format!("gen-{id}"), at],
    )
    .await;
    id
}

async fn generate(app: &TestApp) {
    let people = generate_members(app).await;
    generate_threads(app, &people).await;
    generate_registrations(app, &people).await;
    generate_points(app, &people).await;
}

#[derive(sea_orm::FromQueryResult)]
struct At {
    at: DateTime<Utc>,
}

#[derive(sea_orm::FromQueryResult)]
struct MaybeAt {
    at: Option<DateTime<Utc>>,
}

/// A seat of an event: when the event started and ended, and when its holder came.
#[derive(sea_orm::FromQueryResult)]
struct Seat {
    starts: DateTime<Utc>,
    ends: DateTime<Utc>,
    came: Option<DateTime<Utc>>,
}

#[derive(sea_orm::FromQueryResult)]
struct Amount {
    at: DateTime<Utc>,
    amount: i64,
}

/// How many of `sql`'s `at` values fall in the range, counted here, not by the database.
async fn counted_in_range(app: &TestApp, sql: &str) -> i64 {
    app.rows::<At>(sql).await.iter().filter(|r| in_range(r.at)).count() as i64
}

async fn the_figures_equal_direct_counts_over_generated_data(app: &TestApp) {
    generate(app).await;
    let staff = app.staff_member().with_password().create().await;
    figures_equal_direct_counts(app, &staff).await;
}

/// The tables that read rollups or recounted figures, as CSV over the last year.
async fn rolled_up_tables(app: &TestApp, browser: &reqwest::Client) -> Vec<String> {
    let year = format!("from={}&to={}", Utc::now().date_naive() - chrono::Days::new(364), Utc::now().date_naive());
    let mut out = vec![];
    for report in [
        "community-threads",
        "community-replies",
        "community-groups",
        "rewards-issued-by-rule",
        "events-registrations",
        "events-registrations-by-kind",
        "events-attended-by-kind",
        "members-by-type",
        "members-by-country",
        "members-by-condition",
    ] {
        out.push(app.get_text(&format!("/admin/analytics/{report}.csv?{year}"), browser).await);
    }
    out
}

/// Once the past days are rolled up, every figure is what it was counted live, and
/// what happens today is still counted.
async fn rolled_up_figures_equal_the_live_ones(app: &TestApp) {
    generate(app).await;
    let staff = app.staff_member().with_password().create().await;
    let browser = staff.browser(app).await;
    let live = rolled_up_tables(app, &browser).await;
    assert!(!app.get_text("/admin/analytics", &browser).await.contains("recounted every hour"), "all counted live");
    app.run_job("kernel.analytics_rollup").await;
    assert!(app.count("SELECT COUNT(*) FROM analytics_daily").await > 20, "past days are stored");
    assert!(app.count("SELECT COUNT(*) FROM analytics_daily WHERE metric LIKE '%/week'").await > 0, "and weeks");
    assert!(app.count("SELECT COUNT(*) FROM analytics_current").await > 5, "figures about now are stored");
    assert_eq!(rolled_up_tables(app, &browser).await, live, "stored days give the live figures");
    let page = app.get_text("/admin/analytics", &browser).await;
    assert!(page.contains("Some of these figures are recounted every hour: they are as of "), "the page says when");
    // Today's facts are counted live beside the stored days.
    let people = app.rows::<Id>("SELECT id FROM members LIMIT 3").await;
    let thread = app.rows::<Id>("SELECT id FROM threads LIMIT 1").await[0].id;
    app.exec(
        "INSERT INTO posts (id, thread_id, author_id, body, created_at, updated_at) VALUES ($1, $2, $3, 'Today', $4, $4)",
        params![Uuid::now_v7(), thread, people[0].id, kernel::time::now()],
    )
    .await;
    entry(app, MemberId(people[1].id), 7, "thread_started", kernel::time::now()).await;
    app.run_job("kernel.analytics_rollup").await;
    figures_equal_direct_counts(app, &staff).await;
}

#[derive(sea_orm::FromQueryResult)]
struct Id {
    id: Uuid,
}

/// Figures whose past can change (a member erased, a seat given up days after it was
/// taken) are as of the last count, and equal direct counts again once the job runs.
async fn recounted_figures_follow_changes_to_the_past_at_the_next_count(app: &TestApp) {
    generate(app).await;
    let staff = app.staff_member().with_password().create().await;
    app.run_job("kernel.analytics_rollup").await;
    figures_equal_direct_counts(app, &staff).await;
    let summary = format!("/api/v1/admin/analytics/summary?{}", range_query());
    let before = app.get_json(&summary, &staff).await;
    let erased = app.rows::<Id>("SELECT id FROM members WHERE country = 'Atlantis' LIMIT 1").await[0].id;
    app.exec("UPDATE members SET status = 'deleted' WHERE id = $1", params![erased]).await;
    app.exec(
        "UPDATE registrations SET status = 'cancelled' WHERE status = 'registered' AND created_at >= $1 AND created_at < $2",
        params![ago(15), ago(8)],
    )
    .await;
    let stale = app.get_json(&summary, &staff).await;
    assert_eq!(stale["members"]["total"], before["members"]["total"], "as of the last count");
    assert_eq!(stale["events"]["registrations"], before["events"]["registrations"], "as of the last count");
    app.run_job("kernel.analytics_rollup").await;
    figures_equal_direct_counts(app, &staff).await;
    let after = app.get_json(&summary, &staff).await;
    assert_eq!(after["members"]["total"].as_i64().unwrap(), before["members"]["total"].as_i64().unwrap() - 1);
    let countries = app
        .get_text(&format!("/admin/analytics/members-by-country.csv?{}", range_query()), &staff.browser(app).await)
        .await;
    assert!(countries.contains("\"Atlantis\",\"6\""), "{countries}");
}

async fn figures_equal_direct_counts(app: &TestApp, staff: &Member) {
    let got = app.get_json(&format!("/api/v1/admin/analytics/summary?{}", range_query()), staff).await;
    let members = app.rows::<At>("SELECT created_at AS at FROM members WHERE status <> 'deleted'").await;
    let seen = app.rows::<At>("SELECT MAX(last_seen_at) AS at FROM sessions GROUP BY member_id").await;
    let seen_within = |d: i64| seen.iter().filter(|s| s.at >= Utc::now() - days(d)).count() as i64;
    let registered =
        counted_in_range(app, "SELECT created_at AS at FROM registrations WHERE status = 'registered'").await;
    let attended = app.rows::<MaybeAt>("SELECT attended_at AS at FROM registrations").await;
    let ledger = app.rows::<Amount>("SELECT created_at AS at, amount FROM ledger_entries").await;
    let redeemed =
        app.rows::<Amount>("SELECT created_at AS at, cost AS amount FROM redemptions WHERE status <> 'rejected'").await;
    let balances = app.rows::<Amount>("SELECT updated_at AS at, balance AS amount FROM points_accounts").await;
    let expected = serde_json::json!({
        "members": {
            "total": members.len(),
            "new": members.iter().filter(|m| in_range(m.at)).count(),
            "active_7d": seen_within(7),
            "active_30d": seen_within(30),
        },
        "community": {
            "threads": counted_in_range(app, "SELECT created_at AS at FROM threads").await,
            "replies": counted_in_range(app, "SELECT created_at AS at FROM posts").await,
        },
        "events": {
            "registrations": registered,
            "attended": attended.iter().filter(|a| a.at.is_some_and(in_range)).count(),
        },
        "rewards": {
            "issued": ledger.iter().filter(|l| in_range(l.at) && l.amount > 0).map(|l| l.amount).sum::<i64>(),
            "redeemed": redeemed.iter().filter(|r| in_range(r.at)).map(|r| r.amount).sum::<i64>(),
            "outstanding": balances.iter().map(|b| b.amount).sum::<i64>(),
        },
    });
    assert_eq!(got, expected, "the summary equals the direct counts");
    assert!(expected["community"]["replies"].as_i64().unwrap() > 5 && registered > 5, "the data is not trivial");
    // The weekly series add up to the range's totals.
    let replies = app
        .get_text(&format!("/admin/analytics/community-replies.csv?{}", range_query()), &staff.browser(app).await)
        .await;
    let weekly: i64 =
        replies.lines().skip(1).map(|l| l.rsplit(',').next().unwrap().trim_matches('"').parse::<i64>().unwrap()).sum();
    assert_eq!(weekly, expected["community"]["replies"].as_i64().unwrap());
    assert_eq!(replies.lines().count(), 1 + 4, "four weeks and a header");
    attendance_rate_equals_a_direct_count(app, staff).await;
}

/// The page's attendance rate: of the seats of events that started in the range before
/// today and have ended, the share whose holder came.
async fn attendance_rate_equals_a_direct_count(app: &TestApp, staff: &Member) {
    let seats = app
        .rows::<Seat>(
            "SELECT e.starts_at AS starts, e.ends_at AS ends, r.attended_at AS came \
             FROM registrations r JOIN events e ON e.id = r.event_id WHERE r.status = 'registered'",
        )
        .await;
    let today = Utc::now().date_naive().and_time(NaiveTime::MIN).and_utc();
    let held: Vec<&Seat> = seats.iter().filter(|s| in_range(s.starts) && s.starts < today && s.ends < today).collect();
    let came = held.iter().filter(|s| s.came.is_some()).count();
    assert!(held.len() > 5 && came > 0 && came < held.len(), "the data is not trivial");
    let page = app.get_text(&format!("/admin/analytics?{}", range_query()), &staff.browser(app).await).await;
    let rate = format!("before today (%)</dt><dd>{}</dd>", came * 100 / held.len());
    assert!(page.contains(&rate), "{rate} on the page");
}

async fn counts_of_fewer_than_5_members_never_show_as_numbers(app: &TestApp) {
    generate(app).await;
    let staff = app.staff_member().with_password().create().await;
    let browser = staff.browser(app).await;
    let countries = app.get_text(&format!("/admin/analytics/members-by-country.csv?{}", range_query()), &browser).await;
    assert!(countries.starts_with("\"Country\",\"Members\"\r\n"), "{countries}");
    assert!(countries.contains("\"Atlantis\",\"7\"\r\n"), "{countries}");
    assert!(countries.contains("\"Lemuria\",\"fewer than 5\"\r\n"), "{countries}");
    let conditions = app.get_text("/admin/analytics/members-by-condition.csv", &browser).await;
    // 12 have the shared condition, of whom 2 keep conditions private: 10 are counted.
    assert!(conditions.contains("\"Analytic shared condition\",\"10\""), "{conditions}");
    assert!(conditions.contains("\"Analytic rare condition\",\"fewer than 5\""), "{conditions}");
    let page = app.get_text("/admin/analytics", &browser).await;
    assert!(page.contains("<th scope=\"row\">Lemuria</th><td>fewer than 5</td>"), "the page hides the small cell");
    assert!(page.contains("<th scope=\"row\">Atlantis</th><td>7</td>"));
    for n in 1..5 {
        assert!(!countries.contains(&format!(",\"{n}\"")), "no count of {n} members in the CSV");
    }
}

async fn analytics_are_for_staff_only(app: &TestApp) {
    let member = app.member().with_password().create().await;
    let browser = member.browser(app).await;
    for path in ["/admin/analytics", "/admin/analytics/members-by-country.csv", "/admin/analytics?from=2026-01-01"] {
        assert_eq!(app.send("GET", path, &browser).await.0, 404, "{path} for a member");
        assert_eq!(app.send("GET", path, &Visitor).await.0, 404, "{path} for a visitor");
    }
    let api = "/api/v1/admin/analytics/summary?from=bad";
    assert_eq!(app.call("GET", api, &member, None).await.0, 404, "a member's bad range is still not found");
    assert_eq!(app.call("GET", api, &Visitor, None).await.0, 401);
    let staff = app.staff_member().with_password().create().await;
    assert_eq!(app.send("GET", "/admin/analytics/members-nothing.csv", &staff.browser(app).await).await.0, 404);
    assert_eq!(app.send("GET", "/admin/analytics/members-by-country", &staff.browser(app).await).await.0, 404);
    let doc = app.get_json("/api/v1/openapi.json", &Visitor).await;
    let op = &doc["paths"]["/api/v1/admin/analytics/summary"]["get"];
    for status in ["401", "404", "422"] {
        assert_eq!(
            op["responses"][status]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Error"
        );
    }
}

async fn a_bad_range_is_refused_with_the_message_beside_the_field(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let browser = staff.browser(app).await;
    let (status, page) = app.send("GET", "/admin/analytics?from=2026-11-20&to=2026-11-01", &browser).await;
    assert_eq!(status, 422);
    let field = page.split("id=\"f-to-error\"").nth(1).expect("the error sits with the To field");
    assert!(field.starts_with(">The end date must be on or after the start date."), "{field}");
    assert!(page.contains("value=\"2026-11-20\"") && page.contains("value=\"2026-11-01\""), "what was typed is kept");
    assert!(page.contains("There is a problem"), "the error summary leads the page");
    let (status, page) = app.send("GET", "/admin/analytics?from=2020-01-01&to=2026-11-01", &browser).await;
    assert_eq!(status, 422);
    assert!(page.contains("id=\"f-from-error\">A range can cover at most two years"), "{page}");
    let (status, body) = app.call("GET", "/api/v1/admin/analytics/summary?from=30/11/2026", &staff, None).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["fields"]["from"], "Enter a date like 2026-11-30.");
    let (status, _) = app.send("GET", "/admin/analytics/members-signups.csv?to=1999-01-01", &browser).await;
    assert_eq!(status, 422);
}

async fn each_chart_is_an_accessible_svg_with_its_numbers_and_csv_beside_it(app: &TestApp) {
    generate(app).await;
    let staff = app.staff_member().with_password().create().await;
    let browser = staff.browser(app).await;
    let page = app.get_text(&format!("/admin/analytics?{}", range_query()), &browser).await;
    let figures: Vec<&str> = page.split("<figure class=\"chart\"").skip(1).collect();
    assert!(figures.len() >= 12, "a chart per table: {}", figures.len());
    for figure in &figures {
        let figure = figure.split("</figure>").next().unwrap();
        let svg = figure.split("</svg>").next().unwrap();
        assert!(svg.contains("<svg role=\"img\"") && svg.contains("<title id=") && svg.contains("<desc id="), "{svg}");
        assert!(figure.contains("<table><caption>"), "the numbers sit in a table beside the chart");
        let href = figure.split("href=\"").nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&");
        let rb = app.request("GET", &href, &browser);
        let response = rb.send().await.unwrap();
        assert_eq!(response.status(), 200, "{href}");
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    }
    for section in ["Members", "Community", "Events", "Rewards"] {
        assert!(page.contains(&format!(">{section}</h2>")), "the {section} section is shown");
    }
    let console = app.get_text("/admin", &browser).await;
    assert!(console.contains("href=\"/admin/analytics\""), "the console links the analytics");
    assert!(
        console.contains("This week") && console.contains("Active in the last 7 days"),
        "the console shows the week"
    );
}

async fn a_seat_given_from_the_waitlist_counts_as_a_promotion(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let event = app.event().webinar().capacity(1).by(&staff).create().await;
    let (first, second) = (app.member().create().await, app.member().create().await);
    assert_eq!(event.register(app, &first).await, 201);
    assert_eq!(event.register(app, &second).await, 202, "the second waits");
    let (status, _) = app.call("DELETE", &event.api("/registration"), &first, None).await;
    assert!(status < 300, "the first gives up the seat: {status}");
    let page = app.get_text("/admin/analytics", &staff.browser(app).await).await;
    let promoted = page.split("<dt>Promoted from a waitlist</dt><dd>").nth(1).expect("promotions are shown");
    assert!(promoted.starts_with("1</dd>"), "{}", &promoted[..20]);
}
