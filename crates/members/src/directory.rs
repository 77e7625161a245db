//! The member directory. Every filter is applied in SQL together with the visibility
//! rule of the field it filters on, so a field hidden from the viewer never shows and
//! never matches a filter for them.

use std::collections::HashMap;

use kernel::db::{Backend, Db, like_contains};
use kernel::ids::MemberId;
use kernel::page::{self, Page};
use kernel::viewer::{Viewer, Visibility, can_see, visible_sql};
use kernel::{AppError, AppResult};
use serde::Deserialize;
use uuid::Uuid;

use crate::conditions::Condition;
use crate::model::{MemberType, PLATFORMS};

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Filters {
    /// A condition id.
    pub condition: Option<String>,
    pub member_type: Option<String>,
    /// Two-letter country code.
    pub country: Option<String>,
    /// Social platform, e.g. instagram.
    pub platform: Option<String>,
    /// Minimum audience on that platform (or on any platform when none is given).
    pub min_audience: Option<String>,
    /// Words to look for in names and stories.
    pub q: Option<String>,
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (20 when absent).
    #[serde(default, deserialize_with = "kernel::page::limit_in_range")]
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
}

pub use contracts::members::MemberCard;

#[derive(sea_orm::FromQueryResult)]
struct Row {
    id: MemberId,
    display_name: String,
    name_key: String,
    health_leader_since: Option<kernel::time::Instant>,
    pronouns: String,
    vis_pronouns: String,
    member_type: String,
    vis_member_type: String,
    country: String,
    region: String,
    vis_location: String,
    story: String,
    vis_story: String,
    vis_conditions: String,
    avatar_file: Option<String>,
    vis_avatar: String,
}

#[derive(sea_orm::FromQueryResult)]
struct MemberCondition {
    member_id: MemberId,
    id: Uuid,
    slug: String,
    name: String,
}

/// Builds a parameterised WHERE clause, numbering `$N` as values are added.
#[derive(Clone)]
struct Where {
    parts: Vec<String>,
    values: Vec<sea_orm::Value>,
}

impl Where {
    fn push(&mut self, sql: impl Into<String>) {
        self.parts.push(sql.into());
    }
    /// Adds a value and returns its placeholder.
    fn bind(&mut self, v: impl Into<sea_orm::Value>) -> String {
        self.values.push(v.into());
        format!("${}", self.values.len())
    }
    /// The visibility rule for one field.
    fn visible(&mut self, viewer: &Viewer, column: &str) -> String {
        let (sql, vals) = visible_sql(viewer, column, "m.id", self.values.len() + 1);
        self.values.extend(vals);
        sql
    }
}

fn bad(field: &'static str, msg: &str) -> AppError {
    AppError::field(field, msg.to_string())
}

pub async fn search(db: &Db, viewer: &Viewer, f: &Filters) -> AppResult<Page<MemberCard>> {
    let limit = page::limit(f.limit);
    let mut w =
        Where { parts: vec!["m.status = 'active'".into(), "m.email_verified_at IS NOT NULL".into()], values: vec![] };
    let (from, order) = condition_source(&mut w, viewer, f)?;
    filter_by_profile(&mut w, viewer, f)?;
    filter_by_channels(&mut w, viewer, f)?;
    let text = filter_by_text(&mut w, viewer, f)?;
    let mut after = None;
    if let Some(cursor) = nonempty(&f.cursor) {
        let (key, id): (String, Uuid) = page::decode(&cursor)?;
        after = Some((key.clone(), id));
        let k = w.bind(key);
        let i = w.bind(id);
        w.push(format!("({order}) > ({k}, {i})"));
    }
    let page_of = |mut w: Where| {
        let lim = w.bind((limit + 1) as i64);
        let sql = format!(
            "SELECT m.id, m.display_name, m.name_key, m.health_leader_since, m.pronouns, m.vis_pronouns, m.member_type, \
             m.vis_member_type, m.country, m.region, m.vis_location, m.story, m.vis_story, m.vis_conditions, m.avatar_file, m.vis_avatar \
             FROM {from} WHERE {} ORDER BY {order} LIMIT {lim}",
            w.parts.join(" AND ")
        );
        async move { db.all::<Row>(&sql, w.values).await }
    };
    let rows = match text.as_deref().filter(|q| uses_text_index(db, q)) {
        Some(q) => by_text(db, q, w, order, after.as_ref(), limit, page_of).await?,
        None => page_of(w).await?,
    };
    let page = page::finish(rows, limit, |r| (r.name_key.clone(), r.id.0));
    let conditions = conditions_for(db, viewer, &page.items).await?;
    let items = page.items.into_iter().map(|r| card(viewer, r, &conditions)).collect();
    Ok(Page { items, next_cursor: page.next_cursor })
}

/// A filter's value, trimmed; `None` when absent or blank.
fn nonempty(o: &Option<String>) -> Option<String> {
    o.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// The rows to list from and their order. Filtered by a condition, the page is read
/// from that condition's rows, which carry the name key: one index range in name order,
/// stopped at the page size.
fn condition_source(w: &mut Where, viewer: &Viewer, f: &Filters) -> AppResult<(&'static str, &'static str)> {
    Ok(match nonempty(&f.condition) {
        Some(c) => {
            let id = Uuid::parse_str(&c).map_err(|_| bad("condition", "That is not a condition id."))?;
            let p = w.bind(id);
            let vis = w.visible(viewer, "m.vis_conditions");
            w.push(format!("mc.condition_id = {p} AND {vis}"));
            ("member_conditions mc JOIN members m ON m.id = mc.member_id", "mc.name_key, mc.member_id")
        }
        None => ("members m", "m.name_key, m.id"),
    })
}

/// The member type and country filters, each where the viewer may see the field.
fn filter_by_profile(w: &mut Where, viewer: &Viewer, f: &Filters) -> AppResult<()> {
    if let Some(t) = nonempty(&f.member_type) {
        let t = MemberType::parse(&t)
            .ok_or_else(|| bad("member_type", "Choose patient, caregiver, healthcare_professional or advocate."))?;
        let p = w.bind(t.as_str());
        let vis = w.visible(viewer, "m.vis_member_type");
        w.push(format!("m.member_type = {p} AND {vis}"));
    }
    if let Some(c) = nonempty(&f.country) {
        let c = c.to_uppercase();
        if c.len() != 2 || !c.chars().all(|x| x.is_ascii_uppercase()) {
            return Err(bad("country", "Use a two-letter country code such as GB."));
        }
        let p = w.bind(c);
        let vis = w.visible(viewer, "m.vis_location");
        w.push(format!("m.country = {p} AND {vis}"));
    }
    Ok(())
}

/// The platform and minimum audience filters: a channel that has both, where the viewer
/// may see the member's channels.
fn filter_by_channels(w: &mut Where, viewer: &Viewer, f: &Filters) -> AppResult<()> {
    let platform = nonempty(&f.platform).map(|p| p.to_lowercase());
    if let Some(p) = &platform
        && !PLATFORMS.iter().any(|(c, _)| c == p)
    {
        return Err(bad("platform", "That is not a platform we know."));
    }
    let min_audience = match nonempty(&f.min_audience) {
        Some(n) => Some(
            n.parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| bad("min_audience", "Use a whole number, 0 or more."))?,
        ),
        None => None,
    };
    if platform.is_some() || min_audience.is_some() {
        let mut cond = String::from("EXISTS (SELECT 1 FROM member_channels ch WHERE ch.member_id = m.id");
        if let Some(p) = platform {
            cond.push_str(&format!(" AND ch.platform = {}", w.bind(p)));
        }
        if let Some(n) = min_audience {
            cond.push_str(&format!(" AND ch.audience_size >= {}", w.bind(n)));
        }
        let vis = w.visible(viewer, "m.vis_channels");
        w.push(format!("{cond}) AND {vis}"));
    }
    Ok(())
}

/// The text filter (names, and stories the viewer may see); the text, if any.
fn filter_by_text(w: &mut Where, viewer: &Viewer, f: &Filters) -> AppResult<Option<String>> {
    let text = kernel::search::search_text(f.q.as_deref().unwrap_or(""))?;
    let text = (!text.is_empty()).then(|| text.to_string());
    if let Some(q) = &text {
        let pattern = w.bind(like_contains(q));
        let vis = w.visible(viewer, "m.vis_story");
        w.push(format!(
            "(m.name_key LIKE {pattern} ESCAPE '\\' OR (m.story_key LIKE {pattern} ESCAPE '\\' AND {vis}))"
        ));
    }
    Ok(text)
}

// Searching by text on SQLite (PostgreSQL's planner weighs its trigram indexes against
// the walk in name order by itself, from its statistics). The directory lists matches in
// name order. Text many members hold is met soon by walking the members in that order;
// text few hold is found at once in the trigram index of m0011, but a walk would pass
// every member looking for it. So the page first walks a window of the next
// [`TEXT_WINDOW`] members by name; if that holds a full page of matches, those are the
// first matches of all. Otherwise the matches come from the index (when few enough to
// sort) and the page is read from them.

/// How many members, in name order, the first walk looks through: enough for text one
/// member in ten holds to fill a page. At a thousand, text nobody holds cost 2.3 ms of
/// walking before the index said so (scale 1); text held more rarely than one in ten but
/// too often to sort is walked further, in name order, as before.
const TEXT_WINDOW: i64 = 250;

/// How many members holding the text are few enough to sort by name. A text met fewer
/// than a page's worth of times in the window is rare, so this is seldom reached; beyond
/// it the walk goes on through every member.
const FEW_CANDIDATES: i64 = 2000;

/// Whether `q` goes through [`by_text`]: on SQLite, text of three characters or more (the
/// shortest the trigram index answers).
fn uses_text_index(db: &Db, q: &str) -> bool {
    db.backend() == Backend::Sqlite && q.chars().count() >= 3
}

#[derive(sea_orm::FromQueryResult)]
struct NameKey {
    name_key: String,
    id: Uuid,
}

#[derive(sea_orm::FromQueryResult)]
struct Candidates {
    found: i64,
    /// A JSON array of the members' IDs in hex.
    ids: String,
}

/// The rows of a page of members matching `q` (already in `w`), as described above.
async fn by_text<F, Fut>(
    db: &Db,
    q: &str,
    mut w: Where,
    order: &str,
    after: Option<&(String, Uuid)>,
    limit: u64,
    page_of: F,
) -> AppResult<Vec<Row>>
where
    F: Fn(Where) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<Row>, sea_orm::DbErr>>,
{
    // The last member of the window: an index seek.
    let (from_key, from_id) = after.cloned().unwrap_or_default();
    let last: Option<NameKey> = db
        .one(
            "SELECT name_key, id FROM members WHERE status = 'active' AND (name_key, id) > ($1, $2) \
             ORDER BY name_key, id LIMIT 1 OFFSET $3",
            kernel::params![from_key, from_id, TEXT_WINDOW - 1],
        )
        .await?;
    let Some(last) = last else {
        // Fewer members than the window are left: the walk is short.
        return Ok(page_of(w).await?);
    };
    let mut window = w.clone();
    let (k, i) = (window.bind(last.name_key), window.bind(last.id));
    window.push(format!("({order}) <= ({k}, {i})"));
    let rows = page_of(window).await?;
    if rows.len() as u64 > limit {
        return Ok(rows);
    }
    // One row back (sqlx hands each row across threads; a thousand cost more than the
    // lookup). One quoted FTS5 phrase: with the trigram tokenizer, a plain substring.
    let phrase = format!("\"{}\"", q.to_lowercase().replace('"', "\"\""));
    let found: Option<Candidates> = db
        .one(
            "SELECT COUNT(*) AS found, json_group_array(hex(k.member_id)) AS ids \
             FROM (SELECT rowid AS r FROM member_text WHERE member_text MATCH $1 LIMIT $2) AS t \
             JOIN member_text_keys k ON k.id = t.r",
            kernel::params![phrase, FEW_CANDIDATES + 1],
        )
        .await?;
    if let Some(c) = found.filter(|c| c.found <= FEW_CANDIDATES) {
        let ids = w.bind(c.ids);
        w.push(format!("m.id IN (SELECT unhex(value) FROM json_each({ids}))"));
    }
    Ok(page_of(w).await?)
}

/// Conditions of every member on the page in one query (never one per member), only
/// for members whose conditions the viewer may see.
async fn conditions_for(db: &Db, viewer: &Viewer, rows: &[Row]) -> AppResult<HashMap<MemberId, Vec<Condition>>> {
    let visible: Vec<MemberId> = rows.iter().filter(|r| sees(viewer, r.id, &r.vis_conditions)).map(|r| r.id).collect();
    let mut out: HashMap<MemberId, Vec<Condition>> = HashMap::new();
    if visible.is_empty() {
        return Ok(out);
    }
    let placeholders = kernel::db::placeholders(1, visible.len());
    let rows: Vec<MemberCondition> = db
        .all(
            &format!(
                "SELECT mc.member_id, c.id, c.slug, c.name FROM member_conditions mc JOIN conditions c ON c.id = mc.condition_id \
                 WHERE mc.member_id IN ({placeholders}) ORDER BY c.name"
            ),
            visible.iter().map(|id| sea_orm::Value::from(*id)).collect(),
        )
        .await?;
    for r in rows {
        out.entry(r.member_id).or_default().push(Condition { id: r.id, slug: r.slug, name: r.name });
    }
    Ok(out)
}

fn sees(viewer: &Viewer, owner: MemberId, vis: &str) -> bool {
    can_see(viewer, owner, Visibility::parse(vis).unwrap_or(Visibility::Private))
}

fn card(viewer: &Viewer, r: Row, conditions: &HashMap<MemberId, Vec<Condition>>) -> MemberCard {
    let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let location = sees(viewer, r.id, &r.vis_location);
    MemberCard {
        id: r.id,
        display_name: r.display_name,
        health_leader: r.health_leader_since.is_some(),
        pronouns: if sees(viewer, r.id, &r.vis_pronouns) { nonempty(&r.pronouns) } else { None },
        member_type: if sees(viewer, r.id, &r.vis_member_type) { MemberType::parse(&r.member_type) } else { None },
        country: if location { nonempty(&r.country) } else { None },
        region: if location { nonempty(&r.region) } else { None },
        conditions: if sees(viewer, r.id, &r.vis_conditions) {
            Some(conditions.get(&r.id).cloned().unwrap_or_default())
        } else {
            None
        },
        story_excerpt: if sees(viewer, r.id, &r.vis_story) {
            nonempty(&kernel::markdown::excerpt(&r.story, 180))
        } else {
            None
        },
        avatar_url: (sees(viewer, r.id, &r.vis_avatar) && r.avatar_file.is_some())
            .then(|| format!("/members/{}/avatar", r.id)),
    }
}
