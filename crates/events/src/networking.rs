//! Networking rounds: staff start a round; checked-in attendees are grouped by
//! [`crate::matching`]; each person sees their partners' cards (as the profile
//! privacy rules allow) and a room link.

use std::collections::{HashMap, HashSet};

use kernel::ids::MemberId;
use kernel::time::now;
use kernel::viewer::{Role, Viewer};
use kernel::{AppError, AppResult, AppState, params};
use serde::Serialize;
use uuid::Uuid;

use crate::matching::{Attendee, Round, match_round, pair};
use crate::service::{self, EventRow};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
// Named apart from the community slice's `Group` in the one OpenAPI document.
#[schema(as = NetworkingGroup)]
pub struct Group {
    pub members: Vec<MemberId>,
    pub room_url: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoundView {
    pub number: i64,
    pub groups: Vec<Group>,
    pub sitting_out: Vec<MemberId>,
}

#[derive(sea_orm::FromQueryResult)]
struct Place {
    number: i64,
    member_id: MemberId,
    group_no: Option<i64>,
}

async fn places(state: &AppState, event: Uuid) -> AppResult<Vec<Place>> {
    Ok(state
        .db
        .all(
            "SELECT r.number, p.member_id, p.group_no FROM networking_places p JOIN networking_rounds r ON r.id = p.round_id \
             WHERE r.event_id = $1 ORDER BY r.number, p.group_no, p.member_id",
            params![event],
        )
        .await?)
}

fn room_url(state: &AppState, e: &EventRow, number: i64, group: i64) -> String {
    let base = if e.join_url.is_empty() { state.config.url(&format!("/events/{}", e.id)) } else { e.join_url.clone() };
    format!("{base}#round-{number}-room-{group}")
}

/// Starts the next round of a networking event (staff) and returns its groups.
pub async fn start_round(state: &AppState, viewer: &Viewer, event: Uuid) -> AppResult<RoundView> {
    let staff = viewer.require_role(Role::Staff)?;
    let e = service::visible(state, viewer, event).await?;
    if e.kind != "networking" {
        return Err(AppError::conflict("not_networking", "Rounds are for networking events."));
    }
    let people = checked_in(state, event).await?;
    let history = places(state, event).await?;
    let last = history.iter().map(|p| p.number).max().unwrap_or(0);
    let met = who_met(&history);
    let sat_out: HashSet<MemberId> =
        history.iter().filter(|p| p.number == last && p.group_no.is_none()).map(|p| p.member_id).collect();
    let number = last + 1;
    let seed = u64::from_le_bytes(event.as_bytes()[..8].try_into().unwrap_or([0; 8])).wrapping_add(number as u64);
    let round = match_round(&people, &met, &sat_out, seed);
    store_round(state, event, number, staff.id, &round).await?;
    Ok(RoundView {
        number,
        groups: round
            .groups
            .into_iter()
            .enumerate()
            .map(|(g, members)| Group { members, room_url: room_url(state, &e, number, g as i64) })
            .collect(),
        sitting_out: round.sitting_out,
    })
}

/// The people checked in to the event (at least two), with the conditions they share.
async fn checked_in(state: &AppState, event: Uuid) -> AppResult<Vec<Attendee>> {
    let ids: Vec<MemberId> = state
        .db
        .column(
            "SELECT member_id FROM registrations WHERE event_id = $1 AND status = 'registered' AND attended_at IS NOT NULL ORDER BY member_id",
            params![event],
        )
        .await?;
    if ids.len() < 2 {
        return Err(AppError::conflict("too_few_present", "At least two people must be checked in to start a round."));
    }
    let interests = contracts::members::directory(state)?.shared_conditions((&state.db).into(), &ids).await?;
    Ok(ids.iter().map(|id| Attendee { id: *id, interests: interests.get(id).cloned().unwrap_or_default() }).collect())
}

/// Every pair of people who were in a group together in an earlier round.
fn who_met(history: &[Place]) -> HashSet<(MemberId, MemberId)> {
    let mut met = HashSet::new();
    let mut by_group: HashMap<(i64, i64), Vec<MemberId>> = HashMap::new();
    for p in history {
        if let Some(g) = p.group_no {
            by_group.entry((p.number, g)).or_default().push(p.member_id);
        }
    }
    for members in by_group.values() {
        for (i, a) in members.iter().enumerate() {
            for b in &members[i + 1..] {
                met.insert(pair(*a, *b));
            }
        }
    }
    met
}

/// Records round `number` with its groups and who sits out, in one transaction; a round
/// started at the same moment by someone else is a conflict.
async fn store_round(state: &AppState, event: Uuid, number: i64, started_by: MemberId, round: &Round) -> AppResult<()> {
    let round_id = Uuid::now_v7();
    let tx = state.db.begin().await?;
    let inserted = kernel::db::exec(
        &tx,
        "INSERT INTO networking_rounds (id, event_id, number, started_by, created_at) VALUES ($1, $2, $3, $4, $5)",
        params![round_id, event, number, started_by, now()],
    )
    .await;
    if let Err(err) = inserted {
        if kernel::db::is_unique_violation(&err) {
            return Err(AppError::conflict("round_started", "Another round was just started. Reload to see it."));
        }
        return Err(err.into());
    }
    for (g, members) in round.groups.iter().enumerate() {
        for m in members {
            kernel::db::exec(
                &tx,
                "INSERT INTO networking_places (round_id, member_id, group_no) VALUES ($1, $2, $3)",
                params![round_id, *m, g as i64],
            )
            .await?;
        }
    }
    for m in &round.sitting_out {
        kernel::db::exec(
            &tx,
            "INSERT INTO networking_places (round_id, member_id, group_no) VALUES ($1, $2, NULL)",
            params![round_id, *m],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The number of the latest round of an event (0: none yet).
pub async fn latest_round(state: &AppState, event: Uuid) -> AppResult<i64> {
    let n: Option<i64> = state
        .db
        .scalar("SELECT MAX(number) FROM networking_rounds WHERE event_id = $1", params![event])
        .await?
        .flatten();
    Ok(n.unwrap_or(0))
}

/// Undoes the latest round of an event (staff: started by mistake, or before everyone
/// had checked in): its groups go, the round before it is the latest again, and the
/// next round started pairs people as if it never happened. Audited. 404 without a round.
pub async fn undo_latest_round(state: &AppState, viewer: &Viewer, event: Uuid, ip: &str) -> AppResult<i64> {
    let staff = viewer.require_role(Role::Staff)?;
    service::visible(state, viewer, event).await?;
    let number = latest_round(state, event).await?;
    if number == 0 {
        return Err(AppError::NotFound);
    }
    let tx = state.db.begin().await?;
    let round: Option<Uuid> = kernel::db::scalar(
        &tx,
        "SELECT id FROM networking_rounds WHERE event_id = $1 AND number = $2",
        params![event, number],
    )
    .await?;
    // Gone meanwhile (undone by someone else at the same moment): nothing to undo.
    let round = round.ok_or(AppError::NotFound)?;
    kernel::db::exec(&tx, "DELETE FROM networking_places WHERE round_id = $1", params![round]).await?;
    kernel::db::exec(&tx, "DELETE FROM networking_rounds WHERE id = $1", params![round]).await?;
    let detail = serde_json::json!({ "event_id": event, "round": number });
    kernel::audit::record(&tx, Some(staff.id), "networking_round_undone", None, Some(ip), detail).await?;
    tx.commit().await?;
    Ok(number)
}

/// Where the viewer is in the latest round: their partners and room, if any.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MyPlace {
    pub round: i64,
    pub partners: Vec<contracts::members::ProfileView>,
    pub room_url: Option<String>,
}

pub async fn my_place(state: &AppState, viewer: &Viewer, event: Uuid) -> AppResult<Option<MyPlace>> {
    let Some(me) = viewer.id() else { return Ok(None) };
    let e = service::visible(state, viewer, event).await?;
    let history = places(state, event).await?;
    let Some(last) = history.iter().map(|p| p.number).max() else { return Ok(None) };
    let Some(mine) = history.iter().find(|p| p.number == last && p.member_id == me) else { return Ok(None) };
    let Some(group) = mine.group_no else { return Ok(Some(MyPlace { round: last, partners: vec![], room_url: None })) };
    let people = contracts::members::directory(state)?;
    let mut partners = Vec::new();
    for p in history.iter().filter(|p| p.number == last && p.group_no == Some(group) && p.member_id != me) {
        // Partners' cards show only what the profile's owner lets members see.
        if let Some(card) = people.profile(&state.db, viewer, p.member_id).await? {
            partners.push(card);
        }
    }
    Ok(Some(MyPlace { round: last, partners, room_url: Some(room_url(state, &e, last, group)) }))
}
