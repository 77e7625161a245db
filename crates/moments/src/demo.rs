//! Demo content for the moments. The demo member has just been diagnosed and marks it
//! themself (the browser journey does); the demo admin and three demo members have been
//! through a new diagnosis and offer support (some with the demo member's condition),
//! other demo members have been through the other moments or are at one now; and a few
//! resources, courses and discussions (found through the other areas' ports) carry
//! moments, so the moment home and the been-there page have something to show.

use kernel::AppState;
use kernel::ids::MemberId;
use kernel::params;
use kernel::slice::DemoPeople;
use kernel::time::now;
use kernel::viewer::{Member, Role, Viewer};
use uuid::Uuid;

use crate::model::MOMENTS;

async fn mark(
    state: &AppState,
    member: MemberId,
    stage: &str,
    moment: &str,
    condition: Option<Uuid>,
) -> anyhow::Result<()> {
    state
        .db
        .exec(
            "INSERT INTO moment_marks (member_id, stage, moment, condition_id, marked_at) VALUES ($1, $2, $3, $4, $5)",
            params![member, stage, moment, condition, now()],
        )
        .await?;
    Ok(())
}

/// Stores a member's settings unless they have some; whether they were new.
async fn settings(state: &AppState, member: MemberId, been_through: &str, available: bool) -> anyhow::Result<bool> {
    Ok(state
        .db
        .exec(
            "INSERT INTO moment_settings (member_id, now_visibility, been_through_visibility, available_to_support, updated_at) \
             VALUES ($1, 'members', $2, $3, $4) ON CONFLICT (member_id) DO NOTHING",
            params![member, been_through, available, now()],
        )
        .await?
        == 1)
}

pub(crate) async fn load(state: &AppState, people: &mut DemoPeople) -> anyhow::Result<()> {
    let Some((&demo, others)) = people.member_ids.split_first() else { return Ok(()) };
    let directory = contracts::members::directory(state)?;
    let shown = directory.shared_conditions((&state.db).into(), &people.member_ids).await?;
    let first = |m: &MemberId| shown.get(m).and_then(|c| c.first().copied());
    // The demo member marks their own moment (the browser journey does).
    let demo_condition = first(&demo);
    // The demo admin has been through a new diagnosis and offers support, with three
    // demo members; the other volunteers have been through the other moments. So a
    // request about a new diagnosis reaches the admin (at most N are asked).
    let admin = people.admin()?;
    if settings(state, admin, "members", true).await? {
        mark(state, admin, "been_through", "new_diagnosis", None).await?;
    }
    for (i, m) in others.iter().enumerate() {
        let other_moment = MOMENTS[1 + i % (MOMENTS.len() - 1)].0;
        match i % 4 {
            // Volunteers: been through a moment, with the demo member's condition when they share it.
            0 | 1 => {
                let condition = if shown.get(m).is_some_and(|c| demo_condition.is_some_and(|d| c.contains(&d))) {
                    demo_condition
                } else {
                    first(m)
                };
                let been = if i % 4 == 0 && i < 12 { "new_diagnosis" } else { other_moment };
                settings(state, *m, if i % 8 == 0 { "public" } else { "members" }, true).await?;
                mark(state, *m, "been_through", been, condition).await?;
            }
            // At a moment now.
            2 => {
                settings(state, *m, "members", false).await?;
                mark(state, *m, "now", MOMENTS[i % MOMENTS.len()].0, first(m)).await?;
            }
            _ => {}
        }
    }
    tag_content(state, people.admin()?).await
}

/// Tags a few resources, courses and discussions, found through the other areas' ports.
async fn tag_content(state: &AppState, admin: MemberId) -> anyhow::Result<()> {
    let viewer = Viewer::Member(Member {
        id: admin,
        display_name: "Demo Admin".into(),
        role: Role::Admin,
        health_leader: false,
    });
    let err = |e: kernel::AppError| anyhow::anyhow!("{e}");
    let mut tags: Vec<(String, Uuid, &str)> = Vec::new();
    for (q, moment) in [
        ("story", "new_diagnosis"),
        ("caregiver", "caring"),
        ("clinical trial", "learning_treatment"),
        ("social media", "long_term"),
    ] {
        for hit in contracts::learning::search(state, &viewer, q, 3).await.map_err(err)? {
            if let Some(id) = hit.url.rsplit('/').next().and_then(|s| s.parse().ok()) {
                tags.push((hit.kind.clone(), id, moment));
            }
        }
    }
    let feed = contracts::home::latest(state, &viewer, 6).await.map_err(err)?;
    for (i, item) in feed.iter().enumerate() {
        if let Some(id) = item.href.strip_prefix("/threads/").and_then(|s| s.parse().ok()) {
            tags.push(("thread".into(), id, if i % 2 == 0 { "new_diagnosis" } else { "long_term" }));
        }
    }
    for (kind, id, moment) in tags {
        if !crate::tags::KINDS.iter().any(|(k, _)| *k == kind) {
            continue;
        }
        state
            .db
            .exec(
                "INSERT INTO moment_tags (content_kind, content_id, moment, tagged_by, tagged_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (content_kind, content_id, moment) DO NOTHING",
                params![kind, id, moment, admin, now()],
            )
            .await?;
    }
    Ok(())
}
