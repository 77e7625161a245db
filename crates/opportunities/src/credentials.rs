//! The credentials members hold, as this slice knows them: an opportunity may require
//! one (`policy::Rules::credential`). The slice keeps its own record, learned from
//! `CourseCompleted` events through the outbox (consumer "opportunities-credentials"),
//! so it never reads the tables of the area that awards them; when that area lands and
//! publishes its completions, eligibility follows without a change here.

use std::collections::HashMap;

use contracts::events::CourseCompleted;
use kernel::db;
use kernel::ids::MemberId;
use kernel::outbox::{DomainEvent, Event};
use kernel::params;
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, Value};

/// Records that the member of `e` holds its credential, from the moment of the event.
/// Idempotent: a second completion of the same course (or a redelivery) changes nothing.
pub(crate) async fn learn(tx: &DatabaseTransaction, event: &Event, e: CourseCompleted) -> anyhow::Result<()> {
    let code = e.credential.trim().to_lowercase();
    if code.is_empty() {
        return Ok(());
    }
    db::exec(
        tx,
        "INSERT INTO member_credentials (member_id, code, awarded_at, source) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (member_id, code) DO NOTHING",
        params![e.member_id, code, event.created_at, CourseCompleted::KIND],
    )
    .await?;
    Ok(())
}

/// The credential codes each of `members` holds, in one query (members holding none
/// are absent).
pub(crate) async fn held<C: ConnectionTrait>(
    c: &C,
    members: &[MemberId],
) -> Result<HashMap<MemberId, Vec<String>>, DbErr> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        member_id: MemberId,
        code: String,
    }
    if members.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT member_id, code FROM member_credentials WHERE member_id IN ({}) ORDER BY code",
        db::placeholders(1, members.len())
    );
    let rows: Vec<Row> = db::all(c, &sql, members.iter().map(|m| Value::from(*m)).collect()).await?;
    let mut out: HashMap<MemberId, Vec<String>> = HashMap::new();
    for r in rows {
        out.entry(r.member_id).or_default().push(r.code);
    }
    Ok(out)
}
