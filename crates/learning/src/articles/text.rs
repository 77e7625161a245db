//! An article's text: its paragraphs (what inline comments anchor to), its HTML with the
//! article's own images, its reading time and its slug.
//!
//! The Markdown is rendered paragraph by paragraph through the shared sanitiser
//! (`kernel::markdown`), which allows no images; a paragraph that is only an image of
//! this slice (`![a dog asleep](/articles/images/….jpg)`, as the editor inserts after an
//! upload) becomes a figure we write ourselves, so no other image source ever appears.

use kernel::ui::escape;

/// Words a person reads in a minute, for the reading time.
const WORDS_PER_MINUTE: usize = 200;

/// The blocks of `markdown` separated by blank lines (a fenced code block with blank
/// lines inside stays one block), trimmed, without empty ones.
pub(crate) fn paragraphs(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut fenced = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        }
        if line.trim().is_empty() && !fenced {
            push_block(&mut out, &mut current);
            continue;
        }
        current.push_str(line);
        current.push('\n');
    }
    push_block(&mut out, &mut current);
    out
}

fn push_block(out: &mut Vec<String>, current: &mut String) {
    let block = current.trim();
    if !block.is_empty() {
        out.push(block.to_string());
    }
    current.clear();
}

/// The image file a paragraph shows, with its description, when the paragraph is only
/// `![description](/articles/images/<file>)` naming one of our stored files.
pub(crate) fn image_of(paragraph: &str) -> Option<(&str, &str)> {
    let rest = paragraph.strip_prefix("![")?;
    let (alt, rest) = rest.split_once("](/articles/images/")?;
    let file = rest.strip_suffix(')')?;
    is_image_file(file).then_some((alt, file))
}

/// Whether `file` is a name this slice gives stored images: a UUID and `.jpg`.
pub(crate) fn is_image_file(file: &str) -> bool {
    file.strip_suffix(".jpg").is_some_and(|stem| stem.len() == 36 && stem.parse::<uuid::Uuid>().is_ok())
}

/// One paragraph as safe HTML.
pub(crate) fn paragraph_html(paragraph: &str) -> String {
    match image_of(paragraph) {
        Some((alt, file)) => format!(
            "<figure><img src=\"/articles/images/{file}\" alt=\"{}\" loading=\"lazy\"></figure>",
            escape(alt.trim())
        ),
        None => kernel::markdown::render(paragraph),
    }
}

/// The whole text as safe HTML, each paragraph in turn.
pub(crate) fn html(markdown: &str) -> String {
    paragraphs(markdown).iter().map(|p| paragraph_html(p)).collect()
}

/// Minutes to read, at least one.
pub(crate) fn reading_minutes(markdown: &str) -> usize {
    let words = kernel::markdown::excerpt(markdown, usize::MAX).split_whitespace().count();
    words.div_ceil(WORDS_PER_MINUTE).max(1)
}

/// A plain-text summary for lists, feeds and link previews.
pub(crate) fn summary(markdown: &str) -> String {
    let text: Vec<String> = paragraphs(markdown).into_iter().filter(|p| image_of(p).is_none()).collect();
    kernel::markdown::excerpt(&text.join("\n\n"), 200)
}

/// The address-friendly form of a title: lower-case ASCII letters and digits joined by
/// single hyphens, at most 60 characters ("article" when nothing is left).
pub(crate) fn slug_base(title: &str) -> String {
    let mut out = String::new();
    for ch in title.chars().flat_map(char::to_lowercase) {
        if ch.is_ascii_alphanumeric() {
            out.push(ch);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 60 {
            break;
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() { "article".into() } else { trimmed.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_split_on_blank_lines_but_keep_code_blocks_whole() {
        let text = "One\nstill one\n\n\nTwo\n\n```\ncode\n\nmore code\n```\n\nThree";
        assert_eq!(paragraphs(text), vec!["One\nstill one", "Two", "```\ncode\n\nmore code\n```", "Three"]);
    }

    #[test]
    fn only_our_own_images_become_figures() {
        let file = format!("{}.jpg", uuid::Uuid::nil());
        let ours = format!("![A \"quiet\" morning](/articles/images/{file})");
        let html = paragraph_html(&ours);
        assert!(html.contains(&format!("src=\"/articles/images/{file}\"")), "{html}");
        assert!(html.contains("alt=\"A &quot;quiet&quot; morning\""), "{html}");
        for other in [
            "![x](https://evil.example/x.jpg)",
            "![x](/articles/images/../../secret.jpg)",
            "<img src=x onerror=alert(1)>",
        ] {
            assert!(!paragraph_html(other).contains("<img"), "{other}");
        }
    }

    #[test]
    fn reading_time_is_a_minute_per_two_hundred_words_at_least_one() {
        assert_eq!(reading_minutes("short"), 1);
        assert_eq!(reading_minutes(&"word ".repeat(401)), 3);
    }

    #[test]
    fn slugs_are_plain_and_never_empty() {
        assert_eq!(slug_base("  Living with Asthma: my first year! "), "living-with-asthma-my-first-year");
        assert_eq!(slug_base("¿¿??"), "article");
        assert!(slug_base(&"long title ".repeat(20)).len() <= 60);
    }
}
