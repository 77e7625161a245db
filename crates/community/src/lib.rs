//! The community slice: groups (open, private, hidden), memberships and join
//! requests, threads and replies, reactions, mentions, moderation, notifications (in
//! the app, live, and by e-mail), direct messages, follows and search. What is said in
//! a private group never leaves it.

mod actions_api;
mod analytics;
mod api;
mod curation;
mod demo;
mod edits;
mod email;
mod feed;
mod group_admin;
mod group_batches;
mod group_console;
mod group_conversations;
mod groups;
mod live;
mod messages;
mod moderation;
mod notifications;
pub mod policy;
mod ports;
mod post_html;
mod posting;
mod privacy;
mod reactions;
mod report_web;
mod scale;
mod search;
mod search_index;
mod settings;
mod settings_web;
mod thread_moments;
mod thread_read;
mod thread_web;
mod threads;
mod web;

use std::sync::Arc;
use std::time::Duration;

use contracts::events::MemberDeleted;

use contracts::groups::GroupDirectory;
pub(crate) use contracts::members::directory as people;
use kernel::slice::Slice;

/// The community slice's manifest.
pub fn slice() -> Slice {
    Slice::new("community")
        .settings(settings::SETTINGS)
        .nav(20, "Groups", "/groups")
        .console(
            15,
            "Groups",
            "/admin/groups",
            "Create, change and archive groups: kind, screening questions, moderators, rules, teaser.",
        )
        .console(20, "Moderation queue", "/moderation", "Reports and crisis flags waiting for a decision.")
        .nav(50, "Messages", "/messages")
        .nav(60, "Search", "/search")
        .nav(70, "Notifications", "/notifications")
        .routes(web::router)
        .routes(group_console::router)
        .routes(api::router)
        .routes(actions_api::router)
        .routes(live::router)
        .routes(thread_web::router)
        .routes(report_web::router)
        .routes(settings_web::router)
        .openapi(<api::CommunityApi as utoipa::OpenApi>::openapi)
        .openapi(<actions_api::ActionsApi as utoipa::OpenApi>::openapi)
        .scheduled::<email::SendDigests>(Duration::from_secs(24 * 3600))
        .check(|db| Box::pin(async move { Ok(search_index::check(db).await?) }))
        .check(|db| Box::pin(async move { Ok(post_html::check(db).await?) }))
        .repair(|db| Box::pin(async move { Ok(post_html::repair(db).await?) }))
        .demo(|state, people| Box::pin(demo::load(state, people)))
        .scale(|state, run| Box::pin(scale::run(state, run)))
        .wire(|w| {
            w.provide(settings::CommunitySettings::parse(w.settings)?);
            w.provide::<Arc<dyn GroupDirectory>>(Arc::new(ports::Groups));
            w.provide::<Arc<dyn contracts::home::HomeFeed>>(Arc::new(ports::Feed));
            w.provide::<Arc<dyn contracts::moments::Conversations>>(Arc::new(ports::SupportConversations));
            w.provide(contracts::moments::CommunityContent(Arc::new(ports::MomentThreads)));
            w.provide(contracts::digest::Highlights(Arc::new(ports::Highlights)));
            let people = w.port::<Arc<dyn contracts::members::MemberDirectory>>()?;
            let mailing = email::Mailing::new(w.config, w.secret, people);
            w.consumer(Arc::new(notifications::Notifier::new(mailing)));
            w.consumer(kernel::outbox::on::<MemberDeleted>("community-erasure", |tx, _, e| {
                Box::pin(privacy::erase(tx, e.member_id))
            }));
            w.exporter(Arc::new(privacy::CommunityExport));
            w.figures(Arc::new(analytics::section()));
            Ok(())
        })
}
