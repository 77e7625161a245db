//! Staff screening pages: an opportunity's applicants with why each is or is not
//! eligible, bulk shortlist or decline with one message, one-by-one moves (select,
//! start, approve), the deliverables with their disclosure check and its override, the
//! payout to mark paid; and the payouts page for finance with tax forms and the CSV.

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use kernel::http::{ApiQuery, Req, RequestContext, path_id};
use kernel::ids::MemberId;
use kernel::time::now;
use kernel::ui;
use kernel::{AppError, AppResult, AppState};
use serde::Deserialize;
use uuid::Uuid;

use super::{form_pairs, form_value, form_values, when};
use crate::access::staff;
use crate::board::condition_names;
use crate::catalogue::{self, OpportunityRow};
use crate::deliverables::{self, OverrideInput};
use crate::finance::{self, FinanceRow, Total};
use crate::model::{PayoutStatus, Status, TaxForm, kind_label, money, thousands};
use crate::payouts::{self, Payment};
use crate::policy;
use crate::screening::{self, Applicant, Eligibility, StatusChange};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ScreenQuery {
    #[serde(default)]
    member: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_screen.html")]
struct ScreenPage<'a> {
    csrf: &'a str,
    o: OpportunityRow,
    kind: &'static str,
    pay: String,
    deadline: String,
    closed: bool,
    taken: i64,
    requirements: Vec<String>,
    applicants: Vec<Applicant>,
    member_query: String,
    eligibility: Option<Eligibility>,
}

impl ScreenPage<'_> {
    fn at(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        when(t)
    }

    /// The moves staff may make from `status`, with their labels.
    fn moves(&self, status: &Status) -> Vec<(&'static str, &'static str)> {
        Status::ALL.iter().filter(|to| status.staff_may_move_to(**to)).map(|to| (to.as_str(), to.label())).collect()
    }

    fn payable(&self, a: &Applicant) -> bool {
        a.status == Status::Approved && a.payout.as_ref().is_some_and(|p| p.status == PayoutStatus::Pending)
    }

    /// Each question with the applicant's answer.
    fn answers(&self, a: &Applicant) -> Vec<(String, String)> {
        self.o.question_list().into_iter().zip(a.answers.iter().cloned()).collect()
    }

    fn today(&self) -> String {
        now().format("%Y-%m-%d").to_string()
    }
}

async fn render_screen(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    member: Option<&str>,
    notice: Option<&str>,
) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let o = catalogue::load(state.db.reader(), id).await?;
    let rules = catalogue::rules_of(state.db.reader(), &o).await?;
    let taken = catalogue::seats_taken(state.db.reader(), &[id]).await?.get(&id).copied().unwrap_or(0);
    let eligibility = match member.map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => match m.parse::<MemberId>() {
            Ok(m) => screening::eligibility(state, &o, m).await.ok(),
            Err(_) => None,
        },
        None => None,
    };
    let page = ScreenPage {
        csrf: &ctx.csrf,
        kind: kind_label(&o.kind),
        pay: o.pay().describe(),
        deadline: when(&o.apply_by),
        closed: o.closed(now()),
        taken,
        requirements: policy::requirements(&rules, &condition_names(state).await?),
        applicants: screening::applicants(state, me.id, &o, &ctx.client_ip).await?,
        member_query: member.unwrap_or_default().to_string(),
        eligibility,
        o,
    };
    let title = format!("Screening: {}", page.o.title);
    Ok(ui::page_with_notice(state, ctx, &title, "/admin/members", &ui::render(&page), notice).into_response())
}

pub(crate) async fn screen_page(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ScreenQuery>,
) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    render_screen(&state, &ctx, path_id(&id)?, q.member.as_deref(), None).await
}

/// Renders the screening page with the outcome of an action as its notice: its success
/// text, or what stopped it (a refused move or a bad value).
async fn after<T>(
    state: &AppState,
    ctx: &RequestContext,
    opportunity: Uuid,
    outcome: AppResult<T>,
    done: impl FnOnce(T) -> String,
) -> AppResult<Response> {
    let notice = match outcome {
        Ok(v) => done(v),
        Err(AppError::Conflict { message, .. }) => message,
        Err(AppError::Validation(errors)) => errors.sentence(),
        Err(e) => return Err(e),
    };
    render_screen(state, ctx, opportunity, None, Some(&notice)).await
}

pub(crate) async fn bulk_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let pairs = form_pairs(&body);
    let ids: Vec<Uuid> = form_values(&pairs, "applications").iter().filter_map(|a| a.parse().ok()).collect();
    let change = StatusChange { status: form_value(&pairs, "status"), message: form_value(&pairs, "message") };
    let outcome = screening::bulk(&state, me.id, id, &ids, &change, &ctx.client_ip).await;
    after(&state, &ctx, id, outcome, |r| {
        let mut s = format!("{} application(s) moved.", r.changed.len());
        for skip in r.skipped {
            s.push_str(&format!(" One was left as it was: {}", skip.reason));
        }
        s
    })
    .await
}

pub(crate) async fn status_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let pairs = form_pairs(&body);
    let app = crate::history::load(state.db.reader(), id).await?;
    let change = StatusChange { status: form_value(&pairs, "status"), message: form_value(&pairs, "message") };
    let outcome = screening::set_status(&state, me.id, id, &change, &ctx.client_ip).await;
    after(&state, &ctx, app.opportunity_id, outcome, |a| {
        format!("The application is now {}.", a.status().label().to_lowercase())
    })
    .await
}

pub(crate) async fn override_submit(
    Req { state, ctx }: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let pairs = form_pairs(&body);
    let opportunity: Option<Uuid> = state
        .db
        .scalar(
            "SELECT a.opportunity_id FROM deliverables d JOIN applications a ON a.id = d.application_id WHERE d.id = $1",
            kernel::params![id],
        )
        .await?;
    let opportunity = opportunity.ok_or(AppError::NotFound)?;
    let o = OverrideInput { ok: form_value(&pairs, "ok") == "yes", reason: form_value(&pairs, "reason") };
    let outcome = deliverables::override_check(&state, me.id, id, &o, &ctx.client_ip).await;
    after(&state, &ctx, opportunity, outcome, |_| "The override is recorded.".to_string()).await
}

pub(crate) async fn paid_submit(Req { state, ctx }: Req, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let pairs = form_pairs(&body);
    let opportunity: Option<Uuid> =
        state.db.scalar("SELECT opportunity_id FROM payouts WHERE id = $1", kernel::params![id]).await?;
    let opportunity = opportunity.ok_or(AppError::NotFound)?;
    let p = Payment { reference: form_value(&pairs, "reference"), paid_on: Some(form_value(&pairs, "paid_on")) };
    let outcome = payouts::mark_paid(&state, me.id, id, &p, &ctx.client_ip).await;
    after(&state, &ctx, opportunity, outcome, |p| format!("Marked paid: {}.", p.amount)).await
}

pub(crate) async fn close_submit(Req { state, ctx }: Req, Path(id): Path<String>) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let id: Uuid = path_id(&id)?;
    let outcome = catalogue::close(&state, me.id, id, &ctx.client_ip).await;
    after(&state, &ctx, id, outcome, |_| "Applications are closed.".to_string()).await
}

#[derive(Template)]
#[template(path = "admin_payouts.html")]
struct PayoutsPage<'a> {
    csrf: &'a str,
    rows: Vec<FinanceRow>,
    totals: Vec<Total>,
}

impl PayoutsPage<'_> {
    fn amount(&self, r: &FinanceRow) -> String {
        if r.points > 0 {
            format!("{} points", thousands(r.points))
        } else {
            format!("{} {}", r.currency, money(r.amount_cents))
        }
    }

    fn total(&self, t: &Total) -> String {
        if t.currency.is_empty() {
            format!("{} points", thousands(t.points))
        } else {
            format!("{} {}", t.currency, money(t.amount_cents))
        }
    }
}

async fn render_payouts(state: &AppState, ctx: &RequestContext, notice: Option<&str>) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    let page =
        PayoutsPage { csrf: &ctx.csrf, rows: finance::rows(state, 500).await?, totals: finance::totals(state).await? };
    Ok(ui::page_with_notice(state, ctx, "Payouts (staff)", "/admin/members", &ui::render(&page), notice)
        .into_response())
}

pub(crate) async fn payouts_page(Req { state, ctx }: Req) -> AppResult<Response> {
    render_payouts(&state, &ctx, None).await
}

pub(crate) async fn payouts_csv(Req { state, ctx }: Req) -> AppResult<Response> {
    staff(&ctx.viewer)?;
    Ok(crate::api::csv_response(finance::csv(&state).await?))
}

pub(crate) async fn tax_form_submit(
    Req { state, ctx }: Req,
    Path(member): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let me = staff(&ctx.viewer)?;
    let member: MemberId = path_id(&member)?;
    let pairs = form_pairs(&body);
    let status = TaxForm::parse(&form_value(&pairs, "status"))
        .ok_or_else(|| AppError::field("status", "Choose collected or missing."))?;
    payouts::set_tax_form(&state, me.id, member, status, &ctx.client_ip).await?;
    render_payouts(&state, &ctx, Some("The tax-form status is recorded.")).await
}
