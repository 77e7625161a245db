//! Addresses the newsletter never writes to again: hard bounces (a 5xx answer to
//! `RCPT TO` while sending) and reports from the mail provider, bounces and
//! complaints, posted to a staff-authenticated webhook. The member is told on their
//! next visit, once (a notice on the home page), and the preferences page says so
//! for as long as it holds.

use std::collections::HashSet;

use kernel::db::Db;
use kernel::ids::MemberId;
use kernel::{AppResult, FieldErrors, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One report from a mail provider.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewsletterBounceReport {
    /// The address the report is about, at most 254 characters.
    pub email: String,
    /// `bounce` (a hard bounce) or `complaint` (the recipient marked it as spam).
    pub kind: String,
    /// The provider's words, kept for staff (at most 500 characters).
    #[serde(default)]
    pub detail: String,
}

/// A batch of reports (at most 1,000).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewsletterBounceReports {
    #[schema(max_items = 1000)]
    pub reports: Vec<NewsletterBounceReport>,
}

/// What the webhook did.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewsletterBounceResult {
    /// Reports recorded now.
    pub recorded: usize,
    /// Reports about an address already stopped.
    pub already: usize,
}

/// Checks a batch of reports before anything is recorded.
pub fn check(reports: &NewsletterBounceReports) -> AppResult<()> {
    let mut errors = FieldErrors::new();
    if reports.reports.is_empty() || reports.reports.len() > 1000 {
        errors.add("reports", "Send 1 to 1,000 reports at a time.");
    }
    for r in &reports.reports {
        if !r.email.contains('@') || r.email.len() > 254 {
            errors.add("email", "Each report needs the address it is about.");
        }
        if r.kind != "bounce" && r.kind != "complaint" {
            errors.add("kind", "A report is a bounce or a complaint.");
        }
        if r.detail.chars().count() > 500 {
            errors.add("detail", "Keep the detail to 500 characters.");
        }
    }
    errors.into_result()
}

/// Stops sending to `email` (for `reason`: bounce or complaint); answers whether it
/// was newly stopped. Any recipient row of that member still pending is skipped.
pub async fn suppress(db: &Db, member: Option<MemberId>, email: &str, reason: &str, detail: &str) -> AppResult<bool> {
    let email = email.trim().to_lowercase();
    let member = match member {
        Some(m) => Some(m),
        None => {
            db.scalar::<MemberId>(
                "SELECT member_id FROM newsletter_deliveries WHERE email = $1 ORDER BY updated_at DESC LIMIT 1",
                params![email.clone()],
            )
            .await?
        }
    };
    let n = db
        .exec(
            "INSERT INTO newsletter_suppressions (email, member_id, reason, detail, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email) DO NOTHING",
            params![
                email,
                member,
                reason.to_string(),
                detail.chars().take(500).collect::<String>(),
                kernel::time::now()
            ],
        )
        .await?;
    if let Some(m) = member {
        crate::delivery::skip_member(db, m, &format!("stopped: {reason}")).await?;
    }
    metrics::counter!("shn_newsletter_suppressions_total", "reason" => reason.to_string()).increment(n);
    Ok(n == 1)
}

/// Records a batch of reports from the webhook.
pub async fn record(db: &Db, reports: &NewsletterBounceReports) -> AppResult<NewsletterBounceResult> {
    check(reports)?;
    let mut out = NewsletterBounceResult { recorded: 0, already: 0 };
    for r in &reports.reports {
        if suppress(db, None, &r.email, &r.kind, &r.detail).await? {
            out.recorded += 1;
        } else {
            out.already += 1;
        }
    }
    Ok(out)
}

/// Records whose a stopped address is, when a report came before we knew.
pub(crate) async fn attach_member(db: &Db, email: &str, member: MemberId) -> AppResult<()> {
    db.exec(
        "UPDATE newsletter_suppressions SET member_id = $1 WHERE email = $2 AND member_id IS NULL",
        params![member, email.to_lowercase()],
    )
    .await?;
    Ok(())
}

/// Every stopped address, lower case.
pub async fn suppressed_emails(db: &Db) -> AppResult<HashSet<String>> {
    Ok(db.column::<String>("SELECT email FROM newsletter_suppressions", params![]).await?.into_iter().collect())
}

#[derive(sea_orm::FromQueryResult)]
pub(crate) struct Stopped {
    pub email: String,
    pub reason: String,
}

/// The member's stopped addresses (for the preferences page).
pub(crate) async fn stopped_for(db: &Db, member: MemberId) -> AppResult<Vec<Stopped>> {
    Ok(db
        .all(
            "SELECT email, reason FROM newsletter_suppressions WHERE member_id = $1 ORDER BY created_at",
            params![member],
        )
        .await?)
}

/// What to tell the member once, on their next visit; marks it told.
pub(crate) async fn take_notice(db: &Db, member: MemberId) -> AppResult<Option<String>> {
    let fresh: Vec<Stopped> = db
        .all(
            "SELECT email, reason FROM newsletter_suppressions WHERE member_id = $1 AND noticed_at IS NULL",
            params![member],
        )
        .await?;
    let Some(first) = fresh.first() else { return Ok(None) };
    db.exec(
        "UPDATE newsletter_suppressions SET noticed_at = $1 WHERE member_id = $2 AND noticed_at IS NULL",
        params![kernel::time::now(), member],
    )
    .await?;
    Ok(Some(notice_text(first)))
}

pub(crate) fn notice_text(s: &Stopped) -> String {
    let why = if s.reason == "complaint" { "it was reported as unwanted mail" } else { "the mail server refused it" };
    format!(
        "We stopped sending the newsletter to {} because {why}. Check your address in your account settings.",
        s.email
    )
}
