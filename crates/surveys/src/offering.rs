//! Which surveys a member is invited to: open ones whose rules they meet, none they
//! answered, and none at all when their research consent is "no".

use contracts::eligibility::eligible;
use kernel::ids::MemberId;
use kernel::{AppResult, AppState, db, params};
use uuid::Uuid;

use crate::store::{self, SurveyRow};
use crate::{consent, policy, taking};

/// How many open surveys are looked at for one member's list.
const OPEN_LIMIT: u64 = 100;

/// The surveys `member` is invited to, newest first.
pub async fn offered(state: &AppState, member: MemberId) -> AppResult<Vec<SurveyRow>> {
    if !policy::invitable(Some(consent::of(state.db.reader(), member).await?)) {
        return Ok(Vec::new());
    }
    let candidate = taking::candidate_of(state, member).await?;
    let open = store::open_surveys(&state.db, OPEN_LIMIT).await?;
    let answered: Vec<Uuid> =
        db::column(state.db.reader(), "SELECT survey_id FROM survey_responses WHERE member_id = $1", params![member])
            .await?;
    Ok(open
        .into_iter()
        .filter(|s| !answered.contains(&s.id) && eligible(&crate::building::rules_from_json(&s.rules), &candidate))
        .collect())
}
