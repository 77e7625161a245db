//! The "been there" directory: members who have been through a moment (with the same
//! condition, when one is asked for), offer support, and whose "been through" moments
//! the viewer may see (`policy::listed_sql`), ranked by a shared condition, shared
//! moments, member type and language. A condition is shown (and matched) only when the
//! owner's profile shows it to members too.

use std::collections::{HashMap, HashSet};

use contracts::members::{Condition, MatchProfile};
use kernel::ids::MemberId;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model;
use crate::policy;

/// The most people one search lists.
pub const LIMIT: usize = 50;

/// A member who has been there, as the viewer may see them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BeenThereCard {
    pub member_id: MemberId,
    pub display_name: String,
    pub health_leader: bool,
    /// The moment they have been through.
    pub moment_id: String,
    /// The conditions they went through it with that they show to members.
    pub conditions: Vec<Condition>,
    /// Whether they share the condition asked for (or one of the viewer's own).
    pub shared_condition: bool,
}

#[derive(sea_orm::FromQueryResult)]
struct Mark {
    member_id: MemberId,
    condition_id: Option<Uuid>,
}

/// What ranks a candidate for a viewer or asker: their own conditions, the moments they
/// are in now, their match profile.
pub(crate) struct Seeker {
    pub conditions: Vec<Uuid>,
    pub now: Vec<String>,
    pub profile: MatchProfile,
}

impl Seeker {
    pub async fn of(state: &AppState, viewer: &Viewer) -> AppResult<Seeker> {
        let me = viewer.require_member()?.id;
        let conditions = crate::marks::own_conditions(state, viewer).await?.into_iter().map(|c| c.id).collect();
        let now = crate::marks::now_of(&state.db, me).await?.into_iter().map(|m| m.moment_id).collect();
        let profile = contracts::members::directory(state)?
            .match_profiles((&state.db).into(), &[me])
            .await?
            .remove(&me)
            .unwrap_or_default();
        Ok(Seeker { conditions, now, profile })
    }

    /// The score: a shared condition counts most, then each shared moment, then the
    /// same member type, then a shared language.
    pub fn score(&self, shared_condition: bool, their_moments: &HashSet<String>, them: &MatchProfile) -> i64 {
        let moments = self.now.iter().filter(|m| their_moments.contains(*m)).count() as i64;
        let same_type = them.member_type.is_some() && them.member_type == self.profile.member_type;
        let language = them.languages.iter().any(|l| self.profile.languages.contains(l));
        8 * i64::from(shared_condition) + 3 * moments + 2 * i64::from(same_type) + i64::from(language)
    }
}

/// The "been through" moments of each of `ids` (for ranking; never displayed).
pub(crate) async fn been_through_of(
    state: &AppState,
    ids: &[MemberId],
) -> AppResult<HashMap<MemberId, HashSet<String>>> {
    let mut out: HashMap<MemberId, HashSet<String>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let list = kernel::db::placeholders(1, chunk.len());
        #[derive(sea_orm::FromQueryResult)]
        struct Row {
            member_id: MemberId,
            moment: String,
        }
        let rows: Vec<Row> = state
            .db
            .all(
                &format!(
                    "SELECT member_id, moment FROM moment_marks WHERE stage = 'been_through' AND member_id IN ({list})"
                ),
                chunk.iter().map(|i| (*i).into()).collect(),
            )
            .await?;
        for r in rows {
            out.entry(r.member_id).or_default().insert(r.moment);
        }
    }
    Ok(out)
}

/// Members who have been through `moment` (with `condition` when given) that `viewer`
/// may see listed, best match first.
pub async fn find(
    state: &AppState,
    viewer: &Viewer,
    moment: &str,
    condition: Option<Uuid>,
) -> AppResult<Vec<BeenThereCard>> {
    viewer.require_member()?;
    if !model::is_moment(moment) {
        return Err(AppError::field("moment_id", "Choose one of the moments."));
    }
    let (listed, mut values) = policy::listed_sql(viewer, "m", "s", 2);
    values.insert(0, moment.to_string().into());
    let marks: Vec<Mark> = state
        .db
        .all(
            &format!(
                "SELECT m.member_id, m.condition_id FROM moment_marks m LEFT JOIN moment_settings s ON s.member_id = m.member_id \
                 WHERE m.moment = $1 AND {listed} ORDER BY m.member_id LIMIT 2000"
            ),
            values,
        )
        .await?;
    let mut by_member: HashMap<MemberId, Vec<Uuid>> = HashMap::new();
    for m in &marks {
        let e = by_member.entry(m.member_id).or_default();
        e.extend(m.condition_id);
    }
    let ids: Vec<MemberId> = by_member.keys().copied().collect();
    let people = contracts::members::directory(state)?;
    let shown = people.shared_conditions((&state.db).into(), &ids).await?;
    let profiles = people.match_profiles((&state.db).into(), &ids).await?;
    let names = people.display_names((&state.db).into(), &ids).await?;
    let reference: HashMap<Uuid, Condition> =
        people.conditions(&state.db).await?.into_iter().map(|c| (c.id, c)).collect();
    let seeker = Seeker::of(state, viewer).await?;
    let moments = been_through_of(state, &ids).await?;
    let mut cards: Vec<(i64, BeenThereCard)> = Vec::new();
    for (id, conds) in by_member {
        let Some(profile) = profiles.get(&id) else { continue };
        let visible: Vec<Uuid> = conds.into_iter().filter(|c| shown.get(&id).is_some_and(|s| s.contains(c))).collect();
        if condition.is_some_and(|c| !visible.contains(&c)) {
            continue;
        }
        let shared = match condition {
            Some(_) => true,
            None => visible.iter().any(|c| seeker.conditions.contains(c)),
        };
        let score = seeker.score(shared, moments.get(&id).unwrap_or(&HashSet::new()), profile);
        cards.push((
            score,
            BeenThereCard {
                member_id: id,
                display_name: names.get(&id).cloned().unwrap_or_else(|| "Member".into()),
                health_leader: profile.health_leader,
                moment_id: moment.to_string(),
                conditions: visible.iter().filter_map(|c| reference.get(c).cloned()).collect(),
                shared_condition: shared,
            },
        ));
    }
    cards.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.display_name.cmp(&b.1.display_name)));
    Ok(cards.into_iter().take(LIMIT).map(|(_, c)| c).collect())
}
