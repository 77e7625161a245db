//! Nominations: a member nominates themselves or a peer — a member, or someone not yet
//! a member by name and e-mail — in a category, with a statement and optional links.
//! Every nomination of one person in one category lands on the same nominee (the
//! database's unique person key decides, so two nominations racing still merge), and
//! every statement is kept. Staff screen nominees, in bulk, with a reason.

use contracts::events::AwardNominated;
use contracts::members::{self, MemberType};
use kernel::db;
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::viewer::Member;
use kernel::{AppError, AppResult, AppState, FieldErrors, audit, outbox, params};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model::{Phase, Screening};
use crate::programmes::{self, Category, ProgrammeRow};

const MAX_STATEMENT: usize = 5000;
const MAX_LINKS: usize = 5;
const MAX_LINK: usize = 500;
const MAX_NAME: usize = 120;
const MAX_EMAIL: usize = 254;

/// Someone not yet a member, invited to join and claim the nomination.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Invitee {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNomination {
    pub category_id: Uuid,
    /// The member nominated (yourself included); or give `nominee`.
    #[serde(default)]
    pub nominee_member_id: Option<MemberId>,
    #[serde(default)]
    pub nominee: Option<Invitee>,
    /// Why they deserve it, up to 5000 characters.
    pub statement: String,
    /// Up to 5 http(s) links.
    #[serde(default)]
    pub links: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Nominated {
    pub id: Uuid,
    /// The same for every nomination of one person in one category.
    pub nominee_id: Uuid,
}

/// Who is nominated, as the database keys them.
enum Person {
    Member(MemberId),
    Invitee { name: String, email: String },
}

impl Person {
    fn key(&self) -> String {
        match self {
            Person::Member(id) => format!("m:{id}"),
            Person::Invitee { email, .. } => format!("e:{email}"),
        }
    }
}

fn check(n: &NewNomination) -> AppResult<Person> {
    let mut e = FieldErrors::new();
    let statement = n.statement.trim();
    if statement.is_empty() || statement.chars().count() > MAX_STATEMENT {
        e.add("statement", format!("Say why, in at most {MAX_STATEMENT} characters."));
    }
    let links_ok = n.links.len() <= MAX_LINKS
        && n.links.iter().all(|l| {
            l.len() <= MAX_LINK
                && (l.starts_with("https://") || l.starts_with("http://"))
                && !l.contains(char::is_whitespace)
        });
    if !links_ok {
        e.add("links", format!("Give up to {MAX_LINKS} web addresses starting with https://."));
    }
    let person = match (&n.nominee_member_id, &n.nominee) {
        (Some(id), None) => Some(Person::Member(*id)),
        (None, Some(i)) => {
            let name = i.name.trim().to_string();
            let email = i.email.trim().to_lowercase();
            if name.is_empty() || name.chars().count() > MAX_NAME {
                e.add("nominee.name", format!("Give their name, at most {MAX_NAME} characters."));
            }
            if !plausible_email(&email) {
                e.add("nominee.email", "Give their e-mail address, like name@example.org.");
            }
            Some(Person::Invitee { name, email })
        }
        _ => {
            e.add(
                "nominee_member_id",
                "Nominate a member (nominee_member_id) or someone by name and e-mail (nominee).",
            );
            None
        }
    };
    e.into_result()?;
    person.ok_or_else(|| AppError::field("nominee_member_id", "Nominate someone."))
}

fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    email.len() <= MAX_EMAIL
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.contains(char::is_whitespace)
}

/// The category `id` of `programme`, or a field error.
async fn category_of<C: ConnectionTrait>(c: &C, programme: &ProgrammeRow, id: Uuid) -> AppResult<Category> {
    programmes::categories(c, programme.id)
        .await?
        .into_iter()
        .find(|cat| cat.id == id)
        .ok_or_else(|| AppError::field("category_id", "Choose one of this year's categories."))
}

/// Whether a member may be nominated in `category`: an active member of one of its
/// types. A member who keeps their type private is let through to screening, so the
/// answer never reveals a private field.
async fn check_member_eligible(state: &AppState, category: &Category, id: MemberId) -> AppResult<()> {
    let dir = members::directory(state)?;
    let profiles = dir.match_profiles(state.db.reader().into(), &[id]).await?;
    let Some(profile) = profiles.get(&id) else {
        return Err(AppError::field("nominee_member_id", "There is no such member."));
    };
    let types = category.eligible_types();
    let type_of = profile.member_type.map(MemberType::as_str);
    if !types.is_empty() && type_of.is_some_and(|t| !types.iter().any(|x| x == t)) {
        return Err(AppError::field(
            "nominee_member_id",
            format!("{} is for {} members.", category.name, types.join(" or ")),
        ));
    }
    if category.min_member_days > 0 {
        let joined = dir.joined_at(state.db.reader().into(), id).await?;
        let days = joined.map(|j| (now() - j).num_days()).unwrap_or(0);
        if days < category.min_member_days {
            return Err(AppError::field(
                "nominee_member_id",
                format!(
                    "{} is for people who have been members for at least {} days.",
                    category.name, category.min_member_days
                ),
            ));
        }
    }
    Ok(())
}

/// Files a nomination in the programme of `year`; 409 `phase_closed` outside the
/// nominations phase, 409 `already_nominated` when this member nominated this person here.
pub async fn nominate(state: &AppState, me: &Member, year: i64, n: &NewNomination) -> AppResult<Nominated> {
    let person = check(n)?;
    let programme = programmes::by_year(state.db.reader(), year).await?;
    if programme.phase() != Phase::Nominations {
        return Err(AppError::conflict("phase_closed", "Nominations are closed."));
    }
    let category = category_of(state.db.reader(), &programme, n.category_id).await?;
    if let Person::Member(id) = &person {
        check_member_eligible(state, &category, *id).await?;
    }
    let links = serde_json::to_string(&n.links).unwrap_or_else(|_| "[]".into());
    let tx = state.db.begin().await?;
    let (nominee_id, new) = nominee_for(&tx, category.id, &person).await?;
    if let (true, Person::Invitee { name, email }) = (new, &person) {
        crate::invitations::invite(state, &tx, (name, email), &programme, &category, &me.display_name).await?;
    }
    let id = Uuid::now_v7();
    let filed = db::exec(
        &tx,
        "INSERT INTO award_nominations (id, nominee_id, nominator_id, statement, links, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (nominee_id, nominator_id) DO NOTHING",
        params![id, nominee_id, me.id, n.statement.trim().to_string(), links, now()],
    )
    .await?;
    if filed == 0 {
        return Err(AppError::conflict("already_nominated", "You have already nominated them in this category."));
    }
    tx.commit().await?;
    Ok(Nominated { id, nominee_id })
}

/// The nominee row for `person` in `category`, made on the first nomination (then `true`).
async fn nominee_for<C: ConnectionTrait>(c: &C, category: Uuid, person: &Person) -> AppResult<(Uuid, bool)> {
    let (member, name, email) = match person {
        Person::Member(id) => (Some(*id), None, None),
        Person::Invitee { name, email } => (None, Some(name.clone()), Some(email.clone())),
    };
    let made = db::exec(
        c,
        "INSERT INTO award_nominees (id, category_id, person_key, member_id, invite_name, invite_email, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7) ON CONFLICT (category_id, person_key) DO NOTHING",
        params![Uuid::now_v7(), category, person.key(), member, name, email, now()],
    )
    .await?;
    let id = db::scalar::<Uuid, _>(
        c,
        "SELECT id FROM award_nominees WHERE category_id = $1 AND person_key = $2",
        params![category, person.key()],
    )
    .await?;
    let id = id.ok_or_else(|| AppError::Internal(anyhow::anyhow!("nominee row vanished")))?;
    Ok((id, made == 1))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreeningDecision {
    /// 1 to 200 nominees of this programme.
    pub nominee_ids: Vec<Uuid>,
    /// `accepted` or `declined`.
    pub decision: Screening,
    /// Why, up to 500 characters (required to decline).
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Screened {
    /// How many nominees took the decision (those already decided the same way are skipped).
    pub updated: u64,
}

/// Accepts or declines nominees in bulk (staff); each decision audited. An accepted
/// member is told through `AwardNominated`.
pub async fn screen(
    state: &AppState,
    actor: MemberId,
    year: i64,
    d: &ScreeningDecision,
    ip: &str,
) -> AppResult<Screened> {
    if d.nominee_ids.is_empty() || d.nominee_ids.len() > 200 {
        return Err(AppError::field("nominee_ids", "Choose 1 to 200 nominees."));
    }
    if d.decision == Screening::Pending {
        return Err(AppError::field("decision", "Decide accepted or declined."));
    }
    let reason = d.reason.trim();
    if reason.chars().count() > 500 || (d.decision == Screening::Declined && reason.is_empty()) {
        return Err(AppError::field("reason", "Give a reason (required to decline), at most 500 characters."));
    }
    let programme = programmes::by_year(state.db.reader(), year).await?;
    let tx = state.db.begin().await?;
    let mut updated = 0;
    for id in &d.nominee_ids {
        let member = db::one::<NomineeMember, _>(
            &tx,
            "UPDATE award_nominees SET status = $1, screening_reason = $2 \
             WHERE id = $3 AND status <> $1 AND category_id IN (SELECT id FROM award_categories WHERE programme_id = $4) \
             RETURNING member_id",
            params![d.decision.as_str(), reason.to_string(), *id, programme.id],
        )
        .await?;
        let Some(row) = member else { continue };
        updated += 1;
        let detail = serde_json::json!({"nominee": id, "decision": d.decision.as_str(), "reason": reason});
        audit::record(&tx, Some(actor), "award_nominee_screened", row.member_id, Some(ip), detail).await?;
        if let (Screening::Accepted, Some(member_id)) = (d.decision, row.member_id) {
            outbox::publish(&tx, Some(actor), &AwardNominated { member_id }).await?;
        }
    }
    tx.commit().await?;
    Ok(Screened { updated })
}

#[derive(Debug, sea_orm::FromQueryResult)]
struct NomineeMember {
    member_id: Option<MemberId>,
}
