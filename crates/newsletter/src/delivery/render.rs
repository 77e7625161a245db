//! One member's edition as an e-mail (our own words in plain ASCII, so the parts go
//! as readable 7-bit text unless the editor's or members' words need more): a plain-text part and an HTML part (sent as
//! `multipart/alternative`), every link absolute, and the member's own signed one-click
//! unsubscribe link in the `List-Unsubscribe` header and at the foot.

use askama::Template;
use kernel::AppState;
use kernel::ids::MemberId;
use kernel::mail::{Email, ListHeaders};
use uuid::Uuid;

use crate::assembly::Edition;
use crate::preferences;

/// The e-mail around an edition: the same edition the preview shows (one rendering,
/// `crate::render`), with the foot a message needs.
#[derive(Template)]
#[template(path = "email.html")]
struct EmailHtml<'a> {
    subject: &'a str,
    edition_html: String,
    preferences: String,
    unsubscribe: &'a str,
}

/// The subject line of an issue.
pub fn subject(edition: &Edition) -> String {
    format!("Health Leader weekly: {}", edition.week)
}

/// The list the weekly issue goes to (RFC 2919), named after the sender's domain.
pub fn list_headers(domain: &str) -> ListHeaders {
    ListHeaders { id: format!("Health Leader weekly <weekly.{domain}>"), unsubscribe_mailto: None }
}

/// The stable Message-ID (without the domain) of `member`'s copy of `issue`: the same
/// on every attempt, so a receiver that keeps Message-IDs can drop a repeat.
pub fn message_id(issue: Uuid, member: MemberId) -> String {
    let hash = kernel::secret::token_hash(&format!("newsletter:{issue}:{member}"));
    format!("weekly-{}", &hash[..32.min(hash.len())])
}

/// `member`'s edition as the e-mail to `to`: every part the preview shows, links made
/// absolute, and the member's own one-click unsubscribe link (header and foot).
pub fn email(state: &AppState, edition: &Edition, member: MemberId, to: &str) -> Email {
    let unsubscribe = preferences::unsubscribe_url(state, member);
    let edition = crate::render::absolute(edition, |href| state.config.url(href));
    let subject = subject(&edition);
    let mut text = crate::render::text(&edition, str::to_string);
    text.push_str(&format!("\n--\nUnsubscribe with one click: {unsubscribe}\n"));
    let html = kernel::ui::render(&EmailHtml {
        subject: &subject,
        edition_html: crate::render::html(&edition),
        preferences: state.config.url("/newsletter/preferences"),
        unsubscribe: &unsubscribe,
    });
    Email {
        to: to.to_string(),
        subject,
        text,
        html: Some(html),
        unsubscribe_url: Some(unsubscribe),
        attachments: vec![],
    }
}
