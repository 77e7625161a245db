//! The editors' side: moving an article through the workflow with a comment, commenting
//! on the whole or on one paragraph, and publishing — now, or at a planned moment by a
//! job. Points are paid through the outbox, in the transaction that changes the status:
//! `ArticlePublished` the first time an article is published, `ArticleFeatured` the
//! first time it is featured (the stamps `published_at` and `featured_at` are set once,
//! by a conditional update, so neither a re-publish after featuring nor two editors at
//! once pay twice).

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use contracts::events::{ArticleFeatured, ArticlePublished};
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::{AppError, AppResult, AppState, FieldErrors, db, outbox, params};
use sea_orm::DatabaseTransaction;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::model::Status;
use super::store::{self, ArticleRow};
use super::text;

const COMMENT_MAX: usize = 5_000;

/// A move of the workflow, as staff ask for it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ArticleStatusChange)]
pub(crate) struct StatusChange {
    /// in_review, changes_requested, scheduled, published or featured (and back: an
    /// editor may unschedule to in_review, or unfeature to published).
    pub status: String,
    /// A note to the author; required when asking for changes.
    #[serde(default)]
    pub comment: Option<String>,
    /// For `scheduled`: when to publish (RFC 3339, or `2027-03-01T09:00` as UTC); now when absent.
    #[serde(default)]
    pub publish_at: Option<String>,
}

/// A comment by an editor, on the whole article or anchored to one paragraph.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewArticleComment)]
pub(crate) struct NewComment {
    /// 1 to 5,000 characters.
    pub body: String,
    /// The paragraph (from 1) it is about; absent for the whole article.
    #[serde(default)]
    pub paragraph: Option<i64>,
}

/// The article's new state after a move.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ArticleMoved)]
pub(crate) struct Moved {
    pub id: Uuid,
    pub status: Status,
    pub publish_at: Option<DateTime<Utc>>,
}

/// A moment typed by staff: RFC 3339, or a date and time without zone (a form's
/// `datetime-local`) taken as UTC.
pub(crate) fn parse_moment(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(m) = DateTime::parse_from_rfc3339(t) {
        return Some(m.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
        .map(|n| n.and_utc())
}

/// The checked parts of a move: the target, the comment and the publication moment.
fn validate(change: &StatusChange) -> Result<(Status, String, Option<DateTime<Utc>>), FieldErrors> {
    let mut e = FieldErrors::new();
    let to = Status::parse(change.status.trim());
    if to.is_none() {
        e.add("status", "Choose the article's next status.");
    }
    let comment = change.comment.clone().unwrap_or_default().trim().to_string();
    e.check_length("comment", &comment, 0..=COMMENT_MAX, "Keep the comment under 5,000 characters.");
    if comment.contains('\0') {
        e.add("comment", "The comment holds a character we cannot store.");
    }
    if to == Some(Status::ChangesRequested) && comment.is_empty() {
        e.add("comment", "Say what the author should change.");
    }
    let mut at = None;
    if to == Some(Status::Scheduled) {
        let typed = change.publish_at.clone().unwrap_or_default();
        at = if typed.trim().is_empty() { Some(now()) } else { parse_moment(&typed) };
        match at {
            None => e.add("publish_at", "Give the moment to publish, like 2027-03-01T09:00 (UTC)."),
            Some(t) if t > now() + Duration::days(730) => e.add("publish_at", "Schedule within the next two years."),
            _ => {}
        }
    }
    match to {
        Some(to) if e.is_empty() => Ok((to, comment, at)),
        _ => Err(e),
    }
}

/// Moves an article (staff). 409 `invalid_transition` when the workflow does not go
/// from its status to the one asked.
pub(crate) async fn set_status(
    state: &AppState,
    editor: MemberId,
    id: Uuid,
    change: &StatusChange,
) -> AppResult<Moved> {
    let tx = state.db.begin().await?;
    let row = store::by_id(&tx, id).await?;
    let (to, comment, at) = validate(change).map_err(AppError::Validation)?;
    let from = row.status();
    if !from.editor_moves().contains(&to) {
        return Err(AppError::conflict(
            "invalid_transition",
            format!("An article that is {} cannot become {}.", from.label().to_lowercase(), to.label().to_lowercase()),
        ));
    }
    let n = db::exec(
        &tx,
        "UPDATE articles SET status = $1, publish_at = $2, updated_at = $3 WHERE id = $4 AND status = $5",
        params![to.as_str(), at.or(row.publish_at), now(), id, from.as_str()],
    )
    .await?;
    if n != 1 {
        return Err(AppError::conflict("invalid_transition", "The article changed meanwhile; reload it."));
    }
    stamp_and_pay(&tx, &row, to, Some(editor)).await?;
    if let (Status::Scheduled, Some(at)) = (to, at) {
        // No unique key: the job is idempotent (a conditional update), and a key would
        // keep a second scheduling at the same moment from being queued once the first
        // job had run and found the article unscheduled.
        let job = PublishScheduled { article_id: id, publish_at: at };
        kernel::jobs::queue(&tx, &job, None, Some(at)).await?;
    }
    add_comment(&tx, id, editor, None, Some(to), &comment).await?;
    tx.commit().await?;
    Ok(Moved { id, status: to, publish_at: at.or(row.publish_at) })
}

/// Stamps the first publication or featuring and publishes its event (points), once.
async fn stamp_and_pay(
    tx: &DatabaseTransaction,
    row: &ArticleRow,
    to: Status,
    actor: Option<MemberId>,
) -> AppResult<()> {
    let (column, first) = match to {
        Status::Published => ("published_at", true),
        Status::Featured => ("featured_at", false),
        _ => return Ok(()),
    };
    let t = now();
    let sql = format!("UPDATE articles SET {column} = $1 WHERE id = $2 AND {column} IS NULL");
    let stamped = db::exec(tx, &sql, params![t, row.id]).await? == 1;
    if stamped && first {
        outbox::publish(tx, actor, &ArticlePublished { member_id: row.author_id }).await?;
    } else if stamped {
        outbox::publish(tx, actor, &ArticleFeatured { member_id: row.author_id }).await?;
    }
    Ok(())
}

/// Writes one comment of the conversation (a move's note, or an editor's comment).
async fn add_comment(
    tx: &DatabaseTransaction,
    article: Uuid,
    author: MemberId,
    paragraph: Option<i64>,
    change: Option<Status>,
    body: &str,
) -> AppResult<()> {
    if body.is_empty() && change.is_none() {
        return Ok(());
    }
    db::exec(
        tx,
        "INSERT INTO article_comments (id, article_id, author_id, paragraph, status_change, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        params![
            Uuid::now_v7(),
            article,
            author,
            paragraph,
            change.map(|s| s.as_str().to_string()),
            body.to_string(),
            now()
        ],
    )
    .await?;
    Ok(())
}

/// An editor's comment on the whole article or on one of its paragraphs; its id.
pub(crate) async fn comment(state: &AppState, editor: MemberId, id: Uuid, c: &NewComment) -> AppResult<Uuid> {
    let row = store::by_id(state.db.reader(), id).await?;
    let body = c.body.trim();
    let mut e = FieldErrors::new();
    e.check_length("body", body, 1..=COMMENT_MAX, "Write a comment of up to 5,000 characters.");
    if body.contains('\0') {
        e.add("body", "The comment holds a character we cannot store.");
    }
    let paragraphs = text::paragraphs(&row.body).len() as i64;
    if let Some(p) = c.paragraph
        && !(1..=paragraphs).contains(&p)
    {
        e.add("paragraph", format!("Choose a paragraph from 1 to {paragraphs}, or none for the whole article."));
    }
    e.into_result()?;
    let tx = state.db.begin().await?;
    let comment_id = Uuid::now_v7();
    db::exec(
        &tx,
        "INSERT INTO article_comments (id, article_id, author_id, paragraph, status_change, body, created_at) \
         VALUES ($1, $2, $3, $4, NULL, $5, $6)",
        params![comment_id, id, editor, c.paragraph, body.to_string(), now()],
    )
    .await?;
    tx.commit().await?;
    Ok(comment_id)
}

/// Publishes a scheduled article at its moment. Queued when it is scheduled, to run at
/// that moment; a rescheduled article's earlier job finds the moment not yet come (or
/// the article no longer scheduled) and does nothing.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct PublishScheduled {
    pub article_id: Uuid,
    pub publish_at: DateTime<Utc>,
}

impl kernel::jobs::Job for PublishScheduled {
    const KIND: &'static str = "learning.articles.publish";

    async fn run(self, state: AppState) -> anyhow::Result<()> {
        publish_due(&state, self.article_id).await?;
        Ok(())
    }
}

/// Publishes the article if it is still scheduled and its moment has come.
pub(crate) async fn publish_due(state: &AppState, id: Uuid) -> AppResult<bool> {
    let tx = state.db.begin().await?;
    let t = now();
    let n = db::exec(
        &tx,
        "UPDATE articles SET status = 'published', updated_at = $1 WHERE id = $2 AND status = 'scheduled' AND publish_at <= $1",
        params![t, id],
    )
    .await?;
    if n == 1 {
        let row = store::by_id(&tx, id).await?;
        stamp_and_pay(&tx, &row, Status::Published, None).await?;
    }
    tx.commit().await?;
    Ok(n == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(status: &str, comment: &str, publish_at: &str) -> StatusChange {
        StatusChange { status: status.into(), comment: Some(comment.into()), publish_at: Some(publish_at.into()) }
    }

    #[test]
    fn a_move_is_checked_field_by_field() {
        assert!(validate(&change("changes_requested", "", "")).unwrap_err().get("comment").is_some());
        assert!(validate(&change("published", "a\0b", "")).unwrap_err().get("comment").is_some());
        assert!(validate(&change("scheduled", "", "soonish")).unwrap_err().get("publish_at").is_some());
        assert!(validate(&change("scheduled", "", "2999-01-01T00:00")).unwrap_err().get("publish_at").is_some());
        assert!(validate(&change("limbo", "", "")).unwrap_err().get("status").is_some());
        let (to, _, at) = validate(&change("scheduled", "", "")).unwrap();
        assert_eq!(to, Status::Scheduled);
        assert!(at.is_some(), "no moment given means now");
    }

    #[test]
    fn moments_read_as_rfc_3339_or_a_form_s_local_time_in_utc() {
        assert_eq!(parse_moment("2027-03-01T09:00").unwrap().to_rfc3339(), "2027-03-01T09:00:00+00:00");
        assert_eq!(parse_moment("2027-03-01T09:00:00+01:00").unwrap().to_rfc3339(), "2027-03-01T08:00:00+00:00");
        assert!(parse_moment("tomorrow").is_none());
    }
}
