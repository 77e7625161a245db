//! What the moments area (issue 21: support at the right moment) shares with the
//! others: the notice a member is sent about a support request (the community slice
//! writes it as a notification), the port through which a support request opens a
//! direct-message conversation (provided by the community slice), and the ports through
//! which each area tells which of the content tagged with a moment a viewer may open.

use futures::future::BoxFuture;
use kernel::db::Conn;
use kernel::outbox::DomainEvent;
use kernel::viewer::Viewer;
use kernel::{AppResult, AppState};
use sea_orm::DbErr;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::MemberId;

domain_events! {
    /// Something happened to a support request that `member_id` should hear of. `text`
    /// never names a moment, a condition or another member: a notification may be
    /// e-mailed, and a health moment is health information.
    SupportNotice = "SupportNotice" { member_id: MemberId, request_id: Uuid, text: String, url: String }
}

/// Opens direct-message conversations for support requests (the community slice).
pub trait Conversations: Send + Sync {
    /// The conversation between `from` and `to` (made if new) with `body` as a message
    /// from `from`, inside the caller's transaction `c`. Both members agreed to talk
    /// (one asked for support, the other accepted), so the messaging setting of `to` is
    /// not asked; a block either way refuses (`Ok(None)`).
    fn open<'a>(
        &'a self,
        c: Conn<'a>,
        from: MemberId,
        to: MemberId,
        body: &'a str,
    ) -> BoxFuture<'a, Result<Option<Uuid>, DbErr>>;
}

/// The conversations port, when the community slice is present.
pub fn conversations(state: &AppState) -> Option<std::sync::Arc<dyn Conversations>> {
    state.port::<std::sync::Arc<dyn Conversations>>().ok().cloned()
}

/// One piece of content a viewer may open, as the moment home lists it.
#[derive(Debug, Clone)]
pub struct ContentItem {
    pub id: Uuid,
    pub title: String,
    pub href: String,
    /// A short note after the link ("Webinar · 3 Dec", "12 replies").
    pub note: String,
}

/// Of content ids of one kind, those a viewer may open, each with its title and link.
pub trait TaggedContent: Send + Sync {
    /// The kinds this area answers for (`resource`, `course`, `thread`, `event`).
    fn kinds(&self) -> &'static [&'static str];
    /// Of `ids` of `kind`, those `viewer` may open now (upcoming only for events), in
    /// the order to show them, at most `limit`.
    fn visible<'a>(
        &'a self,
        state: &'a AppState,
        viewer: &'a Viewer,
        kind: &'a str,
        ids: &'a [Uuid],
        limit: u64,
    ) -> BoxFuture<'a, AppResult<Vec<ContentItem>>>;
}

/// The learning area's tagged content (resources, courses).
#[derive(Clone)]
pub struct LearningContent(pub std::sync::Arc<dyn TaggedContent>);
/// The community area's tagged content (discussion threads).
#[derive(Clone)]
pub struct CommunityContent(pub std::sync::Arc<dyn TaggedContent>);
/// The events area's tagged content (upcoming events).
#[derive(Clone)]
pub struct EventContent(pub std::sync::Arc<dyn TaggedContent>);

/// Every area present that answers for tagged content.
pub fn content_sources(state: &AppState) -> Vec<std::sync::Arc<dyn TaggedContent>> {
    let mut all = Vec::new();
    if let Ok(p) = state.port::<LearningContent>() {
        all.push(p.0.clone());
    }
    if let Ok(p) = state.port::<CommunityContent>() {
        all.push(p.0.clone());
    }
    if let Ok(p) = state.port::<EventContent>() {
        all.push(p.0.clone());
    }
    all
}

/// A line the home page shows a member about the moments they marked.
#[derive(Debug, Clone)]
pub struct HomeSection {
    pub heading: String,
    pub items: Vec<ContentItem>,
}

/// What the home page shows a member at a moment (provided by the moments slice).
pub trait MomentHome: Send + Sync {
    fn sections<'a>(&'a self, state: &'a AppState, viewer: &'a Viewer) -> BoxFuture<'a, AppResult<Vec<HomeSection>>>;
}

/// The moment home for `viewer`; nothing without the moments slice.
pub async fn home_sections(state: &AppState, viewer: &Viewer) -> AppResult<Vec<HomeSection>> {
    match state.port::<std::sync::Arc<dyn MomentHome>>() {
        Ok(p) => p.sections(state, viewer).await,
        Err(_) => Ok(vec![]),
    }
}

/// The moments content carries, as other areas filter by them (provided by the moments
/// slice, which owns the tags).
pub trait MomentTagging: Send + Sync {
    /// The moments as (key, label), in the order to offer them.
    fn moments(&self) -> Vec<(String, String)>;
    /// The ids of content of `kind` (`resource`, `course`, `thread`, `event`) tagged
    /// with `moment` (a known key), at most [`MAX_TAGGED`]: one statement.
    fn tagged_ids<'a>(
        &'a self,
        state: &'a AppState,
        kind: &'a str,
        moment: &'a str,
    ) -> BoxFuture<'a, AppResult<Vec<Uuid>>>;
}

/// The most content ids a moment filter restricts a list to.
pub const MAX_TAGGED: u64 = 500;

fn tagging(state: &AppState) -> Option<std::sync::Arc<dyn MomentTagging>> {
    state.port::<std::sync::Arc<dyn MomentTagging>>().ok().cloned()
}

/// The moments a list's filter offers (key, label); none without the moments slice.
pub fn moment_choices(state: &AppState) -> Vec<(String, String)> {
    tagging(state).map(|t| t.moments()).unwrap_or_default()
}

/// A list's `moment` filter as typed: `Ok(None)` when empty (no filter), `Ok(Some(ids))`
/// of `kind` tagged with it, `Err(message)` when it is not one of the moments (always,
/// without the moments slice, so a filtered link never quietly shows everything).
pub async fn moment_filter(state: &AppState, kind: &str, raw: &str) -> AppResult<Result<Option<Vec<Uuid>>, String>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(Ok(None));
    }
    let Some(t) = tagging(state) else { return Ok(Err(NO_SUCH_MOMENT.into())) };
    if !t.moments().iter().any(|(k, _)| k == raw) {
        return Ok(Err(NO_SUCH_MOMENT.into()));
    }
    Ok(Ok(Some(t.tagged_ids(state, kind, raw).await?)))
}

/// The message for a `moment` filter that is not one of the moments.
pub const NO_SUCH_MOMENT: &str = "There is no such moment. Choose one from the list.";

/// The SQL condition restricting `column` (a native UUID) to `ids` of a moment filter,
/// binding through `bind`; never true for no ids.
pub fn restrict_sql<C: sea_orm::ConnectionTrait>(
    c: &C,
    column: &str,
    ids: &[Uuid],
    bind: &mut dyn FnMut(sea_orm::Value) -> String,
) -> String {
    if ids.is_empty() {
        return "1 = 0".into();
    }
    kernel::db::uuid_in(c, column, kernel::db::UuidColumn::Native, ids, bind)
}

/// A small GET form (no JavaScript) to filter the list at `action` by moment: a
/// labelled select with "Any moment" first, `chosen` selected, `error` inline. Empty
/// without the moments slice.
pub fn filter_form(state: &AppState, action: &str, chosen: &str, error: Option<&str>) -> String {
    let field = moment_field(state, chosen, error);
    if field.is_empty() {
        return field;
    }
    format!(
        "<form method=\"get\" action=\"{}\" class=\"filters\">{field}<button type=\"submit\">Filter</button></form>",
        kernel::ui::escape(action)
    )
}

/// The labelled moment select alone (id `f-moment`), for a form that has other fields;
/// empty without the moments slice.
pub fn moment_field(state: &AppState, chosen: &str, error: Option<&str>) -> String {
    use kernel::ui::escape;
    let moments = moment_choices(state);
    if moments.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<div class=\"field{}\"><label for=\"f-moment\">Moment</label>",
        if error.is_some() { " has-error" } else { "" }
    );
    let mut attrs = String::new();
    if let Some(e) = error {
        out.push_str(&format!("<p class=\"error\" id=\"f-moment-error\">{}</p>", escape(e)));
        attrs = " aria-invalid=\"true\" aria-describedby=\"f-moment-error\"".into();
    }
    out.push_str(&format!("<select id=\"f-moment\" name=\"moment\"{attrs}><option value=\"\">Any moment</option>"));
    for (key, label) in &moments {
        let selected = if key == chosen { " selected" } else { "" };
        out.push_str(&format!("<option value=\"{}\"{selected}>{}</option>", escape(key), escape(label)));
    }
    out.push_str("</select></div>");
    out
}
