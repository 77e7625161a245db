//! A lively demo community: the private Health Leaders group and condition groups,
//! with members, discussions and replies.

use chrono::Duration as ChronoDuration;
use kernel::ids::MemberId;
use kernel::markdown::RENDERER_VERSION;
use kernel::slice::DemoPeople;
use kernel::time::now;
use kernel::{AppState, params};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

/// (name, visibility, description, screening questions)
const GROUPS: &[(&str, &str, &str, &[&str])] = &[
    (
        "Health Leaders",
        "private",
        "The private home of verified Health Leaders: opportunities, prompts and candid conversation.",
        &[
            "Are you a patient, caregiver or healthcare professional?",
            "Which conditions do you advocate for?",
            "Why do you advocate?",
        ],
    ),
    ("Migraine", "open", "Peer support for people living with migraine and their families.", &[]),
    ("Multiple Sclerosis", "open", "Sharing what helps with MS, from diagnosis onwards.", &[]),
    ("Type 2 Diabetes", "open", "Food, movement, medication and everything in between.", &[]),
    ("Lung Cancer", "open", "For people affected by lung cancer, at every stage.", &[]),
    ("Caregivers", "open", "For those who care for someone: you matter too.", &[]),
];

pub(crate) const TITLES: &[&str] = &[
    "What helped you most in your first month after diagnosis?",
    "How do you explain invisible symptoms at work?",
    "Tips for preparing for a specialist appointment",
    "Anyone tried keeping a symptom diary app?",
    "Small wins this week",
    "How do you handle unsolicited advice?",
    "Travelling with medication: what to know",
    "Finding a clinician who listens",
    "Talking to kids about a chronic condition",
    "Pacing: how do you plan your energy?",
    "Sharing our stories online safely",
    "What do you wish your friends understood?",
    "Insurance appeals: what worked for you",
    "Sleep: what helps on bad nights?",
    "Advocacy opportunities this month",
];

pub(crate) const BODIES: &[&str] = &[
    "I'd love to hear what has worked for others. For me, **writing things down** before appointments made a real difference.",
    "This week was hard, but I'm trying to notice the small good things. How is everyone doing?",
    "I've been thinking about this a lot lately and would value your perspectives.",
    "Sharing in case it helps someone: asking for a summary at the end of an appointment changed everything for me.",
    "New here and grateful to have found this space. Any advice for a newcomer?",
];

pub(crate) const REPLIES: &[&str] = &[
    "Thank you for sharing this. I felt the same way at first.",
    "Me too! Keeping notes on my phone has helped a lot.",
    "Sending support. You're not alone in this.",
    "My nurse suggested bringing a friend to appointments, which really helped.",
    "I found it useful to set one small goal each day.",
    "This is such a good question. Following along.",
    "It took me a long time to learn to say no, and I'm still learning.",
    "Have you tried asking for a longer appointment? Some clinics allow it.",
    "Our local patient group runs sessions on exactly this.",
    "Thank you, this thread made my day a little lighter.",
];

/// A demo post's HTML, stored as a member's would be (see [`crate::post_html`]).
fn html(markdown: &str) -> String {
    crate::post_html::of(markdown).html
}

pub(crate) async fn load(state: &AppState, people: &mut DemoPeople) -> anyhow::Result<()> {
    let (members, admin) = (&people.member_ids[..], people.admin()?);
    let have: i64 = state.db.scalar("SELECT COUNT(*) FROM groups", params![]).await?.unwrap_or(0);
    if have > 0 || members.is_empty() {
        return Ok(());
    }
    let mut rng = StdRng::seed_from_u64(7);
    let t0 = now();
    let tx = state.db.begin().await?;
    for (gi, (name, visibility, description, screening)) in GROUPS.iter().enumerate() {
        let id = Uuid::now_v7();
        let slug = format!("{}-{gi}", name.to_lowercase().replace(' ', "-"));
        kernel::db::exec(
            &tx,
            "INSERT INTO groups (id, slug, name, description, rules, visibility, public_preview, screening, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'teaser', $7, $8, $9)",
            params![id, slug, *name, *description, "Be kind. Share experience, not medical advice. Keep what is said here in here.", *visibility,
                    serde_json::to_string(screening).unwrap_or_default(), admin, t0],
        )
        .await?;
        kernel::db::exec(
            &tx,
            "INSERT INTO group_members (group_id, member_id, role, status, created_at, decided_at) VALUES ($1, $2, 'owner', 'active', $3, $3)",
            params![id, admin, t0],
        )
        .await?;
        // The demo member (the first) stays outside private groups, so a first visit can
        // show how asking to join works.
        let eligible: Vec<MemberId> =
            if *visibility == "open" { members.to_vec() } else { members.iter().skip(1).copied().collect() };
        let joined: Vec<MemberId> = eligible.choose_multiple(&mut rng, (members.len() / 3).max(2)).copied().collect();
        for m in &joined {
            kernel::db::exec(
                &tx,
                "INSERT INTO group_members (group_id, member_id, role, status, created_at, decided_at) VALUES ($1, $2, 'member', 'active', $3, $3) \
                 ON CONFLICT (group_id, member_id) DO NOTHING",
                params![id, *m, t0],
            )
            .await?;
        }
        if *visibility == "private" && gi == 0 {
            // This week's staff-run Health Leader discussion, pinned until it closes.
            let prompt = Uuid::now_v7();
            let title = "Health Leader discussion: what does advocacy look like for you this month?";
            let body = "Share one thing you did, or want to do, to speak up for your community. Small steps count.";
            kernel::db::exec(
                &tx,
                "INSERT INTO threads (id, group_id, author_id, title, body, opens_at, closes_at, created_at, updated_at, last_activity_at, body_html, body_html_v) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $6, $6, $6, $8, $9)",
                params![prompt, id, admin, title, body, t0 - ChronoDuration::days(1), t0 + ChronoDuration::days(6), html(body), RENDERER_VERSION],
            )
            .await?;
            crate::search_index::index(
                &tx,
                &crate::search_index::Doc { id: prompt, kind: "thread", thread_id: prompt, group_id: id, title, body },
            )
            .await?;
            // The prompt is about living with a condition long term (threads started
            // while it is open carry that moment too).
            let moments = ["long_term".to_string()];
            contracts::moments::replace_tags((&tx).into(), state, "thread", prompt, &moments, admin).await?;
        }
        for ti in 0..12 {
            let thread = Uuid::now_v7();
            let author = *joined.choose(&mut rng).unwrap_or(&admin);
            let started = t0 - ChronoDuration::hours(rng.random_range(1..24 * 40));
            let n_replies = rng.random_range(2..9);
            let mut last = started;
            let title = TITLES[(gi * 5 + ti) % TITLES.len()];
            let body = *BODIES.choose(&mut rng).unwrap_or(&"");
            kernel::db::exec(
                &tx,
                "INSERT INTO threads (id, group_id, author_id, title, body, reply_count, created_at, updated_at, last_activity_at, body_html, body_html_v) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7, $8, $9)",
                params![thread, id, author, title, body, n_replies as i64, started, html(body), RENDERER_VERSION],
            )
            .await?;
            crate::search_index::index(
                &tx,
                &crate::search_index::Doc { id: thread, kind: "thread", thread_id: thread, group_id: id, title, body },
            )
            .await?;
            if ti == 0 {
                // Each group's first demo thread is tagged by its own author;
                // in the group with the open prompt, the second inherits the prompt's.
                let own = Some(vec!["new_diagnosis".to_string()]);
                crate::thread_moments::tag_new((&tx).into(), state, id, thread, own, author).await?;
            } else if ti == 1 && *visibility == "private" && gi == 0 {
                crate::thread_moments::tag_new((&tx).into(), state, id, thread, None, author).await?;
            }
            for _ in 0..n_replies {
                last += ChronoDuration::minutes(rng.random_range(5..600));
                let post = Uuid::now_v7();
                let text = *REPLIES.choose(&mut rng).unwrap_or(&"");
                kernel::db::exec(
                    &tx,
                    "INSERT INTO posts (id, thread_id, author_id, body, created_at, updated_at, body_html, body_html_v) \
                     VALUES ($1, $2, $3, $4, $5, $5, $6, $7)",
                    params![post, thread, *joined.choose(&mut rng).unwrap_or(&admin), text, last, html(text), RENDERER_VERSION],
                )
                .await?;
                crate::search_index::index(
                    &tx,
                    &crate::search_index::Doc {
                        id: post,
                        kind: "reply",
                        thread_id: thread,
                        group_id: id,
                        title,
                        body: text,
                    },
                )
                .await?;
            }
            kernel::db::exec(
                &tx,
                "UPDATE threads SET last_activity_at = $1 WHERE id = $2",
                params![last.min(t0), thread],
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
