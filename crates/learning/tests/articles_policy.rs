//! The articles' access rule is written twice, in Rust and in SQL
//! (`learning::articles_policy`). Over every kind of reader and every status, on SQLite
//! and PostgreSQL, the database lists exactly the articles the Rust rule lets the reader
//! open.

use chrono::Utc;
use kernel::db::Db;
use kernel::ids::MemberId;
use kernel::params;
use kernel::viewer::{Member, Role, Viewer};
use learning::articles_policy::{self as policy, Access, Status};
use migration::testing::on_both_backends;
use uuid::Uuid;

fn member(id: MemberId, role: Role) -> Viewer {
    Viewer::Member(Member { id, display_name: "M".into(), role, health_leader: false })
}

/// One article of each status by `author`; (id, access) of each.
async fn store_each_status(db: &Db, author: MemberId) -> Vec<(Uuid, Access)> {
    let mut out = Vec::new();
    for (i, status) in Status::ALL.into_iter().enumerate() {
        let id = Uuid::now_v7();
        db.exec(
            "INSERT INTO articles (id, author_id, title, slug, body, status, created_at, updated_at, published_at) \
             VALUES ($1, $2, 'T', $3, 'B', $4, $5, $5, $5)",
            params![id, author, format!("t-{i}-{id}"), status.as_str(), Utc::now()],
        )
        .await
        .unwrap();
        out.push((id, Access { author_id: author, status }));
    }
    out
}

/// The ids the database lists for `viewer`.
async fn listed(db: &Db, viewer: &Viewer) -> Vec<Uuid> {
    let mut values = Vec::new();
    let cond = policy::readable_sql(viewer, "a", &mut |v| {
        values.push(v);
        format!("${}", values.len())
    });
    let sql = format!("SELECT a.id FROM articles a WHERE {cond} ORDER BY a.id");
    db.column(&sql, values).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_reader_is_listed_exactly_the_articles_they_may_open_on_both_backends() {
    on_both_backends(async |db: &Db| {
        let (author, other) = (MemberId::new(), MemberId::new());
        let mut articles = store_each_status(db, author).await;
        articles.extend(store_each_status(db, other).await);
        let readers = [
            ("a visitor", Viewer::Anonymous),
            ("the author", member(author, Role::Member)),
            ("another member", member(MemberId::new(), Role::Member)),
            ("a moderator", member(MemberId::new(), Role::Moderator)),
            ("staff", member(MemberId::new(), Role::Staff)),
            ("an admin", member(MemberId::new(), Role::Admin)),
        ];
        for (who, viewer) in &readers {
            let mut expected: Vec<Uuid> =
                articles.iter().filter(|(_, a)| policy::may_read(viewer, a)).map(|(id, _)| *id).collect();
            expected.sort();
            assert_eq!(listed(db, viewer).await, expected, "{who}");
        }
    })
    .await;
}

#[test]
fn drafts_and_articles_in_review_are_for_their_author_and_the_editors_only() {
    let author = MemberId::new();
    let staff = member(MemberId::new(), Role::Staff);
    let stranger = member(MemberId::new(), Role::Moderator);
    for status in Status::ALL {
        let a = Access { author_id: author, status };
        assert!(policy::may_read(&member(author, Role::Member), &a), "{status:?}");
        assert!(policy::may_read(&staff, &a), "{status:?}");
        let public = matches!(status, Status::Published | Status::Featured);
        assert_eq!(policy::may_read(&Viewer::Anonymous, &a), public, "{status:?}");
        assert_eq!(policy::may_read(&stranger, &a), public, "{status:?}");
        assert!(!policy::may_see_comments(&stranger, &a), "comments are never public");
    }
}
