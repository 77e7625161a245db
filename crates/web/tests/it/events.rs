//! Events: scheduling in a time zone, visibility by audience, registration with a
//! waitlist under concurrency, the join link window, calendar files, notices and
//! attendance earning points through the outbox.

use std::str::FromStr;

use chrono::Utc;
use icalendar::{Calendar, CalendarComponent, Component};
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::*;

both_backends![
    events_are_scheduled_in_their_time_zone_and_bad_input_is_refused,
    who_sees_an_event_follows_its_audience,
    fifty_people_racing_for_ten_seats_fill_them_and_wait_in_order,
    the_join_link_shows_only_to_registered_members_near_the_start,
    calendar_files_parse_keep_their_uid_and_bump_sequence_on_change,
    attending_an_event_earns_points_once,
    a_member_registers_joins_and_is_checked_in_from_the_event_page,
    reminders_go_out_once_per_window_across_two_workers_and_skip_cancellations,
    the_personal_calendar_feed_lists_my_events_and_stops_working_when_reset,
    networking_rounds_group_everyone_present_without_repeats,
    a_conference_agenda_runs_by_day_and_track_with_my_picks_clashes_and_tickets,
    members_send_questions_to_a_panel_before_it_starts,
    registration_answers_reach_only_staff_and_events_filter_by_condition,
    my_export_carries_my_points_and_event_data_and_deletion_erases_it,
    a_group_event_is_seen_only_by_the_groups_members,
    the_upcoming_list_holds_every_event_not_over_and_none_that_is,
];

async fn events_are_scheduled_in_their_time_zone_and_bad_input_is_refused(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let member = app.member().create().await;
    let e = app
        .event()
        .panel()
        .titled("Spring panel")
        .with("description", json!(""))
        .at("2027-03-28T09:30:00", "2027-03-28T10:30:00", "Europe/London")
        .capacity(100)
        .with("join_url", json!("https://meet.example.org/p"))
        .audience("public")
        .by(&staff)
        .create()
        .await;
    assert_eq!(e["starts_at"], "2027-03-28T08:30:00Z", "BST began that morning");
    assert_eq!(e["local_starts_at"], "2027-03-28T09:30:00");
    assert!(e["join_url"].is_null(), "never shown to someone not registered");
    let post = async |body: Value, who: &Member| app.call("POST", "/api/v1/events", who, Some(body)).await;
    let base = json!({"kind": "webinar", "title": "T", "starts_at": "2027-05-01T10:00:00", "ends_at": "2027-05-01T11:00:00", "time_zone": "Europe/Paris", "capacity": 5, "join_url": "", "audience": "members"});
    assert_eq!(post(base.clone(), &member).await.0, 404, "members cannot schedule");
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    for (body, field) in [
        (with("time_zone", json!("Atlantis/Capital")), "time_zone"),
        (with("starts_at", json!("2027-03-28T02:30:00")), "starts_at"),
        (with("starts_at", json!("next tuesday")), "starts_at"),
        (with("ends_at", json!("2027-05-01T09:00:00")), "ends_at"),
        (with("kind", json!("party")), "kind"),
        (with("capacity", json!(0)), "capacity"),
        (with("join_url", json!("javascript:alert(1)")), "join_url"),
        (with("audience", json!("everyone")), "audience"),
    ] {
        let (s, v) = post(body.clone(), &staff).await;
        assert_eq!(s, 422, "{body}");
        assert!(v["error"]["fields"][field].is_string(), "{field}: {v}");
    }
    let malformed = app.request("POST", "/api/v1/events", &staff).header("content-type", "application/json").body("{");
    assert_eq!(malformed.send().await.unwrap().status(), 400);
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, 1, "nothing else stored");
}

async fn who_sees_an_event_follows_its_audience(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let leader = app.member().create().await;
    let member = app.member().create().await;
    app.exec("UPDATE members SET health_leader_since = $1 WHERE id = $2", kernel::params![Utc::now(), leader.id]).await;
    let hl = app.event().audience("health_leaders").by(&staff).create().await;
    let members_only = app.event().by(&staff).create().await;
    let status = async |path: String, who: Option<&Member>| app.call("GET", &path, &who, None).await.0;
    let (hl_path, m_path) = (hl.api(""), members_only.api(""));
    assert_eq!(status(hl_path.clone(), None).await, 404);
    assert_eq!(status(hl_path.clone(), Some(&member)).await, 404);
    assert_eq!(status(hl_path.clone(), Some(&leader)).await, 200);
    assert_eq!(status(m_path.clone(), None).await, 404);
    assert_eq!(status(m_path.clone(), Some(&member)).await, 200);
    assert_eq!(status(format!("{}.ics", hl_path.replace("/api/v1", "")), None).await, 404, "nor its calendar file");
    let list = app.get_json("/api/v1/events", &member).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let (s, _) = app.call("POST", &hl.api("/registration"), &member, None).await;
    assert_eq!(s, 404, "cannot register for what one cannot see");
}

async fn fifty_people_racing_for_ten_seats_fill_them_and_wait_in_order(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let e = app.event().webinar().capacity(10).by(&staff).create().await;
    let people = app.members(50).await;
    let statuses = app.all_at_once("POST", &e.api("/registration"), &people, None).await;
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 10, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 202).count(), 40);
    let seats = app.get_json(&e.api(""), &people[0]).await;
    assert_eq!((seats["registered"].as_i64(), seats["waitlisted"].as_i64()), (Some(10), Some(40)));
    // The waitlist keeps its order: a cancellation promotes the earliest waiter at once.
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        member_id: kernel::ids::MemberId,
    }
    let waiting: Vec<Row> =
        app.rows("SELECT member_id FROM registrations WHERE status = 'waitlisted' ORDER BY position").await;
    let registered: Vec<Row> = app.rows("SELECT member_id FROM registrations WHERE status = 'registered'").await;
    let leaver = people.iter().find(|m| m.id == registered[0].member_id).unwrap();
    assert_eq!(app.call("DELETE", &e.api("/registration"), leaver, None).await.0, 204);
    let first = waiting[0].member_id;
    let now_status: String = app
        .state
        .db
        .scalar("SELECT status FROM registrations WHERE member_id = $1", kernel::params![first])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(now_status, "registered");
    assert_eq!(app.count("SELECT COUNT(*) FROM registrations WHERE status = 'registered'").await, 10);
    let email = &people.iter().find(|m| m.id == first).unwrap().email;
    let mails = app.mails_to(email).await;
    assert!(mails.iter().any(|m| m.subject().starts_with("A seat is yours")), "the promoted member is told");
    assert!(mails.iter().any(|m| m.raw.contains("BEGIN:VCALENDAR")), "with a calendar file");
    assert_eq!(app.call("DELETE", &e.api("/registration"), leaver, None).await.0, 404);
}

async fn the_join_link_shows_only_to_registered_members_near_the_start(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let soon = app.event().starting_in(minutes(10)).by(&staff).create().await;
    let later = app.event().starting_in(hours(2)).by(&staff).create().await;
    let member = app.member().create().await;
    let bystander = app.member().create().await;
    for e in [&soon, &later] {
        assert_eq!(app.call("POST", &e.api("/registration"), &member, None).await.0, 201);
    }
    assert_eq!(app.get_json(&soon.api(""), &member).await["join_url"], "https://meet.example.org/story");
    assert!(app.get_json(&soon.api(""), &bystander).await["join_url"].is_null());
    assert!(app.get_json(&later.api(""), &member).await["join_url"].is_null(), "not yet");
}

fn parse_event(text: &str) -> icalendar::Event {
    let cal = Calendar::from_str(text).expect("a valid calendar");
    cal.components
        .iter()
        .find_map(|c| match c {
            CalendarComponent::Event(e) => Some(e.clone()),
            _ => None,
        })
        .expect("one event")
}

async fn calendar_files_parse_keep_their_uid_and_bump_sequence_on_change(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let e = app
        .event()
        .kind("training_call")
        .titled("Clock change call")
        .at("2027-10-31T09:00:00", "2027-10-31T10:00:00", "America/New_York")
        .with("join_url", json!(""))
        .audience("public")
        .by(&staff)
        .create()
        .await;
    let ics = format!("/events/{e}.ics");
    let registrant = app.member().create().await;
    assert_eq!(e.register(app, &registrant).await, 201);
    let r = app.request("GET", &ics, &Visitor).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    let text = r.text().await.unwrap();
    let ev = parse_event(&text);
    assert!(text.contains("DTSTART:20271031T130000Z"), "09:00 EDT (New York is still on daylight time): {text}");
    let uid = ev.get_uid().unwrap().to_string();
    assert_eq!(ev.get_sequence(), Some(0));
    // Move it a week later: New York is on standard time by then.
    let moved = json!({"starts_at": "2027-11-07T09:00:00", "ends_at": "2027-11-07T10:00:00"});
    assert_eq!(app.call("PATCH", &e.api(""), &staff, Some(moved)).await.0, 200);
    let text = app.get_text(&ics, &Visitor).await;
    let ev = parse_event(&text);
    assert!(text.contains("DTSTART:20271107T140000Z"), "09:00 EST: {text}");
    assert_eq!(ev.get_uid().unwrap(), uid, "the UID is stable");
    assert_eq!(ev.get_sequence(), Some(1), "SEQUENCE bumped");
    let mails = app.mails_to(&registrant.email).await;
    assert!(
        mails.iter().any(|m| m.subject().contains("has been moved") && m.raw.contains("SEQUENCE:1")),
        "registrants get the new time"
    );
    assert_eq!(app.call("PATCH", &e.api(""), &staff, Some(json!({"status": "cancelled"}))).await.0, 200);
    assert!(app.mails_to(&registrant.email).await.iter().any(|m| m.subject().contains("has been cancelled")));
    let text = app.get_text(&ics, &Visitor).await;
    assert!(text.contains("STATUS:CANCELLED"));
}

async fn attending_an_event_earns_points_once(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let e = app.event().starting_in(minutes(5)).by(&staff).create().await;
    let member = app.member().create().await;
    let outsider_id = app.member().create().await.id;
    assert_eq!(e.register(app, &member).await, 201, "registered");
    let mark = async |attendee: kernel::ids::MemberId, who: &Member| {
        app.call("POST", &e.api("/attendance"), who, Some(json!({ "member_id": attendee }))).await
    };
    assert_eq!(mark(member.id, &member).await.0, 404);
    assert_eq!(mark(outsider_id, &staff).await.0, 409, "not registered");
    assert_eq!(mark(member.id, &staff).await.0, 204);
    assert_eq!(mark(member.id, &staff).await.0, 204, "marking twice is harmless");
    assert_eq!(app.count("SELECT COUNT(*) FROM activity WHERE kind = 'EventAttended'").await, 1);
    app.award_points().await;
    let points = app.get_json("/api/v1/me/points", &member).await;
    assert_eq!(points["balance"], 30);
    assert_eq!(points["entries"][0]["reason"], "event_attended");
}

async fn a_member_registers_joins_and_is_checked_in_from_the_event_page(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let e = app.event().starting_in(minutes(5)).capacity(1).by(&staff).create().await;
    let b = app.member().named("Eve").signed_up().create().await.browser(app).await;
    let html = app.get_text(&format!("/events/{e}"), &b).await;
    assert!(html.contains("Telling your story") && html.contains(">Register<") && !html.contains("Join now"));
    let r = b.post(app.url(&format!("/events/{e}/register"))).form(&[("csrf", csrf_of(&html))]).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("re registered. We have e-mailed you a calendar file.") && html.contains("Join now"),
        "{html}"
    );
    let r = b.post(app.url(&format!("/events/{e}/join"))).form(&[("csrf", csrf_of(&html))]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "https://meet.example.org/story");
    assert_eq!(app.count("SELECT COUNT(*) FROM registrations WHERE attended_at IS NOT NULL").await, 1, "checked in");
    let list = app.get_text("/events?mine=true", &b).await;
    assert!(list.contains("Telling your story") && list.contains("You&#39;re registered"));
    // The one seat is taken: the next person joins the waitlist.
    let other = app.member().create().await;
    assert_eq!(app.call("POST", &e.api("/registration"), &other, None).await.0, 202);
}

async fn reminders_go_out_once_per_window_across_two_workers_and_skip_cancellations(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let soon = app.event().starting_in(minutes(30)).by(&staff).create().await;
    let later = app.event().starting_in(hours(5)).by(&staff).create().await;
    let people = app.members(3).await;
    for e in [&soon, &later] {
        for member in &people {
            assert_eq!(e.register(app, member).await, 201);
        }
    }
    assert_eq!(app.call("DELETE", &soon.api("/registration"), &people[2], None).await.0, 204);
    tokio::join!(app.queue_due_reminders(), app.queue_due_reminders());
    app.queue_due_reminders().await;
    for (i, member) in people.iter().enumerate() {
        let email = &member.email;
        let mails = app.mails_to(email).await;
        let hour = mails.iter().filter(|m| m.subject().ends_with("within the hour")).count();
        let day = mails.iter().filter(|m| m.subject().ends_with("within a day")).count();
        if i < 2 {
            assert_eq!((hour, day), (1, 1), "member {i}: one reminder for each event, in the right window");
        } else {
            assert_eq!((hour, day), (0, 1), "no reminder for the event they cancelled");
        }
    }
}

async fn the_personal_calendar_feed_lists_my_events_and_stops_working_when_reset(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let mine = app.event().starting_in(days(2)).by(&staff).create().await;
    let other = app
        .event()
        .panel()
        .titled("Someone else's panel")
        .starting_in(days(3))
        .with("join_url", json!(""))
        .by(&staff)
        .create()
        .await;
    let b = app.member().named("Fay").signed_up().create().await.browser(app).await;
    let html = app.get_text(&format!("/events/{mine}"), &b).await;
    let register = b.post(app.url(&format!("/events/{mine}/register")));
    send_expecting(register.form(&[("csrf", csrf_of(&html))]), 200, "Fay registers").await;
    let _ = other;
    let page = app.get_text("/events/feed", &b).await;
    let r = b.post(app.url("/events/feed")).form(&[("csrf", csrf_of(&page))]).send().await.unwrap();
    let html = r.text().await.unwrap();
    let at = html.find("/calendar/").unwrap();
    let path = html[at..].split('"').next().unwrap().to_string();
    let anon = app.client();
    let text = app.get_text(&path, &anon).await;
    assert!(text.contains("Telling your story") && !text.contains("Someone else"), "{text}");
    let page = app.get_text("/events/feed", &b).await;
    assert!(!page.contains("/calendar/"), "the secret is shown once");
    b.post(app.url("/events/feed")).form(&[("csrf", csrf_of(&page))]).send().await.unwrap();
    assert_eq!(app.send("GET", &path, &anon).await.0, 404, "the old address stops working");
    assert_eq!(app.send("GET", "/calendar/guess.ics", &anon).await.0, 404);
}

async fn networking_rounds_group_everyone_present_without_repeats(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let e = app.event().networking().starting_in(minutes(5)).lasting(minutes(90)).by(&staff).create().await;
    let people = app.members(5).await;
    for member in &people {
        assert_eq!(e.register(app, member).await, 201);
        let present = json!({ "member_id": member.id });
        assert_eq!(app.call("POST", &e.api("/attendance"), &staff, Some(present)).await.0, 204);
    }
    assert_eq!(app.call("POST", &e.api("/rounds"), &people[0], None).await.0, 404);
    let mut met = std::collections::HashSet::new();
    for round in 1..=2 {
        let (s, v) = app.call("POST", &e.api("/rounds"), &staff, None).await;
        assert_eq!(s, 201);
        assert_eq!(v["number"], round);
        let groups = v["groups"].as_array().unwrap();
        let placed: usize = groups.iter().map(|g| g["members"].as_array().unwrap().len()).sum::<usize>()
            + v["sitting_out"].as_array().unwrap().len();
        assert_eq!(placed, 5, "everyone present is placed");
        if round == 1 {
            assert!(v["sitting_out"].as_array().unwrap().is_empty());
            assert_eq!(groups.iter().filter(|g| g["members"].as_array().unwrap().len() == 3).count(), 1);
        }
        for g in groups {
            let ms: Vec<&str> = g["members"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
            assert!(g["room_url"].as_str().unwrap().contains(&format!("round-{round}-room-")));
            for (i, a) in ms.iter().enumerate() {
                for b in &ms[i + 1..] {
                    assert!(
                        met.insert(if a < b { (a.to_string(), b.to_string()) } else { (b.to_string(), a.to_string()) }),
                        "{a} and {b} met twice"
                    );
                }
            }
        }
    }
    let mine = app.get_json(&e.api("/rounds/mine"), &people[0]).await;
    assert_eq!(mine["round"], 2);
    let partners = mine["partners"].as_array().unwrap();
    assert!(!partners.is_empty() || mine["room_url"].is_null());
    for p in partners {
        assert!(
            p.get("display_name").is_some() && p.get("story").is_none(),
            "cards show only what members may see: {p}"
        );
    }
    let other = app.event().starting_in(minutes(5)).by(&staff).create().await;
    assert_eq!(app.call("POST", &other.api("/rounds"), &staff, None).await.0, 409);
}

async fn a_conference_agenda_runs_by_day_and_track_with_my_picks_clashes_and_tickets(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let conference = json!({"name": "Connexion 2027", "year": 2027, "starts_on": "2027-06-14", "ends_on": "2027-06-15", "time_zone": "America/Chicago",
                            "venue": "Chicago", "online_url": "https://connexion.example.org", "tracks": ["Advocacy", "Research"],
                            "ticket_types": [{"name": "In person", "capacity": 2}, {"name": "Virtual", "capacity": null}]});
    let (s, conf) = app.call("POST", "/api/v1/conferences", &staff, Some(conference)).await;
    assert_eq!(s, 201);
    let cid = conf["id"].as_str().unwrap().to_string();
    assert_eq!(conf["tracks"].as_array().unwrap().len(), 2);
    let speaker_id = app.member().create().await.id;
    let session = |title: &str, day: &str, start: &str, end: &str, track: &str, extra: Value| {
        let mut b = json!({"kind": "conference_session", "title": title, "starts_at": format!("{day}T{start}"), "ends_at": format!("{day}T{end}"),
                           "time_zone": "America/Chicago", "capacity": null, "join_url": "", "audience": "public", "conference_id": cid, "track": track, "room": "Hall A"});
        if let Value::Object(m) = extra {
            for (k, v) in m {
                b[k] = v;
            }
        }
        b
    };
    let speakers = json!({"speakers": [
        {"role": "speaker", "member_id": speaker_id},
        {"role": "speaker", "name": "Dr. Rosa Mendes", "bio": "Rheumatologist and researcher."}
    ]});
    let keynote = session("Opening keynote", "2027-06-14", "09:00:00", "10:00:00", "Advocacy", speakers);
    let keynote = app.event().exactly(keynote).by(&staff).create().await;
    let parallel = session("Trials 101", "2027-06-14", "09:30:00", "10:30:00", "Research", json!({}));
    let parallel = app.event().exactly(parallel).by(&staff).create().await;
    let awards = json!({"awards_ceremony": true});
    let awards = session("Social Health Awards", "2027-06-15", "18:00:00", "19:30:00", "Advocacy", awards);
    app.event().by(&staff).exactly(awards).create().await;
    let elsewhere = json!({"conference_id": uuid::Uuid::now_v7()});
    let bad = session("X", "2027-06-14", "09:00:00", "10:00:00", "A", elsewhere);
    assert_eq!(app.call("POST", "/api/v1/events", &staff, Some(bad)).await.0, 422);
    // A member in London sees the agenda in their own zone.
    let member = app.member().create().await;
    app.exec("UPDATE members SET time_zone = 'Europe/London' WHERE id = $1", kernel::params![member.id]).await;
    for s in [&keynote, &parallel] {
        assert_eq!(app.call("PUT", &format!("/api/v1/me/agenda/{s}"), &member, None).await.0, 204);
    }
    let agenda = app.get_json(&format!("/api/v1/conferences/{cid}/agenda"), &member).await;
    assert_eq!(agenda["time_zone"], "Europe/London");
    let days = agenda["days"].as_array().unwrap();
    assert_eq!(days.len(), 2, "{agenda}");
    let first = &days[0]["sessions"];
    assert_eq!(first[0]["title"], "Opening keynote");
    assert_eq!(first[0]["local_start"], "15:00", "09:00 in Chicago is 15:00 in London");
    assert_eq!(first[0]["track"], "Advocacy");
    assert_eq!(first[1]["track"], "Research");
    assert_eq!(first[0]["clashes"], true);
    assert_eq!(first[1]["clashes"], true);
    assert_eq!(days[1]["sessions"][0]["awards_ceremony"], true);
    assert_eq!(first[0]["speakers"].as_array().unwrap().len(), 2);
    let (s, v) = app.call("DELETE", &format!("/api/v1/me/agenda/{parallel}"), &member, None).await;
    assert_eq!(s, 204, "the parallel session taken off the agenda: {v}");
    let agenda = app.get_json(&format!("/api/v1/conferences/{cid}/agenda"), &member).await;
    assert_eq!(agenda["days"][0]["sessions"][0]["clashes"], false);
    // The agenda as a calendar file, and the guest speaker's page.
    let text = app.get_text(&format!("/conferences/{cid}.ics"), &Visitor).await;
    let cal = Calendar::from_str(&text).unwrap();
    assert_eq!(cal.components.iter().filter(|c| matches!(c, CalendarComponent::Event(_))).count(), 3);
    let guest = first[0]["speakers"].as_array().unwrap().iter().find(|s| s["name"] == "Dr. Rosa Mendes").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let page = app.get_text(&format!("/speakers/{guest}"), &Visitor).await;
    assert!(page.contains("Rheumatologist and researcher.") && page.contains("Opening keynote"));
    let page = app.get_text(&format!("/conferences/{cid}"), &Visitor).await;
    assert!(page.contains("Opening keynote") && page.contains("Social Health Awards"));
    // Tickets: two in-person seats for three people.
    let people = app.members(3).await;
    let in_person = json!({ "ticket_type_id": conf["ticket_types"][0]["id"].as_str().unwrap() });
    let tickets = format!("/api/v1/conferences/{cid}/tickets");
    let statuses = app.all_at_once("POST", &tickets, &people, Some(in_person)).await;
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 2, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 1);
    let view = app.get_json(&format!("/api/v1/conferences/{cid}"), &Visitor).await;
    assert_eq!(view["ticket_types"][0]["taken"], 2);
}

async fn members_send_questions_to_a_panel_before_it_starts(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let speakers = json!([
        {"role": "moderator", "name": "Sam Host"},
        {"role": "panelist", "name": "Ana Guest", "bio": "Patient advocate."}
    ]);
    let panel = app.event().panel().starting_in(hours(1)).with("speakers", speakers).by(&staff).create().await;
    assert_eq!(panel["speakers"].as_array().unwrap().len(), 2);
    let started = app.event().panel().starting_in(minutes(-10)).by(&staff).create().await;
    let member = app.member().create().await;
    let ask = async |e: &Event, body: Value| app.call("POST", &e.api("/questions"), &member, Some(body)).await;
    assert_eq!(ask(&panel, json!({"body": "How do you pace yourself?"})).await.0, 201);
    assert_eq!(ask(&panel, json!({"body": "  "})).await.0, 422);
    assert_eq!(ask(&started, json!({"body": "Too late?"})).await.0, 409);
    let qs = app.get_json(&panel.api("/questions"), &member).await;
    assert_eq!(qs["items"].as_array().unwrap().len(), 1);
}

async fn registration_answers_reach_only_staff_and_events_filter_by_condition(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let conds = app.get_json("/api/v1/conditions?q=migraine", &Visitor).await;
    let migraine = conds["items"][0]["id"].as_str().unwrap().to_string();
    let e = app
        .event()
        .with("questions", json!(["Do you need captions?", "Anything else we should know?"]))
        .with("conditions", json!([migraine]))
        .by(&staff)
        .create()
        .await;
    app.event().by(&staff).create().await;
    assert_eq!(e["questions"].as_array().unwrap().len(), 2);
    let member = app.member().create().await;
    let register = async |body: Value| app.call("POST", &e.api("/registration"), &member, Some(body)).await;
    assert_eq!(register(json!({"answers": ["a", "b", "c", "d", "e", "f"]})).await.0, 422);
    assert_eq!(register(json!({"answrs": []})).await.0, 400);
    assert_eq!(register(json!({"answers": ["Yes please", "I use a screen reader"]})).await.0, 201);
    let public = app.get_text(&e.api(""), &member).await;
    assert!(!public.contains("screen reader"), "answers are not part of the event");
    assert_eq!(app.call("GET", &e.api("/registrations"), &member, None).await.0, 404);
    let list = app.get_json(&e.api("/registrations"), &staff).await;
    assert_eq!(list["items"][0]["member_id"], member.id.to_string());
    assert_eq!(list["items"][0]["answers"][1], "I use a screen reader");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'staff_viewed_registrants'").await,
        1,
        "staff reads are audited"
    );
    let filtered = app.get_json(&format!("/api/v1/events?condition={migraine}"), &member).await;
    assert_eq!(filtered["items"].as_array().unwrap().len(), 1);
    let all = app.get_json("/api/v1/events", &member).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    assert_eq!(app.call("GET", "/api/v1/events?condition=nope", &Visitor, None).await.0, 422);
    let (s, _) = app.send("GET", &format!("/events?kind=&condition={migraine}"), &member).await;
    assert_eq!(s, 200, "an empty filter means any");
}

async fn my_export_carries_my_points_and_event_data_and_deletion_erases_it(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let e = app.event().panel().with("questions", json!(["Access needs?"])).by(&staff).create().await;
    let member = app.member().create().await;
    let other = app.member().create().await;
    for (who, needs) in [(&member, "Wheelchair access"), (&other, "Other person's needs")] {
        let (s, v) = app.call("POST", &e.api("/registration"), who, Some(json!({"answers": [needs]}))).await;
        assert_eq!(s, 201, "registered with answers: {v}");
    }
    let (s, v) = app.call("POST", &e.api("/questions"), &member, Some(json!({"body": "My own question"}))).await;
    assert_eq!(s, 201, "a question for the panel: {v}");
    app.credit_points(&staff, member.id, 12, "thanks").await;
    let doc = app.get_json("/api/v1/me/export", &member).await;
    assert_eq!(doc["rewards"]["balance"], 12);
    assert_eq!(doc["rewards"]["ledger"][0]["note"], "thanks");
    assert_eq!(doc["events"]["registrations"][0]["answers"], "[\"Wheelchair access\"]");
    assert_eq!(doc["events"]["panel_questions"][0]["body"], "My own question");
    assert!(!doc.to_string().contains("Other person's needs"));
    assert_eq!(app.call("DELETE", "/api/v1/me", &member, None).await.0, 204);
    app.drain().await;
    let left: i64 = app
        .state
        .db
        .scalar(
            "SELECT COUNT(*) FROM registrations WHERE member_id = $1 AND answers <> '[]'",
            kernel::params![member.id],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(left, 0, "answers erased");
    assert_eq!(app.count("SELECT COUNT(*) FROM panel_questions").await, 0, "questions erased");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM registrations WHERE answers LIKE '%Other person%'").await,
        1,
        "others keep theirs"
    );
}

async fn a_group_event_is_seen_only_by_the_groups_members(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let g = app.group().named("Caregivers").owned_by(&staff).create().await;
    let mut body = app.event().audience("group").body();
    let schedule = |body: &Value| app.call("POST", "/api/v1/events", &staff, Some(body.clone()));
    assert_eq!(schedule(&body).await.0, 422, "a group event needs its group");
    body["group_id"] = json!(uuid::Uuid::now_v7());
    assert_eq!(schedule(&body).await.0, 422, "the group must exist");
    let e = app.event().for_group(&g).by(&staff).create().await;
    let member = app.member().create().await;
    g.admit(app, &member).await;
    let outsider = app.member().create().await;
    assert_eq!(app.call("GET", &e.api(""), &member, None).await.0, 200);
    assert_eq!(app.call("GET", &e.api(""), &outsider, None).await.0, 404);
    assert_eq!(app.call("POST", &e.api("/registration"), &outsider, None).await.0, 404);
    let mine = app.get_json(&format!("/api/v1/events?group={g}"), &member).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    let theirs = app.get_json("/api/v1/events", &outsider).await;
    assert!(theirs["items"].as_array().unwrap().is_empty());
    assert_eq!(app.call("POST", &e.api("/registration"), &member, None).await.0, 201);
}

/// Moves an event to start `started_ago` before now and end `ends_in` from now.
async fn move_event(app: &TestApp, e: &Event, started_ago: chrono::Duration, ends_in: chrono::Duration) {
    let id: uuid::Uuid = e.id.parse().unwrap();
    let now = Utc::now();
    let sql = "UPDATE events SET starts_at = $1, ends_at = $2 WHERE id = $3";
    app.exec(sql, kernel::params![now - started_ago, now + ends_in, id]).await;
}

async fn the_upcoming_list_holds_every_event_not_over_and_none_that_is(app: &TestApp) {
    let staff = app.staff_member().create().await;
    let member = app.member().create().await;
    let (days, hours) = (chrono::Duration::days, chrono::Duration::hours);
    // Under way: began almost the longest an event may last ago, ends within the hour.
    let under_way = app.event().titled("Two-week course").by(&staff).create().await;
    move_event(app, &under_way, days(13) + hours(23), chrono::Duration::minutes(30)).await;
    let over = app.event().titled("Over yesterday").by(&staff).create().await;
    move_event(app, &over, days(13), -days(1)).await;
    app.event().titled("Tomorrow").by(&staff).create().await;
    let titles = |v: serde_json::Value| -> Vec<String> {
        v["items"].as_array().unwrap().iter().map(|e| e["title"].as_str().unwrap().to_string()).collect()
    };
    let upcoming = titles(app.get_json("/api/v1/events", &member).await);
    assert_eq!(upcoming, vec!["Two-week course", "Tomorrow"], "in start order, none over");
    assert_eq!(titles(app.get_json("/api/v1/events?when=past", &member).await), vec!["Over yesterday"]);
    let page = app.get_text("/events", &member).await;
    assert!(page.contains("Two-week course") && page.contains("Tomorrow") && !page.contains("Over yesterday"));
    // One page at a time, the cursor goes on from the event under way.
    let first = app.get_json("/api/v1/events?limit=1", &member).await;
    assert_eq!(titles(first.clone()), vec!["Two-week course"]);
    let next = format!("/api/v1/events?limit=1&cursor={}", first["next_cursor"].as_str().unwrap());
    assert_eq!(titles(app.get_json(&next, &member).await), vec!["Tomorrow"]);
}
