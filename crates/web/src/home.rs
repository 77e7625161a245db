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
        let items: String = feed
            .iter()
            .map(|t| {
                format!(
                    "<li class=\"card\"><a href=\"{}\">{}</a> <span class=\"meta\">· {}</span></li>",
                    escape(&t.href),
                    escape(&t.title),
                    escape(&t.note)
                )
            })
            .collect();
        format!("<ul class=\"cards\">{items}</ul>")
    };
    let new_this_month =
        new_this_month_html(&contracts::learning::new_this_month(&state, &ctx.viewer).await.unwrap_or_default());
    let body = match ctx.viewer.member() {
        Some(m) => format!(
            "<h1>Welcome back, {}</h1>\
             <ul class=\"tiles\">\
             <li><a href=\"/members\">Find Health Leaders</a><p>Search by condition, member type, country and channel.</p></li>\
             <li><a href=\"/settings/profile\">Your profile</a><p>Tell your story and choose who sees what.</p></li>\
             <li><a href=\"/settings/account\">Account and security</a><p>Password, e-mail and sessions.</p></li>\
             </ul>\
             <h2>Your feed</h2>{feed_html}{new_this_month}",
            escape(&m.display_name)
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

/// The "New this month" section: this month's advocacy resources and featured articles.
fn new_this_month_html(items: &[contracts::learning::NewItem]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let list: String = items
        .iter()
        .map(|i| {
            format!(
                "<li class=\"card\"><a href=\"{}\">{}</a> <span class=\"meta\">· {}</span></li>",
                escape(&i.href),
                escape(&i.title),
                escape(&i.note)
            )
        })
        .collect();
    format!(
        "<section aria-labelledby=\"new-month-h\"><h2 id=\"new-month-h\">New this month</h2><ul class=\"cards\">{list}</ul></section>"
    )
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
