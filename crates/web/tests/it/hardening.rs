//! Security and privacy hardening (issue 13, items 3, 4, 5, 6, 8 and parts of 12): who
//! may quote, see questions, read private groups as staff, and what exports and erasure
//! leave behind. Each test names the rule it proves.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::*;

both_backends![
    a_quote_is_only_ever_a_readable_reply_of_the_same_thread,
    staff_never_let_themselves_in_and_their_reads_of_what_members_keep_private_are_audited,
    panel_questions_reach_the_panel_moderators_and_staff_and_each_author_only_their_own,
    only_a_group_both_may_name_opens_direct_messages_never_a_hidden_one,
    a_visitors_teaser_says_no_more_by_the_api_than_on_the_page,
    a_conferences_online_link_reaches_ticket_holders_only_while_it_runs,
    the_calendar_feed_asks_each_events_audience_again_whenever_it_is_read,
    a_members_export_never_names_who_acted_on_them_nor_their_address,
    erasure_leaves_no_earlier_version_nor_title_for_a_moderator_or_search_to_find,
];

// ---------- item 3: quoting ----------

async fn a_quote_is_only_ever_a_readable_reply_of_the_same_thread(app: &TestApp) {
    let ana = app.member().named("Ana").signed_up().create().await;
    let bo = app.member().named("Bo").create().await;
    let open = app.group().holding_crisis_posts().with_members(&[&ana, &bo]).create().await;
    let private = app.group().private().with_members(&[&bo]).create().await;
    let here = open.thread(app, &bo, "Morning walks", "Who walks early?").await;
    let elsewhere = open.thread(app, &bo, "Evening swims", "Anyone?").await;
    let quotable = app.reply(&bo, &here, "I walk at six with a heron").await;
    let other_thread = app.reply(&bo, &elsewhere, "Only on Fridays, said the pelican").await;
    let secret_thread = private.thread(app, &bo, "Just us", "Between members").await;
    let secret = app.reply(&bo, &secret_thread, "The albatross knows").await;
    let (_, held) = app
        .send_as(
            &bo,
            Method::POST,
            &format!("/api/v1/threads/{here}/replies"),
            Some(json!({"body": "I want to die, raven"})),
        )
        .await;
    assert_eq!(held["published"], false, "held for a moderator: {held}");
    let held = held["id"].as_str().unwrap().to_string();
    let browser = ana.browser(app).await;
    let foreign = [
        (secret.as_str(), "albatross", "a reply in a private group the viewer is not in"),
        (other_thread.as_str(), "pelican", "a reply in another thread"),
        (held.as_str(), "raven", "a reply held for a moderator"),
        ("0190d7a0-0000-7000-8000-000000000000", "Quoting Bo", "no reply at all"),
    ];
    for (id, word, what) in foreign {
        // The page ignores it: nothing of it shows, and the form does not carry it.
        let (status, html) = app.read_as(Some(&ana), &format!("/threads/{here}?quote={id}")).await;
        assert_eq!(status, 200, "{what}");
        assert!(!html.contains(word), "{what} is never shown on the page");
        assert!(!html.contains(&format!("name=\"quote_id\" value=\"{id}\"")), "{what} is not carried by the form");
        // Posted anyway, by the form or the API: refused on the field, and still not shown.
        let r = form_post(app, &browser, &format!("/threads/{here}/replies"), &[("body", "Quoting"), ("quote_id", id)])
            .await;
        assert_eq!(r.status(), 422, "{what}");
        let html = r.text().await.unwrap();
        assert!(html.contains("You can only quote a reply in this discussion."), "{what}: a clear message");
        assert!(!html.contains(word), "{what} is not shown on the refusal either");
        let body = json!({"body": "Quoting", "quote_id": id});
        let (status, v) = app.send_as(&ana, Method::POST, &format!("/api/v1/threads/{here}/replies"), Some(body)).await;
        assert_eq!(status, 422, "{what}: {v}");
        assert!(v["error"]["fields"]["quote_id"].is_string(), "{what}: {v}");
    }
    // A reply of the same thread that the viewer reads is quoted, on the page and after.
    let (_, html) = app.read_as(Some(&ana), &format!("/threads/{here}?quote={quotable}")).await;
    assert!(html.contains(&format!("name=\"quote_id\" value=\"{quotable}\"")) && html.contains("heron"));
    let r =
        form_post(app, &browser, &format!("/threads/{here}/replies"), &[("body", "Me too"), ("quote_id", &quotable)])
            .await;
    assert_eq!(r.status(), 303);
    let (_, html) = app.read_as(Some(&bo), &format!("/threads/{here}")).await;
    assert!(html.contains("Ana") && html.contains("Bo wrote"), "the quote shows with the reply");
    assert_eq!(app.count("SELECT COUNT(*) FROM posts WHERE quote_post_id IS NOT NULL").await, 1);
}

// ---------- item 5: staff and private groups ----------

async fn staff_never_let_themselves_in_and_their_reads_of_what_members_keep_private_are_audited(app: &TestApp) {
    let owner = app.staff_member().named("Owen Owner").create().await;
    let stef = app.staff_member().named("Stef").signed_up().create().await;
    let [ana, cy] = &app.members_named(["Ana", "Cy"]).await;
    let private = app.group().private().screening(["What brings you here?"]).owned_by(&owner).with_members(&[ana, cy]);
    let private = private.create().await;
    let thread = private.thread(app, ana, "Our circle", "Only members read this: okapi").await;
    let reply = app.reply(ana, &thread, "And this: narwhal").await;
    // Staff may ask to join, but never approve themselves: not by the API, not by the page.
    private.request_to_join(app, &stef).await;
    let approve = format!("/groups/{private}/requests/{}/approve", stef.id);
    let (status, v) = app.send_as(&stef, Method::POST, &format!("/api/v1{approve}"), None).await;
    assert_eq!((status, v["error"]["code"].as_str()), (409, Some("own_request")), "{v}");
    let browser = stef.browser(app).await;
    assert_eq!(form_post(app, &browser, &approve, &[]).await.status(), 409);
    let (_, html) = app.read_as(Some(&stef), &format!("/groups/{private}")).await;
    assert!(!html.contains(&approve), "no button to approve oneself");
    let requests = format!("/api/v1/groups/{private}/requests");
    let (_, list) = app.send_as(&stef, Method::GET, &requests, None).await;
    assert_eq!(list["items"], json!([]), "one's own request is not listed to decide");
    let pending = "SELECT COUNT(*) FROM group_members WHERE status = 'pending'";
    assert_eq!(app.count(pending).await, 1, "still waiting");
    // Staff outside a private group read none of its discussions (so there is nothing to
    // audit there): not the page, not its threads, not the API.
    for path in [
        format!("/groups/{private}"),
        format!("/threads/{thread}"),
        format!("/api/v1/threads/{thread}"),
        format!("/api/v1/groups/{private}/threads"),
        format!("/api/v1/replies/{reply}/history"),
    ] {
        let (_, text) = app.read_as(Some(&stef), &path).await;
        assert!(!text.contains("okapi") && !text.contains("narwhal"), "{path}: {text}");
    }
    // Screening answers: each staff read, by the API or the page, names whose answers.
    let bo = app.member().named("Bo").create().await;
    private.request_to_join(app, &bo).await;
    let (_, list) = app.send_as(&stef, Method::GET, &requests, None).await;
    assert_eq!(list["items"][0]["answers"], "[\"to help\"]");
    let (_, html) = app.read_as(Some(&stef), &format!("/groups/{private}")).await;
    assert!(html.contains("to help"));
    let read_by_stef = vec![(Some(stef.id), Some(bo.id)); 2];
    assert_eq!(app.audited("join_answers_read").await, read_by_stef);
    // A reported post of the group: staff who are not in it read it through the report,
    // audited; the owner, a member, reads it as any member would.
    let body = json!({"target_type": "reply", "target_id": reply, "reason": "other", "note": "Please look"});
    let (status, report) = app.send_as(cy, Method::POST, "/api/v1/reports", Some(body)).await;
    assert_eq!(status, 201, "{report}");
    let detail = format!("/moderation/reports/{}", report["id"].as_str().unwrap());
    let (_, v) = app.send_as(&stef, Method::GET, &format!("/api/v1{detail}"), None).await;
    assert_eq!(v["content"], "And this: narwhal");
    let (_, html) = app.read_as(Some(&stef), &detail).await;
    assert!(html.contains("narwhal"));
    app.send_as(&owner, Method::GET, &format!("/api/v1{detail}"), None).await;
    assert_eq!(app.audited("reported_content_read").await, vec![(Some(stef.id), Some(ana.id)); 2]);
    // Someone else lets Stef in; as a member, Stef reads the group without an audit row.
    private.admit(app, &stef).await;
    let (_, text) = app.read_as(Some(&stef), &format!("/threads/{thread}")).await;
    assert!(text.contains("okapi"));
    let (_, list) = app.send_as(&owner, Method::GET, &requests, None).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "Bo still waits");
    assert_eq!(app.audited("join_answers_read").await.len(), 3, "the owner is staff too: audited");
}

// ---------- item 6: panel questions ----------

async fn panel_questions_reach_the_panel_moderators_and_staff_and_each_author_only_their_own(app: &TestApp) {
    let [ana, bo, outsider, panelist, site_moderator] =
        &app.members_named(["Ana", "Bo", "Oz Outsider", "Pia Panelist", "Mo Moderator"]).await;
    app.set_role(site_moderator.id, "moderator").await;
    let staff = app.staff_member().create().await;
    let speakers = json!([{"role": "panelist", "member_id": panelist.id}, {"role": "host", "name": "A guest"}]);
    let panel = app.event().panel().with("speakers", speakers).by(&staff).create().await;
    let questions = format!("/api/v1/events/{panel}/questions");
    for (who, question) in [(ana, "How do you pace yourself, ibis?"), (bo, "Does the fog ever lift, tapir?")] {
        let (status, v) = app.send_as(who, Method::POST, &questions, Some(json!({ "body": question }))).await;
        assert_eq!(status, 201, "{v}");
    }
    let both = ["ibis", "tapir"];
    for (who, sees) in [
        (ana, &both[..1]),
        (bo, &both[1..]),
        (outsider, &[][..]),
        (panelist, &both[..]),
        (site_moderator, &both[..]),
        (&staff, &both[..]),
    ] {
        let (status, v) = app.send_as(who, Method::GET, &questions, None).await;
        assert_eq!(status, 200, "{}: {v}", who.name);
        let text = v["items"].to_string();
        for word in both {
            assert_eq!(text.contains(word), sees.contains(&word), "{} reading {word}: {text}", who.name);
        }
        // The event page says how many were sent in, never what they say.
        let (_, html) = app.read_as(Some(who), &format!("/events/{panel}")).await;
        assert!(html.contains("2 questions sent in so far"), "{}", who.name);
        assert!(both.iter().all(|w| !html.contains(w)), "{}", who.name);
    }
    assert_eq!(app.read_as(None, &questions).await.0, 401, "visitors read none");
    // A member's export holds their own questions and nobody else's.
    let (_, export) = app.send_as(ana, Method::GET, "/api/v1/me/export", None).await;
    let text = export.to_string();
    assert!(text.contains("ibis") && !text.contains("tapir"), "{text}");
}

// ---------- item 12: the lower findings ----------

async fn only_a_group_both_may_name_opens_direct_messages_never_a_hidden_one(app: &TestApp) {
    let [ana, bo] = &app.members_named(["Ana", "Bo"]).await;
    let hidden = app.group().hidden().create().await;
    for m in [ana, bo] {
        hidden.invite(app, m).await;
    }
    // Bo takes messages from people who share a group (the default): a hidden one does not count.
    let write = |body: &str| json!({"member_id": bo.id, "body": body});
    let (status, v) =
        app.send_as(ana, Method::POST, "/api/v1/conversations", Some(write("Hello from the circle"))).await;
    assert_eq!((status, v["error"]["code"].as_str()), (409, Some("not_accepting")), "{v}");
    app.group().private().with_members(&[ana, bo]).create().await;
    let (status, v) =
        app.send_as(ana, Method::POST, "/api/v1/conversations", Some(write("Hello from the group"))).await;
    assert_eq!(status, 201, "a group anyone may know of opens the door: {v}");
}

async fn a_visitors_teaser_says_no_more_by_the_api_than_on_the_page(app: &TestApp) {
    let ana = app.member().named("Ana Author").create().await;
    let group = app.group().teaser().with_members(&[&ana]).create().await;
    let threads = format!("/api/v1/groups/{group}/threads");
    let body = json!({"title": "Sleepless weeks", "body": "The long nights, lynx", "content_note": "insomnia details"});
    let (status, v) = app.send_as(&ana, Method::POST, &threads, Some(body)).await;
    assert_eq!(status, 201, "{v}");
    let (_, html) = app.read_as(None, &format!("/groups/{group}")).await;
    let (status, json) = app.read_as(None, &threads).await;
    assert_eq!(status, 200);
    let teaser: Value = serde_json::from_str(&json).unwrap();
    assert!(html.contains("Sleepless weeks") && teaser["items"][0]["title"] == "Sleepless weeks");
    // What the page leaves out, the API leaves out too: the author, the note, the text.
    for kept_back in [ana.id.to_string(), "Ana Author".into(), "insomnia".into(), "lynx".into()] {
        assert!(!html.contains(&kept_back), "the page: {kept_back}");
        assert!(!json.contains(&kept_back), "the API: {kept_back} in {json}");
    }
    let mut fields: Vec<&str> = teaser["items"][0].as_object().unwrap().keys().map(String::as_str).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["body", "group_id", "id", "last_activity_at", "pinned", "reply_count", "title"]);
    assert_eq!(teaser["items"][0]["body"], "");
    // The documented schema tells the two apart: a teaser has these fields and no other.
    let (_, doc) = app.read_as(None, "/api/v1/openapi.json").await;
    let schemas = &serde_json::from_str::<Value>(&doc).unwrap()["components"]["schemas"];
    assert_eq!(schemas["ThreadTeaser"]["additionalProperties"], false, "{}", schemas["ThreadTeaser"]);
    assert_eq!(schemas["ListedThread"]["oneOf"].as_array().map(Vec::len), Some(2), "{}", schemas["ListedThread"]);
    // Members read it all.
    let (_, full) = app.send_as(&ana, Method::GET, &threads, None).await;
    assert_eq!(full["items"][0]["author_id"], json!(ana.id));
    assert_eq!(full["items"][0]["content_note"], "insomnia details");
}

async fn a_conferences_online_link_reaches_ticket_holders_only_while_it_runs(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let [holder, other] = &app.members_named(["Tia Ticket", "Nolan None"]).await;
    let day = |from_today: i64| (chrono::Utc::now() + days(from_today)).format("%Y-%m-%d").to_string();
    let conference = |name: &str, first: i64, last: i64| {
        json!({"name": name, "year": 2030, "starts_on": day(first), "ends_on": day(last), "time_zone": "UTC",
               "online_url": format!("https://live.example.org/{}", name.to_lowercase()), "ticket_types": [{"name": "Online", "capacity": null}]})
    };
    for (name, first, last, open) in [("Running", -1, 1, true), ("Later", 30, 31, false)] {
        let (status, c) =
            app.send_as(&staff, Method::POST, "/api/v1/conferences", Some(conference(name, first, last))).await;
        assert_eq!(status, 201, "{c}");
        let id = c["id"].as_str().unwrap().to_string();
        let ticket = json!({"ticket_type_id": c["ticket_types"][0]["id"]});
        let (status, _) =
            app.send_as(holder, Method::POST, &format!("/api/v1/conferences/{id}/tickets"), Some(ticket)).await;
        assert_eq!(status, 201);
        let link = format!("live.example.org/{}", name.to_lowercase());
        for (who, sees) in [(None, false), (Some(other), false), (Some(&staff), false), (Some(holder), open)] {
            let (_, json) = app.read_as(who, &format!("/api/v1/conferences/{id}")).await;
            let (_, html) = app.read_as(who, &format!("/conferences/{id}")).await;
            let who = who.map_or("a visitor", |m| m.name.as_str());
            assert_eq!(json.contains(&link), sees, "{who}, {name} conference, by the API: {json}");
            assert_eq!(html.contains(&link), sees, "{who}, {name} conference, on the page");
        }
    }
}

async fn the_calendar_feed_asks_each_events_audience_again_whenever_it_is_read(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let ana = app.member().named("Ana").signed_up().create().await;
    let circle = app.group().with_members(&[&ana]).create().await;
    let meetup = app.event().titled("Circle meetup").for_group(&circle).by(&staff).create().await;
    let evening = app.event().titled("Members evening").by(&staff).create().await;
    for e in [&meetup, &evening] {
        e.register(app, &ana).await;
    }
    let r = form_post(app, &ana.browser(app).await, "/events/feed", &[]).await;
    let html = r.text().await.unwrap();
    let feed = html[html.find("/calendar/").expect("the feed's address")..].split('"').next().unwrap().to_string();
    let read = || async { app.read_as(None, &feed).await };
    let (status, ics) = read().await;
    assert_eq!(status, 200);
    assert!(ics.contains("Circle meetup") && ics.contains("Members evening"), "{ics}");
    // Ana leaves the group: its event leaves her calendar, though she is still registered.
    let (status, _) = app.send_as(&ana, Method::POST, &format!("/api/v1/groups/{circle}/leave"), None).await;
    assert_eq!(status, 204);
    let (_, ics) = read().await;
    assert!(!ics.contains("Circle meetup") && ics.contains("Members evening"), "{ics}");
    // Staff narrow the other event's audience: it goes too.
    let narrowed = Some(json!({"audience": "health_leaders"}));
    let (status, v) = app.send_as(&staff, Method::PATCH, &format!("/api/v1/events/{evening}"), narrowed).await;
    assert_eq!(status, 200, "{v}");
    let (_, ics) = read().await;
    assert!(!ics.contains("Members evening"), "{ics}");
    // A suspended account's feed stops altogether.
    let suspend = Some(json!({"on": true}));
    let (status, _) =
        app.send_as(&staff, Method::POST, &format!("/api/v1/admin/members/{}/suspension", ana.id), suspend).await;
    assert!(status < 300, "suspended: {status}");
    assert_eq!(read().await.0, 404);
}

// ---------- item 4: exports ----------

async fn a_members_export_never_names_who_acted_on_them_nor_their_address(app: &TestApp) {
    let staff = app.staff_member().named("Stef Staff").create().await;
    let [ana, mo, cy] = &app.members_named(["Ana", "Mo Moderator", "Cy"]).await;
    // Staff act on Ana: let her into a group, credit points, mark her at an event.
    let group = app.group().private().screening(["Why?"]).owned_by(&staff).with_members(&[ana, mo, cy]).create().await;
    let (status, _) = app
        .send_as(&staff, Method::POST, &format!("/api/v1/groups/{group}/members/{}/make_moderator", mo.id), None)
        .await;
    assert_eq!(status, 204);
    let credit = json!({"member_id": ana.id, "amount": 25, "reason": "Thanks for helping at the stall"});
    let (status, v) = app.send_as(&staff, Method::POST, "/api/v1/admin/points/adjustments", Some(credit)).await;
    assert_eq!(status, 201, "{v}");
    let event = app.event().starting_in(minutes(5)).by(&staff).create().await;
    event.register(app, ana).await;
    let (status, v) = app
        .send_as(
            &staff,
            Method::POST,
            &format!("/api/v1/events/{event}/attendance"),
            Some(json!({"member_id": ana.id})),
        )
        .await;
    assert_eq!(status, 204, "{v}");
    // A group moderator acts on a report about her reply; staff read it.
    let thread = group.thread(app, cy, "Checking in", "How was the week?").await;
    let reply = app.reply(ana, &thread, "Rough, honestly").await;
    let report = json!({"target_type": "reply", "target_id": reply, "reason": "other"});
    let (_, report) = app.send_as(cy, Method::POST, "/api/v1/reports", Some(report)).await;
    let report = report["id"].as_str().unwrap().to_string();
    app.send_as(&staff, Method::GET, &format!("/api/v1/moderation/reports/{report}"), None).await;
    let warn = json!({"action": "warn", "reason": "Please add a content note"});
    let (status, v) =
        app.send_as(mo, Method::POST, &format!("/api/v1/moderation/reports/{report}/decision"), Some(warn)).await;
    assert_eq!(status, 204, "{v}");
    app.consume("community-notifications").await;
    // Her export tells her what was done, never by whom or from where.
    let (status, export) = app.send_as(ana, Method::GET, "/api/v1/me/export", None).await;
    assert_eq!(status, 200);
    let text = export.to_string();
    for (who, id) in [("staff", staff.id), ("the group moderator", mo.id)] {
        assert!(!text.contains(&id.to_string()), "{who} is not named: {text}");
    }
    assert!(!text.contains("Stef") && !text.contains("Mo Moderator"), "{text}");
    let log = export["security_log"].as_array().unwrap();
    let done_to_her = ["group_request_approved", "points_adjusted", "event_attendance", "moderation_action"];
    for action in done_to_her {
        let row = log.iter().find(|r| r["action"] == action).unwrap_or_else(|| panic!("{action} in {log:?}"));
        assert_eq!((&row["actor_id"], &row["ip"]), (&Value::Null, &Value::Null), "{action}: {row}");
    }
    assert!(text.contains("Thanks for helping at the stall"), "what was done stays");
    assert_eq!(export["rewards"]["ledger"][0]["source_id"], Value::Null, "{}", export["rewards"]);
}

// ---------- item 8: erasure ----------

async fn erasure_leaves_no_earlier_version_nor_title_for_a_moderator_or_search_to_find(app: &TestApp) {
    let owner = app.staff_member().create().await;
    let ana = app.member().named("Ana").signed_up().create().await;
    let bo = app.member().named("Bo").create().await;
    let group = app.group().owned_by(&owner).with_members(&[&ana, &bo]).create().await;
    // Ana writes, then edits: each edit keeps the earlier version for moderators.
    let hers = group.thread(app, &ana, "Kestrel diagnosis story", "First telling: walrus, for @Bo").await;
    app.consume("community-notifications").await;
    let (_, told) = app.send_as(&bo, Method::GET, "/api/v1/notifications", None).await;
    assert!(told.to_string().contains("Kestrel"), "Bo is told of the mention, with the title: {told}");
    let edit = json!({"title": "Marmot update", "body": "Second telling"});
    let (status, v) = app.send_as(&ana, Method::PATCH, &format!("/api/v1/threads/{hers}"), Some(edit)).await;
    assert_eq!(status, 204, "{v}");
    let his = group.thread(app, &bo, "Bo's week", "Busy").await;
    let reply = app.reply(&ana, &his, "Early reply: lemur").await;
    let edit = Some(json!({"body": "Later reply"}));
    assert_eq!(app.send_as(&ana, Method::PATCH, &format!("/api/v1/replies/{reply}"), edit).await.0, 204);
    // Bo answers her thread, so it stays as a tombstone; he reports it first.
    app.reply(&bo, &hers, "Thinking of you, heron").await;
    let report = json!({"target_type": "thread", "target_id": hers, "reason": "other"});
    let (_, report) = app.send_as(&bo, Method::POST, "/api/v1/reports", Some(report)).await;
    let histories = [format!("/api/v1/threads/{hers}/history"), format!("/api/v1/replies/{reply}/history")];
    let (_, before) = app.send_as(&owner, Method::GET, &histories[0], None).await;
    assert!(before.to_string().contains("walrus"), "moderators read earlier versions: {before}");
    // Ana deletes her account.
    let (status, _) = app.send_as(&ana, Method::DELETE, "/api/v1/me", Some(json!({"password": PASSWORD}))).await;
    assert_eq!(status, 204);
    app.drain().await;
    let hers_words = ["Kestrel", "walrus", "Marmot", "Second telling", "lemur", "Later reply"];
    let (_, report) = app
        .send_as(&owner, Method::GET, &format!("/api/v1/moderation/reports/{}", report["id"].as_str().unwrap()), None)
        .await;
    let mut seen = vec![report.to_string()];
    for path in &histories {
        let (status, v) = app.send_as(&owner, Method::GET, path, None).await;
        assert_eq!((status, &v["items"]), (200, &json!([])), "{path}: no earlier version is left");
    }
    for path in [format!("/threads/{hers}"), format!("/groups/{group}"), format!("/api/v1/groups/{group}/threads")] {
        seen.push(app.read_as(Some(&owner), &path).await.1);
    }
    seen.push(app.send_as(&bo, Method::GET, "/api/v1/notifications", None).await.1.to_string());
    for q in ["Kestrel", "walrus", "Marmot", "lemur", "heron"] {
        seen.push(app.read_as(Some(&bo), &format!("/api/v1/search?q={q}")).await.1);
    }
    for text in &seen {
        for word in hers_words {
            assert!(!text.contains(word), "{word} is gone: {text}");
        }
    }
    let (_, found) = app.read_as(Some(&bo), "/api/v1/search?q=heron").await;
    assert!(found.contains("heron"), "what others wrote stays findable: {found}");
    assert_eq!(app.count("SELECT COUNT(*) FROM revisions").await, 0);
    assert_eq!(app.problems().await, Vec::<String>::new(), "the search index stays whole");
}
