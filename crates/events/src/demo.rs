//! A season of demo events: past ones with recordings, upcoming ones across kinds and
//! zones, and one full event with a waitlist.

use chrono::{Duration as ChronoDuration, Timelike, Utc};
use kernel::ids::MemberId;
use kernel::slice::DemoPeople;
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

pub(crate) async fn load(state: &AppState, people: &mut DemoPeople) -> anyhow::Result<()> {
    let (members, admin) = (&people.member_ids[..], people.admin()?);
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
    connexion(&tx, contracts::members::directory(state)?, members, admin, today).await?;
    tx.commit().await?;
    Ok(())
}

/// (day 0 or 1, start hour local, minutes, track 0 or 1, title, guest speaker, guest bio, awards ceremony)
type DemoSession = (i64, u32, i64, usize, &'static str, &'static str, &'static str, bool);

const CONNEXION: &[DemoSession] = &[
    (
        0,
        9,
        60,
        0,
        "Opening keynote: the power of lived experience",
        "Dr. Amara Osei",
        "Physician and lifelong patient advocate.",
        false,
    ),
    (
        0,
        10,
        60,
        1,
        "Patients as research partners",
        "Prof. Lena Fischer",
        "Leads a patient-partnered research lab.",
        false,
    ),
    (
        0,
        11,
        45,
        0,
        "Storytelling on social media without burning out",
        "Jordan Reyes",
        "Creator who writes about living with lupus.",
        false,
    ),
    (
        0,
        14,
        60,
        1,
        "What clinicians wish patients knew (and the other way round)",
        "Nurse Priya Iyer",
        "Specialist nurse in chronic pain.",
        false,
    ),
    (1, 9, 60, 0, "Advocacy that changes policy", "Kofi Mensah", "Campaigner for access to medicines.", false),
    (1, 10, 60, 1, "Data, privacy and your health story", "Sara Lindqvist", "Privacy engineer.", false),
    (1, 13, 60, 0, "Caregivers' circle", "Grace Walsh", "Caregiver and community organiser.", false),
    (1, 18, 90, 0, "The Social Health Awards", "The Social Health Network team", "", true),
];

async fn connexion(
    tx: &kernel::db::Tx,
    people: &dyn contracts::members::MemberDirectory,
    members: &[MemberId],
    admin: MemberId,
    today: chrono::DateTime<Utc>,
) -> anyhow::Result<()> {
    let zone = "America/Chicago";
    let first = (today + ChronoDuration::days(60)).date_naive();
    let id = Uuid::now_v7();
    let t = kernel::time::now();
    let year = chrono::Datelike::year(&first) as i64;
    kernel::db::exec(
        tx,
        "INSERT INTO conferences (id, name, year, description, starts_on, ends_on, time_zone, venue, online_url, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        params![
            id,
            format!("Connexion {year}"),
            year,
            "Two days of Health Leaders, researchers and clinicians learning from each other, ending with the Social Health Awards.",
            first.to_string(),
            (first + ChronoDuration::days(1)).to_string(),
            zone,
            "Chicago Riverside Conference Center",
            "https://connexion.example.org/live",
            t
        ],
    )
    .await?;
    let mut tracks = Vec::new();
    for (i, name) in ["Advocacy in action", "Research and care"].iter().enumerate() {
        let track = Uuid::now_v7();
        kernel::db::exec(
            tx,
            "INSERT INTO conference_tracks (id, conference_id, name, position) VALUES ($1, $2, $3, $4)",
            params![track, id, *name, i as i64],
        )
        .await?;
        tracks.push(track);
    }
    for (i, (name, cap)) in
        [("In person", Some(150i64)), ("Virtual", None), ("Complimentary", Some(20))].iter().enumerate()
    {
        kernel::db::exec(
            tx,
            "INSERT INTO ticket_types (id, conference_id, name, capacity, position) VALUES ($1, $2, $3, $4, $5)",
            params![Uuid::now_v7(), id, *name, *cap, i as i64],
        )
        .await?;
    }
    for (i, (day, hour, minutes, track, title, speaker, bio, awards)) in CONNEXION.iter().enumerate() {
        let local = format!("{}T{hour:02}:00:00", first + ChronoDuration::days(*day));
        let start = crate::time::to_instant(&local, zone).map_err(|e| anyhow::anyhow!(e.message()))?;
        let end = start + ChronoDuration::minutes(*minutes);
        let session = Uuid::now_v7();
        kernel::db::exec(
            tx,
            "INSERT INTO events (id, kind, title, description, starts_at, ends_at, time_zone, audience, capacity, join_url, recording_url, status, sequence, \
             conference_id, track_id, room, awards_ceremony, created_by, created_at, updated_at) \
             VALUES ($1, 'conference_session', $2, '', $3, $4, $5, 'public', NULL, $6, '', 'scheduled', 0, $7, $8, $9, $10, $11, $12, $12)",
            params![session, *title, start, end, zone, "https://connexion.example.org/live", id, tracks[*track], if *track == 0 { "Main hall" } else { "Room B" }, *awards, admin, t],
        )
        .await?;
        kernel::db::exec(
            tx,
            "INSERT INTO event_speakers (id, event_id, position, role, member_id, name, bio) VALUES ($1, $2, 0, 'speaker', NULL, $3, $4)",
            params![Uuid::now_v7(), session, *speaker, *bio],
        )
        .await?;
        if let Some(m) = members.get(i * 5) {
            let name = people.active_display_name(tx.into(), *m).await?.unwrap_or_else(|| "Health Leader".into());
            kernel::db::exec(
                tx,
                "INSERT INTO event_speakers (id, event_id, position, role, member_id, name, bio) VALUES ($1, $2, 1, 'panelist', $3, $4, '')",
                params![Uuid::now_v7(), session, *m, name],
            )
            .await?;
        }
    }
    Ok(())
}
