//! Each community access rule is written twice, in Rust and in SQL (see
//! `community::policy`). These tests set up every case in a real database, on SQLite
//! and on PostgreSQL, ask both forms and require the same answer.

use chrono::{DateTime, Duration, TimeZone, Utc};
use community::policy::group_read::{self, Asker, Standing};
use community::policy::live_threads::{self, Timing};
use kernel::db::Db;
use kernel::ids::MemberId;
use kernel::params;
use kernel::viewer::{Member, Role, Viewer};
use migration::testing::{counts_any, on_both_backends};
use uuid::Uuid;

/// Every kind of viewer the site has.
fn viewers() -> Vec<(&'static str, Viewer)> {
    let m = |role: Role, health_leader: bool| {
        Viewer::Member(Member { id: MemberId::new(), display_name: "V".into(), role, health_leader })
    };
    vec![
        ("anonymous", Viewer::Anonymous),
        ("member", m(Role::Member, false)),
        ("health leader", m(Role::Member, true)),
        ("moderator role", m(Role::Moderator, false)),
        ("staff", m(Role::Staff, false)),
        ("admin", m(Role::Admin, false)),
    ]
}

/// Every membership state the schema holds, as (role, status); `None` is no row. The
/// last is a status the code does not know (it must count as no membership).
const MEMBERSHIPS: [Option<(&str, &str)>; 8] = [
    None,
    Some(("member", "pending")),
    Some(("member", "active")),
    Some(("moderator", "active")),
    Some(("owner", "active")),
    Some(("member", "banned")),
    Some(("moderator", "banned")),
    Some(("member", "left")),
];
const VISIBILITIES: [&str; 3] = ["open", "private", "hidden"];
const PREVIEWS: [&str; 3] = ["none", "teaser", "all"];

#[derive(sea_orm::FromQueryResult)]
struct MembershipRow {
    role: String,
    status: String,
}

async fn group_readability_agrees(db: &Db) {
    let viewers = viewers();
    let t = Utc::now();
    let mut cases = 0;
    let mut seen = std::collections::HashSet::new();
    for vis in VISIBILITIES {
        for preview in PREVIEWS {
            for membership in MEMBERSHIPS {
                // One group per case; every signed-in viewer has `membership` in it.
                let g = Uuid::now_v7();
                db.exec(
                    "INSERT INTO groups (id, slug, name, visibility, public_preview, created_at) VALUES ($1, $2, 'G', $3, $4, $5)",
                    params![g, g.simple().to_string(), vis, preview, t],
                )
                .await
                .unwrap();
                for (kind, viewer) in &viewers {
                    let Some(me) = viewer.id() else { continue };
                    if let Some((role, status)) = membership {
                        db.exec(
                            "INSERT INTO group_members (group_id, member_id, role, status, created_at) VALUES ($1, $2, $3, $4, $5)",
                            params![g, me, role, status, t],
                        )
                        .await
                        .unwrap();
                    }
                    let n = Uuid::now_v7();
                    db.exec(
                        "INSERT INTO notifications (id, member_id, kind, group_id, text, url, dedupe_key, created_at) \
                         VALUES ($1, $2, 'mention', $3, 'x', '/x', $4, $5)",
                        params![n, me, g, n.to_string(), t],
                    )
                    .await
                    .unwrap_or_else(|e| panic!("{kind}: {e}"));
                }
                for (kind, viewer) in &viewers {
                    let asker = Asker::of(viewer);
                    // The Rust form, from the stored row as the pages read it.
                    let row: Option<MembershipRow> = match viewer.id() {
                        Some(me) => db
                            .one(
                                "SELECT role, status FROM group_members WHERE group_id = $1 AND member_id = $2",
                                params![g, me],
                            )
                            .await
                            .unwrap(),
                        None => None,
                    };
                    let standing = Standing::of(row.as_ref().map(|r| (r.role.as_str(), r.status.as_str())));
                    let rust = group_read::decide(asker, vis, preview, standing);
                    // The SQL forms, run in a SELECT.
                    let (values, me) = match viewer.id() {
                        Some(me) => (params![g, me], "$2"),
                        None => (params![g], "$0"),
                    };
                    let see = counts_any(
                        db,
                        &format!(
                            "SELECT COUNT(*) FROM groups g WHERE g.id = $1 AND {}",
                            group_read::see_sql(asker, "g", me)
                        ),
                        values.clone(),
                    )
                    .await;
                    let read = counts_any(
                        db,
                        &format!(
                            "SELECT COUNT(*) FROM groups g WHERE g.id = $1 AND {}",
                            group_read::read_sql(asker, "g", me)
                        ),
                        values,
                    )
                    .await;
                    let case = format!("{kind} in a {vis} group (preview {preview}) with membership {membership:?}");
                    assert_eq!(rust.see_group, see, "may know of the group: {case}");
                    assert_eq!(rust.read, read, "may read the group: {case}");
                    if let Some(me) = viewer.id() {
                        // Notifications, unread counts and digests ask as the recipient.
                        let still = counts_any(
                            db,
                            &format!(
                                "SELECT COUNT(*) FROM notifications n WHERE n.member_id = $1 AND n.group_id = $2 AND {}",
                                group_read::still_readable_sql("$1")
                            ),
                            params![me, g],
                        )
                        .await;
                        assert_eq!(rust.read, still, "a notification about the group still shows: {case}");
                    }
                    seen.insert((rust.see_group, rust.read));
                    cases += 1;
                }
            }
        }
    }
    assert_eq!(cases, VISIBILITIES.len() * PREVIEWS.len() * MEMBERSHIPS.len() * viewers.len());
    assert_eq!(seen.len(), 3, "the cases reach every outcome (unknown, known, read)");
}

#[tokio::test]
async fn group_readability_in_rust_and_sql_agrees_for_every_viewer_group_and_membership_on_both_backends() {
    on_both_backends(group_readability_agrees).await;
}

/// A named case: when a thread opens and closes.
type Window = (&'static str, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// Times around a thread's window, relative to `at`.
fn windows(at: DateTime<Utc>) -> Vec<Window> {
    let h = Duration::hours(1);
    vec![
        ("no window", None, None),
        ("before the window", Some(at + h), Some(at + h * 2)),
        ("at the opening", Some(at), Some(at + h)),
        ("within the window", Some(at - h), Some(at + h)),
        ("at the close", Some(at - h), Some(at)),
        ("after the window", Some(at - h * 2), Some(at - h)),
        ("opened, no close", Some(at - h), None),
        ("not opened, no close", Some(at + h), None),
    ]
}

async fn live_threads_agree(db: &Db) {
    let at = Utc.with_ymd_and_hms(2027, 3, 1, 12, 0, 0).unwrap();
    let g = Uuid::now_v7();
    db.exec(
        "INSERT INTO groups (id, slug, name, visibility, created_at) VALUES ($1, 'g', 'G', 'open', $2)",
        params![g, at],
    )
    .await
    .unwrap();
    let mut cases = 0;
    for (when, opens_at, closes_at) in windows(at) {
        for pinned in [false, true] {
            for locked in [false, true] {
                let id = Uuid::now_v7();
                db.exec(
                    "INSERT INTO threads (id, group_id, author_id, title, body, pinned, locked, opens_at, closes_at, created_at, updated_at, last_activity_at) \
                     VALUES ($1, $2, $3, 'T', 'B', $4, $5, $6, $7, $8, $8, $8)",
                    params![id, g, MemberId::new(), pinned, locked, opens_at, closes_at, at - Duration::days(1)],
                )
                .await
                .unwrap();
                let timing = Timing { pinned, locked, opens_at, closes_at };
                let case = format!("{when}, pinned {pinned}, locked {locked}");
                let sql = |cond: String| format!("SELECT COUNT(*) FROM threads t WHERE t.id = $1 AND {cond}");
                let ask = async |cond: String| counts_any(db, &sql(cond), params![id, at]).await;
                assert_eq!(
                    live_threads::has_opened(&timing, at),
                    ask(live_threads::has_opened_sql("t", "$2")).await,
                    "opened: {case}"
                );
                let parts = live_threads::pinned_sql_parts("t", "$2");
                let (first, second) = (ask(parts[0].clone()).await, ask(parts[1].clone()).await);
                assert!(!(first && second), "the two pinned conditions never hold together: {case}");
                assert_eq!(live_threads::is_pinned(&timing, at), first || second, "pinned: {case}");
                assert_eq!(
                    !live_threads::is_pinned(&timing, at),
                    ask(live_threads::unpinned_sql("t", "$2")).await,
                    "unpinned: {case}"
                );
                assert_eq!(
                    live_threads::is_closed(&timing, at),
                    ask(live_threads::closed_sql("t", "$2")).await,
                    "closed: {case}"
                );
                // Who may open its page: moderators of the group (its moderators, and
                // staff) before it opens, everyone who may read it after.
                for (kind, viewer) in viewers() {
                    for standing in [Standing::None, Standing::Member, Standing::Moderator, Standing::Owner] {
                        if viewer.id().is_none() && standing != Standing::None {
                            continue;
                        }
                        let moderate = group_read::decide(Asker::of(&viewer), "open", "all", standing).moderate;
                        assert_eq!(
                            live_threads::may_open(&timing, at, moderate),
                            ask(live_threads::may_open_sql("t", "$2", moderate)).await,
                            "may open: {case}, {kind} ({standing:?})"
                        );
                        cases += 1;
                    }
                }
            }
        }
    }
    assert!(cases > 0);
}

#[tokio::test]
async fn live_and_pinned_threads_in_rust_and_sql_agree_before_within_and_after_the_window_on_both_backends() {
    on_both_backends(live_threads_agree).await;
}
