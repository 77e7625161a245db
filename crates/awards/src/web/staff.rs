//! The staff's programme page (`/admin/awards/{year}`): the phase with the form that
//! moves it, the screening queue with bulk accept/decline and a reason, judge
//! assignment, the standings (raw and normalised figures, judges' progress) and the
//! lock. Plain forms that work without JavaScript; a form with errors comes back with an
//! error summary, its fields marked and what was typed kept. 404 to anyone but staff,
//! decided before the body is read.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kernel::http::{Req, RequestContext, form_pairs, form_value, form_values, path_id, redirect};
use kernel::ids::MemberId;
use kernel::ui::{self, error_summary};
use kernel::{AppError, AppResult, AppState, FieldErrors};
use uuid::Uuid;

use crate::access::staff;
use crate::guest_judges::{self, AwardsGuestJudgeInvitation};
use crate::judging::{self, JudgeAssignment};
use crate::model::{Phase, Screening};
use crate::nominations::{self, ScreeningDecision};
use crate::programmes::{self, ProgrammeRow};
use crate::results::{self, Standings};
use crate::screening_queue;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/awards/{year}", get(programme_page))
        .route("/admin/awards/{year}/phase", post(phase_submit))
        .route("/admin/awards/{year}/screening", post(screening_submit))
        .route("/admin/awards/{year}/judges", post(judges_submit))
        .route("/admin/awards/{year}/lock", post(lock_submit))
}

/// What a staff member typed into the page's forms, kept when one comes back with errors.
#[derive(Default)]
struct Typed {
    nominee_ids: Vec<String>,
    decision: String,
    reason: String,
    member: String,
    category_ids: Vec<String>,
    guest_name: String,
    guest_email: String,
}

struct QueueRow {
    id: Uuid,
    name: String,
    category: String,
    status: String,
    reason: String,
    finalist: bool,
    statements: Vec<String>,
    checked: bool,
}

struct FigureCell {
    judge: String,
    raw: String,
    normalised: String,
}

struct StandingRow {
    rank: usize,
    name: String,
    combined: String,
    votes: i64,
    result: String,
    figures: Vec<FigureCell>,
}

struct StandingBlock {
    name: String,
    rows: Vec<StandingRow>,
}

struct ProgressRow {
    judge: String,
    assigned: i64,
    finished: i64,
}

#[derive(Template)]
#[template(path = "admin_programme.html")]
struct ProgrammePage<'a> {
    csrf: &'a str,
    year: i64,
    phase: &'static str,
    next: Vec<(&'static str, &'static str)>,
    ceremony: Option<String>,
    locked: bool,
    queue: Vec<QueueRow>,
    categories: Vec<(Uuid, String, bool)>,
    standings: Vec<StandingBlock>,
    judges: Vec<ProgressRow>,
    t: &'a Typed,
    errors: &'a FieldErrors,
    summary: String,
}

impl ProgrammePage<'_> {
    fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }
    fn decided(&self, code: &str) -> bool {
        self.t.decision == code
    }
}

fn figure(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "—".into())
}

/// Display names of members, in one read (a former member keeps a placeholder).
async fn names(state: &AppState, ids: Vec<MemberId>) -> AppResult<HashMap<MemberId, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(contracts::members::directory(state)?.display_names(state.db.reader().into(), &ids).await?)
}

async fn queue_rows(state: &AppState, ctx: &RequestContext, p: &ProgrammeRow, t: &Typed) -> AppResult<Vec<QueueRow>> {
    let me = staff(&ctx.viewer)?;
    let list = screening_queue::list(state, me.id, p.year, &ctx.client_ip).await?;
    let categories = programmes::categories(state.db.reader(), p.id).await?;
    let who = names(state, list.iter().filter_map(|n| n.member_id).collect()).await?;
    Ok(list
        .into_iter()
        .map(|n| QueueRow {
            name: match n.member_id {
                Some(m) => who.get(&m).cloned().unwrap_or_else(|| "A member".into()),
                None => format!("{} (invited)", n.invite_name.clone().unwrap_or_default()),
            },
            category: categories.iter().find(|c| c.id == n.category_id).map(|c| c.name.clone()).unwrap_or_default(),
            checked: t.nominee_ids.iter().any(|x| *x == n.id.to_string()),
            statements: n.statements.iter().map(|s| s.statement.clone()).collect(),
            id: n.id,
            status: n.status,
            reason: n.screening_reason,
            finalist: n.finalist,
        })
        .collect())
}

async fn standing_blocks(state: &AppState, s: &Standings) -> AppResult<(Vec<StandingBlock>, Vec<ProgressRow>)> {
    let mut members: Vec<MemberId> = s.judges.iter().map(|j| j.judge_id).collect();
    let nominee_ids: Vec<Uuid> = s.categories.iter().flat_map(|c| c.standings.iter().map(|f| f.nominee_id)).collect();
    let mut nominee_names = HashMap::new();
    for id in nominee_ids {
        let row = crate::nominees::public(state.db.reader(), id).await?;
        let view = crate::nominees::views(state, vec![row]).await?.remove(0);
        nominee_names.insert(id, view.name);
    }
    members.sort();
    members.dedup();
    let who = names(state, members).await?;
    let judge = |id: &MemberId| who.get(id).cloned().unwrap_or_else(|| "A former judge".into());
    let blocks = s
        .categories
        .iter()
        .map(|c| StandingBlock {
            name: c.category.clone(),
            rows: c
                .standings
                .iter()
                .map(|f| StandingRow {
                    rank: f.rank,
                    name: nominee_names.get(&f.nominee_id).cloned().unwrap_or_default(),
                    combined: figure(f.combined),
                    votes: f.votes,
                    result: figure(f.result),
                    figures: f
                        .figures
                        .iter()
                        .map(|g| FigureCell {
                            judge: judge(&g.judge_id),
                            raw: figure(Some(g.raw)),
                            normalised: figure(Some(g.normalised)),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let progress = s
        .judges
        .iter()
        .map(|j| ProgressRow { judge: judge(&j.judge_id), assigned: j.assigned, finished: j.finished })
        .collect();
    Ok((blocks, progress))
}

async fn render(
    state: &AppState,
    ctx: &RequestContext,
    year: i64,
    t: &Typed,
    errors: &FieldErrors,
    notice: Option<&str>,
) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let p = programmes::by_year(state.db.reader(), year).await?;
    let queue = queue_rows(state, ctx, &p, t).await?;
    let (standings, judges) = standing_blocks(state, &results::standings(state.db.reader(), &p).await?).await?;
    let categories = programmes::categories(state.db.reader(), p.id)
        .await?
        .into_iter()
        .map(|c| {
            let on = t.category_ids.iter().any(|x| *x == c.id.to_string());
            (c.id, c.name, on)
        })
        .collect();
    let page = ProgrammePage {
        csrf: &ctx.csrf,
        year,
        phase: p.phase().label(),
        next: Phase::ALL.into_iter().filter(|x| *x > p.phase()).map(|x| (x.as_str(), x.label())).collect(),
        ceremony: p.ceremony_at.map(|at| at.format("%-d %B %Y, %H:%M:%S UTC").to_string()),
        locked: p.locked_at.is_some(),
        queue,
        categories,
        standings,
        judges,
        t,
        errors,
        summary: error_summary(errors),
    };
    let title = format!("Awards {year} (staff)");
    let html = ui::page_with_notice(state, ctx, &title, "/admin/awards", &ui::render(&page), notice);
    Ok((errors.page_status(), html).into_response())
}

async fn programme_page(Req { state, ctx }: Req, Path(year): Path<String>) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    render(&state, &ctx, path_id(&year)?, &Typed::default(), &FieldErrors::new(), None).await
}

/// A page answer for a refusal the staff member should read (a conflict), else the error.
async fn told(state: &AppState, ctx: &RequestContext, year: i64, e: AppError) -> AppResult<Response> {
    match e {
        AppError::Conflict { message, .. } => {
            let page = render(state, ctx, year, &Typed::default(), &FieldErrors::new(), Some(&message)).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        e => Err(e),
    }
}

async fn phase_submit(Req { state, ctx }: Req, Path(year): Path<String>, body: Bytes) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let year: i64 = path_id(&year)?;
    let pairs = form_pairs(&body);
    let Some(phase) = Phase::parse(&form_value(&pairs, "phase")) else {
        let mut e = FieldErrors::new();
        e.add("phase", "Choose the phase to move to.");
        return render(&state, &ctx, year, &Typed::default(), &e, None).await;
    };
    match programmes::set_phase(&state, me.id, year, phase, &ctx.client_ip).await {
        Ok(()) => Ok(redirect(&format!("/admin/awards/{year}"))),
        Err(e) => told(&state, &ctx, year, e).await,
    }
}

async fn screening_submit(Req { state, ctx }: Req, Path(year): Path<String>, body: Bytes) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let year: i64 = path_id(&year)?;
    let pairs = form_pairs(&body);
    let t = Typed {
        nominee_ids: form_values(&pairs, "nominee_ids").into_iter().take(200).collect(),
        decision: form_value(&pairs, "decision"),
        reason: form_value(&pairs, "reason"),
        ..Typed::default()
    };
    let mut e = FieldErrors::new();
    let ids: Vec<Uuid> = t.nominee_ids.iter().filter_map(|s| s.parse().ok()).collect();
    if ids.is_empty() {
        e.add("nominee_ids", "Choose at least one nominee.");
    }
    let decision = match t.decision.as_str() {
        "accepted" => Screening::Accepted,
        "declined" => Screening::Declined,
        _ => {
            e.add("decision", "Choose whether to accept or decline them.");
            Screening::Pending
        }
    };
    if !e.is_empty() {
        return render(&state, &ctx, year, &t, &e, None).await;
    }
    let d = ScreeningDecision { nominee_ids: ids, decision, reason: t.reason.clone() };
    match nominations::screen(&state, me.id, year, &d, &ctx.client_ip).await {
        Ok(done) => {
            let notice = format!("{} nominee(s) {}.", done.updated, decision.as_str());
            render(&state, &ctx, year, &Typed::default(), &FieldErrors::new(), Some(&notice)).await
        }
        Err(AppError::Validation(e)) => render(&state, &ctx, year, &t, &e, None).await,
        Err(e) => Err(e),
    }
}

/// The member a staff member named: by id, or by a display name only one member has.
async fn judge_named(state: &AppState, typed: &str) -> AppResult<Result<MemberId, &'static str>> {
    let typed = typed.trim();
    if typed.is_empty() || typed.chars().count() > 120 {
        return Ok(Err("Give the judge's name or member id."));
    }
    if let Ok(id) = typed.parse::<MemberId>() {
        return Ok(Ok(id));
    }
    let dir = contracts::members::directory(state)?;
    let found = dir.find_by_names(state.db.reader().into(), &[typed.to_string()]).await?;
    Ok(match found.as_slice() {
        [(id, _)] => Ok(*id),
        [] => Err("No member has that name; check the spelling or give their member id."),
        _ => Err("Several members have that name; give the member id from their profile's address."),
    })
}

async fn judges_submit(Req { state, ctx }: Req, Path(year): Path<String>, body: Bytes) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let year: i64 = path_id(&year)?;
    let pairs = form_pairs(&body);
    let t = Typed {
        member: form_value(&pairs, "member_id"),
        category_ids: form_values(&pairs, "category_ids").into_iter().take(30).collect(),
        guest_name: form_value(&pairs, "guest_name"),
        guest_email: form_value(&pairs, "guest_email"),
        ..Typed::default()
    };
    if !t.guest_name.trim().is_empty() || !t.guest_email.trim().is_empty() {
        return invite_guest_submit(&state, &ctx, me.id, year, t).await;
    }
    let mut e = FieldErrors::new();
    let member = judge_named(&state, &t.member).await?.map_err(|m| e.add("member_id", m)).ok();
    let category_ids: Vec<Uuid> = t.category_ids.iter().filter_map(|s| s.parse().ok()).collect();
    if category_ids.is_empty() {
        e.add("category_ids", "Choose at least one category.");
    }
    let Some(member_id) = member.filter(|_| e.is_empty()) else {
        return render(&state, &ctx, year, &t, &e, None).await;
    };
    let a = JudgeAssignment { member_id, category_ids };
    match judging::assign(&state, me.id, year, &a, &ctx.client_ip).await {
        Ok(done) => {
            let notice = format!("{} assigned {} finalist(s) to judge.", t.member.trim(), done.assigned);
            render(&state, &ctx, year, &Typed::default(), &FieldErrors::new(), Some(&notice)).await
        }
        Err(AppError::Validation(e)) => render(&state, &ctx, year, &t, &e, None).await,
        Err(e) => Err(e),
    }
}

/// The judges form with a guest's name and e-mail instead of a member: invites an
/// industry guest judge (a judge-only account, see `guest_judges`) for the categories.
async fn invite_guest_submit(
    state: &AppState,
    ctx: &RequestContext,
    actor: MemberId,
    year: i64,
    t: Typed,
) -> AppResult<Response> {
    if !t.member.trim().is_empty() {
        let mut e = FieldErrors::new();
        e.add("member_id", "Give either a member or a guest from outside the community, not both.");
        return render(state, ctx, year, &t, &e, None).await;
    }
    let invitation = AwardsGuestJudgeInvitation {
        name: t.guest_name.clone(),
        email: t.guest_email.clone(),
        category_ids: t.category_ids.iter().filter_map(|s| s.parse().ok()).collect(),
    };
    match guest_judges::invite(state, actor, year, &invitation, &ctx.client_ip).await {
        Ok(done) => {
            let notice = format!(
                "{} was invited by e-mail as a guest judge and assigned {} finalist(s).",
                t.guest_name.trim(),
                done.assigned
            );
            render(state, ctx, year, &Typed::default(), &FieldErrors::new(), Some(&notice)).await
        }
        Err(AppError::Validation(found)) => {
            // The invitation names its fields as the API does; the form prefixes the guest's.
            let mut e = FieldErrors::new();
            for (field, message) in found.0 {
                let field = match field.as_str() {
                    "name" => "guest_name",
                    "email" => "guest_email",
                    other => other,
                };
                e.add(field, message);
            }
            render(state, ctx, year, &t, &e, None).await
        }
        Err(e) => Err(e),
    }
}

async fn lock_submit(Req { state, ctx }: Req, Path(year): Path<String>) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let year: i64 = path_id(&year)?;
    match results::lock(&state, me.id, year, &ctx.client_ip).await {
        Ok(l) => {
            let notice = format!(
                "Winners locked ({}): they are announced at the ceremony, {}.",
                l.winners.len(),
                l.ceremony_at.format("%-d %B %Y, %H:%M:%S UTC")
            );
            render(&state, &ctx, year, &Typed::default(), &FieldErrors::new(), Some(&notice)).await
        }
        Err(e) => told(&state, &ctx, year, e).await,
    }
}
