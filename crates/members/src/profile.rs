//! Profiles: what a member tells about themself, and who may see each part.

use std::collections::BTreeMap;

use kernel::db::{self, Db};
use kernel::ids::MemberId;
use kernel::time::{Instant, now};
use kernel::viewer::{Viewer, Visibility, can_see};
use kernel::{AppError, AppResult, AppState, FieldErrors, outbox, params};
use serde::Deserialize;
use uuid::Uuid;

use crate::accounts::validate_display_name;
use crate::conditions::{self, Condition};
use crate::model::{MemberType, PLATFORMS, VISIBILITY_FIELDS};
use contracts::events::ProfileCompleted;

/// A member's row as stored (only this slice ever reads it whole).
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct MemberRow {
    pub id: MemberId,
    pub email: Option<String>,
    pub email_verified_at: Option<Instant>,
    pub display_name: String,
    pub pronouns: String,
    pub member_type: String,
    pub role: String,
    pub status: String,
    pub health_leader_since: Option<Instant>,
    pub story: String,
    pub country: String,
    pub region: String,
    pub languages: String,
    pub time_zone: String,
    pub avatar_file: Option<String>,
    pub vis_pronouns: String,
    pub vis_member_type: String,
    pub vis_conditions: String,
    pub vis_story: String,
    pub vis_channels: String,
    pub vis_location: String,
    pub vis_languages: String,
    pub vis_avatar: String,
    pub created_at: Instant,
}

pub const MEMBER_COLUMNS: &str = "id, email, email_verified_at, display_name, pronouns, member_type, role, status, \
    health_leader_since, story, country, region, languages, time_zone, avatar_file, \
    vis_pronouns, vis_member_type, vis_conditions, vis_story, vis_channels, vis_location, vis_languages, vis_avatar, created_at";

impl MemberRow {
    pub fn visibility_of(&self, field: &str) -> Visibility {
        let v = match field {
            "pronouns" => &self.vis_pronouns,
            "member_type" => &self.vis_member_type,
            "conditions" => &self.vis_conditions,
            "story" => &self.vis_story,
            "channels" => &self.vis_channels,
            "location" => &self.vis_location,
            "languages" => &self.vis_languages,
            "avatar" => &self.vis_avatar,
            _ => "private",
        };
        Visibility::parse(v).unwrap_or(Visibility::Private)
    }

    pub fn visibility_map(&self) -> BTreeMap<String, Visibility> {
        VISIBILITY_FIELDS.iter().map(|(f, _)| (f.to_string(), self.visibility_of(f))).collect()
    }
}

pub async fn load_row<C: sea_orm::ConnectionTrait>(c: &C, id: MemberId) -> Result<Option<MemberRow>, sea_orm::DbErr> {
    db::one(c, &format!("SELECT {MEMBER_COLUMNS} FROM members WHERE id = $1"), params![id]).await
}

pub use contracts::members::Channel;

pub async fn channels_of(db: &Db, id: MemberId) -> Result<Vec<Channel>, sea_orm::DbErr> {
    db.all(
        "SELECT platform, handle, url, audience_size FROM member_channels WHERE member_id = $1 ORDER BY position",
        params![id],
    )
    .await
}

pub async fn conditions_of(db: &Db, id: MemberId) -> Result<Vec<Condition>, sea_orm::DbErr> {
    db.all(
        "SELECT c.id, c.slug, c.name FROM member_conditions mc JOIN conditions c ON c.id = mc.condition_id \
         WHERE mc.member_id = $1 ORDER BY c.name",
        params![id],
    )
    .await
}

pub use contracts::members::ProfileView;

fn split_list(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()
}

/// The profile of `id` as `viewer` may see it; `None` when there is no such active
/// member (suspended and deleted accounts have no public profile).
pub async fn view(db: &Db, viewer: &Viewer, id: MemberId) -> AppResult<Option<ProfileView>> {
    let Some(row) = load_row(db.reader(), id).await? else { return Ok(None) };
    let is_self = viewer.id() == Some(id);
    if row.status != "active" || (row.email_verified_at.is_none() && !is_self) {
        return Ok(None);
    }
    let sees = |field: &str| can_see(viewer, row.id, row.visibility_of(field));
    let conditions = if sees("conditions") { Some(conditions_of(db, id).await?) } else { None };
    let channels = if sees("channels") { Some(channels_of(db, id).await?) } else { None };
    let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    Ok(Some(ProfileView {
        id: row.id,
        display_name: row.display_name.clone(),
        health_leader: row.health_leader_since.is_some(),
        pronouns: if sees("pronouns") { nonempty(&row.pronouns) } else { None },
        member_type: if sees("member_type") { MemberType::parse(&row.member_type) } else { None },
        conditions,
        story: if sees("story") { nonempty(&row.story) } else { None },
        channels,
        country: if sees("location") { nonempty(&row.country) } else { None },
        region: if sees("location") { nonempty(&row.region) } else { None },
        languages: if sees("languages") { Some(split_list(&row.languages)).filter(|l| !l.is_empty()) } else { None },
        avatar_url: (sees("avatar") && row.avatar_file.is_some()).then(|| format!("/members/{}/avatar", row.id)),
        joined: row.created_at.format("%B %Y").to_string(),
    }))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelInput {
    pub platform: String,
    pub handle: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub audience_size: Option<i64>,
}

/// A change to a profile: only the fields present change.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    pub display_name: Option<String>,
    pub pronouns: Option<String>,
    /// patient, caregiver, healthcare_professional or advocate
    pub member_type: Option<String>,
    /// Condition ids (see `GET /api/v1/conditions`).
    pub conditions: Option<Vec<String>>,
    /// Markdown.
    pub story: Option<String>,
    pub channels: Option<Vec<ChannelInput>>,
    /// ISO 3166-1 alpha-2 code, e.g. "GB".
    pub country: Option<String>,
    pub region: Option<String>,
    /// Language codes, e.g. ["en", "es"].
    pub languages: Option<Vec<String>>,
    /// IANA time zone, e.g. "Europe/London".
    pub time_zone: Option<String>,
    /// Field → public, members or private.
    pub visibility: Option<BTreeMap<String, String>>,
}

pub const MAX_STORY: usize = 10_000;
pub const MAX_CONDITIONS: usize = 25;
pub const MAX_CHANNELS: usize = 10;

struct Clean {
    display_name: Option<String>,
    pronouns: Option<String>,
    member_type: Option<MemberType>,
    conditions: Option<Vec<Uuid>>,
    story: Option<String>,
    channels: Option<Vec<Channel>>,
    country: Option<String>,
    region: Option<String>,
    languages: Option<Vec<String>>,
    time_zone: Option<String>,
    visibility: Vec<(String, Visibility)>,
}

fn is_valid_language(code: &str) -> bool {
    let mut parts = code.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

async fn validate(db: &Db, p: &ProfilePatch) -> AppResult<Clean> {
    let mut e = FieldErrors::new();
    let display_name = p.display_name.as_deref().map(|n| validate_display_name(n, &mut e));
    let pronouns = p.pronouns.as_deref().map(|s| s.trim().to_string());
    if pronouns.as_ref().is_some_and(|s| s.chars().count() > 40) {
        e.add("pronouns", "Use at most 40 characters for pronouns.");
    }
    let member_type = p.member_type.as_deref().and_then(|t| checked_member_type(t, &mut e));
    let conditions = match &p.conditions {
        Some(list) => Some(checked_conditions(db, list, &mut e).await?),
        None => None,
    };
    let story = p.story.as_deref().map(|s| s.trim().replace("\r\n", "\n"));
    if story.as_ref().is_some_and(|s| s.chars().count() > MAX_STORY) {
        e.add("story", format!("Your story can be up to {MAX_STORY} characters."));
    }
    let channels = p.channels.as_deref().map(|list| checked_channels(list, &mut e));
    let country = p.country.as_deref().map(|c| c.trim().to_uppercase());
    let is_code = |c: &str| c.len() == 2 && c.chars().all(|x| x.is_ascii_uppercase());
    if country.as_ref().is_some_and(|c| !c.is_empty() && !is_code(c)) {
        e.add("country", "Use a two-letter country code such as GB, US or NG.");
    }
    let region = p.region.as_deref().map(|r| r.trim().to_string());
    if region.as_ref().is_some_and(|r| r.chars().count() > 80) {
        e.add("region", "Use at most 80 characters for your region.");
    }
    let languages = p.languages.as_deref().map(|l| checked_languages(l, &mut e));
    let time_zone = p.time_zone.as_deref().map(|z| z.trim().to_string());
    if let Some(z) = &time_zone
        && !z.is_empty()
        && jiff::tz::TimeZone::get(z).is_err()
    {
        e.add("time_zone", format!("{z:?} is not a time zone we know; use a name like Europe/London."));
    }
    let visibility = p.visibility.as_ref().map(|map| checked_visibility(map, &mut e)).unwrap_or_default();
    e.into_result()?;
    Ok(Clean {
        display_name,
        pronouns,
        member_type,
        conditions,
        story,
        channels,
        country,
        region,
        languages,
        time_zone,
        visibility,
    })
}

fn checked_member_type(t: &str, e: &mut FieldErrors) -> Option<MemberType> {
    let parsed = MemberType::parse(t.trim());
    if parsed.is_none() {
        e.add("member_type", "Choose patient, caregiver, healthcare professional or advocate.");
    }
    parsed
}

/// The chosen condition ids, once each; every one must exist.
async fn checked_conditions(db: &Db, list: &[String], e: &mut FieldErrors) -> AppResult<Vec<Uuid>> {
    let mut ids = Vec::new();
    for raw in list {
        match Uuid::parse_str(raw.trim()) {
            Ok(id) if !ids.contains(&id) => ids.push(id),
            Ok(_) => {}
            Err(_) => e.add("conditions", format!("{raw:?} is not a condition id.")),
        }
    }
    if ids.len() > MAX_CONDITIONS {
        e.add("conditions", format!("Choose at most {MAX_CONDITIONS} conditions."));
    } else if e.get("conditions").is_none() {
        let found = conditions::existing(db, &ids).await?;
        if found.len() != ids.len() {
            e.add("conditions", "One of the chosen conditions does not exist.");
        }
    }
    Ok(ids)
}

/// The member's channels, each on a known platform with a handle, an http(s) link and
/// a sensible audience size.
fn checked_channels(list: &[ChannelInput], e: &mut FieldErrors) -> Vec<Channel> {
    if list.len() > MAX_CHANNELS {
        e.add("channels", format!("List at most {MAX_CHANNELS} channels."));
    }
    let mut out = Vec::new();
    for c in list {
        let platform = c.platform.trim().to_lowercase();
        if !PLATFORMS.iter().any(|(code, _)| *code == platform) {
            e.add(
                "channels",
                format!(
                    "{:?} is not a platform we know. Use one of: {}.",
                    c.platform,
                    PLATFORMS.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ")
                ),
            );
        }
        let handle = c.handle.trim().to_string();
        if handle.is_empty() || handle.chars().count() > 100 {
            e.add("channels", "Each channel needs a handle of at most 100 characters.");
        }
        let url = c.url.as_deref().unwrap_or("").trim().to_string();
        let bad_scheme = !url.is_empty() && !url.starts_with("https://") && !url.starts_with("http://");
        if bad_scheme || url.len() > 300 {
            e.add("channels", "A channel link must start with https:// (or http://).");
        }
        let audience_size = c.audience_size.unwrap_or(0);
        if !(0..=10_000_000_000).contains(&audience_size) {
            e.add("channels", "Audience size must be a number from 0 to 10 billion.");
        }
        out.push(Channel { platform, handle, url, audience_size });
    }
    out
}

/// The member's languages (blanks dropped): at most 10 codes like en or pt-BR.
fn checked_languages(list: &[String], e: &mut FieldErrors) -> Vec<String> {
    let l = list.iter().map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect::<Vec<_>>();
    if l.len() > 10 {
        e.add("languages", "List at most 10 languages.");
    } else if let Some(bad) = l.iter().find(|x| !is_valid_language(x)) {
        e.add("languages", format!("{bad:?} is not a language code like en, es or pt-BR."));
    }
    l
}

/// Visibility settings, each for a field that has one and at a known level.
fn checked_visibility(map: &BTreeMap<String, String>, e: &mut FieldErrors) -> Vec<(String, Visibility)> {
    let mut visibility = Vec::new();
    for (field, level) in map {
        if !VISIBILITY_FIELDS.iter().any(|(f, _)| f == field) {
            e.add("visibility", format!("{field:?} is not a field with a visibility setting."));
        } else if let Some(v) = Visibility::parse(level) {
            visibility.push((field.clone(), v));
        } else {
            e.add("visibility", format!("Visibility of {field} must be public, members or private."));
        }
    }
    visibility
}

/// Replaces a member's conditions. Each row carries the member's name key (already
/// written), so the directory can list a condition's members in name order from one index.
pub(crate) async fn set_conditions<C: sea_orm::ConnectionTrait>(
    c: &C,
    member: MemberId,
    conditions: &[Uuid],
) -> Result<(), sea_orm::DbErr> {
    db::exec(c, "DELETE FROM member_conditions WHERE member_id = $1", params![member]).await?;
    for id in conditions {
        db::exec(
            c,
            "INSERT INTO member_conditions (member_id, condition_id, name_key) SELECT id, $2, name_key FROM members WHERE id = $1",
            params![member, *id],
        )
        .await?;
    }
    Ok(())
}

/// Applies a profile change after validating all of it: on any error, nothing changes.
pub async fn update(state: &AppState, member: MemberId, patch: &ProfilePatch) -> AppResult<()> {
    let c = validate(&state.db, patch).await?;
    let tx = state.db.begin().await?;
    let mut sets: Vec<String> = Vec::new();
    let mut values: Vec<sea_orm::Value> = Vec::new();
    let mut set = |col: &str, v: sea_orm::Value| {
        values.push(v);
        sets.push(format!("{col} = ${}", values.len()));
    };
    if let Some(n) = &c.display_name {
        set("display_name", n.clone().into());
        set("name_key", n.to_lowercase().into());
    }
    if let Some(v) = &c.pronouns {
        set("pronouns", v.clone().into());
    }
    if let Some(t) = c.member_type {
        set("member_type", t.as_str().into());
    }
    if let Some(s) = &c.story {
        set("story", s.clone().into());
        set("story_key", s.to_lowercase().into());
    }
    if let Some(v) = &c.country {
        set("country", v.clone().into());
    }
    if let Some(v) = &c.region {
        set("region", v.clone().into());
    }
    if let Some(v) = &c.languages {
        set("languages", v.join(",").into());
    }
    if let Some(v) = &c.time_zone {
        set("time_zone", v.clone().into());
    }
    for (field, v) in &c.visibility {
        set(&format!("vis_{field}"), v.as_str().into());
    }
    set("updated_at", now().into());
    values.push(member.into());
    let sql = format!("UPDATE members SET {} WHERE id = ${}", sets.join(", "), values.len());
    db::exec(&tx, &sql, values).await?;
    if let Some(ids) = &c.conditions {
        set_conditions(&tx, member, ids).await?;
    } else if c.display_name.is_some() {
        // The directory lists members by condition in name order from these rows.
        db::exec(
            &tx,
            "UPDATE member_conditions SET name_key = (SELECT name_key FROM members WHERE id = $1) WHERE member_id = $1",
            params![member],
        )
        .await?;
    }
    if let Some(list) = &c.channels {
        db::exec(&tx, "DELETE FROM member_channels WHERE member_id = $1", params![member]).await?;
        for (i, ch) in list.iter().enumerate() {
            db::exec(
                &tx,
                "INSERT INTO member_channels (id, member_id, platform, handle, url, audience_size, position) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                params![Uuid::now_v7(), member, ch.platform.clone(), ch.handle.clone(), ch.url.clone(), ch.audience_size, i as i32],
            )
            .await?;
        }
    }
    mark_complete_once(&tx, member).await?;
    tx.commit().await?;
    Ok(())
}

/// A profile is complete with a story, a condition and a country. The first time it is,
/// a `ProfileCompleted` event goes out (rewards turn it into points) — once ever.
async fn mark_complete_once(tx: &kernel::db::Tx, member: MemberId) -> AppResult<()> {
    let n = db::exec(
        tx,
        "UPDATE members SET profile_completed_at = $1 WHERE id = $2 AND profile_completed_at IS NULL \
         AND story <> '' AND country <> '' AND EXISTS (SELECT 1 FROM member_conditions WHERE member_id = $2)",
        params![now(), member],
    )
    .await?;
    if n == 1 {
        outbox::publish(tx, Some(member), &ProfileCompleted { member_id: member }).await?;
    }
    Ok(())
}

/// Stores a new avatar file name (the file is already written), returning the old one.
pub async fn set_avatar(state: &AppState, member: MemberId, file: Option<&str>) -> AppResult<Option<String>> {
    let tx = state.db.begin().await?;
    let old: Option<String> =
        db::scalar::<Option<String>, _>(&tx, "SELECT avatar_file FROM members WHERE id = $1", params![member])
            .await?
            .flatten();
    db::exec(
        &tx,
        "UPDATE members SET avatar_file = $1, updated_at = $2 WHERE id = $3",
        params![file.map(str::to_string), now(), member],
    )
    .await?;
    tx.commit().await?;
    Ok(old)
}

/// The avatar file of `id` if `viewer` may see it.
pub async fn avatar_for(db: &Db, viewer: &Viewer, id: MemberId) -> AppResult<String> {
    let row = load_row(db.reader(), id).await?.ok_or(AppError::NotFound)?;
    if row.status != "active" || !can_see(viewer, id, row.visibility_of("avatar")) {
        return Err(AppError::NotFound);
    }
    row.avatar_file.ok_or(AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::is_valid_language;

    #[test]
    fn language_codes_are_checked() {
        for ok in ["en", "es", "pt-BR", "zh-Hant", "yue"] {
            assert!(is_valid_language(ok), "{ok}");
        }
        for bad in ["", "E", "english", "en_GB", "<b>"] {
            assert!(!is_valid_language(bad), "{bad}");
        }
    }
}
