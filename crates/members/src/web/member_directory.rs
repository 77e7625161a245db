//! The member directory and members' profile pages (as the viewer may see them), with
//! their avatars.

use askama::Template;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kernel::http::{ApiQuery, Req, path_id};
use kernel::ids::MemberId;
use kernel::ui::{self};
use kernel::{AppError, AppResult};

use super::page;
use crate::directory::{self, Filters, MemberCard};
use crate::model::{MemberType, PLATFORMS};
use crate::profile::{self, ProfileView};
use crate::{avatar, conditions};

#[derive(Template)]
#[template(path = "directory.html")]
struct DirectoryPage {
    q: String,
    country: String,
    min_audience: String,
    conditions: Vec<(String, String, bool)>,
    member_types: Vec<(&'static str, &'static str, bool)>,
    platforms: Vec<(&'static str, &'static str, bool)>,
    signed_in: bool,
    error: Option<String>,
    cards: Vec<MemberCard>,
    next_href: Option<String>,
}

pub(super) async fn directory_page(Req { state, ctx }: Req, ApiQuery(f): ApiQuery<Filters>) -> AppResult<Response> {
    let (cards, next, error) = match directory::search(&state.db, &ctx.viewer, &f).await {
        Ok(p) => (p.items, p.next_cursor, None),
        Err(AppError::Validation(e)) => (vec![], None, e.0.values().next().cloned()),
        Err(AppError::BadRequest { message, .. }) => (vec![], None, Some(message)),
        Err(e) => return Err(e),
    };
    let sel = |o: &Option<String>| o.clone().unwrap_or_default();
    let next_href = next.map(|c| {
        let params = [
            ("q", sel(&f.q)),
            ("condition", sel(&f.condition)),
            ("member_type", sel(&f.member_type)),
            ("country", sel(&f.country)),
            ("platform", sel(&f.platform)),
            ("min_audience", sel(&f.min_audience)),
            ("cursor", c),
        ];
        let kept: Vec<(&str, String)> = params.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        format!("/members?{}", serde_urlencoded::to_string(kept).unwrap_or_default())
    });
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let body = ui::render(&DirectoryPage {
        q: sel(&f.q),
        country: sel(&f.country),
        min_audience: sel(&f.min_audience),
        conditions: conditions::all(&state.db)
            .await?
            .into_iter()
            .map(|c| {
                let id = c.id.to_string();
                let s = f.condition.as_deref() == Some(id.as_str());
                (id, c.name, s)
            })
            .collect(),
        member_types: MemberType::ALL
            .iter()
            .map(|t| (t.as_str(), t.label(), f.member_type.as_deref() == Some(t.as_str())))
            .collect(),
        platforms: PLATFORMS.iter().map(|(c, l)| (*c, *l, f.platform.as_deref() == Some(*c))).collect(),
        signed_in: ctx.viewer.is_signed_in(),
        error,
        cards,
        next_href,
    });
    Ok(page(&state, &ctx, status, "Find Health Leaders", "/members", body))
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage<'a> {
    p: ProfileView,
    story_html: Option<String>,
    credentials: Vec<contracts::learning::ShownCredential>,
    honours: Vec<contracts::awards::Honour>,
    signed_in: bool,
    is_self: bool,
    is_staff: bool,
    csrf: &'a str,
}

pub(super) async fn profile_view(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    let id: MemberId = path_id(&id)?;
    let p = profile::view(&state.db, &ctx.viewer, id).await?.ok_or(AppError::NotFound)?;
    let title = p.display_name.clone();
    let story_html = p.story.as_deref().map(kernel::markdown::render);
    let credentials = contracts::learning::shown_credentials(&state, id).await?;
    let honours = contracts::awards::public_honours(&state, id).await?;
    let body = ui::render(&ProfilePage {
        credentials,
        honours,
        signed_in: ctx.viewer.is_signed_in(),
        is_self: ctx.viewer.id() == Some(id),
        is_staff: ctx.viewer.is_staff(),
        p,
        story_html,
        csrf: &ctx.csrf,
    });
    Ok(page(&state, &ctx, StatusCode::OK, &title, "/members", body))
}

pub(super) async fn avatar_image(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    let id: MemberId = path_id(&id)?;
    let file = profile::avatar_for(&state.db, &ctx.viewer, id).await?;
    let bytes = avatar::read(&state, &file).await?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg"), (header::CACHE_CONTROL, "private, max-age=300")], bytes).into_response())
}
