//! The event audience rule is written twice, in Rust and in SQL (`events::policy`). This
//! test sets up every case in a real database, on SQLite and on PostgreSQL, asks both
//! forms and requires the same answer.

use chrono::{Duration, Utc};
use events::policy::{self, Reader};
use kernel::db::Db;
use kernel::ids::MemberId;
use kernel::params;
use migration::testing::{counts_any, on_both_backends};
use uuid::Uuid;

/// Every kind of viewer, as the audience rule sees them: (name, signed in, Health Leader, staff).
const VIEWERS: [(&str, bool, bool, bool); 6] = [
    ("anonymous", false, false, false),
    ("member", true, false, false),
    ("health leader", true, true, false),
    // A site moderator is no more than a member to events.
    ("moderator role", true, false, false),
    ("staff", true, false, true),
    ("admin", true, true, true),
];

/// Audiences, with whether the event names a group. The last two are malformed rows:
/// a group audience without a group, and an audience the code does not know.
const AUDIENCES: [(&str, bool); 7] = [
    ("public", false),
    ("members", false),
    ("health_leaders", false),
    ("group", true),
    ("group", false),
    ("staff", false),
    ("public", true),
];

/// Where the viewer stands with the event's group (their active memberships).
const GROUP_STATES: [&str; 3] = ["no group", "the event's group", "another group"];

/// A registration of the viewer for the event (`None`: never registered).
const REGISTRATIONS: [Option<&str>; 4] = [None, Some("registered"), Some("waitlisted"), Some("cancelled")];

async fn audience_agrees(db: &Db) {
    let t = Utc::now();
    let (event_group, other_group) = (Uuid::now_v7(), Uuid::now_v7());
    let mut cases = 0;
    let mut outcomes = std::collections::HashSet::new();
    for (audience, with_group) in AUDIENCES {
        for registration in REGISTRATIONS {
            for (kind, signed_in, health_leader, staff) in VIEWERS {
                for group_state in GROUP_STATES {
                    if !signed_in && (group_state != "no group" || registration.is_some()) {
                        continue;
                    }
                    let id = Uuid::now_v7();
                    let group = with_group.then_some(event_group);
                    db.exec(
                        "INSERT INTO events (id, kind, title, starts_at, ends_at, time_zone, audience, group_id, created_at, updated_at) \
                         VALUES ($1, 'webinar', 'E', $2, $3, 'UTC', $4, $5, $6, $6)",
                        params![id, t + Duration::days(1), t + Duration::days(1) + Duration::hours(1), audience, group, t],
                    )
                    .await
                    .unwrap();
                    if let Some(status) = registration {
                        db.exec(
                            "INSERT INTO registrations (event_id, member_id, status, position, created_at, updated_at) VALUES ($1, $2, $3, 1, $4, $4)",
                            params![id, MemberId::new(), status, t],
                        )
                        .await
                        .unwrap();
                    }
                    let groups = match group_state {
                        "the event's group" => vec![event_group],
                        "another group" => vec![other_group],
                        _ => vec![],
                    };
                    let r = Reader { signed_in, health_leader, staff, groups };
                    let rust = policy::can_view(&r, audience, group);
                    let mut values = params![id];
                    let cond = policy::can_view_sql(&r, "e", &mut |v| {
                        values.push(v);
                        format!("${}", values.len())
                    });
                    let sql = format!("SELECT COUNT(*) FROM events e WHERE e.id = $1 AND {cond}");
                    let in_sql = counts_any(db, &sql, values).await;
                    assert_eq!(
                        rust, in_sql,
                        "{kind} ({group_state}, registration {registration:?}) and a {audience} event (group: {with_group})"
                    );
                    outcomes.insert(rust);
                    cases += 1;
                }
            }
        }
    }
    assert!(cases > 200, "{cases}");
    assert_eq!(outcomes.len(), 2, "the cases reach both outcomes");
}

#[tokio::test]
async fn event_audience_in_rust_and_sql_agrees_for_every_viewer_audience_and_registration_on_both_backends() {
    on_both_backends(audience_agrees).await;
}
