//! Rate limits kept in the database, so that every app node shares them.
//!
//! A fixed window per bucket: cheap (one upsert) and good enough to blunt password
//! guessing and sign-up floods. A limited caller gets 429 with `Retry-After`.

use std::time::Duration;

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::params;
use crate::time::now;

#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub max: i64,
    pub window: Duration,
}

impl Limit {
    pub const fn per(max: i64, window_secs: u64) -> Limit {
        Limit { max, window: Duration::from_secs(window_secs) }
    }
}

/// Counts one hit on `bucket` and fails with 429 when the window's limit is passed.
pub async fn hit(db: &Db, bucket: &str, limit: Limit) -> AppResult<()> {
    let window = limit.window.as_secs().max(1) as i64;
    let t = now().timestamp();
    let window_start = t - t.rem_euclid(window);
    let hits: i64 = db::scalar_writer(db, bucket, window_start).await?;
    if hits > limit.max {
        let retry_after_secs = (window_start + window - t).max(1) as u64;
        return Err(AppError::RateLimited { retry_after_secs });
    }
    Ok(())
}

/// Removes windows that have ended (run by the worker now and then).
pub async fn sweep(db: &Db) -> Result<u64, sea_orm::DbErr> {
    let day_ago = now().timestamp() - 86_400;
    db.exec("DELETE FROM rate_limits WHERE window_start < $1", params![day_ago]).await
}

mod db {
    use super::*;

    pub(super) async fn scalar_writer(db: &Db, bucket: &str, window_start: i64) -> AppResult<i64> {
        let hits = crate::db::scalar::<i64, _>(
            db.writer(),
            "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1 RETURNING hits",
            params![bucket.to_string(), window_start],
        )
        .await?;
        Ok(hits.unwrap_or(1))
    }
}
