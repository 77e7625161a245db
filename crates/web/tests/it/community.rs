//! Community: groups, join requests, threads and replies, and the rule that a private
//! group's content never reaches anyone outside it.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::*;

both_backends![
    a_private_groups_content_reaches_its_members_and_no_one_else,
    open_groups_welcome_members_and_show_visitors_a_teaser,
    scripts_in_threads_and_replies_never_run,
    notifications_arrive_once_and_only_for_people_who_may_see_them,
    reports_reach_moderators_whose_actions_hide_content_and_are_shown_to_the_author,
    search_finds_only_what_the_viewer_may_read_and_highlights_matches,
    search_ranks_title_matches_first_then_the_newest,
    direct_messages_reach_only_their_two_participants_and_respect_choices,
    my_export_includes_my_community_data_and_deletion_erases_it_keeping_tombstones,
    a_member_messages_someone_from_their_profile_page,
    the_home_feed_shows_my_groups_and_people_i_follow_but_never_unreadable_groups,
    a_content_note_keeps_a_post_closed_until_the_reader_opens_it,
];

async fn a_private_groups_content_reaches_its_members_and_no_one_else(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let private = app
        .group()
        .named("Health Leaders")
        .private()
        .screening(["Why do you advocate?"])
        .owned_by(&staff)
        .create()
        .await;
    let hidden = app.group().named("Secret circle").hidden().owned_by(&staff).create().await;
    let member = &app.member().create().await;
    let outsider = &app.member().create().await.token;
    let pending_member = app.member().create().await;
    let pending = &pending_member.token;
    let Member { id: banned_id, token: banned, .. } = &app.member().create().await;
    // Membership: a request, approved by the owner (staff created the group).
    let join = format!("/api/v1/groups/{private}/join");
    let (s, _) = app.call("POST", &join, member, Some(json!({"answers": []}))).await;
    assert_eq!(s, 422, "screening questions must be answered");
    assert_eq!(app.call("POST", &join, member, Some(json!({"answers": ["For my community"]}))).await.0, 202);
    let approve = format!("/api/v1/groups/{private}/requests/{}/approve", member.id);
    assert_eq!(app.call("POST", &approve, outsider, None).await.0, 403, "only moderators approve");
    let reqs = app.get_json(&format!("/api/v1/groups/{private}/requests"), &staff).await;
    assert_eq!(reqs["items"][0]["answers"], "[\"For my community\"]");
    assert_eq!(app.call("POST", &approve, &staff, None).await.0, 204);
    private.request_to_join(app, &pending_member).await;
    app.exec("INSERT INTO group_members (group_id, member_id, role, status, created_at) VALUES ($1, $2, 'member', 'banned', $3)", kernel::params![uuid::Uuid::parse_str(&private.id).unwrap(), *banned_id, chrono::Utc::now()]).await;
    // The member posts; others see none of it, on any surface.
    let thread = private.thread(app, member, "Zebra-secret title", "Only for us: quokka").await;
    app.reply(member, &thread, "A reply with wombat").await;
    let surfaces = [
        format!("/api/v1/threads/{thread}"),
        format!("/api/v1/groups/{private}/threads"),
        format!("/threads/{thread}"),
        format!("/groups/{private}"),
    ];
    let leaks = |text: &str| text.contains("Zebra-secret") || text.contains("quokka") || text.contains("wombat");
    // Another staff member, not in the group, gets no blanket pass either.
    let other_staff = app.staff_member().create().await.token;
    for who in [None, Some(outsider.clone()), Some(pending.clone()), Some(banned.clone()), Some(other_staff)] {
        for path in &surfaces {
            let text = app.get_text(path, &who).await;
            assert!(!leaks(&text), "{path} leaked to {:?}", who.as_ref().map(|t| &t[..10]));
        }
    }
    for path in &surfaces[..2] {
        let text = app.get_text(path, member).await;
        assert!(leaks(&text), "{path}: members see their group's content");
    }
    // Hidden groups are unnamed to outsiders.
    let list = app.get_text("/api/v1/groups", outsider).await;
    assert!(list.contains("Health Leaders") && !list.contains("Secret circle"));
    assert_eq!(app.call("GET", &format!("/api/v1/groups/{hidden}"), outsider, None).await.0, 404);
    assert_eq!(app.call("GET", &format!("/groups/{hidden}"), &Visitor, None).await.0, 404);
    assert_eq!(app.call("POST", &format!("/api/v1/groups/{hidden}/join"), outsider, None).await.0, 404);
    // Non-members cannot post.
    assert_eq!(private.try_thread(app, outsider, json!({"title": "x", "body": "y"})).await.0, 403);
    let (s, _) = app.try_reply(outsider, &thread, json!({"body": "y"})).await;
    assert_eq!(s, 404, "a thread one cannot read does not exist for them");
}

async fn open_groups_welcome_members_and_show_visitors_a_teaser(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let open = app.group().named("Migraine").described("Peer support").teaser().owned_by(&staff).create().await;
    let member = app.member().create().await.token;
    assert_eq!(app.call("POST", &format!("/api/v1/groups/{open}/join"), &member, None).await.0, 201);
    assert_eq!(open.try_thread(app, &member, json!({"title": "", "body": ""})).await.0, 422);
    assert_eq!(open.try_thread(app, &member, json!({"title": "x"})).await.0, 400);
    assert_eq!(app.count("SELECT COUNT(*) FROM threads").await, 0, "nothing stored");
    for i in 0..25 {
        assert_eq!(
            open.try_thread(app, &member, json!({"title": format!("Topic {i}"), "body": "Body text"})).await.0,
            201
        );
    }
    let teaser = app.get_json(&format!("/api/v1/groups/{open}/threads?limit=10"), &Visitor).await;
    assert_eq!(teaser["items"].as_array().unwrap().len(), 10);
    assert_eq!(teaser["items"][0]["title"], "Topic 24", "latest activity first");
    assert_eq!(teaser["items"][0]["body"], "", "visitors see titles only");
    let pages = app.pages(&format!("/api/v1/groups/{open}/threads?limit=10"), &member).await;
    let mut seen = 0;
    for page in &pages {
        seen += page["items"].as_array().unwrap().len();
        assert_eq!(page["items"][0]["body"], "Body text");
    }
    assert_eq!(seen, 25);
    // Taking part earns points (the rewards slice hears about threads and replies).
    app.award_points().await;
    let points = app.get_json("/api/v1/me/points", &member).await;
    assert_eq!(points["balance"], 30, "thread points are capped at 30 a day");
}

async fn scripts_in_threads_and_replies_never_run(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let open = app.group().named("Open").owned_by(&staff).create().await;
    let pat = app.member().named("<script>alert('n')</script>").signed_up().create().await;
    open.admit(app, &pat).await;
    let markup = "<script>alert(2)</script> [x](javascript:alert(3))";
    let thread = open.thread(app, &pat, "<img src=x onerror=alert(1)>", markup).await;
    app.reply(&pat, &thread, "<svg onload=alert(4)>").await;
    let b = pat.browser(app).await;
    for path in [format!("/threads/{thread}"), format!("/groups/{open}")] {
        let html = app.get_text(&path, &b).await.to_lowercase();
        assert!(
            !html.contains("<script>alert")
                && !html.contains("<img src=x")
                && !html.contains("<svg")
                && !html.contains("href=\"javascript:"),
            "{path}"
        );
    }
}

/// The notifications `who` has, and how many are unread.
async fn notifications_of(app: &TestApp, who: &Member) -> (Vec<Value>, Value) {
    let v = app.get_json("/api/v1/notifications", who).await;
    (v["items"].as_array().unwrap().clone(), v["unread"].clone())
}

async fn notifications_arrive_once_and_only_for_people_who_may_see_them(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let [author, replier, leaver] = <[Member; 3]>::try_from(app.members(3).await).unwrap();
    let private = app
        .group()
        .named("Circle")
        .private()
        .screening(["Why?"])
        .owned_by(&staff)
        .with_members(&[&author, &replier, &leaver])
        .create()
        .await;
    let t1 = private.thread(app, &author, "Mine", "b").await;
    let t2 = private.thread(app, &leaver, "Leaver's", "b").await;
    // The second author leaves the group before anyone replies.
    app.exec("UPDATE group_members SET status = 'left' WHERE member_id = $1", kernel::params![leaver.id]).await;
    for t in [&t1, &t2] {
        app.reply(&replier, t, "reply").await;
    }
    app.reply(&author, &t1, "my own").await;
    app.notify_from_two_workers().await;
    app.notify_from_two_workers().await;
    let (mine, unread) = notifications_of(app, &author).await;
    let replies: Vec<&Value> = mine.iter().filter(|n| n["kind"] == "reply").collect();
    assert_eq!(replies.len(), 1, "one notification for one reply, none for my own: {mine:?}");
    assert!(replies[0]["text"].as_str().unwrap().contains("replied to your discussion"));
    assert_eq!(mine.iter().filter(|n| n["kind"] == "approved").count(), 1, "{mine:?}");
    let (theirs, _) = notifications_of(app, &leaver).await;
    assert!(theirs.iter().all(|n| n["kind"] != "reply"), "someone who left hears nothing of the group: {theirs:?}");
    let (staff_n, _) = notifications_of(app, &staff).await;
    let requests = staff_n.iter().filter(|n| n["kind"] == "join_request").count();
    assert_eq!(requests, 3, "the owner hears of each request");
    assert_eq!(unread, 2);
    assert_eq!(app.call("POST", "/api/v1/notifications/read", &author, None).await.0, 204);
    assert_eq!(notifications_of(app, &author).await.1, 0);
    assert_eq!(app.call("GET", "/api/v1/notifications", &Visitor, None).await.0, 401);
}

async fn reports_reach_moderators_whose_actions_hide_content_and_are_shown_to_the_author(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let open = app.group().named("Open").owned_by(&staff).create().await;
    let private = app.group().named("Closed").private().owned_by(&staff).create().await;
    let [author, reporter] = <[Member; 2]>::try_from(app.members(2).await).unwrap();
    for m in [&author, &reporter] {
        open.admit(app, m).await;
    }
    let thread = open.thread(app, &author, "Miracle cure", "Stop your meds!").await;
    let secret = private.thread(app, &staff, "Inside", "x").await;
    assert_eq!(app.report(&reporter, "thread", &thread, "boring").await.0, 422);
    let (s, _) = app.report(&reporter, "thread", &secret, "spam").await;
    assert_eq!(s, 404, "cannot report what one cannot see");
    let first = json!({"target_type": "thread", "target_id": thread, "reason": "medical_misinformation", "note": "Dangerous advice"});
    let (s, report) = app.call("POST", "/api/v1/reports", &reporter, Some(first)).await;
    assert_eq!(s, 201);
    let report = report["id"].as_str().unwrap().to_string();
    assert_eq!(app.report(&reporter, "thread", &thread, "spam").await.0, 201, "a second report keeps the first");
    assert_eq!(app.count("SELECT COUNT(*) FROM reports").await, 1);
    let queue = app.get_json("/api/v1/moderation/reports", &staff).await;
    assert_eq!(queue["items"].as_array().unwrap().len(), 1);
    let none = app.get_json("/api/v1/moderation/reports", &reporter).await;
    assert!(none["items"].as_array().unwrap().is_empty(), "members see no queue");
    for (who, decision, status) in [
        (&reporter, json!({"action": "hide", "reason": "x"}), 403),
        (&staff, json!({"action": "ban", "reason": "x"}), 422),
        (&staff, json!({"action": "hide", "reason": "Medical misinformation"}), 204),
        (&staff, json!({"action": "remove", "reason": "again"}), 409),
    ] {
        assert_eq!(app.decide(who, &report, decision.clone()).await.0, status, "{decision}");
    }
    assert_eq!(
        app.call("GET", &format!("/api/v1/threads/{thread}"), &reporter, None).await.0,
        404,
        "hidden everywhere"
    );
    let feed = app.get_text(&format!("/api/v1/groups/{open}/threads"), &reporter).await;
    assert!(!feed.contains("Miracle cure"));
    let mine = app.get_json("/api/v1/me/moderation", &author).await;
    assert_eq!(mine["items"][0]["action"], "hide");
    assert_eq!(mine["items"][0]["reason"], "Medical misinformation");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'moderation_action'").await, 1);
}

/// The titles of the discussions a search finds for `who`, and the whole answer.
async fn found_titles(app: &TestApp, query: &str, who: &Member) -> (Vec<String>, Value) {
    let res = app.get_json(&format!("/api/v1/search?q={query}"), who).await;
    let titles = res["posts"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap().to_string()).collect();
    (titles, res)
}

async fn search_finds_only_what_the_viewer_may_read_and_highlights_matches(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let open = app.group().named("Sleep club").described("Rest and recovery").owned_by(&staff).create().await;
    let private = app.group().named("Inner circle").private().owned_by(&staff).create().await;
    let hidden = app.group().named("Quiet harbour").hidden().owned_by(&staff).create().await;
    let reader = app.member().create().await;
    open.admit(app, &reader).await;
    let question = "Has anyone tried melatonin for insomnia? <script>alert(1)</script>";
    let public = open.thread(app, &staff, "Melatonin questions", question).await;
    private.thread(app, &staff, "Melatonin secrets", "Private melatonin insomnia notes").await;
    hidden.thread(app, &staff, "Melatonin hidden", "Hidden melatonin insomnia notes").await;
    app.reply(&reader, &public, "Insomnia got better with routine").await;
    let (titles, res) = found_titles(app, "insomnia", &reader).await;
    assert!(titles.contains(&"Melatonin questions".to_string()), "{res}");
    assert!(!titles.iter().any(|t| t.contains("secrets") || t.contains("hidden")), "{res}");
    let snippets = res["posts"].to_string();
    assert!(
        snippets.contains("<mark>") && !snippets.contains("<script>"),
        "matches highlighted, everything else escaped: {snippets}"
    );
    let anon = app.get_json("/api/v1/search?q=melatonin", &Visitor).await;
    assert!(anon["posts"].as_array().unwrap().is_empty(), "visitors read no discussions (teaser only): {anon}");
    let groups = app.get_json("/api/v1/search?q=harbour", &reader).await;
    assert!(groups["groups"].as_array().unwrap().is_empty(), "a hidden group's name never shows to outsiders");
    let groups = app.get_json("/api/v1/search?q=sleep", &reader).await;
    assert_eq!(groups["groups"][0]["name"], "Sleep club");
    // Operators in the query are just words.
    assert_eq!(app.call("GET", "/api/v1/search?q=title%3Asecrets%20OR%20%22", &reader, None).await.0, 200);
    assert_eq!(app.call("GET", "/search?q=insomnia", &reader, None).await.0, 200);
    // Hidden by a moderator: gone from search too.
    let (s, report) = app.report(&reader, "thread", &public, "spam").await;
    assert_eq!(s, 201, "the thread reported: {report}");
    let (s, v) =
        app.decide(&staff, report["id"].as_str().unwrap(), json!({"action": "hide", "reason": "off topic"})).await;
    assert_eq!(s, 204, "the thread hidden: {v}");
    let after = app.get_json("/api/v1/search?q=insomnia", &reader).await;
    assert!(after["posts"].as_array().unwrap().is_empty(), "{after}");
}

async fn search_ranks_title_matches_first_then_the_newest(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let open = app.group().named("Energy").owned_by(&staff).create().await;
    for (title, body) in [
        ("Fatigue diary", "What helped this week."),
        ("Monday check-in", "A little fatigue after the infusion."),
        ("Tuesday check-in", "Fatigue again, and brain fog."),
    ] {
        open.thread(app, &staff, title, body).await;
    }
    let (titles, res) = found_titles(app, "fatigue", &staff).await;
    assert_eq!(titles, ["Fatigue diary", "Tuesday check-in", "Monday check-in"], "{res}");
}

async fn direct_messages_reach_only_their_two_participants_and_respect_choices(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let [ana, bo, cy] = <[Member; 3]>::try_from(app.members(3).await).unwrap();
    let start = |to: &Member, body: &str| {
        let body = json!({"member_id": to.id, "body": body});
        app.call("POST", "/api/v1/conversations", &ana, Some(body))
    };
    let (s, _) = start(&bo, "Hello from Ana").await;
    assert_eq!(s, 409, "by default only people who share a group may write");
    assert_eq!(app.call("PUT", "/api/v1/me/messaging", &bo, Some(json!({"allow": "sometimes"}))).await.0, 422);
    assert_eq!(app.call("PUT", "/api/v1/me/messaging", &bo, Some(json!({"allow": "everyone"}))).await.0, 204);
    assert_eq!(start(&bo, "   ").await.0, 422);
    let (s, v) = start(&bo, "Hello from Ana: kumquat").await;
    assert_eq!(s, 201);
    let id = v["id"].as_str().unwrap().to_string();
    let (_, again) = start(&bo, "Second note").await;
    assert_eq!(again["id"], id.as_str(), "one conversation per pair");
    let messages = format!("/api/v1/conversations/{id}/messages");
    let read = app.get_json(&messages, &bo).await;
    assert_eq!(read["items"].as_array().unwrap().len(), 2);
    assert!(read.to_string().contains("kumquat"));
    for outsider in [&cy, &staff] {
        assert_eq!(app.call("GET", &messages, outsider, None).await.0, 404, "nobody else reads it, staff included");
        let list = app.get_text("/api/v1/conversations", outsider).await;
        assert!(!list.contains(&id));
        assert_eq!(app.call("POST", &messages, outsider, Some(json!({"body": "hi"}))).await.0, 404);
    }
    assert_eq!(app.call("POST", &messages, &bo, Some(json!({"body": "Hi Ana"}))).await.0, 201);
    assert_eq!(app.call("POST", &format!("/api/v1/members/{}/block", ana.id), &bo, None).await.0, 204);
    assert_eq!(app.call("POST", &messages, &ana, Some(json!({"body": "Still there?"}))).await.0, 409, "blocked");
    assert_eq!(start(&ana, "me").await.0, 422);
    let search = app.get_text("/api/v1/search?q=kumquat", &cy).await;
    assert!(!search.contains("kumquat"), "messages are not searchable by others");
}

async fn my_export_includes_my_community_data_and_deletion_erases_it_keeping_tombstones(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let open = app.group().named("Open").owned_by(&staff).create().await;
    let leaving = app.member().named("Soon Gone").email("gone@example.org").signed_up().create().await;
    let staying = app.member().create().await;
    open.admit(app, &leaving).await;
    open.admit(app, &staying).await;
    let lonely = open.thread(app, &leaving, "Lonely thread", "pangolin").await;
    let replied = open.thread(app, &leaving, "Busy thread", "armadillo").await;
    app.reply(&staying, &replied, "a reply").await;
    let doc = app.get_json("/api/v1/me/export", &leaving).await;
    assert_eq!(doc["community"]["threads"].as_array().unwrap().len(), 2);
    assert_eq!(doc["community"]["groups"].as_array().unwrap().len(), 1);
    assert_eq!(app.call("DELETE", "/api/v1/me", &leaving, None).await.0, 204);
    app.drain().await;
    assert_eq!(app.call("GET", &format!("/api/v1/threads/{lonely}"), &staying, None).await.0, 404);
    let busy = app.get_json(&format!("/api/v1/threads/{replied}"), &staying).await;
    assert_eq!(busy["body"], "[deleted]", "a tombstone where others replied");
    assert_eq!(busy["replies"][0]["body"], "a reply", "others' replies stay");
    let (found, _) = found_titles(app, "armadillo", &staying).await;
    assert!(found.is_empty(), "erased text leaves the search index");
}

async fn a_member_messages_someone_from_their_profile_page(app: &TestApp) {
    let vi = app.member().named("Vi").signed_up().create().await;
    let recipient = app.member().named("Quinn Recipient").create().await;
    let to_id = recipient.id;
    let (s, v) = app.call("PUT", "/api/v1/me/messaging", &recipient, Some(json!({"allow": "everyone"}))).await;
    assert_eq!(s, 204, "messages from everyone allowed: {v}");
    let b = vi.browser(app).await;
    let profile = app.get_text(&format!("/members/{to_id}"), &b).await;
    assert!(profile.contains("action=\"/messages\""));
    let r = b
        .post(app.url("/messages"))
        .form(&[("csrf", csrf_of(&profile)), ("member_id", to_id.to_string()), ("body", "Hello **there**".into())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = app.get_text(r.headers()["location"].to_str().unwrap(), &b).await;
    assert!(page.contains("<strong>there</strong>"));
    let list = app.get_text("/messages", &b).await;
    assert!(list.contains("Quinn Recipient"));
}

async fn the_home_feed_shows_my_groups_and_people_i_follow_but_never_unreadable_groups(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let mine = app.group().named("Mine").owned_by(&staff).create().await;
    let other_open = app.group().named("Elsewhere").owned_by(&staff).create().await;
    let private = app.group().named("Private").private().owned_by(&staff).create().await;
    let [reader, friend] = <[Member; 2]>::try_from(app.members(2).await).unwrap();
    mine.admit(app, &reader).await;
    other_open.admit(app, &friend).await;
    private.admit(app, &friend).await;
    for (group, author, title) in [
        (&mine, &staff, "In my group"),
        (&other_open, &friend, "Friend in an open group"),
        (&private, &friend, "Friend in a private group"),
        (&other_open, &staff, "Stranger elsewhere"),
    ] {
        group.thread(app, author, title, "b").await;
    }
    let titles = |v: Value| {
        v["items"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    let before = titles(app.get_json("/api/v1/feed", &reader).await);
    assert_eq!(before, vec!["In my group"]);
    assert_eq!(app.call("POST", &format!("/api/v1/members/{}/follow", friend.id), &reader, None).await.0, 204);
    let after = titles(app.get_json("/api/v1/feed", &reader).await);
    assert!(
        after.contains(&"Friend in an open group".to_string()) && after.contains(&"In my group".to_string()),
        "{after:?}"
    );
    assert!(!after.contains(&"Friend in a private group".to_string()), "never from a group I cannot read: {after:?}");
    assert!(!after.contains(&"Stranger elsewhere".to_string()));
    assert_eq!(app.call("GET", "/api/v1/feed", &Visitor, None).await.0, 401);
    let home = app.get_text("/", &reader).await;
    assert!(
        home.contains("Your feed")
            && home.contains("Friend in an open group")
            && !home.contains("Friend in a private group")
    );
}

async fn a_content_note_keeps_a_post_closed_until_the_reader_opens_it(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let open = app.group().named("Open").owned_by(&staff).create().await;
    let nia = app.member().named("Nia").signed_up().create().await;
    open.admit(app, &nia).await;
    let long = "x".repeat(81);
    assert_eq!(open.try_thread(app, &nia, json!({"title": "t", "body": "b", "content_note": long})).await.0, 422);
    let noted = json!({"title": "My loss", "body": "What happened to us", "content_note": "pregnancy loss"});
    let (_, t) = open.try_thread(app, &nia, noted).await;
    assert_eq!(t["content_note"], "pregnancy loss");
    let b = nia.browser(app).await;
    let html = app.get_text(&format!("/threads/{}", t["id"].as_str().unwrap()), &b).await;
    assert!(
        html.contains("<details class=\"content-note\"><summary>Content note: pregnancy loss. Show the post</summary>"),
        "{html}"
    );
}
