//! The staff console's group pages (`/admin/groups`): every group, a form to create one
//! and to change it (kind, rules, teaser, screening questions, crisis holding), its
//! moderators, removing a member (as a moderator's "remove" does, [`groups::manage`]),
//! archiving a group (and bringing it back), and deleting a group that never had a
//! discussion. Each page answers 404
//! to anyone but staff, before reading a body; the rules are the API's ([`groups::check`]).

use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kernel::form::{self, checkbox, radios};
use kernel::http::{Req, RequestContext, form_pairs, form_value, path_id, redirect};
use kernel::ids::MemberId;
use kernel::ui::{self, Field, Input, escape};
use kernel::viewer::staff_page;
use kernel::{AppError, AppResult, AppState, FieldErrors};
use uuid::Uuid;

use crate::group_admin;
use crate::groups::{self, NewGroup};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/groups", get(list_page))
        .route("/admin/groups/new", get(new_page).post(new_submit))
        .route("/admin/groups/{id}", get(edit_page).post(edit_submit))
        .route("/admin/groups/{id}/moderators", post(moderators_submit))
        .route("/admin/groups/{id}/members/{member_id}/remove", post(remove_submit))
        .route("/admin/groups/{id}/delete", post(delete_submit))
        .route("/admin/groups/{id}/archive", post(archive_submit))
        .route("/admin/groups/{id}/unarchive", post(unarchive_submit))
}

const KINDS: &[(&str, &str)] = &[
    ("open", "Open: any member reads and joins"),
    ("private", "Private: listed; members join by request, answering the screening questions"),
    ("hidden", "Hidden: not listed, by invitation only"),
];
const PREVIEWS: &[(&str, &str)] =
    &[("none", "Nothing"), ("teaser", "A teaser: the name, description and rules"), ("all", "Everything")];

async fn list_page(Req { state, ctx }: Req) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let rows: String = groups::list(&state.db, &ctx.viewer)
        .await?
        .iter()
        .map(|(g, _)| {
            format!(
                "<tr><td><a href=\"/admin/groups/{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
                g.id,
                escape(&g.name),
                escape(&g.visibility),
                if g.is_archived() { "Archived" } else { "Live" }
            )
        })
        .collect();
    let body = format!(
        "<h1>Groups</h1><p><a href=\"/admin/groups/new\">Create a group</a></p>\
         <table><caption>Every group</caption><thead><tr><th scope=\"col\">Group</th><th scope=\"col\">Kind</th><th scope=\"col\">State</th></tr></thead>\
         <tbody>{rows}</tbody></table>"
    );
    Ok(ui::page(&state, &ctx, "Groups (staff)", "/admin", &body).into_response())
}

/// What the group form holds, as typed.
fn typed(pairs: &[(String, String)]) -> NewGroup {
    let text = |name: &str| form_value(pairs, name);
    let preview = text("public_preview");
    NewGroup {
        name: text("name"),
        description: text("description"),
        visibility: text("visibility"),
        rules: Some(text("rules")),
        public_preview: Some(if preview.is_empty() { "teaser".into() } else { preview }),
        screening: Some(form::lines(&text("screening"))),
        hold_crisis_posts: text("hold_crisis_posts") == "yes",
    }
}

/// The group form's fields, filled with `g` and the errors beside them.
fn fields(g: &NewGroup, errors: &FieldErrors) -> String {
    let screening = g.screening.clone().unwrap_or_default().join("\n");
    let rules = g.rules.clone().unwrap_or_default();
    [
        Field::new("name", "Name", &g.name, Input::Text).required().errors(errors).html(),
        Field::new("description", "Description", &g.description, Input::TextArea).errors(errors).html(),
        radios("visibility", "Kind of group", KINDS, &g.visibility, errors),
        Field::new("screening", "Screening questions", &screening, Input::TextArea)
            .hint("For private groups: one question a line, at most 5, asked of everyone who asks to join.")
            .errors(errors)
            .html(),
        Field::new("rules", "Rules", &rules, Input::TextArea).hint("Markdown.").errors(errors).html(),
        radios(
            "public_preview",
            "What visitors who are not signed in see of an open group",
            PREVIEWS,
            g.public_preview.as_deref().unwrap_or("teaser"),
            errors,
        ),
        checkbox(
            "hold_crisis_posts",
            "Hold posts that match a crisis phrase until a moderator has looked",
            g.hold_crisis_posts,
            None,
        ),
    ]
    .concat()
}

fn form_page(
    state: &AppState,
    ctx: &RequestContext,
    title: &str,
    action: &str,
    g: &NewGroup,
    errors: &FieldErrors,
    extra: &str,
) -> Response {
    let body = format!(
        "<p><a href=\"/admin/groups\">All groups</a></p><h1>{}</h1>{}{extra}",
        escape(title),
        form::form(action, &ctx.csrf, errors, &fields(g, errors), "Save the group")
    );
    (errors.page_status(), ui::page(state, ctx, title, "/admin", &body)).into_response()
}

async fn new_page(Req { state, ctx }: Req) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let blank = NewGroup { visibility: "open".into(), public_preview: Some("teaser".into()), ..Default::default() };
    Ok(form_page(&state, &ctx, "Create a group", "/admin/groups/new", &blank, &FieldErrors::new(), ""))
}

async fn new_submit(Req { state, ctx }: Req, body: Bytes) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let g = typed(&form_pairs(&body));
    match groups::create(&state, &ctx.viewer, &g, &ctx.client_ip).await {
        Ok(created) => Ok(redirect(&format!("/admin/groups/{}", created.id))),
        Err(AppError::Validation(e)) => Ok(form_page(&state, &ctx, "Create a group", "/admin/groups/new", &g, &e, "")),
        Err(e) => Err(e),
    }
}

/// What a refused form below the group's settings said, to show beside it again.
#[derive(Default)]
struct Refused<'a> {
    /// The moderators form: the names as typed, and what was wrong with them.
    moderators: (&'a str, FieldErrors),
    /// Removing a member: whom, why not, and the answer's status.
    removal: Option<(MemberId, String, StatusCode)>,
}

impl Refused<'_> {
    /// The page's status: that of the refusal, if there was one.
    fn status(&self) -> Option<StatusCode> {
        match (&self.removal, self.moderators.1.is_empty()) {
            (Some((_, _, status)), _) => Some(*status),
            (None, false) => Some(self.moderators.1.page_status()),
            (None, true) => None,
        }
    }
}

/// The group's own console page: its settings form, its members (each removable but the
/// owner), its moderators and deleting it.
async fn render_edit(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    typed: Option<&NewGroup>,
    errors: &FieldErrors,
    refused: Refused<'_>,
) -> AppResult<Response> {
    let s = group_admin::load(state, id).await?;
    let stored = NewGroup {
        name: s.group.name.clone(),
        description: s.group.description.clone(),
        visibility: s.group.visibility.clone(),
        rules: Some(s.group.rules.clone()),
        public_preview: Some(s.group.public_preview.clone()),
        screening: Some(s.group.screening_questions()),
        hold_crisis_posts: s.hold_crisis_posts,
    };
    let extra = format!(
        "<h2>Moderators</h2>{}{}{}<h2>Delete the group</h2><p>Only a group that never had a discussion can be deleted.</p>{}\
         <p><a href=\"/groups/{id}\">The group's page</a></p>",
        members_table(state, ctx, id, refused.removal.as_ref()).await?,
        form::form(
            &format!("/admin/groups/{id}/moderators"),
            &ctx.csrf,
            &refused.moderators.1,
            &moderator_fields(refused.moderators.0, &refused.moderators.1),
            "Change their role"
        ),
        archive_section(ctx, id, s.group.is_archived()),
        form::button(&format!("/admin/groups/{id}/delete"), &ctx.csrf, "Delete this group"),
    );
    let action = format!("/admin/groups/{id}");
    let mut page =
        form_page(state, ctx, &format!("Group: {}", s.group.name), &action, typed.unwrap_or(&stored), errors, &extra);
    if let Some(status) = refused.status() {
        *page.status_mut() = status;
    }
    Ok(page)
}

/// Archiving (or bringing back) the group: what it means, then one button.
fn archive_section(ctx: &RequestContext, id: Uuid, archived: bool) -> String {
    if archived {
        format!(
            "<h2>Archived</h2><p>This group is archived: it is left out of the list of groups and takes no new \
             members, discussions, replies or reactions; its discussions stay readable.</p>{}",
            form::button(&format!("/admin/groups/{id}/unarchive"), &ctx.csrf, "Bring this group back")
        )
    } else {
        format!(
            "<h2>Archive the group</h2><p>Archiving leaves the group out of the list of groups and closes it to new \
             members, discussions, replies and reactions. Its discussions stay readable by those who could read \
             them, and you can bring it back later.</p>{}",
            form::button(&format!("/admin/groups/{id}/archive"), &ctx.csrf, "Archive this group")
        )
    }
}

fn moderator_fields(names: &str, errors: &FieldErrors) -> String {
    let roles = [("make_moderator", "Make them moderators"), ("make_member", "Make them members again")];
    [
        Field::new("moderators", "Members (display names, one a line)", names, Input::TextArea)
            .hint("Each must already be a member of the group.")
            .errors(errors)
            .html(),
        radios("action", "New role", &roles, "make_moderator", errors),
    ]
    .concat()
}

/// The group's members with their roles, each with a button to remove them but the owner
/// (whom nobody removes); a refused removal is summarised above the table and said in
/// its row.
async fn members_table(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    refused: Option<&(MemberId, String, StatusCode)>,
) -> AppResult<String> {
    let members = group_admin::members(state, id).await?;
    let ids: Vec<_> = members.iter().map(|m| m.member_id).collect();
    let names = crate::people(state)?.display_names((&state.db).into(), &ids).await?;
    let mut summary = FieldErrors::new();
    if let Some((member, message, _)) = refused {
        summary.add(&format!("remove-{member}"), message.clone());
    }
    let rows: String = members
        .iter()
        .map(|m| {
            let name = names.get(&m.member_id).map(String::as_str).unwrap_or("A former member");
            let error = refused
                .filter(|(who, _, _)| *who == m.member_id)
                .map(|(who, message, _)| {
                    format!("<p class=\"error\" id=\"f-remove-{who}-error\">{}</p>", escape(message))
                })
                .unwrap_or_default();
            let remove = if m.role == "owner" { String::new() } else { remove_button(ctx, id, m.member_id, name) };
            format!("<tr><td>{}</td><td>{}</td><td>{error}{remove}</td></tr>", escape(name), escape(&m.role))
        })
        .collect();
    Ok(format!(
        "{}<table><caption>Members and their roles</caption><thead><tr><th scope=\"col\">Member</th>\
         <th scope=\"col\">Role</th><th scope=\"col\">Remove</th></tr></thead><tbody>{rows}</tbody></table>",
        ui::error_summary(&summary)
    ))
}

/// The button that removes `member` from the group, named for screen readers.
fn remove_button(ctx: &RequestContext, id: Uuid, member: MemberId, name: &str) -> String {
    format!(
        "<form method=\"post\" action=\"/admin/groups/{id}/members/{member}/remove\" class=\"inline\">\
         <input type=\"hidden\" name=\"{}\" value=\"{}\"><button type=\"submit\" class=\"secondary\" \
         id=\"f-remove-{member}\">Remove<span class=\"visually-hidden\"> {} from the group</span></button></form>",
        kernel::http::CSRF_FIELD,
        escape(&ctx.csrf),
        escape(name)
    )
}

async fn edit_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    render_edit(&state, &ctx, path_id(&id)?, None, &FieldErrors::new(), Refused::default()).await
}

async fn edit_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let g = typed(&form_pairs(&body));
    match group_admin::update(&state, &ctx.viewer, id, &g, &ctx.client_ip).await {
        Ok(()) => Ok(redirect(&format!("/admin/groups/{id}"))),
        Err(AppError::Validation(e)) => render_edit(&state, &ctx, id, Some(&g), &e, Refused::default()).await,
        Err(e) => Err(e),
    }
}

async fn moderators_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let pairs = form_pairs(&body);
    let names = form_value(&pairs, "moderators");
    let action = match form_value(&pairs, "action").as_str() {
        "make_member" => "make_member",
        _ => "make_moderator",
    };
    match group_admin::appoint(&state, &ctx.viewer, id, &form::lines(&names), action, &ctx.client_ip).await {
        Ok(()) => Ok(redirect(&format!("/admin/groups/{id}"))),
        Err(AppError::Validation(e)) => {
            let refused = Refused { moderators: (&names, e), ..Default::default() };
            render_edit(&state, &ctx, id, None, &FieldErrors::new(), refused).await
        }
        Err(e) => Err(e),
    }
}

/// Removes a member from the group, as a moderator's "remove" does (their membership
/// ends as if they had left, audited); a refusal (the owner, oneself) is said in the
/// member's row.
async fn remove_submit(Req { state, ctx }: Req, Path((id, member)): Path<(String, String)>) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let (id, member): (Uuid, MemberId) = (path_id(&id)?, path_id(&member)?);
    let (message, status) = match groups::manage(&state, &ctx.viewer, id, member, "remove", &ctx.client_ip).await {
        Ok(()) => return Ok(redirect(&format!("/admin/groups/{id}"))),
        Err(AppError::Validation(e)) => (e.sentence(), StatusCode::UNPROCESSABLE_ENTITY),
        Err(AppError::Conflict { message, .. }) => (message, StatusCode::CONFLICT),
        Err(e) => return Err(e),
    };
    let refused = Refused { removal: Some((member, message, status)), ..Default::default() };
    render_edit(&state, &ctx, id, None, &FieldErrors::new(), refused).await
}

async fn delete_submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    group_admin::delete(&state, &ctx.viewer, path_id(&id)?, &ctx.client_ip).await?;
    Ok(redirect("/admin/groups"))
}

async fn archive_submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    set_archived(&state, &ctx, &id, true).await
}

async fn unarchive_submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    set_archived(&state, &ctx, &id, false).await
}

async fn set_archived(state: &AppState, ctx: &RequestContext, id: &str, archived: bool) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    let id: Uuid = path_id(id)?;
    group_admin::set_archived(state, &ctx.viewer, id, archived, &ctx.client_ip).await?;
    Ok(redirect(&format!("/admin/groups/{id}")))
}
