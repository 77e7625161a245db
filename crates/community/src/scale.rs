//! Discussions at scale, for the benchmark dataset (`shn demo --scale N`): at scale 1,
//! 300 groups (one in ten private), 100 000 threads and 1 000 000 replies, all indexed
//! for search. Both groups and replies are long-tailed: the first groups are the busiest,
//! and a handful of threads hold tens of thousands of replies while most hold few.

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use contracts::members::Condition;
use kernel::bulk::{Loader, Table, long_tail, uuid_at};
use kernel::ids::MemberId;
use kernel::markdown::RENDERER_VERSION;
use kernel::slice::ScaleRun;
use kernel::time::now;
use kernel::{AppState, params};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use serde::Serialize;
use uuid::Uuid;

use crate::demo::{BODIES, REPLIES, TITLES};

/// Pages and IDs the benchmark visits, found while generating.
#[derive(Debug, Clone, Serialize)]
pub struct Targets {
    /// The busiest open group (the demo member belongs to it).
    pub group_id: Uuid,
    /// A thread with 50 to 99 replies in an open group.
    pub thread_with_50_replies: Uuid,
    /// The thread with the most replies, and the cursor of its last page of 50.
    pub hot_thread: Uuid,
    pub hot_thread_replies: usize,
    pub hot_thread_last_page_cursor: String,
}

const REPLIES_PER_PAGE: usize = 50;
/// Groups the demo member belongs to: enough for a busy home feed.
const DEMO_MEMBER_GROUPS: usize = 10;

/// The tables the discussions dataset fills, and the loader that writes them.
struct Sink<'a> {
    load: Loader<'a>,
    groups: Table,
    group_members: Table,
    threads: Table,
    posts: Table,
    search: Table,
    /// The stored HTML of each text the dataset uses (see [`crate::post_html`]), rendered once.
    html: std::collections::HashMap<&'static str, String>,
}

impl<'a> Sink<'a> {
    async fn new(state: &'a AppState) -> anyhow::Result<Sink<'a>> {
        let load = Loader::new(&state.db).defer_indexes(&["group_members", "threads", "posts", "search_docs"]).await?;
        let groups = Table::new(
            "groups",
            &[
                "id",
                "slug",
                "name",
                "description",
                "rules",
                "visibility",
                "public_preview",
                "screening",
                "created_by",
                "created_at",
            ],
        );
        let group_members =
            Table::new("group_members", &["group_id", "member_id", "role", "status", "created_at", "decided_at"]);
        let threads = Table::new(
            "threads",
            &[
                "id",
                "group_id",
                "author_id",
                "title",
                "body",
                "reply_count",
                "created_at",
                "updated_at",
                "last_activity_at",
                "body_html",
                "body_html_v",
            ],
        );
        let posts = Table::new(
            "posts",
            &["id", "thread_id", "author_id", "body", "created_at", "updated_at", "body_html", "body_html_v"],
        );
        let search = Table::new("search_docs", &["doc_id", "kind", "thread_id", "group_id", "title", "body"]);
        let html = BODIES.iter().chain(REPLIES).map(|s| (*s, crate::post_html::of(s).html)).collect();
        Ok(Sink { load, groups, group_members, threads, posts, search, html })
    }

    /// The HTML to store for a dataset text.
    fn html_of(&self, markdown: &str) -> String {
        self.html.get(markdown).cloned().unwrap_or_else(|| crate::post_html::of(markdown).html)
    }

    /// One search document for a thread (`post` is the thread itself) or a reply.
    async fn index(
        &mut self,
        post: Uuid,
        kind: &str,
        thread: Uuid,
        group: Uuid,
        title: &str,
        text: &str,
    ) -> anyhow::Result<()> {
        let doc = params![post.to_string(), kind, thread.to_string(), group.to_string(), title, text];
        self.load.row(&mut self.search, doc).await?;
        Ok(())
    }

    async fn finish(mut self) -> anyhow::Result<()> {
        let tables =
            &mut [&mut self.groups, &mut self.group_members, &mut self.threads, &mut self.posts, &mut self.search];
        self.load.finish(tables).await?;
        Ok(())
    }
}

/// Adds `round(300 × scale)` groups, `round(100 000 × scale)` threads and
/// `round(1 000 000 × scale)` replies written by `members`; the demo member joins the
/// busiest open groups.
async fn load(
    state: &AppState,
    scale: f64,
    members: &[MemberId],
    demo_member: MemberId,
    admin: MemberId,
    rng: &mut StdRng,
) -> anyhow::Result<Targets> {
    anyhow::ensure!(!members.is_empty(), "no members to write discussions");
    let n = |base: f64, min: usize| kernel::bulk::scaled(base, scale, min);
    let (group_count, thread_count, reply_count) = (n(300.0, 3), n(100_000.0, 10), n(1_000_000.0, 100));
    let conditions = crate::people(state)?.conditions(&state.db).await?;
    let t0 = now();
    let mut sink = Sink::new(state).await?;
    let (group_ids, open_groups) = add_groups(&mut sink, rng, &conditions, group_count, admin, t0).await?;
    add_memberships(&mut sink, rng, members, &group_ids, &open_groups, demo_member, t0).await?;
    let replies_per_thread = replies_per_thread(rng, thread_count, reply_count);
    let busiest_open = open_groups[0];
    let mut thread_with_50 = None;
    let mut hot = (Uuid::nil(), 0usize, String::new());
    let world = World { conditions: &conditions, members, admin, group_ids: &group_ids, t0 };
    for (ti, &count) in replies_per_thread.iter().enumerate() {
        // The ten hottest threads live in the busiest open group; the rest spread long-tailed.
        let gi = if ti < 10 { busiest_open } else { long_tail(rng, group_count, 2) };
        let (id, last_page_cursor) = add_thread(&mut sink, rng, &world, gi, count, ti == 0).await?;
        if ti == 0 {
            hot = (id, count, last_page_cursor.unwrap_or_default());
        }
        if thread_with_50.is_none() && (REPLIES_PER_PAGE..2 * REPLIES_PER_PAGE).contains(&count) && gi % 10 != 9 {
            thread_with_50 = Some(id);
        }
    }
    sink.finish().await?;
    crate::search_index::key_loaded_docs(&state.db).await?;
    Ok(Targets {
        group_id: group_ids[busiest_open],
        thread_with_50_replies: thread_with_50.unwrap_or(hot.0),
        hot_thread: hot.0,
        hot_thread_replies: hot.1,
        hot_thread_last_page_cursor: hot.2,
    })
}

/// Groups: named after conditions, every tenth private; the admin owns them all. Their
/// ids, and the indexes of the open ones.
async fn add_groups(
    sink: &mut Sink<'_>,
    rng: &mut StdRng,
    conditions: &[Condition],
    group_count: usize,
    admin: MemberId,
    t0: DateTime<Utc>,
) -> anyhow::Result<(Vec<Uuid>, Vec<usize>)> {
    let mut group_ids = Vec::with_capacity(group_count);
    let mut open_groups = Vec::new();
    for gi in 0..group_count {
        let created = t0 - ChronoDuration::days(1100) + ChronoDuration::minutes(gi as i64);
        let id = uuid_at(rng, created);
        let topic = &conditions[gi % conditions.len()].name;
        let (name, visibility) = match gi % 10 {
            9 => (format!("{topic} Health Leaders circle {gi}"), "private"),
            _ => (format!("{topic} community {gi}"), "open"),
        };
        sink.load
            .row(
                &mut sink.groups,
                params![
                    id,
                    format!("scale-{gi}"),
                    name,
                    format!("Peer support for people affected by {}.", topic.to_lowercase()),
                    "Be kind. Share experience, not medical advice.",
                    visibility,
                    "teaser",
                    "[]",
                    admin,
                    created
                ],
            )
            .await?;
        sink.load
            .child_row(
                &mut sink.group_members,
                &mut [&mut sink.groups],
                params![id, admin, "owner", "active", created, created],
            )
            .await?;
        if visibility == "open" {
            open_groups.push(gi);
        }
        group_ids.push(id);
    }
    Ok((group_ids, open_groups))
}

/// Members join one to four groups, the busiest most often; the demo member joins the
/// busiest open ones.
async fn add_memberships(
    sink: &mut Sink<'_>,
    rng: &mut StdRng,
    members: &[MemberId],
    group_ids: &[Uuid],
    open_groups: &[usize],
    demo_member: MemberId,
    t0: DateTime<Utc>,
) -> anyhow::Result<()> {
    for (mi, m) in members.iter().enumerate() {
        let mut picked: Vec<usize> = (0..rng.random_range(1..=4)).map(|_| long_tail(rng, group_ids.len(), 2)).collect();
        picked.sort_unstable();
        picked.dedup();
        let joined = t0 - ChronoDuration::minutes((members.len() - mi) as i64);
        for gi in picked {
            sink.load
                .child_row(
                    &mut sink.group_members,
                    &mut [&mut sink.groups],
                    params![group_ids[gi], *m, "member", "active", joined, joined],
                )
                .await?;
        }
    }
    for &gi in open_groups.iter().take(DEMO_MEMBER_GROUPS) {
        sink.load
            .child_row(
                &mut sink.group_members,
                &mut [&mut sink.groups],
                params![group_ids[gi], demo_member, "member", "active", t0, t0],
            )
            .await?;
    }
    Ok(())
}

/// How many replies each thread gets: thread 0 is the hottest.
fn replies_per_thread(rng: &mut StdRng, thread_count: usize, reply_count: usize) -> Vec<usize> {
    let mut replies_per_thread = vec![0usize; thread_count];
    for _ in 0..reply_count {
        replies_per_thread[long_tail(rng, thread_count, 4)] += 1;
    }
    replies_per_thread
}

/// What every thread is written from.
struct World<'w> {
    conditions: &'w [Condition],
    members: &'w [MemberId],
    admin: MemberId,
    group_ids: &'w [Uuid],
    t0: DateTime<Utc>,
}

/// One thread in group `gi` with `count` replies, all indexed for search. Its id, and
/// (when `hottest`) the cursor of its last page of replies.
async fn add_thread(
    sink: &mut Sink<'_>,
    rng: &mut StdRng,
    w: &World<'_>,
    gi: usize,
    count: usize,
    hottest: bool,
) -> anyhow::Result<(Uuid, Option<String>)> {
    let (members, admin) = (w.members, w.admin);
    let group = w.group_ids[gi];
    let started = w.t0 - ChronoDuration::minutes(rng.random_range(60..2 * 365 * 24 * 60));
    let id = uuid_at(rng, started);
    let title = format!(
        "{} ({})",
        TITLES.choose(rng).copied().unwrap_or("Hello"),
        w.conditions[rng.random_range(0..w.conditions.len())].name
    );
    let body = BODIES.choose(rng).copied().unwrap_or("");
    let span = (w.t0 - started).num_seconds().max(1);
    let at =
        |j: usize| -> DateTime<Utc> { started + ChronoDuration::seconds(span * (j as i64 + 1) / (count as i64 + 2)) };
    let last_activity = if count == 0 { started } else { at(count - 1) };
    let author = *members.choose(rng).unwrap_or(&admin);
    let html = sink.html_of(body);
    sink.load
        .child_row(
            &mut sink.threads,
            &mut [&mut sink.groups],
            params![
                id,
                group,
                author,
                title.clone(),
                body,
                count as i64,
                started,
                started,
                last_activity,
                html,
                RENDERER_VERSION
            ],
        )
        .await?;
    sink.index(id, "thread", id, group, &title, body).await?;
    let mut last_page_cursor = None;
    for j in 0..count {
        let when = at(j);
        let post = uuid_at(rng, when);
        let text = REPLIES.choose(rng).copied().unwrap_or("");
        let html = sink.html_of(text);
        sink.load
            .child_row(
                &mut sink.posts,
                &mut [&mut sink.groups, &mut sink.threads],
                params![post, id, *members.choose(rng).unwrap_or(&admin), text, when, when, html, RENDERER_VERSION],
            )
            .await?;
        sink.index(post, "reply", id, group, &title, text).await?;
        if hottest && count > REPLIES_PER_PAGE && j == count - REPLIES_PER_PAGE - 1 {
            last_page_cursor = Some(kernel::page::encode(&(when, post)));
        }
    }
    Ok((id, last_page_cursor))
}

/// This slice's part of the benchmark dataset, for the people the members slice made.
pub(crate) async fn run(state: &AppState, run: &mut ScaleRun) -> anyhow::Result<()> {
    use rand::SeedableRng;
    let people = run.people.clone();
    let demo_member = run.demo_member.ok_or_else(|| anyhow::anyhow!("the demo member is missing"))?;
    let admin = run.admin.ok_or_else(|| anyhow::anyhow!("the demo admin is missing"))?;
    let targets = load(state, run.scale, &people, demo_member, admin, &mut StdRng::seed_from_u64(run.seed + 2)).await?;
    run.targets.insert("discussions".into(), serde_json::to_value(targets)?);
    // A word many posts contain, for search.
    run.targets.insert("search_term".into(), "appointment".into());
    Ok(())
}
