//! The support pages: asking (with the member's requests), the requests offered to a
//! volunteer with accept and decline buttons, the seven-day check-in, and the staff
//! page for tagging content with moments.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kernel::error::FieldErrors;
use kernel::http::{Req, RequestContext, form_pairs, form_value, form_values, path_id, redirect};
use kernel::viewer::staff_page;
use kernel::{AppError, AppResult, AppState, ui};
use uuid::Uuid;

use crate::marks;
use crate::model::{self, Contact, MOMENTS};
use crate::support::{self, MomentsSupportOffer, MomentsSupportRequest, NewSupportRequest};
use crate::tags::{self, KINDS, MomentTags, TagRow};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/support", get(support_page).post(support_submit))
        .route("/support/offers/{id}/accept", post(accept_submit))
        .route("/support/offers/{id}/decline", post(decline_submit))
        .route("/support/requests/{id}", get(request_page).post(check_in_submit))
        .route("/admin/moments", get(tags_page).post(tags_submit))
}

#[derive(Template)]
#[template(path = "support.html")]
struct SupportPage<'a> {
    csrf: &'a str,
    summary: String,
    errors: FieldErrors,
    notice: Option<&'static str>,
    moments: Vec<(&'static str, &'static str, bool)>,
    conditions: Vec<(Uuid, String, bool)>,
    note: String,
    group: bool,
    requests: Vec<MomentsSupportRequest>,
    offers: Vec<MomentsSupportOffer>,
}

impl SupportPage<'_> {
    fn label(&self, moment: &str) -> String {
        model::label(moment).to_string()
    }
    fn error(&self, field: &str) -> String {
        self.errors.get(field).unwrap_or_default().to_string()
    }
}

async fn render_support(
    state: &AppState,
    ctx: &RequestContext,
    new: &NewSupportRequest,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> AppResult<Response> {
    let conditions = marks::own_conditions(state, &ctx.viewer).await?;
    let page = SupportPage {
        csrf: &ctx.csrf,
        summary: ui::error_summary(&errors),
        notice,
        moments: MOMENTS.iter().map(|(k, l, _)| (*k, *l, new.moment_id == *k)).collect(),
        conditions: conditions.into_iter().map(|c| (c.id, c.name, Some(c.id) == new.condition_id)).collect(),
        note: new.note.clone(),
        group: new.contact == Some(Contact::SmallGroup),
        requests: support::my_requests(state, &ctx.viewer).await?,
        offers: support::my_offers(state, &ctx.viewer).await?,
        errors,
    };
    let status = page.errors.page_status();
    Ok((status, ui::page(state, ctx, "Support", "/moments", &ui::render(&page))).into_response())
}

async fn support_page(Req { state, ctx }: Req, RawQuery(query): RawQuery) -> AppResult<Response> {
    if !ctx.viewer.is_signed_in() {
        return Ok(kernel::http::login_redirect("/support").into_response());
    }
    let pairs = form_pairs(query.unwrap_or_default().as_bytes());
    let moment = form_value(&pairs, "moment");
    let notice = match form_value(&pairs, "done").as_str() {
        "asked" => Some("Your request is on its way. You will be told when a volunteer accepts it."),
        "declined" => Some("You declined the request. Thank you for letting us know."),
        "taken" => Some("Another volunteer has already taken this request. Thank you for offering."),
        _ => None,
    };
    let new = NewSupportRequest { moment_id: moment, condition_id: None, note: String::new(), contact: None };
    render_support(&state, &ctx, &new, FieldErrors::new(), notice).await
}

async fn support_submit(Req { state, ctx }: Req, body: Bytes) -> AppResult<Response> {
    ctx.viewer.require_member()?;
    let pairs = form_pairs(&body);
    let condition = form_value(&pairs, "condition_id");
    let new = NewSupportRequest {
        moment_id: form_value(&pairs, "moment_id").chars().take(60).collect(),
        condition_id: if condition.is_empty() { None } else { Some(condition.parse().unwrap_or(Uuid::nil())) },
        note: form_value(&pairs, "note").chars().take(2000).collect(),
        contact: Contact::parse(&form_value(&pairs, "contact")),
    };
    match support::ask(&state, &ctx.viewer, &new).await {
        Ok(_) => Ok(redirect("/support?done=asked")),
        Err(AppError::Validation(errors)) => render_support(&state, &ctx, &new, errors, None).await,
        Err(AppError::Conflict { message, .. }) => {
            let mut errors = FieldErrors::new();
            errors.add("note", message);
            render_support(&state, &ctx, &new, errors, None).await
        }
        Err(e) => Err(e),
    }
}

async fn accept_submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    ctx.viewer.require_member()?;
    match support::accept(&state, &ctx.viewer, path_id(&id)?).await {
        Ok(a) => Ok(redirect(&format!("/messages/{}", a.conversation_id))),
        Err(AppError::Conflict { .. }) => Ok(redirect("/support?done=taken")),
        Err(e) => Err(e),
    }
}

async fn decline_submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    ctx.viewer.require_member()?;
    match support::decline(&state, &ctx.viewer, path_id(&id)?).await {
        Ok(()) | Err(AppError::Conflict { .. }) => Ok(redirect("/support?done=declined")),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "checkin.html")]
struct CheckInPage<'a> {
    csrf: &'a str,
    request: MomentsSupportRequest,
    moment_label: &'static str,
    saved: bool,
}

async fn request_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    if !ctx.viewer.is_signed_in() {
        return Ok(kernel::http::login_redirect(&format!("/support/requests/{id}")).into_response());
    }
    let request = support::mine(&state, &ctx.viewer, path_id(&id)?).await?;
    render_request(&state, &ctx, request, false)
}

fn render_request(
    state: &AppState,
    ctx: &RequestContext,
    request: MomentsSupportRequest,
    saved: bool,
) -> AppResult<Response> {
    let moment_label = MOMENTS.iter().find(|(k, _, _)| *k == request.moment_id).map(|(_, l, _)| *l).unwrap_or("");
    let page = CheckInPage { csrf: &ctx.csrf, request, moment_label, saved };
    Ok(ui::page(state, ctx, "Your request for support", "/moments", &ui::render(&page)).into_response())
}

async fn check_in_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    ctx.viewer.require_member()?;
    let id: Uuid = path_id(&id)?;
    let helped = match form_value(&form_pairs(&body), "helped").as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(AppError::field("helped", "Choose yes or no.")),
    };
    let request = support::check_in(&state, &ctx.viewer, id, helped).await?;
    render_request(&state, &ctx, request, true)
}

#[derive(Template)]
#[template(path = "admin_tags.html")]
struct TagsPage<'a> {
    csrf: &'a str,
    summary: String,
    saved: bool,
    kinds: Vec<(&'static str, &'static str, bool)>,
    content_id: String,
    moments: Vec<(&'static str, &'static str, bool)>,
    recent: Vec<TagRow>,
}

async fn render_tags(
    state: &AppState,
    ctx: &RequestContext,
    kind: &str,
    content_id: &str,
    chosen: &[String],
    errors: &FieldErrors,
    saved: bool,
) -> AppResult<Response> {
    let page = TagsPage {
        csrf: &ctx.csrf,
        summary: ui::error_summary(errors),
        saved,
        kinds: KINDS.iter().map(|(k, l)| (*k, *l, *k == kind)).collect(),
        content_id: content_id.to_string(),
        moments: MOMENTS.iter().map(|(k, l, _)| (*k, *l, chosen.iter().any(|c| c == k))).collect(),
        recent: tags::recent(state).await?,
    };
    let html = ui::page(state, ctx, "Moments on content", "/admin/moments", &ui::render(&page));
    Ok((errors.page_status(), html).into_response())
}

async fn tags_page(Req { state, ctx }: Req) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    render_tags(&state, &ctx, "resource", "", &[], &FieldErrors::new(), false).await
}

async fn tags_submit(Req { state, ctx }: Req, body: Bytes) -> AppResult<Response> {
    let me = staff_page(&ctx.viewer)?.id;
    let pairs = form_pairs(&body);
    let kind: String = form_value(&pairs, "kind").chars().take(20).collect();
    let raw_id: String = form_value(&pairs, "content_id").trim().chars().take(60).collect();
    let chosen: Vec<String> = form_values(&pairs, "moment").into_iter().take(20).collect();
    let result = match raw_id.parse::<Uuid>() {
        Ok(id) => tags::set(&state, &ctx.viewer, me, &kind, id, &MomentTags { moments: chosen.clone() }).await,
        Err(_) => Err(AppError::field("content_id", "Give the content's id (a UUID, as in its address).")),
    };
    match result {
        Ok(()) => render_tags(&state, &ctx, &kind, &raw_id, &chosen, &FieldErrors::new(), true).await,
        Err(AppError::Validation(errors)) => render_tags(&state, &ctx, &kind, &raw_id, &chosen, &errors, false).await,
        Err(e) => Err(e),
    }
}
