//! Demo members: a realistic, deterministic community for a first run.

use chrono::Duration as ChronoDuration;
use kernel::db;
use kernel::ids::MemberId;
use kernel::slice::DemoPeople;
use kernel::time::now;
use kernel::{AppState, params};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crate::demo_data::*;
use crate::model::MemberType;
use crate::{conditions, password};

pub const DEMO_PASSWORD: &str = "demo-health-leader";
pub const ADMIN_EMAIL: &str = "admin@demo.example.org";
pub const MEMBER_EMAIL: &str = "member@demo.example.org";

/// Adds `count` demo members (plus a demo admin and a demo member with known logins).
/// The same seed gives the same people, so screenshots and tests stay stable.
pub(crate) async fn load(state: &AppState, people: &mut DemoPeople) -> anyhow::Result<()> {
    let count = people.count;
    let all_conditions = conditions::all(&state.db).await?;
    anyhow::ensure!(!all_conditions.is_empty(), "conditions are not seeded; run `shn migrate` first");
    // One hash for every demo account: they share the demo password.
    let hash = password::hash(DEMO_PASSWORD, state.config.password_cost).await?;
    // A second load adds new people next to the first ones instead of colliding.
    let existing: i64 = state.db.scalar("SELECT COUNT(*) FROM members", params![]).await?.unwrap_or(0);
    let fixed_exist: i64 =
        state.db.scalar("SELECT COUNT(*) FROM members WHERE email = $1", params![ADMIN_EMAIL]).await?.unwrap_or(0);
    let first_index = if fixed_exist > 0 { 2 } else { 0 };
    let mut rng = StdRng::seed_from_u64(2026 + existing as u64);
    let t0 = now();
    let tx = state.db.begin().await?;
    let mut member_ids = Vec::with_capacity(count + 1);
    for i in first_index..count + 2 {
        let id = MemberId::new();
        if i > 0 {
            member_ids.push(id);
        }
        let first = *FIRST_NAMES.choose(&mut rng).unwrap_or(&"Sam");
        let last = *LAST_NAMES.choose(&mut rng).unwrap_or(&"Lee");
        let (email, name, role) = match i {
            0 => (ADMIN_EMAIL.to_string(), "Demo Admin".to_string(), "admin"),
            1 => (MEMBER_EMAIL.to_string(), format!("{first} {last}"), "member"),
            _ => (
                format!("{}.{}.{}@demo.example.org", first.to_lowercase(), last.to_lowercase(), i as i64 + existing)
                    .replace([' ', '\''], ""),
                format!("{first} {last}"),
                "member",
            ),
        };
        let member_type = match rng.random_range(0..10) {
            0..=4 => MemberType::Patient,
            5..=6 => MemberType::Caregiver,
            7..=8 => MemberType::HealthcareProfessional,
            _ => MemberType::Advocate,
        };
        let place = PLACES.choose(&mut rng).expect("places");
        let region = place.regions.choose(&mut rng).copied().unwrap_or("");
        let n_conditions = rng.random_range(1..=3);
        let picked: Vec<&conditions::Condition> = all_conditions.choose_multiple(&mut rng, n_conditions).collect();
        let main = picked.first().map(|c| c.name.to_lowercase()).unwrap_or_default();
        let years = rng.random_range(2..=20).to_string();
        let fill = |s: &str| s.replace("{condition}", &main).replace("{years}", &years);
        let opening = match member_type {
            MemberType::Caregiver => CAREGIVER_OPENINGS.choose(&mut rng),
            MemberType::HealthcareProfessional => PROFESSIONAL_OPENINGS.choose(&mut rng),
            _ => STORY_OPENINGS.choose(&mut rng),
        }
        .copied()
        .unwrap_or("");
        let story = format!(
            "{}\n\n{}\n\n{}",
            fill(opening),
            fill(STORY_MIDDLES.choose(&mut rng).copied().unwrap_or("")),
            fill(STORY_ENDINGS.choose(&mut rng).copied().unwrap_or(""))
        );
        let vis = |rng: &mut StdRng| if rng.random_bool(0.3) { "public" } else { "members" };
        let created = t0 - ChronoDuration::days(rng.random_range(1..900));
        let pronouns = PRONOUNS.choose(&mut rng).copied().unwrap_or("");
        let languages = place.languages.join(",");
        let (v1, v2, v3, v4) = (vis(&mut rng), vis(&mut rng), vis(&mut rng), vis(&mut rng));
        let leader = (i > 1 && rng.random_bool(0.25)).then_some(created + ChronoDuration::days(30));
        db::exec(
            &tx,
            "INSERT INTO members (id, email, password_hash, email_verified_at, display_name, name_key, pronouns, member_type, role, status, \
             health_leader_since, profile_completed_at, story, story_key, country, region, languages, time_zone, vis_pronouns, vis_member_type, vis_conditions, \
             vis_story, vis_channels, vis_location, vis_languages, vis_avatar, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $4, $11, $12, $13, $14, $15, $16, 'public', $17, $18, $19, $20, 'public', 'members', 'members', $4, $4)",
            params![
                id, email, hash.clone(), created, name.clone(), name.to_lowercase(), pronouns, member_type.as_str(), role, leader,
                story.clone(), story.to_lowercase(), place.country, region, languages, place.time_zone, v1, v2, v3, v4
            ],
        )
        .await?;
        let condition_ids: Vec<Uuid> = picked.iter().map(|c| c.id).collect();
        crate::profile::set_conditions(&tx, id, &condition_ids).await?;
        let n_channels = rng.random_range(0..=2);
        for (pos, (platform, prefix)) in PLATFORMS.choose_multiple(&mut rng, n_channels).enumerate() {
            let handle = format!("{}{}", first.to_lowercase(), rng.random_range(10..999));
            let url = if prefix.ends_with("://") {
                format!("{prefix}{handle}.example.org")
            } else {
                format!("{prefix}{handle}")
            };
            let audience: i64 = (10f64.powf(rng.random_range(1.5..5.5))) as i64;
            db::exec(
                &tx,
                "INSERT INTO member_channels (id, member_id, platform, handle, url, audience_size, position) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                params![Uuid::now_v7(), id, *platform, handle, url, audience, pos as i32],
            )
            .await?;
        }
    }
    tx.commit().await?;
    let admin_id: MemberId = state
        .db
        .scalar("SELECT id FROM members WHERE email = $1", params![ADMIN_EMAIL])
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo admin is missing"))?;
    people.member_ids = member_ids;
    people.admin_id = Some(admin_id);
    people.logins = vec![(ADMIN_EMAIL.to_string(), "admin"), (MEMBER_EMAIL.to_string(), "member")];
    people.password = DEMO_PASSWORD.to_string();
    Ok(())
}
