//! Markdown from members, rendered to safe HTML. We store Markdown, never HTML from users
//! (HTML we rendered and sanitised ourselves may be stored beside it: see [`RENDERER_VERSION`]).

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{Options, Parser, html};

/// The version of [`render`]'s output. Where a slice stores rendered HTML (threads and
/// replies do), it stores this beside it; bump it whenever a change here changes the HTML
/// (options, the sanitiser's lists): `shn check` then reports the HTML stored by the older
/// version and `shn check --repair` renders it again, and pages render such rows on read
/// until then.
pub const RENDERER_VERSION: i32 = 1;

/// Renders member-written Markdown and sanitises the result: no scripts, no event
/// handlers, no `javascript:` links, no raw HTML beyond a safe list; every link gets
/// `rel="nofollow ugc noopener"`.
pub fn render(markdown: &str) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    let parser = Parser::new_ext(markdown, opts);
    let mut raw = String::with_capacity(markdown.len() * 2);
    html::push_html(&mut raw, parser);
    sanitise(&raw)
}

/// The sanitiser, built once: building one sets up its tables, which would otherwise
/// cost more than the cleaning on every post of every page.
static SANITISER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> =
        ["p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4", "hr"]
            .into_iter()
            .collect();
    let mut b = ammonia::Builder::default();
    b.tags(tags).link_rel(Some("nofollow ugc noopener")).url_schemes(["http", "https", "mailto"].into_iter().collect());
    b
});

fn sanitise(html: &str) -> String {
    SANITISER.clean(html).to_string()
}

/// Plain text (Markdown syntax removed) of at most `max` characters, for previews and e-mail.
pub fn excerpt(markdown: &str, max: usize) -> String {
    use pulldown_cmark::{Event, TagEnd};
    let mut plain = String::with_capacity(markdown.len());
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => plain.push_str(&t),
            Event::SoftBreak | Event::HardBreak => plain.push(' '),
            // Blocks end with a space; inline markup ends with nothing.
            Event::End(t)
                if !matches!(
                    t,
                    TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link | TagEnd::Image
                ) =>
            {
                plain.push(' ')
            }
            _ => {}
        }
    }
    let text: String = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        text
    } else {
        let cut: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_links_never_survive() {
        let payloads = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<svg onload=alert(1)>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<p style=\"background:url(javascript:alert(1))\">x</p>",
        ];
        for p in payloads {
            let out = render(p);
            let lower = out.to_lowercase();
            assert!(!lower.contains("<script"), "{p} -> {out}");
            assert!(!lower.contains("onerror") && !lower.contains("onload"), "{p} -> {out}");
            assert!(!lower.contains("javascript:"), "{p} -> {out}");
            assert!(!lower.contains("<iframe") && !lower.contains("<img") && !lower.contains("style="), "{p} -> {out}");
        }
    }

    #[test]
    fn ordinary_markdown_renders_and_links_are_marked_ugc() {
        let out = render("**brave** and [my blog](https://example.org)");
        assert!(out.contains("<strong>brave</strong>"));
        assert!(out.contains("rel=\"nofollow ugc noopener\""));
    }

    #[test]
    fn excerpts_are_cut_on_characters() {
        assert_eq!(excerpt("a  b\nc", 10), "a b c");
        assert_eq!(excerpt("Hi **there**, [me](https://x.org)", 40), "Hi there, me");
        assert_eq!(excerpt("ééééé", 3), "éé…");
    }
}
