//! The embeddable badge of an accepted nominee: an SVG ("Nominee — Social Health Awards
//! 2027", "Finalist — …" once finalists are announced, "Winner — …" from the ceremony
//! on, by the embargo rule in SQL), and the HTML snippet that embeds it, with no script.

use kernel::db;
use kernel::time::now;
use kernel::ui::escape;
use kernel::{AppResult, params};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::nominees::{self, NomineeRow};
use crate::policy;

/// What the badge of `n` says, as the public may see it now.
pub async fn title<C: ConnectionTrait>(c: &C, n: &NomineeRow) -> AppResult<String> {
    let won: Option<Uuid> = db::scalar(
        c,
        &format!(
            "SELECT w.nominee_id FROM award_winners w JOIN award_categories c ON c.id = w.category_id \
             JOIN award_programmes p ON p.id = c.programme_id WHERE w.nominee_id = $1 AND {}",
            policy::winners_public_sql(2)
        ),
        params![n.id, now()],
    )
    .await?;
    let role = if won.is_some() {
        "Winner"
    } else if n.shown_as_finalist() {
        "Finalist"
    } else {
        "Nominee"
    };
    Ok(format!("{role} — Social Health Awards {}", n.year))
}

/// The badge of accepted nominee `id` as SVG (404 for any other).
pub async fn svg<C: ConnectionTrait>(c: &C, id: Uuid) -> AppResult<String> {
    let n = nominees::public(c, id).await?;
    let text = escape(&title(c, &n).await?);
    Ok(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="320" height="48" viewBox="0 0 320 48" role="img" aria-label="{text}"><title>{text}</title><rect width="320" height="48" rx="8" fill="#1d3557"/><text x="160" y="30" fill="#ffffff" font-family="sans-serif" font-size="15" text-anchor="middle">{text}</text></svg>"##
    ))
}

/// The HTML to paste on another site: a link to the nominee's page around the badge.
pub fn snippet(base_url: &str, id: Uuid, title: &str) -> String {
    let base = base_url.trim_end_matches('/');
    format!(
        r#"<a href="{base}/nominees/{id}"><img src="{base}/api/v1/nominees/{id}/badge.svg" alt="{}" width="320" height="48"></a>"#,
        escape(title)
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_snippet_links_the_page_around_the_badge_and_escapes_the_title() {
        let id = uuid::Uuid::from_u128(7);
        let s = super::snippet("https://shn.example.org/", id, "Nominee <2027>");
        assert!(s.starts_with(&format!("<a href=\"https://shn.example.org/nominees/{id}\">")));
        assert!(s.contains("badge.svg") && s.contains("alt=\"Nominee &lt;2027&gt;\"") && !s.contains("<script"));
    }
}
