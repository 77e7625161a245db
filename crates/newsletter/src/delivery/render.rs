//! One member's edition as an e-mail (our own words in plain ASCII, so the parts go
//! as readable 7-bit text unless the editor's or members' words need more): a plain-text part and an HTML part (sent as
//! `multipart/alternative`), every link absolute, and the member's own signed one-click
//! unsubscribe link in the `List-Unsubscribe` header and at the foot.

use askama::Template;
use kernel::AppState;
use kernel::ids::MemberId;
use kernel::mail::{Email, ListHeaders};
use uuid::Uuid;

use crate::assembly::{Edition, Item};
use crate::preferences;

#[derive(Template)]
#[template(path = "email.html")]
struct EmailHtml<'a> {
    subject: &'a str,
    edition: &'a Edition,
    intro_html: String,
    featured: Vec<Item>,
    highlights: Vec<Item>,
    new_this_month: Vec<Item>,
    preferences: String,
    unsubscribe: String,
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

fn absolute(state: &AppState, items: &[Item]) -> Vec<Item> {
    items.iter().map(|i| Item { href: state.config.url(&i.href), ..i.clone() }).collect()
}

fn text_section(out: &mut String, title: &str, items: &[Item]) {
    if items.is_empty() {
        return;
    }
    out.push_str(&format!("\n{title}\n{}\n", "-".repeat(title.chars().count())));
    for i in items {
        if i.note.is_empty() {
            out.push_str(&format!("* {}\n  {}\n", i.title, i.href));
        } else {
            out.push_str(&format!("* {} - {}\n  {}\n", i.title, i.note, i.href));
        }
    }
}

/// The plain-text part.
pub fn text(edition: &Edition, featured: &[Item], highlights: &[Item], new: &[Item], unsubscribe: &str) -> String {
    let mut out = format!("Health Leader weekly: {}\n\n", edition.week);
    if !edition.intro.trim().is_empty() {
        out.push_str(edition.intro.trim());
        out.push('\n');
    }
    text_section(&mut out, "Featured", featured);
    text_section(&mut out, "From your groups", highlights);
    text_section(&mut out, "New this month", new);
    out.push_str(&format!("\n--\nUnsubscribe with one click: {unsubscribe}\n"));
    out
}

/// `member`'s edition as the e-mail to `to`.
pub fn email(state: &AppState, edition: &Edition, member: MemberId, to: &str) -> Email {
    let unsubscribe = preferences::unsubscribe_url(state, member);
    let featured: Vec<Item> = edition
        .featured
        .iter()
        .map(|f| Item { title: f.title.clone(), href: f.href.clone(), note: String::new() })
        .collect();
    let (featured, highlights, new_this_month) =
        (absolute(state, &featured), absolute(state, &edition.highlights), absolute(state, &edition.new_this_month));
    let subject = subject(edition);
    let text = text(edition, &featured, &highlights, &new_this_month, &unsubscribe);
    let html = kernel::ui::render(&EmailHtml {
        subject: &subject,
        edition,
        intro_html: kernel::markdown::render(&edition.intro),
        featured,
        highlights,
        new_this_month,
        preferences: state.config.url("/newsletter/preferences"),
        unsubscribe: unsubscribe.clone(),
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
