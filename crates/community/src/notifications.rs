//! In-app notifications, produced from outbox events by one consumer, so a crash never
//! loses or doubles one (the delivery record and the notification share a transaction,
//! and each notification has a unique key). A notification is written only for someone
//! who may see what it points to at that moment, and shown (or e-mailed in a digest)
//! only while they still may.

use chrono::{DateTime, Utc};
use contracts::events::{
    CrisisFlagged, GroupJoinRequested, GroupRequestApproved, ModerationActed, ReactionAdded, ReplyPosted, ThreadStarted,
};
use contracts::members::MemberDirectory;
use contracts::moments::SupportNotice;
use contracts::opportunities::ApplicationStatusChanged;
use futures::future::BoxFuture;
use kernel::db::{self, Db, Tx};
use kernel::ids::MemberId;
use kernel::outbox::{Consumer, DomainEvent, Event};
use kernel::page::{Keyset, Order, Page};
use kernel::time::now;
use kernel::{AppResult, params};
use sea_orm::DatabaseTransaction;
use serde::Serialize;
use uuid::Uuid;

use crate::email::{self, Mailing};
use crate::policy::group_read::{self, Asker};

#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct Notification {
    pub id: Uuid,
    /// reply, mention, reaction, join_request, approved, moderation, crisis_flag, opportunity or support
    pub kind: String,
    pub text: String,
    pub url: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

pub struct Notifier {
    mailing: Mailing,
}

impl Notifier {
    pub fn new(mailing: Mailing) -> Self {
        Notifier { mailing }
    }
}

impl Consumer for Notifier {
    fn name(&self) -> &'static str {
        "community-notifications"
    }

    fn handles(&self) -> &'static [&'static str] {
        &[
            ThreadStarted::KIND,
            ReplyPosted::KIND,
            GroupJoinRequested::KIND,
            GroupRequestApproved::KIND,
            ModerationActed::KIND,
            CrisisFlagged::KIND,
            ReactionAdded::KIND,
            ApplicationStatusChanged::KIND,
            SupportNotice::KIND,
        ]
    }

    fn handle<'a>(&'a self, tx: &'a DatabaseTransaction, event: &'a Event) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let n = Notify { tx, mailing: &self.mailing, event: event.id };
            if let Some(e) = event.decode::<ReplyPosted>() {
                n.on_reply(e.thread_id, e.member_id, e.post_id).await
            } else if let Some(e) = event.decode::<ThreadStarted>() {
                n.on_thread(e.thread_id, e.member_id).await
            } else if let Some(e) = event.decode::<GroupJoinRequested>() {
                n.on_join_request(e.group_id.0, e.member_id).await
            } else if let Some(e) = event.decode::<GroupRequestApproved>() {
                n.on_approval(e.group_id.0, e.member_id).await
            } else if let Some(e) = event.decode::<ModerationActed>() {
                let text = moderation_text(e.action.as_str(), &e.target_type, &e.reason, e.days);
                let key = format!("moderation:{}", event.id);
                n.add(e.member_id, "moderation", None, None, &text, "/moderation/me", &key).await
            } else if let Some(e) = event.decode::<CrisisFlagged>() {
                n.on_crisis_flag(e.group_id.0).await
            } else if let Some(e) = event.decode::<ReactionAdded>() {
                n.on_reaction(&e.target_type, e.target_id).await
            } else if let Some(e) = event.decode::<ApplicationStatusChanged>() {
                let key = format!("opportunity:{}", event.id);
                n.add(e.member_id, "opportunity", None, None, &e.text, &e.url, &key).await
            } else if let Some(e) = event.decode::<SupportNotice>() {
                let key = format!("support:{}", event.id);
                n.add(e.member_id, "support", None, None, &e.text, &e.url, &key).await
            } else {
                Ok(())
            }
        })
    }
}

fn moderation_text(action: &str, target: &str, reason: &str, days: i64) -> String {
    let what = match target {
        "thread" => "your discussion",
        "reply" => "your reply",
        "message" => "your message",
        _ => "your account",
    };
    let done = match action {
        "hide" => format!("A moderator hid {what}."),
        "remove" => format!("A moderator removed {what}."),
        "warn" => "A moderator sent you a warning.".to_string(),
        "suspend_group" => format!("A moderator suspended you from posting in a group for {days} days."),
        _ => "Your account was suspended by the team.".to_string(),
    };
    format!("{done} Reason: {reason}")
}

/// Writes notifications for one event, in the consumer's transaction.
struct Notify<'a> {
    tx: &'a Tx,
    mailing: &'a Mailing,
    event: kernel::ids::ActivityId,
}

impl Notify<'_> {
    fn people(&self) -> &dyn MemberDirectory {
        self.mailing.people.as_ref()
    }

    /// The member who was let into a group hears of it.
    async fn on_approval(&self, group: Uuid, member: MemberId) -> anyhow::Result<()> {
        let name: Option<String> = db::scalar(self.tx, "SELECT name FROM groups WHERE id = $1", params![group]).await?;
        let text = format!("You're now a member of {}.", name.unwrap_or_default());
        let url = format!("/groups/{group}");
        self.add(member, "approved", None, Some(group), &text, &url, &format!("approved:{}", self.event)).await
    }
}

#[derive(sea_orm::FromQueryResult)]
struct ThreadRow {
    author_id: MemberId,
    title: String,
    body: String,
    group_id: Uuid,
}

impl Notify<'_> {
    #[allow(clippy::too_many_arguments)]
    async fn add(
        &self,
        member: MemberId,
        kind: &str,
        actor: Option<MemberId>,
        group: Option<Uuid>,
        text: &str,
        url: &str,
        key: &str,
    ) -> anyhow::Result<()> {
        let id = Uuid::now_v7();
        let mode = email::mode_for(self.tx, member, kind).await?;
        let n = db::exec(
            self.tx,
            "INSERT INTO notifications (id, member_id, kind, actor_id, group_id, text, url, dedupe_key, digest_pending, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (dedupe_key) DO NOTHING",
            params![id, member, kind, actor, group, text, url, key, mode == email::DAILY, now()],
        )
        .await?;
        if n == 1 {
            if mode == email::IMMEDIATE {
                self.mailing.queue_one(self.tx, member, id, text, url).await?;
            }
            kernel::live::announce(self.tx, None, member).await?;
        }
        Ok(())
    }

    async fn thread(&self, thread: Uuid) -> anyhow::Result<Option<ThreadRow>> {
        Ok(db::one(
            self.tx,
            "SELECT author_id, title, body, group_id FROM threads WHERE id = $1 AND status = 'visible'",
            params![thread],
        )
        .await?)
    }

    /// The thread's author hears of a reply, and everyone mentioned in it of the
    /// mention — each only if they may still read the thread (a member who left a
    /// private group hears nothing of it).
    async fn on_reply(&self, thread: Uuid, actor: MemberId, post: Uuid) -> anyhow::Result<()> {
        let Some(t) = self.thread(thread).await? else { return Ok(()) };
        let body: Option<String> =
            db::scalar(self.tx, "SELECT body FROM posts WHERE id = $1 AND status = 'visible'", params![post]).await?;
        let Some(body) = body else { return Ok(()) };
        let url = format!("/threads/{thread}#post-{post}");
        let mentioned = self.mentions(&t, actor, &body, &url).await?;
        if t.author_id == actor
            || mentioned.contains(&t.author_id)
            || !may_read(self.tx, self.people(), t.group_id, t.author_id).await?
        {
            return Ok(());
        }
        let text = format!(
            "{} replied to your discussion \u{201c}{}\u{201d}.",
            name_of(self.tx, self.people(), actor).await?,
            t.title
        );
        self.add(t.author_id, "reply", Some(actor), Some(t.group_id), &text, &url, &format!("reply:{}", self.event))
            .await
    }

    async fn on_thread(&self, thread: Uuid, actor: MemberId) -> anyhow::Result<()> {
        let Some(t) = self.thread(thread).await? else { return Ok(()) };
        let text = format!("{}\n{}", t.title, t.body);
        self.mentions(&t, actor, &text, &format!("/threads/{thread}")).await?;
        Ok(())
    }

    /// Tells each member mentioned in `text` who may read the thread; returns them.
    async fn mentions(&self, t: &ThreadRow, actor: MemberId, text: &str, url: &str) -> anyhow::Result<Vec<MemberId>> {
        let mut told = Vec::new();
        let name = name_of(self.tx, self.people(), actor).await?;
        for m in crate::posting::mentioned(self.tx, self.people(), text).await? {
            if m == actor || !may_read(self.tx, self.people(), t.group_id, m).await? {
                continue;
            }
            let text = format!("{name} mentioned you in \u{201c}{}\u{201d}.", t.title);
            self.add(m, "mention", Some(actor), Some(t.group_id), &text, url, &format!("mention:{}:{m}", self.event))
                .await?;
            told.push(m);
        }
        Ok(told)
    }

    /// The group's owner and moderators hear of a request to join.
    async fn on_join_request(&self, group: Uuid, actor: MemberId) -> anyhow::Result<()> {
        let name: Option<String> = db::scalar(self.tx, "SELECT name FROM groups WHERE id = $1", params![group]).await?;
        let text =
            format!("{} asked to join {}.", name_of(self.tx, self.people(), actor).await?, name.unwrap_or_default());
        for m in moderators(self.tx, group).await? {
            let key = format!("join:{}:{m}", self.event);
            self.add(m, "join_request", Some(actor), Some(group), &text, &format!("/groups/{group}"), &key).await?;
        }
        Ok(())
    }

    /// The group's moderators hear that a post may need a look; what it says stays in the group.
    async fn on_crisis_flag(&self, group: Uuid) -> anyhow::Result<()> {
        let name: Option<String> = db::scalar(self.tx, "SELECT name FROM groups WHERE id = $1", params![group]).await?;
        let text =
            format!("A post in {} matched a crisis phrase. Please check in with its author.", name.unwrap_or_default());
        for m in moderators(self.tx, group).await? {
            let key = format!("crisis:{}:{m}", self.event);
            self.add(m, "crisis_flag", None, Some(group), &text, "/moderation", &key).await?;
        }
        Ok(())
    }

    /// Reactions are summarised: one notification per post, updated as people react,
    /// and marked unread again.
    async fn on_reaction(&self, target_type: &str, target: Uuid) -> anyhow::Result<()> {
        let sql = match target_type {
            "thread" => {
                "SELECT t.author_id, t.title, '' AS body, t.group_id, t.id AS thread_id FROM threads t WHERE t.id = $1"
            }
            _ => {
                "SELECT p.author_id, t.title, '' AS body, t.group_id, t.id AS thread_id FROM posts p JOIN threads t ON t.id = p.thread_id WHERE p.id = $1"
            }
        };
        #[derive(sea_orm::FromQueryResult)]
        struct Row {
            author_id: MemberId,
            title: String,
            group_id: Uuid,
            thread_id: Uuid,
        }
        let Some(row): Option<Row> = db::one(self.tx, sql, params![target]).await? else { return Ok(()) };
        let count: i64 = db::scalar(
            self.tx,
            "SELECT COUNT(DISTINCT member_id) FROM reactions WHERE target_id = $1 AND member_id <> $2",
            params![target, row.author_id],
        )
        .await?
        .unwrap_or(0);
        if count == 0 || !may_read(self.tx, self.people(), row.group_id, row.author_id).await? {
            return Ok(());
        }
        let what = if target_type == "thread" { "your discussion" } else { "your reply in" };
        let people = if count == 1 { "1 person".to_string() } else { format!("{count} people") };
        let text = format!("{people} reacted to {what} \u{201c}{}\u{201d}.", row.title);
        let url = if target_type == "thread" {
            format!("/threads/{}", row.thread_id)
        } else {
            format!("/threads/{}#post-{target}", row.thread_id)
        };
        let key = format!("reactions:{target}");
        let updated = db::exec(
            self.tx,
            "UPDATE notifications SET text = $1, read_at = NULL, created_at = $2 WHERE dedupe_key = $3",
            params![text.clone(), now(), key.clone()],
        )
        .await?;
        if updated == 0 {
            self.add(row.author_id, "reaction", None, Some(row.group_id), &text, &url, &key).await?;
        } else {
            kernel::live::announce(self.tx, None, row.author_id).await?;
        }
        Ok(())
    }
}

async fn moderators(tx: &Tx, group: Uuid) -> anyhow::Result<Vec<MemberId>> {
    Ok(db::column(
        tx,
        "SELECT member_id FROM group_members WHERE group_id = $1 AND status = 'active' AND role IN ('owner', 'moderator')",
        params![group],
    )
    .await?)
}

/// Whether a member may read a group's content now: an active account, and the group
/// rule ([`group_read::read_sql`]) in one query.
async fn may_read(tx: &Tx, people: &dyn MemberDirectory, group: Uuid, member: MemberId) -> anyhow::Result<bool> {
    let readable: Option<i64> = db::scalar(
        tx,
        &format!(
            "SELECT COUNT(*) FROM groups g WHERE g.id = $1 AND {}",
            group_read::read_sql(Asker::Member, "g", "$2")
        ),
        params![group, member],
    )
    .await?;
    Ok(readable.unwrap_or(0) > 0 && people.active_display_name(tx.into(), member).await?.is_some())
}

async fn name_of(tx: &Tx, people: &dyn MemberDirectory, member: MemberId) -> anyhow::Result<String> {
    Ok(people.active_display_name(tx.into(), member).await?.unwrap_or_else(|| "Someone".into()))
}

/// A member's notifications, newest first, with the unread count.
pub async fn list(db: &Db, member: MemberId, cursor: Option<&str>, limit: u64) -> AppResult<(Page<Notification>, i64)> {
    let cols = "n.id, n.kind, n.text, n.url, n.created_at, n.read_at";
    let still_readable = group_read::still_readable_sql("$1");
    let list = Keyset {
        select: &format!("SELECT {cols} FROM notifications n WHERE n.member_id = $1 AND {still_readable}"),
        params: params![member],
        key: ("n.created_at", "n.id"),
        order: Order::NewestFirst,
    };
    let page = list.page(db, cursor.filter(|c| !c.is_empty()), limit, |n: &Notification| (n.created_at, n.id)).await?;
    let unread = unread(db, member).await?;
    Ok((page, unread))
}

pub async fn unread(db: &Db, member: MemberId) -> AppResult<i64> {
    let still_readable = group_read::still_readable_sql("$1");
    Ok(db
        .scalar(
            &format!(
                "SELECT COUNT(*) FROM notifications n WHERE n.member_id = $1 AND n.read_at IS NULL AND {still_readable}"
            ),
            params![member],
        )
        .await?
        .unwrap_or(0))
}

pub async fn mark_all_read(db: &Db, member: MemberId) -> AppResult<u64> {
    let n = db
        .exec("UPDATE notifications SET read_at = $1 WHERE member_id = $2 AND read_at IS NULL", params![now(), member])
        .await?;
    kernel::live::announce(db.writer(), Some(db.live()), member).await?;
    Ok(n)
}
