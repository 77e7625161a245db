//! One account's page in the staff console (`/admin/members/{id}`): what staff see of the
//! account (with its e-mail address; every visit audited) and erasing it, the same
//! erasure the member can do from their own data settings, confirmed by retyping the
//! account's e-mail address. Each page answers 404 to anyone but staff, before reading a
//! body; who may erase whose is [`accounts::may_erase`].

use axum::body::Bytes;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use kernel::form;
use kernel::http::{Req, RequestContext, form_pairs, form_value, path_id, redirect};
use kernel::ids::MemberId;
use kernel::ui::{self, Field, Input, escape};
use kernel::viewer::{Role, staff_page};
use kernel::{AppError, AppResult, AppState, FieldErrors};

use crate::accounts::{self, StaffAccountRow};
use crate::data;

pub(super) async fn staff_account_page(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    staff_page(&ctx.viewer)?;
    render(&state, &ctx, path_id(&id)?, "", &FieldErrors::new()).await
}

/// Erases the account once its e-mail address is retyped; a refusal (the address does
/// not match, the role rules say no) is said beside the field and in a summary, with
/// what was typed kept.
pub(super) async fn erase_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    let staff = staff_page(&ctx.viewer)?;
    let id: MemberId = path_id(&id)?;
    let typed = form_value(&form_pairs(&body), "email");
    let message = match data::erase_by_staff(&state, staff.id, id, &typed, &ctx.client_ip).await {
        Ok(()) => return Ok(redirect(&format!("/admin/members/{id}"))),
        Err(AppError::Validation(errors)) => errors.sentence(),
        Err(AppError::BadRequest { message, .. } | AppError::Conflict { message, .. }) => message,
        Err(AppError::Forbidden) => "Only an admin can erase an admin's account.".to_string(),
        Err(e) => return Err(e),
    };
    let mut errors = FieldErrors::new();
    errors.add("email", message);
    render(&state, &ctx, id, &typed, &errors).await
}

/// The account's page, with the erasure form as typed and its errors.
async fn render(
    state: &AppState,
    ctx: &RequestContext,
    id: MemberId,
    typed: &str,
    errors: &FieldErrors,
) -> AppResult<Response> {
    let staff = staff_page(&ctx.viewer)?;
    let a = accounts::staff_account(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let detail = serde_json::json!({});
    kernel::audit::record(
        state.db.writer(),
        Some(staff.id),
        "staff_viewed_account",
        Some(id),
        Some(&ctx.client_ip),
        detail,
    )
    .await?;
    let body = format!(
        "<p><a href=\"/admin/members?status=all\">All accounts</a></p><h1>Account: {name}</h1>\
         <dl><dt>E-mail</dt><dd>{email}</dd><dt>Role</dt><dd>{role}</dd><dt>Status</dt><dd>{status}</dd></dl>\
         <p><a href=\"/members/{id}\">Their profile</a></p><h2>Erase the account</h2>{erase}",
        name = escape(&a.display_name),
        email = escape(a.email.as_deref().unwrap_or("")),
        role = escape(&a.role),
        status = escape(&a.status),
        erase = erase_section(ctx, &a, typed, errors),
    );
    let title = format!("Account: {}", a.display_name);
    Ok((errors.page_status(), ui::page(state, ctx, &title, "/admin/members", &body)).into_response())
}

/// What erasing means, then the form (or why there is none for this account; a form
/// posted anyway comes back with the refusal beside its field).
fn erase_section(ctx: &RequestContext, a: &StaffAccountRow, typed: &str, errors: &FieldErrors) -> String {
    if a.status == "deleted" {
        return "<p>This account has been erased.</p>".to_string();
    }
    if errors.is_empty() && ctx.viewer.id() == Some(a.id) {
        return "<p>This is your own account: erase it from <a href=\"/settings/data\">your data settings</a>.</p>"
            .to_string();
    }
    if errors.is_empty() && a.role == Role::Admin.as_str() && !ctx.viewer.has_role(Role::Admin) {
        return "<p>Only an admin can erase an admin's account.</p>".to_string();
    }
    let field = Field::new("email", "Their e-mail address, typed again to confirm", typed, Input::Text)
        .hint("Exactly the address shown above.")
        .errors(errors)
        .required()
        .autocomplete("off")
        .html();
    format!(
        "<p>Erasing removes their personal data and photo everywhere on the network, ends their sessions and \
         tokens, and leaves \u{201c}Deleted member\u{201d} where others replied to them: the same as deleting \
         their account themselves. It cannot be undone.</p>{}",
        form::form(&format!("/admin/members/{}/erase", a.id), &ctx.csrf, errors, &field, "Erase this account")
    )
}
