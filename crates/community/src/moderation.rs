//! Reports and moderation. Anyone may report what they can see; a group's moderators
//! handle reports about their group and staff handle all of them. Every action is
//! recorded with the moderator and the reason, and authors can read the record of
//! what was done to their own content.

use chrono::{DateTime, Utc};
use contracts::events::{CrisisFlagged, ModerationActed, ModerationAction, ThreadStarted};
use contracts::ids::GroupId;
use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState, audit, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::groups;
use crate::threads;

pub const REASONS: &[&str] = &["spam", "harassment", "medical_misinformation", "self_harm_risk", "other"];
pub const TARGETS: &[&str] = &["thread", "reply", "message", "member"];
pub const ACTIONS: &[&str] = &["dismiss", "hide", "remove", "warn", "suspend_group", "suspend_platform"];

/// The reporter recorded on flags raised by the platform itself (crisis phrases).
pub const SYSTEM_REPORTER: Uuid = Uuid::nil();

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReport {
    /// thread, reply, message or member
    pub target_type: String,
    pub target_id: Uuid,
    /// spam, harassment, medical_misinformation, self_harm_risk or other
    pub reason: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct Report {
    pub id: Uuid,
    pub target_type: String,
    pub target_id: Uuid,
    pub group_id: Option<Uuid>,
    pub reason: String,
    pub note: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

const REPORT_COLUMNS: &str = "id, target_type, target_id, group_id, reason, note, status, created_at";

/// What a report is about: its group (for content) and author.
async fn locate(
    state: &AppState,
    viewer: &Viewer,
    target_type: &str,
    target: Uuid,
) -> AppResult<(Option<Uuid>, Option<MemberId>)> {
    let db = &state.db;
    match target_type {
        "thread" => {
            let (t, g, _) = threads::readable(db, viewer, target).await?;
            Ok((Some(g.id), Some(t.author_id)))
        }
        "reply" => {
            #[derive(sea_orm::FromQueryResult)]
            struct Row {
                thread_id: Uuid,
                author_id: MemberId,
            }
            let row: Row = db
                .one("SELECT thread_id, author_id FROM posts WHERE id = $1 AND status = 'visible'", params![target])
                .await?
                .ok_or(AppError::NotFound)?;
            let (_, g, _) = threads::readable(db, viewer, row.thread_id).await?;
            Ok((Some(g.id), Some(row.author_id)))
        }
        "message" => {
            // Only a participant can report a message, and only one sent to them.
            let me = viewer.require_member()?;
            let sender: MemberId = db
                .scalar(
                    "SELECT m.sender_id FROM messages m JOIN conversations c ON c.id = m.conversation_id \
                     WHERE m.id = $1 AND m.sender_id <> $2 AND ((c.kind = 'direct' AND (c.member_a = $2 OR c.member_b = $2)) \
                     OR EXISTS (SELECT 1 FROM conversation_members p WHERE p.conversation_id = c.id AND p.member_id = $2))",
                    params![target, me.id],
                )
                .await?
                .ok_or(AppError::NotFound)?;
            Ok((None, Some(sender)))
        }
        _ => {
            let member = MemberId(target);
            contracts::members::visible_profile(state, viewer, member).await?;
            Ok((None, Some(member)))
        }
    }
}

/// Flags a post that matched a crisis phrase to the group's moderators, as a report
/// from the platform itself, in the transaction that stores the post.
pub async fn flag_crisis(
    tx: &db::Tx,
    target_type: &str,
    target: Uuid,
    group: Uuid,
    author: MemberId,
    phrase: &str,
) -> AppResult<()> {
    db::exec(
        tx,
        "INSERT INTO reports (id, reporter_id, target_type, target_id, group_id, author_id, reason, note, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'self_harm_risk', $7, $8)",
        params![
            Uuid::now_v7(),
            SYSTEM_REPORTER,
            target_type,
            target,
            group,
            author,
            format!("Matched the crisis phrase \u{201c}{phrase}\u{201d}. The author was shown crisis resources."),
            now()
        ],
    )
    .await?;
    kernel::outbox::publish(
        tx,
        None,
        &CrisisFlagged { group_id: GroupId(group), target_type: target_type.to_string(), target_id: target },
    )
    .await?;
    Ok(())
}

/// Files a report about something the reporter can see. Reporting the same thing twice
/// keeps the first report.
pub async fn report(state: &AppState, viewer: &Viewer, r: &NewReport) -> AppResult<Report> {
    let me = viewer.require_member()?;
    let mut e = kernel::FieldErrors::new();
    if !TARGETS.contains(&r.target_type.as_str()) {
        e.add("target_type", "Choose thread, reply, message or member.");
    }
    if !REASONS.contains(&r.reason.as_str()) {
        e.add("reason", "Choose spam, harassment, medical_misinformation, self_harm_risk or other.");
    }
    e.check_length("note", &r.note, 0..=2000, "Keep the note under 2,000 characters.");
    e.into_result()?;
    let (group, author) = locate(state, viewer, &r.target_type, r.target_id).await?;
    state
        .db
        .exec(
            "INSERT INTO reports (id, reporter_id, target_type, target_id, group_id, author_id, reason, note, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (reporter_id, target_type, target_id) DO NOTHING",
            params![Uuid::now_v7(), me.id, r.target_type.clone(), r.target_id, group, author, r.reason.clone(), r.note.trim(), now()],
        )
        .await?;
    state
        .db
        .one(
            &format!(
                "SELECT {REPORT_COLUMNS} FROM reports WHERE reporter_id = $1 AND target_type = $2 AND target_id = $3"
            ),
            params![me.id, r.target_type.clone(), r.target_id],
        )
        .await?
        .ok_or(AppError::NotFound)
}

/// Open reports the viewer may handle: every one for staff; their groups' for moderators.
pub async fn queue(state: &AppState, viewer: &Viewer) -> AppResult<Vec<Report>> {
    let me = viewer.require_member()?;
    if viewer.is_staff() {
        return Ok(state
            .db
            .all(
                &format!("SELECT {REPORT_COLUMNS} FROM reports WHERE status = 'open' ORDER BY created_at LIMIT 200"),
                params![],
            )
            .await?);
    }
    Ok(state
        .db
        .all(
            &format!(
                "SELECT {REPORT_COLUMNS} FROM reports r WHERE r.status = 'open' AND r.group_id IN \
                 (SELECT group_id FROM group_members WHERE member_id = $1 AND status = 'active' AND role IN ('owner', 'moderator')) \
                 ORDER BY r.created_at LIMIT 200"
            ),
            params![me.id],
        )
        .await?)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// dismiss, hide, remove, warn, suspend_group or suspend_platform (staff)
    pub action: String,
    /// Why; the author sees it.
    pub reason: String,
    /// For suspend_group: how many days (1 to 365, default 7).
    #[serde(default)]
    pub days: Option<i64>,
}

/// Acts on a report (the group's moderators, or staff). Hiding or removing takes the
/// content out of every list and page; the author can see the action and its reason.
pub async fn decide(state: &AppState, viewer: &Viewer, report: Uuid, d: &Decision, ip: &str) -> AppResult<()> {
    let me = viewer.require_member()?;
    let (action, days) = checked_decision(d)?;
    let r = open_report(state, viewer, report).await?;
    refuse_unfit(viewer, &r, action)?;
    refuse_outranked(state, viewer, me.id, &r, action).await?;
    let held = held_post(state, &r.target_type, r.target_id).await?;
    let tx = state.db.begin().await?;
    let status = if action == ModerationAction::Dismiss { "dismissed" } else { "actioned" };
    db::exec(
        &tx,
        "UPDATE reports SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4",
        params![status, me.id, now(), report],
    )
    .await?;
    carry_out(&tx, &r, action, days, held).await?;
    let reason = d.reason.trim();
    tell_author(&tx, me.id, &r, action, reason, days).await?;
    db::exec(
        &tx,
        "INSERT INTO moderation_actions (id, report_id, target_type, target_id, author_id, moderator_id, action, reason, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        params![Uuid::now_v7(), report, r.target_type.clone(), r.target_id, r.author_id, me.id, action.as_str(), reason, now()],
    )
    .await?;
    audit::record(
        &tx,
        Some(me.id),
        "moderation_action",
        r.author_id,
        Some(ip),
        serde_json::json!({ "report": report, "action": action.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The decision's action and suspension length, or the form's errors. The action is
/// parsed here, once; everything after dispatches on [`ModerationAction`].
fn checked_decision(d: &Decision) -> AppResult<(ModerationAction, i64)> {
    let action = ModerationAction::parse(&d.action);
    let mut e = kernel::FieldErrors::new();
    if action.is_none() {
        e.add("action", CHOOSE_ACTION);
    }
    if d.reason.trim().is_empty() || d.reason.chars().count() > 1000 {
        e.add("reason", "Give a reason of 1 to 1,000 characters.");
    }
    let days = d.days.unwrap_or(7);
    if !(1..=365).contains(&days) {
        e.add("days", "Suspend for 1 to 365 days.");
    }
    e.into_result()?;
    let action = action.ok_or_else(|| AppError::field("action", CHOOSE_ACTION))?;
    Ok((action, days))
}

const CHOOSE_ACTION: &str = "Choose dismiss, hide, remove, warn, suspend_group or suspend_platform.";

/// The parts of a report a decision acts on.
#[derive(sea_orm::FromQueryResult)]
struct ReportedTarget {
    target_type: String,
    target_id: Uuid,
    group_id: Option<Uuid>,
    author_id: Option<MemberId>,
    status: String,
}

/// Reports are handled by staff, and those about a group's content by its moderators.
async fn require_handler(state: &AppState, viewer: &Viewer, group: Option<Uuid>) -> AppResult<()> {
    let allowed = viewer.is_staff()
        || match group {
            Some(g) => groups::standing(state.db.reader(), viewer, g).await?.can_moderate(),
            None => false,
        };
    if allowed { Ok(()) } else { Err(AppError::Forbidden) }
}

/// The report, if the viewer may decide it (staff, or a moderator of its group) and it
/// is still open.
async fn open_report(state: &AppState, viewer: &Viewer, report: Uuid) -> AppResult<ReportedTarget> {
    let r: ReportedTarget = state
        .db
        .one("SELECT target_type, target_id, group_id, author_id, status FROM reports WHERE id = $1", params![report])
        .await?
        .ok_or(AppError::NotFound)?;
    require_handler(state, viewer, r.group_id).await?;
    if r.status != "open" {
        return Err(AppError::conflict("already_decided", "This report has already been handled."));
    }
    Ok(r)
}

/// Refuses an action on someone the acting moderator may not act on: a group's
/// moderators act on its members, not on the people who run it with them (a report about
/// the owner or another moderator is for the owner or staff), and a platform suspension
/// follows the role hierarchy (only admins act on admins, never on the last one).
async fn refuse_outranked(
    state: &AppState,
    viewer: &Viewer,
    me: MemberId,
    r: &ReportedTarget,
    action: ModerationAction,
) -> AppResult<()> {
    const ROLE: &str = "SELECT role FROM group_members WHERE group_id = $1 AND member_id = $2 AND status = 'active'";
    if !viewer.is_staff()
        && action != ModerationAction::Dismiss
        && let (Some(g), Some(author)) = (r.group_id, r.author_id)
        && author != me
    {
        let mine = state.db.scalar::<String>(ROLE, params![g, me]).await?;
        let theirs = state.db.scalar::<String>(ROLE, params![g, author]).await?;
        let outranked = match theirs.as_deref() {
            Some("owner") => true,
            Some("moderator") => mine.as_deref() != Some("owner"),
            _ => false,
        };
        if outranked {
            return Err(AppError::field(
                "action",
                "Moderators cannot act on the group's owner or other moderators. The owner or staff can.",
            ));
        }
    }
    if action == ModerationAction::SuspendPlatform
        && let Some(author) = r.author_id
    {
        crate::people(state)?.may_suspend(state, me, author).await?;
    }
    Ok(())
}

/// Refuses an action that does not fit the report (or the viewer), naming why.
fn refuse_unfit(viewer: &Viewer, r: &ReportedTarget, action: ModerationAction) -> AppResult<()> {
    use ModerationAction::{Hide, Remove, SuspendGroup, SuspendPlatform, Warn};
    let on_content = matches!(r.target_type.as_str(), "thread" | "reply" | "message");
    let refusal = match action {
        Hide | Remove if !on_content => Some("Only a thread, reply or message can be hidden or removed."),
        SuspendGroup if r.group_id.is_none() => {
            Some("This report is not about a group; suspend from the platform instead.")
        }
        SuspendPlatform if !viewer.is_staff() => Some("Only staff can suspend an account from the platform."),
        Warn | SuspendGroup | SuspendPlatform if r.author_id.is_none() => Some("There is nobody to act on."),
        _ => None,
    };
    match refusal {
        Some(message) => Err(AppError::field("action", message)),
        None => Ok(()),
    }
}

/// Does what the action does to the reported thing, in the decision's transaction. A
/// warning or a platform suspension changes nothing here (see [`tell_author`]).
async fn carry_out(
    tx: &db::Tx,
    r: &ReportedTarget,
    action: ModerationAction,
    days: i64,
    held: Option<Held>,
) -> AppResult<()> {
    match action {
        ModerationAction::Hide => take_down(tx, r, "hidden").await,
        ModerationAction::Remove => take_down(tx, r, "removed").await,
        ModerationAction::Dismiss => match held {
            Some(held) => release(tx, held).await,
            None => Ok(()),
        },
        ModerationAction::SuspendGroup => suspend_in_group(tx, r, days).await,
        ModerationAction::Warn | ModerationAction::SuspendPlatform => Ok(()),
    }
}

/// Hides or removes a thread or reply (and takes it out of search); a message's body
/// is replaced.
async fn take_down(tx: &db::Tx, r: &ReportedTarget, new_status: &str) -> AppResult<()> {
    match r.target_type.as_str() {
        "thread" => {
            db::exec(tx, "UPDATE threads SET status = $1 WHERE id = $2", params![new_status, r.target_id]).await?;
            crate::search_index::remove_thread(tx, r.target_id).await?;
        }
        "reply" => {
            db::exec(tx, "UPDATE posts SET status = $1 WHERE id = $2", params![new_status, r.target_id]).await?;
            crate::search_index::remove(tx, r.target_id).await?;
        }
        _ => {
            let removed = "[removed by a moderator]";
            let html = crate::post_html::of(removed);
            db::exec(
                tx,
                "UPDATE messages SET body = $1, body_html = $2, body_html_v = $3 WHERE id = $4",
                params![removed, html.html, html.v, r.target_id],
            )
            .await?;
        }
    }
    Ok(())
}

/// Suspends the author from the report's group for `days` days.
async fn suspend_in_group(tx: &db::Tx, r: &ReportedTarget, days: i64) -> AppResult<()> {
    let until = now() + chrono::Duration::days(days);
    db::exec(
        tx,
        "UPDATE group_members SET suspended_until = $1 WHERE group_id = $2 AND member_id = $3",
        params![until, r.group_id, r.author_id],
    )
    .await?;
    Ok(())
}

/// The author is told of every action but a dismissal; a platform suspension is carried
/// out by the members slice, which consumes this event in its own transaction.
async fn tell_author(
    tx: &db::Tx,
    moderator: MemberId,
    r: &ReportedTarget,
    action: ModerationAction,
    reason: &str,
    days: i64,
) -> AppResult<()> {
    let Some(author) = r.author_id else { return Ok(()) };
    if action == ModerationAction::Dismiss {
        return Ok(());
    }
    let acted = ModerationActed {
        member_id: author,
        action,
        reason: reason.to_string(),
        target_type: r.target_type.clone(),
        target_id: r.target_id,
        days,
    };
    kernel::outbox::publish(tx, Some(moderator), &acted).await?;
    Ok(())
}

/// A post held for a moderator's look (a crisis phrase in a group that holds such posts).
pub(crate) struct Held {
    target_type: String,
    id: Uuid,
    thread: Uuid,
    author: MemberId,
    body: String,
    at: DateTime<Utc>,
}

async fn held_post(state: &AppState, target_type: &str, id: Uuid) -> AppResult<Option<Held>> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        thread_id: Uuid,
        author_id: MemberId,
        body: String,
        created_at: DateTime<Utc>,
    }
    let sql = match target_type {
        "thread" => {
            "SELECT id AS thread_id, author_id, body, created_at FROM threads WHERE id = $1 AND status = 'held'"
        }
        "reply" => "SELECT thread_id, author_id, body, created_at FROM posts WHERE id = $1 AND status = 'held'",
        _ => return Ok(None),
    };
    let row: Option<Row> = state.db.one(sql, params![id]).await?;
    Ok(row.map(|r| Held {
        target_type: target_type.to_string(),
        id,
        thread: r.thread_id,
        author: r.author_id,
        body: r.body,
        at: r.created_at,
    }))
}

/// Publishes a held post as if it had just been posted (search, counts, notifications).
async fn release(tx: &db::Tx, h: Held) -> AppResult<()> {
    if h.target_type == "thread" {
        db::exec(tx, "UPDATE threads SET status = 'visible' WHERE id = $1", params![h.id]).await?;
        let t: threads::Thread =
            db::one(tx, &format!("SELECT {} FROM threads WHERE id = $1", threads::THREAD_COLUMNS), params![h.id])
                .await?
                .ok_or(AppError::NotFound)?;
        crate::search_index::index(
            tx,
            &crate::search_index::Doc {
                id: t.id,
                kind: "thread",
                thread_id: t.id,
                group_id: t.group_id,
                title: &t.title,
                body: &t.body,
            },
        )
        .await?;
        kernel::outbox::publish(
            tx,
            Some(h.author),
            &ThreadStarted { member_id: h.author, thread_id: t.id, group_id: GroupId(t.group_id) },
        )
        .await?;
    } else {
        db::exec(tx, "UPDATE posts SET status = 'visible' WHERE id = $1", params![h.id]).await?;
        let t: threads::Thread =
            db::one(tx, &format!("SELECT {} FROM threads WHERE id = $1", threads::THREAD_COLUMNS), params![h.thread])
                .await?
                .ok_or(AppError::NotFound)?;
        threads::publish_reply(tx, &t, h.id, h.author, &h.body, h.at).await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportDetail {
    #[serde(flatten)]
    pub report: Report,
    /// The reported text, for those who handle the report. Reading a reported direct
    /// message is recorded in the audit log.
    pub content: Option<String>,
    pub author_id: Option<MemberId>,
}

/// One report with the reported content, for whoever may handle it. Direct messages
/// are shown to staff only, and each reading is audited; so is each staff reading of a
/// post in a group they do not read as a member.
pub async fn detail(state: &AppState, viewer: &Viewer, id: Uuid, ip: &str) -> AppResult<ReportDetail> {
    let me = viewer.require_member()?;
    let report: Report = state
        .db
        .one(&format!("SELECT {REPORT_COLUMNS} FROM reports WHERE id = $1"), params![id])
        .await?
        .ok_or(AppError::NotFound)?;
    let author_id: Option<MemberId> =
        state.db.scalar("SELECT author_id FROM reports WHERE id = $1", params![id]).await?.flatten();
    require_handler(state, viewer, report.group_id).await?;
    let content: Option<String> = match report.target_type.as_str() {
        "thread" => {
            state
                .db
                .scalar("SELECT title || ': ' || body FROM threads WHERE id = $1", params![report.target_id])
                .await?
        }
        "reply" => state.db.scalar("SELECT body FROM posts WHERE id = $1", params![report.target_id]).await?,
        "message" => {
            let body: Option<String> =
                state.db.scalar("SELECT body FROM messages WHERE id = $1", params![report.target_id]).await?;
            audit::record(
                state.db.writer(),
                Some(me.id),
                "reported_message_read",
                author_id,
                Some(ip),
                serde_json::json!({ "report": id, "message": report.target_id }),
            )
            .await?;
            body
        }
        _ => None,
    };
    // Staff read any group's reported posts; when they could not read that group as
    // members do (a private or hidden group they are not in), the read is audited.
    if let Some(g) = report.group_id.filter(|_| content.is_some() && viewer.is_staff())
        && !groups::visible(&state.db, viewer, g).await?.2.read
    {
        let detail = serde_json::json!({ "report": id, "group": g });
        audit::record(state.db.writer(), Some(me.id), "reported_content_read", author_id, Some(ip), detail).await?;
    }
    Ok(ReportDetail { report, content, author_id })
}

#[derive(Debug, Clone, Serialize, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct ActionRecord {
    pub target_type: String,
    pub target_id: Uuid,
    pub action: String,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

/// What moderators did to the viewer's own content (the moderator is not named).
pub async fn about_me(db: &Db, member: MemberId) -> AppResult<Vec<ActionRecord>> {
    Ok(db
        .all(
            "SELECT target_type, target_id, action, reason, created_at FROM moderation_actions WHERE author_id = $1 AND action <> 'dismiss' \
             ORDER BY created_at DESC LIMIT 200",
            params![member],
        )
        .await?)
}
