//! Notification e-mail: per kind of notification a member chooses immediately, in a
//! daily digest, or never. Digests go out once per member per day however many
//! workers run (the schedule is queued once per day, and the e-mail is queued at most
//! once per member and day). Every such e-mail carries a one-click unsubscribe link.

use std::sync::Arc;

use contracts::members::MemberDirectory;
use kernel::slice::MissingPort;
use std::collections::BTreeMap;

use kernel::db::{self, Db, Tx};
use kernel::ids::MemberId;
use kernel::mail::{self, Email};
use kernel::secret::SecretKey;
use kernel::time::now;
use kernel::{AppError, AppResult, AppState, FieldErrors, jobs, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::policy::group_read;

pub const IMMEDIATE: &str = "immediate";
pub const DAILY: &str = "daily";
pub const NEVER: &str = "never";
pub const MODES: &[&str] = &[IMMEDIATE, DAILY, NEVER];

/// Each kind of notification, what members call it, and its e-mail default.
pub const KINDS: &[(&str, &str, &str)] = &[
    ("mention", "Someone mentions you", IMMEDIATE),
    ("reply", "Replies to your discussions", DAILY),
    ("reaction", "Reactions to your posts", NEVER),
    ("join_request", "Requests to join a group you moderate", DAILY),
    ("approved", "Your request to join a group is approved", IMMEDIATE),
    ("moderation", "A moderator acts on your content or account", IMMEDIATE),
    ("crisis_flag", "A post in a group you moderate needs a look", IMMEDIATE),
    ("opportunity", "News about your applications for paid opportunities", IMMEDIATE),
    ("support", "Requests for support you are asked about, and answers to yours", IMMEDIATE),
];

fn default_mode(kind: &str) -> &'static str {
    KINDS.iter().find(|(k, _, _)| *k == kind).map(|(_, _, d)| *d).unwrap_or(NEVER)
}

/// How a member wants to hear of one kind of notification by e-mail.
pub async fn mode_for<C: sea_orm::ConnectionTrait>(
    c: &C,
    member: MemberId,
    kind: &str,
) -> Result<String, sea_orm::DbErr> {
    let chosen: Option<String> = db::scalar(
        c,
        "SELECT mode FROM notification_settings WHERE member_id = $1 AND kind = $2",
        params![member, kind],
    )
    .await?;
    Ok(chosen.unwrap_or_else(|| default_mode(kind).to_string()))
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EmailSettings {
    /// For each kind of notification: immediate, daily or never.
    pub email: BTreeMap<String, String>,
}

/// A member's choices, with defaults filled in.
pub async fn settings(db: &Db, member: MemberId) -> AppResult<EmailSettings> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        kind: String,
        mode: String,
    }
    let rows: Vec<Row> =
        db.all("SELECT kind, mode FROM notification_settings WHERE member_id = $1", params![member]).await?;
    let mut email: BTreeMap<String, String> = KINDS.iter().map(|(k, _, d)| (k.to_string(), d.to_string())).collect();
    for r in rows {
        if let Some(mode) = email.get_mut(&r.kind) {
            *mode = r.mode;
        }
    }
    Ok(EmailSettings { email })
}

/// Saves a member's choices (only the kinds given).
pub async fn save(db: &Db, member: MemberId, s: &EmailSettings) -> AppResult<()> {
    let mut e = FieldErrors::new();
    for (kind, mode) in &s.email {
        if !KINDS.iter().any(|(k, _, _)| k == kind) {
            e.add(&format!("email.{kind}"), "There is no such kind of notification.");
        } else if !MODES.contains(&mode.as_str()) {
            e.add(&format!("email.{kind}"), "Choose immediate, daily or never.");
        }
    }
    e.into_result()?;
    let tx = db.begin().await?;
    for (kind, mode) in &s.email {
        set_mode(&tx, member, kind, mode).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn set_mode(tx: &Tx, member: MemberId, kind: &str, mode: &str) -> AppResult<()> {
    db::exec(
        tx,
        "INSERT INTO notification_settings (member_id, kind, mode) VALUES ($1, $2, $3) \
         ON CONFLICT (member_id, kind) DO UPDATE SET mode = excluded.mode",
        params![member, kind, mode],
    )
    .await?;
    if mode != DAILY {
        db::exec(
            tx,
            "UPDATE notifications SET digest_pending = FALSE WHERE member_id = $1 AND kind = $2 AND digest_pending = TRUE",
            params![member, kind],
        )
        .await?;
    }
    Ok(())
}

/// Turns every notification e-mail off (the one-click unsubscribe).
pub async fn unsubscribe_all(db: &Db, member: MemberId) -> AppResult<()> {
    let tx = db.begin().await?;
    for (kind, _, _) in KINDS {
        set_mode(&tx, member, kind, NEVER).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// What notification e-mails need: the site's address for links and the key that
/// signs unsubscribe links.
#[derive(Clone)]
pub struct Mailing {
    base_url: String,
    secret: SecretKey,
    /// Where members' addresses and names come from (the members port).
    pub(crate) people: Arc<dyn MemberDirectory>,
}

impl Mailing {
    pub fn new(config: &kernel::config::Config, secret: &SecretKey, people: Arc<dyn MemberDirectory>) -> Self {
        Mailing { base_url: config.url(""), secret: secret.clone(), people }
    }

    pub fn from_state(state: &AppState) -> Result<Self, MissingPort> {
        let people = state.port::<Arc<dyn MemberDirectory>>()?.clone();
        Ok(Mailing::new(&state.config, &state.secret, people))
    }

    fn message(member: MemberId) -> Vec<u8> {
        format!("unsubscribe:{member}").into_bytes()
    }

    /// A link that turns a member's notification e-mail off without signing in.
    pub fn unsubscribe_token(&self, member: MemberId) -> String {
        format!("{member}.{}", self.secret.sign(&Self::message(member)))
    }

    pub fn verify(&self, token: &str) -> Option<MemberId> {
        let (id, sig) = token.split_once('.')?;
        let member: MemberId = id.parse().ok()?;
        self.secret.verify(&Self::message(member), sig).then_some(member)
    }

    fn unsubscribe_url(&self, member: MemberId) -> String {
        format!("{}/unsubscribe/{}", self.base_url, self.unsubscribe_token(member))
    }

    fn footer(&self, member: MemberId) -> String {
        format!(
            "\n\n--\nChoose which e-mails you get: {}/settings/notifications\nStop all notification e-mails: {}\n",
            self.base_url,
            self.unsubscribe_url(member)
        )
    }

    /// Queues the e-mail for one notification (a member who chose "immediately").
    pub async fn queue_one(&self, tx: &Tx, member: MemberId, id: Uuid, text: &str, url: &str) -> anyhow::Result<()> {
        let Some(to) = self.people.contact_email(tx.into(), member).await? else { return Ok(()) };
        let email = Email {
            to,
            subject: text.chars().take(120).collect(),
            text: format!("{text}\n\nRead it: {}{url}{}", self.base_url, self.footer(member)),
            html: None,
            unsubscribe_url: Some(self.unsubscribe_url(member)),
            attachments: vec![],
        };
        mail::queue(tx, &format!("notification:{id}"), email).await?;
        Ok(())
    }

    /// Sends one member their digest of what is waiting, if anything still readable is.
    async fn digest(&self, db: &Db, member: MemberId, day: &str) -> anyhow::Result<bool> {
        #[derive(sea_orm::FromQueryResult)]
        struct Row {
            text: String,
            url: String,
        }
        let tx = db.begin().await?;
        let rows: Vec<Row> = db::all(
            &tx,
            &format!(
                "SELECT n.text, n.url FROM notifications n WHERE n.member_id = $1 AND n.digest_pending = TRUE \
                 AND n.read_at IS NULL AND {} ORDER BY n.created_at LIMIT 100",
                group_read::still_readable_sql("$1")
            ),
            params![member],
        )
        .await?;
        db::exec(
            &tx,
            "UPDATE notifications SET digest_pending = FALSE WHERE member_id = $1 AND digest_pending = TRUE",
            params![member],
        )
        .await?;
        let sent = match (rows.is_empty(), self.people.contact_email((&tx).into(), member).await?) {
            (false, Some(to)) => {
                let mut text = String::from("Here is what happened since your last digest:\n\n");
                for r in &rows {
                    text.push_str(&format!("- {}\n  {}{}\n", r.text, self.base_url, r.url));
                }
                text.push_str(&self.footer(member));
                let email = Email {
                    to,
                    subject: format!("Your daily digest: {} new", rows.len()),
                    text,
                    html: None,
                    unsubscribe_url: Some(self.unsubscribe_url(member)),
                    attachments: vec![],
                };
                mail::queue(&tx, &format!("digest:{day}"), email).await?
            }
            _ => false,
        };
        tx.commit().await?;
        Ok(sent)
    }
}

/// Sends today's digests. Safe to run twice: a member's digest for a day is queued once.
pub async fn send_digests(state: &AppState) -> anyhow::Result<usize> {
    let mailing = Mailing::from_state(state)?;
    let day = now().format("%Y-%m-%d").to_string();
    let members: Vec<MemberId> =
        state.db.column("SELECT DISTINCT member_id FROM notifications WHERE digest_pending = TRUE", params![]).await?;
    let mut sent = 0;
    for m in members {
        if mailing.digest(&state.db, m, &day).await? {
            sent += 1;
        }
    }
    Ok(sent)
}

/// Queues each member's daily digest (scheduled once a day).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct SendDigests {}

impl jobs::Job for SendDigests {
    const KIND: &'static str = "community.digests";

    async fn run(self, state: AppState) -> anyhow::Result<()> {
        let n = send_digests(&state).await?;
        tracing::info!(digests = n, "daily digests queued");
        Ok(())
    }
}

/// Checks an unsubscribe token and turns that member's notification e-mail off.
pub async fn unsubscribe(state: &AppState, token: &str) -> AppResult<MemberId> {
    let member = Mailing::from_state(state)?.verify(token).ok_or(AppError::NotFound)?;
    unsubscribe_all(&state.db, member).await?;
    Ok(member)
}
