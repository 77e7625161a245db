//! The resources' access rules are written twice, in Rust and in SQL
//! (`learning::resource_policy`). This test stores every case — each status and
//! audience of a resource, each state of a collection's publication — on SQLite and on
//! PostgreSQL, and requires the database to answer exactly as the Rust rule does, for a
//! visitor, a member and a staff member.

use chrono::{Duration, Utc};
use kernel::ids::MemberId;
use kernel::params;
use kernel::viewer::{Member, Role, Viewer};
use learning::resource_policy::{Audience, Status, collection_is_out, collection_is_out_sql, may_open, may_open_sql};
use migration::testing::{counts_any, on_both_backends};
use uuid::Uuid;

fn viewers() -> Vec<Viewer> {
    let member =
        |role| Viewer::Member(Member { id: MemberId::new(), display_name: "M".into(), role, health_leader: false });
    vec![Viewer::Anonymous, member(Role::Member), member(Role::Staff)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_may_open_a_resource_is_the_same_in_rust_and_in_sql_on_both_backends() {
    on_both_backends(async |db| {
        let mut opened = 0;
        for status in Status::ALL {
            for audience in Audience::ALL {
                let id = Uuid::now_v7();
                db.exec(
                    "INSERT INTO resources (id, kind, title, audience, status, created_at, updated_at) \
                     VALUES ($1, 'guide', 'T', $2, $3, $4, $4)",
                    params![id, audience.as_str(), status.as_str(), Utc::now()],
                )
                .await
                .unwrap();
                for viewer in viewers() {
                    let sql =
                        format!("SELECT COUNT(*) FROM resources r WHERE r.id = $1 AND {}", may_open_sql(&viewer, "r"));
                    let rust = may_open(&viewer, status, audience);
                    assert_eq!(counts_any(db, &sql, params![id]).await, rust, "{status:?} {audience:?} for {viewer:?}");
                    opened += usize::from(rust);
                }
            }
        }
        assert_eq!(opened, 5, "public published: all three; members-only published: member and staff; drafts: nobody");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whether_a_collection_is_out_is_the_same_in_rust_and_in_sql_on_both_backends() {
    on_both_backends(async |db| {
        let at = Utc::now();
        let cases = [None, Some(at - Duration::days(3)), Some(at), Some(at + Duration::minutes(5))];
        for (i, publish_at) in cases.into_iter().enumerate() {
            let id = Uuid::now_v7();
            db.exec(
                "INSERT INTO resource_collections (id, month, publish_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
                params![id, format!("2026-0{}", i + 1), publish_at, at],
            )
            .await
            .unwrap();
            let sql = format!(
                "SELECT COUNT(*) FROM resource_collections c WHERE c.id = $1 AND {}",
                collection_is_out_sql("c", "$2")
            );
            assert_eq!(counts_any(db, &sql, params![id, at]).await, collection_is_out(publish_at, at), "{publish_at:?}");
        }
    })
    .await;
}
