//! Events at scale, for the benchmark dataset (`shn demo --scale N`): at scale 1, 5 000
//! events over three years (one in ten still to come) and 500 000 registrations, the
//! popular events drawing most of them.

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use kernel::bulk::{Loader, Table, long_tail, uuid_at};
use kernel::ids::MemberId;
use kernel::slice::ScaleRun;
use kernel::time::now;
use kernel::{AppState, params};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use uuid::Uuid;

const TOPICS: &[&str] = &[
    "Telling your health story",
    "Preparing for appointments",
    "Advocacy on social media",
    "Living well with a chronic condition",
    "Caregiver check-in",
    "Clinical trials explained",
    "Speaking at conferences",
    "Insurance and appeals",
];
const ZONES: &[&str] = &["America/New_York", "America/Los_Angeles", "Europe/London", "Europe/Berlin", "Asia/Kolkata"];

/// Adds `round(5 000 × scale)` events and `round(500 000 × scale)` registrations by `members`.
async fn load(
    state: &AppState,
    scale: f64,
    members: &[MemberId],
    admin: MemberId,
    rng: &mut StdRng,
) -> anyhow::Result<()> {
    anyhow::ensure!(!members.is_empty(), "no members to register");
    let event_count = kernel::bulk::scaled(5_000.0, scale, 5);
    let registration_count = kernel::bulk::scaled(500_000.0, scale, 10);
    let t0 = now();
    let mut load = Loader::new(&state.db).defer_indexes(&["registrations"]).await?;
    let mut tables = EventTables::new();
    let per_event = registrations_per_event(rng, event_count, registration_count);
    let kinds: Vec<&str> = crate::model::KINDS.iter().map(|(k, _)| *k).filter(|k| *k != "conference_session").collect();
    for (ei, &wanted) in per_event.iter().enumerate() {
        let (id, created) = add_event(&mut load, &mut tables, rng, &kinds, ei, admin, t0).await?;
        add_registrations(&mut load, &mut tables, rng, members, id, created, wanted).await?;
    }
    load.finish(&mut [&mut tables.events, &mut tables.registrations]).await?;
    Ok(())
}

/// The tables the events dataset fills.
struct EventTables {
    events: Table,
    registrations: Table,
}

impl EventTables {
    fn new() -> Self {
        let events = Table::new(
            "events",
            &[
                "id",
                "kind",
                "title",
                "description",
                "starts_at",
                "ends_at",
                "time_zone",
                "audience",
                "join_url",
                "status",
                "created_by",
                "created_at",
                "updated_at",
            ],
        );
        let registrations =
            Table::new("registrations", &["event_id", "member_id", "status", "position", "created_at", "updated_at"]);
        EventTables { events, registrations }
    }
}

/// How many registrations each event gets, long-tailed: the first events draw most.
fn registrations_per_event(rng: &mut StdRng, event_count: usize, registration_count: usize) -> Vec<usize> {
    let mut per_event = vec![0usize; event_count];
    for _ in 0..registration_count {
        per_event[long_tail(rng, event_count, 2)] += 1;
    }
    per_event
}

/// Event number `ei`: its id and when it was created.
async fn add_event(
    load: &mut Loader<'_>,
    tables: &mut EventTables,
    rng: &mut StdRng,
    kinds: &[&str],
    ei: usize,
    admin: MemberId,
    t0: DateTime<Utc>,
) -> anyhow::Result<(Uuid, DateTime<Utc>)> {
    // Nine in ten are past (up to three years ago), one in ten within the next six months.
    let starts = if ei.is_multiple_of(10) {
        t0 + ChronoDuration::hours(rng.random_range(1..180 * 24))
    } else {
        t0 - ChronoDuration::hours(rng.random_range(1..3 * 365 * 24))
    };
    let created = starts - ChronoDuration::days(30);
    let id = uuid_at(rng, created);
    let kind = *kinds.choose(rng).unwrap_or(&"webinar");
    let topic = TOPICS.choose(rng).copied().unwrap_or("Community call");
    load.row(
        &mut tables.events,
        params![
            id,
            kind,
            format!("{topic} #{ei}"),
            "An hour together, with time for questions.",
            starts,
            starts + ChronoDuration::minutes(60),
            *ZONES.choose(rng).unwrap_or(&"Europe/London"),
            if rng.random_bool(0.5) { "public" } else { "members" },
            format!("https://meet.example.org/scale-{ei}"),
            "scheduled",
            admin,
            created,
            created
        ],
    )
    .await?;
    Ok((id, created))
}

/// `wanted` registrations for event `id` (at most one per member).
async fn add_registrations(
    load: &mut Loader<'_>,
    tables: &mut EventTables,
    rng: &mut StdRng,
    members: &[MemberId],
    id: Uuid,
    created: DateTime<Utc>,
    wanted: usize,
) -> anyhow::Result<()> {
    // A run of consecutive members from a random start: distinct, and cheap to pick.
    let start = rng.random_range(0..members.len());
    for k in 0..wanted.min(members.len()) {
        let m = members[(start + k) % members.len()];
        let at = created + ChronoDuration::minutes(k as i64);
        load.child_row(
            &mut tables.registrations,
            &mut [&mut tables.events],
            params![id, m, "registered", (k + 1) as i64, at, at],
        )
        .await?;
    }
    Ok(())
}

/// This slice's part of the benchmark dataset, for the people the members slice made.
pub(crate) async fn run(state: &AppState, run: &mut ScaleRun) -> anyhow::Result<()> {
    use rand::SeedableRng;
    let people = run.people.clone();
    let admin = run.admin.ok_or_else(|| anyhow::anyhow!("the demo admin is missing"))?;
    load(state, run.scale, &people, admin, &mut StdRng::seed_from_u64(run.seed + 3)).await
}
