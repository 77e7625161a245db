//! The home page and the privacy page.

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use kernel::AppState;
use kernel::http::Req;
use kernel::ui::{self, escape};

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home)).route("/privacy", get(privacy)).route("/admin", get(console))
}

async fn home(Req { state, ctx }: Req) -> Html<String> {
    let feed = match ctx.viewer.member() {
        Some(_) => contracts::home::latest(&state, &ctx.viewer, 20).await.unwrap_or_default(),
        None => vec![],
    };
    let feed_html = if feed.is_empty() {
        "<p>Join a group or follow people to see their discussions here. <a href=\"/groups\">Browse groups</a>.</p>"
            .to_string()
    } else {
        cards(feed.iter().map(|t| (t.href.as_str(), t.title.as_str(), t.note.as_str())))
    };
    let new_this_month =
        new_this_month_html(&contracts::learning::new_this_month(&state, &ctx.viewer).await.unwrap_or_default());
    let moments = moment_home_html(&contracts::moments::home_sections(&state, &ctx.viewer).await.unwrap_or_default());
    let body = match ctx.viewer.member() {
        Some(m) => format!(
            "<h1>Welcome back, {}</h1>{}{moments}\
             <h2>Your feed</h2>{feed_html}{new_this_month}\
             <ul class=\"tiles\">\
             <li><a href=\"/members\">Find Health Leaders</a><p>Search by condition, member type, country and channel.</p></li>\
             <li><a href=\"/settings/profile\">Your profile</a><p>Tell your story and choose who sees what.</p></li>\
             <li><a href=\"/settings/account\">Account and security</a><p>Password, e-mail and sessions.</p></li>\
             </ul>",
            escape(&m.display_name),
            at_a_glance(&state, &ctx.viewer).await,
        ),
        None => "<h1>Where health advocates find each other</h1>\
                 <p class=\"lead\">Patients, caregivers and healthcare professionals — Health Leaders — meet peers who understand, \
                 learn to tell their health story, and get recognised for their advocacy.</p>\
                 <p><a class=\"button\" href=\"/signup\">Join the network</a> <a href=\"/login\">Log in</a></p>\
                 <h2>Your health story, your rules</h2>\
                 <p>You decide who sees each part of your profile. Conditions are visible to members only unless you choose otherwise.</p>"
            .to_string()
            + &new_this_month,
    };
    // What a slice must tell the member once (a newsletter that bounced, say).
    let notices = match ctx.viewer.member() {
        Some(_) => contracts::home::take_notices(&state, &ctx.viewer).await.unwrap_or_default(),
        None => vec![],
    };
    let notice = (!notices.is_empty()).then(|| notices.join(" "));
    ui::page_with_notice(&state, &ctx, "Home", "/", &body, notice.as_deref())
}

/// The member's own corner of the network: their upcoming registered events, and their
/// points with the next reward within reach (each from its slice, through a port; a
/// part whose slice is absent or fails is left out rather than failing the page).
async fn at_a_glance(state: &kernel::AppState, viewer: &kernel::viewer::Viewer) -> String {
    let events = contracts::home::upcoming_events(state, viewer, 5).await.unwrap_or_default();
    let events_html = if events.is_empty() {
        "<p>You are not registered for any event coming up. <a href=\"/events\">See what is on</a>.</p>".to_string()
    } else {
        cards(events.iter().map(|e| (e.href.as_str(), e.title.as_str(), e.note.as_str())))
    };
    let points = match contracts::home::my_points(state, viewer).await.ok().flatten() {
        Some(p) => {
            let next = match &p.next_reward {
                Some((name, href, missing)) => format!(
                    "<p>Next within reach: <a href=\"{}\">{}</a>, {missing} more points.</p>",
                    escape(href),
                    escape(name)
                ),
                None => String::new(),
            };
            let can = match p.affordable {
                0 => String::new(),
                n => format!(
                    "<p>Your points already pay for {n} reward{}. <a href=\"/rewards\">Redeem</a>.</p>",
                    if n == 1 { "" } else { "s" }
                ),
            };
            format!(
                "<section aria-labelledby=\"points-h\"><h2 id=\"points-h\">Your points</h2>\
                 <p class=\"balance\">You have <strong>{}</strong> points.</p>{can}{next}\
                 <p><a href=\"/rewards/earn\">How to earn more</a></p></section>",
                p.balance
            )
        }
        None => String::new(),
    };
    // Staff land on their console's figures: the week at a glance, and the way in.
    let staff = if viewer.is_staff() {
        crate::analytics::this_week_html(state)
            .await
            .map(|week| format!("<p><a class=\"button\" href=\"/admin\">Open the staff console</a></p>{week}"))
            .unwrap_or_default()
    } else {
        String::new()
    };
    format!(
        "{staff}<section aria-labelledby=\"upcoming-h\"><h2 id=\"upcoming-h\">Your upcoming events</h2>{events_html}</section>{points}"
    )
}

/// The moment home: for each moment the member is in now, what fits it.
fn moment_home_html(sections: &[contracts::moments::HomeSection]) -> String {
    sections
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let list = cards(s.items.iter().map(|i| (i.href.as_str(), i.title.as_str(), i.note.as_str())));
            format!(
                "<section aria-labelledby=\"moment-h-{i}\"><h2 id=\"moment-h-{i}\">{}</h2>{list}</section>",
                escape(&s.heading)
            )
        })
        .collect()
}

/// A list of links, each with a short note after it.
fn cards<'a>(items: impl Iterator<Item = (&'a str, &'a str, &'a str)>) -> String {
    let list: String = items
        .map(|(href, title, note)| {
            format!(
                "<li class=\"card\"><a href=\"{}\">{}</a> <span class=\"meta\">· {}</span></li>",
                escape(href),
                escape(title),
                escape(note)
            )
        })
        .collect();
    format!("<ul class=\"cards\">{list}</ul>")
}

/// The "New this month" section: this month's advocacy resources and featured articles.
fn new_this_month_html(items: &[contracts::learning::NewItem]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let list = cards(items.iter().map(|i| (i.href.as_str(), i.title.as_str(), i.note.as_str())));
    format!("<section aria-labelledby=\"new-month-h\"><h2 id=\"new-month-h\">New this month</h2>{list}</section>")
}

/// The staff console: one page linking every staff task, from each slice's entries.
/// Anyone but staff is told there is no such page.
async fn console(Req { state, ctx }: Req) -> kernel::AppResult<Html<String>> {
    if !ctx.viewer.is_staff() {
        return Err(kernel::AppError::NotFound);
    }
    let tiles: String = state
        .console
        .iter()
        .map(|c| format!("<li><a href=\"{}\">{}</a><p>{}</p></li>", escape(c.href), escape(c.label), escape(c.blurb)))
        .collect();
    let week = crate::analytics::this_week_html(&state).await?;
    let body = format!("<h1>Staff console</h1><ul class=\"tiles\">{tiles}</ul>{week}");
    Ok(ui::page(&state, &ctx, "Staff console", "/admin", &body))
}

async fn privacy(Req { state, ctx }: Req) -> Html<String> {
    let body = "<h1>Privacy</h1>\
        <p>What you share here is health information, and we treat it that way.</p>\
        <ul>\
        <li>You choose who sees each part of your profile: everyone, members only, or only you. Conditions start as members-only.</li>\
        <li>A field hidden from someone never shows to them and never matches their searches.</li>\
        <li>You can download everything we hold about you, and delete your account, from <a href=\"/settings/data\">My data</a>.</li>\
        <li>Staff see private data only through audited tools.</li>\
        </ul>";
    ui::page(&state, &ctx, "Privacy", "", body)
}
