//! Members at scale, for the benchmark dataset (`shn demo --scale N`): at scale 1,
//! 100 000 members with profiles, stories and one to three conditions each. Conditions
//! are long-tailed, as in life: a few are common, most are rare.

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use kernel::bulk::{Loader, Table, long_tail, uuid_at};
use kernel::ids::MemberId;
use kernel::slice::ScaleRun;
use kernel::time::now;
use kernel::{AppState, params};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use crate::conditions::{self, Condition};
use crate::demo_data::*;

pub const MEMBERS_AT_SCALE_1: f64 = 100_000.0;

const MEMBER_COLUMNS: &[&str] = &[
    "id",
    "email",
    "password_hash",
    "email_verified_at",
    "display_name",
    "name_key",
    "pronouns",
    "member_type",
    "role",
    "status",
    "profile_completed_at",
    "story",
    "story_key",
    "country",
    "region",
    "languages",
    "time_zone",
    "vis_conditions",
    "vis_story",
    "created_at",
    "updated_at",
];

/// Adds `round(100 000 × scale)` members; returns their IDs, oldest first. They share the
/// demo password (one hash, computed once).
pub(crate) async fn load(state: &AppState, run: &mut ScaleRun) -> anyhow::Result<()> {
    let rng = &mut StdRng::seed_from_u64(run.seed + 1);
    let scale = run.scale;
    let count = kernel::bulk::scaled(MEMBERS_AT_SCALE_1, scale, 1);
    let all_conditions = conditions::all(&state.db).await?;
    anyhow::ensure!(!all_conditions.is_empty(), "conditions are not seeded; run `shn migrate` first");
    let hash = crate::password::hash(crate::demo::DEMO_PASSWORD, state.config.password_cost).await?;
    let existing: i64 = state.db.scalar("SELECT COUNT(*) FROM members", params![]).await?.unwrap_or(0);
    let batch = Batch { count, existing, t0: now(), hash, conditions: all_conditions };
    let mut load = Loader::new(&state.db).defer_indexes(&["members", "member_conditions"]).await?;
    let mut tables = MemberTables {
        members: Table::new("members", MEMBER_COLUMNS),
        member_conditions: Table::new("member_conditions", &["member_id", "condition_id", "name_key"]),
    };
    let mut ids = Vec::with_capacity(count);
    for i in 0..count {
        ids.push(add_member(&mut load, &mut tables, rng, &batch, i).await?);
    }
    load.finish(&mut [&mut tables.members, &mut tables.member_conditions]).await?;
    targets(state, run).await?;
    run.people = ids;
    Ok(())
}

/// What every generated member is made from.
struct Batch {
    /// How many members this load adds.
    count: usize,
    /// How many members there were before (for unique e-mail addresses).
    existing: i64,
    t0: DateTime<Utc>,
    /// The demo password's hash, shared by all.
    hash: String,
    conditions: Vec<Condition>,
}

/// The tables the members dataset fills.
struct MemberTables {
    members: Table,
    member_conditions: Table,
}

/// Member number `i`, with a profile, a story and one to three conditions; their id.
async fn add_member(
    load: &mut Loader<'_>,
    tables: &mut MemberTables,
    rng: &mut StdRng,
    b: &Batch,
    i: usize,
) -> anyhow::Result<MemberId> {
    let (count, all_conditions) = (b.count, &b.conditions);
    // Oldest first, spread over three years, so IDs and join dates agree.
    let created = b.t0 - ChronoDuration::minutes(((count - i) as i64) * 3 * 365 * 24 * 60 / count as i64 + 60);
    let id = MemberId(uuid_at(rng, created));
    let first = *FIRST_NAMES.choose(rng).unwrap_or(&"Sam");
    let last = *LAST_NAMES.choose(rng).unwrap_or(&"Lee");
    let name = format!("{first} {last}");
    let email =
        format!("scale{}.{}@scale.example.org", b.existing + i as i64, first.to_lowercase()).replace([' ', '\''], "");
    let member_type =
        *["patient", "patient", "patient", "caregiver", "caregiver", "healthcare_professional", "advocate"]
            .choose(rng)
            .unwrap_or(&"patient");
    let place = PLACES.choose(rng).expect("places");
    let region = place.regions.choose(rng).copied().unwrap_or("");
    let mut picked: Vec<usize> =
        (0..rng.random_range(1..=3)).map(|_| long_tail(rng, all_conditions.len(), 2)).collect();
    picked.sort_unstable();
    picked.dedup();
    let main = all_conditions[picked[0]].name.to_lowercase();
    let story = format!(
        "{}\n\n{}",
        STORY_OPENINGS.choose(rng).copied().unwrap_or("").replace("{condition}", &main).replace("{years}", "5"),
        STORY_ENDINGS.choose(rng).copied().unwrap_or("").replace("{condition}", &main)
    );
    let vis = if rng.random_bool(0.3) { "public" } else { "members" };
    load.row(
        &mut tables.members,
        params![
            id,
            email,
            b.hash.clone(),
            created,
            name.clone(),
            name.to_lowercase(),
            *PRONOUNS.choose(rng).unwrap_or(&""),
            member_type,
            "member",
            "active",
            created,
            story.clone(),
            story.to_lowercase(),
            place.country,
            region,
            place.languages.join(","),
            place.time_zone,
            vis,
            vis,
            created,
            created
        ],
    )
    .await?;
    for c in picked {
        load.child_row(
            &mut tables.member_conditions,
            &mut [&mut tables.members],
            params![id, all_conditions[c].id, name.to_lowercase()],
        )
        .await?;
    }
    Ok(id)
}

/// The demo member and admin, the sign-in the benchmark uses, and a moderately common
/// condition (the eleventh most common) for the directory filter.
async fn targets(state: &AppState, run: &mut ScaleRun) -> anyhow::Result<()> {
    let id_of = |email: &'static str| async move {
        state.db.scalar::<MemberId>("SELECT id FROM members WHERE email = $1", params![email]).await
    };
    run.demo_member = id_of(crate::demo::MEMBER_EMAIL).await?;
    run.admin = id_of(crate::demo::ADMIN_EMAIL).await?;
    // Conditions are long-tailed in the same order as `conditions::all`.
    let all = conditions::all(&state.db).await?;
    let condition = all.get(10).or(all.first()).ok_or_else(|| anyhow::anyhow!("no conditions"))?;
    run.targets.insert("member_email".into(), crate::demo::MEMBER_EMAIL.into());
    run.targets.insert("password".into(), crate::demo::DEMO_PASSWORD.into());
    run.targets.insert("condition_id".into(), condition.id.to_string().into());
    run.targets.insert("condition_name".into(), condition.name.clone().into());
    Ok(())
}
