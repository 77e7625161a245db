//! The audit log for staff (`/admin/audit`): every security event and staff read of
//! private data, newest first, narrowed by actor, action, target and days, a page at a
//! time. A GET form, so a filtered view is a link; no script. Everyone but staff is told
//! there is no such page.

use std::collections::HashMap;

use axum::Router;
use axum::extract::Query;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kernel::analytics::{midnight, optional_day};
use kernel::audit::{Entry, Filter};
use kernel::http::Req;
use kernel::ids::MemberId;
use kernel::ui::{self, ConsoleItem, Field, Input, escape};
use kernel::{AppError, AppResult, AppState, FieldErrors};
use serde::{Deserialize, Serialize};

/// The console's entry for the audit log.
pub const CONSOLE: ConsoleItem = ConsoleItem {
    label: "Audit log",
    href: "/admin/audit",
    blurb: "Sign-ins, staff decisions and every staff read of private data, by who, what and when.",
};

/// Entries on one page.
const PAGE: u64 = 50;
/// The longest text a filter field takes.
const MAX_FIELD: usize = 100;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/audit", get(page))
}

/// The filters as typed (blank means "any").
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    target: Option<String>,
    from: Option<String>,
    to: Option<String>,
    cursor: Option<String>,
}

impl AuditQuery {
    fn text(v: &Option<String>) -> &str {
        v.as_deref().unwrap_or("").trim()
    }

    /// The filters as a query string (for the next page's link), without the cursor.
    fn link(&self) -> String {
        let keep = AuditQuery { cursor: None, ..self.clone() };
        serde_urlencoded::to_string(&keep).unwrap_or_default()
    }
}

async fn page(Req { state, ctx }: Req, uri: Uri) -> AppResult<Response> {
    kernel::viewer::staff_page(&ctx.viewer)?;
    let q = Query::<AuditQuery>::try_from_uri(&uri)
        .map(|Query(q)| q)
        .map_err(|e| AppError::bad_request("invalid_query", format!("The query string could not be read: {e}")))?;
    let (status, body) = match filter(&state, &q).await? {
        Ok(f) => {
            let found = kernel::audit::search(&state.db, &f, q.cursor.as_deref(), PAGE).await?;
            let names = names(&state, &found.items).await;
            let next = found.next_cursor.map(|c| {
                let link = q.link();
                let sep = if link.is_empty() { "" } else { "&" };
                format!(
                    "<p><a href=\"/admin/audit?{}{sep}cursor={}\" rel=\"next\">Older entries</a></p>",
                    escape(&link),
                    escape(&c)
                )
            });
            let list = entries_html(&found.items, &names);
            (StatusCode::OK, form(&q, &FieldErrors::new()) + &list + &next.unwrap_or_default())
        }
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, ui::error_summary(&errors) + &form(&q, &errors)),
    };
    let body = format!("<h1>Audit log</h1>{body}");
    Ok((status, ui::page(&state, &ctx, "Audit log", "/admin", &body)).into_response())
}

/// The filter the fields ask for, or what is wrong with each field.
async fn filter(state: &AppState, q: &AuditQuery) -> AppResult<Result<Filter, FieldErrors>> {
    let mut errors = FieldErrors::new();
    for (field, value) in [("actor", &q.actor), ("action", &q.action), ("target", &q.target)] {
        errors.check_length(field, AuditQuery::text(value), 0..=MAX_FIELD, "Use at most 100 characters.");
    }
    let action = AuditQuery::text(&q.action);
    if !action.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.') {
        errors.add("action", "An action is one word in small letters, like login_failed or suspended.");
    }
    let from = optional_day(q.from.as_deref(), "from", &mut errors);
    let to = optional_day(q.to.as_deref(), "to", &mut errors);
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        errors.add("to", "The last day must be on or after the first day.");
    }
    let actor = member(state, "actor", AuditQuery::text(&q.actor), &mut errors).await?;
    let subject = member(state, "target", AuditQuery::text(&q.target), &mut errors).await?;
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    Ok(Ok(Filter {
        actor,
        action: (!action.is_empty()).then(|| action.to_string()),
        subject,
        since: from.map(midnight),
        before: to.map(|t| midnight(t + chrono::Days::new(1))),
    }))
}

/// A member named in a filter field, by id or by display name.
async fn member(state: &AppState, field: &str, typed: &str, errors: &mut FieldErrors) -> AppResult<Option<MemberId>> {
    if typed.is_empty() || errors.get(field).is_some() {
        return Ok(None);
    }
    if let Ok(id) = typed.parse::<MemberId>() {
        return Ok(Some(id));
    }
    let found = match contracts::members::directory(state) {
        Ok(d) => d.find_by_names((&state.db).into(), &[typed.to_string()]).await?,
        Err(_) => vec![],
    };
    match found.as_slice() {
        [(id, _)] => Ok(Some(*id)),
        [] => {
            errors.add(field, "No active member has that display name. Use their exact name or member id.");
            Ok(None)
        }
        _ => {
            errors.add(field, "Several members have that display name. Use the member id instead.");
            Ok(None)
        }
    }
}

/// Display names of the actors and targets on the page, in one read.
async fn names(state: &AppState, entries: &[Entry]) -> HashMap<MemberId, String> {
    let ids: Vec<MemberId> = entries.iter().flat_map(|e| [e.actor_id, e.subject_id]).flatten().collect();
    match contracts::members::directory(state) {
        Ok(d) if !ids.is_empty() => d.display_names((&state.db).into(), &ids).await.unwrap_or_default(),
        _ => HashMap::new(),
    }
}

/// The filter form: a GET form, so a filtered log is a link that can be shared.
fn form(q: &AuditQuery, errors: &FieldErrors) -> String {
    let v = |x: &Option<String>| x.clone().unwrap_or_default();
    let (actor, action, target, from, to) = (v(&q.actor), v(&q.action), v(&q.target), v(&q.from), v(&q.to));
    format!(
        "<form method=\"get\" action=\"/admin/audit\" class=\"filters\" novalidate>{}{}{}{}{}\
         <button type=\"submit\">Show entries</button> <a href=\"/admin/audit\">Clear filters</a></form>",
        Field::new("actor", "Who did it", &actor, Input::Text)
            .hint("A display name or member id. Blank: anyone.")
            .errors(errors)
            .html(),
        Field::new("action", "Action", &action, Input::Text)
            .hint("Like login_failed, suspended or group_created. Blank: any.")
            .errors(errors)
            .html(),
        Field::new("target", "Whom it was about", &target, Input::Text)
            .hint("A display name or member id. Blank: anyone.")
            .errors(errors)
            .html(),
        Field::new("from", "From", &from, Input::Text).hint("First day, like 2026-11-01 (UTC).").errors(errors).html(),
        Field::new("to", "To", &to, Input::Text).hint("Last day, included.").errors(errors).html(),
    )
}

fn entries_html(entries: &[Entry], names: &HashMap<MemberId, String>) -> String {
    if entries.is_empty() {
        return "<p>No entries match these filters.</p>".to_string();
    }
    let who = |id: Option<MemberId>| match id {
        Some(id) => names.get(&id).map(|n| escape(n)).unwrap_or_else(|| id.to_string()),
        None => "—".to_string(),
    };
    let rows: String = entries
        .iter()
        .map(|e| {
            format!(
                "<tr><td><time datetime=\"{at}\">{shown}</time></td><td>{actor}</td><td>{action}</td><td>{target}</td>\
                 <td>{ip}</td><td class=\"detail\">{detail}</td></tr>",
                at = e.at.to_rfc3339(),
                shown = e.at.format("%Y-%m-%d %H:%M UTC"),
                actor = who(e.actor_id),
                action = escape(&e.action),
                target = who(e.subject_id),
                ip = escape(e.ip.as_deref().unwrap_or("—")),
                detail = escape(&crate::analytics::truncate(&e.detail, 200)),
            )
        })
        .collect();
    format!(
        "<div class=\"table-wrap\" role=\"region\" aria-labelledby=\"audit-caption\" tabindex=\"0\"><table class=\"audit\">\
         <caption id=\"audit-caption\">Audit entries, newest first</caption><thead><tr><th scope=\"col\">When</th>\
         <th scope=\"col\">Who</th><th scope=\"col\">Action</th><th scope=\"col\">About</th><th scope=\"col\">Address</th>\
         <th scope=\"col\">Detail</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )
}
