//! The seeded list of conditions members pick from, with synonyms for search.

use kernel::db::{self, Db, like_contains};
use kernel::params;
use sea_orm::DbErr;
use uuid::Uuid;

use crate::seed_data::CONDITIONS;

pub use contracts::members::Condition;

/// Adds any seeded condition the database does not have yet (safe to run at every start).
pub async fn seed(db: &Db) -> Result<usize, DbErr> {
    let have: i64 = db.scalar("SELECT COUNT(*) FROM conditions", params![]).await?.unwrap_or(0);
    if have as usize >= CONDITIONS.len() {
        return Ok(0);
    }
    let mut added = 0;
    for c in CONDITIONS {
        let search =
            std::iter::once(c.name).chain(c.synonyms.iter().copied()).collect::<Vec<_>>().join(" | ").to_lowercase();
        added += db::exec(
            db.writer(),
            "INSERT INTO conditions (id, slug, name, search_text) VALUES ($1, $2, $3, $4) ON CONFLICT (slug) DO NOTHING",
            params![Uuid::now_v7(), c.slug, c.name, search],
        )
        .await? as usize;
    }
    Ok(added)
}

/// Conditions whose name or a synonym contains `q` (all of them when `q` is empty),
/// names that start with `q` first.
pub async fn search(db: &Db, q: &str, limit: u64) -> Result<Vec<Condition>, DbErr> {
    let q = q.trim().to_lowercase();
    if q.is_empty() {
        return db.all("SELECT id, slug, name FROM conditions ORDER BY name LIMIT $1", params![limit as i64]).await;
    }
    let starts = format!("{}%", like_contains(&q).trim_matches('%'));
    db.all(
        "SELECT id, slug, name FROM conditions WHERE search_text LIKE $1 ESCAPE '\\' \
         ORDER BY CASE WHEN LOWER(name) LIKE $2 ESCAPE '\\' THEN 0 ELSE 1 END, name LIMIT $3",
        params![like_contains(&q), starts, limit as i64],
    )
    .await
}

pub async fn all(db: &Db) -> Result<Vec<Condition>, DbErr> {
    // Reference data, changed only by `shn migrate`.
    let all = db
        .memo("conditions", std::time::Duration::from_secs(60), || async {
            db.all::<Condition>("SELECT id, slug, name FROM conditions ORDER BY name", params![]).await
        })
        .await?;
    Ok(all.as_ref().clone())
}

/// Which of `ids` exist.
pub async fn existing(db: &Db, ids: &[Uuid]) -> Result<Vec<Uuid>, DbErr> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let placeholders = kernel::db::placeholders(1, ids.len());
    let rows: Vec<Condition> = db
        .all(
            &format!("SELECT id, slug, name FROM conditions WHERE id IN ({placeholders})"),
            ids.iter().map(|u| sea_orm::Value::from(*u)).collect(),
        )
        .await?;
    Ok(rows.into_iter().map(|c| c.id).collect())
}
