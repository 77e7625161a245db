//! Demo newsletter: last week's issue, sent (so the archive has one), and this week's
//! draft for the editor to finish. Idempotent: a week that has an issue is left alone.

use chrono::{Datelike, Duration};
use kernel::slice::DemoPeople;
use kernel::{AppState, params};

use crate::issues::{self, Featured, IssueEdit, NewIssue};

fn week_of(day: chrono::NaiveDate) -> String {
    let w = day.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

const LAST_WEEK_INTRO: &str = "Welcome back! This week we look at **telling your health story** on social media, \
and at the questions to ask before joining a clinical trial.";

const THIS_WEEK_INTRO: &str = "Hello again. Our advocacy toolkit has new chapters, and there is still time to \
sign up for this month's webinars.";

/// Adds the two demo issues if their weeks have none.
pub(crate) async fn load(state: &AppState, people: &mut DemoPeople) -> anyhow::Result<()> {
    let admin = people.admin()?;
    let today = kernel::time::now().date_naive();
    let demo = [
        (week_of(today - Duration::days(7)), LAST_WEEK_INTRO, "/learn", "The learning area", true),
        (week_of(today), THIS_WEEK_INTRO, "/events", "Upcoming events", false),
    ];
    for (week, intro, href, title, sent) in demo {
        let have: i64 = state
            .db
            .scalar("SELECT COUNT(*) FROM newsletter_issues WHERE week = $1", params![week.clone()])
            .await?
            .unwrap_or(0);
        if have > 0 {
            continue;
        }
        let id = issues::create(state, admin, &NewIssue { week }).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let edit =
            IssueEdit { intro: intro.into(), featured: vec![Featured { title: title.into(), href: href.into() }] };
        issues::edit(state, id, &edit).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        if sent {
            let at = kernel::time::now() - Duration::days(7);
            state
                .db
                .exec("UPDATE newsletter_issues SET status = 'sent', send_at = $1 WHERE id = $2", params![at, id])
                .await?;
        }
    }
    Ok(())
}
