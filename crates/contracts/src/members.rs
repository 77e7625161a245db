//! The members slice's public face: how a member may appear to others, and the port
//! through which other slices read what they need about members. Everything here
//! already honours each profile field's visibility for the viewer it is given.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use kernel::AppState;
use kernel::db::{Conn, Db};
use kernel::slice::MissingPort;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult};
use sea_orm::DbErr;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::MemberId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemberType {
    Patient,
    Caregiver,
    HealthcareProfessional,
    Advocate,
}

impl MemberType {
    pub const ALL: [MemberType; 4] =
        [MemberType::Patient, MemberType::Caregiver, MemberType::HealthcareProfessional, MemberType::Advocate];

    pub fn as_str(self) -> &'static str {
        match self {
            MemberType::Patient => "patient",
            MemberType::Caregiver => "caregiver",
            MemberType::HealthcareProfessional => "healthcare_professional",
            MemberType::Advocate => "advocate",
        }
    }

    pub fn parse(s: &str) -> Option<MemberType> {
        MemberType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            MemberType::Patient => "Patient",
            MemberType::Caregiver => "Caregiver",
            MemberType::HealthcareProfessional => "Healthcare professional",
            MemberType::Advocate => "Advocate",
        }
    }
}

/// Social platforms a member can list on their profile: code and name.
pub const PLATFORMS: &[(&str, &str)] = &[
    ("instagram", "Instagram"),
    ("tiktok", "TikTok"),
    ("youtube", "YouTube"),
    ("x", "X (Twitter)"),
    ("facebook", "Facebook"),
    ("linkedin", "LinkedIn"),
    ("threads", "Threads"),
    ("bluesky", "Bluesky"),
    ("blog", "Blog"),
    ("podcast", "Podcast"),
];

/// The name of a platform code (the code itself when it is not one of [`PLATFORMS`]).
pub fn platform_label(code: &str) -> &str {
    PLATFORMS.iter().find(|(c, _)| *c == code).map(|(_, l)| *l).unwrap_or(code)
}

/// What a member's profile offers for matching them to something they may take part in
/// (paid opportunities): every field they show to other members, whether to everyone or
/// to members only. A field they keep to themself ("only me") is left out and named in
/// `withheld`, so the member can be told why it did not count. Never for display: a
/// slice uses it to decide, and shows the member only their own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchProfile {
    pub member_type: Option<MemberType>,
    /// Condition ids.
    pub conditions: Vec<Uuid>,
    /// ISO 3166-1 alpha-2 code, upper case.
    pub country: Option<String>,
    /// Language codes, lower case.
    pub languages: Vec<String>,
    /// (platform code, audience size) of each channel listed.
    pub channels: Vec<(String, i64)>,
    pub health_leader: bool,
    /// The profile fields not used because the member keeps them private
    /// (`member_type`, `conditions`, `location`, `languages`, `channels`).
    pub withheld: Vec<String>,
}

/// A health condition of the shared reference list.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct Condition {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
}

/// A social channel a member lists on their profile.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, sea_orm::FromQueryResult, utoipa::ToSchema)]
pub struct Channel {
    pub platform: String,
    pub handle: String,
    pub url: String,
    pub audience_size: i64,
}

/// A profile as one viewer may see it: a field the viewer may not see is absent.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProfileView {
    pub id: MemberId,
    pub display_name: String,
    pub health_leader: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pronouns: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_type: Option<MemberType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub story: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channels: Option<Vec<Channel>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub languages: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    pub joined: String,
}

/// One member in a directory listing, showing only what the viewer may see.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberCard {
    pub id: MemberId,
    pub display_name: String,
    pub health_leader: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pronouns: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_type: Option<MemberType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub story_excerpt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
}

type Read<'a, T> = BoxFuture<'a, Result<T, DbErr>>;

/// What other slices may read about members, provided by the members slice. Methods
/// that take a [`Conn`] may run inside the caller's transaction.
pub trait MemberDirectory: Send + Sync {
    /// Display names for a set of members, in one query (any status: a deleted
    /// member's tombstone keeps a placeholder name).
    fn display_names<'a>(&'a self, c: Conn<'a>, ids: &'a [MemberId]) -> Read<'a, HashMap<MemberId, String>>;
    /// [`MemberDirectory::display_names`] as an SQL scalar expression, for a list that
    /// shows each row's author in its own statement (the thread page's replies): the
    /// display name of the member whose id `member_id` (a column of the caller's
    /// statement) holds, NULL for none. The members slice writes it, so its table stays
    /// its own; the caller only places it.
    fn display_name_sql(&self, member_id: &str) -> String;
    /// The display name of an active member.
    fn active_display_name<'a>(&'a self, c: Conn<'a>, id: MemberId) -> Read<'a, Option<String>>;
    /// The address at which a slice may e-mail an active member about their own
    /// activity. Never for display.
    fn contact_email<'a>(&'a self, c: Conn<'a>, id: MemberId) -> Read<'a, Option<String>>;
    /// Active members with a verified address, in id order after `after`, at most
    /// `limit`: (id, address). For bulk mail such as the newsletter; a member who never
    /// verified their address is never listed. Never for display.
    fn verified_addresses<'a>(
        &'a self,
        c: Conn<'a>,
        after: Option<MemberId>,
        limit: u64,
    ) -> Read<'a, Vec<(MemberId, String)>>;
    /// The active member whose address is `email` (any case), for staff tools that pick
    /// a member by address (the newsletter's preview). Never for display.
    fn active_by_email<'a>(&'a self, c: Conn<'a>, email: &'a str) -> Read<'a, Option<MemberId>>;
    /// Whether an account exists and is not deleted.
    fn exists<'a>(&'a self, c: Conn<'a>, id: MemberId) -> Read<'a, bool>;
    /// When an active member joined (for limits on new accounts).
    fn joined_at<'a>(&'a self, c: Conn<'a>, id: MemberId) -> Read<'a, Option<DateTime<Utc>>>;
    /// Active members whose display name is one of `names` (case-insensitive), with
    /// the lower-cased name, for resolving @mentions. One query.
    fn find_by_names<'a>(&'a self, c: Conn<'a>, names: &'a [String]) -> Read<'a, Vec<(MemberId, String)>>;
    /// A member's own time zone (IANA name), if they set one.
    fn time_zone_of<'a>(&'a self, c: Conn<'a>, id: MemberId) -> Read<'a, Option<String>>;
    /// The time zones of those of `ids` who set one, in one query.
    fn time_zones_of<'a>(&'a self, c: Conn<'a>, ids: &'a [MemberId]) -> Read<'a, HashMap<MemberId, String>>;
    /// For each member, the conditions they show to other members (never private ones).
    fn shared_conditions<'a>(&'a self, c: Conn<'a>, ids: &'a [MemberId]) -> Read<'a, HashMap<MemberId, Vec<Uuid>>>;
    /// For each active member of `ids`, what their profile offers for matching (see
    /// [`MatchProfile`]), in a fixed number of queries. Members not active are absent.
    fn match_profiles<'a>(&'a self, c: Conn<'a>, ids: &'a [MemberId]) -> Read<'a, HashMap<MemberId, MatchProfile>>;
    /// The reference list of conditions, in the order the directory shows them.
    fn conditions<'a>(&'a self, db: &'a Db) -> Read<'a, Vec<Condition>>;
    /// Which of `ids` are conditions of the reference list.
    fn existing_conditions<'a>(&'a self, db: &'a Db, ids: &'a [Uuid]) -> Read<'a, Vec<Uuid>>;
    /// The profile of `id` as `viewer` may see it; `None` when there is no such active
    /// member.
    fn profile<'a>(
        &'a self,
        db: &'a Db,
        viewer: &'a Viewer,
        id: MemberId,
    ) -> BoxFuture<'a, AppResult<Option<ProfileView>>>;
    /// Whether `actor` may suspend `member` from the platform (the role hierarchy: only
    /// admins act on admins, and never on the last one); an error says why not.
    fn may_suspend<'a>(
        &'a self,
        state: &'a AppState,
        actor: MemberId,
        member: MemberId,
    ) -> BoxFuture<'a, AppResult<()>>;
    /// Members whose name or story matches `q`, as `viewer` may see them.
    fn search<'a>(
        &'a self,
        db: &'a Db,
        viewer: &'a Viewer,
        q: &'a str,
        limit: u64,
    ) -> BoxFuture<'a, AppResult<Vec<MemberCard>>>;
}

/// The members port, as provided by the members slice.
pub fn directory(state: &AppState) -> Result<&dyn MemberDirectory, MissingPort> {
    state.port::<std::sync::Arc<dyn MemberDirectory>>().map(|p| p.as_ref())
}

/// The profile of `id` as `viewer` may see it, or 404.
pub async fn visible_profile(state: &AppState, viewer: &Viewer, id: MemberId) -> AppResult<ProfileView> {
    directory(state)?.profile(&state.db, viewer, id).await?.ok_or(AppError::NotFound)
}

/// Creating the first staff admin from the command line (`shn admin create`).
pub trait AdminAccounts: Send + Sync {
    /// Creates a verified admin; a bad e-mail, name or password is a validation error.
    fn create_admin<'a>(
        &'a self,
        state: &'a AppState,
        email: &'a str,
        name: &'a str,
        password: &'a str,
    ) -> BoxFuture<'a, AppResult<MemberId>>;

    /// Creates a judge-only guest account (never a member: only judging and its own
    /// sign-in) and e-mails it a one-time link to choose a password.
    fn invite_guest_judge<'a>(
        &'a self,
        state: &'a AppState,
        email: &'a str,
        name: &'a str,
    ) -> BoxFuture<'a, AppResult<MemberId>>;
}

/// The admin-accounts port, as provided by the members slice.
pub fn admin_accounts(state: &AppState) -> Result<&dyn AdminAccounts, MissingPort> {
    state.port::<std::sync::Arc<dyn AdminAccounts>>().map(|p| p.as_ref())
}
