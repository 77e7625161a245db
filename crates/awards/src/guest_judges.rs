//! Industry guest judges: staff invite someone from outside the community by name and
//! e-mail for some categories. The members slice creates a judge-only account (never a
//! member: no directory, search, profile, groups or voting; only judging and signing in
//! and out) and e-mails a one-time link to choose a password; the guest is assigned
//! every finalist of those categories like any judge.

use kernel::ids::MemberId;
use kernel::{AppResult, AppState, FieldErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::judging::{self, JudgeAssignment};
use crate::programmes;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardsGuestJudgeInvitation {
    /// The guest's name as shown to staff (1 to 80 characters).
    pub name: String,
    pub email: String,
    /// 1 to 30 categories of this programme.
    pub category_ids: Vec<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AwardsGuestJudgeInvited {
    /// The guest judge's account id.
    pub judge_id: MemberId,
    /// Finalists assigned now.
    pub assigned: u64,
}

/// Invites a guest judge (staff, audited): checks the categories first, so a refused
/// invitation creates no account.
pub async fn invite(
    state: &AppState,
    actor: MemberId,
    year: i64,
    inv: &AwardsGuestJudgeInvitation,
    ip: &str,
) -> AppResult<AwardsGuestJudgeInvited> {
    let p = programmes::by_year(state.db.reader(), year).await?;
    let known = programmes::categories(state.db.reader(), p.id).await?;
    let mut e = FieldErrors::new();
    if inv.category_ids.is_empty() || inv.category_ids.len() > 30 {
        e.add("category_ids", "Choose 1 to 30 categories.");
    } else if !inv.category_ids.iter().all(|c| known.iter().any(|k| k.id == *c)) {
        e.add("category_ids", "Choose categories of this programme.");
    }
    if inv.name.trim().is_empty() {
        e.add("name", "Enter the guest's name.");
    }
    if inv.email.trim().is_empty() {
        e.add("email", "Enter the guest's e-mail address.");
    }
    e.into_result()?;
    let judge_id = contracts::members::admin_accounts(state)?.invite_guest_judge(state, &inv.email, &inv.name).await?;
    let a = JudgeAssignment { member_id: judge_id, category_ids: inv.category_ids.clone() };
    let done = judging::assign(state, actor, year, &a, ip).await?;
    Ok(AwardsGuestJudgeInvited { judge_id, assigned: done.assigned })
}
