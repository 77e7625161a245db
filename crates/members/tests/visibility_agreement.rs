//! Profile field visibility is written twice, in Rust and in SQL
//! (`kernel::viewer::can_see` and `visible_sql`). This test sets up every case in a real
//! database, on SQLite and on PostgreSQL, asks both forms and requires the same answer.

use chrono::Utc;
use kernel::db::Db;
use kernel::ids::MemberId;
use kernel::params;
use kernel::viewer::{Member, Role, Viewer, Visibility, can_see, visible_sql};
use migration::testing::{counts_any, on_both_backends};

async fn visibility_agrees(db: &Db) {
    let t = Utc::now();
    let mut cases = 0;
    for visibility in Visibility::ALL {
        let owner = MemberId::new();
        db.exec(
            "INSERT INTO members (id, email, display_name, name_key, member_type, vis_story, created_at, updated_at) \
             VALUES ($1, $2, 'Owner', 'owner', 'patient', $3, $4, $4)",
            params![owner, format!("{owner}@example.org"), visibility.as_str(), t],
        )
        .await
        .unwrap();
        let as_member = |id: MemberId, role: Role, health_leader: bool| {
            Viewer::Member(Member { id, display_name: "V".into(), role, health_leader })
        };
        let viewers = [
            ("anonymous", Viewer::Anonymous),
            ("the owner", as_member(owner, Role::Member, false)),
            ("the owner, as staff", as_member(owner, Role::Staff, false)),
            ("another member", as_member(MemberId::new(), Role::Member, false)),
            ("a health leader", as_member(MemberId::new(), Role::Member, true)),
            ("a moderator", as_member(MemberId::new(), Role::Moderator, false)),
            ("staff", as_member(MemberId::new(), Role::Staff, false)),
            ("an admin", as_member(MemberId::new(), Role::Admin, true)),
        ];
        for (kind, viewer) in &viewers {
            let rust = can_see(viewer, owner, visibility);
            let (cond, bound) = visible_sql(viewer, "m.vis_story", "m.id", 2);
            let mut values = params![owner];
            values.extend(bound);
            let sql = format!("SELECT COUNT(*) FROM members m WHERE m.id = $1 AND {cond}");
            let in_sql = counts_any(db, &sql, values).await;
            assert_eq!(rust, in_sql, "{kind} and a {visibility:?} field");
            cases += 1;
        }
    }
    assert_eq!(cases, 24);
}

#[tokio::test]
async fn profile_field_visibility_in_rust_and_sql_agrees_for_every_viewer_on_both_backends() {
    on_both_backends(visibility_agrees).await;
}
