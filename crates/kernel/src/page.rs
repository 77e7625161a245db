//! Keyset (cursor) pagination. Lists hand out an opaque cursor naming the last item
//! shown; the next page starts after it. Deep `OFFSET` is never offered.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{FromQueryResult, Value};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::time::Instant;

pub const DEFAULT_LIMIT: u64 = 20;
pub const MAX_LIMIT: u64 = 100;

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Encodes a sort key as an opaque cursor.
pub fn encode<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// Decodes a cursor made by [`encode`]; a tampered or stale cursor is a 400.
pub fn decode<K: DeserializeOwned>(cursor: &str) -> AppResult<K> {
    URL_SAFE_NO_PAD.decode(cursor.trim()).ok().and_then(|b| serde_json::from_slice(&b).ok()).ok_or_else(|| {
        AppError::bad_request("invalid_cursor", "The page cursor is not valid. Start again from the first page.")
    })
}

/// A page size within bounds.
pub fn limit(requested: Option<u64>) -> u64 {
    requested.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
}

/// Reads a `limit` query parameter: a whole number from 1 to [`MAX_LIMIT`], as the API
/// documents it (`#[serde(default, deserialize_with = "kernel::page::limit_in_range")]`
/// with `#[param(minimum = 1, maximum = 100)]`); anything else is a 400 that says so.
pub fn limit_in_range<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let requested = Option::<u64>::deserialize(d)?;
    match requested {
        Some(n) if !(1..=MAX_LIMIT).contains(&n) => {
            Err(serde::de::Error::custom(format!("limit must be a whole number from 1 to {MAX_LIMIT}")))
        }
        _ => Ok(requested),
    }
}

/// Given `limit + 1` rows fetched in order, keeps `limit` and makes the next cursor
/// from the last kept row.
pub fn finish<T, K: Serialize>(mut rows: Vec<T>, limit: u64, key: impl Fn(&T) -> K) -> Page<T> {
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more { rows.last().map(|r| encode(&key(r))) } else { None };
    Page { items: rows, next_cursor }
}

/// Which way a [`Keyset`] list runs along its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    OldestFirst,
    NewestFirst,
}

/// A list paged by a `(time, id)` key, the shape most lists have: `select` is the query
/// up to and including its filters (`SELECT … FROM … WHERE …`), `params` its `$1…$n`,
/// and `key` the two key columns as the query spells them.
pub struct Keyset<'a> {
    pub select: &'a str,
    pub params: Vec<Value>,
    pub key: (&'a str, &'a str),
    pub order: Order,
}

impl Keyset<'_> {
    /// The page after `cursor`, or the first page without one.
    pub async fn page<T: FromQueryResult>(
        self,
        db: &Db,
        cursor: Option<&str>,
        limit: u64,
        key_of: impl Fn(&T) -> (Instant, Uuid),
    ) -> AppResult<Page<T>> {
        let (sql, params) = self.statement(cursor, limit)?;
        let rows = db.all(&sql, params).await?;
        Ok(finish(rows, limit, key_of))
    }

    /// The statement for one page: rows after the cursor's key, in key order, one more
    /// than `limit` so [`finish`] can tell whether another page follows.
    fn statement(self, cursor: Option<&str>, limit: u64) -> AppResult<(String, Vec<Value>)> {
        let Keyset { select, mut params, key: (time, id), order } = self;
        let mut sql = select.to_string();
        if let Some(c) = cursor {
            let (at, after): (Instant, Uuid) = decode(c)?;
            params.extend([at.into(), after.into()]);
            let cmp = if order == Order::NewestFirst { "<" } else { ">" };
            sql.push_str(&format!(" AND ({time}, {id}) {cmp} (${}, ${})", params.len() - 1, params.len()));
        }
        params.push(((limit + 1) as i64).into());
        let dir = if order == Order::NewestFirst { " DESC" } else { "" };
        sql.push_str(&format!(" ORDER BY {time}{dir}, {id}{dir} LIMIT ${}", params.len()));
        Ok((sql, params))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_with_more_rows_points_at_its_last_item() {
        let p = finish(vec![1, 2, 3], 2, |x| *x);
        assert_eq!(p.items, vec![1, 2]);
        assert_eq!(decode::<i32>(p.next_cursor.as_deref().unwrap()).unwrap(), 2);
        let last = finish(vec![1, 2], 2, |x| *x);
        assert!(last.next_cursor.is_none());
    }

    #[test]
    fn keyset_statements_continue_after_the_cursor_in_key_order() {
        let list = |order| Keyset {
            select: "SELECT id FROM t WHERE m = $1",
            params: vec![1.into()],
            key: ("at", "id"),
            order,
        };
        let (first, params) = list(Order::NewestFirst).statement(None, 20).unwrap();
        assert_eq!(first, "SELECT id FROM t WHERE m = $1 ORDER BY at DESC, id DESC LIMIT $2");
        assert_eq!(params.len(), 2);
        let cursor = encode(&(chrono::Utc::now(), Uuid::nil()));
        let (next, params) = list(Order::OldestFirst).statement(Some(&cursor), 20).unwrap();
        assert_eq!(next, "SELECT id FROM t WHERE m = $1 AND (at, id) > ($2, $3) ORDER BY at, id LIMIT $4");
        assert_eq!(params.len(), 4);
    }

    #[test]
    fn garbage_cursors_are_a_clear_400() {
        let e = decode::<(String, i32)>("%%%").unwrap_err();
        assert_eq!(e.status(), axum::http::StatusCode::BAD_REQUEST);
        assert_eq!(e.code(), "invalid_cursor");
    }
}
