//! The member's own profile settings: the profile form (with its channels, conditions
//! and per-field visibility) and the avatar upload.

use askama::Template;
use axum::extract::Multipart;
use axum::response::{IntoResponse, Response};
use kernel::error::FieldErrors;
use kernel::http::{ApiQuery, Req, RequestContext};
use kernel::ids::MemberId;
use kernel::ui::{self, Field, Input, error_summary};
use kernel::viewer::Visibility;
use kernel::{AppError, AppResult, AppState};

use super::{Done, SettingsNav, login_required, notice_for};
use crate::model::{MemberType, PLATFORMS, VISIBILITY_FIELDS};
use crate::profile::{self, ChannelInput, ProfilePatch};
use crate::{avatar, conditions};

#[derive(Template)]
#[template(path = "profile_form.html")]
struct ProfileForm<'a> {
    csrf: &'a str,
    member_id: MemberId,
    settings_nav: String,
    summary: String,
    display_name: String,
    pronouns: String,
    member_types: Vec<(&'static str, &'static str, bool)>,
    story: String,
    conditions: Vec<(String, String, bool)>,
    conditions_error: Option<&'a str>,
    country: String,
    region: String,
    languages: String,
    time_zone: String,
    channel_rows: Vec<(usize, String, String, String, String)>,
    channels_error: Option<&'a str>,
    platforms: &'static [(&'static str, &'static str)],
    levels: Vec<(&'static str, &'static str)>,
    visibility: Vec<(&'static str, &'static str, String)>,
    has_avatar: bool,
    avatar_error: Option<&'a str>,
}

/// The profile form's fields as submitted (or as stored, for a fresh form).
#[derive(Debug, Default, Clone)]
struct ProfileFormData {
    display_name: String,
    pronouns: String,
    member_type: String,
    story: String,
    conditions: Vec<String>,
    country: String,
    region: String,
    languages: String,
    time_zone: String,
    channels: Vec<(String, String, String, String)>,
    visibility: Vec<(String, String)>,
}

impl ProfileFormData {
    /// Reads the urlencoded body by hand: repeated fields (conditions, channel rows)
    /// need order-preserving multi-values, which the struct deserialiser cannot give.
    fn parse(body: &[u8]) -> Self {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        let mut d = ProfileFormData::default();
        let (mut plat, mut handle, mut url, mut aud) = (vec![], vec![], vec![], vec![]);
        for (k, v) in pairs {
            match k.as_str() {
                "display_name" => d.display_name = v,
                "pronouns" => d.pronouns = v,
                "member_type" => d.member_type = v,
                "story" => d.story = v,
                "conditions" => d.conditions.push(v),
                "country" => d.country = v,
                "region" => d.region = v,
                "languages" => d.languages = v,
                "time_zone" => d.time_zone = v,
                "channel_platform" => plat.push(v),
                "channel_handle" => handle.push(v),
                "channel_url" => url.push(v),
                "channel_audience" => aud.push(v),
                other if other.starts_with("vis_") => d.visibility.push((other[4..].to_string(), v)),
                _ => {}
            }
        }
        for i in 0..plat.len() {
            let get = |v: &Vec<String>| v.get(i).cloned().unwrap_or_default();
            d.channels.push((get(&plat), get(&handle), get(&url), get(&aud)));
        }
        d
    }

    fn to_patch(&self, errors: &mut FieldErrors) -> ProfilePatch {
        let channels = self
            .channels
            .iter()
            .filter(|(p, h, u, _)| !(p.is_empty() && h.trim().is_empty() && u.trim().is_empty()))
            .map(|(p, h, u, a)| {
                let audience_size = if a.trim().is_empty() {
                    None
                } else {
                    match a.trim().parse::<i64>() {
                        Ok(n) => Some(n),
                        Err(_) => {
                            errors.add("channels", "Audience size must be a whole number.");
                            None
                        }
                    }
                };
                ChannelInput { platform: p.clone(), handle: h.clone(), url: Some(u.clone()), audience_size }
            })
            .collect();
        ProfilePatch {
            display_name: Some(self.display_name.clone()),
            pronouns: Some(self.pronouns.clone()),
            member_type: Some(self.member_type.clone()),
            conditions: Some(self.conditions.clone()),
            story: Some(self.story.clone()),
            channels: Some(channels),
            country: Some(self.country.clone()),
            region: Some(self.region.clone()),
            languages: Some(
                self.languages.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
            ),
            time_zone: Some(self.time_zone.clone()),
            visibility: Some(self.visibility.iter().cloned().collect()),
        }
    }
}

async fn stored_form(state: &AppState, id: MemberId) -> AppResult<(ProfileFormData, bool)> {
    let row = profile::load_row(state.db.writer(), id).await?.ok_or(AppError::NotFound)?;
    let conditions = profile::conditions_of(&state.db, id).await?;
    let channels = profile::channels_of(&state.db, id).await?;
    let has_avatar = row.avatar_file.is_some();
    Ok((
        ProfileFormData {
            display_name: row.display_name.clone(),
            pronouns: row.pronouns.clone(),
            member_type: row.member_type.clone(),
            story: row.story.clone(),
            conditions: conditions.iter().map(|c| c.id.to_string()).collect(),
            country: row.country.clone(),
            region: row.region.clone(),
            languages: row.languages.replace(',', ", "),
            time_zone: row.time_zone.clone(),
            channels: channels
                .into_iter()
                .map(|c| (c.platform, c.handle, c.url, c.audience_size.to_string()))
                .collect(),
            visibility: row.visibility_map().into_iter().map(|(k, v)| (k, v.as_str().to_string())).collect(),
        },
        has_avatar,
    ))
}

async fn render_profile_form(
    state: &AppState,
    ctx: &RequestContext,
    id: MemberId,
    d: &ProfileFormData,
    errors: &FieldErrors,
    has_avatar: bool,
    notice: Option<&str>,
) -> AppResult<Response> {
    let all = conditions::all(&state.db).await?;
    let body = ui::render(&ProfileForm {
        csrf: &ctx.csrf,
        member_id: id,
        settings_nav: ui::render(&SettingsNav { current: "profile" }),
        summary: error_summary(errors),
        display_name: Field::new("display_name", "Name", &d.display_name, Input::Text).errors(errors).required().html(),
        pronouns: Field::new("pronouns", "Pronouns", &d.pronouns, Input::Text)
            .hint("For example she/her or they/them.")
            .errors(errors)
            .html(),
        member_types: MemberType::ALL.iter().map(|t| (t.as_str(), t.label(), d.member_type == t.as_str())).collect(),
        story: Field::new("story", "Your story", &d.story, Input::TextArea)
            .hint("Markdown works: **bold**, *italic*, lists and links.")
            .errors(errors)
            .html(),
        conditions: all
            .into_iter()
            .map(|c| {
                let id = c.id.to_string();
                let on = d.conditions.contains(&id);
                (id, c.name, on)
            })
            .collect(),
        conditions_error: errors.get("conditions"),
        country: Field::new("country", "Country code", &d.country, Input::Text)
            .hint("Two letters, for example GB, US, NG or IN.")
            .errors(errors)
            .autocomplete("country")
            .html(),
        region: Field::new("region", "Region or state", &d.region, Input::Text).errors(errors).html(),
        languages: Field::new("languages", "Languages", &d.languages, Input::Text)
            .hint("Codes separated by commas, for example en, es.")
            .errors(errors)
            .html(),
        time_zone: Field::new("time_zone", "Time zone", &d.time_zone, Input::Text)
            .hint("For example Europe/London or America/Chicago. Event times are shown in it.")
            .errors(errors)
            .html(),
        channel_rows: channel_rows(d),
        channels_error: errors.get("channels"),
        platforms: PLATFORMS,
        levels: Visibility::ALL.iter().map(|v| (v.as_str(), v.label())).collect(),
        visibility: visibility_choices(d),
        has_avatar,
        avatar_error: errors.get("avatar"),
    });
    Ok((errors.page_status(), ui::page_with_notice(state, ctx, "Your profile", "/settings/profile", &body, notice))
        .into_response())
}

/// The channel rows of the form, numbered, with empty rows up to four.
fn channel_rows(d: &ProfileFormData) -> Vec<(usize, String, String, String, String)> {
    let mut rows: Vec<(usize, String, String, String, String)> = d
        .channels
        .iter()
        .enumerate()
        .map(|(i, (p, h, u, a))| (i, p.clone(), h.clone(), u.clone(), a.clone()))
        .collect();
    while rows.len() < 4 {
        rows.push((rows.len(), String::new(), String::new(), String::new(), String::new()));
    }
    rows
}

/// Each profile field with its label and the chosen visibility ("members" when unset).
fn visibility_choices(d: &ProfileFormData) -> Vec<(&'static str, &'static str, String)> {
    VISIBILITY_FIELDS
        .iter()
        .map(|(f, label)| {
            (
                *f,
                *label,
                d.visibility.iter().find(|(k, _)| k == f).map(|(_, v)| v.clone()).unwrap_or_else(|| "members".into()),
            )
        })
        .collect()
}

pub(super) async fn profile_page(Req { state, ctx }: Req, ApiQuery(q): ApiQuery<Done>) -> AppResult<Response> {
    let Some(m) = ctx.viewer.member() else { return Ok(login_required("/settings/profile")) };
    let (d, has_avatar) = stored_form(&state, m.id).await?;
    render_profile_form(&state, &ctx, m.id, &d, &FieldErrors::new(), has_avatar, notice_for(&q.done)).await
}

pub(super) async fn profile_submit(Req { state, ctx }: Req, body: axum::body::Bytes) -> AppResult<Response> {
    let m = ctx.viewer.require_member()?;
    let d = ProfileFormData::parse(&body);
    let mut errors = FieldErrors::new();
    let patch = d.to_patch(&mut errors);
    let result =
        if errors.is_empty() { profile::update(&state, m.id, &patch).await } else { Err(AppError::Validation(errors)) };
    match result {
        Ok(()) => Ok(kernel::http::redirect("/settings/profile?done=profile").into_response()),
        Err(AppError::Validation(errors)) => {
            let (_, has_avatar) = stored_form(&state, m.id).await?;
            render_profile_form(&state, &ctx, m.id, &d, &errors, has_avatar, None).await
        }
        Err(e) => Err(e),
    }
}

pub(super) async fn avatar_upload(Req { state, ctx }: Req, mut multipart: Multipart) -> AppResult<Response> {
    let m = ctx.viewer.require_member()?;
    let mut bytes = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::field("avatar", "The upload could not be read. Try again."))?
    {
        if field.name() == Some("avatar") {
            let data = field
                .bytes()
                .await
                .map_err(|_| AppError::field("avatar", "That image is larger than 5 MB. Choose a smaller one."))?;
            bytes = Some(data);
        }
    }
    let result = match bytes {
        Some(b) => avatar::process_limited(b).await,
        None => Err(AppError::field("avatar", "Choose an image file to upload.")),
    };
    match result {
        Ok(jpeg) => {
            avatar::save(&state, m.id, jpeg).await?;
            Ok(kernel::http::redirect("/settings/profile?done=avatar").into_response())
        }
        Err(AppError::Validation(errors)) => {
            let (d, has_avatar) = stored_form(&state, m.id).await?;
            render_profile_form(&state, &ctx, m.id, &d, &errors, has_avatar, None).await
        }
        Err(e) => Err(e),
    }
}

pub(super) async fn avatar_delete(Req { state, ctx }: Req) -> AppResult<Response> {
    let m = ctx.viewer.require_member()?;
    avatar::clear(&state, m.id).await?;
    Ok(kernel::http::redirect("/settings/profile?done=avatar").into_response())
}
