//! Reactions ("support", "me too", "thank you") on threads and replies. The author
//! hears of them summarised, one notification per post.

use contracts::events::ReactionAdded;
use std::collections::{BTreeMap, HashMap, HashSet};

use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState, outbox, params};
use uuid::Uuid;

use crate::threads;

/// Each reaction and how it reads on a button.
pub const KINDS: &[(&str, &str)] = &[("support", "Support"), ("me_too", "Me too"), ("thank_you", "Thank you")];

/// The thread a thread or reply belongs to, and the post's author.
async fn locate(db: &Db, target_type: &str, target: Uuid) -> AppResult<(Uuid, MemberId)> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        thread_id: Uuid,
        author_id: MemberId,
    }
    let sql = match target_type {
        "thread" => "SELECT id AS thread_id, author_id FROM threads WHERE id = $1 AND status = 'visible'",
        "reply" => "SELECT thread_id, author_id FROM posts WHERE id = $1 AND status = 'visible'",
        _ => return Err(AppError::NotFound),
    };
    let row: Row = db.one(sql, params![target]).await?.ok_or(AppError::NotFound)?;
    Ok((row.thread_id, row.author_id))
}

/// Adds (`on`) or takes back a reaction. Members of the group only.
pub async fn set(
    state: &AppState,
    viewer: &Viewer,
    target_type: &str,
    target: Uuid,
    kind: &str,
    on: bool,
) -> AppResult<()> {
    let me = viewer.require_member()?;
    if !KINDS.iter().any(|(k, _)| *k == kind) {
        return Err(AppError::field("kind", "React with support, me_too or thank_you."));
    }
    let (thread, author) = locate(&state.db, target_type, target).await?;
    let (_, g, a) = threads::readable(&state.db, viewer, thread).await?;
    a.require_post()?;
    // A member suspended from the group may read it, but not react in it.
    crate::posting::check_not_suspended(&state.db, me.id, g.id).await?;
    let tx = state.db.begin().await?;
    if on {
        let added = db::exec(
            &tx,
            "INSERT INTO reactions (target_id, member_id, kind, target_type, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (target_id, member_id, kind) DO NOTHING",
            params![target, me.id, kind, target_type, now()],
        )
        .await?;
        if added == 1 && author != me.id {
            let added = ReactionAdded {
                member_id: me.id,
                target_type: target_type.to_string(),
                target_id: target,
                kind: kind.to_string(),
            };
            outbox::publish(&tx, Some(me.id), &added).await?;
        }
    } else {
        db::exec(
            &tx,
            "DELETE FROM reactions WHERE target_id = $1 AND member_id = $2 AND kind = $3",
            params![target, me.id, kind],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Reactions on a page of posts: counts per post and kind, and which the viewer gave.
/// One query whatever the number of posts.
#[derive(Debug, Default, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Tally {
    /// Post id → reaction kind → how many.
    pub counts: HashMap<Uuid, BTreeMap<String, i64>>,
    /// "post id:kind" for each reaction the viewer gave.
    pub mine: HashSet<String>,
}

impl Tally {
    pub fn count(&self, target: &Uuid, kind: &str) -> i64 {
        self.counts.get(target).and_then(|m| m.get(kind)).copied().unwrap_or(0)
    }
    pub fn is_mine(&self, target: &Uuid, kind: &str) -> bool {
        self.mine.contains(&format!("{target}:{kind}"))
    }
}

/// The tally of `targets`' reactions, and which of them `viewer` gave: one statement.
pub async fn tally(db: &Db, targets: &[Uuid], viewer: Option<MemberId>) -> AppResult<Tally> {
    #[derive(sea_orm::FromQueryResult)]
    struct Count {
        target_id: Uuid,
        kind: String,
        n: i64,
        /// How many of the `n` are the viewer's (0 or 1).
        mine: i64,
    }
    let mut t = Tally::default();
    if targets.is_empty() {
        return Ok(t);
    }
    let placeholders = kernel::db::placeholders(2, targets.len());
    let mut values: Vec<sea_orm::Value> = vec![viewer.map(|m| m.0).into()];
    values.extend(targets.iter().map(|i| sea_orm::Value::from(*i)));
    let counts: Vec<Count> = db
        .all(
            &format!(
                "SELECT target_id, kind, COUNT(*) AS n, CAST(SUM(CASE WHEN member_id = $1 THEN 1 ELSE 0 END) AS BIGINT) AS mine \
                 FROM reactions WHERE target_id IN ({placeholders}) GROUP BY target_id, kind"
            ),
            values,
        )
        .await?;
    for c in counts {
        if c.mine > 0 {
            t.mine.insert(format!("{}:{}", c.target_id, c.kind));
        }
        t.counts.entry(c.target_id).or_default().insert(c.kind, c.n);
    }
    Ok(t)
}
