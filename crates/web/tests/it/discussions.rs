//! Community, second part: reactions, quotes, mentions, edits and their history,
//! deletes, pin/lock/move, staff prompts, moderation beyond hiding (warnings,
//! suspensions, reported messages), new-member limits, crisis phrases, notification
//! e-mail (immediate, digests, unsubscribe) and the live unread count.

use std::time::Duration;

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::*;

both_backends![
    reactions_quotes_and_mentions_reach_the_right_people_once,
    edits_keep_earlier_versions_for_moderators_and_deletes_leave_tombstones_where_answered,
    moderators_pin_lock_and_move_and_staff_prompts_open_and_close_on_time,
    warnings_and_suspensions_are_recorded_and_reported_messages_are_read_only_by_staff_with_an_audit,
    new_members_are_limited_in_posts_and_links_for_a_while,
    a_crisis_phrase_shows_resources_at_once_and_flags_the_post_to_moderators,
    notification_email_follows_each_members_choice_digests_once_a_day_and_unsubscribes_in_one_click,
    the_unread_count_updates_live_when_another_node_writes_the_notification,
    a_private_groups_posts_never_show_in_profile_activity_or_another_members_export,
];

async fn notifications(app: &TestApp, who: &Member) -> Vec<Value> {
    app.drain().await;
    let (_, v) = app.call("GET", "/api/v1/notifications", who, None).await;
    v["items"].as_array().cloned().unwrap_or_default()
}

async fn reactions_quotes_and_mentions_reach_the_right_people_once(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let open = app.group().named("Migraine").owned_by(&staff).create().await;
    let private = app.group().named("Leaders").private().screening(["Why?"]).owned_by(&staff).create().await;
    let people = app.members_named(["Ada Amos", "Bea Birch", "Cal Cole", "Oz Outsider"]).await;
    let [ada, bea, cal, outsider] = &people;
    for t in [ada, bea, cal] {
        open.admit(app, t).await;
    }
    let t = open.thread(app, ada, "Light sensitivity", "Sunglasses indoors?").await;
    let first = app.reply(ada, &t, "I use tinted lenses.").await;
    // Bea quotes Ada's reply and mentions Cal (by display name, as shown).
    let (s, quoted) = app.try_reply(bea, &t, json!({"body": "Same here, @Cal Cole too!", "quote_id": first})).await;
    assert_eq!(s, 201, "{quoted}");
    assert_eq!(quoted["quote_post_id"], first.as_str());
    // Quoting a reply from another thread is refused and stores nothing.
    let other = open.thread(app, bea, "Other", "x").await;
    let before = app.count("SELECT COUNT(*) FROM posts").await;
    let (s, v) = app.try_reply(bea, &other, json!({"body": "x", "quote_id": first})).await;
    assert_eq!((s, v["error"]["fields"]["quote_id"].is_string()), (422, true), "{v}");
    assert_eq!(app.count("SELECT COUNT(*) FROM posts").await, before);
    // Reactions: two people support Ada's thread; Bea twice (idempotent); a bad kind is refused.
    for tok in [bea, cal, bea] {
        let (s, _) = app.call("PUT", &format!("/api/v1/threads/{t}/reactions/support"), tok, None).await;
        assert_eq!(s, 204);
    }
    let (s, _) = app.call("PUT", &format!("/api/v1/threads/{t}/reactions/angry"), bea, None).await;
    assert_eq!(s, 422);
    let (s, _) = app.call("PUT", &format!("/api/v1/threads/{t}/reactions/support"), outsider, None).await;
    assert_eq!(s, 403, "only members react");
    let (_, view) = app.call("GET", &format!("/api/v1/threads/{t}"), ada, None).await;
    assert_eq!(view["reactions"]["counts"][&t]["support"], 2, "{view}");
    let ada_n = notifications(app, ada).await;
    let reactions: Vec<&Value> = ada_n.iter().filter(|n| n["kind"] == "reaction").collect();
    assert_eq!(reactions.len(), 1, "summarised: {ada_n:?}");
    assert!(reactions[0]["text"].as_str().unwrap().starts_with("2 people reacted"), "{ada_n:?}");
    assert_eq!(ada_n.iter().filter(|n| n["kind"] == "reply").count(), 1, "Bea's reply, not Ada's own: {ada_n:?}");
    let cal_n = notifications(app, cal).await;
    assert_eq!(cal_n.iter().filter(|n| n["kind"] == "mention").count(), 1, "{cal_n:?}");
    // A mention in a private group reaches no one outside it.
    private.admit(app, ada).await;
    let pt = private.thread(app, ada, "Inside", "Hello @Oz Outsider and @Bea Birch").await;
    app.drain().await;
    for tok in [outsider, bea] {
        let n = notifications(app, tok).await;
        assert!(!n.iter().any(|n| n["text"].as_str().unwrap().contains("Inside")), "{n:?}");
    }
    assert!(!pt.is_empty());
}

async fn edits_keep_earlier_versions_for_moderators_and_deletes_leave_tombstones_where_answered(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let (ada, bea) = (&app.member().create().await, &app.member().create().await);
    let open = app.group().named("Caregivers").owned_by(&staff).with_members(&[ada, bea]).create().await;
    let t = open.thread(app, ada, "Respite care", "Looking for zebrafinch advice").await;
    let r = app.reply(ada, &t, "first version with aardvark").await;
    let reply = format!("/api/v1/replies/{r}");
    let (s, _) = app.call("PATCH", &reply, bea, Some(json!({"body": "hijack"}))).await;
    assert_eq!(s, 403, "only the author edits");
    let (s, v) = app.call("PATCH", &reply, ada, Some(json!({"body": ""}))).await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(app.call("PATCH", &reply, ada, Some(json!({"body": "second version with pangolin"}))).await.0, 204);
    let edit = json!({"title": "Respite care, please", "body": "Looking for advice"});
    assert_eq!(app.call("PATCH", &format!("/api/v1/threads/{t}"), ada, Some(edit)).await.0, 204);
    let (s, _) = app.call("GET", &format!("/api/v1/replies/{r}/history"), bea, None).await;
    assert_eq!(s, 403, "members do not read earlier versions");
    let (s, h) = app.call("GET", &format!("/api/v1/replies/{r}/history"), &staff, None).await;
    assert_eq!(s, 200);
    assert_eq!(h["items"][0]["body"], "first version with aardvark");
    let (_, h) = app.call("GET", &format!("/api/v1/threads/{t}/history"), &staff, None).await;
    assert_eq!(h["items"][0]["title"], "Respite care");
    // Search sees only the current words.
    let (_, found) = app.call("GET", "/api/v1/search?q=pangolin", bea, None).await;
    assert_eq!(found["posts"].as_array().unwrap().len(), 1, "{found}");
    let (_, gone) = app.call("GET", "/api/v1/search?q=aardvark", bea, None).await;
    assert!(gone["posts"].as_array().unwrap().is_empty(), "{gone}");
    // Bea quotes the reply; Ada deletes it: a tombstone stays. Ada's unanswered reply goes entirely.
    let (s, v) = app.try_reply(bea, &t, json!({"body": "Agreed", "quote_id": r})).await;
    assert_eq!(s, 201, "Bea quotes the reply: {v}");
    let lone = app.reply(ada, &t, "nobody answers this").await;
    assert_eq!(app.call("DELETE", &format!("/api/v1/replies/{r}"), bea, None).await.0, 403);
    assert_eq!(app.call("DELETE", &format!("/api/v1/replies/{r}"), ada, None).await.0, 204);
    assert_eq!(app.call("DELETE", &format!("/api/v1/replies/{lone}"), ada, None).await.0, 204);
    let (_, view) = app.call("GET", &format!("/api/v1/threads/{t}"), bea, None).await;
    let bodies: Vec<&str> = view["replies"].as_array().unwrap().iter().map(|r| r["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, vec!["[deleted]", "Agreed"], "{view}");
    assert_eq!(app.count("SELECT COUNT(*) FROM revisions").await, 1, "the deleted reply's versions are gone");
}

/// `who` moderates a discussion (pins, locks or moves it); the answer's status and body.
async fn moderate(app: &TestApp, who: &Member, thread: &str, change: Value) -> (u16, Value) {
    app.call("POST", &format!("/api/v1/threads/{thread}/moderate"), who, Some(change)).await
}

async fn moderators_pin_lock_and_move_and_staff_prompts_open_and_close_on_time(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let a = app.group().named("Asthma").owned_by(&staff).create().await;
    let b = app.group().named("Lung health").owned_by(&staff).create().await;
    let private = app.group().named("Leaders").private().screening(["Why?"]).owned_by(&staff).create().await;
    let ada = &app.member().create().await;
    a.admit(app, ada).await;
    let old = a.thread(app, ada, "Older", "x").await;
    let newer = a.thread(app, ada, "Newer", "x").await;
    assert_eq!(moderate(app, ada, &old, json!({"pinned": true})).await.0, 403, "members do not pin");
    let (s, v) = moderate(app, &staff, &old, json!({"pinned": true, "locked": true, "reason": "FAQ"})).await;
    assert_eq!((s, v["pinned"].clone(), v["locked"].clone()), (200, json!(true), json!(true)), "{v}");
    let (_, feed) = app.call("GET", &format!("/api/v1/groups/{a}/threads"), ada, None).await;
    assert_eq!(feed["items"][0]["id"], old.as_str(), "pinned first: {feed}");
    assert_eq!(feed["items"].as_array().unwrap().len(), 2, "listed once: {feed}");
    let (s, _) = app.try_reply(ada, &old, json!({"body": "late"})).await;
    assert_eq!(s, 409, "locked");
    // Move: between open groups yes; out of a private group never.
    let (s, v) = moderate(app, &staff, &newer, json!({"group_id": b.id})).await;
    assert_eq!((s, v["group_id"].clone()), (200, json!(b.id)), "{v}");
    let secret = private.thread(app, &staff, "Inside only", "x").await;
    let (s, _) = moderate(app, &staff, &secret, json!({"group_id": a.id})).await;
    assert_eq!(s, 409, "private discussions stay private");
    assert_eq!(app.count("SELECT COUNT(*) FROM moderation_actions WHERE action IN ('pin', 'lock', 'move')").await, 3);
    // Staff prompts, open from one time (hours from now) to another.
    let now = chrono::Utc::now();
    let prompt = async |who: &Member, opens: i64, closes: i64, title: &str| {
        let (opens, closes) = (now + chrono::Duration::hours(opens), now + chrono::Duration::hours(closes));
        let body = json!({"title": title, "body": "Tell us about your week", "opens_at": opens, "closes_at": closes});
        app.call("POST", &format!("/api/v1/groups/{a}/prompts"), who, Some(body)).await
    };
    assert_eq!(prompt(ada, 0, 1, "x").await.0, 403);
    let (s, v) = prompt(&staff, 0, -1, "x").await;
    assert_eq!((s, v["error"]["fields"]["closes_at"].is_string()), (422, true));
    let (s, future) = prompt(&staff, 24, 48, "Next week's prompt").await;
    assert_eq!(s, 201, "{future}");
    let (s, open_now) = prompt(&staff, -1, 1, "This week's prompt").await;
    assert_eq!(s, 201, "{open_now}");
    let (s, _) = app.call("GET", &format!("/api/v1/threads/{}", future["id"].as_str().unwrap()), ada, None).await;
    assert_eq!(s, 404, "not before it opens");
    let (_, found) = app.call("GET", "/api/v1/search?q=prompt", ada, None).await;
    assert!(!found.to_string().contains("Next week"), "{found}");
    let (_, feed) = app.call("GET", &format!("/api/v1/groups/{a}/threads"), ada, None).await;
    let titles: Vec<&str> = feed["items"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap()).collect();
    assert!(titles[..2].contains(&"This week's prompt") && !titles.contains(&"Next week's prompt"), "{titles:?}");
    let open_now = open_now["id"].as_str().unwrap();
    assert_eq!(app.try_reply(ada, open_now, json!({"body": "A good week"})).await.0, 201);
    let (closed, id) = (now - chrono::Duration::minutes(1), open_now.parse::<uuid::Uuid>().unwrap());
    app.exec("UPDATE threads SET closes_at = $1 WHERE id = $2", kernel::params![closed, id]).await;
    let (s, _) = app.try_reply(ada, open_now, json!({"body": "Too late"})).await;
    assert_eq!(s, 409, "closed after its end");
}

/// Makes `member` a moderator of every group they are in.
async fn make_moderator(app: &TestApp, member: &Member) {
    let sql = "UPDATE group_members SET role = 'moderator' WHERE member_id = $1";
    app.exec(sql, kernel::params![member.id]).await;
}

async fn warnings_and_suspensions_are_recorded_and_reported_messages_are_read_only_by_staff_with_an_audit(
    app: &TestApp,
) {
    let staff = app.staff_member().create().await;
    let open = app.group().named("Diabetes").owned_by(&staff).create().await;
    let [ada, bea, moderator] = &app.members_named(["Ada Amos", "Bea Birch", "Mo Moderator"]).await;
    for m in [ada, bea, moderator] {
        open.admit(app, m).await;
    }
    make_moderator(app, moderator).await;
    let t = open.thread(app, bea, "Carb counting", "x").await;
    let r = app.reply(ada, &t, "Buy my miracle cure").await;
    let (s, report) = app.report(bea, "reply", &r, "spam").await;
    assert_eq!(s, 201);
    let rid = report["id"].as_str().unwrap().to_string();
    let (s, v) = app.decide(moderator, &rid, json!({"action": "suspend_platform", "reason": "x"})).await;
    assert_eq!(s, 422, "platform suspension is for staff: {v}");
    let suspension = json!({"action": "suspend_group", "reason": "Selling cures", "days": 3});
    assert_eq!(app.decide(moderator, &rid, suspension).await.0, 204);
    let (s, v) = app.try_reply(ada, &t, json!({"body": "again"})).await;
    assert_eq!(s, 409, "suspended from posting: {v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("suspended"));
    let (_, mine) = app.call("GET", "/api/v1/me/moderation", ada, None).await;
    assert_eq!(mine["items"][0]["action"], "suspend_group");
    assert_eq!(mine["items"][0]["reason"], "Selling cures");
    assert!(notifications(app, ada).await.iter().any(|n| n["kind"] == "moderation"));
    // A direct message: only its recipient can report it; only staff read it, and that is audited.
    let message = json!({"member_id": bea.id, "body": "You will regret reporting me"});
    let (s, conv) = app.call("POST", "/api/v1/conversations", ada, Some(message)).await;
    assert_eq!(s, 201, "{conv}");
    let (s, msgs) =
        app.call("GET", &format!("/api/v1/conversations/{}/messages", conv["id"].as_str().unwrap()), bea, None).await;
    assert_eq!(s, 200, "{msgs}");
    let msg = msgs["items"][0]["id"].clone();
    assert_eq!(app.report(moderator, "message", &msg, "harassment").await.0, 404, "not a participant");
    let (s, report) = app.report(bea, "message", &msg, "harassment").await;
    assert_eq!(s, 201);
    let rid = report["id"].as_str().unwrap();
    let (s, _) = app.call("GET", &format!("/api/v1/moderation/reports/{rid}"), moderator, None).await;
    assert_eq!(s, 403, "group moderators do not read messages");
    let (_, queue) = app.call("GET", "/api/v1/moderation/reports", moderator, None).await;
    assert!(!queue.to_string().contains(rid), "not in a group moderator's queue");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'reported_message_read'").await, 0);
    let (s, d) = app.call("GET", &format!("/api/v1/moderation/reports/{rid}"), &staff, None).await;
    assert_eq!((s, d["content"].as_str()), (200, Some("You will regret reporting me")));
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'reported_message_read'").await, 1);
    assert_eq!(app.decide(&staff, rid, json!({"action": "suspend_platform", "reason": "Threats"})).await.0, 204);
    // The members slice carries the suspension out when it handles the decision's event.
    app.drain().await;
    assert_eq!(app.call("GET", "/api/v1/notifications", ada, None).await.0, 401, "suspended: tokens revoked");
    assert_eq!(app.count("SELECT COUNT(*) FROM members WHERE status = 'suspended'").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'suspended'").await, 1, "audited once");
}

async fn new_members_are_limited_in_posts_and_links_for_a_while(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let open = app.group().named("Lupus").owned_by(&staff).create().await;
    let fresh = app.member().named("Fresh Face").signed_up().create().await;
    let settled = app.member().create().await;
    open.admit(app, &fresh).await;
    open.admit(app, &settled).await;
    let links = json!({"title": "Links", "body": "https://a.example https://b.example www.c.example"});
    let (s, v) = open.try_thread(app, &fresh, links).await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"]["fields"]["body"].as_str().unwrap().contains("links"), "{v}");
    let t = open.thread(app, &fresh, "Hello", "First post").await;
    for i in 0..4 {
        app.reply(&fresh, &t, &format!("post {i}")).await;
    }
    let before = app.count("SELECT COUNT(*) FROM posts").await;
    let (s, v) = app.try_reply(&fresh, &t, json!({"body": "sixth today"})).await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"]["fields"]["body"].as_str().unwrap().contains("5 times a day"), "{v}");
    assert_eq!(app.count("SELECT COUNT(*) FROM posts").await, before, "nothing stored");
    for i in 0..8 {
        app.reply(&settled, &t, &format!("established {i} https://x.example")).await;
    }
}

async fn a_crisis_phrase_shows_resources_at_once_and_flags_the_post_to_moderators(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let open = app.group().named("Chronic pain").owned_by(&staff).create().await;
    let held = app.group().named("Careful").holding_crisis_posts().owned_by(&staff).create().await;
    let [ada, bea, moderator] = &app.members_named(["Ada Amos", "Bea Birch", "Mo Moderator"]).await;
    for g in [&open, &held] {
        for m in [ada, bea, moderator] {
            g.admit(app, m).await;
        }
    }
    make_moderator(app, moderator).await;
    let t = open.thread(app, bea, "Bad days", "How do you cope?").await;
    let (s, ok) = app.try_reply(ada, &t, json!({"body": "Heat packs help me."})).await;
    assert_eq!((s, ok["crisis_resources"].clone()), (201, Value::Null));
    let (s, v) = app.try_reply(ada, &t, json!({"body": "Some nights I   WANT TO DIE."})).await;
    assert_eq!(s, 201);
    assert!(v["crisis_resources"].as_str().unwrap().contains("988"), "{v}");
    assert_eq!(v["published"], true);
    let (_, view) = app.call("GET", &format!("/api/v1/threads/{t}"), bea, None).await;
    assert_eq!(view["replies"].as_array().unwrap().len(), 2, "still published");
    let (_, queue) = app.call("GET", "/api/v1/moderation/reports", moderator, None).await;
    let flags: Vec<&Value> =
        queue["items"].as_array().unwrap().iter().filter(|r| r["reason"] == "self_harm_risk").collect();
    assert_eq!(flags.len(), 1, "{queue}");
    assert!(notifications(app, moderator).await.iter().any(|n| n["kind"] == "crisis_flag"));
    assert!(!notifications(app, bea).await.iter().any(|n| n["kind"] == "crisis_flag"), "only moderators");
    // A group that holds such posts keeps them back until a moderator has looked.
    let t2 = held.thread(app, bea, "Evenings", "x").await;
    let (s, v) = app.try_reply(ada, &t2, json!({"body": "I think about suicide a lot"})).await;
    assert_eq!((s, v["published"].clone()), (201, json!(false)));
    let (_, view) = app.call("GET", &format!("/api/v1/threads/{t2}"), bea, None).await;
    assert!(view["replies"].as_array().unwrap().is_empty(), "held: {view}");
    let (_, queue) = app.call("GET", "/api/v1/moderation/reports", moderator, None).await;
    let flag = queue["items"].as_array().unwrap().iter().find(|r| r["target_id"] == v["id"]).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let release = json!({"action": "dismiss", "reason": "Checked in; fine to publish"});
    assert_eq!(app.decide(moderator, &flag, release).await.0, 204);
    let (_, view) = app.call("GET", &format!("/api/v1/threads/{t2}"), bea, None).await;
    assert_eq!(view["replies"].as_array().unwrap().len(), 1, "released: {view}");
}

async fn notification_email_follows_each_members_choice_digests_once_a_day_and_unsubscribes_in_one_click(
    app: &TestApp,
) {
    let staff = app.staff_member().create().await;
    let open = app.group().named("Open").owned_by(&staff).create().await;
    let private = app.group().named("Leaders").private().screening(["Why?"]).owned_by(&staff).create().await;
    let ada = app.member().named("Ada Lovelace").email("ada@example.org").signed_up().create().await;
    let bea = app.member().create().await;
    app.exec("UPDATE members SET created_at = $1", kernel::params![chrono::Utc::now() - chrono::Duration::days(30)])
        .await;
    open.admit(app, &ada).await;
    open.admit(app, &bea).await;
    private.admit(app, &ada).await;
    private.admit(app, &bea).await;
    let (s, v) =
        app.call("PUT", "/api/v1/me/notification-settings", &ada, Some(json!({"email": {"reply": "sometimes"}}))).await;
    assert_eq!((s, v["error"]["fields"]["email.reply"].is_string()), (422, true), "{v}");
    let baseline = app.mails_to("ada@example.org").await.len();
    // A reply (daily by default) in each group, and a mention (immediately by default).
    let t = open.thread(app, &ada, "Open topic", "x").await;
    let pt = private.thread(app, &ada, "Private topic", "x").await;
    app.reply(&bea, &t, "a reply").await;
    app.reply(&bea, &pt, "a private reply").await;
    app.reply(&bea, &t, "Thanks @Ada Lovelace").await;
    let mails = app.mails_to("ada@example.org").await;
    let subjects: Vec<String> = mails[baseline..].iter().map(|m| m.subject()).collect();
    assert_eq!(subjects.len(), 1, "only the mention goes out at once: {subjects:?}");
    assert!(mails.last().unwrap().subject().contains("mentioned you"));
    assert!(mails.last().unwrap().raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    // Ada leaves the private group before the digest: its discussion is left out.
    let (s, v) = app.call("POST", &format!("/api/v1/groups/{private}/leave"), &ada, None).await;
    assert_eq!(s, 204, "Ada leaves: {v}");
    // Two workers run the digest at once: one e-mail.
    tokio::join!(app.send_digests_now(), app.send_digests_now());
    assert_eq!(app.digests_queued().await, 2, "Ada's digest and the staff member's (join requests), each queued once");
    app.send_digests_now().await;
    let mails = app.mails_to("ada@example.org").await;
    let digests: Vec<&Mail> = mails.iter().filter(|m| m.subject().contains("digest")).collect();
    assert_eq!(digests.len(), 1);
    assert!(digests[0].raw.contains("Open topic") && !digests[0].raw.contains("Private topic"), "{}", digests[0].raw);
    // One click, no session, no form token.
    // The link in the text (the header carries the same one, possibly folded).
    let raw = digests[0].raw.replace("=\r\n", "").replace("=\n", "");
    let tail = &raw[raw.rfind("/unsubscribe/").unwrap()..];
    assert!(digests[0].raw.contains("List-Unsubscribe:"));
    let link = tail[..tail.find(char::is_whitespace).unwrap_or(tail.len())].to_string();
    let r = reqwest::Client::new().post(app.url(&link)).body("List-Unsubscribe=One-Click").send().await.unwrap();
    assert_eq!(r.status(), 200);
    let (_, settings) = app.call("GET", "/api/v1/me/notification-settings", &ada, None).await;
    assert!(settings["email"].as_object().unwrap().values().all(|m| m == "never"), "{settings}");
    let forged = link.replace("/unsubscribe/", "/unsubscribe/x");
    assert_eq!(app.send("POST", &forged, &Visitor).await.0, 404);
    app.reply(&bea, &t, "Again @Ada Lovelace").await;
    assert_eq!(app.mails_to("ada@example.org").await.len(), mails.len(), "nothing after unsubscribing");
}

/// Reads server-sent events until one whose data is `want`, or fails after `secs`.
async fn wait_for_event(res: &mut reqwest::Response, want: &str, secs: u64) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    let mut seen = String::new();
    while tokio::time::Instant::now() < deadline {
        match tokio::time::timeout_at(deadline, res.chunk()).await {
            Ok(Ok(Some(bytes))) => {
                seen.push_str(&String::from_utf8_lossy(&bytes));
                if seen.contains(&format!("event: unread\ndata: {want}\n")) {
                    return true;
                }
            }
            _ => return false,
        }
    }
    false
}

async fn the_unread_count_updates_live_when_another_node_writes_the_notification(app: &TestApp) {
    let (ada, bea) = (&app.member().create().await, &app.member().create().await);
    let open = app.group().named("Open").with_members(&[ada, bea]).create().await;
    let t = open.thread(app, ada, "Live", "x").await;
    let mut stream = app.request("GET", "/api/v1/notifications/stream", &ada.token).send().await.unwrap();
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    assert!(wait_for_event(&mut stream, "0", 5).await, "the count at once");
    app.reply(bea, &t, "hello").await;
    // A second node: its own connection pool and its own worker write the notification.
    let other_db = kernel::db::Db::connect(&app.state.config.database_url, 2).await.unwrap();
    let mut inner = app.state.clone_inner();
    inner.db = other_db;
    let node2 = kernel::AppState(std::sync::Arc::new(inner));
    kernel::worker::drain(&node2).await.unwrap();
    assert!(wait_for_event(&mut stream, "1", 10).await, "the other node's notification shows up live");
    assert_eq!(app.send("GET", "/api/v1/notifications/stream", "bad-token").await.0, 401);
}

async fn a_private_groups_posts_never_show_in_profile_activity_or_another_members_export(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let private = app.group().named("Leaders").private().screening(["Why?"]).owned_by(&staff).create().await;
    let open = app.group().named("Open").owned_by(&staff).create().await;
    let [author, member, outsider, pending, banned] =
        &app.members_named(["Ann Author", "Max Member", "Oz Outsider", "Pat Pending", "Ben Banned"]).await;
    let author_id = author.id;
    for m in [author, member, banned] {
        private.admit(app, m).await;
    }
    private.request_to_join(app, pending).await;
    open.admit(app, author).await;
    let pt = private.thread(app, author, "Secret diagnosis talk", "x").await;
    app.reply(member, &pt, "a private reply @Oz Outsider").await;
    open.thread(app, author, "Public hello", "x").await;
    let banned_id = banned.id;
    let (s, v) = app.call("POST", &format!("/api/v1/groups/{private}/members/{banned_id}/ban"), &staff, None).await;
    assert_eq!(s, 204, "Ben banned: {v}");
    let path = format!("/api/v1/members/{author_id}/activity");
    for (who, tok) in [("outsider", outsider), ("pending", pending), ("banned", banned)] {
        let (_, v) = app.call("GET", &path, tok, None).await;
        assert!(v.to_string().contains("Public hello") && !v.to_string().contains("Secret"), "{who}: {v}");
        let html = app.get_text(&format!("/members/{author_id}/activity"), tok).await;
        assert!(!html.contains("Secret"), "{who}");
    }
    let (_, v) = app.call("GET", &path, member, None).await;
    assert!(v.to_string().contains("Secret diagnosis talk"), "members see it: {v}");
    // The outsider was mentioned in the private group: told nothing, and their export holds nothing of it.
    assert!(notifications(app, outsider).await.is_empty());
    let (s, export) = app.call("GET", "/api/v1/me/export", outsider, None).await;
    assert_eq!(s, 200, "{export}");
    assert!(!export.to_string().contains("Secret diagnosis"), "{export}");
}
