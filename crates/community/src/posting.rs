//! What is checked before anything is posted in a group, and what a post says about
//! its author or others: limits for new members, suspensions from a group, crisis
//! phrases and @mentions.

use crate::people;
use crate::settings::CommunitySettings;
use chrono::Duration;
use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState, FieldErrors, params};

/// Counts the links in a Markdown text: bare URLs and Markdown links alike.
pub fn count_links(text: &str) -> usize {
    let lower = text.to_lowercase();
    lower.matches("http://").count() + lower.matches("https://").count() + lower.matches("www.").count()
        - lower.matches("://www.").count()
}

/// The first configured crisis phrase a text contains (compared in lower case, with
/// runs of whitespace treated as one space).
pub fn crisis_phrase<'a>(phrases: &'a [String], text: &str) -> Option<&'a str> {
    let normalised = text.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ");
    phrases.iter().find(|p| !p.is_empty() && normalised.contains(p.as_str())).map(String::as_str)
}

/// Names that may follow an `@`: for each mention, the one to four words after it
/// (longest first), so `@Ada Lovelace thanks` offers "ada lovelace thanks", "ada
/// lovelace" and "ada". An `@` inside a word (an e-mail address) is no mention.
pub fn mention_candidates(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c != '@' || (i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '@')) {
            continue;
        }
        let rest: String = chars[i + 1..].iter().take(120).collect();
        let mut words = Vec::new();
        for w in rest.split(' ') {
            let word: String = w.chars().take_while(|c| c.is_alphanumeric() || matches!(c, '\'' | '-' | '.')).collect();
            let word = word.trim_end_matches('.').to_string();
            if word.is_empty() {
                break;
            }
            let whole = word.chars().count() == w.chars().count();
            words.push(word);
            if words.len() == 4 || !whole {
                break;
            }
        }
        let names: Vec<String> = (1..=words.len()).rev().map(|n| words[..n].join(" ").to_lowercase()).collect();
        if !names.is_empty() {
            out.push(names);
        }
    }
    out
}

/// Members mentioned in `text`: for each `@`, the longest following name that is an
/// active member's display name.
pub async fn mentioned(
    c: &kernel::db::Tx,
    people: &dyn contracts::members::MemberDirectory,
    text: &str,
) -> Result<Vec<MemberId>, sea_orm::DbErr> {
    let candidates = mention_candidates(text);
    let mut all: Vec<String> = candidates.iter().flatten().cloned().collect();
    all.sort();
    all.dedup();
    all.truncate(200);
    let found = people.find_by_names(c.into(), &all).await?;
    let mut out = Vec::new();
    for names in candidates {
        if let Some(name) = names.iter().find(|n| found.iter().any(|(_, k)| k == *n)) {
            for (id, _) in found.iter().filter(|(_, k)| k == name) {
                if !out.contains(id) {
                    out.push(*id);
                }
            }
        }
    }
    Ok(out)
}

/// Whether a member is still new: their account is younger than the configured number
/// of days and they have written fewer than the configured number of posts.
async fn is_new_member(state: &AppState, me: MemberId) -> AppResult<bool> {
    let limits = &CommunitySettings::of(state)?.new_member;
    let Some(joined) = people(state)?.joined_at((&state.db).into(), me).await? else { return Ok(false) };
    if now() - joined >= Duration::days(limits.days) {
        return Ok(false);
    }
    let written = posts_since(&state.db, me, joined).await?;
    Ok((written.len() as i64) < limits.posts_to_graduate)
}

/// Bodies of the threads and replies a member wrote since `since`.
async fn posts_since(db: &Db, me: MemberId, since: chrono::DateTime<chrono::Utc>) -> AppResult<Vec<String>> {
    Ok(db
        .column(
            "SELECT body FROM threads WHERE author_id = $1 AND created_at >= $2 \
             UNION ALL SELECT body FROM posts WHERE author_id = $1 AND created_at >= $2",
            params![me, since],
        )
        .await?)
}

/// Refuses a post from a new member over the day's limits (posts, links). Staff and
/// moderators are never new.
pub async fn check_new_member_limits(state: &AppState, viewer: &Viewer, body: &str) -> AppResult<()> {
    let me = viewer.require_member()?;
    if viewer.is_staff() || viewer.has_role(kernel::viewer::Role::Moderator) || !is_new_member(state, me.id).await? {
        return Ok(());
    }
    let limits = &CommunitySettings::of(state)?.new_member;
    let today = posts_since(&state.db, me.id, now() - Duration::days(1)).await?;
    let mut e = FieldErrors::new();
    if today.len() as i64 >= limits.posts_per_day {
        e.add(
            "body",
            format!(
                "New members can post {} times a day while they settle in. Your post is not lost: copy it and try again tomorrow.",
                limits.posts_per_day
            ),
        );
    } else {
        let links: usize = today.iter().map(|b| count_links(b)).sum::<usize>() + count_links(body);
        if links as i64 > limits.links_per_day {
            e.add(
                "body",
                format!(
                    "New members can share {} links a day while they settle in. Remove a link, or post it tomorrow.",
                    limits.links_per_day
                ),
            );
        }
    }
    e.into_result()
}

/// Refuses a post from a member suspended from the group, saying until when.
pub async fn check_not_suspended(db: &Db, me: MemberId, group: uuid::Uuid) -> AppResult<()> {
    let until: Option<Option<chrono::DateTime<chrono::Utc>>> = db
        .scalar("SELECT suspended_until FROM group_members WHERE group_id = $1 AND member_id = $2", params![group, me])
        .await?;
    match until.flatten() {
        Some(t) if t > now() => Err(AppError::Conflict {
            code: "suspended_from_group",
            message: format!(
                "You are suspended from posting in this group until {} UTC. You can still read it.",
                t.format("%Y-%m-%d %H:%M")
            ),
        }),
        _ => Ok(()),
    }
}

/// Everything checked before a member posts in a group.
pub async fn check_may_post(state: &AppState, viewer: &Viewer, group: uuid::Uuid, body: &str) -> AppResult<()> {
    let me = viewer.require_member()?;
    check_not_suspended(&state.db, me.id, group).await?;
    check_new_member_limits(state, viewer, body).await
}

/// Whether the group holds posts that match a crisis phrase until a moderator looks.
pub async fn holds_crisis_posts<C: sea_orm::ConnectionTrait>(c: &C, group: uuid::Uuid) -> AppResult<bool> {
    Ok(db::scalar::<bool, _>(c, "SELECT hold_crisis_posts FROM groups WHERE id = $1", params![group])
        .await?
        .unwrap_or(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_offer_the_longest_names_first_and_ignore_email_addresses() {
        let c = mention_candidates("Thanks @Ada Lovelace, see ada@example.org and @bob.");
        assert_eq!(c.len(), 2);
        assert_eq!(c[0], vec!["ada lovelace".to_string(), "ada".to_string()]);
        assert_eq!(c[1], vec!["bob".to_string()]);
        assert!(mention_candidates("no mentions here, mail me at x@y.z").is_empty());
        assert_eq!(mention_candidates("@Mary Jo Ann Lee Smith")[0].len(), 4);
    }

    #[test]
    fn crisis_phrases_match_whatever_the_case_and_spacing() {
        let phrases = vec!["want to die".to_string(), "suicide".to_string()];
        assert_eq!(crisis_phrase(&phrases, "Some days I WANT  to\ndie."), Some("want to die"));
        assert_eq!(crisis_phrase(&phrases, "A good day at the clinic."), None);
    }

    #[test]
    fn links_are_counted_once_each() {
        assert_eq!(count_links("see https://www.example.org and http://a.b and www.c.d"), 3);
        assert_eq!(count_links("no links"), 0);
    }
}
