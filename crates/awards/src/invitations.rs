//! Nominating someone who is not yet a member: the first nomination of an address in a
//! category e-mails them an invitation to join and claim it (through kernel mail, once
//! per nominee). When a member verifies that address (`MemberJoined`), a job attaches
//! every nomination made for the address to the new member: the nominee becomes theirs.

use contracts::events::MemberJoined;
use kernel::db;
use kernel::ids::MemberId;
use kernel::mail::{self, Email};
use kernel::outbox::Event;
use kernel::{AppResult, AppState, audit, jobs, params};
use sea_orm::{ConnectionTrait, DatabaseTransaction};
use serde::{Deserialize, Serialize};

use crate::programmes::{Category, ProgrammeRow};

/// Queues the invitation to `invitee` (name, address) in the nomination's transaction.
pub async fn invite<C: ConnectionTrait>(
    state: &AppState,
    c: &C,
    (name, email): (&str, &str),
    p: &ProgrammeRow,
    category: &Category,
    nominator: &str,
) -> AppResult<()> {
    let base = state.config.base_url.as_str().trim_end_matches('/');
    let year = p.year;
    let text = format!(
        "Hello {name},\n\n{nominator} has nominated you for the Social Health Awards {year}, in the category \
         {category}.\n\nTo claim your nomination, join the Social Health Network with this e-mail address \
         ({email}):\n\n{base}/signup\n\nOnce you confirm the address, the nomination is yours and you can follow it \
         on {base}/awards/{year}.\n\nIf you would rather not, ignore this message: nothing is published about you \
         unless staff accept the nomination.\n",
        category = category.name,
    );
    let html = format!(
        "<p>Hello {n},</p><p>{by} has nominated you for the Social Health Awards {year}, in the category {cat}.</p>\
         <p>To claim your nomination, <a href=\"{base}/signup\">join the Social Health Network</a> with this e-mail \
         address ({e}).</p><p>If you would rather not, ignore this message.</p>",
        n = kernel::ui::escape(name),
        by = kernel::ui::escape(nominator),
        cat = kernel::ui::escape(&category.name),
        e = kernel::ui::escape(email),
    );
    let message = Email {
        to: email.to_string(),
        subject: format!("You have been nominated for the Social Health Awards {year}"),
        text,
        html: Some(html),
        unsubscribe_url: None,
        attachments: vec![],
    };
    mail::queue(c, &format!("award-invitation:{}:{}", year, category.id), message).await?;
    Ok(())
}

/// Claims the nominations made for a new member's address.
#[derive(Debug, Serialize, Deserialize)]
pub struct ClaimNominations {
    pub member_id: MemberId,
}

impl jobs::Job for ClaimNominations {
    const KIND: &'static str = "awards.claim_nominations";

    async fn run(self, state: AppState) -> anyhow::Result<()> {
        claim(&state, self.member_id).await?;
        Ok(())
    }
}

/// On `MemberJoined`: queue the claim (reading the address needs the members port).
pub async fn on_joined(tx: &DatabaseTransaction, _: &Event, e: MemberJoined) -> anyhow::Result<()> {
    let job = ClaimNominations { member_id: e.member_id };
    jobs::queue(tx, &job, Some(&format!("awards-claim:{}", e.member_id)), None).await?;
    Ok(())
}

/// Attaches every nominee keyed by `member`'s (verified) address to them; how many.
pub async fn claim(state: &AppState, member: MemberId) -> AppResult<u64> {
    let dir = contracts::members::directory(state)?;
    let Some(email) = dir.contact_email(state.db.reader().into(), member).await? else { return Ok(0) };
    let tx = state.db.begin().await?;
    let claimed = db::exec(
        &tx,
        "UPDATE award_nominees SET member_id = $1, person_key = $2, invite_email = NULL WHERE person_key = $3 \
         AND member_id IS NULL AND NOT EXISTS (SELECT 1 FROM award_nominees o WHERE o.category_id = award_nominees.category_id AND o.person_key = $2)",
        params![member, format!("m:{member}"), format!("e:{}", email.trim().to_lowercase())],
    )
    .await?;
    if claimed > 0 {
        let detail = serde_json::json!({"nominees": claimed});
        audit::record(&tx, Some(member), "award_nominations_claimed", Some(member), None, detail).await?;
    }
    tx.commit().await?;
    Ok(claimed)
}
