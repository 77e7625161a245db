//! The staff library: every resource, drafts included; the form to add or edit one,
//! which on a mistake comes back with what was typed and each message beside its
//! field; and the file upload. Every page answers 404 to anyone but staff.

use askama::Template;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path};
use axum::response::{IntoResponse, Response};
use contracts::members::MemberType;
use kernel::http::{Req, RequestContext, path_id, redirect};
use kernel::ui::{self, Field, Input, error_summary};
use kernel::{AppError, AppResult, AppState, FieldErrors};
use uuid::Uuid;

use super::{checkboxes, day, form_pairs, form_value, form_values, select};
use crate::resources::access::staff;
use crate::resources::drafting::{self, Draft};
use crate::resources::files::{self, TYPES_IN_WORDS, size_in_words};
use crate::resources::library::{self, ResourceRow, StoredFile};
use crate::resources::model::{Audience, Kind, TOPICS, kind_label};

struct Line {
    id: Uuid,
    title: String,
    kind: &'static str,
    status: String,
    audience: &'static str,
    updated: String,
}

#[derive(Template)]
#[template(path = "resource_admin.html")]
struct StaffLibrary {
    lines: Vec<Line>,
}

pub(crate) async fn staff_library_page(Req { state, ctx }: Req) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let rows = library::all_for_staff(&state.db, 500).await?;
    let lines = rows
        .into_iter()
        .map(|r| Line {
            kind: kind_label(&r.kind),
            status: r.status().as_str().to_string(),
            audience: r.audience().label(),
            updated: day(&r.updated_at),
            id: r.id,
            title: r.title,
        })
        .collect();
    let body = ui::render(&StaffLibrary { lines });
    Ok(ui::page(&state, &ctx, "Resource library (staff)", "/admin/members", &body).into_response())
}

#[derive(Template)]
#[template(path = "resource_form.html")]
struct FormPage<'a> {
    csrf: &'a str,
    heading: &'a str,
    action: String,
    summary: String,
    fields: String,
    id: Option<Uuid>,
    file: Option<(String, String)>,
    file_error: Option<String>,
    types_in_words: &'static str,
}

async fn form_fields(state: &AppState, d: &Draft, e: &FieldErrors) -> AppResult<String> {
    let kinds: Vec<(String, String)> = Kind::ALL.iter().map(|k| (k.as_str().into(), k.label().into())).collect();
    let audiences: Vec<(String, String)> =
        Audience::ALL.iter().map(|a| (a.as_str().into(), a.label().into())).collect();
    let statuses = vec![("draft".to_string(), "Draft".to_string()), ("published".to_string(), "Published".to_string())];
    let topics: Vec<(String, String)> = TOPICS.iter().map(|(c, l)| (c.to_string(), l.to_string())).collect();
    let types: Vec<(String, String)> = MemberType::ALL.iter().map(|t| (t.as_str().into(), t.label().into())).collect();
    let conditions = contracts::members::directory(state)?.conditions(&state.db).await?;
    let conditions: Vec<(String, String)> = conditions.into_iter().map(|c| (c.id.to_string(), c.name)).collect();
    Ok([
        select("kind", "Kind", &kinds, &d.kind, Some("Choose…"), e),
        Field::new("title", "Title", &d.title, Input::Text).errors(e).required().html(),
        Field::new("summary", "Summary", &d.summary, Input::TextArea)
            .hint("One or two sentences, plain text")
            .errors(e)
            .html(),
        Field::new("body", "Text", &d.body, Input::TextArea)
            .hint("Markdown. Leave empty if the file says it all.")
            .errors(e)
            .html(),
        select("audience", "Who may open it", &audiences, &d.audience, None, e),
        select("status", "Status", &statuses, &d.status, None, e),
        checkboxes("topics", "Topics", &topics, &d.topics, e),
        checkboxes("member_types", "For member types", &types, &d.member_types, e),
        checkboxes("conditions", "For conditions", &conditions, &d.conditions, e),
    ]
    .concat())
}

async fn render_form(
    state: &AppState,
    ctx: &RequestContext,
    row: Option<&ResourceRow>,
    d: &Draft,
    errors: &FieldErrors,
) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let page = FormPage {
        csrf: &ctx.csrf,
        heading: if row.is_some() { "Edit a resource" } else { "Add a resource" },
        action: row.map(|r| format!("/admin/resources/{}/edit", r.id)).unwrap_or_else(|| "/admin/resources/new".into()),
        summary: error_summary(errors),
        fields: form_fields(state, d, errors).await?,
        id: row.map(|r| r.id),
        file: row.and_then(|r| r.file_label.clone().map(|l| (l, size_in_words(r.file_size.unwrap_or(0))))),
        file_error: errors.get("file").map(String::from),
        types_in_words: TYPES_IN_WORDS,
    };
    let html = ui::page(state, ctx, page.heading, "/admin/members", &ui::render(&page));
    Ok((errors.page_status(), html).into_response())
}

pub(crate) async fn new_page(Req { state, ctx }: Req) -> AppResult<Response> {
    let d = Draft { audience: "members".into(), status: "draft".into(), ..Default::default() };
    render_form(&state, &ctx, None, &d, &FieldErrors::new()).await
}

fn draft_from(pairs: &[(String, String)]) -> Draft {
    let v = |name: &str| form_value(pairs, name);
    Draft {
        kind: v("kind"),
        title: v("title"),
        summary: v("summary"),
        body: v("body"),
        audience: v("audience"),
        status: v("status"),
        topics: form_values(pairs, "topics"),
        conditions: form_values(pairs, "conditions"),
        member_types: form_values(pairs, "member_types"),
    }
}

/// Validates and stores the form; on a mistake the form comes back as typed.
async fn save_form(
    state: &AppState,
    ctx: &RequestContext,
    row: Option<&ResourceRow>,
    body: &[u8],
) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let d = draft_from(&form_pairs(body));
    let clean = match drafting::validate(&d, row.is_some_and(|r| r.file_name.is_some())) {
        Ok(c) => c,
        Err(errors) => return render_form(state, ctx, row, &d, &errors).await,
    };
    match library::save(state, me.id, row.map(|r| r.id), &clean, &ctx.client_ip).await {
        Ok(id) => Ok(redirect(&format!("/admin/resources/{id}/edit"))),
        Err(AppError::Validation(errors)) => render_form(state, ctx, row, &d, &errors).await,
        Err(e) => Err(e),
    }
}

pub(crate) async fn new_submit(Req { state, ctx }: Req, body: Bytes) -> AppResult<Response> {
    save_form(&state, &ctx, None, &body).await
}

async fn stored_draft(state: &AppState, row: &ResourceRow) -> AppResult<Draft> {
    let tags = library::tags_of(state.db.reader(), &[row.id]).await?.remove(&row.id).unwrap_or_default();
    Ok(Draft {
        kind: row.kind.clone(),
        title: row.title.clone(),
        summary: row.summary.clone(),
        body: row.body.clone(),
        audience: row.audience.clone(),
        status: row.status.clone(),
        topics: tags.topics,
        conditions: tags.conditions.iter().map(Uuid::to_string).collect(),
        member_types: tags.member_types.iter().map(|t| t.as_str().to_string()).collect(),
    })
}

pub(crate) async fn edit_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let row = library::load(state.db.reader(), path_id(&id)?).await?;
    let d = stored_draft(&state, &row).await?;
    render_form(&state, &ctx, Some(&row), &d, &FieldErrors::new()).await
}

pub(crate) async fn edit_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let row = library::load(state.db.reader(), path_id(&id)?).await?;
    save_form(&state, &ctx, Some(&row), &body).await
}

/// The upload form's fields: which resource, and the file with its name (or why it
/// could not be read). The resource's field comes first in the form, so it is known
/// even when the file is refused.
async fn read_upload(mut multipart: Multipart) -> (Option<Uuid>, AppResult<(String, Bytes)>) {
    let unreadable = || AppError::field("file", "The upload could not be read. Try again.");
    let (mut id, mut file) = (None, Err(AppError::field("file", "Choose a file to upload.")));
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return (id, Err(unreadable())),
        };
        match field.name() {
            Some("resource_id") => id = field.text().await.ok().and_then(|t| t.trim().parse().ok()),
            Some("file") => {
                let name = field.file_name().unwrap_or_default().to_string();
                file = match field.bytes().await {
                    Ok(bytes) => Ok((name, bytes)),
                    Err(_) => Err(AppError::field("file", "That file is larger than 5 MB. Choose a smaller one.")),
                };
            }
            _ => {}
        }
    }
    (id, file)
}

/// The multipart body is taken as a `Result` so that the staff check comes first: a
/// member who is not staff learns nothing, not even that the route wants a file.
pub(crate) async fn upload_submit(
    Req { state, ctx }: Req,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let multipart = multipart.map_err(|e| AppError::bad_request("invalid_upload", e.body_text()))?;
    let (id, file) = read_upload(multipart).await;
    let row = library::load(state.db.reader(), id.ok_or(AppError::NotFound)?).await?;
    let accepted = file.and_then(|(name, bytes)| files::check(&name, &bytes).map(|a| (a, bytes)));
    let (accepted, bytes) = match accepted {
        Ok(ok) => ok,
        Err(AppError::Validation(errors)) => {
            let d = stored_draft(&state, &row).await?;
            return render_form(&state, &ctx, Some(&row), &d, &errors).await;
        }
        Err(e) => return Err(e),
    };
    let name = files::store(&state, row.id, &accepted, &bytes).await?;
    let stored = StoredFile {
        name,
        label: accepted.label,
        content_type: accepted.content_type.to_string(),
        size: bytes.len() as i64,
    };
    if let Some(old) = library::set_file(&state, me.id, row.id, &stored, &ctx.client_ip).await? {
        files::remove(&state, &old).await;
    }
    Ok(redirect(&format!("/admin/resources/{}/edit", row.id)))
}
