//! What the moments area (issue 21: support at the right moment) shares with the
//! others: the notice a member is sent about a support request (the community slice
//! writes it as a notification), the port through which a support request opens a
//! direct-message or small group conversation (provided by the community slice), and the ports through
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

/// Opens conversations for support requests (the community slice): a direct message,
/// or a small group conversation that more volunteers may join.
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
    /// A new small group conversation of `asker` and `volunteer`, with `body` from the
    /// volunteer, inside the caller's transaction; a block between them refuses (`Ok(None)`).
    fn open_group<'a>(
        &'a self,
        c: Conn<'a>,
        asker: MemberId,
        volunteer: MemberId,
        body: &'a str,
    ) -> BoxFuture<'a, Result<Option<Uuid>, DbErr>>;
    /// Adds `volunteer` to the small group conversation `conversation` with `body` from
    /// them; a block between them and anyone in it refuses (`Ok(false)`).
    fn join_group<'a>(
        &'a self,
        c: Conn<'a>,
        conversation: Uuid,
        volunteer: MemberId,
        body: &'a str,
    ) -> BoxFuture<'a, Result<bool, DbErr>>;
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
    /// The moments carried by any of `ids` of `kind`, each once, in key order (one
    /// statement, in the caller's transaction or on the pool).
    fn tags_of<'a>(&'a self, c: Conn<'a>, kind: &'a str, ids: &'a [Uuid]) -> BoxFuture<'a, Result<Vec<String>, DbErr>>;
    /// Replaces the moments content `kind`/`id` carries with `moments` (known keys, each
    /// once: see [`checked_moments`]) in the caller's transaction. The caller decided
    /// that `by` may tag it (an author their own thread, staff anything).
    fn replace<'a>(
        &'a self,
        c: Conn<'a>,
        kind: &'a str,
        id: Uuid,
        moments: &'a [String],
        by: MemberId,
    ) -> BoxFuture<'a, Result<(), DbErr>>;
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

/// Moments chosen for a piece of content as sent (an author's ticks, an API list): each
/// once, in key order, or the message for the `moments` field when one is not a moment
/// (always, without the moments slice, so nothing is stored half-tagged).
pub fn checked_moments(state: &AppState, raw: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = raw.iter().map(|m| m.trim().to_string()).filter(|m| !m.is_empty()).collect();
    out.sort();
    out.dedup();
    if out.is_empty() {
        return Ok(out);
    }
    let known = moment_choices(state);
    match out.iter().find(|m| !known.iter().any(|(k, _)| k == *m)) {
        Some(bad) => {
            let shown: String = bad.chars().take(40).collect();
            Err(format!("“{shown}” is not one of the moments. Choose from the list."))
        }
        None => Ok(out),
    }
}

/// The moments `ids` of `kind` carry (none without the moments slice).
pub async fn tags_of(c: Conn<'_>, state: &AppState, kind: &str, ids: &[Uuid]) -> Result<Vec<String>, DbErr> {
    match tagging(state) {
        Some(t) if !ids.is_empty() => t.tags_of(c, kind, ids).await,
        _ => Ok(vec![]),
    }
}

/// Replaces the moments content carries (checked with [`checked_moments`]); without
/// the moments slice there is nothing to keep, and `moments` is empty by then.
pub async fn replace_tags(
    c: Conn<'_>,
    state: &AppState,
    kind: &str,
    id: Uuid,
    moments: &[String],
    by: MemberId,
) -> Result<(), DbErr> {
    match tagging(state) {
        Some(t) => t.replace(c, kind, id, moments, by).await,
        None => Ok(()),
    }
}

/// A fieldset of moment checkboxes named `name` (no JavaScript), `chosen` ticked, with
/// `legend`, a hint and `error` inline; the fieldset's id is `f-{name}` so an error
/// summary can link to it. Empty without the moments slice.
pub fn moment_checkboxes(
    state: &AppState,
    name: &str,
    legend: &str,
    hint: &str,
    chosen: &[String],
    error: Option<&str>,
) -> String {
    use kernel::ui::escape;
    let moments = moment_choices(state);
    if moments.is_empty() {
        return String::new();
    }
    let name = escape(name);
    let mut described = format!("f-{name}-hint");
    let mut out =
        format!("<fieldset id=\"f-{name}\" class=\"field{}\"", if error.is_some() { " has-error" } else { "" });
    let mut inner =
        format!("<legend>{}</legend><p class=\"hint\" id=\"f-{name}-hint\">{}</p>", escape(legend), escape(hint));
    if let Some(e) = error {
        inner.push_str(&format!("<p class=\"error\" id=\"f-{name}-error\">{}</p>", escape(e)));
        described.push_str(&format!(" f-{name}-error"));
    }
    out.push_str(&format!(" aria-describedby=\"{described}\">{inner}"));
    for (i, (key, label)) in moments.iter().enumerate() {
        let checked = if chosen.iter().any(|c| c == key) { " checked" } else { "" };
        out.push_str(&format!(
            "<p><input type=\"checkbox\" id=\"f-{name}-{i}\" name=\"{name}\" value=\"{}\"{checked}> \
             <label for=\"f-{name}-{i}\">{}</label></p>",
            escape(key),
            escape(label)
        ));
    }
    out.push_str("</fieldset>");
    out
}

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
