//! The winners' embargo is written twice (`awards::policy`): in Rust for one programme
//! and in SQL for lists. Over real programmes rows, on SQLite and PostgreSQL — locked or
//! not, ceremonies absent, a second before, at, and a second after the moment asked
//! about — the database lists exactly the programmes the Rust rule shows.

use chrono::{DateTime, Duration, Utc};
use kernel::params;
use migration::testing::on_both_backends;
use uuid::Uuid;

/// A moment that may be absent (not locked, no ceremony).
type Moment = Option<DateTime<Utc>>;

#[tokio::test]
async fn the_rust_and_sql_forms_of_the_winners_embargo_agree() {
    on_both_backends(async |db| {
        let at = kernel::time::now();
        let s = Duration::seconds(1);
        let mut cases: Vec<(Uuid, Moment, Moment)> = Vec::new();
        for (year, (locked, ceremony)) in [None, Some(at - Duration::days(1))]
            .into_iter()
            .flat_map(|l| [None, Some(at - s), Some(at), Some(at + s)].map(|c| (l, c)))
            .enumerate()
        {
            let id = Uuid::now_v7();
            db.exec(
                "INSERT INTO award_programmes (id, year, phase, finalists_per_category, ceremony_at, locked_at, created_at) \
                 VALUES ($1, $2, 'closed', 3, $3, $4, $5)",
                params![id, 2000 + year as i64, ceremony, locked, at],
            )
            .await
            .unwrap();
            cases.push((id, locked, ceremony));
        }
        let sql = format!("SELECT p.id FROM award_programmes p WHERE {} ORDER BY p.year", awards::policy::winners_public_sql(1));
        let by_sql: Vec<Uuid> = db.column(&sql, params![at]).await.unwrap();
        let by_rust: Vec<Uuid> = cases
            .iter()
            .filter(|(_, l, c)| awards::policy::winners_visible(false, *l, *c, at))
            .map(|(id, _, _)| *id)
            .collect();
        assert_eq!(by_sql, by_rust);
        assert_eq!(by_rust.len(), 2, "locked, with the ceremony a second ago or just now");
    })
    .await;
}
