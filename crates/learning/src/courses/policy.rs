//! Who may open a course, once, as a Rust function for pages and as a SQL condition for
//! lists and search: a published course is open to everyone (its outline is the
//! catalogue); a draft only to staff, who build it. Taking a course (lessons, quiz)
//! needs a seat, which `enrolment` checks in the same statement that writes.

use kernel::viewer::Viewer;

use super::model::CourseStatus;

/// Whether `viewer` may open a course in `status`.
pub fn can_open(viewer: &Viewer, status: CourseStatus) -> bool {
    status == CourseStatus::Published || viewer.is_staff()
}

/// The same rule as [`can_open`] as a SQL condition on the course table aliased `c`.
pub fn open_sql(viewer: &Viewer) -> &'static str {
    if viewer.is_staff() { "TRUE" } else { "c.status = 'published'" }
}

#[cfg(test)]
mod tests {
    use kernel::ids::MemberId;
    use kernel::params;
    use kernel::viewer::{Member, Role, Viewer};
    use uuid::Uuid;

    use super::*;

    fn viewers() -> Vec<Viewer> {
        let as_role =
            |role| Viewer::Member(Member { id: MemberId::new(), display_name: "M".into(), role, health_leader: false });
        vec![
            Viewer::Anonymous,
            as_role(Role::Member),
            as_role(Role::Moderator),
            as_role(Role::Staff),
            as_role(Role::Admin),
        ]
    }

    /// The SQL lists exactly the courses the Rust rule opens, for every kind of viewer.
    #[tokio::test]
    async fn the_sql_condition_opens_exactly_what_the_rust_rule_opens() {
        migration::testing::on_both_backends(async |db| {
            let mut stored = Vec::new();
            for status in [CourseStatus::Draft, CourseStatus::Published] {
                let id = Uuid::now_v7();
                let sql = "INSERT INTO courses (id, title, credential, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)";
                let values = params![id, "T", format!("c-{}", id.simple()), status.as_str(), kernel::time::now()];
                db.exec(sql, values).await.unwrap();
                stored.push((id, status));
            }
            for viewer in viewers() {
                let sql = format!("SELECT c.id FROM courses c WHERE {} ORDER BY c.id", open_sql(&viewer));
                let listed: Vec<Uuid> = db.column(&sql, vec![]).await.unwrap();
                let opened: Vec<Uuid> =
                    stored.iter().filter(|(_, s)| can_open(&viewer, *s)).map(|(id, _)| *id).collect();
                assert_eq!(listed, opened, "{viewer:?}");
            }
        })
        .await;
    }
}
