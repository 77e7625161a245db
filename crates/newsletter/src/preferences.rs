//! What each member chooses to receive, the signed one-click unsubscribe link, and who
//! the weekly issue goes to. A member without a stored row has the defaults: the weekly
//! issue and the monthly resources on, no particular topics.

use std::collections::HashSet;

use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::secret::SecretKey;
use kernel::{AppError, AppResult, AppState, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The topics a member may follow: (code, label).
pub const TOPICS: &[(&str, &str)] = &[
    ("advocacy", "Advocacy and policy"),
    ("research", "Research and clinical trials"),
    ("caregiving", "Caregiving"),
    ("wellbeing", "Wellbeing and mental health"),
    ("social_media", "Social media and storytelling"),
    ("events", "Events and meet-ups"),
    ("opportunities", "Paid opportunities"),
];

/// A member's newsletter preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    /// The weekly Health Leader newsletter.
    pub weekly: bool,
    /// The monthly collection of advocacy resources.
    pub monthly_resources: bool,
    /// Topic codes of interest (see the preferences page for the list), at most one of each.
    #[schema(max_items = 7)]
    pub topics: Vec<String>,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences { weekly: true, monthly_resources: true, topics: vec![] }
    }
}

impl Preferences {
    /// Checks every topic is one of [`TOPICS`] and none repeats.
    pub fn validate(&self) -> AppResult<()> {
        let mut seen = HashSet::new();
        for t in &self.topics {
            if !TOPICS.iter().any(|(code, _)| code == t) {
                return Err(AppError::field("topics", format!("“{}” is not a topic we write about.", truncate(t))));
            }
            if !seen.insert(t.as_str()) {
                return Err(AppError::field("topics", "Each topic may be chosen once."));
            }
        }
        Ok(())
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

#[derive(sea_orm::FromQueryResult)]
struct Row {
    weekly: bool,
    monthly_resources: bool,
    topics: String,
}

/// A member's preferences (the defaults when they never chose).
pub async fn load(db: &Db, member: MemberId) -> AppResult<Preferences> {
    let row: Option<Row> = db
        .one(
            "SELECT weekly, monthly_resources, topics FROM newsletter_preferences WHERE member_id = $1",
            params![member],
        )
        .await?;
    Ok(row
        .map(|r| Preferences {
            weekly: r.weekly,
            monthly_resources: r.monthly_resources,
            topics: r.topics.split(',').filter(|t| !t.is_empty()).map(str::to_string).collect(),
        })
        .unwrap_or_default())
}

/// Stores a member's preferences after checking them.
pub async fn save(db: &Db, member: MemberId, p: &Preferences) -> AppResult<()> {
    p.validate()?;
    db.exec(
        "INSERT INTO newsletter_preferences (member_id, weekly, monthly_resources, topics, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (member_id) DO UPDATE SET weekly = $2, \
         monthly_resources = $3, topics = $4, updated_at = $5",
        params![member, p.weekly, p.monthly_resources, p.topics.join(","), kernel::time::now()],
    )
    .await?;
    Ok(())
}

/// Turns every newsletter off for a member (the one-click unsubscribe), keeping topics.
pub async fn unsubscribe(db: &Db, member: MemberId) -> AppResult<()> {
    let topics = load(db, member).await?.topics;
    save(db, member, &Preferences { weekly: false, monthly_resources: false, topics }).await
}

fn signed_message(member: MemberId) -> Vec<u8> {
    // Distinct from other slices' unsubscribe links, so one never works for the other.
    format!("newsletter-unsubscribe:{member}").into_bytes()
}

/// The token of a member's one-click unsubscribe link: their id and its signature.
pub fn unsubscribe_token(secret: &SecretKey, member: MemberId) -> String {
    format!("{member}.{}", secret.sign(&signed_message(member)))
}

/// The member a token was made for, if its signature is ours.
pub fn verify_token(secret: &SecretKey, token: &str) -> Option<MemberId> {
    let (id, sig) = token.split_once('.')?;
    let member: MemberId = id.parse().ok()?;
    secret.verify(&signed_message(member), sig).then_some(member)
}

/// The absolute one-click unsubscribe URL for a member (the `List-Unsubscribe` header).
pub fn unsubscribe_url(state: &AppState, member: MemberId) -> String {
    state.config.url(&format!("/unsubscribe/newsletter/{}", unsubscribe_token(&state.secret, member)))
}

/// Who receives the weekly issue: every active member with a verified address who has
/// not turned it off, in id order. Read in batches through the members port.
pub async fn weekly_recipients(state: &AppState) -> AppResult<Vec<(MemberId, String)>> {
    let people = contracts::members::directory(state)?;
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let batch = people.verified_addresses((&state.db).into(), after, 1000).await?;
        let Some(last) = batch.last() else { break };
        after = Some(last.0);
        let off = opted_out(&state.db, &batch).await?;
        out.extend(batch.into_iter().filter(|(id, _)| !off.contains(id)));
    }
    Ok(out)
}

/// Which of a batch of members turned the weekly issue off.
async fn opted_out(db: &Db, batch: &[(MemberId, String)]) -> AppResult<HashSet<MemberId>> {
    let ids: Vec<sea_orm::Value> = batch.iter().map(|(id, _)| (*id).into()).collect();
    let sql = format!(
        "SELECT member_id FROM newsletter_preferences WHERE weekly = FALSE AND member_id IN ({})",
        db::placeholders(1, ids.len())
    );
    Ok(db.column::<MemberId>(&sql, ids).await?.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_unsubscribes_only_the_member_it_was_made_for() {
        let key = SecretKey::from_text("test key");
        let (a, b) = (MemberId::new(), MemberId::new());
        let token = unsubscribe_token(&key, a);
        assert_eq!(verify_token(&key, &token), Some(a));
        let forged = token.replace(&a.to_string(), &b.to_string());
        assert_eq!(verify_token(&key, &forged), None);
        assert_eq!(verify_token(&SecretKey::from_text("other"), &token), None);
        assert_eq!(verify_token(&key, "garbage"), None);
    }

    #[test]
    fn unknown_and_repeated_topics_are_refused() {
        let mut p = Preferences { topics: vec!["advocacy".into()], ..Default::default() };
        assert!(p.validate().is_ok());
        p.topics.push("advocacy".into());
        assert!(p.validate().is_err());
        p.topics = vec!["crypto".into()];
        assert!(p.validate().is_err());
    }
}
