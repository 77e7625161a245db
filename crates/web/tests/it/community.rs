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
    let Member { id: member_id, token: member, .. } = &app.member().create().await;
    let outsider = &app.member().create().await.token;
    let pending_member = app.member().create().await;
    let pending = &pending_member.token;
    let Member { id: banned_id, token: banned, .. } = &app.member().create().await;
    let c = app.client();
    // Membership: a request, approved by the owner (staff created the group).
    let r = c
        .post(app.url(&format!("/api/v1/groups/{private}/join")))
        .bearer_auth(member)
        .json(&json!({"answers": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "screening questions must be answered");
    let r = c
        .post(app.url(&format!("/api/v1/groups/{private}/join")))
        .bearer_auth(member)
        .json(&json!({"answers": ["For my community"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let r = c
        .post(app.url(&format!("/api/v1/groups/{private}/requests/{member_id}/approve")))
        .bearer_auth(outsider)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "only moderators approve");
    let reqs: Value = c
        .get(app.url(&format!("/api/v1/groups/{private}/requests")))
        .bearer_auth(&staff.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reqs["items"][0]["answers"], "[\"For my community\"]");
    let r = c
        .post(app.url(&format!("/api/v1/groups/{private}/requests/{member_id}/approve")))
        .bearer_auth(&staff.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    private.request_to_join(app, &pending_member).await;
    app.state
        .db
        .exec(
            "INSERT INTO group_members (group_id, member_id, role, status, created_at) VALUES ($1, $2, 'member', 'banned', $3)",
            kernel::params![uuid::Uuid::parse_str(&private.id).unwrap(), *banned_id, chrono::Utc::now()],
        )
        .await
        .unwrap();
    // The member posts; others see none of it, on any surface.
    let r = c
        .post(app.url(&format!("/api/v1/groups/{private}/threads")))
        .bearer_auth(member)
        .json(&json!({"title": "Zebra-secret title", "body": "Only for us: quokka"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let thread = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let r = c
        .post(app.url(&format!("/api/v1/threads/{thread}/replies")))
        .bearer_auth(member)
        .json(&json!({"body": "A reply with wombat"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
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
            let mut rb = c.get(app.url(path));
            if let Some(t) = &who {
                rb = rb.bearer_auth(t);
            }
            let text = rb.send().await.unwrap().text().await.unwrap();
            assert!(!leaks(&text), "{path} leaked to {:?}", who.as_ref().map(|t| &t[..10]));
        }
    }
    for path in &surfaces[..2] {
        let text = c.get(app.url(path)).bearer_auth(member).send().await.unwrap().text().await.unwrap();
        assert!(leaks(&text), "{path}: members see their group's content");
    }
    let b = app.client();
    // Hidden groups are unnamed to outsiders.
    let list = b.get(app.url("/api/v1/groups")).bearer_auth(outsider).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("Health Leaders") && !list.contains("Secret circle"));
    assert_eq!(
        b.get(app.url(&format!("/api/v1/groups/{hidden}"))).bearer_auth(outsider).send().await.unwrap().status(),
        404
    );
    assert_eq!(b.get(app.url(&format!("/groups/{hidden}"))).send().await.unwrap().status(), 404);
    let r = b.post(app.url(&format!("/api/v1/groups/{hidden}/join"))).bearer_auth(outsider).send().await.unwrap();
    assert_eq!(r.status(), 404);
    // Non-members cannot post.
    let r = b
        .post(app.url(&format!("/api/v1/groups/{private}/threads")))
        .bearer_auth(outsider)
        .json(&json!({"title": "x", "body": "y"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = b
        .post(app.url(&format!("/api/v1/threads/{thread}/replies")))
        .bearer_auth(outsider)
        .json(&json!({"body": "y"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "a thread one cannot read does not exist for them");
}

async fn open_groups_welcome_members_and_show_visitors_a_teaser(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let open = app.group().named("Migraine").described("Peer support").teaser().owned_by(&staff).create().await;
    let member = app.member().create().await.token;
    let c = app.client();
    let r = c.post(app.url(&format!("/api/v1/groups/{open}/join"))).bearer_auth(&member).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let bad = c
        .post(app.url(&format!("/api/v1/groups/{open}/threads")))
        .bearer_auth(&member)
        .json(&json!({"title": "", "body": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let bad = c
        .post(app.url(&format!("/api/v1/groups/{open}/threads")))
        .bearer_auth(&member)
        .json(&json!({"title": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(app.count("SELECT COUNT(*) FROM threads").await, 0, "nothing stored");
    for i in 0..25 {
        let r = c
            .post(app.url(&format!("/api/v1/groups/{open}/threads")))
            .bearer_auth(&member)
            .json(&json!({"title": format!("Topic {i}"), "body": "Body text"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let teaser: Value =
        c.get(app.url(&format!("/api/v1/groups/{open}/threads?limit=10"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(teaser["items"].as_array().unwrap().len(), 10);
    assert_eq!(teaser["items"][0]["title"], "Topic 24", "latest activity first");
    assert_eq!(teaser["items"][0]["body"], "", "visitors see titles only");
    let mut seen = 0;
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(cur) => app.url(&format!("/api/v1/groups/{open}/threads?limit=10&cursor={cur}")),
            None => app.url(&format!("/api/v1/groups/{open}/threads?limit=10")),
        };
        let page: Value = c.get(url).bearer_auth(&member).send().await.unwrap().json().await.unwrap();
        seen += page["items"].as_array().unwrap().len();
        assert_eq!(page["items"][0]["body"], "Body text");
        match page["next_cursor"].as_str() {
            Some(n) => cursor = Some(n.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, 25);
    // Taking part earns points (the rewards slice hears about threads and replies).
    app.award_points().await;
    let points: Value =
        c.get(app.url("/api/v1/me/points")).bearer_auth(&member).send().await.unwrap().json().await.unwrap();
    assert_eq!(points["balance"], 30, "thread points are capped at 30 a day");
}

async fn scripts_in_threads_and_replies_never_run(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let open = app.group().named("Open").owned_by(&staff).create().await;
    let pat = app.member().named("<script>alert('n')</script>").signed_up().create().await;
    open.admit(app, &pat).await;
    let token = pat.token.clone();
    let c = app.client();
    let r = c
        .post(app.url(&format!("/api/v1/groups/{open}/threads")))
        .bearer_auth(&token)
        .json(&json!({"title": "<img src=x onerror=alert(1)>", "body": "<script>alert(2)</script> [x](javascript:alert(3))"}))
        .send()
        .await
        .unwrap();
    let thread = expect_status(r, 201, "a thread with markup").await["id"].as_str().unwrap().to_string();
    app.reply(&pat, &thread, "<svg onload=alert(4)>").await;
    let b = pat.browser(app).await;
    for path in [format!("/threads/{thread}"), format!("/groups/{open}")] {
        let html = b.get(app.url(&path)).send().await.unwrap().text().await.unwrap().to_lowercase();
        assert!(
            !html.contains("<script>alert")
                && !html.contains("<img src=x")
                && !html.contains("<svg")
                && !html.contains("href=\"javascript:"),
            "{path}"
        );
    }
}

async fn notifications_arrive_once_and_only_for_people_who_may_see_them(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let (author_member, replier_member, leaver_member) =
        (app.member().create().await, app.member().create().await, app.member().create().await);
    let private = app
        .group()
        .named("Circle")
        .private()
        .screening(["Why?"])
        .owned_by(&staff)
        .with_members(&[&author_member, &replier_member, &leaver_member])
        .create()
        .await;
    let (author, replier, leaver) = (&author_member.token, &replier_member.token, &leaver_member.token);
    let leaver_id = &leaver_member.id;
    let c = app.client();
    let t1 = private.thread(app, &author_member, "Mine", "b").await;
    let t2 = private.thread(app, &leaver_member, "Leaver's", "b").await;
    // The second author leaves the group before anyone replies.
    app.state
        .db
        .exec("UPDATE group_members SET status = 'left' WHERE member_id = $1", kernel::params![*leaver_id])
        .await
        .unwrap();
    for t in [&t1, &t2] {
        let r = c
            .post(app.url(&format!("/api/v1/threads/{t}/replies")))
            .bearer_auth(replier)
            .json(&json!({"body": "reply"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    app.reply(&author_member, &t1, "my own").await;
    app.notify_from_two_workers().await;
    app.notify_from_two_workers().await;
    let mine: Value =
        c.get(app.url("/api/v1/notifications")).bearer_auth(author).send().await.unwrap().json().await.unwrap();
    let replies: Vec<&Value> = mine["items"].as_array().unwrap().iter().filter(|n| n["kind"] == "reply").collect();
    assert_eq!(replies.len(), 1, "one notification for one reply, none for my own: {mine}");
    assert!(replies[0]["text"].as_str().unwrap().contains("replied to your discussion"));
    assert_eq!(mine["items"].as_array().unwrap().iter().filter(|n| n["kind"] == "approved").count(), 1, "{mine}");
    let theirs: Value =
        c.get(app.url("/api/v1/notifications")).bearer_auth(leaver).send().await.unwrap().json().await.unwrap();
    assert!(
        theirs["items"].as_array().unwrap().iter().all(|n| n["kind"] != "reply"),
        "someone who left hears nothing of the group: {theirs}"
    );
    let staff_n: Value =
        c.get(app.url("/api/v1/notifications")).bearer_auth(&staff.token).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        staff_n["items"].as_array().unwrap().iter().filter(|n| n["kind"] == "join_request").count(),
        3,
        "the owner hears of each request"
    );
    assert_eq!(mine["unread"], 2);
    assert_eq!(c.post(app.url("/api/v1/notifications/read")).bearer_auth(author).send().await.unwrap().status(), 204);
    let after: Value =
        c.get(app.url("/api/v1/notifications")).bearer_auth(author).send().await.unwrap().json().await.unwrap();
    assert_eq!(after["unread"], 0);
    assert_eq!(c.get(app.url("/api/v1/notifications")).send().await.unwrap().status(), 401);
}

async fn reports_reach_moderators_whose_actions_hide_content_and_are_shown_to_the_author(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let open = app.group().named("Open").owned_by(&staff).create().await;
    let private = app.group().named("Closed").private().owned_by(&staff).create().await;
    let (author_member, reporter_member) = (app.member().create().await, app.member().create().await);
    for m in [&author_member, &reporter_member] {
        open.admit(app, m).await;
    }
    let (author, reporter) = (&author_member.token, &reporter_member.token);
    let c = app.client();
    let thread = open.thread(app, &author_member, "Miracle cure", "Stop your meds!").await;
    let secret = private.thread(app, &staff, "Inside", "x").await;
    let post = |body: Value| c.post(app.url("/api/v1/reports")).bearer_auth(reporter).json(&body).send();
    assert_eq!(
        post(json!({"target_type": "thread", "target_id": thread, "reason": "boring"})).await.unwrap().status(),
        422
    );
    assert_eq!(
        post(json!({"target_type": "thread", "target_id": secret, "reason": "spam"})).await.unwrap().status(),
        404,
        "cannot report what one cannot see"
    );
    let r = post(json!({"target_type": "thread", "target_id": thread, "reason": "medical_misinformation", "note": "Dangerous advice"})).await.unwrap();
    assert_eq!(r.status(), 201);
    let report = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    assert_eq!(
        post(json!({"target_type": "thread", "target_id": thread, "reason": "spam"})).await.unwrap().status(),
        201,
        "a second report keeps the first"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM reports").await, 1);
    let queue: Value = c
        .get(app.url("/api/v1/moderation/reports"))
        .bearer_auth(&staff.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(queue["items"].as_array().unwrap().len(), 1);
    let none: Value =
        c.get(app.url("/api/v1/moderation/reports")).bearer_auth(reporter).send().await.unwrap().json().await.unwrap();
    assert!(none["items"].as_array().unwrap().is_empty(), "members see no queue");
    let decide = |token: String, body: Value| {
        c.post(app.url(&format!("/api/v1/moderation/reports/{report}/decision"))).bearer_auth(token).json(&body).send()
    };
    assert_eq!(decide(reporter.clone(), json!({"action": "hide", "reason": "x"})).await.unwrap().status(), 403);
    assert_eq!(decide(staff.token.clone(), json!({"action": "ban", "reason": "x"})).await.unwrap().status(), 422);
    assert_eq!(
        decide(staff.token.clone(), json!({"action": "hide", "reason": "Medical misinformation"}))
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        decide(staff.token.clone(), json!({"action": "remove", "reason": "again"})).await.unwrap().status(),
        409
    );
    assert_eq!(
        c.get(app.url(&format!("/api/v1/threads/{thread}"))).bearer_auth(reporter).send().await.unwrap().status(),
        404,
        "hidden everywhere"
    );
    let feed = c
        .get(app.url(&format!("/api/v1/groups/{open}/threads")))
        .bearer_auth(reporter)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!feed.contains("Miracle cure"));
    let mine: Value =
        c.get(app.url("/api/v1/me/moderation")).bearer_auth(author).send().await.unwrap().json().await.unwrap();
    assert_eq!(mine["items"][0]["action"], "hide");
    assert_eq!(mine["items"][0]["reason"], "Medical misinformation");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'moderation_action'").await, 1);
}

async fn search_finds_only_what_the_viewer_may_read_and_highlights_matches(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let open = app.group().named("Sleep club").described("Rest and recovery").owned_by(&staff).create().await;
    let private = app.group().named("Inner circle").private().owned_by(&staff).create().await;
    let hidden = app.group().named("Quiet harbour").hidden().owned_by(&staff).create().await;
    let reader = app.member().create().await;
    open.admit(app, &reader).await;
    let member = reader.token.clone();
    let c = app.client();
    let public = open
        .thread(
            app,
            &staff,
            "Melatonin questions",
            "Has anyone tried melatonin for insomnia? <script>alert(1)</script>",
        )
        .await;
    private.thread(app, &staff, "Melatonin secrets", "Private melatonin insomnia notes").await;
    hidden.thread(app, &staff, "Melatonin hidden", "Hidden melatonin insomnia notes").await;
    let r = c
        .post(app.url(&format!("/api/v1/threads/{public}/replies")))
        .bearer_auth(&member)
        .json(&json!({"body": "Insomnia got better with routine"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let res: Value =
        c.get(app.url("/api/v1/search?q=insomnia")).bearer_auth(&member).send().await.unwrap().json().await.unwrap();
    let titles: Vec<&str> = res["posts"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap()).collect();
    assert!(titles.contains(&"Melatonin questions"), "{res}");
    assert!(!titles.iter().any(|t| t.contains("secrets") || t.contains("hidden")), "{res}");
    let snippets = res["posts"].to_string();
    assert!(
        snippets.contains("<mark>") && !snippets.contains("<script>"),
        "matches highlighted, everything else escaped: {snippets}"
    );
    let anon: Value = c.get(app.url("/api/v1/search?q=melatonin")).send().await.unwrap().json().await.unwrap();
    assert!(anon["posts"].as_array().unwrap().is_empty(), "visitors read no discussions (teaser only): {anon}");
    let groups: Value =
        c.get(app.url("/api/v1/search?q=harbour")).bearer_auth(&member).send().await.unwrap().json().await.unwrap();
    assert!(groups["groups"].as_array().unwrap().is_empty(), "a hidden group's name never shows to outsiders");
    let groups: Value =
        c.get(app.url("/api/v1/search?q=sleep")).bearer_auth(&member).send().await.unwrap().json().await.unwrap();
    assert_eq!(groups["groups"][0]["name"], "Sleep club");
    // Operators in the query are just words.
    let odd = c.get(app.url("/api/v1/search?q=title%3Asecrets%20OR%20%22")).bearer_auth(&member).send().await.unwrap();
    assert_eq!(odd.status(), 200);
    let html = c.get(app.url("/search?q=insomnia")).bearer_auth(&member).send().await.unwrap();
    assert_eq!(html.status(), 200);
    // Hidden by a moderator: gone from search too.
    let report = send_expecting(
        c.post(app.url("/api/v1/reports"))
            .bearer_auth(&member)
            .json(&json!({"target_type": "thread", "target_id": public, "reason": "spam"})),
        201,
        "the thread reported",
    )
    .await;
    send_expecting(
        c.post(app.url(&format!("/api/v1/moderation/reports/{}/decision", report["id"].as_str().unwrap())))
            .bearer_auth(&staff.token)
            .json(&json!({"action": "hide", "reason": "off topic"})),
        204,
        "the thread hidden",
    )
    .await;
    let after: Value =
        c.get(app.url("/api/v1/search?q=insomnia")).bearer_auth(&member).send().await.unwrap().json().await.unwrap();
    assert!(after["posts"].as_array().unwrap().is_empty(), "{after}");
}

async fn search_ranks_title_matches_first_then_the_newest(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let open = app.group().named("Energy").owned_by(&staff).create().await;
    let c = app.client();
    for (title, body) in [
        ("Fatigue diary", "What helped this week."),
        ("Monday check-in", "A little fatigue after the infusion."),
        ("Tuesday check-in", "Fatigue again, and brain fog."),
    ] {
        let r = c
            .post(app.url(&format!("/api/v1/groups/{open}/threads")))
            .bearer_auth(&staff.token)
            .json(&json!({"title": title, "body": body}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let res: Value = c
        .get(app.url("/api/v1/search?q=fatigue"))
        .bearer_auth(&staff.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let titles: Vec<&str> = res["posts"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Fatigue diary", "Tuesday check-in", "Monday check-in"], "{res}");
}

async fn direct_messages_reach_only_their_two_participants_and_respect_choices(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let (ana_member, bo_member) = (app.member().create().await, app.member().create().await);
    let (ana, bo, bo_id) = (&ana_member.token, &bo_member.token, &bo_member.id);
    let cy = &app.member().create().await.token;
    let c = app.client();
    let start = |token: &str, to: &kernel::ids::MemberId, body: &str| {
        c.post(app.url("/api/v1/conversations"))
            .bearer_auth(token.to_string())
            .json(&json!({"member_id": to, "body": body}))
            .send()
    };
    let r = start(ana, bo_id, "Hello from Ana").await.unwrap();
    assert_eq!(r.status(), 409, "by default only people who share a group may write");
    assert_eq!(
        c.put(app.url("/api/v1/me/messaging"))
            .bearer_auth(bo)
            .json(&json!({"allow": "sometimes"}))
            .send()
            .await
            .unwrap()
            .status(),
        422
    );
    assert_eq!(
        c.put(app.url("/api/v1/me/messaging"))
            .bearer_auth(bo)
            .json(&json!({"allow": "everyone"}))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(start(ana, bo_id, "   ").await.unwrap().status(), 422);
    let r = start(ana, bo_id, "Hello from Ana: kumquat").await.unwrap();
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let again: Value = start(ana, bo_id, "Second note").await.unwrap().json().await.unwrap();
    assert_eq!(again["id"], id.as_str(), "one conversation per pair");
    let read: Value = c
        .get(app.url(&format!("/api/v1/conversations/{id}/messages")))
        .bearer_auth(bo)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read["items"].as_array().unwrap().len(), 2);
    assert!(read.to_string().contains("kumquat"));
    for outsider in [cy, &staff.token] {
        let r =
            c.get(app.url(&format!("/api/v1/conversations/{id}/messages"))).bearer_auth(outsider).send().await.unwrap();
        assert_eq!(r.status(), 404, "nobody else reads it, staff included");
        let list =
            c.get(app.url("/api/v1/conversations")).bearer_auth(outsider).send().await.unwrap().text().await.unwrap();
        assert!(!list.contains(&id));
        let r = c
            .post(app.url(&format!("/api/v1/conversations/{id}/messages")))
            .bearer_auth(outsider)
            .json(&json!({"body": "hi"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
    }
    let r = c
        .post(app.url(&format!("/api/v1/conversations/{id}/messages")))
        .bearer_auth(bo)
        .json(&json!({"body": "Hi Ana"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(
        c.post(app.url(&format!("/api/v1/members/{}/block", ana_member.id)))
            .bearer_auth(bo)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let r = c
        .post(app.url(&format!("/api/v1/conversations/{id}/messages")))
        .bearer_auth(ana)
        .json(&json!({"body": "Still there?"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "blocked");
    assert_eq!(
        c.post(app.url("/api/v1/conversations"))
            .bearer_auth(ana)
            .json(&json!({"member_id": ana_member.id, "body": "me"}))
            .send()
            .await
            .unwrap()
            .status(),
        422
    );
    let search = c.get(app.url("/api/v1/search?q=kumquat")).bearer_auth(cy).send().await.unwrap().text().await.unwrap();
    assert!(!search.contains("kumquat"), "messages are not searchable by others");
}

async fn my_export_includes_my_community_data_and_deletion_erases_it_keeping_tombstones(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let open = app.group().named("Open").owned_by(&staff).create().await;
    let leaving = app.member().named("Soon Gone").email("gone@example.org").signed_up().create().await;
    let staying = app.member().create().await;
    open.admit(app, &leaving).await;
    open.admit(app, &staying).await;
    let (gone, other) = (leaving.token.clone(), staying.token.clone());
    let c = app.client();
    let lonely = open.thread(app, &leaving, "Lonely thread", "pangolin").await;
    let replied = open.thread(app, &leaving, "Busy thread", "armadillo").await;
    app.reply(&staying, &replied, "a reply").await;
    let doc: Value = c.get(app.url("/api/v1/me/export")).bearer_auth(&gone).send().await.unwrap().json().await.unwrap();
    assert_eq!(doc["community"]["threads"].as_array().unwrap().len(), 2);
    assert_eq!(doc["community"]["groups"].as_array().unwrap().len(), 1);
    assert_eq!(c.delete(app.url("/api/v1/me")).bearer_auth(&gone).send().await.unwrap().status(), 204);
    app.drain().await;
    assert_eq!(
        c.get(app.url(&format!("/api/v1/threads/{lonely}"))).bearer_auth(&other).send().await.unwrap().status(),
        404
    );
    let busy: Value = c
        .get(app.url(&format!("/api/v1/threads/{replied}")))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(busy["body"], "[deleted]", "a tombstone where others replied");
    assert_eq!(busy["replies"][0]["body"], "a reply", "others' replies stay");
    let found: Value =
        c.get(app.url("/api/v1/search?q=armadillo")).bearer_auth(&other).send().await.unwrap().json().await.unwrap();
    assert!(found["posts"].as_array().unwrap().is_empty(), "erased text leaves the search index");
}

async fn a_member_messages_someone_from_their_profile_page(app: &TestApp) {
    let vi = app.member().named("Vi").signed_up().create().await;
    let recipient = app.member().named("Quinn Recipient").create().await;
    let to_id = recipient.id;
    let everyone = app.client().put(app.url("/api/v1/me/messaging")).bearer_auth(&recipient.token);
    send_expecting(everyone.json(&json!({"allow": "everyone"})), 204, "messages from everyone allowed").await;
    let b = vi.browser(app).await;
    let profile = b.get(app.url(&format!("/members/{to_id}"))).send().await.unwrap().text().await.unwrap();
    assert!(profile.contains("action=\"/messages\""));
    let r = b
        .post(app.url("/messages"))
        .form(&[("csrf", csrf_of(&profile)), ("member_id", to_id.to_string()), ("body", "Hello **there**".into())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = b.get(app.url(r.headers()["location"].to_str().unwrap())).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<strong>there</strong>"));
    let list = b.get(app.url("/messages")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("Quinn Recipient"));
}

async fn the_home_feed_shows_my_groups_and_people_i_follow_but_never_unreadable_groups(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let mine = app.group().named("Mine").owned_by(&staff).create().await;
    let other_open = app.group().named("Elsewhere").owned_by(&staff).create().await;
    let private = app.group().named("Private").private().owned_by(&staff).create().await;
    let (reader, friend_member) = (app.member().create().await, app.member().create().await);
    mine.admit(app, &reader).await;
    other_open.admit(app, &friend_member).await;
    private.admit(app, &friend_member).await;
    let (me, friend, friend_id) = (&reader.token, &friend_member.token, &friend_member.id);
    let c = app.client();
    let post = |g: &Group, token: &str, title: &str| {
        let (url, token, title) =
            (app.url(&format!("/api/v1/groups/{g}/threads")), token.to_string(), title.to_string());
        async move {
            reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .json(&json!({"title": title, "body": "b"}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(post(&mine, &staff.token, "In my group").await, 201);
    assert_eq!(post(&other_open, friend, "Friend in an open group").await, 201);
    assert_eq!(post(&private, friend, "Friend in a private group").await, 201);
    assert_eq!(post(&other_open, &staff.token, "Stranger elsewhere").await, 201);
    let titles = |v: Value| {
        v["items"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    let before = titles(c.get(app.url("/api/v1/feed")).bearer_auth(me).send().await.unwrap().json().await.unwrap());
    assert_eq!(before, vec!["In my group"]);
    assert_eq!(
        c.post(app.url(&format!("/api/v1/members/{friend_id}/follow"))).bearer_auth(me).send().await.unwrap().status(),
        204
    );
    let after = titles(c.get(app.url("/api/v1/feed")).bearer_auth(me).send().await.unwrap().json().await.unwrap());
    assert!(
        after.contains(&"Friend in an open group".to_string()) && after.contains(&"In my group".to_string()),
        "{after:?}"
    );
    assert!(!after.contains(&"Friend in a private group".to_string()), "never from a group I cannot read: {after:?}");
    assert!(!after.contains(&"Stranger elsewhere".to_string()));
    assert_eq!(c.get(app.url("/api/v1/feed")).send().await.unwrap().status(), 401);
    let home = app.client().get(app.url("/")).bearer_auth(me).send().await.unwrap().text().await.unwrap();
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
    let token = nia.token.clone();
    let c = app.client();
    let long = "x".repeat(81);
    let r = c
        .post(app.url(&format!("/api/v1/groups/{open}/threads")))
        .bearer_auth(&token)
        .json(&json!({"title": "t", "body": "b", "content_note": long}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let t: Value = c
        .post(app.url(&format!("/api/v1/groups/{open}/threads")))
        .bearer_auth(&token)
        .json(&json!({"title": "My loss", "body": "What happened to us", "content_note": "pregnancy loss"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(t["content_note"], "pregnancy loss");
    let b = nia.browser(app).await;
    let html =
        b.get(app.url(&format!("/threads/{}", t["id"].as_str().unwrap()))).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("<details class=\"content-note\"><summary>Content note: pregnancy loss. Show the post</summary>"),
        "{html}"
    );
}
