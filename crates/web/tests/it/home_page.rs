//! The home page (issue 20, "first impression"): a member sees the discussions of their
//! groups, the events they are registered for that are still to come, their points and
//! the next reward within reach; staff see the week's figures and the way into the
//! console, which members never do.

use serde_json::json;

use crate::both_backends;
use crate::support::*;

both_backends![
    a_member_sees_their_groups_events_points_and_next_reward_at_home,
    staff_see_the_weeks_figures_at_home_and_members_do_not,
];

/// The text of the home page's section headed `heading` (up to the next `<h2`).
fn section<'a>(home: &'a str, heading: &str) -> &'a str {
    let start = home.find(&format!(">{heading}</h2>")).unwrap_or_else(|| panic!("the home page has “{heading}”"));
    let rest = &home[start..];
    let end = rest[5..].find("<h2").map(|e| e + 5).unwrap_or(rest.len());
    &rest[..end]
}

async fn a_member_sees_their_groups_events_points_and_next_reward_at_home(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana Home").with_password().create().await;
    let group = app.group().named("Home Circle").with_members(&[&ana]).create().await;
    group.thread(app, &ana, "Welcome to the circle", "Say hello.").await;
    let coming = app.event().titled("Storytelling webinar").starting_in(days(3)).create().await;
    let later = app.event().titled("Policy panel").starting_in(days(10)).create().await;
    app.event().titled("Event Ana skipped").starting_in(days(2)).create().await;
    let cancelled = app.event().titled("Event Ana left").starting_in(days(4)).create().await;
    for e in [&coming, &later, &cancelled] {
        assert!(e.register(app, &ana).await < 300, "Ana registers");
    }
    let (s, _) = app.call("DELETE", &cancelled.api("/registration"), &ana, None).await;
    assert!(s < 300, "Ana cancels ({s})");
    for (name, cost) in [("Thank-you cards", 20), ("Conference ticket", 100), ("Sold out mug", 50)] {
        let (s, v) = app.call("POST", "/api/v1/admin/rewards", &staff, Some(json!({"name": name, "cost": cost}))).await;
        assert_eq!(s, 201, "{v}");
    }
    app.exec("UPDATE rewards SET stock = 0 WHERE name = 'Sold out mug'", vec![]).await;
    app.credit_points(&staff, ana.id, 45, "panel speaker").await;

    let home = app.get_text("/", &ana.browser(app).await).await;
    assert!(section(&home, "Your feed").contains("Welcome to the circle"), "the feed from her group");
    let events = section(&home, "Your upcoming events");
    let (first, second) = (events.find("Storytelling webinar"), events.find("Policy panel"));
    assert!(first.is_some() && second.is_some() && first < second, "her events, soonest first: {events}");
    assert!(
        !events.contains("Event Ana skipped") && !events.contains("Event Ana left"),
        "only events she holds a seat at"
    );
    let points = section(&home, "Your points");
    assert!(points.contains("<strong>45</strong>"), "her balance: {points}");
    assert!(points.contains("pay for 1 reward."), "what she can already afford");
    assert!(points.contains("Conference ticket</a>, 55 more points"), "the next reward in reach, not the sold-out one");
}

async fn staff_see_the_weeks_figures_at_home_and_members_do_not(app: &TestApp) {
    let staff = app.staff_member().with_password().create().await;
    let member = app.member().with_password().create().await;
    let home = app.get_text("/", &staff.browser(app).await).await;
    assert!(home.contains("href=\"/admin\"") && home.contains(">This week</h2>"), "the console's week at home");
    let home = app.get_text("/", &member.browser(app).await).await;
    assert!(!home.contains(">This week</h2>") && !home.contains("href=\"/admin\""));
}
