//! Rate limits kept in the database, so that every app node shares them.
//!
//! A fixed window per bucket: cheap (one upsert) and good enough to blunt password
//! guessing and sign-up floods. A limited caller gets 429 with `Retry-After`.
//!
//! A bucket is stored under a fixed-size key (a short label and a hash of the whole,
//! normalised bucket name), so what a caller sends (an e-mail address, say) can never
//! make a row larger than about a hundred bytes.

use std::time::Duration;

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::params;
use crate::secret::token_hash;
use crate::time::now;

/// The longest key ever stored: a label of at most 32 characters, a colon and a
/// 64-character hash.
pub const MAX_KEY_LEN: usize = 32 + 1 + 64;

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

/// The stored key for a bucket name like `login:ip:203.0.113.5`. A short name of plain
/// characters (what the server itself derives, such as an address) is kept as it is, so
/// the table stays readable; anything else (an e-mail address, whatever its length) is
/// kept as its first two parts (at most 32 characters) and a SHA-256 of the trimmed,
/// lower-cased whole. Either way a key is at most [`MAX_KEY_LEN`] long.
pub fn key(bucket: &str) -> String {
    let normalised = bucket.trim().to_lowercase();
    if normalised.len() <= 64 && normalised.bytes().all(|b| b.is_ascii_graphic() && b != b'@') {
        return normalised;
    }
    let label: String = normalised.split(':').take(2).collect::<Vec<_>>().join(":").chars().take(32).collect();
    format!("{label}:{}", token_hash(&normalised))
}

/// Counts one hit on `bucket` and fails with 429 when the window's limit is passed.
pub async fn hit(db: &Db, bucket: &str, limit: Limit) -> AppResult<()> {
    let window = limit.window.as_secs().max(1) as i64;
    let t = now().timestamp();
    let window_start = t - t.rem_euclid(window);
    let hits: i64 = db::scalar_writer(db, &key(bucket), window_start).await?;
    if hits > limit.max {
        let retry_after_secs = (window_start + window - t).max(1) as u64;
        return Err(AppError::RateLimited { retry_after_secs });
    }
    Ok(())
}

/// Fails with 429 when `bucket` has already used up its window, without counting a hit.
/// With [`hit`] after a failure, this limits failures only (bad log-ins) while the
/// check itself comes before any other work.
pub async fn check(db: &Db, bucket: &str, limit: Limit) -> AppResult<()> {
    let window = limit.window.as_secs().max(1) as i64;
    let t = now().timestamp();
    let window_start = t - t.rem_euclid(window);
    let hits: i64 = crate::db::scalar::<i64, _>(
        db.writer(),
        "SELECT hits FROM rate_limits WHERE bucket = $1 AND window_start = $2",
        params![key(bucket), window_start],
    )
    .await?
    .unwrap_or(0);
    if hits >= limit.max {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_have_a_fixed_size_whatever_the_bucket() {
        let long = format!("login:account:{}@example.org", "a".repeat(300_000));
        assert!(key(&long).len() <= MAX_KEY_LEN);
        assert_eq!(key("login:ip:1.2.3.4"), key(" LOGIN:IP:1.2.3.4 "));
        assert_ne!(key("login:ip:1.2.3.4"), key("login:ip:1.2.3.5"));
        assert_eq!(key("signup:ip:127.0.0.1"), "signup:ip:127.0.0.1", "server-derived names stay readable");
        let email = key("login:account:ada@example.org");
        assert!(email.starts_with("login:account:") && !email.contains("ada"), "addresses are hashed");
        assert_eq!(email.len(), MAX_KEY_LEN - 32 + "login:account".len());
    }
}
