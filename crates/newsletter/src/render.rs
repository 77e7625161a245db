//! An edition as HTML (the preview, the test message, the archive) and as plain text
//! (the test message's text part). The general edition — the editor's intro and
//! featured links, with no personal part — is the same rendering with empty parts.

use askama::Template;

use crate::assembly::{Edition, Item, NewsletterPoints};
use crate::issues::{Featured, IssueView};

struct Section<'a> {
    title: &'static str,
    items: &'a [Item],
}

#[derive(Template)]
#[template(path = "edition.html")]
struct EditionHtml<'a> {
    week: &'a str,
    intro_html: String,
    featured: &'a [Featured],
    sections: Vec<Section<'a>>,
    points: Option<&'a NewsletterPoints>,
}

fn sections(e: &Edition) -> Vec<Section<'_>> {
    vec![
        Section { title: "Opportunities for you", items: &e.opportunities },
        Section { title: "Coming up", items: &e.events },
        Section { title: "New this month", items: &e.new_this_month },
        Section { title: "From your groups", items: &e.highlights },
    ]
}

/// The intro as sanitised HTML. A send renders the same intro for every member, so the
/// last one rendered on this thread is kept (sanitising costs more than the rest of an
/// edition).
fn intro_html(intro: &str) -> String {
    thread_local! {
        static LAST: std::cell::RefCell<(String, String)> = const { std::cell::RefCell::new((String::new(), String::new())) };
    }
    LAST.with_borrow_mut(|(markdown, html)| {
        if markdown != intro || (html.is_empty() && !intro.is_empty()) {
            *html = kernel::markdown::render(intro);
            *markdown = intro.to_string();
        }
        html.clone()
    })
}

/// One member's edition as HTML (already escaped; the intro is sanitised Markdown).
pub fn html(e: &Edition) -> String {
    kernel::ui::render(&EditionHtml {
        week: &e.week,
        intro_html: intro_html(&e.intro),
        featured: &e.featured,
        sections: sections(e),
        points: e.points.as_ref(),
    })
}

/// The edition with every link made absolute by `url` (for e-mail, read off the site).
pub fn absolute(e: &Edition, url: impl Fn(&str) -> String) -> Edition {
    let fix =
        |items: &[Item]| -> Vec<Item> { items.iter().map(|i| Item { href: url(&i.href), ..i.clone() }).collect() };
    Edition {
        featured: e.featured.iter().map(|f| Featured { href: url(&f.href), ..f.clone() }).collect(),
        highlights: fix(&e.highlights),
        new_this_month: fix(&e.new_this_month),
        opportunities: fix(&e.opportunities),
        events: fix(&e.events),
        points: e.points.as_ref().map(|p| NewsletterPoints { balance: p.balance, affordable: fix(&p.affordable) }),
        ..e.clone()
    }
}

/// The general edition of an issue (the archive): the intro and featured links only.
pub fn general_html(issue: &IssueView) -> String {
    kernel::ui::render(&EditionHtml {
        week: &issue.week,
        intro_html: kernel::markdown::render(&issue.intro),
        featured: &issue.featured,
        sections: vec![],
        points: None,
    })
}

/// One member's edition as plain text, links made absolute with `base`.
pub fn text(e: &Edition, url: impl Fn(&str) -> String) -> String {
    let mut out = format!("The Health Leader, week {}\n\n", e.week);
    // Markdown is written to read as plain text: the intro goes as the editor wrote it.
    if !e.intro.trim().is_empty() {
        out.push_str(e.intro.trim());
        out.push_str("\n\n");
    }
    let featured: Vec<Item> =
        e.featured.iter().map(|f| Item { title: f.title.clone(), href: f.href.clone(), note: String::new() }).collect();
    let mut parts = vec![Section { title: "Featured", items: &featured }];
    parts.extend(sections(e));
    let affordable = e.points.as_ref().map(|p| p.affordable.as_slice()).unwrap_or_default();
    for s in parts.iter().chain([&Section { title: "Rewards your points pay for", items: affordable }]) {
        if s.items.is_empty() {
            continue;
        }
        out.push_str(&format!("{}\n", s.title));
        for i in s.items {
            let note = if i.note.is_empty() { String::new() } else { format!(" - {}", i.note) };
            out.push_str(&format!("- {}{note}\n  {}\n", i.title, url(&i.href)));
        }
        out.push('\n');
    }
    if let Some(p) = &e.points {
        out.push_str(&format!("You have {} points.\n", p.balance));
    }
    out
}
