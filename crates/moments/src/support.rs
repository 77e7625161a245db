//! Asking for support. A member at a moment writes a short note; the request is offered
//! to up to N volunteers who offer support and have been through that moment (with that
//! condition, when one is given), none holding more than M open offers (a conditional
//! update of their counter, so two requests at once cannot push one past M). The first
//! volunteer to accept wins (a conditional update of the request: exactly one of any
//! number racing) and opens a conversation with the asker: a direct message, or a small
//! group conversation when the asker asked for one, which up to two more of the
//! volunteers asked may join by accepting (a conditional update of the request's count
//! of volunteers keeps it at that size under a race); the others are told it is taken. The asker never learns who was asked or who declined. Seven days
//! later the asker is asked whether it helped; only the count is reported.

use chrono::{DateTime, Utc};
use contracts::moments::SupportNotice;
use kernel::db::{self, Tx};
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::viewer::Viewer;
use kernel::{AppError, AppResult, AppState, outbox, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::been_there::{Seeker, been_through_of};
use crate::model::{self, Contact, offer, request};
use crate::settings::MomentSettings;

/// The most requests a member may make in a day.
pub const PER_DAY: i64 = 5;

/// A request for support.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSupportRequest {
    pub moment_id: String,
    /// One of the asker's own conditions, or null.
    #[serde(default)]
    pub condition_id: Option<Uuid>,
    /// A short note, 1 to 1,000 characters.
    pub note: String,
    /// `direct_message` (the default) or `small_group`.
    #[serde(default)]
    pub contact: Option<Contact>,
}

/// A request as its asker sees it: never who was asked or who declined.
#[derive(Debug, Clone, Serialize, ToSchema, sea_orm::FromQueryResult)]
pub struct MomentsSupportRequest {
    pub id: Uuid,
    pub moment_id: String,
    pub condition_id: Option<Uuid>,
    pub note: String,
    pub contact: String,
    /// `open` or `accepted`.
    pub status: String,
    /// The conversation the accepting volunteer opened.
    pub conversation_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// The asker's answer to the check-in: did it help?
    pub helped: Option<bool>,
}

/// A request offered to a volunteer, as they see it (the asker is named once they accept).
#[derive(Debug, Clone, Serialize, ToSchema, sea_orm::FromQueryResult)]
pub struct MomentsSupportOffer {
    pub request_id: Uuid,
    pub moment_id: String,
    pub condition_id: Option<Uuid>,
    pub note: String,
    pub contact: String,
    /// `open`, `accepted`, `taken` or `declined`.
    pub status: String,
    pub offered_at: DateTime<Utc>,
}

/// What accepting answers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MomentsAccepted {
    pub request_id: Uuid,
    pub conversation_id: Uuid,
}

fn check_note(note: &str) -> AppResult<String> {
    let n = note.trim().chars().count();
    if n == 0 || n > 1000 {
        return Err(AppError::field("note", "Write a note of 1 to 1,000 characters."));
    }
    Ok(note.trim().to_string())
}

/// Makes a request and offers it to the best-matching volunteers.
pub async fn ask(state: &AppState, viewer: &Viewer, new: &NewSupportRequest) -> AppResult<MomentsSupportRequest> {
    let me = viewer.require_member()?.id;
    if !model::is_moment(&new.moment_id) {
        return Err(AppError::field("moment_id", "Choose one of the moments."));
    }
    let note = check_note(&new.note)?;
    if let Some(c) = new.condition_id
        && !crate::marks::own_conditions(state, viewer).await?.iter().any(|o| o.id == c)
    {
        return Err(AppError::field("condition_id", "Choose one of the conditions on your profile, or none."));
    }
    let day_ago = now() - chrono::Duration::days(1);
    let today: i64 = state
        .db
        .scalar("SELECT COUNT(*) FROM support_requests WHERE asker_id = $1 AND created_at > $2", params![me, day_ago])
        .await?
        .unwrap_or(0);
    if today >= PER_DAY {
        return Err(AppError::conflict("too_many", "You have asked for support five times today. Try again tomorrow."));
    }
    let ranked = candidates(state, viewer, me, &new.moment_id, new.condition_id).await?;
    let settings = MomentSettings::of(state)?.clone();
    let contact = new.contact.unwrap_or(Contact::DirectMessage);
    let id = Uuid::now_v7();
    let t = now();
    let tx = state.db.begin().await?;
    db::exec(
        &tx,
        "INSERT INTO support_requests (id, asker_id, moment, condition_id, note, contact, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7)",
        params![id, me, new.moment_id.clone(), new.condition_id, note, contact.as_str(), t],
    )
    .await?;
    let mut offered = 0;
    for volunteer in ranked {
        if offered >= settings.fanout {
            break;
        }
        if offer_to(&tx, id, volunteer, settings.max_open).await? {
            offered += 1;
        }
    }
    let job = CheckIn { request_id: id };
    kernel::jobs::queue(&tx, &job, Some(&format!("moments.checkin:{id}")), Some(t + chrono::Duration::days(7))).await?;
    tx.commit().await?;
    mine(state, viewer, id).await
}

/// Offers request `id` to `volunteer` when they hold fewer than `max_open` open offers
/// and still offer support; whether it was offered.
async fn offer_to(tx: &Tx, id: Uuid, volunteer: MemberId, max_open: i64) -> AppResult<bool> {
    let took = db::exec(
        tx,
        "UPDATE moment_settings SET open_offers = open_offers + 1 \
         WHERE member_id = $1 AND open_offers < $2 AND available_to_support = TRUE",
        params![volunteer, max_open],
    )
    .await?;
    if took == 0 {
        return Ok(false);
    }
    db::exec(
        tx,
        "INSERT INTO support_offers (request_id, volunteer_id, status, offered_at) VALUES ($1, $2, 'open', $3)",
        params![id, volunteer, now()],
    )
    .await?;
    let text = "A member asks for support with a moment you have been through.".to_string();
    notify(tx, volunteer, id, text, "/support".into()).await?;
    Ok(true)
}

async fn notify(tx: &Tx, member: MemberId, request_id: Uuid, text: String, url: String) -> AppResult<()> {
    outbox::publish(tx, None, &SupportNotice { member_id: member, request_id, text, url }).await?;
    Ok(())
}

/// The volunteers a request may go to, best first: they offer support, have been
/// through the moment (with the condition when given), are not the asker and are active.
pub(crate) async fn candidates(
    state: &AppState,
    viewer: &Viewer,
    asker: MemberId,
    moment: &str,
    condition: Option<Uuid>,
) -> AppResult<Vec<MemberId>> {
    let by_condition = if condition.is_some() { " AND m.condition_id = $4" } else { "" };
    let mut values = params![moment.to_string(), asker, MomentSettings::of(state)?.max_open];
    if let Some(c) = condition {
        values.push(c.into());
    }
    let ids: Vec<MemberId> = state
        .db
        .column(
            &format!(
                "SELECT DISTINCT m.member_id FROM moment_marks m JOIN moment_settings s ON s.member_id = m.member_id \
                 WHERE m.moment = $1 AND m.stage = 'been_through' AND s.available_to_support = TRUE \
                 AND m.member_id <> $2 AND s.open_offers < $3{by_condition} LIMIT 1000"
            ),
            values,
        )
        .await?;
    let people = contracts::members::directory(state)?;
    let profiles = people.match_profiles((&state.db).into(), &ids).await?;
    let shared = people.shared_conditions((&state.db).into(), &ids).await?;
    let seeker = Seeker::of(state, viewer).await?;
    let moments = been_through_of(state, &ids).await?;
    let mut ranked: Vec<(i64, MemberId)> = ids
        .into_iter()
        .filter_map(|id| {
            let profile = profiles.get(&id)?;
            let shares = match condition {
                Some(_) => true,
                None => shared.get(&id).is_some_and(|s| s.iter().any(|c| seeker.conditions.contains(c))),
            };
            Some((seeker.score(shares, moments.get(&id).unwrap_or(&Default::default()), profile), id))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    Ok(ranked.into_iter().map(|(_, id)| id).collect())
}

const REQUEST_COLUMNS: &str =
    "id, moment AS moment_id, condition_id, note, contact, status, conversation_id, created_at, helped";

/// One of the viewer's own requests (404 for anyone else).
pub async fn mine(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<MomentsSupportRequest> {
    let me = viewer.require_member()?.id;
    state
        .db
        .one(
            &format!("SELECT {REQUEST_COLUMNS} FROM support_requests WHERE id = $1 AND asker_id = $2"),
            params![id, me],
        )
        .await?
        .ok_or(AppError::NotFound)
}

/// The viewer's own requests, newest first.
pub async fn my_requests(state: &AppState, viewer: &Viewer) -> AppResult<Vec<MomentsSupportRequest>> {
    let me = viewer.require_member()?.id;
    Ok(state
        .db
        .all(
            &format!(
                "SELECT {REQUEST_COLUMNS} FROM support_requests WHERE asker_id = $1 ORDER BY created_at DESC LIMIT 100"
            ),
            params![me],
        )
        .await?)
}

/// The requests offered to the viewer, newest first.
pub async fn my_offers(state: &AppState, viewer: &Viewer) -> AppResult<Vec<MomentsSupportOffer>> {
    let me = viewer.require_member()?.id;
    Ok(state
        .db
        .all(
            "SELECT r.id AS request_id, r.moment AS moment_id, r.condition_id, r.note, r.contact, o.status, o.offered_at \
             FROM support_offers o JOIN support_requests r ON r.id = o.request_id \
             WHERE o.volunteer_id = $1 ORDER BY o.offered_at DESC LIMIT 100",
            params![me],
        )
        .await?)
}

/// How many volunteers a small group conversation holds at most (with the asker).
pub const SMALL_GROUP_VOLUNTEERS: i64 = 3;

const HELLO: &str =
    "Hello — I have been through this moment too, and I saw your request for support. I'm glad to talk.";

/// The viewer accepts request `id`: the first acceptance wins and opens the
/// conversation (a direct message, or a small group conversation when the asker asked
/// for one); any later one is 409 `taken`, except that up to two more volunteers who
/// were asked join a small group; someone it was not offered to gets 404.
pub async fn accept(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<MomentsAccepted> {
    let me = viewer.require_member()?.id;
    let t = now();
    let tx = state.db.begin().await?;
    let won = db::exec(
        &tx,
        "UPDATE support_requests SET status = 'accepted', accepted_by = $1, accepted_at = $2, volunteers = 1 \
         WHERE id = $3 AND status = 'open' AND asker_id IS NOT NULL AND EXISTS \
         (SELECT 1 FROM support_offers o WHERE o.request_id = $3 AND o.volunteer_id = $1 AND o.status = 'open')",
        params![me, t, id],
    )
    .await?;
    if won == 0 {
        drop(tx);
        if let Some(joined) = join_small_group(state, me, id).await? {
            return Ok(joined);
        }
        return Err(refusal(state, me, id).await?);
    }
    let (asker, contact): (MemberId, String) =
        db::one::<AskerContact, _>(&tx, "SELECT asker_id, contact FROM support_requests WHERE id = $1", params![id])
            .await?
            .and_then(|r| Some((r.asker_id?, r.contact)))
            .ok_or(AppError::NotFound)?;
    let port = conversations(state)?;
    let small_group = contact == Contact::SmallGroup.as_str();
    let opened = if small_group {
        port.open_group((&tx).into(), asker, me, HELLO).await?
    } else {
        port.open((&tx).into(), me, asker, HELLO).await?
    };
    let conversation = opened.ok_or_else(unavailable)?;
    db::exec(&tx, "UPDATE support_requests SET conversation_id = $1 WHERE id = $2", params![conversation, id]).await?;
    accept_offer(&tx, id, me, t).await?;
    if !small_group {
        close_open_offers(&tx, id, t).await?;
    }
    let url = format!("/messages/{conversation}");
    notify(&tx, asker, id, "A volunteer accepted your request for support and wrote to you.".into(), url).await?;
    tx.commit().await?;
    Ok(MomentsAccepted { request_id: id, conversation_id: conversation })
}

#[derive(sea_orm::FromQueryResult)]
struct AskerContact {
    asker_id: Option<MemberId>,
    contact: String,
}

#[derive(sea_orm::FromQueryResult)]
struct Joined {
    conversation_id: Option<Uuid>,
    asker_id: Option<MemberId>,
    volunteers: i64,
}

fn conversations(state: &AppState) -> AppResult<std::sync::Arc<dyn contracts::moments::Conversations>> {
    contracts::moments::conversations(state)
        .ok_or_else(|| AppError::conflict("no_conversations", "Conversations are not available here."))
}

fn unavailable() -> AppError {
    AppError::conflict("unavailable", "You cannot start a conversation with this member.")
}

/// A volunteer asked about a small group request that another already accepted joins
/// its conversation while it has room (a conditional update of the count, so racing
/// accepts never overfill it); `None` when it is no such request or it is full.
async fn join_small_group(state: &AppState, me: MemberId, id: Uuid) -> AppResult<Option<MomentsAccepted>> {
    let t = now();
    let tx = state.db.begin().await?;
    let joined = db::exec(
        &tx,
        "UPDATE support_requests SET volunteers = volunteers + 1 \
         WHERE id = $1 AND status = 'accepted' AND contact = 'small_group' AND volunteers < $3 \
         AND conversation_id IS NOT NULL AND asker_id IS NOT NULL AND EXISTS \
         (SELECT 1 FROM support_offers o WHERE o.request_id = $1 AND o.volunteer_id = $2 AND o.status = 'open')",
        params![id, me, SMALL_GROUP_VOLUNTEERS],
    )
    .await?;
    if joined == 0 {
        return Ok(None);
    }
    let row: Joined =
        db::one(&tx, "SELECT conversation_id, asker_id, volunteers FROM support_requests WHERE id = $1", params![id])
            .await?
            .ok_or(AppError::NotFound)?;
    let (Some(conversation), Some(asker)) = (row.conversation_id, row.asker_id) else { return Ok(None) };
    if !conversations(state)?.join_group((&tx).into(), conversation, me, HELLO).await? {
        return Err(unavailable());
    }
    accept_offer(&tx, id, me, t).await?;
    if row.volunteers >= SMALL_GROUP_VOLUNTEERS {
        close_open_offers(&tx, id, t).await?;
    }
    let url = format!("/messages/{conversation}");
    notify(&tx, asker, id, "Another volunteer joined your small group conversation.".into(), url).await?;
    tx.commit().await?;
    Ok(Some(MomentsAccepted { request_id: id, conversation_id: conversation }))
}

/// Why an accept that did not win was refused: 404 when it was never offered to the
/// viewer, 409 `declined` or `taken` otherwise.
async fn refusal(state: &AppState, me: MemberId, id: Uuid) -> AppResult<AppError> {
    let status: Option<String> = state
        .db
        .scalar("SELECT status FROM support_offers WHERE request_id = $1 AND volunteer_id = $2", params![id, me])
        .await?;
    Ok(match status.as_deref() {
        None => AppError::NotFound,
        Some(offer::DECLINED) => AppError::conflict("declined", "You declined this request."),
        _ => AppError::conflict("taken", "Another volunteer has already taken this request. Thank you for offering."),
    })
}

/// Marks the volunteer's offer accepted and frees their place.
async fn accept_offer(tx: &Tx, id: Uuid, volunteer: MemberId, t: DateTime<Utc>) -> AppResult<()> {
    db::exec(
        tx,
        "UPDATE support_offers SET status = 'accepted', answered_at = $3 WHERE request_id = $1 AND volunteer_id = $2",
        params![id, volunteer, t],
    )
    .await?;
    release(tx, volunteer).await
}

/// Marks every offer still open taken (telling each), and frees their places.
async fn close_open_offers(tx: &Tx, id: Uuid, t: DateTime<Utc>) -> AppResult<()> {
    let others: Vec<MemberId> = db::column(
        tx,
        "SELECT volunteer_id FROM support_offers WHERE request_id = $1 AND status = 'open'",
        params![id],
    )
    .await?;
    db::exec(
        tx,
        "UPDATE support_offers SET status = 'taken', answered_at = $2 WHERE request_id = $1 AND status = 'open'",
        params![id, t],
    )
    .await?;
    for v in others {
        release(tx, v).await?;
        notify(
            tx,
            v,
            id,
            "A request for support you were asked about has been taken by another volunteer.".into(),
            "/support".into(),
        )
        .await?;
    }
    Ok(())
}

async fn release(tx: &Tx, volunteer: MemberId) -> AppResult<()> {
    db::exec(
        tx,
        "UPDATE moment_settings SET open_offers = open_offers - 1 WHERE member_id = $1 AND open_offers > 0",
        params![volunteer],
    )
    .await?;
    Ok(())
}

/// The viewer declines an open offer; the asker is never told.
pub async fn decline(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<()> {
    let me = viewer.require_member()?.id;
    let tx = state.db.begin().await?;
    let n = db::exec(
        &tx,
        "UPDATE support_offers SET status = 'declined', answered_at = $3 WHERE request_id = $1 AND volunteer_id = $2 AND status = 'open'",
        params![id, me, now()],
    )
    .await?;
    if n == 0 {
        let exists: i64 = db::scalar(
            &tx,
            "SELECT COUNT(*) FROM support_offers WHERE request_id = $1 AND volunteer_id = $2",
            params![id, me],
        )
        .await?
        .unwrap_or(0);
        return Err(if exists == 0 {
            AppError::NotFound
        } else {
            AppError::conflict("answered", "This request is no longer open to you.")
        });
    }
    release(&tx, me).await?;
    tx.commit().await?;
    Ok(())
}

/// The asker's answer to the check-in.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MomentsCheckIn {
    pub helped: bool,
}

/// The asker says whether the support helped (once a volunteer accepted; may be changed).
pub async fn check_in(state: &AppState, viewer: &Viewer, id: Uuid, helped: bool) -> AppResult<MomentsSupportRequest> {
    let r = mine(state, viewer, id).await?;
    if r.status != request::ACCEPTED {
        return Err(AppError::conflict("not_accepted", "No volunteer has taken this request yet."));
    }
    state
        .db
        .exec("UPDATE support_requests SET helped = $1, checked_in_at = $2 WHERE id = $3", params![helped, now(), id])
        .await?;
    mine(state, viewer, id).await
}

/// Seven days after a request: asks the asker whether it helped (when a volunteer took it).
#[derive(Serialize, Deserialize)]
pub struct CheckIn {
    pub request_id: Uuid,
}

impl kernel::jobs::Job for CheckIn {
    const KIND: &'static str = "moments.checkin";

    async fn run(self, state: AppState) -> anyhow::Result<()> {
        let tx = state.db.begin().await?;
        let asker: Option<MemberId> = db::scalar(
            &tx,
            "SELECT asker_id FROM support_requests WHERE id = $1 AND status = 'accepted' AND helped IS NULL",
            params![self.request_id],
        )
        .await?;
        if let Some(asker) = asker {
            let url = format!("/support/requests/{}", self.request_id);
            notify(
                &tx,
                asker,
                self.request_id,
                "Did the support you asked for a week ago help? Tell us in one click.".into(),
                url,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        tx.commit().await?;
        Ok(())
    }
}
