//! The events slice's side of `contracts::calendar`: when an event starts.

use chrono::{DateTime, Utc};
use contracts::calendar::EventTimes;
use contracts::ids::EventId;
use futures::future::BoxFuture;
use kernel::db::Db;
use kernel::{AppResult, params};

pub struct Times;

impl EventTimes for Times {
    fn starts_at<'a>(&'a self, db: &'a Db, id: EventId) -> BoxFuture<'a, AppResult<Option<DateTime<Utc>>>> {
        Box::pin(async move {
            let sql = "SELECT starts_at FROM events WHERE id = $1 AND status = 'scheduled'";
            Ok(db.scalar::<DateTime<Utc>>(sql, params![id]).await?)
        })
    }
}
