//! A season of demo events: past ones with recordings, upcoming ones across kinds and
//! zones, and one full event with a waitlist.

use chrono::{Duration as ChronoDuration, Timelike, Utc};
use kernel::ids::MemberId;
use kernel::{AppState, params};
use uuid::Uuid;

/// (kind, title, description, days from now, hour (UTC), minutes long, zone, capacity, audience)
type DemoEvent = (&'static str, &'static str, &'static str, i64, u32, i64, &'static str, Option<i64>, &'static str);

const SEASON: &[DemoEvent] = &[
    (
        "webinar",
        "Telling your health story on social media",
        "A practical hour on **sharing safely**: what to post, what to keep private, and how to handle comments.",
        -40,
        17,
        60,
        "America/New_York",
        Some(300),
        "public",
    ),
    (
        "panel",
        "Caregivers on caregiving",
        "Four caregivers talk about the hidden work of care, with time for questions.",
        -21,
        15,
        75,
        "Europe/London",
        None,
        "members",
    ),
    (
        "training_call",
        "Health Leader onboarding call",
        "New Health Leaders meet the team and learn how opportunities work.",
        -7,
        16,
        45,
        "Europe/London",
        Some(40),
        "health_leaders",
    ),
    (
        "webinar",
        "Working with researchers: patient partners in trials",
        "How patients shape research questions, consent forms and results.",
        3,
        17,
        60,
        "America/Chicago",
        Some(200),
        "members",
    ),
    (
        "networking",
        "Virtual networking: chronic pain",
        "Three short rounds of small-group conversations. Come as you are.",
        6,
        18,
        60,
        "America/Los_Angeles",
        Some(40),
        "members",
    ),
    (
        "live_discussion",
        "Live discussion: navigating insurance appeals",
        "Bring your questions and your wins.",
        9,
        19,
        60,
        "America/New_York",
        None,
        "members",
    ),
    (
        "panel",
        "Clinicians and patients: better appointments",
        "A panel of nurses, doctors and patients on preparing for appointments.",
        14,
        14,
        90,
        "Europe/Berlin",
        Some(5),
        "public",
    ),
    (
        "training_call",
        "Storytelling workshop",
        "Small-group practice on telling your story in two minutes.",
        20,
        9,
        90,
        "Asia/Kolkata",
        Some(12),
        "health_leaders",
    ),
];

pub async fn load(state: &AppState, members: &[MemberId], admin: MemberId) -> anyhow::Result<()> {
    let have: i64 = state.db.scalar("SELECT COUNT(*) FROM events", params![]).await?.unwrap_or(0);
    if have > 0 {
        return Ok(());
    }
    let today = Utc::now()
        .with_minute(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or_else(Utc::now);
    let tx = state.db.begin().await?;
    for (i, (kind, title, description, days, hour, minutes, zone, capacity, audience)) in SEASON.iter().enumerate() {
        let start = (today + ChronoDuration::days(*days)).with_hour(*hour).unwrap_or(today);
        let end = start + ChronoDuration::minutes(*minutes);
        let id = Uuid::now_v7();
        let recording =
            if *days < 0 { format!("https://video.example.org/recordings/{}", i + 1) } else { String::new() };
        kernel::db::exec(
            &tx,
            "INSERT INTO events (id, kind, title, description, starts_at, ends_at, time_zone, audience, capacity, join_url, recording_url, status, sequence, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'scheduled', 0, $12, $13, $13)",
            params![id, *kind, *title, *description, start, end, *zone, *audience, *capacity, format!("https://meet.example.org/shn-{}", i + 1), recording, admin, kernel::time::now()],
        )
        .await?;
        // Registrations: the small panel fills up and gathers a waitlist.
        let wanted = match capacity {
            Some(5) => 8,
            Some(c) => (*c as usize / 4).min(members.len()),
            None => 12.min(members.len()),
        };
        for (pos, m) in members.iter().skip(i * 7 % members.len().max(1)).chain(members.iter()).take(wanted).enumerate()
        {
            let status = if capacity.is_some_and(|c| pos as i64 >= c) { "waitlisted" } else { "registered" };
            let attended = (*days < 0 && pos % 3 != 0).then_some(end);
            kernel::db::exec(
                &tx,
                "INSERT INTO registrations (event_id, member_id, status, position, created_at, updated_at, attended_at) VALUES ($1, $2, $3, $4, $5, $5, $6) \
                 ON CONFLICT (event_id, member_id) DO NOTHING",
                params![id, *m, status, pos as i64 + 1, kernel::time::now(), attended],
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
