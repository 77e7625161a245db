//! Keyset (cursor) pagination. Lists hand out an opaque cursor naming the last item
//! shown; the next page starts after it. Deep `OFFSET` is never offered.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

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
    fn garbage_cursors_are_a_clear_400() {
        let e = decode::<(String, i32)>("%%%").unwrap_err();
        assert_eq!(e.status(), axum::http::StatusCode::BAD_REQUEST);
        assert_eq!(e.code(), "invalid_cursor");
    }
}
